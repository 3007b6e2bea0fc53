"""Processing stored messages and sending the replies, for every platform adapter alike.

An adapter stores each incoming message through ``Engine.receive`` and then hands its inbox id
here. Messages of one person are processed one after another, in order (two updates of one
user never race on the same conversation), while different people proceed side by side. Photos
sent as one album are answered once, after the last of them. ``drain`` waits for everything in
flight, for a graceful stop.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import structlog

from bot.domain.chat import Reply
from bot.engine import Engine, FileFetcher

log = structlog.get_logger("tuanle.dispatch")

ALBUM_QUIET_SECONDS = 1.0


class Sender(Protocol):
    """Sends one reply to one chat on one platform: the one way a message leaves the bot."""

    async def send(self, chat_id: str, reply: Reply) -> None: ...


class RateLimit:
    """At most ``per_second`` requests overall and one per ``per_chat_interval`` to a chat.

    The defaults are Telegram's (its FAQ: about 30 a second, 1 a second per chat).
    """

    def __init__(self, per_second: float = 30.0, per_chat_interval: float = 1.0) -> None:
        self._interval = 1.0 / per_second
        self._chat_interval = per_chat_interval
        self._next_global = 0.0
        self._next_chat: dict[str, float] = defaultdict(float)
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: str | None) -> None:
        """Waits for this chat's turn; ``None`` for requests that send nothing to a chat."""
        async with self._lock:
            now = time.monotonic()
            chat_next = self._next_chat[chat_id] if chat_id is not None else 0.0
            start = max(now, self._next_global, chat_next)
            self._next_global = start + self._interval
            if chat_id is not None:
                self._next_chat[chat_id] = start + self._chat_interval
        delay = start - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass(frozen=True, slots=True)
class Job:
    inbox_id: int
    user_id: str
    chat_id: str
    album: str | None = None


class Dispatcher:
    """Per-person ordered processing of stored messages, with their replies sent."""

    def __init__(
        self,
        engine: Engine,
        fetcher: FileFetcher,
        sender: Sender,
        *,
        album_quiet: float = ALBUM_QUIET_SECONDS,
        after: Callable[[Job], Awaitable[None]] | None = None,
    ) -> None:
        self._engine = engine
        self._fetcher = fetcher
        self._sender = sender
        self._album_quiet = album_quiet
        self._after = after
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._albums: dict[tuple[str, str], tuple[list[Reply], asyncio.TimerHandle]] = {}
        self._album_sends: set[asyncio.Task[None]] = set()

    def submit(self, job: Job) -> None:
        """Queues a stored message behind the same person's earlier ones."""
        queue = self._queues.get(job.user_id)
        if queue is None:
            queue = self._queues[job.user_id] = asyncio.Queue()
        queue.put_nowait(job)
        worker = self._workers.get(job.user_id)
        if worker is None or worker.done():
            self._workers[job.user_id] = asyncio.create_task(self._work(job.user_id))

    async def _work(self, user_id: str) -> None:
        queue = self._queues[user_id]
        while not queue.empty():
            job = queue.get_nowait()
            try:
                replies = await self._engine.process(job.inbox_id, self._fetcher)
                await self._deliver(job, replies)
                if self._after is not None:
                    await self._after(job)
            except Exception:  # one failure must not stop this person's queue
                log.exception("dispatch", inbox=job.inbox_id, outcome="error")
            finally:
                queue.task_done()

    async def _deliver(self, job: Job, replies: list[Reply]) -> None:
        if job.album is None:
            for reply in replies:
                await self._sender.send(job.chat_id, reply)
            return
        key = (job.chat_id, job.album)
        earlier = self._albums.pop(key, None)
        if earlier is not None:
            earlier[1].cancel()
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self._album_quiet, self._flush_album, key)
        self._albums[key] = (replies, timer)

    def _flush_album(self, key: tuple[str, str]) -> None:
        replies, _timer = self._albums.pop(key)
        task = asyncio.create_task(self._send_all(key[0], replies))
        self._album_sends.add(task)
        task.add_done_callback(self._album_sends.discard)

    async def _send_all(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            await self._sender.send(chat_id, reply)

    @property
    def idle(self) -> bool:
        """True when nothing is queued, processing, or waiting to be sent."""
        busy = any(not w.done() for w in self._workers.values())
        return not busy and not self._albums and not self._album_sends

    async def drain(self) -> None:
        """Waits until every queued message is processed and every reply sent."""
        while True:
            workers = [w for w in self._workers.values() if not w.done()]
            if workers:
                await asyncio.gather(*workers, return_exceptions=True)
                continue
            if self._albums:
                for key in list(self._albums):
                    self._albums[key][1].cancel()
                    self._flush_album(key)
                continue
            if self._album_sends:
                await asyncio.gather(*self._album_sends, return_exceptions=True)
                continue
            return

    async def recover(self, platform: str) -> int:
        """Queues the messages stored before a stop and not processed yet; how many."""
        pending = await self._engine.pending_jobs(platform)
        for inbox_id, user_id, chat_id in pending:
            self.submit(Job(inbox_id, user_id, chat_id))
        return len(pending)
