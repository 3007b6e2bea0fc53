"""Opening the database: one async engine per process, tuned for SQLite or PostgreSQL.

SQLite is the embedded default. It runs in WAL mode with a busy timeout and foreign keys on,
and every transaction that may write starts with ``BEGIN IMMEDIATE`` so that a read-then-write
transaction waits for the write lock instead of failing with "database is locked"
(research/reliability.md §4). A transaction marked read-only (the execution option
``READ_ONLY``, set by ``UnitOfWork(read_only=True)``) begins deferred: it reads the last commit
without queueing behind the writer. PostgreSQL is reached through asyncpg by URL. Nothing here
connects until it is called.
Errors never quote the values of a statement (``hide_parameters``): a failed insert must not
carry a person's answer or a stored error text into the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# The execution option of a connection whose transaction only reads.
READ_ONLY = "tuanle_read_only"


@dataclass(frozen=True, slots=True)
class SqliteTuning:
    """The SQLite settings every connection gets."""

    busy_timeout_ms: int = 10_000
    synchronous: str = "FULL"  # a committed answer survives power loss, not only a crash

    def __post_init__(self) -> None:
        # Checked here so a bad setting stops the start, not the first connection in the pool.
        _synchronous(self.synchronous)
        if self.busy_timeout_ms <= 0:
            raise ValueError("busy_timeout_ms must be positive: without it writers fail at once")


def is_sqlite(url: str) -> bool:
    """True when the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, tuning: SqliteTuning | None = None) -> AsyncEngine:
    """Builds the engine for ``url``; SQLite files get their folder created and the pragmas."""
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    tuning = tuning or SqliteTuning()
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": tuning.busy_timeout_ms / 1000}, hide_parameters=True
    )
    _tune_sqlite(engine, tuning)
    return engine


def _tune_sqlite(engine: AsyncEngine, tuning: SqliteTuning) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would issue a deferred BEGIN; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(tuning.busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={_synchronous(tuning.synchronous)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _synchronous(value: str) -> str:
    allowed = {"OFF", "NORMAL", "FULL", "EXTRA"}
    upper = value.upper()
    if upper not in allowed:
        raise ValueError(f"synchronous must be one of {sorted(allowed)}, not {value!r}")
    return upper


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
