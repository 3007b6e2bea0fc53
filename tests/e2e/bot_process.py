"""Starting the real ``tuanle run`` as a separate process, as a deployment would."""

from __future__ import annotations

import asyncio
import os
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
