"""Starting the real ``tuanle run`` as a separate process, as a deployment would."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path


async def start_bot(
    config: Path, *, stderr: int = asyncio.subprocess.DEVNULL
) -> asyncio.subprocess.Process:
    """``python -m bot --config CONFIG run`` with no ``BOT__`` variables of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


def free_port() -> int:
    """A port free on loopback now, for a bot process that must be told its port in advance."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The fake Bot API server enforces no per-chat limit, so a bot process under test need not wait
# Telegram's second between two messages to one chat: that pace is tested in process
# (tests/e2e/test_outbox_delivery.py), and waiting it out here only slows every walk down.
FAKE_SERVER_PACE = "per_chat_per_second = 50\nper_chat_burst = 10\n"


def write_config(tmp_path: Path, tables: str) -> Path:
    """A ``tuanle.toml`` for a bot process: its database, evidence and log in ``tmp_path``, the
    2023 campaign, and ``tables`` (the platform's settings) after them; a ``[telegram]`` table
    gets the fake server's pace."""
    tables = tables.replace("[telegram]\n", "[telegram]\n" + FAKE_SERVER_PACE, 1)
    config = tmp_path / "tuanle.toml"
    config.write_text(
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / "bot.sqlite3"}"
[evidence]
directory = "{tmp_path / "evidence"}"
[campaign]
year = 2023
[log]
file = "{tmp_path / "bot.log"}"
{tables}
""",
        encoding="utf-8",
    )
    return config
