"""How long one teacher waits for each reply, under Telegram's default limits (not a test).

    .venv/bin/python -m bench.reply_pace [--messages 30] [--wave 0]

One process: a migrated SQLite database in a temporary directory, the real Telegram adapter
(polling) with the product's ``SendLimits`` (30 a second for the bot; a chat 3 at once, then 1
a second) against the fake Bot API on loopback. A teacher (she
joins with an invite code, then asks for the help text again and again: one reply each) sends her
next message as soon as the reply to the previous one arrived, as the deadline rush's teachers
do. ``--wave N`` first queues a reminder to N other chats, so that her
messages meet a wave occupying the bot's budget. Prints p50/p95/p99/max of the time from her
message to its reply, as the fake server saw them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402

from bot.app import build  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.domain.chat import Reply  # noqa: E402
from bot.platforms.dispatch import SendLimits  # noqa: E402
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot  # noqa: E402
from tests.conftest import add_unit  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

TEACHER = 4343


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(messages: int = 30, wave: int = 0) -> dict[str, Any]:
    """The teacher's waits, in milliseconds."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            None,
            database={"url": f"sqlite+aiosqlite:///{Path(directory) / 'pace.db'}"},
            evidence={"directory": Path(directory) / "evidence"},
        )
        app = await build(settings)
        try:
            code = await add_unit(app)
            for n in range(wave):
                reminder = Reply(f"Nhắc: còn 3 ngày đến hạn báo cáo ({n}).")
                await app.engine.enqueue("telegram", str(9_000_000 + n), reminder, kind="reminder")
            async with FakeTelegram() as fake:
                fake.known_chats_only = False
                bot = make_bot(fake.token, fake.base_url)
                sender = TelegramSender(bot, limit=SendLimits())
                adapter = TelegramAdapter(app.engine, bot, sender=sender)
                await adapter.start()
                poller = asyncio.create_task(adapter.poll(poll_seconds=1))
                waits: list[float] = []
                try:
                    fake.send_text(TEACHER, f"/start {code}")
                    await fake.wait_for(lambda: bool(fake.messages_to(TEACHER)), timeout=60)
                    await asyncio.sleep(1.5)  # her chat's pace back at rest, as in a rush's start
                    for _ in range(messages):
                        before = len(fake.messages_to(TEACHER))
                        started = time.perf_counter()
                        fake.send_text(TEACHER, "/help")
                        await fake.wait_for(
                            lambda b=before: len(fake.messages_to(TEACHER)) > b, timeout=60
                        )
                        waits.append((time.perf_counter() - started) * 1000)
                finally:
                    adapter.stop()
                    await poller
                    await adapter.close()
        finally:
            await app.close()
    return {
        "messages": messages,
        "wave": wave,
        "p50_ms": round(statistics.median(waits), 1),
        "p95_ms": round(_quantile(waits, 0.95), 1),
        "p99_ms": round(_quantile(waits, 0.99), 1),
        "max_ms": round(max(waits), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--wave", type=int, default=0, help="reminders queued to others first")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    for key, value in asyncio.run(run(args.messages, args.wave)).items():
        print(f"{key:>9}: {value}")


if __name__ == "__main__":
    main()
