"""An admin's /status picture, made by a job of the real ``tuanle run`` process: a kill -9 while
the picture is being made loses nothing and doubles nothing, and a job that cannot finish tells
the admin once, in Vietnamese, with nothing of the cause."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build
from bot.config import load_settings
from handlers import messages as say
from handlers.join import create_invite
from storage.db import create_engine, session_factory
from storage.models import Job
from tests.e2e.bot_process import start_bot, write_config
from tests.fakes.telegram import FakeTelegram, SentMessage

ADMIN = 8181
PNG = b"\x89PNG\r\n\x1a\n"


async def _setup(tmp_path: Path, tg: FakeTelegram) -> tuple[Path, str]:
    """A config for the bot on the fake Telegram, and an admin invite of one school."""
    table = f'[telegram]\ntoken = "{tg.token}"\napi_base = "{tg.base_url}"\n[web]\nport = 0'
    config = write_config(tmp_path, table)
    app = await build(load_settings(config))
    try:
        now = datetime.now(UTC)
        async with app.uows() as uow:
            unit = await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, now)
            code = await create_invite(uow, unit, "admin", 1, 1, now)
            await uow.commit()
    finally:
        await app.close()
    return config, code


async def _read(database: AsyncEngine) -> list[Job]:
    """The jobs table as the bot process left it."""
    async with session_factory(database)() as session:
        return list((await session.execute(select(Job).order_by(Job.id))).scalars())


async def _until(
    database: AsyncEngine, holds: Callable[[list[Job]], bool], tg: FakeTelegram, log: Path
) -> None:
    """Waits until the jobs table shows what ``holds`` looks for (polled every 10 ms); on a
    loaded machine a minute at most, then fails with what the admin saw and the bot logged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not holds(jobs := await _read(database)):
        if loop.time() > deadline:
            seen = [m.text[:80] for m in tg.messages_to(ADMIN)]
            logged = _tail(log)
            raise AssertionError(f"jobs {[(j.kind, j.status) for j in jobs]}; {seen}; {logged}")
        await asyncio.sleep(0.01)


def _tail(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()[-15:] if log.exists() else []


def _photos(tg: FakeTelegram) -> list[SentMessage]:
    return [m for m in tg.messages_to(ADMIN) if m.method == "sendPhoto"]


async def _joined(tg: FakeTelegram, code: str) -> None:
    tg.send_text(ADMIN, f"/start {code}")
    await tg.wait_for(lambda: bool(tg.messages_to(ADMIN)), timeout=30)


async def test_a_kill_9_while_the_status_picture_is_made_sends_it_once_after_restart(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg:
        config, code = await _setup(tmp_path, tg)
        database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
        process = await start_bot(config)
        try:
            await _joined(tg, code)
            tg.send_text(ADMIN, "/status")
            log = tmp_path / "bot.log"
            await _until(database, lambda jobs: any(j.status == "running" for j in jobs), tg, log)
            process.send_signal(signal.SIGKILL)  # while the picture is being drawn
            await process.wait()
            assert _photos(tg) == []
            (killed,) = await _read(database)
            assert (killed.kind, killed.status) == ("status_chart", "running")

            process = await start_bot(config)
            await _until(database, lambda jobs: jobs[0].status == "done", tg, log)
            await tg.wait_for(lambda: bool(_photos(tg)), timeout=30)
            (job,) = await _read(database)
            assert (job.status, job.attempts) == ("done", 2)
            (picture,) = _photos(tg)  # once, although the job ran twice
            assert isinstance(picture.photo, bytes) and picture.photo.startswith(PNG)
            assert len(picture.photo) > 10_000  # a drawn chart, not an empty file
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()
            await database.dispose()
        assert process.returncode == 0


async def test_a_job_that_cannot_finish_tells_the_admin_once(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        config, code = await _setup(tmp_path, tg)
        # The file store's place is taken by a file: no picture can be kept, whatever is tried.
        (tmp_path / "evidence").write_bytes(b"not a directory")
        database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
        process = await start_bot(config)
        try:
            await _joined(tg, code)
            tg.send_text(ADMIN, "/status")
            await tg.wait_for(
                lambda: any(m.text == say.JOB_FAILED for m in tg.messages_to(ADMIN)), timeout=60
            )
            (job,) = await _read(database)
            assert (job.kind, job.status, job.attempts) == ("status_chart", "failed", 3)
            texts = [m.text for m in tg.messages_to(ADMIN)]
            assert texts.count(say.JOB_FAILED) == 1 and _photos(tg) == []
            assert not any("Error" in text or "evidence" in text for text in texts)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
            await database.dispose()
        assert process.returncode == 0
