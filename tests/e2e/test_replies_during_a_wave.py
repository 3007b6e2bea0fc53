"""A teacher who writes while a reminder wave is going out is answered at once, not after it.

The real Telegram adapter sends through Telegram's own limits (30 a second for the bot; a chat a
burst of 3, then 1 a second) a wave of reminders to 300 chats, which takes about ten seconds.
A teacher whose own reminder is the last of the wave writes while it is under way: her reminder
and the reply to her message go ahead of the wave, in her chat's order, and the wave still
reaches every other chat once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.domain.chat import Reply
from bot.platforms.dispatch import SendLimits
from tests.e2e.adapters import polling_telegram
from tests.fakes.telegram import FakeTelegram

TEACHER = 6161
MEMBERS = [9_000_000 + n for n in range(299)]
WAVE = len(MEMBERS) + 1  # the teacher's reminder is the last


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.known_chats_only = False  # the members wrote to the bot when they joined
        yield fake


def _reminders(tg: FakeTelegram) -> int:
    return sum(1 for m in tg.sent if m.text.startswith("Nhắc: "))


async def test_a_teacher_writing_during_a_reminder_wave_is_answered_ahead_of_it(
    app: App, tg: FakeTelegram
) -> None:
    for chat in [*MEMBERS, TEACHER]:  # queued while the bot was not sending yet
        reminder = Reply(f"Nhắc: còn 3 ngày đến hạn báo cáo ({chat}).")
        await app.engine.enqueue("telegram", str(chat), reminder, kind="reminder")
    async with polling_telegram(app, tg, SendLimits()):  # Telegram's published limits
        await _write_during_the_wave(tg)


async def _write_during_the_wave(tg: FakeTelegram) -> None:
    await tg.wait_for(lambda: _reminders(tg) >= 30, timeout=30)  # the wave is under way

    tg.send_text(TEACHER, "xin chào")
    await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) >= 2, timeout=30)
    answered_with = _reminders(tg)

    # Her reminder came first (her chat's order), then the answer; the wave had a third or
    # more of its sends still to go (at 30 a second: more than three seconds).
    to_her = [m.text for m in tg.messages_to(TEACHER)]
    assert to_her[0].startswith("Nhắc: ") and not to_her[1].startswith("Nhắc: ")
    assert answered_with <= WAVE - 100

    await tg.wait_for(lambda: _reminders(tg) >= WAVE, timeout=60)
    await asyncio.sleep(0.5)
    per_chat = [
        sum(1 for m in tg.messages_to(chat) if m.text.startswith("Nhắc: ")) for chat in MEMBERS
    ]
    assert per_chat == [1] * len(MEMBERS)
