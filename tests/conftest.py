"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL with TUANLE_TEST_DB=postgres),
the app built by the same composition root as production, a fixed clock, and photos."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from PIL import Image

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.platforms.memory import MemoryChat
from handlers.join import create_invite

PG_ADMIN_DSN = os.environ.get(
    "TUANLE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def backend() -> str:
    return os.environ.get("TUANLE_TEST_DB", "sqlite")


async def _postgres_database() -> tuple[str, Callable[[], object]]:
    name = f"tuanle_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def drop() -> None:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", drop


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on the backend under test."""
    if backend() == "postgres":
        url, drop = await _postgres_database()
        try:
            yield url
        finally:
            await drop()  # type: ignore[misc]
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'tuanle.sqlite3'}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        None,
        database={"url": database_url},
        evidence={"directory": tmp_path / "evidence"},
        campaign={"year": 2023},
    )


@pytest.fixture
def clock() -> FixedClock:
    # During the 2023 week's reporting window: schools report before 20/10/2023 (seed 002 §VI).
    return FixedClock(datetime(2023, 10, 9, 3, 0, tzinfo=UTC))


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    built = await build(settings, clock=clock)
    try:
        yield built
    finally:
        await built.close()


async def add_unit(
    app: App, code: str = "THCS-01", name: str = "Trường THCS Kim Long", kind: str = "school"
) -> str:
    """Adds a unit and returns a fresh invite code for it."""
    now = datetime.now(UTC)
    async with app.uows() as uow:
        unit = await uow.units.by_code(code)
        if unit is None:
            unit = await uow.units.add(code, name, kind, None, now)
        invite = await create_invite(uow, unit, "reporter", 30, 20, now)
        await uow.commit()
    return invite


@pytest.fixture
async def invite(app: App) -> str:
    return await add_unit(app)


@pytest.fixture
async def chat(app: App, invite: str) -> MemoryChat:
    """A teacher who has joined the unit and stands at the first question."""
    teacher = MemoryChat(app.engine, user_id="tg-1001", user_name="Cô Lan")
    await teacher.send(f"/start {invite}")
    return teacher


def photo(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small distinct JPEG."""
    image = Image.new("RGB", size, ((seed * 40) % 256, (seed * 90) % 256, (seed * 150) % 256))
    for x in range(0, size[0], 7):
        image.putpixel((x, seed % size[1]), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()
