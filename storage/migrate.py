"""Applying the Alembic migrations, from the CLI and on start.

On SQLite a migration that changes a table rebuilds it (copy, drop, rename). With foreign keys
enforced, dropping a table that other rows point at fails, so the migrations run with them off
and the result is checked with ``PRAGMA foreign_key_check`` before it is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str, migrations: Path = MIGRATIONS) -> Config:
    """An Alembic configuration for ``url`` with no ini file."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, *, migrations: Path = MIGRATIONS) -> None:
    """Brings the database to the newest schema."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url, migrations)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    if not is_sqlite(url):
        async with engine.begin() as connection:
            await connection.run_sync(run)
        return
    async with engine.connect() as connection:
        await connection.run_sync(_with_foreign_keys_deferred_to_the_end, run)


def _with_foreign_keys_deferred_to_the_end(
    connection: Connection, run: Callable[[Connection], None]
) -> None:
    # SQLite ignores this pragma inside a transaction, so it is set on the raw connection before
    # BEGIN, and set back before the connection returns to the pool.
    _pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            run(connection)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                rows = ", ".join(
                    f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in broken[:5]
                )
                raise RuntimeError(f"the migration left rows pointing nowhere: {rows}")
    finally:
        _pragma(connection, "foreign_keys=ON")


def _pragma(connection: Connection, setting: str) -> None:
    raw: Any = connection.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        cursor.execute(f"PRAGMA {setting}")
    finally:
        cursor.close()
