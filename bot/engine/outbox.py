"""The outbox seen from the senders: which chats have messages due, claiming them, and marks.

Every message the bot sends is first a row of the ``outbox`` table, written in the transaction
that decided it (``Engine``). A sender (``bot/platforms/dispatch.py``'s ``Delivery``) claims a
chat's oldest due rows, sends them in order and marks each sent in one short transaction. A
claim holds the rows for ``lease_seconds`` (their ``next_attempt_at`` moves on), so a worker
that dies mid-send leaves them due again later: delivery is at least once, and a crash between
the platform's OK and our mark can repeat that one message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot.domain.chat import Reply
from bot.engine.clock import Clock, SystemClock
from storage.repositories import PIECES_SENT
from storage.uow import UnitOfWorkFactory

log = structlog.get_logger("tuanle.outbox")

Redact = Callable[[str], str]
# The kind of an outbox row answering a person's message (``Engine``); every other kind
# (reminder, notice, job, broadcast) is bulk.
REPLY = "reply"
Listener = Callable[[str, str], None]


def keep(text: str) -> str:
    """The identity redactor: used when no secret is configured."""
    return text


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One claimed message: its row id, where it goes, what it says, how often it failed."""

    id: int
    platform: str
    chat_id: str
    user_id: str | None
    reply: Reply
    attempts: int
    pieces_sent: int = 0  # pieces of a long reply an earlier, failed try sent
    kind: str = REPLY  # the row's kind: "reply" (to a person's message), "reminder", "notice"…

    @property
    def urgent(self) -> bool:
        """A reply to a message the person sent: it goes ahead of the bulk, whoever sends it
        (the dispatcher at once, or a sweep after a restart or for another process)."""
        return self.kind == REPLY


@dataclass(frozen=True, slots=True)
class DueChat:
    """A chat with a message due, and the kind of its oldest pending row."""

    chat_id: str
    kind: str

    @property
    def urgent(self) -> bool:
        return self.kind == REPLY


def _pieces_sent(payload: dict[str, Any]) -> int:
    """The pieces an earlier try sent, from the row's payload (0 when none or malformed)."""
    value = payload.get(PIECES_SENT, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class OutboxStore:
    """The transactions a sender needs around the outbox table."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        clock: Clock,
        *,
        redact: Redact = keep,
        lease_seconds: float = 60.0,
        slots: asyncio.Semaphore | None = None,
    ) -> None:
        self._uows = uows
        self._clock = clock  # stamps (sent_at), comparable with the inbox's received_at
        # Scheduling (due, held, backoff) follows the real time even when a test fixes the
        # business clock, or a held or retried message would never come due.
        self._timer = SystemClock()
        self._slots = slots or asyncio.Semaphore(4)
        # Marks "sent" wait in their own short line, not behind the claims of every chat a wave
        # kicked: a message the platform took and we have not marked is sent again after a
        # crash, so that window is kept to the sends in flight (tests/e2e/test_calendar_done_when).
        self._marks = asyncio.Semaphore(2)
        self._redact = redact
        self._lease = timedelta(seconds=lease_seconds)
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Calls ``listener(platform, chat_id)`` whenever a message is queued in this process."""
        self._listeners.append(listener)

    def queued(self, platform: str, chat_id: str) -> None:
        """Tells the senders that a chat has a new message (they also sweep, so this is a hint)."""
        for listener in self._listeners:
            listener(platform, chat_id)

    def due_after(self, seconds: float = 0.0) -> datetime:
        """When a message queued now with a hold of ``seconds`` becomes due."""
        return self._timer.now() + timedelta(seconds=seconds)

    async def due_chats(self, platform: str) -> list[DueChat]:
        """Chats with a message due now, the longest waiting first, each with its head's kind."""
        async with self._slots, self._uows(read_only=True) as uow:
            heads = await uow.outbox.due_heads(platform, self._timer.now())
        return [DueChat(chat_id, kind) for chat_id, kind in heads]

    async def claim(self, platform: str, chat_id: str, limit: int = 20) -> list[Outgoing]:
        """The chat's oldest due messages, held for this sender; none if it blocked the bot."""
        now = self._timer.now()
        async with self._slots, self._uows() as uow:
            rows = await uow.outbox.claim(platform, chat_id, now, now + self._lease, limit)
            if not rows:
                return []
            if await uow.members.unreachable(platform, rows[0].user_id, chat_id):
                skipped = await uow.outbox.skip_chat(platform, chat_id, "unreachable")
                await uow.commit()
                log.info("outbox", platform=platform, chat=chat_id, skipped=skipped)
                return []
            await uow.commit()
        return [
            Outgoing(
                row.id,
                platform,
                row.chat_id,
                row.user_id,
                Reply.from_payload({**row.payload, "version": row.version}),
                row.attempts,
                _pieces_sent(row.payload),
                row.kind,
            )
            for row in rows
        ]

    def now(self) -> datetime:
        """The time to stamp a send with, on the clock of the inbox's ``received_at``."""
        return self._clock.now()

    async def sent(self, outbox_id: int, at: datetime) -> None:
        """Marks one message sent at ``at``: when the platform took it, not when it was noted.

        A message the person sends after seeing this one is stored after ``at``; noting the
        send later (a busy database) must not make it look as if it came before.
        """
        async with self._marks, self._uows() as uow:
            await uow.outbox.mark_sent(outbox_id, at)
            await uow.commit()

    async def retry(
        self, outbox_id: int, error: str, seconds: float, *, pieces_sent: int = 0
    ) -> None:
        """Keeps a message whose send failed for another try in ``seconds``.

        ``pieces_sent``: the pieces of a long reply that went out; the next try skips them.
        """
        async with self._slots, self._uows() as uow:
            at = self._timer.now() + timedelta(seconds=seconds)
            await uow.outbox.retry_later(
                outbox_id, self._redact(error), at, pieces_sent=pieces_sent
            )
            await uow.commit()

    async def failed(self, outbox_id: int, error: str) -> None:
        """Gives up on a message the platform refused for good."""
        async with self._slots, self._uows() as uow:
            await uow.outbox.mark_failed(outbox_id, self._redact(error))
            await uow.commit()

    async def release(self, ids: Sequence[int]) -> None:
        """Makes claimed messages due again at once (a sender stopping before it sent them)."""
        if not ids:
            return
        async with self._slots, self._uows() as uow:
            await uow.outbox.due_now(ids, self._timer.now())
            await uow.commit()

    async def release_all(self, platform: str) -> None:
        """Makes every pending message due now: for the only process sending, at its start."""
        async with self._slots, self._uows() as uow:
            await uow.outbox.release(platform, self._timer.now())
            await uow.commit()

    async def skip(self, ids: Sequence[int]) -> None:
        """Drops pending messages a later one made pointless (an album's earlier acks)."""
        async with self._slots, self._uows() as uow:
            await uow.outbox.skip(ids)
            await uow.commit()

    async def unreachable(self, platform: str, chat_id: str, user_id: str | None) -> int:
        """The person blocked the bot: marks them, notes it, and drops what waits for them."""
        now = self._clock.now()
        async with self._slots, self._uows() as uow:
            await uow.members.set_unreachable(platform, user_id, chat_id, now)
            uow.audit.record(
                f"{platform}:{user_id or chat_id}",
                "member.unreachable",
                {"chat": chat_id},
                now,
            )
            skipped = await uow.outbox.skip_chat(platform, chat_id, "unreachable")
            await uow.commit()
        return skipped
