"""A reply is a reply wherever it is found: a reply row picked up by a sweep (after a restart,
or queued by another process) goes ahead of the reminders waiting in the background line, and
its chat is served first by the background workers."""

from __future__ import annotations

import uuid

from bot.app import App
from bot.domain.chat import Incoming, Reply
from bot.platforms.dispatch import Delivery
from bot.platforms.limits import SendLimits
from bot.platforms.memory import MemoryChat

REMINDER = "Nhắc thầy/cô: hạn nộp báo cáo là hôm nay."


class Recorder:
    """The memory platform's sending side, paced by the limits, noting which chat got what."""

    def __init__(self, limits: SendLimits) -> None:
        self.limits = limits
        self.received: list[tuple[str, str]] = []

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        await self.limits.wait(chat_id)
        self.received.append((chat_id, reply.text))


async def test_a_reply_left_unsent_goes_ahead_of_the_reminders_found_with_it(
    app: App, chat: MemoryChat
) -> None:
    for number in range(12):  # a reminder wave queued before the teacher wrote
        await app.engine.enqueue(
            chat.platform, f"other-{number}", Reply(REMINDER), kind="reminder"
        )
    incoming = Incoming(
        platform=chat.platform,
        message_id=uuid.uuid4().hex,
        chat_id=chat.chat_id,
        user_id=chat.user_id,
        text="3/10",
    )
    await app.engine.handle(incoming, chat.files)  # processed, then the process stopped

    limits = SendLimits(per_second=1000, chat_rate=None)
    sender = Recorder(limits)
    delivery = Delivery(chat.platform, app.engine.outbox, sender, limits=limits, background=4)
    await delivery.start()  # a restart: its first sweep finds the reply among the reminders
    try:
        await delivery.drain()
    finally:
        await delivery.close()

    chats = [chat_id for chat_id, _text in sender.received]
    assert sorted(chats) == sorted([chat.chat_id, *(f"other-{n}" for n in range(12))])
    # Served first among the four background workers' first round, not after twelve reminders.
    assert chats.index(chat.chat_id) < 4, chats
