"""Applying the Alembic migrations, from the CLI and on start.

On SQLite a migration that changes a table rebuilds it (copy, drop, rename). With foreign keys
enforced, dropping a table that other rows point at fails, so the migrations run with them off
and the result is checked with ``PRAGMA foreign_key_check`` before it is committed.

Every start calls ``upgrade``. A database already at the newest revision (read from
``alembic_version``) is left alone without loading Alembic, which with its templates costs a
start more time and memory than the check. The newest revision is the highest number among
the files of ``migrations/versions``, each named ``NNNN_what.py`` for its revision ``NNNN``
(tests/storage/test_migration_files.py holds them to it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import is_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def newest_revision(migrations: Path = MIGRATIONS) -> str | None:
    """The newest revision by the migration files' names; None when there is none."""
    found = (_REVISION_FILE.match(path.name) for path in (migrations / "versions").iterdir())
    numbers = sorted(match.group(1) for match in found if match)
    return numbers[-1] if numbers else None


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = found.scalars().all()
    except DBAPIError:  # no alembic_version table yet
        return None
    return str(versions[0]) if len(versions) == 1 else None


def alembic_config(url: str, migrations: Path = MIGRATIONS) -> Config:
    """An Alembic configuration for ``url`` with no ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, *, migrations: Path = MIGRATIONS) -> None:
    """Brings the database to the newest schema (nothing to do when it is there already)."""
    newest = newest_revision(migrations)
    if newest is not None and await current_revision(engine) == newest:
        return
    from alembic import command

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
