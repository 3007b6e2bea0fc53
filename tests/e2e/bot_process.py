"""Starting the real ``tuanle run`` as a separate process, as a deployment would."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from storage.models import InboxMessage, OutboxMessage


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


async def wait_until_answered(app: App, messages: int, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Waits until the bot has taken in ``messages`` messages, processed each and sent every reply.

    Read through ``app``'s database while the bot process runs: a reply delivered just before a
    kill but not yet marked sent counts as unsent until the restarted bot sends it again.
    """
    state: tuple[int, int, int] = (0, 0, 0)
    for _ in range(int(timeout * 10)):
        async with app.uows() as uow:
            taken = await uow.session.scalar(select(func.count()).select_from(InboxMessage))
            open_in = await uow.session.scalar(
                select(func.count()).where(InboxMessage.status == "pending")
            )
            open_out = await uow.session.scalar(
                select(func.count()).where(OutboxMessage.status == "pending")
            )
        state = (taken or 0, open_in or 0, open_out or 0)
        if state[0] >= messages and state[1:] == (0, 0):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not answered: (taken, pending in, pending out) = {state}")
