"""The engine routes each incoming message through the durable inbox to the conversation.

A message is first stored in the inbox and committed (so an adapter may acknowledge it to
its platform), then processed once: a file it carries is fetched, inspected and stored outside
any transaction; then one transaction loads the person's membership and conversation, runs the
handler, stores the answers, the new step, the replies (as outbox rows) and marks the message
done, all in one commit. A reply therefore exists as soon as the answer does, and survives a
crash before it is sent. A duplicate delivery finds its message already stored and is dropped.
A message stored by this process is processed from what it stored (kept in memory until then),
so processing a text costs one transaction; one stored before a restart is read back first.

A database or network fault (transient) keeps the message pending and is retried with backoff
for as long as it lasts. A disk fault of the file store (full, read-only, a path that is not a
directory) does not pass by waiting: it counts as a failure, and a handler that fails on the
same message a few times sets it aside, and the person is told, so one bad message never
blocks the next.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final, Protocol
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.domain.campaign import Campaign
from bot.domain.chat import Attachment, Incoming, Reply
from bot.engine.clock import Clock, SystemClock
from bot.engine.outbox import OutboxStore, Redact, keep
from bot.evidence import EvidenceRefused, Inspector
from handlers import messages as say
from handlers.common import Context, Policy, Upload
from handlers.conversation import respond
from storage.files import FileStore
from storage.uow import UnitOfWorkFactory

__all__ = ["Clock", "Engine", "FileTooLarge", "FileUnavailable", "SystemClock"]

log = structlog.get_logger("tuanle.engine")
# Messages stored but not processed when a process stops: a few at most, unless a database
# outage piled them up; a bound keeps one recovery from loading an unbounded table.
RECOVERY_LIMIT = 100_000
# Messages stored by this process and kept in memory until processed; beyond this many waiting
# (a backlog), the oldest are read back from the inbox instead.
RECEIVED_KEPT = 10_000


class FileTooLarge(Exception):
    """The file is larger than the limit; raised before or while fetching it."""


class FileUnavailable(Exception):
    """The file could not be fetched: ``reason`` is not_found, timeout, unreachable, too_slow
    or refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileFetcher(Protocol):
    """Fetches a file a person sent, from wherever the platform keeps it."""

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The file's bytes; FileTooLarge as soon as more than ``max_bytes`` would be read."""
        ...


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    fetch_timeout: float = 60.0  # the whole download, however the bytes trickle in
    slow_notice_after: float = 5.0  # then the person is told once that it takes a while


@dataclass(frozen=True, slots=True)
class Retry:
    """Backoff for transient faults: ``first`` seconds, doubling up to ``cap``, with jitter."""

    first: float = 0.5
    cap: float = 180.0

    def delay(self, attempt: int) -> float:
        """The wait before try ``attempt`` + 1 (attempt counts from 0)."""
        base = min(self.cap, self.first * 2.0 ** min(attempt, 30))
        return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True, slots=True)
class Processed:
    """What processing one message produced: the replies and their outbox rows."""

    replies: list[Reply] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)


def is_transient(error: BaseException) -> bool:
    """True for faults that pass by themselves: the database or the network away for a while."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    if is_storage_fault(error):
        return False  # a full disk or a wrong directory stays so: the handler's tries count it
    if isinstance(error, OSError | ConnectionError | TimeoutError):
        return True
    # asyncpg's connection errors, when they surface unwrapped (no import: optional driver).
    kind = type(error)
    return kind.__module__.startswith("asyncpg") and "Connection" in kind.__name__


# Errors of the disk itself, whichever call met them: a full disk, a read-only one, a quota.
_DISK_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT})
_PATH_ERRORS: Final = (PermissionError, IsADirectoryError, NotADirectoryError, FileNotFoundError)


def is_storage_fault(error: BaseException) -> bool:
    """True for a disk or path fault of the file store, which does not pass by waiting.

    A path error counts only with a file name: a database's Unix socket that is missing while
    the server restarts raises FileNotFoundError too, without one, and that fault does pass.
    """
    if not isinstance(error, OSError):
        return False
    if error.errno in _DISK_ERRNOS:
        return True
    return isinstance(error, _PATH_ERRORS) and error.filename is not None


class Engine:
    """Processes incoming messages for one campaign; shared by every platform adapter."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        campaign: Campaign,
        files: FileStore,
        *,
        clock: Clock | None = None,
        zone: ZoneInfo | None = None,
        policy: Policy | None = None,
        limits: EvidenceLimits | None = None,
        give_up_after: int = 3,
        concurrency: int = 4,
        retry: Retry | None = None,
        redact: Redact = keep,
        outbox_lease_seconds: float = 60.0,
    ) -> None:
        self._uows = uows
        self.campaign = campaign
        self._files = files
        self._clock = clock or SystemClock()
        self._zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
        self._policy = policy or Policy()
        self._limits = limits or EvidenceLimits()
        self._inspector = Inspector()  # photos decoded side by side, one per core at most
        self._give_up_after = give_up_after
        self._retry = retry or Retry()
        self._redact = redact
        # Transactions at once: no more than the database pool has connections, so a burst
        # waits here instead of timing out on the pool.
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = asyncio.Event()
        self._campaign_id: int | None = None
        self._received: OrderedDict[int, Incoming] = OrderedDict()
        self.outbox = OutboxStore(
            uows, self._clock, redact=redact, lease_seconds=outbox_lease_seconds, slots=self._slots
        )
        self._job_listeners: list[Callable[[], None]] = []

    async def start(self) -> None:
        """Makes sure the campaign has its row; call once before processing."""
        async with self._uows() as uow:
            row = await uow.campaigns.ensure(
                self.campaign.year, self.campaign.theme, self.campaign.form.code
            )
            await uow.commit()
            self._campaign_id = row.id

    def stop(self) -> None:
        """Stops waiting out faults: a message still failing stays pending for the next start."""
        self._stopping.set()

    @property
    def campaign_id(self) -> int:
        """The campaign's row id (after ``start``)."""
        return self._require_campaign()

    def on_job_queued(self, listener: Callable[[], None]) -> None:
        """Calls ``listener()`` after a handler queued a job (a hint: runners also sweep)."""
        self._job_listeners.append(listener)

    async def handle(self, incoming: Incoming, fetcher: FileFetcher) -> list[Reply]:
        """Stores, then processes one message; the replies queued (none for a duplicate)."""
        inbox_id = await self.receive(incoming)
        if inbox_id is None:
            log.info(
                "message",
                platform=incoming.platform,
                id=incoming.message_id,
                outcome="duplicate",
            )
            return []
        return await self.process(inbox_id, fetcher)

    async def receive(self, incoming: Incoming) -> int | None:
        """Stores the message durably; its inbox id, or None when it was stored before."""
        payload = incoming.to_payload()
        async with self._slots, self._uows() as uow:
            inbox_id = await uow.inbox.add(
                incoming.platform,
                incoming.message_id,
                incoming.user_id,
                incoming.chat_id,
                payload,
                self._clock.now(),
            )
            await uow.commit()
        if inbox_id is not None:  # processed as it will be read back, not as it came in
            self._received[inbox_id] = Incoming.from_payload(payload)
            if len(self._received) > RECEIVED_KEPT:
                self._received.popitem(last=False)
        return inbox_id

    async def enqueue(
        self,
        platform: str,
        chat_id: str,
        reply: Reply,
        *,
        user_id: str | None = None,
        kind: str = "notice",
        dedupe_key: str | None = None,
    ) -> int | None:
        """Queues a message no handler caused (a notice, later reminders); its outbox id.

        None when ``dedupe_key`` was queued before. A chat that blocked the bot gets nothing.
        """
        now = self._clock.now()
        async with self._slots, self._uows() as uow:
            blocked = await uow.members.unreachable(platform, user_id, chat_id)
            outbox_id = await uow.outbox.add(
                platform=platform,
                chat_id=chat_id,
                user_id=user_id,
                payload=reply.to_payload(),
                kind=kind,
                now=now,
                version=reply.version,
                dedupe_key=dedupe_key,
                not_before=self.outbox.due_after(),
                status="skipped" if blocked else "pending",
            )
            await uow.commit()
        if outbox_id is not None and not blocked:
            self.outbox.queued(platform, chat_id)
        return outbox_id

    async def pending(self, platform: str) -> list[int]:
        """Stored messages of this platform not processed yet (after a crash, say)."""
        return [inbox_id for inbox_id, _user, _chat in await self.pending_jobs(platform)]

    async def pending_jobs(self, platform: str) -> list[tuple[int, str, str]]:
        """(inbox id, user id, chat id) of the stored messages not processed yet, oldest first."""
        async with self._uows(read_only=True) as uow:
            stored = await uow.inbox.pending(platform, limit=RECOVERY_LIMIT)
            return [(m.id, m.user_id, m.chat_id) for m in stored]

    async def process(self, inbox_id: int, fetcher: FileFetcher) -> list[Reply]:
        """Processes a stored message once; the replies it queued in the outbox."""
        return (await self.run(inbox_id, fetcher)).replies

    async def run(self, inbox_id: int, fetcher: FileFetcher, *, hold: float = 0.0) -> Processed:
        """Processes a stored message once, waiting out transient faults.

        Args:
            hold: seconds the replies wait before they are due (an album's acknowledgement
                waits for its last photo).
        """
        try:
            return await self._run(inbox_id, fetcher, hold)
        finally:
            self._received.pop(inbox_id, None)

    async def _run(self, inbox_id: int, fetcher: FileFetcher, hold: float) -> Processed:
        faults = 0
        while True:
            started = time.monotonic()
            try:
                return await self._process_once(inbox_id, fetcher, started, hold)
            except Exception as error:
                text = self._redact(f"{type(error).__name__}: {error}")
                if not is_transient(error):
                    log.error("message", inbox=inbox_id, outcome="error", error=text)
                    try:
                        gave_up = await self._record_failure(inbox_id, text)
                    except Exception as second:
                        if not is_transient(second):
                            raise
                        gave_up = None
                    if gave_up is not None:
                        if gave_up.replies:
                            return gave_up
                        await asyncio.sleep(0.05)
                        continue
                wait = self._retry.delay(faults)
                faults += 1
                log.warning("message", inbox=inbox_id, outcome="retry", error=text, wait=wait)
                if await self._stopped_within(wait):
                    return Processed()  # still pending: the next start picks it up

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    async def _record_failure(self, inbox_id: int, error: str) -> Processed:
        """Counts a handler's failure; once it gave up, queues the generic error reply."""
        now = self._clock.now()
        async with self._slots, self._uows() as uow:
            gave_up = await uow.inbox.record_failure(inbox_id, error, self._give_up_after)
            message = await uow.inbox.get(inbox_id)
            ids: list[int] = []
            reply = Reply(say.INTERNAL_ERROR)
            if gave_up and message is not None:
                outbox_id = await uow.outbox.add(
                    platform=message.platform,
                    chat_id=message.chat_id,
                    user_id=message.user_id,
                    payload=reply.to_payload(),
                    kind="reply",
                    now=now,
                    inbox_id=inbox_id,
                    not_before=self.outbox.due_after(),
                )
                ids = [outbox_id] if outbox_id is not None else []
            await uow.commit()
        if not gave_up:
            return Processed()
        log.error("message", inbox=inbox_id, outcome="set_aside")
        if message is not None:
            self.outbox.queued(message.platform, message.chat_id)
        return Processed([reply], ids)

    async def _process_once(
        self, inbox_id: int, fetcher: FileFetcher, started: float, hold: float
    ) -> Processed:
        incoming = self._received.get(inbox_id)
        if incoming is None:  # stored before a restart, or by another process: read it back
            async with self._slots, self._uows(read_only=True) as uow:
                stored = await uow.inbox.get(inbox_id)
                if stored is None or stored.status != "pending":
                    return Processed()
                incoming = Incoming.from_payload(stored.payload)
        upload = (
            await self._prepare(inbox_id, incoming, incoming.attachment, fetcher)
            if incoming.attachment
            else None
        )
        async with self._slots, self._uows() as uow:
            received_at = await uow.inbox.hold(inbox_id)
            if received_at is None:  # processed meanwhile (another worker, an earlier try)
                return Processed()
            now = self._clock.now()
            conversation = await uow.conversations.load(incoming.platform, incoming.user_id, now)
            found = await uow.members.find_with_unit(incoming.platform, incoming.user_id)
            member, unit = found if found is not None else (None, None)
            if member is not None and member.unreachable_at is not None:
                member.unreachable_at = None  # they wrote again: they can be reached
            seen_step = None
            if incoming.text is not None and not incoming.button and not incoming.attachment:
                seen = await uow.outbox.last_sent_step(
                    incoming.platform, incoming.user_id, received_at
                )
                seen_step = seen if seen != conversation.step else None
            ctx = Context(
                uow=uow,
                campaign=self.campaign,
                campaign_id=self._require_campaign(),
                conversation=conversation,
                member=member,
                unit=unit,
                message=incoming,
                inbox_id=inbox_id,
                now=now,
                zone=self._zone,
                policy=self._policy,
                upload=upload,
                seen_step=seen_step,
            )
            step_before = conversation.step
            outcome = await respond(ctx)
            if outcome.step is not None and outcome.step != conversation.step:
                conversation.step = outcome.step
                conversation.version += 1
            if outcome.data is not None:
                conversation.data = dict(outcome.data)
            conversation.updated_at = now
            if ctx.member is not None and ctx.member.chat_id != incoming.chat_id:
                ctx.member.chat_id = incoming.chat_id
            version = conversation.version
            replies = [replace(reply, version=version) for reply in outcome.replies]
            due = self.outbox.due_after(hold)
            ids: list[int] = []
            for reply in replies:
                outbox_id = await uow.outbox.add(
                    platform=incoming.platform,
                    chat_id=incoming.chat_id,
                    user_id=incoming.user_id,
                    payload=reply.to_payload(),
                    kind="reply",
                    now=now,
                    step=conversation.step,
                    version=version,
                    inbox_id=inbox_id,
                    not_before=due,
                )
                if outbox_id is not None:
                    ids.append(outbox_id)
            notified: set[tuple[str, str]] = set()
            for notice in outcome.notices:
                if await uow.members.unreachable(notice.platform, notice.user_id, notice.chat_id):
                    continue  # they blocked the bot: nothing queues for them
                outbox_id = await uow.outbox.add(
                    platform=notice.platform,
                    chat_id=notice.chat_id,
                    user_id=notice.user_id,
                    payload=notice.reply.to_payload(),
                    kind="notice",
                    now=now,
                    version=notice.reply.version,
                    inbox_id=inbox_id,
                    dedupe_key=notice.dedupe_key,
                    not_before=self.outbox.due_after(),
                )
                if outbox_id is not None:
                    notified.add((notice.platform, notice.chat_id))
            await uow.inbox.mark_done(inbox_id, now)
            await uow.commit()
        for platform, chat_id in notified:
            self.outbox.queued(platform, chat_id)
        if uow.jobs.added:
            for listener in self._job_listeners:
                listener()
        log.info(
            "message",
            platform=incoming.platform,
            id=incoming.message_id,
            step=step_before,
            next=conversation.step,
            outcome="ok",
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return Processed(replies, ids)

    def _require_campaign(self) -> int:
        if self._campaign_id is None:
            raise RuntimeError("Engine.start() was not awaited")
        return self._campaign_id

    async def _prepare(
        self, inbox_id: int, incoming: Incoming, attachment: Attachment, fetcher: FileFetcher
    ) -> Upload | EvidenceRefused:
        """Fetches, inspects and stores a file; a refusal for the person when it is not fit."""
        limit = self._limits.max_bytes
        if attachment.declared_size is not None and attachment.declared_size > limit:
            return EvidenceRefused.too_large(limit)
        try:
            data = await self._fetch(inbox_id, incoming, attachment, fetcher, limit)
        except FileTooLarge:
            return EvidenceRefused.too_large(limit)
        except FileUnavailable as error:
            log.info("file", id=incoming.message_id, outcome="unavailable", reason=error.reason)
            return EvidenceRefused.unavailable(error.reason)
        except TimeoutError:
            log.info("file", id=incoming.message_id, outcome="unavailable", reason="timeout")
            return EvidenceRefused.unavailable("timeout")
        try:
            prepared = await self._inspector.inspect(
                data,
                max_bytes=limit,
                max_pixels=self._limits.max_pixels,
                accept_pdf=self.campaign.evidence.accept_pdf,
            )
        except EvidenceRefused as refusal:
            return refusal
        digest = hashlib.sha256(prepared.data).hexdigest()
        key = await self._files.put(prepared.data, sha256=digest, extension=prepared.extension)
        return Upload(prepared, key)

    async def _fetch(
        self,
        inbox_id: int,
        incoming: Incoming,
        attachment: Attachment,
        fetcher: FileFetcher,
        limit: int,
    ) -> bytes:
        """The file within the total deadline; past a few seconds the person is told once."""
        task = asyncio.ensure_future(fetcher.fetch(attachment, limit))
        try:
            notice_after = min(self._limits.slow_notice_after, self._limits.fetch_timeout)
            done, _ = await asyncio.wait({task}, timeout=notice_after)
            if not done:
                try:
                    await self.enqueue(
                        incoming.platform,
                        incoming.chat_id,
                        Reply(say.FILE_SLOW),
                        user_id=incoming.user_id,
                        # Once per message: a retry of its processing fetches the file again.
                        dedupe_key=f"slow:{inbox_id}",
                    )
                except Exception as error:  # a notice is a courtesy; the file matters more
                    log.warning("file", outcome="notice_not_queued", error=type(error).__name__)
            remaining = self._limits.fetch_timeout - notice_after
            return await asyncio.wait_for(task, timeout=max(remaining, 0.001))
        finally:
            if not task.done():
                task.cancel()
