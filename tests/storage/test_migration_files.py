"""The migration files name their revision, so a start can tell without Alembic whether the
database is at the newest one (``storage.migrate.newest_revision``): a new migration whose file
name disagrees with its revision would otherwise be skipped at start."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from storage.migrate import MIGRATIONS, alembic_config, newest_revision


def test_each_migration_file_is_named_after_its_revision_and_the_newest_is_alembics_head() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://", MIGRATIONS))
    revisions = list(scripts.walk_revisions())
    assert revisions
    for revision in revisions:
        assert revision.path is not None
        assert Path(revision.path).name.startswith(f"{revision.revision}_"), revision.path
        assert len(revision.revision) == 4 and revision.revision.isdigit(), revision.revision
    assert newest_revision() == scripts.get_current_head()
