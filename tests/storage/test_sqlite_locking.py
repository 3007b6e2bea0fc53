"""SQLite's own hazards: the settings every connection needs, and "database is locked".

A deferred transaction that reads and then writes cannot take the write lock once another writer
has committed, and fails at once whatever the busy timeout (research/reliability.md §4). Every
transaction that may write therefore starts with BEGIN IMMEDIATE; the regression below keeps it
that way. A unit of work opened read-only begins deferred: it never waits for the writer.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SqliteTuning, create_engine, session_factory
from storage.uow import UnitOfWorkFactory
from tests.conftest import migrated_sqlite
from tests.storage.conftest import Database

NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)


async def pragmas(engine: AsyncEngine) -> dict[str, object]:
    names = ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
    async with engine.connect() as connection:
        return {
            name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
            for name in names
        }


async def test_a_new_connection_is_safe_for_concurrent_writers_and_power_loss(
    sqlite_database: Database,
) -> None:
    assert await pragmas(sqlite_database.engine) == {
        "journal_mode": "wal",
        "busy_timeout": 10_000,
        "foreign_keys": 1,
        "synchronous": 2,  # FULL: a committed answer survives a power cut
    }


async def test_the_configured_timeout_and_durability_reach_the_connection(
    tmp_path: Path,
) -> None:
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'db' / 'tuanle.sqlite3'}",
        SqliteTuning(busy_timeout_ms=2_500, synchronous="normal"),
    )
    try:
        found = await pragmas(engine)
    finally:
        await engine.dispose()

    assert (found["busy_timeout"], found["synchronous"]) == (2_500, 1)
    assert (tmp_path / "db" / "tuanle.sqlite3").exists()


def test_an_unknown_durability_setting_is_refused_before_anything_opens() -> None:
    with pytest.raises(ValueError, match="synchronous must be one of"):
        SqliteTuning(synchronous="SOMETIMES")


async def test_two_messages_that_read_then_write_at_once_both_succeed(
    sqlite_database: Database,
) -> None:
    """The regression of reliability.md §4: a deferred BEGIN fails the second one at once."""

    async def add_unit_after_looking(code: str) -> None:
        async with sqlite_database.uows() as uow:
            await uow.units.count()  # the read that, in a deferred transaction, takes a snapshot
            await asyncio.sleep(0.2)  # the other message does the same meanwhile
            await uow.units.add(code, f"Trường {code}", "school", None, NOW)
            await uow.commit()

    await asyncio.gather(add_unit_after_looking("THCS-01"), add_unit_after_looking("THCS-02"))

    async with sqlite_database.uows() as uow:
        assert [unit.code for unit in await uow.units.all()] == ["THCS-01", "THCS-02"]


async def test_a_reader_is_not_kept_waiting_by_a_writer_and_sees_the_last_commit(
    tmp_path: Path,
) -> None:
    """Read-only units of work (a sweep, a recovery listing) begin deferred, not IMMEDIATE."""
    url = migrated_sqlite(tmp_path / "tuanle.sqlite3")
    engine = create_engine(url, SqliteTuning(busy_timeout_ms=200))
    uows = UnitOfWorkFactory(session_factory(engine))
    try:
        async with uows() as uow:
            await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, NOW)
            await uow.commit()
        async with uows() as writer:  # holds the write lock until it leaves the block
            await writer.units.add("THCS-02", "Trường THCS Thủy Xuân", "school", None, NOW)
            async with uows(read_only=True) as reader:
                seen = [unit.code for unit in await reader.units.all()]
                with pytest.raises(RuntimeError, match="read-only"):
                    await reader.commit()
            await writer.commit()
    finally:
        await engine.dispose()

    assert seen == ["THCS-01"]  # a writer's rows not yet committed are not seen
