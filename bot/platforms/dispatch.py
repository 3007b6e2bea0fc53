"""Processing stored messages and delivering the outbox, for every platform adapter alike.

An adapter stores each incoming message through ``Engine.receive`` and hands its inbox id to the
``Dispatcher``. Messages of one person are processed one after another, in order (two updates of
one user never race on the same conversation), while different people proceed side by side. The
replies are rows of the outbox by then; ``Delivery`` sends them, per chat in order, through the
platform's ``Sender``, marking each sent. A failed send stays queued with backoff and holds back
that chat's later messages only; a 403 marks the person unreachable. A periodic sweep picks up
what is due (after a backoff, after a crash, or queued by another process). Photos sent as one
album are answered once, after the last of them. ``drain`` waits for everything in flight.
"""

from __future__ import annotations

import asyncio
import enum
import math
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog

from bot.domain.chat import ALBUM_ACK, ALBUM_KEEP, ALBUM_ROLE, Reply
from bot.engine import FileFetcher, Outgoing, Processed
from bot.engine.core import Retry
from bot.engine.outbox import DueChat
from bot.platforms.limits import SendLimits

__all__ = [
    "ALBUM_QUIET_SECONDS",
    "SWEEP_SECONDS",
    "Delivery",
    "Dispatcher",
    "Job",
    "SendFailed",
    "SendLimits",
    "SendRejected",
    "Sender",
    "Unreachable",
]

log = structlog.get_logger("tuanle.dispatch")

ALBUM_QUIET_SECONDS = 1.0
# How long an album's acknowledgement waits in the outbox for its release (or its replacement
# by the next photo's): far past the quiet time, since a photo can take a while to inspect; a
# crash releases it at the next start.
ALBUM_HOLD_SECONDS = 30.0
SWEEP_SECONDS = 2.0
# Rows claimed at once for one chat. A claim that brings fewer found the chat's last due row:
# the flush ends there, without a claim that finds nothing, unless something was queued for
# the chat meanwhile (``_ChatLock.queued``).
CLAIM_LIMIT = 20
# Chats sent to at once in the background (sweeps, reminders), for each of the bot's sends a
# second: a worker's turn (claim, send, mark) fits in a third of a second, so a third of the
# rate keeps the budget busy. More only adds transactions queueing for the database ahead of a
# person's message (measured: 32 workers during a wave put 0.8 s on a teacher's p95 reply),
# and holds claimed rows longer (their lease runs) while they wait for the budget.
BACKGROUND_PER_SEND_A_SECOND = 1 / 3
BACKGROUND_AT_LEAST = 4


class Unreachable(Exception):
    """The person blocked the bot (403): nothing more is sent until they write again."""


class SendFailed(Exception):
    """A send that may work later (5xx, a timeout, 429); ``retry_after`` when the API said.

    ``pieces_sent``: how many pieces of a long reply went out before this one failed (counting
    those skipped as sent before), so the next try resumes after them.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, pieces_sent: int = 0
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.pieces_sent = pieces_sent


class SendRejected(Exception):
    """The platform refused this message for good (a bad request): it is not tried again."""


class Sender(Protocol):
    """Sends one reply to one chat on one platform: the one way a message leaves the bot.

    Raises Unreachable, SendFailed or SendRejected; ``Delivery`` decides what follows. A long
    reply goes as several pieces; ``skip_pieces`` leaves out the first ones, which an earlier
    try sent (its SendFailed said how many).
    """

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None: ...


class Outbox(Protocol):
    """The outbox as a sender sees it (``bot.engine.OutboxStore``): due chats, claims, marks."""

    def subscribe(self, listener: Callable[[str, str], None]) -> None: ...

    async def due_chats(self, platform: str) -> list[DueChat]: ...

    async def claim(self, platform: str, chat_id: str, limit: int = 20) -> list[Outgoing]: ...

    def now(self) -> datetime: ...

    async def sent(self, outbox_id: int, at: datetime) -> None: ...

    async def retry(
        self, outbox_id: int, error: str, seconds: float, *, pieces_sent: int = 0
    ) -> None: ...

    async def failed(self, outbox_id: int, error: str) -> None: ...

    async def release(self, ids: Sequence[int]) -> None: ...

    async def release_all(self, platform: str) -> None: ...

    async def skip(self, ids: Sequence[int]) -> None: ...

    async def unreachable(self, platform: str, chat_id: str, user_id: str | None) -> int: ...


@dataclass(slots=True)
class _ChatLock:
    """A chat being sent to: its lock, how many flushes hold or wait for it, and whether a
    message was queued for it since the holder's last claim (it claims once more)."""

    lock: asyncio.Lock
    users: int = 0
    queued: bool = False


class _Outcome(enum.Enum):
    SENT = "sent"
    REJECTED = "rejected"  # marked failed; the chat's next message may go
    HELD = "held"  # kept for a later try, or the chat is unreachable: the chat stops here


class Delivery:
    """Sends a platform's outbox: per chat in order, each row marked once it went out.

    A reply to a message the person just sent is flushed by the dispatcher at once, ahead of
    the bulk (``flush(..., urgent=True)``, which ``hurry`` marks the chat in ``limits``); what
    is queued otherwise (reminders, notices, retries, a sweep's finds) waits in one line of
    chats served by at most ``background`` workers (by default a third of the bot's sends a
    second: 10 on Telegram). A reply row found otherwise (a sweep after a restart, a reply
    queued by another process) is still a reply: its chat goes first in that line, and any
    flush that claims one hurries the chat.
    """

    def __init__(
        self,
        platform: str,
        outbox: Outbox,
        sender: Sender,
        *,
        retry: Retry | None = None,
        sweep_seconds: float = SWEEP_SECONDS,
        exclusive: bool = False,
        limits: SendLimits | None = None,
        background: int | None = None,
    ) -> None:
        self.platform = platform
        self.outbox = outbox
        self.sender = sender
        self._retry = retry or Retry(first=0.5, cap=300.0)
        self._sweep_seconds = sweep_seconds
        # The only process sending (SQLite): claims left by a killed process are released at
        # start instead of waiting for their lease to run out.
        self._exclusive = exclusive
        self._limits = limits  # the sender's pace, told which chats are in a conversation
        if background is None:
            rate = limits.per_second if limits is not None else 30.0
            background = math.ceil(rate * BACKGROUND_PER_SEND_A_SECOND)
        self._background = max(BACKGROUND_AT_LEAST, background)
        # A lock per chat being sent to, with how many flushes hold or wait for it; dropped
        # when none does, so the map holds only the chats being sent to now.
        self._locks: dict[str, _ChatLock] = {}
        self._due: dict[str, None] = {}  # chats waiting for a background worker, in order
        self._due_urgent: dict[str, None] = {}  # of those, chats with a reply: served first
        self._flushing: set[str] = set()  # chats a background worker is sending to
        self._again: set[str] = set()  # of those, chats queued for again meanwhile
        self._workers: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._running = False
        outbox.subscribe(self._queued)

    async def start(self) -> None:
        """Sends what was left unsent before the start, then keeps sweeping."""
        if self._exclusive:
            await self.outbox.release_all(self.platform)
        self._running = True
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def sweep(self) -> int:
        """Starts sending to every chat with a message due; how many chats."""
        chats = await self.outbox.due_chats(self.platform)
        for chat in chats:
            self.kick(chat.chat_id, urgent=chat.urgent)
        return len(chats)

    async def _sweep_forever(self) -> None:
        while self._running:
            await asyncio.sleep(self._sweep_seconds)
            try:
                await self.sweep()
            except Exception as error:  # the database may be away; the next sweep tries again
                log.warning("sweep", platform=self.platform, error=type(error).__name__)

    def _queued(self, platform: str, chat_id: str) -> None:
        if platform != self.platform:
            return
        entry = self._locks.get(chat_id)
        if entry is not None:
            # A flush holds the chat: it claims once more before it ends (or kicks if it
            # stops early), so the message goes now rather than at the next sweep.
            entry.queued = True
        elif self._running:
            self.kick(chat_id)

    def kick(self, chat_id: str, *, urgent: bool = False) -> None:
        """Sends the chat's due messages in the background, after the chats queued before
        (``urgent``: a reply waits there, after the other replies only)."""
        if chat_id in self._flushing:
            self._again.add(chat_id)
            return
        if urgent:
            self._due.pop(chat_id, None)
            self._due_urgent[chat_id] = None
        elif chat_id not in self._due_urgent:
            self._due[chat_id] = None
        # A worker that just ended leaves the set only when its done callback runs.
        if sum(1 for worker in self._workers if not worker.done()) < self._background:
            worker = asyncio.create_task(self._work())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        """A background worker: flushes the queued chats one after another until none is left."""
        while self._due_urgent or self._due:
            line = self._due_urgent or self._due
            chat_id = next(iter(line))
            del line[chat_id]
            self._flushing.add(chat_id)
            try:
                await self.flush(chat_id)
            except Exception as error:  # the database away: the sweep comes back to it
                log.warning("deliver", chat=chat_id, outcome="error", error=type(error).__name__)
            finally:
                self._flushing.discard(chat_id)
            if chat_id in self._again:
                self._again.discard(chat_id)
                self._due[chat_id] = None

    async def flush(self, chat_id: str, *, urgent: bool = False) -> list[Reply]:
        """Sends the chat's due messages in order until one fails; the replies that went out.

        ``urgent``: the replies to a message the person just sent: ahead of the bulk, and the
        chat's sends already waiting (a reminder before the replies) moved ahead with them.
        """
        pace = self._limits
        hurried = False
        if urgent and pace is not None:
            pace.hurry(chat_id)
            hurried = True
        entry = self._locks.get(chat_id)
        if entry is None:
            entry = self._locks[chat_id] = _ChatLock(asyncio.Lock())
        entry.users += 1
        delivered: list[Reply] = []
        try:
            async with entry.lock:
                while True:
                    entry.queued = False
                    batch = await self.outbox.claim(self.platform, chat_id, CLAIM_LIMIT)
                    if not batch:
                        break
                    if not hurried and pace is not None and any(m.urgent for m in batch):
                        pace.hurry(chat_id)  # a reply found by a sweep is still a reply
                        hurried = True
                    for index, message in enumerate(batch):
                        outcome = await self._send(message)
                        if outcome is _Outcome.SENT:
                            delivered.append(message.reply)
                        elif outcome is _Outcome.HELD:
                            await self.outbox.release([m.id for m in batch[index + 1 :]])
                            return delivered
                    # Fewer than asked: that was the chat's last due row, unless one was
                    # queued while these were sent (checked with no await before the lock
                    # is let go; a message queued after that finds no flush and is kicked).
                    if len(batch) < CLAIM_LIMIT and not entry.queued:
                        break
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[chat_id]
                if entry.queued and self._running:
                    self.kick(chat_id)  # stopped early (held, an error): not left to the sweep
            if hurried and pace is not None:
                pace.calm(chat_id)
        return delivered

    @property
    def chats_tracked(self) -> int:
        """Chats this delivery keeps state for now (being sent to, or queued)."""
        due = self._due.keys() | self._due_urgent.keys()
        return len(self._locks.keys() | due | self._flushing)

    async def _send(self, message: Outgoing) -> _Outcome:
        """One message: sent, refused for good (the next may go), or held (the chat waits)."""
        try:
            await self.sender.send(message.chat_id, message.reply, skip_pieces=message.pieces_sent)
            sent_at = self.outbox.now()
        except Unreachable:
            skipped = await self.outbox.unreachable(
                self.platform, message.chat_id, message.user_id
            )
            log.warning(
                "send",
                platform=self.platform,
                chat=message.chat_id,
                outcome="blocked",
                skipped=skipped,
            )
            return _Outcome.HELD
        except SendRejected as error:
            await self.outbox.failed(message.id, f"{type(error).__name__}: {error}")
            log.error("send", platform=self.platform, outbox=message.id, outcome="rejected")
            return _Outcome.REJECTED
        except Exception as error:  # SendFailed, or anything unforeseen: keep it, try later
            wait = self._retry.delay(message.attempts)
            retry_after = getattr(error, "retry_after", None)
            if isinstance(retry_after, int | float) and retry_after > 0:
                wait = max(wait, float(retry_after))  # the sender paused its limits as well
            # The pieces of a long reply that went out are not sent again on the next try.
            pieces_sent = message.pieces_sent
            if isinstance(error, SendFailed):
                pieces_sent = max(pieces_sent, error.pieces_sent)
            await self.outbox.retry(
                message.id, f"{type(error).__name__}: {error}", wait, pieces_sent=pieces_sent
            )
            log.warning(
                "send",
                platform=self.platform,
                outbox=message.id,
                outcome="retry",
                attempts=message.attempts + 1,
                wait=round(wait, 2),
            )
            self._later(wait, message.chat_id)
            return _Outcome.HELD
        await self.outbox.sent(message.id, sent_at)
        return _Outcome.SENT

    def _later(self, seconds: float, chat_id: str) -> None:
        if not self._running:
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            if handle is not None:
                self._timers.discard(handle)
            if self._running:
                self.kick(chat_id)

        handle = loop.call_later(seconds + 0.01, fire)
        self._timers.add(handle)

    @property
    def idle(self) -> bool:
        """True when no chat is being sent to in the background, nor waits to be."""
        return not self._due and not self._due_urgent and all(w.done() for w in self._workers)

    async def drain(self) -> None:
        """Waits for the sends in flight."""
        while workers := [w for w in self._workers if not w.done()]:
            await asyncio.gather(*workers, return_exceptions=True)

    async def close(self) -> None:
        """Stops sweeping and retrying, after the sends in flight."""
        self._running = False
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await self._sweeper
        await self.drain()


@dataclass
class _Album:
    """An album's replies held until it is quiet: (outbox id, role) in order, and the timer."""

    held: list[tuple[int, str]]
    timer: asyncio.TimerHandle


def _roles(processed: Processed) -> list[tuple[int, str]]:
    """Each outbox row of one photo's replies with its album role ("" for a plain reply)."""
    if len(processed.replies) != len(processed.outbox_ids):  # not one row a reply: all plain
        return [(outbox_id, "") for outbox_id in processed.outbox_ids]
    return [
        (outbox_id, reply.meta.get(ALBUM_ROLE, ""))
        for reply, outbox_id in zip(processed.replies, processed.outbox_ids, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class Job:
    inbox_id: int
    user_id: str
    chat_id: str
    album: str | None = None


class Processor(Protocol):
    """What the dispatcher needs of the engine: process a stored message, list those left."""

    async def run(
        self, inbox_id: int, fetcher: FileFetcher, *, hold: float = 0.0
    ) -> Processed: ...

    async def pending_jobs(self, platform: str) -> list[tuple[int, str, str]]: ...


class Dispatcher:
    """Per-person ordered processing of stored messages; their replies delivered at once.

    A person's queue and worker exist while they have messages in hand, and go with the last.
    """

    def __init__(
        self,
        engine: Processor,
        fetcher: FileFetcher,
        delivery: Delivery,
        *,
        album_quiet: float = ALBUM_QUIET_SECONDS,
        after: Callable[[Job], Awaitable[None]] | None = None,
    ) -> None:
        self._engine = engine
        self._fetcher = fetcher
        self.delivery = delivery
        self._album_quiet = album_quiet
        self._after = after
        self._queues: dict[str, deque[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._albums: dict[tuple[str, str], _Album] = {}
        # Photos of each album taken in and not processed yet, by (chat, album).
        self._album_unprocessed: Counter[tuple[str, str]] = Counter()
        self._album_sends: set[asyncio.Task[list[Reply]]] = set()

    def submit(self, job: Job) -> None:
        """Queues a stored message behind the same person's earlier ones."""
        queue = self._queues.get(job.user_id)
        if queue is None:
            queue = self._queues[job.user_id] = deque()
        queue.append(job)
        if job.album is not None:
            self._album_unprocessed[(job.chat_id, job.album)] += 1
        if job.user_id not in self._workers:
            self._workers[job.user_id] = asyncio.create_task(self._work(job.user_id, queue))

    async def _work(self, user_id: str, queue: deque[Job]) -> None:
        try:
            while queue:
                await self._one(queue.popleft())
        finally:
            # Nothing awaits between the last check and here: a job submitted later finds
            # no worker and starts one.
            del self._queues[user_id]
            del self._workers[user_id]

    async def _one(self, job: Job) -> None:
        """Processes one stored message and sends its replies (an album's when it is quiet)."""
        try:
            hold = max(self._album_quiet * 3, ALBUM_HOLD_SECONDS) if job.album else 0.0
            processed = await self._engine.run(job.inbox_id, self._fetcher, hold=hold)
            if job.album is None:
                await self.delivery.flush(job.chat_id, urgent=True)
            else:
                await self._hold_album((job.chat_id, job.album), _roles(processed))
            if self._after is not None:
                await self._after(job)
        except Exception:  # one failure must not stop this person's queue
            log.exception("dispatch", inbox=job.inbox_id, outcome="error")
        finally:
            if job.album is not None:
                key = (job.chat_id, job.album)
                self._album_unprocessed[key] -= 1
                if self._album_unprocessed[key] <= 0 and key not in self._albums:
                    del self._album_unprocessed[key]

    async def _hold_album(self, key: tuple[str, str], rows: list[tuple[int, str]]) -> None:
        """Holds a photo's replies until the album is quiet; earlier ones it makes pointless go.

        A photo's replies replace the earlier photos' plain replies (the question asked again)
        and, when it brings an acknowledgement, the earlier acknowledgements ("2/3" gives way to
        "3/3"); an explanation about one photo (refused, or sent before) is always sent.
        """
        held: list[tuple[int, str]] = []
        earlier = self._albums.pop(key, None)
        if earlier is not None:
            earlier.timer.cancel()
            acked = any(role == ALBUM_ACK for _id, role in rows)
            skipped: list[int] = []
            for outbox_id, role in earlier.held:
                if role == ALBUM_KEEP or (role == ALBUM_ACK and not acked):
                    held.append((outbox_id, role))
                else:
                    skipped.append(outbox_id)
            await self.delivery.outbox.skip(skipped)
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self._album_quiet, self._flush_album, key)
        self._albums[key] = _Album([*held, *rows], timer)

    def _flush_album(self, key: tuple[str, str], *, force: bool = False) -> None:
        if self._album_unprocessed[key] > 0 and not force:
            # A photo of the album is still being inspected (slow on a busy machine): the album
            # is not quiet yet, whatever the clock says.
            loop = asyncio.get_running_loop()
            self._albums[key].timer = loop.call_later(self._album_quiet, self._flush_album, key)
            return
        album = self._albums.pop(key)
        self._album_unprocessed.pop(key, None)
        ids = [outbox_id for outbox_id, _role in album.held]
        task = asyncio.create_task(self._release_album(key[0], ids))
        self._album_sends.add(task)
        task.add_done_callback(self._album_sends.discard)

    async def _release_album(self, chat_id: str, ids: list[int]) -> list[Reply]:
        await self.delivery.outbox.release(ids)
        return await self.delivery.flush(chat_id, urgent=True)

    @property
    def people(self) -> int:
        """People with messages in hand (queued or being processed)."""
        return len(self._workers)

    @property
    def idle(self) -> bool:
        """True when nothing is queued, processing, or waiting to be sent."""
        busy = bool(self._workers)
        return not busy and not self._albums and not self._album_sends and self.delivery.idle

    async def drain(self) -> None:
        """Waits until every queued message is processed and every reply sent."""
        while True:
            workers = [w for w in self._workers.values() if not w.done()]
            if workers:
                await asyncio.gather(*workers, return_exceptions=True)
                continue
            if self._albums:
                for key in list(self._albums):
                    self._albums[key].timer.cancel()
                    self._flush_album(key, force=True)
                continue
            if self._album_sends:
                await asyncio.gather(*self._album_sends, return_exceptions=True)
                continue
            await self.delivery.drain()
            return

    async def recover(self, platform: str) -> int:
        """Queues the messages stored before a stop and not processed yet; how many."""
        pending = await self._engine.pending_jobs(platform)
        for inbox_id, user_id, chat_id in pending:
            self.submit(Job(inbox_id, user_id, chat_id))
        return len(pending)
