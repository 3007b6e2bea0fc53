"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL with TUANLE_TEST_DB=postgres),
the app built by the same composition root as production, a fixed clock, and photos.

Each test's database is a copy of a template migrated once per session, from an empty database,
by the project's own ``upgrade``: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL. The template is made from the migrations as they stand when the session first needs
it and is removed when the session ends; nothing is kept on disk between runs. Hypothesis runs the
small "fast" profile unless ``HYPOTHESIS_PROFILE=long`` or ``--hypothesis-profile=long``.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import hypothesis
import pytest
from PIL import Image

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.platforms.memory import MemoryChat
from handlers.join import create_invite
from storage.db import create_engine
from storage.migrate import upgrade

T = TypeVar("T")

PG_ADMIN_DSN = os.environ.get(
    "TUANLE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)

# Hypothesis: "fast" keeps the README's test command quick; "long" (CI, on PostgreSQL) searches
# six times harder. No deadline: a loaded 2-core machine is no reason to fail a property, and
# timing goals live in bench/. The conversation state machine runs a tenth of max_examples.
hypothesis.settings.register_profile(
    "fast", max_examples=50, stateful_step_count=30, deadline=None
)
hypothesis.settings.register_profile(
    "long", max_examples=300, stateful_step_count=40, deadline=None
)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


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


# Fixtures through which a test reaches the database under test (TUANLE_TEST_DB).
DATABASE_FIXTURES = frozenset({"database_url", "database"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With TUANLE_TEST_SECOND_PASS=1 (.ci/run's PostgreSQL pass), runs only what can differ.

    That is every test reaching the database under test and every Hypothesis test (the pass may
    use a longer profile). The others start their own SQLite files or touch no database; the
    first pass ran them on the same code, so they are deselected, and counted as such.
    """
    if os.environ.get("TUANLE_TEST_SECOND_PASS") != "1":
        return
    kept, repeats = [], []
    for item in items:
        reaches = not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
        draws = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        (kept if reaches or draws else repeats).append(item)
    if repeats:
        config.hook.pytest_deselected(items=repeats)
        items[:] = kept


def _postgres_url(name: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _admin(statement: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def _postgres_database() -> tuple[str, Callable[[], object]]:
    """A new PostgreSQL database (a copy of the session's migrated template) and its drop."""
    name = f"tuanle_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template()}"')

    async def drop() -> None:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return _postgres_url(name), drop


# The session's migrated templates ----------------------------------------------------------------

_templates: dict[str, str] = {}  # backend -> the SQLite template's path or the PostgreSQL name
_templates_lock = threading.Lock()


def _run_apart(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Runs a coroutine on a loop of its own in a thread, so a running test loop is untouched."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _sqlite_template() -> Path:
    with _templates_lock:
        if "sqlite" not in _templates:
            path = Path(tempfile.mkdtemp(prefix="tuanle-template-")) / "template.sqlite3"
            _run_apart(lambda: _migrate(f"sqlite+aiosqlite:///{path}"))
            # Closing the last connection checkpoints the write-ahead log into the file and
            # deletes it; a copy of the file alone is then the whole database.
            if path.with_name(path.name + "-wal").exists():
                raise RuntimeError(f"{path}: the write-ahead log outlived the engine")
            _templates["sqlite"] = str(path)
        return Path(_templates["sqlite"])


async def _make_postgres_template(name: str) -> None:
    await _admin(f'CREATE DATABASE "{name}"')
    await _migrate(_postgres_url(name))
    # CREATE DATABASE … TEMPLATE refuses a template anyone is connected to; a closed asyncpg
    # connection's server process may linger for a moment.
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for _ in range(100):
            sessions = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name
            )
            if sessions == 0:
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{name}: connections stayed open after the migration")
    finally:
        await admin.close()


def _postgres_template() -> str:
    with _templates_lock:
        if "postgres" not in _templates:
            # Unique per session: parallel runs (other people, xdist workers) never share one.
            name = f"tuanle_template_{uuid.uuid4().hex[:12]}"
            try:
                _run_apart(lambda: _make_postgres_template(name))
            except BaseException:
                _run_apart(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                raise
            _templates["postgres"] = name
        return _templates["postgres"]


@pytest.fixture(scope="session", autouse=True)
def _templates_removed_at_the_end() -> Iterator[None]:
    """Removes the session's templates once every test is done."""
    yield
    with _templates_lock:
        if "sqlite" in _templates:
            shutil.rmtree(Path(_templates.pop("sqlite")).parent, ignore_errors=True)
        if "postgres" in _templates:
            name = _templates.pop("postgres")
            _run_apart(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrated_sqlite(path: Path) -> str:
    """Puts a copy of the session's migrated SQLite template at ``path``; returns its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(), path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database on the backend under test, migrated to the newest schema."""
    if backend() == "postgres":
        url, drop = await _postgres_database()
        try:
            yield url
        finally:
            await drop()  # type: ignore[misc]
    else:
        yield migrated_sqlite(tmp_path / "tuanle.sqlite3")


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
