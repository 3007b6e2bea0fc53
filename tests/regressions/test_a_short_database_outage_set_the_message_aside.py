"""A database away for a couple of seconds while a message was processed used up its three tries
in 150 ms: the message was set aside and the teacher got the generic error. Now a fault of the
database is waited out with backoff, the handler's tries are not used, and the answer lands.

SQLite: another connection holds the write lock, with a busy timeout of 100 ms, so every
transaction of the bot fails with "database is locked" meanwhile. PostgreSQL: another session
locks the inbox table and the bot's connections are terminated under it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.domain.chat import Incoming
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from storage.models import InboxMessage
from tests.conftest import FixedClock, add_unit
from tests.conversation.helpers import stored_answers, stored_report

OUTAGE_SECONDS = 2.0


@pytest.fixture
def impatient_settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        None,
        database={"url": database_url, "busy_timeout_ms": 100},
        evidence={"directory": tmp_path / "evidence"},
        campaign={"year": 2023},
    )


@pytest.fixture
async def impatient_app(impatient_settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    built = await build(impatient_settings, clock=clock)
    try:
        yield built
    finally:
        await built.close()


async def _outage_sqlite(url: str, started: asyncio.Event) -> None:
    holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started.set()
        await asyncio.sleep(OUTAGE_SECONDS)
        holder.execute("COMMIT")
    finally:
        holder.close()


async def _outage_postgres(url: str, started: asyncio.Event) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    holder = await asyncpg.connect(dsn)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE")
            started.set()
            await asyncio.sleep(OUTAGE_SECONDS / 2)
            await holder.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await asyncio.sleep(OUTAGE_SECONDS / 2)
    finally:
        await holder.close()


async def test_a_database_away_for_seconds_costs_the_teacher_a_delay_not_the_answer(
    impatient_app: App,
) -> None:
    app = impatient_app
    teacher = MemoryChat(app.engine, user_id="tg-2002", user_name="Cô Hoa")
    await teacher.send(f"/start {await add_unit(app)}")
    await teacher.send("02/10")
    assert "Mục 1/11" in teacher.last_reply().text

    # The message is stored (the platform has its acknowledgement), then the database goes.
    incoming = Incoming(
        platform="memory",
        message_id="during-the-outage",
        chat_id=teacher.chat_id,
        user_id=teacher.user_id,
        text="không",
    )
    inbox_id = await app.engine.receive(incoming)
    assert inbox_id is not None
    url = app.settings.database.url
    started = asyncio.Event()
    outage = _outage_sqlite if url.startswith("sqlite") else _outage_postgres
    holder = asyncio.create_task(outage(url, started))
    await started.wait()
    replies = await app.engine.process(inbox_id, teacher.files)
    await holder

    assert [r.text for r in replies if r.text == say.INTERNAL_ERROR] == []
    assert "Mục 2/11" in (await teacher.flush())[-1].text
    async with app.uows() as uow:
        stored = await uow.session.get(InboxMessage, inbox_id)
        assert stored is not None and (stored.status, stored.attempts) == ("done", 0)
    assert (await stored_answers(app, await stored_report(app)))["run:1"] == 0
