"""Storage fixtures: a fresh, migrated database of each kind, with its units of work.

The contract tests take ``database``, which runs each test on SQLite and on PostgreSQL in the same
pytest run. Each is a copy of the session's template (tests/conftest.py), which ``upgrade``
migrated from an empty database in this run; ``upgrade`` runs again on the copy, finding it at
head, as every start of the bot does. PostgreSQL that cannot be reached fails the test in CI
(env ``CI`` set) and skips it elsewhere, saying why.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.conftest import PG_ADMIN_DSN, _postgres_database, migrated_sqlite

PG_CONNECT_TIMEOUT_S = 10


@dataclass
class Database:
    """A migrated database under test: its kind, URL, engine and units of work."""

    kind: str
    url: str
    engine: AsyncEngine
    uows: UnitOfWorkFactory


async def _fresh_postgres() -> tuple[str, Callable[[], Awaitable[None]]]:
    """A new migrated PostgreSQL database, or a failure/skip saying the server is unreachable."""
    try:
        url, drop = await asyncio.wait_for(_postgres_database(), PG_CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        reason = f"PostgreSQL at {PG_ADMIN_DSN} is unreachable: {type(error).__name__}: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must test both backends)")
        pytest.skip(f"{reason}; set TUANLE_TEST_PG_DSN or start PostgreSQL to test it")
    return url, cast(Callable[[], Awaitable[None]], drop)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database of each kind, migrated to the newest schema."""
    drop: Callable[[], Awaitable[None]] | None = None
    if request.param == "postgres":
        url, drop = await _fresh_postgres()
    else:
        url = migrated_sqlite(tmp_path / "tuanle.sqlite3")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield Database(request.param, url, engine, UnitOfWorkFactory(session_factory(engine)))
    finally:
        await engine.dispose()
        if drop is not None:
            await drop()


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated SQLite file, for behaviour only SQLite has."""
    url = migrated_sqlite(tmp_path / "tuanle.sqlite3")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield Database("sqlite", url, engine, UnitOfWorkFactory(session_factory(engine)))
    finally:
        await engine.dispose()
