"""``tuanle calendar simulate``: the real command, on a fast clock, against the fake Telegram.

One simulated day (25/09/2023, the 2023 theme's announcement) at 7,200 times the real pace
takes twelve real seconds: the teacher receives the announcement once, the command prints the
day's counts and ends by itself.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build
from bot.config import load_settings
from tests.e2e.bot_process import write_config
from tests.fakes.telegram import FakeTelegram

TEACHER = 7101


async def test_simulate_sends_the_days_reminders_through_the_platform_and_stops(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg:
        tg.known_chats_only = False  # she joined before: her chat is known to Telegram
        table = f'[telegram]\ntoken = "{tg.token}"\napi_base = "{tg.base_url}"\n[web]\nport = 0'
        config = write_config(tmp_path, table)
        app = await build(load_settings(config))
        try:
            now = datetime.now(UTC)
            async with app.uows() as uow:
                school = await uow.units.add(
                    "THCS-01", "Trường THCS Kim Long", "school", None, now
                )
                await uow.members.bind(
                    "telegram", str(TEACHER), str(TEACHER), "Cô Lan", school, "reporter", now
                )
                await uow.commit()
        finally:
            await app.close()

        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "calendar",
            "simulate",
            "--from",
            "25/09/2023",
            "--to",
            "25/09/2023",
            "--speed",
            "7200",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)

        assert process.returncode == 0, err.decode()
        received = [m.text for m in tg.messages_to(TEACHER)]
        assert len(received) == 1 and "Tuần lễ hưởng ứng học tập suốt đời năm 2023" in received[0]
        printed = out.decode()
        assert "25/09/2023: tổng cộng đã xếp gửi 1" in printed
