"""The engine routes each incoming message through the durable inbox to the conversation.

A message is first stored in the inbox and committed (so an adapter may acknowledge it to
its platform), then processed once: a file it carries is fetched, inspected and stored outside
any transaction; then one transaction loads the person's membership and conversation, runs the
handler, stores the answers and the new step, and marks the message done, all in one commit. A
duplicate delivery finds its message already stored and is dropped. A message whose handler
keeps failing is set aside after a few tries and the person is told, so one bad message never
blocks the next.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import structlog

from bot.domain.campaign import Campaign
from bot.domain.chat import Attachment, Incoming, Reply
from bot.evidence import EvidenceRefused, inspect_upload
from handlers import messages as say
from handlers.common import Context, Policy, Upload
from handlers.conversation import respond
from storage.files import FileStore
from storage.uow import UnitOfWork

log = structlog.get_logger("tuanle.engine")
# Messages stored but not processed when a process stops: a few at most, unless a database
# outage piled them up; a bound keeps one recovery from loading an unbounded table.
RECOVERY_LIMIT = 100_000


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FileTooLarge(Exception):
    """The file is larger than the limit; raised before or while fetching it."""


class FileUnavailable(Exception):
    """The file could not be fetched; ``reason`` is "not_found", "timeout", "unreachable",
    "too_slow" or "refused". The text never carries the file's URL."""

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


class Engine:
    """Processes incoming messages for one campaign; shared by every platform adapter."""

    def __init__(
        self,
        uows: Callable[[], UnitOfWork],
        campaign: Campaign,
        files: FileStore,
        *,
        clock: Clock | None = None,
        zone: ZoneInfo | None = None,
        policy: Policy | None = None,
        limits: EvidenceLimits | None = None,
        give_up_after: int = 3,
    ) -> None:
        self._uows = uows
        self.campaign = campaign
        self._files = files
        self._clock = clock or SystemClock()
        self._zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
        self._policy = policy or Policy()
        self._limits = limits or EvidenceLimits()
        self._give_up_after = give_up_after
        self._campaign_id: int | None = None

    async def start(self) -> None:
        """Makes sure the campaign has its row; call once before processing."""
        async with self._uows() as uow:
            row = await uow.campaigns.ensure(
                self.campaign.year, self.campaign.theme, self.campaign.form.code
            )
            await uow.commit()
            self._campaign_id = row.id

    async def handle(self, incoming: Incoming, fetcher: FileFetcher) -> list[Reply]:
        """Stores, then processes one message; the replies to send (none for a duplicate)."""
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
        async with self._uows() as uow:
            inbox_id = await uow.inbox.add(
                incoming.platform,
                incoming.message_id,
                incoming.user_id,
                incoming.chat_id,
                incoming.to_payload(),
                self._clock.now(),
            )
            await uow.commit()
        return inbox_id

    async def record_unreachable(self, platform: str, chat_id: str) -> None:
        """Notes that a chat blocked the bot, so nobody keeps sending to it."""
        async with self._uows() as uow:
            uow.audit.record(
                f"{platform}:{chat_id}", "member.unreachable", {"chat": chat_id}, self._clock.now()
            )
            await uow.commit()

    async def pending(self, platform: str) -> list[int]:
        """Stored messages of this platform not processed yet (after a crash, say)."""
        return [inbox_id for inbox_id, _user, _chat in await self.pending_jobs(platform)]

    async def pending_jobs(self, platform: str) -> list[tuple[int, str, str]]:
        """(inbox id, user id, chat id) of the stored messages not processed yet, oldest first."""
        async with self._uows() as uow:
            stored = await uow.inbox.pending(platform, limit=RECOVERY_LIMIT)
            return [(m.id, m.user_id, m.chat_id) for m in stored]

    async def process(self, inbox_id: int, fetcher: FileFetcher) -> list[Reply]:
        """Processes a stored message once, retrying a failing handler a few times."""
        while True:
            started = time.monotonic()
            try:
                return await self._process_once(inbox_id, fetcher, started)
            except Exception as error:
                log.exception("message", inbox=inbox_id, outcome="error")
                async with self._uows() as uow:
                    gave_up = await uow.inbox.record_failure(
                        inbox_id, f"{type(error).__name__}: {error}", self._give_up_after
                    )
                    await uow.commit()
                if gave_up:
                    log.error("message", inbox=inbox_id, outcome="set_aside")
                    return [Reply(say.INTERNAL_ERROR)]
                await asyncio.sleep(0.05)

    async def _process_once(
        self, inbox_id: int, fetcher: FileFetcher, started: float
    ) -> list[Reply]:
        async with self._uows() as uow:
            message = await uow.inbox.claim(inbox_id)
            if message is None:
                return []
            incoming = Incoming.from_payload(message.payload)
        upload = await self._prepare(incoming.attachment, fetcher) if incoming.attachment else None
        async with self._uows() as uow:
            message = await uow.inbox.claim(inbox_id)
            if message is None:  # processed meanwhile by another worker
                return []
            now = self._clock.now()
            conversation = await uow.conversations.load(incoming.platform, incoming.user_id, now)
            member = await uow.members.find(incoming.platform, incoming.user_id)
            unit = await uow.units.get(member.unit_id) if member else None
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
            await uow.inbox.mark_done(message, now)
            await uow.commit()
            version = conversation.version
        log.info(
            "message",
            platform=incoming.platform,
            id=incoming.message_id,
            step=step_before,
            next=conversation.step,
            outcome="ok",
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return [replace(reply, version=version) for reply in outcome.replies]

    def _require_campaign(self) -> int:
        if self._campaign_id is None:
            raise RuntimeError("Engine.start() was not awaited")
        return self._campaign_id

    async def _prepare(
        self, attachment: Attachment, fetcher: FileFetcher
    ) -> Upload | EvidenceRefused:
        """Fetches, inspects and stores a file; a refusal for the person when it is not fit."""
        limit = self._limits.max_bytes
        if attachment.declared_size is not None and attachment.declared_size > limit:
            return EvidenceRefused.too_large(limit)
        try:
            data = await fetcher.fetch(attachment, limit)
        except FileTooLarge:
            return EvidenceRefused.too_large(limit)
        try:
            prepared = await asyncio.to_thread(
                inspect_upload,
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
