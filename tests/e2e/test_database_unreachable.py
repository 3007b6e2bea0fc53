"""A database that cannot be reached, as an admin meets it: the real ``tuanle`` process, for
every command that opens the database, prints one Vietnamese line naming the host, port and
database (never the password, never a traceback) and exits with 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from handlers import messages as say
from tests.conftest import backend

PASSWORD = "pw-Ab12"  # the secret the output must not show
NOWHERE = f"postgresql+asyncpg://tuanle:{PASSWORD}@127.0.0.1:1/baocao"  # nothing listens on 1
REFUSED = say.CLI_DATABASE_REASONS["refused"]


def tuanle(home: Path, url: str, *args: str, extra: str = "") -> subprocess.CompletedProcess[str]:
    """Runs ``tuanle`` with a configuration whose database is ``url``, plus ``extra`` TOML."""
    (home / "tuanle.toml").write_text(
        f'[database]\nurl = "{url}"\n[log]\nfile = "{home / "bot.log"}"\n{extra}',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=home,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


# The bot with a Telegram token opens the database before it calls Telegram at all.
WITH_TOKEN = '[telegram]\ntoken = "7012345678:AAHk3Zq9xTeleSecretPart0123456789abc"\n'


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["units", "list"], ""),
        (["db", "upgrade"], ""),
        (["reports", "show", "X"], ""),
        (["chat"], ""),
        (["run"], WITH_TOKEN),
    ],
)
def test_a_server_not_listening_is_one_vietnamese_line_and_exit_2(
    tmp_path: Path, command: list[str], extra: str
) -> None:
    done = tuanle(tmp_path, NOWHERE, *command, extra=extra)

    assert done.returncode == 2, done.stderr
    expected = say.CLI_DATABASE_UNREACHABLE.format(
        database="baocao", host="127.0.0.1", port=1, reason=REFUSED
    )
    assert done.stderr.strip() == say.CLI_ERROR.format(error=expected)
    assert PASSWORD not in done.stdout + done.stderr
    log = tmp_path / "bot.log"
    assert not log.exists() or PASSWORD not in log.read_text(encoding="utf-8")


def test_a_database_missing_on_the_server_says_so_and_how_to_create_it(
    tmp_path: Path, database_url: str
) -> None:
    if backend() != "postgres":
        pytest.skip("needs a PostgreSQL server: run with TUANLE_TEST_DB=postgres")
    url = make_url(database_url).set(database="tuanle_never_created", password=PASSWORD)

    done = tuanle(tmp_path, url.render_as_string(hide_password=False), "units", "list")

    assert done.returncode == 2, done.stderr
    assert "tuanle_never_created" in done.stderr
    assert "createdb tuanle_never_created" in done.stderr
    assert "Traceback" not in done.stderr
    assert PASSWORD not in done.stderr
