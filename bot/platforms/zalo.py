"""The Zalo adapter: a thin async client of the Zalo Bot API of our own, and the adapter on it.

The Zalo Bot API looks like Telegram's but is poorer (research/zalo.md): no buttons, one update
per ``getUpdates`` with no offset (an update returned is gone from Zalo's side), images as URLs,
2,000 characters a message. So every update goes into the inbox before anything else happens,
choices are numbered lines, and an image is downloaded at once and sniffed from its bytes. The
client raises ``ZaloAPIError`` on ``ok: false`` instead of swallowing it, and never puts the
token (which sits in the URL path) in a log line or an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import aiohttp
import structlog

from bot.artifacts import ArtifactStore
from bot.domain.chat import Attachment, Incoming, OutFile, Reply
from bot.engine import Engine
from bot.engine.core import Retry
from bot.platforms.dispatch import (
    SWEEP_SECONDS,
    Delivery,
    Dispatcher,
    Job,
    SendFailed,
    SendLimits,
    SendRejected,
)
from bot.platforms.download import Downloader, DownloadPolicy
from bot.platforms.text import render, text_pieces
from handlers import messages as say

PLATFORM = "zalo"
MESSAGE_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 - a header name
NO_UPDATE = 408
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"

log = structlog.get_logger("tuanle.zalo")
T = TypeVar("T")


class ZaloAPIError(Exception):
    """The API answered ``ok: false`` (or not JSON at all); the token is never in the text."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(f"Zalo API error {error_code}: {description}")
        self.error_code = error_code
        self.description = description


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    account_name: str


@dataclass(frozen=True, slots=True)
class WebhookInfo:
    url: str
    updated_at: int | None


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    date: int | None


class ZaloClient:
    """The Zalo Bot API methods the bot uses, typed, over one aiohttp session."""

    def __init__(
        self,
        token: str,
        api_base: str,
        *,
        request_timeout: float = 30.0,
        media: DownloadPolicy | None = None,
    ) -> None:
        self._token = token
        self._base = api_base.rstrip("/")
        self._timeout = request_timeout
        self._session: aiohttp.ClientSession | None = None
        self._media = Downloader(media)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        await self._media.close()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, seconds: float | None = None
    ) -> Any:
        """Calls one method with a JSON body; its ``result``, or ZaloAPIError."""
        url = f"{self._base}/bot{self._token}/{method}"
        wait = aiohttp.ClientTimeout(total=seconds or self._timeout)
        try:
            async with self._http().post(url, json=params or {}, timeout=wait) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except aiohttp.ClientError as error:
            # aiohttp's message can carry the URL, and the URL carries the token.
            raise ZaloAPIError(0, f"{method}: {type(error).__name__}") from None
        if not isinstance(body, dict):
            raise ZaloAPIError(status, f"{method}: not a JSON object (HTTP {status})")
        if not body.get("ok"):
            code = body.get("error_code")
            raise ZaloAPIError(
                int(code) if isinstance(code, int) else status,
                str(body.get("description") or f"{method} failed"),
            )
        return body.get("result")

    async def get_me(self) -> BotInfo:
        result = await self.call("getMe")
        return BotInfo(
            id=str(result.get("id", "")), account_name=str(result.get("account_name", ""))
        )

    async def get_updates(self, poll_seconds: int = 30) -> dict[str, Any] | None:
        """One update, or None when none came within ``poll_seconds`` (error 408)."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(poll_seconds)}, seconds=poll_seconds + 5
            )
        except ZaloAPIError as error:
            if error.error_code == NO_UPDATE:
                return None
            raise
        if isinstance(result, list):  # not documented, but cheap to accept
            result = result[0] if result else None
        return dict(result) if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> WebhookInfo:
        result = await self.call("getWebhookInfo") or {}
        return WebhookInfo(url=str(result.get("url") or ""), updated_at=result.get("updated_at"))

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text}) or {}
        return SentMessage(str(result.get("message_id", "")), result.get("date"))

    async def send_photo(
        self, chat_id: str, photo: str, caption: str | None = None
    ) -> SentMessage:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params) or {}
        return SentMessage(str(result.get("message_id", "")), result.get("date"))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download(self, url: str, max_bytes: int) -> bytes:
        """The bytes at a photo URL under the media policy; FileUnavailable or FileTooLarge."""
        return await self._media.fetch(url, max_bytes)


def unwrap(body: Any) -> dict[str, Any] | None:
    """The event of a webhook body, flat ``{event_name, message}`` or wrapped ``{ok, result}``."""
    if not isinstance(body, dict):
        return None
    if "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body.get("message"), dict):
        return None
    return dict(body)


def normalize(event: dict[str, Any]) -> Incoming | None:
    """The event as an ``Incoming``; None for groups, bots and events with no sender."""
    message = event.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if not isinstance(chat, dict) or not isinstance(sender, dict):
        return None
    if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE" or sender.get("is_bot"):
        return None
    message_id, user_id = message.get("message_id"), sender.get("id")
    if not message_id or not user_id:
        return None
    name = event.get("event_name", "")
    text = message.get("text") if name == TEXT_EVENT else None
    attachment = None
    # A photo only from an image event: a URL in any other event (a sticker's, a link's) is
    # not something the person sent as evidence, and is not fetched.
    photo = (message.get("photo_url") or message.get("photo")) if name == IMAGE_EVENT else None
    if isinstance(photo, dict):
        photo = photo.get("url")
    if isinstance(photo, str) and photo:
        attachment = Attachment(ref=photo, kind="photo")
        text = None
    return Incoming(
        platform=PLATFORM,
        message_id=str(message_id),
        sent_at=_sent_at(message.get("date")),
        chat_id=str(chat.get("id") or user_id),
        user_id=str(user_id),
        user_name=sender.get("display_name") or sender.get("first_name"),
        text=text if isinstance(text, str) else None,
        attachment=attachment,
    )


def _sent_at(date: Any) -> str | None:
    """Zalo's ``date`` is in milliseconds since the epoch; ISO 8601 UTC, or None if odd."""
    if isinstance(date, bool) or not isinstance(date, int | float) or date <= 0:
        return None
    try:
        return datetime.fromtimestamp(date / 1000, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


class ZaloSender:
    """The one way a message leaves for Zalo: numbered text, split, within the bot's rate.

    ``send`` tries each piece once and raises, so ``Delivery`` keeps the message queued:
    SendFailed for a quota (429: the whole bot pauses), a server or network fault; SendRejected
    for a request Zalo refuses for good (400, 404). Zalo documents no "blocked by the user"
    error, so nothing here marks a person unreachable.
    """

    def __init__(
        self,
        client: ZaloClient,
        *,
        per_second: float = 5.0,
        limit: SendLimits | None = None,
        quota_pause: float = 1.0,
        artifacts: ArtifactStore | None = None,
    ) -> None:
        self._client = client
        self._limit = limit or SendLimits(per_second, chat_rate=None)
        self._quota_pause = quota_pause
        self._artifacts = artifacts  # where the files of a reply are found, and their links
        self._warned_no_link = False

    @property
    def limits(self) -> SendLimits:
        """The pace this sender keeps (``Delivery`` tells it which chats are in a conversation)."""
        return self._limit

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        """Sends one reply: its text in pieces of at most 2,000 characters, then each file as a
        piece (a picture by its link, a document as a line with its link), from piece
        ``skip_pieces`` on."""
        pieces = text_pieces(replace(reply, text=render(reply)), MESSAGE_LIMIT)
        for index, piece in enumerate(pieces):
            if index < skip_pieces:  # sent by an earlier try that failed on a later piece
                continue
            await self._attempt(chat_id, index, partial(self._client.send_message, chat_id, piece))
        for offset, file in enumerate(reply.files):
            index = len(pieces) + offset
            if index >= skip_pieces:
                await self._attempt(chat_id, index, await self._file_request(chat_id, file))

    async def _file_request(self, chat_id: str, file: OutFile) -> Callable[[], Awaitable[object]]:
        """A picture by its public link, or a line naming the file with its link (or, with no
        public address configured, saying where the file is)."""
        artifacts = self._artifacts
        stored = await artifacts.find(file.token) if artifacts is not None else None
        if artifacts is None or stored is None:
            text = say.FILE_EXPIRED.format(name=file.name)
            return partial(self._client.send_message, chat_id, text)
        link = artifacts.link(stored.token)
        if link is None and not self._warned_no_link:
            self._warned_no_link = True
            log.warning("files", platform=PLATFORM, outcome="no_public_url")
        if link is not None and file.kind == "photo":
            return partial(self._client.send_photo, chat_id, link)
        return partial(self._client.send_message, chat_id, artifacts.link_text(stored))

    async def _attempt(
        self, chat_id: str, index: int, request: Callable[[], Awaitable[object]]
    ) -> None:
        """One piece, tried once within the bot's rate; a failure says how many went before."""
        await self._limit.wait(chat_id)
        try:
            await request()
        except ZaloAPIError as error:
            if error.error_code == 429:
                self._limit.pause(None, self._quota_pause)  # Zalo's quota is the bot's
                raise SendFailed(
                    str(error), retry_after=self._quota_pause, pieces_sent=index
                ) from None
            if error.error_code in (400, 404):
                raise SendRejected(str(error)) from None
            raise SendFailed(str(error), pieces_sent=index) from None


class ZaloFetcher:
    """Downloads the photo of an image event from its URL."""

    def __init__(self, client: ZaloClient) -> None:
        self._client = client

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        return await self._client.download(attachment.ref, max_bytes)


class ZaloAdapter:
    """Receives Zalo events (webhook, or the one poller) into the inbox and answers them."""

    def __init__(
        self,
        engine: Engine,
        client: ZaloClient,
        *,
        sender: ZaloSender | None = None,
        sweep_seconds: float = SWEEP_SECONDS,
        retry: Retry | None = None,
        exclusive: bool = False,
    ) -> None:
        self.engine = engine
        self.client = client
        self.sender = sender or ZaloSender(client)
        self.delivery = Delivery(
            PLATFORM,
            engine.outbox,
            self.sender,
            sweep_seconds=sweep_seconds,
            exclusive=exclusive,
            retry=retry,
            limits=self.sender.limits,
        )
        self.dispatcher = Dispatcher(engine, ZaloFetcher(client), self.delivery)
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Sends what was left unsent, then resumes what was stored but not processed."""
        await self.delivery.start()
        recovered = await self.dispatcher.recover(PLATFORM)
        log.info("start", platform=PLATFORM, recovered=recovered)

    async def accept(self, body: Any) -> bool:
        """Stores one event durably and queues it; False for a duplicate or what is ignored."""
        event = unwrap(body)
        incoming = normalize(event) if event is not None else None
        if incoming is None:
            return False
        inbox_id = await self.engine.receive(incoming)
        if inbox_id is None:
            log.info("message", platform=PLATFORM, id=incoming.message_id, outcome="duplicate")
            return False
        self.dispatcher.submit(Job(inbox_id, incoming.user_id, incoming.chat_id))
        return True

    async def poll(self, *, poll_seconds: int = 10) -> None:
        """The one poller: each update is stored before anything else, since Zalo keeps none."""
        log.warning(
            "polling",
            platform=PLATFORM,
            note="Zalo forgets an update once handed out: a crash before it is stored loses it;"
            " use webhook mode in production",
        )
        await self.client.delete_webhook()
        failures = 0
        while not self._stopping.is_set():
            try:
                event = await self._get_update(poll_seconds)
            except ZaloAPIError as error:
                failures += 1
                wait = min(30.0, 0.5 * 2**failures)
                log.warning("poll", platform=PLATFORM, outcome="error", error=str(error))
                await self._sleep(wait)
                continue
            failures = 0
            if event is None:
                continue
            for attempt in range(5):
                try:
                    await self.accept(event)
                    break
                except Exception:  # not stored yet: Zalo will not give it again, so insist
                    log.exception("poll", platform=PLATFORM, outcome="not_stored", try_=attempt)
                    await self._sleep(0.5 * 2**attempt)

    async def _get_update(self, poll_seconds: int) -> dict[str, Any] | None:
        # Never cancelled, even on a stop: an update Zalo hands out is gone from its side, so a
        # poll in flight is finished and its update stored. Short polls keep a stop quick.
        return await self.client.get_updates(poll_seconds)

    async def _sleep(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def set_webhook(self, url: str, secret: str) -> None:
        """Registers the webhook with the current URL and secret, at every start.

        Zalo's ``getWebhookInfo`` shows the URL but not the secret, so a changed secret is only
        registered by calling ``setWebhook`` every time; skipping it would get every delivery
        afterwards refused with 401.
        """
        await self.client.set_webhook(url, secret)

    def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        self.stop()
        await self.dispatcher.drain()
        await self.delivery.close()
        await self.client.close()
