"""Long work asked for in a chat (a chart, an export), run beside the conversations.

A handler that accepts such a request adds a ``jobs`` row in its own transaction and answers at
once; the ``JobRunner`` claims pending jobs one at a time (the row is held by a lease, renewed
while the job runs; on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so processes sharing the table
never take the same job), and runs each as an asyncio task, so nobody's conversation waits for
it. What a job says goes through the outbox like every other message, under dedupe keys made of
the job's id and the order of its sends: a job restarted after a crash does its work again but
sends nothing twice, and the files of its first run reach the person once.

A job that raises is tried again after a pause; after three tries (a crash of the process counts,
so a job that kills the bot cannot loop) the person is told it failed, with no detail, and the
log keeps the redacted error.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from bot.artifacts import ArtifactStore
from bot.config import Settings
from bot.domain.campaign import Campaign
from bot.domain.chat import OutFile, Reply
from bot.engine.clock import Clock, SystemClock
from bot.engine.core import Engine, Retry
from bot.engine.outbox import Redact, keep
from handlers import messages as say
from storage.files import FileStore
from storage.models import Job
from storage.uow import UnitOfWork

log = structlog.get_logger("tuanle.jobs")

MAX_ATTEMPTS = 3
LEASE_SECONDS = 60.0
SWEEP_SECONDS = 2.0
# A job that is done within this many seconds sends no progress at all (a quick export);
# after it, progress goes out at most every ``PROGRESS_EVERY`` seconds.
PROGRESS_AFTER = 3.0
PROGRESS_EVERY = 5.0


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A claimed job, as its row said when it was claimed."""

    id: int
    kind: str
    params: dict[str, Any]
    platform: str
    chat_id: str
    user_id: str
    member_id: int | None
    attempts: int  # this run included


@dataclass
class JobContext:
    """What a job function gets: its request, the stores, and the ways to answer the person."""

    job: JobInfo
    uows: Callable[[], UnitOfWork]
    files: FileStore
    campaign: Campaign
    campaign_id: int
    settings: Settings
    zone: ZoneInfo
    workdir: Path  # a directory of its own, removed when the job ends
    _runner: JobRunner = field(repr=False)
    _started: float = field(default_factory=time.monotonic)
    _sends: int = 0
    _last_progress: float | None = None
    _last_stored: float = 0.0

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def now(self) -> datetime:
        """The time on the bot's clock (a test's fixed clock, else UTC now)."""
        return self._runner.clock.now()

    async def artifact(
        self, data: bytes | Path, name: str, mime: str, kind: str = "document"
    ) -> OutFile:
        """Keeps a file the job made (bytes, or a file it wrote) for sending; the file to send."""
        return await self._runner.artifacts.put(
            data, name, mime, kind=kind, member_id=self.job.member_id
        )

    async def send(self, reply: Reply) -> None:
        """Queues a message to the person who asked; a restarted job does not send it again."""
        self._sends += 1
        await self._runner.say(self.job, reply, f"job:{self.job.id}:send:{self._sends}")

    async def progress(self, percent: int, text: str) -> None:
        """Notes how far the job got; tells the person only once it has taken a while, and then
        at most every few seconds."""
        percent = max(0, min(100, int(percent)))
        now = time.monotonic()
        if now - self._last_stored >= 1.0:
            self._last_stored = now
            await self._runner.note_progress(self.job.id, percent)
        runner = self._runner
        if now - self._started < runner.progress_after:
            return
        if self._last_progress is not None and now - self._last_progress < runner.progress_every:
            return
        self._last_progress = now
        reply = Reply(say.JOB_PROGRESS.format(percent=percent, text=text))
        await runner.say(self.job, reply, f"job:{self.job.id}:progress:{percent}")


JobFunction = Callable[[JobContext], Awaitable[None]]


class JobRunner:
    """Claims and runs jobs of the registered kinds, ``concurrency`` at a time."""

    def __init__(
        self,
        uows: Callable[[], UnitOfWork],
        engine: Engine,
        artifacts: ArtifactStore,
        files: FileStore,
        settings: Settings,
        *,
        clock: Clock | None = None,
        zone: ZoneInfo | None = None,
        concurrency: int = 1,
        lease_seconds: float = LEASE_SECONDS,
        sweep_seconds: float = SWEEP_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        retry: Retry | None = None,
        progress_after: float = PROGRESS_AFTER,
        progress_every: float = PROGRESS_EVERY,
        exclusive: bool = False,
        redact: Redact = keep,
    ) -> None:
        self._uows = uows
        self._engine = engine
        self.artifacts = artifacts
        self._files = files
        self._settings = settings
        self.clock = clock or SystemClock()
        self._zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
        # Leases and pauses follow the real time, even when a test fixes the business clock.
        self._timer = SystemClock()
        self._concurrency = max(1, concurrency)
        self._lease = timedelta(seconds=lease_seconds)
        self._sweep_seconds = sweep_seconds
        self._max_attempts = max_attempts
        self._retry = retry or Retry(first=2.0, cap=60.0)
        self.progress_after = progress_after
        self.progress_every = progress_every
        # The only process running jobs (SQLite): a killed process's jobs restart at once.
        self._exclusive = exclusive
        self._redact = redact
        self._registry: dict[str, JobFunction] = {}
        self._platforms: frozenset[str] | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._filling = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None
        self._wanted = asyncio.Event()
        self._running = False

    def register(self, kind: str, function: JobFunction) -> None:
        """Runs jobs of ``kind`` with ``function``; only registered kinds are claimed."""
        self._registry[kind] = function

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._registry)

    async def start(self, platforms: Collection[str] | None = None) -> None:
        """Restarts what a stopped process left running, then keeps claiming.

        ``platforms``: only the jobs whose results go there (the terminal chat runs its own
        person's, never those of the bot's chats); None for every platform.
        """
        self._platforms = frozenset(platforms) if platforms is not None else None
        if self._exclusive:
            async with self._uows() as uow:
                released = await uow.jobs.release_running(self._platforms)
                await uow.commit()
            if released:
                log.info("jobs", outcome="released", count=released)
        self._running = True
        self._sweeper = asyncio.create_task(self._sweep_forever())
        self.wake()

    def wake(self) -> None:
        """A job may have been queued: look now rather than at the next sweep."""
        self._wanted.set()

    async def _sweep_forever(self) -> None:
        while self._running:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wanted.wait(), timeout=self._sweep_seconds)
            self._wanted.clear()
            if not self._running:
                return
            try:
                await self.fill()
            except Exception as error:  # the database away: the next sweep tries again
                log.warning("jobs", outcome="sweep_error", error=type(error).__name__)

    async def fill(self) -> int:
        """Claims due jobs while fewer than ``concurrency`` run; how many were started."""
        started = 0
        async with self._filling:
            while self._running and self._registry and len(self._tasks) < self._concurrency:
                job = await self._claim()
                if job is None:
                    break
                task = asyncio.create_task(self._run(job))
                self._tasks[job.id] = task
                task.add_done_callback(partial(self._done, job.id))
                started += 1
        return started

    def _done(self, job_id: int, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(job_id, None)
        self.wake()  # a slot is free

    async def _claim(self) -> JobInfo | None:
        now = self._timer.now()
        async with self._uows() as uow:
            row = await uow.jobs.claim(
                self.kinds, now, now + self._lease, self.clock.now(), self._platforms
            )
            if row is None:
                return None
            info = _info(row)
            await uow.commit()
        return info

    async def _run(self, job: JobInfo) -> None:
        if job.attempts > self._max_attempts:  # its last try died with the process
            await self._give_up(job, "the process stopped during every try")
            return
        workdir = Path(tempfile.mkdtemp(prefix=f"tuanle-job-{job.id}-"))
        context = JobContext(
            job=job,
            uows=self._uows,
            files=self._files,
            campaign=self._engine.campaign,
            campaign_id=self._engine.campaign_id,
            settings=self._settings,
            zone=self._zone,
            workdir=workdir,
            _runner=self,
        )
        heartbeat = asyncio.create_task(self._renew(job.id))
        started = time.monotonic()
        try:
            await self._registry[job.kind](context)
        except asyncio.CancelledError:
            await self._release(job)
            raise
        except Exception as error:
            await self._failed(job, f"{type(error).__name__}: {error}")
        else:
            async with self._uows() as uow:
                await uow.jobs.finish(job.id, self.clock.now())
                await uow.commit()
            log.info(
                "job",
                id=job.id,
                kind=job.kind,
                outcome="done",
                seconds=round(time.monotonic() - started, 2),
            )
        finally:
            heartbeat.cancel()
            with suppress(asyncio.CancelledError):
                await heartbeat
            await asyncio.to_thread(shutil.rmtree, workdir, True)

    async def _renew(self, job_id: int) -> None:
        """Keeps the job's lease while it runs, however long it takes."""
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with self._uows() as uow:
                    await uow.jobs.renew(job_id, self._timer.now() + self._lease)
                    await uow.commit()
            except Exception as error:  # the database away: the next beat tries again
                log.warning("job", id=job_id, outcome="renew_error", error=type(error).__name__)

    async def _failed(self, job: JobInfo, error: str) -> None:
        text = self._redact(error)
        log.error(
            "job", id=job.id, kind=job.kind, outcome="error", attempts=job.attempts, error=text
        )
        if job.attempts >= self._max_attempts:
            await self._give_up(job, text)
            return
        retry_at = self._timer.now() + timedelta(seconds=self._retry.delay(job.attempts - 1))
        async with self._uows() as uow:
            await uow.jobs.retry_later(job.id, text, retry_at)
            await uow.commit()

    async def _give_up(self, job: JobInfo, error: str) -> None:
        """Marks the job failed and tells the person once."""
        async with self._uows() as uow:
            await uow.jobs.fail(job.id, self._redact(error), self.clock.now())
            await uow.commit()
        log.error("job", id=job.id, kind=job.kind, outcome="failed", attempts=job.attempts)
        await self.say(job, Reply(say.JOB_FAILED), f"job:{job.id}:failed")

    async def _release(self, job: JobInfo) -> None:
        """The runner is stopping: the job is pending again, this try not counted."""
        try:
            async with self._uows() as uow:
                await uow.jobs.release(job.id)
                await uow.commit()
        except Exception as error:  # its lease runs out instead
            log.warning("job", id=job.id, outcome="release_error", error=type(error).__name__)

    async def say(self, job: JobInfo, reply: Reply, dedupe_key: str) -> None:
        """Queues a message of the job to the person who asked."""
        await self._engine.enqueue(
            job.platform,
            job.chat_id,
            reply,
            user_id=job.user_id,
            kind="job",
            dedupe_key=dedupe_key,
        )

    async def note_progress(self, job_id: int, percent: int) -> None:
        async with self._uows() as uow:
            await uow.jobs.set_progress(job_id, percent)
            await uow.commit()

    @property
    def idle(self) -> bool:
        return not self._tasks

    async def drain(self) -> None:
        """Waits for the jobs running now (not for those still pending)."""
        while tasks := list(self._tasks.values()):
            await asyncio.gather(*tasks, return_exceptions=True)

    async def run_due(self) -> None:
        """Runs every job due now to its end, and those they make due (not those pausing
        after a failed try): the terminal chat at the end of its input, and tests."""
        while True:
            await self.fill()
            if not self._tasks:
                return
            await self.drain()

    async def close(self) -> None:
        """Stops claiming; a job still running is stopped and left for the next start."""
        self._running = False
        self._wanted.set()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await self._sweeper
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _info(row: Job) -> JobInfo:
    return JobInfo(
        id=row.id,
        kind=row.kind,
        params=dict(row.params or {}),
        platform=row.platform,
        chat_id=row.chat_id,
        user_id=row.user_id,
        member_id=row.member_id,
        attempts=row.attempts,
    )
