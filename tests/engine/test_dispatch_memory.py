"""The dispatcher and the delivery forget a person once everything for them is done.

Twenty thousand people each write once and get their reply; afterwards the dispatcher holds no
queue or worker for any of them, the delivery no lock, and the sending pace only the chats not
back at rest yet. A hand-written engine and outbox (the two ports the dispatcher and the
delivery consume) keep the test to the bookkeeping, not the database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.domain.chat import Reply
from bot.engine import FileFetcher, Outgoing, Processed
from bot.engine.core import Retry
from bot.engine.outbox import DueChat
from bot.platforms.dispatch import Delivery, Dispatcher, Job
from bot.platforms.limits import PRUNE_AT, SendLimits
from bot.platforms.memory import MemoryFiles, MemorySender

PEOPLE = 20_000


class ListOutbox:
    """The outbox in a list: rows by id, each pending until marked."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, Reply]] = {}
        self.pending: set[int] = set()
        self._ids = itertools.count(1)

    def add(self, chat_id: str, reply: Reply) -> int:
        row = next(self._ids)
        self.rows[row] = (chat_id, reply)
        self.pending.add(row)
        return row

    def subscribe(self, listener: Callable[[str, str], None]) -> None:
        pass

    async def due_chats(self, platform: str) -> list[DueChat]:
        return [DueChat(chat, "reply") for chat in sorted({self.rows[r][0] for r in self.pending})]

    async def claim(self, platform: str, chat_id: str, limit: int = 20) -> list[Outgoing]:
        mine = sorted(row for row in self.pending if self.rows[row][0] == chat_id)[:limit]
        return [Outgoing(row, platform, chat_id, chat_id, self.rows[row][1], 0) for row in mine]

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sent(self, outbox_id: int, at: datetime) -> None:
        self.pending.discard(outbox_id)

    async def retry(
        self, outbox_id: int, error: str, seconds: float, *, pieces_sent: int = 0
    ) -> None:
        raise AssertionError(f"no send fails here: {error}")

    async def failed(self, outbox_id: int, error: str) -> None:
        raise AssertionError(f"no send is refused here: {error}")

    async def release(self, ids: Sequence[int]) -> None:
        pass

    async def release_all(self, platform: str) -> None:
        pass

    async def skip(self, ids: Sequence[int]) -> None:
        self.pending.difference_update(ids)

    async def unreachable(self, platform: str, chat_id: str, user_id: str | None) -> int:
        return 0


class EchoEngine:
    """Processes a stored message by queuing one reply to its chat, as the engine would."""

    def __init__(self, outbox: ListOutbox, chats: dict[int, str]) -> None:
        self._outbox = outbox
        self._chats = chats

    async def run(self, inbox_id: int, fetcher: FileFetcher, *, hold: float = 0.0) -> Processed:
        reply = Reply(f"Đã nhận tin {inbox_id}")
        return Processed([reply], [self._outbox.add(self._chats[inbox_id], reply)])

    async def pending_jobs(self, platform: str) -> list[tuple[int, str, str]]:
        return []


async def test_twenty_thousand_people_answered_leave_no_queue_lock_or_worker_behind() -> None:
    outbox = ListOutbox()
    chats = {n: f"chat-{n}" for n in range(PEOPLE)}
    sender = MemorySender()
    limits = SendLimits(1_000_000, chat_rate=None)  # the pace is not what is measured here
    delivery = Delivery("memory", outbox, sender, limits=limits, retry=Retry(first=0.01))
    dispatcher = Dispatcher(EchoEngine(outbox, chats), MemoryFiles(), delivery)

    for n in range(PEOPLE):
        dispatcher.submit(Job(n, f"person-{n}", chats[n]))
    assert dispatcher.people == PEOPLE
    await dispatcher.drain()

    assert len(sender.received) == PEOPLE
    assert {chat for chat, _reply in sender.received} == set(chats.values())
    assert not outbox.pending
    assert dispatcher.idle
    assert dispatcher.people == 0
    assert delivery.chats_tracked == 0
    assert limits.chats <= 2 * PRUNE_AT  # never one entry per person ever sent to
