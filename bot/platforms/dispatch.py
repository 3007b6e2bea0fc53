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
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from bot.domain.chat import ALBUM_ACK, ALBUM_KEEP, ALBUM_ROLE, Reply
from bot.engine import Engine, FileFetcher, OutboxStore, Outgoing, Processed
from bot.engine.core import Retry

log = structlog.get_logger("tuanle.dispatch")

ALBUM_QUIET_SECONDS = 1.0
# How long an album's acknowledgement waits in the outbox for its release (or its replacement
# by the next photo's): far past the quiet time, since a photo can take a while to inspect; a
# crash releases it at the next start.
ALBUM_HOLD_SECONDS = 30.0
SWEEP_SECONDS = 2.0


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


@dataclass
class _Bucket:
    """A token bucket: ``burst`` sends at once, then ``rate`` a second; can be paused."""

    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)
    paused_until: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if now < self.paused_until:
            return self.paused_until - now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    @property
    def idle(self) -> bool:
        return self.tokens >= self.burst and self.paused_until <= time.monotonic()


async def _turn(bucket: _Bucket) -> None:
    """Waits until the bucket has a token (a timed wait: nothing else could signal it)."""
    delay = bucket.wait_time(time.monotonic())
    while delay > 0:
        await asyncio.sleep(delay)
        delay = bucket.wait_time(time.monotonic())


class SendLimits:
    """Per-bot and per-chat token buckets; a chat waiting for its turn never holds the bot's.

    The defaults are Telegram's (its FAQ: about 30 a second per bot; a chat may get a short
    burst, then about one a second). ``chat_rate=None`` puts no limit on a chat.
    """

    def __init__(
        self,
        per_second: float = 30.0,
        *,
        chat_burst: float = 3.0,
        chat_rate: float | None = 1.0,
    ) -> None:
        self._bot = _Bucket(per_second, max(1.0, per_second))
        self._chat_burst = chat_burst
        self._chat_rate = chat_rate
        self._chats: dict[str, _Bucket] = {}

    def _chat(self, chat_id: str) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats back at a full bucket
                self._chats = {k: b for k, b in self._chats.items() if not b.idle}
            rate = self._chat_rate if self._chat_rate is not None else 1e9
            bucket = self._chats[chat_id] = _Bucket(rate, self._chat_burst)
        return bucket

    async def wait(self, chat_id: str | None) -> None:
        """Waits for this chat's turn, then the bot's; ``None`` for requests to no chat."""
        if chat_id is not None:
            await _turn(self._chat(chat_id))
        await _turn(self._bot)
        self._bot.tokens -= 1
        if chat_id is not None:
            self._chat(chat_id).tokens -= 1

    def pause(self, chat_id: str | None, seconds: float) -> None:
        """Nothing to this chat (or, with ``None``, from the bot) for ``seconds``: a 429."""
        bucket = self._bot if chat_id is None else self._chat(chat_id)
        bucket.paused_until = max(bucket.paused_until, time.monotonic() + seconds)


class _Outcome(enum.Enum):
    SENT = "sent"
    REJECTED = "rejected"  # marked failed; the chat's next message may go
    HELD = "held"  # kept for a later try, or the chat is unreachable: the chat stops here


class Delivery:
    """Sends a platform's outbox: per chat in order, each row marked once it went out."""

    def __init__(
        self,
        platform: str,
        outbox: OutboxStore,
        sender: Sender,
        *,
        retry: Retry | None = None,
        sweep_seconds: float = SWEEP_SECONDS,
        exclusive: bool = False,
    ) -> None:
        self.platform = platform
        self.outbox = outbox
        self.sender = sender
        self._retry = retry or Retry(first=0.5, cap=300.0)
        self._sweep_seconds = sweep_seconds
        # The only process sending (SQLite): claims left by a killed process are released at
        # start instead of waiting for their lease to run out.
        self._exclusive = exclusive
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
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
        for chat_id in chats:
            self.kick(chat_id)
        return len(chats)

    async def _sweep_forever(self) -> None:
        while self._running:
            await asyncio.sleep(self._sweep_seconds)
            try:
                await self.sweep()
            except Exception as error:  # the database may be away; the next sweep tries again
                log.warning("sweep", platform=self.platform, error=type(error).__name__)

    def _queued(self, platform: str, chat_id: str) -> None:
        if platform == self.platform and self._running:
            self.kick(chat_id)

    def kick(self, chat_id: str) -> None:
        """Sends the chat's due messages in the background."""
        task = self._tasks.get(chat_id)
        if task is not None and not task.done():
            self._again.add(chat_id)
            return
        self._tasks[chat_id] = asyncio.create_task(self._flush_in_background(chat_id))

    async def _flush_in_background(self, chat_id: str) -> None:
        while True:
            self._again.discard(chat_id)
            try:
                await self.flush(chat_id)
            except Exception as error:  # the database away: the sweep comes back to it
                log.warning("deliver", chat=chat_id, outcome="error", error=type(error).__name__)
            if chat_id not in self._again:
                self._tasks.pop(chat_id, None)
                return

    async def flush(self, chat_id: str) -> list[Reply]:
        """Sends the chat's due messages in order until one fails; the replies that went out."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        delivered: list[Reply] = []
        async with lock:
            while True:
                batch = await self.outbox.claim(self.platform, chat_id)
                if not batch:
                    break
                for index, message in enumerate(batch):
                    outcome = await self._send(message)
                    if outcome is _Outcome.SENT:
                        delivered.append(message.reply)
                    elif outcome is _Outcome.HELD:
                        await self.outbox.release([m.id for m in batch[index + 1 :]])
                        return delivered
        return delivered

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
        """True when no chat is being sent to right now."""
        return all(task.done() for task in self._tasks.values())

    async def drain(self) -> None:
        """Waits for the sends in flight."""
        while tasks := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

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


class Dispatcher:
    """Per-person ordered processing of stored messages; their replies delivered at once."""

    def __init__(
        self,
        engine: Engine,
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
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._albums: dict[tuple[str, str], _Album] = {}
        # Photos of each album taken in and not processed yet, by (chat, album).
        self._album_unprocessed: Counter[tuple[str, str]] = Counter()
        self._album_sends: set[asyncio.Task[list[Reply]]] = set()

    def submit(self, job: Job) -> None:
        """Queues a stored message behind the same person's earlier ones."""
        queue = self._queues.get(job.user_id)
        if queue is None:
            queue = self._queues[job.user_id] = asyncio.Queue()
        queue.put_nowait(job)
        if job.album is not None:
            self._album_unprocessed[(job.chat_id, job.album)] += 1
        worker = self._workers.get(job.user_id)
        if worker is None or worker.done():
            self._workers[job.user_id] = asyncio.create_task(self._work(job.user_id))

    async def _work(self, user_id: str) -> None:
        queue = self._queues[user_id]
        while not queue.empty():
            job = queue.get_nowait()
            try:
                hold = max(self._album_quiet * 3, ALBUM_HOLD_SECONDS) if job.album else 0.0
                processed = await self._engine.run(job.inbox_id, self._fetcher, hold=hold)
                if job.album is None:
                    await self.delivery.flush(job.chat_id)
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
                queue.task_done()

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
        return await self.delivery.flush(chat_id)

    @property
    def idle(self) -> bool:
        """True when nothing is queued, processing, or waiting to be sent."""
        busy = any(not w.done() for w in self._workers.values())
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
