"""The Telegram adapter, on aiogram 3: the only module that imports aiogram.

aiogram is used as an HTTP client of the Bot API and for its types; its dispatcher is not, since
in its default modes it acknowledges an update before the handler finishes (research/reliability.md
§1). Here every update is stored in the inbox and committed first: in polling mode before the
offset moves past it, in webhook mode before the 200. Then the dispatcher processes it from the
inbox, its replies are queued in the outbox with the answer, and ``Delivery`` sends them through
``TelegramSender``, which keeps under Telegram's limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Awaitable, Callable
from contextlib import aclosing, suppress
from datetime import UTC
from functools import partial
from typing import Any, TypeVar

import aiohttp
import structlog
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot.artifacts import ArtifactStore
from bot.domain.chat import Attachment, Incoming, OutFile, Reply, button_data
from bot.engine import Engine, FileTooLarge, FileUnavailable
from bot.engine.core import Retry
from bot.platforms.dispatch import (
    ALBUM_QUIET_SECONDS,
    SWEEP_SECONDS,
    Delivery,
    Dispatcher,
    Job,
    SendFailed,
    SendLimits,
    SendRejected,
    Unreachable,
)
from bot.platforms.text import text_pieces
from handlers import messages as say

PLATFORM = "telegram"
MESSAGE_LIMIT = 4096
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB to bots
UPLOAD_LIMIT = 50 * 1024 * 1024  # and takes uploads up to 50 MB from them
PHOTO_LIMIT = 10 * 1024 * 1024  # a larger picture goes as a document
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
COMMANDS = tuple(say.TELEGRAM_COMMANDS.items())  # the menu: command, description

log = structlog.get_logger("tuanle.telegram")
T = TypeVar("T")


# Each ``Response[...]`` class aiogram parsed an answer with, by the method's return type.
_RESPONSES: dict[object, type[Response[Any]]] = {}


class _Session(AiohttpSession):
    """aiogram's HTTP session, keeping the class each answer is parsed with.

    aiogram builds ``Response[method.__returning__]`` for every answer (``check_response``);
    pydantic keeps a built generic class only weakly, so once the garbage collector frees it
    the next call builds it again (about 6% of the bot's CPU under a rush's profile). Holding
    each one here keeps pydantic's own cache hit: a handful of classes, one per return type.
    """

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSES:
            _RESPONSES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


def make_bot(token: str, api_base: str) -> Bot:
    """An aiogram Bot talking to ``api_base`` (the real Bot API, a local one, or a fake)."""
    session = _Session(api=TelegramAPIServer.from_base(api_base))
    return Bot(token, session=session, default=DefaultBotProperties())


def normalize(update: Update) -> Incoming | None:
    """The update as an ``Incoming``; None for what the bot does not serve (groups, bots…).

    The dedupe key is what the update carries, not its ``update_id``: update ids start again
    from a random number after a week of silence, while a message id is unique in its chat
    for good and a callback query id is unique everywhere. An edit is keyed by its message, its
    ``edit_date`` and its text (each edit is read once) and points at the message it edits.
    """
    edited = update.edited_message is not None
    message = update.edited_message if edited else update.message
    if message is not None:
        user = message.from_user
        if user is None or user.is_bot or message.chat.type != "private":
            return None
        # An edit is read for its text only: a file is sent again, never edited in.
        attachment: Attachment | None = None
        if message.photo and not edited:
            largest = message.photo[-1]
            attachment = Attachment(
                ref=largest.file_id, kind="photo", declared_size=largest.file_size
            )
        elif message.document is not None and not edited:
            document = message.document
            attachment = Attachment(
                ref=document.file_id,
                kind="document",
                declared_size=document.file_size,
                declared_name=document.file_name,
                declared_mime=document.mime_type,
            )
        key = f"m:{message.chat.id}:{message.message_id}"
        return Incoming(
            platform=PLATFORM,
            message_id=_edit_key(key, message.edit_date, message.text) if edited else key,
            chat_id=str(message.chat.id),
            user_id=str(user.id),
            user_name=user.full_name,
            text=message.text if attachment is None else None,
            attachment=attachment,
            album=message.media_group_id,
            sent_at=message.date.astimezone(UTC).isoformat(),
            edit_of=key if edited else None,
            forwarded=message.forward_origin is not None or message.forward_date is not None,
        )
    if update.callback_query is not None:
        query = update.callback_query
        if query.from_user.is_bot:
            return None
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Incoming(
            platform=PLATFORM,
            message_id=f"cb:{query.id}",
            chat_id=str(chat),
            user_id=str(query.from_user.id),
            user_name=query.from_user.full_name,
            button=query.data or "",
        )
    return None


def _edit_key(key: str, edit_date: int | None, text: str | None) -> str:
    """An edit's dedupe key: two edits within one second (``edit_date`` counts seconds) differ
    by their text, while a redelivered edit keeps its key."""
    digest = hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"e:{key.removeprefix('m:')}:{edit_date or 0}:{digest}"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Choices one per row, then the ways around the question two per row."""
    if not reply.choices and not reply.actions:
        return None
    rows = [
        [InlineKeyboardButton(text=c.label, callback_data=button_data(reply.version, c.key))]
        for c in reply.choices
    ]
    actions = [
        InlineKeyboardButton(text=a.label, callback_data=button_data(reply.version, a.key))
        for a in reply.actions
    ]
    rows += [actions[i : i + 2] for i in range(0, len(actions), 2)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class TelegramSender:
    """The one way a message leaves for Telegram: split, within the limits, one try per call.

    ``send`` raises instead of retrying, so ``Delivery`` keeps the message queued: Unreachable
    for a 403, SendFailed for a 429 (the chat paused for ``retry_after``), a 5xx or a network
    fault, SendRejected for a request Telegram refuses for good. ``call`` serves the requests
    that send nothing to a chat (commands, files, button acknowledgements) and retries itself;
    they take nothing of the messages' budget (Telegram's limits count messages), waiting out
    only a pause of the whole bot.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        limit: SendLimits | None = None,
        max_attempts: int = 6,
        artifacts: ArtifactStore | None = None,
    ) -> None:
        self._bot = bot
        self._limit = limit or SendLimits()
        self._max_attempts = max_attempts
        self._artifacts = artifacts  # where the files of a reply are read from

    @property
    def limits(self) -> SendLimits:
        """The pace this sender keeps (``Delivery`` tells it which chats are in a conversation)."""
        return self._limit

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        """Sends one reply: its text in pieces when long (the buttons go with the last one),
        then each of its files, a piece each, from piece ``skip_pieces`` on."""
        pieces = text_pieces(reply, MESSAGE_LIMIT)
        markup = keyboard(reply)
        for index, piece in enumerate(pieces):
            if index < skip_pieces:  # sent by an earlier try that failed on a later piece
                continue
            last = index == len(pieces) - 1
            request = partial(
                self._bot.send_message,
                chat_id=int(chat_id),
                text=piece,
                reply_markup=markup if last else None,
            )
            await self._attempt(chat_id, index, request)
        for offset, file in enumerate(reply.files):
            index = len(pieces) + offset
            if index >= skip_pieces:
                await self._attempt(chat_id, index, await self._file_request(chat_id, file))

    async def _file_request(self, chat_id: str, file: OutFile) -> Callable[[], Awaitable[object]]:
        """The request that sends one file: its upload, or the line sent instead."""
        target = int(chat_id)
        found = await self._upload(file)
        if isinstance(found, str):
            return partial(self._bot.send_message, chat_id=target, text=found)
        upload, as_photo = found
        if as_photo:
            return partial(self._bot.send_photo, chat_id=target, photo=upload)
        return partial(self._bot.send_document, chat_id=target, document=upload)

    async def _upload(self, file: OutFile) -> str | tuple[BufferedInputFile, bool]:
        """The file's bytes under its name (and whether it goes as a photo), or the line sent
        instead: when it expired, or is too large to upload (its link, when there is one)."""
        artifacts = self._artifacts
        stored = await artifacts.find(file.token) if artifacts is not None else None
        if artifacts is None or stored is None:
            return say.FILE_EXPIRED.format(name=file.name)
        if stored.size > UPLOAD_LIMIT:
            if artifacts.link(stored.token) is None:
                return say.FILE_TOO_LARGE_HERE.format(name=stored.name, size=stored.size >> 20)
            return artifacts.link_text(stored)
        try:
            data = await artifacts.read(stored)
        except FileNotFoundError:  # the store lost it: as good as expired
            return say.FILE_EXPIRED.format(name=file.name)
        as_photo = file.kind == "photo" and stored.size <= PHOTO_LIMIT
        return BufferedInputFile(data, filename=stored.name), as_photo

    async def _attempt(
        self, chat_id: str, index: int, request: Callable[[], Awaitable[object]]
    ) -> None:
        """One piece, tried once under the limits; a failure says how many pieces went before."""
        await self._limit.wait(chat_id)
        try:
            await request()
        except TelegramRetryAfter as error:
            self._limit.pause(chat_id, float(error.retry_after))
            raise SendFailed(
                "429", retry_after=float(error.retry_after), pieces_sent=index
            ) from None
        except TelegramForbiddenError:
            raise Unreachable(chat_id) from None
        except TelegramBadRequest as error:
            raise SendRejected(error.message) from None
        except (TelegramAPIError, ClientDecodeError, TimeoutError, OSError) as error:
            # Only the class: an aiohttp error's text may hold the URL, and the URL the token.
            raise SendFailed(type(error).__name__, pieces_sent=index) from None

    async def call(self, chat_id: str | None, request: Callable[[], Awaitable[T]]) -> T:
        """Runs one API request that sends no message: waits out 429, retries 5xx and timeouts."""
        attempt = 0
        while True:
            await self._limit.paused()
            try:
                return await request()
            except TelegramRetryAfter as error:
                attempt += 1
                if attempt >= self._max_attempts * 3:
                    raise
                log.info("send", chat=chat_id, outcome="retry_after", wait=error.retry_after)
                await asyncio.sleep(error.retry_after)
            except TelegramForbiddenError as error:
                raise Unreachable(chat_id) from error
            except (
                TelegramServerError,
                TelegramNetworkError,
                ClientDecodeError,  # a proxy's HTML error page instead of JSON
                TimeoutError,
            ) as error:
                attempt += 1
                if attempt >= self._max_attempts:
                    log.error("send", chat=chat_id, outcome="gave_up", error=type(error).__name__)
                    raise
                await asyncio.sleep(min(8.0, 0.25 * 2**attempt) * (0.5 + random.random()))  # noqa: S311 - jitter


class TelegramFetcher:
    """Downloads a file a person sent, refusing it before download when it is too large.

    The file URL holds the bot token, and aiohttp puts the URL in its errors' text; so every
    failure leaves here as FileUnavailable or FileTooLarge raised ``from None``, with no URL.
    """

    def __init__(self, bot: Bot, sender: TelegramSender, *, deadline_seconds: float = 60) -> None:
        self._bot = bot
        self._sender = sender
        self._deadline = deadline_seconds

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The file's bytes within the deadline; FileTooLarge or FileUnavailable otherwise."""
        limit = min(max_bytes, DOWNLOAD_LIMIT)
        if attachment.declared_size is not None and attachment.declared_size > limit:
            raise FileTooLarge("declared size")
        try:
            file = await self._sender.call(None, lambda: self._bot.get_file(attachment.ref))
        except TelegramBadRequest as error:
            if "too big" in str(error).lower():
                raise FileTooLarge("getFile") from None
            raise FileUnavailable("not_found") from None
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError, TimeoutError):
            raise FileUnavailable("unreachable") from None  # the sender has retried already
        if file.file_size is not None and file.file_size > limit:
            raise FileTooLarge("getFile")
        if file.file_path is None:
            raise FileUnavailable("not_found")
        url = self._bot.session.api.file_url(self._bot.token, file.file_path)
        reading = False
        received = bytearray()
        try:
            async with asyncio.timeout(self._deadline):
                stream = self._bot.session.stream_content(url, timeout=int(self._deadline) + 1)
                async with aclosing(stream):  # closes the response when the cap cuts it off
                    async for chunk in stream:
                        reading = True
                        received += chunk
                        if len(received) > limit:
                            raise FileTooLarge("download")
        except TimeoutError:
            raise FileUnavailable("too_slow" if reading else "timeout") from None
        except aiohttp.ClientResponseError as error:
            gone = error.status in (401, 403, 404, 410)
            raise FileUnavailable("not_found" if gone else "unreachable") from None
        except (aiohttp.ClientError, OSError, ValueError):
            raise FileUnavailable("unreachable") from None
        return bytes(received)


class TelegramAdapter:
    """Receives Telegram updates (polling or webhook) into the inbox and answers them."""

    def __init__(
        self,
        engine: Engine,
        bot: Bot,
        *,
        sender: TelegramSender | None = None,
        album_quiet: float = ALBUM_QUIET_SECONDS,
        fetch_seconds: float = 60,
        sweep_seconds: float = SWEEP_SECONDS,
        retry: Retry | None = None,
        exclusive: bool = False,
    ) -> None:
        self.engine = engine
        self.bot = bot
        self.sender = sender or TelegramSender(bot)
        self.fetcher = TelegramFetcher(bot, self.sender, deadline_seconds=fetch_seconds)
        self.delivery = Delivery(
            PLATFORM,
            engine.outbox,
            self.sender,
            sweep_seconds=sweep_seconds,
            exclusive=exclusive,
            retry=retry,
            limits=self.sender.limits,
        )
        self.dispatcher = Dispatcher(engine, self.fetcher, self.delivery, album_quiet=album_quiet)
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Registers the commands, sends what was left unsent, resumes what was not processed."""
        commands = [BotCommand(command=c, description=d) for c, d in COMMANDS]
        await self.sender.call(None, lambda: self.bot.set_my_commands(commands))
        await self.delivery.start()
        recovered = await self.dispatcher.recover(PLATFORM)
        log.info("start", platform=PLATFORM, recovered=recovered)

    async def accept(self, update: Update) -> bool:
        """Stores one update durably and queues it; False when it was a duplicate or ignored.

        Raises when the update could not be stored: it must then not be acknowledged.
        """
        incoming = normalize(update)
        if incoming is None:
            return False
        inbox_id = await self.engine.receive(incoming)
        if update.callback_query is not None:
            query_id = update.callback_query.id
            asyncio.create_task(self._answer_callback(query_id))  # noqa: RUF006 - best effort
        if inbox_id is None:
            log.info("message", platform=PLATFORM, id=incoming.message_id, outcome="duplicate")
            return False
        job = Job(inbox_id, incoming.user_id, incoming.chat_id, incoming.album)
        self.dispatcher.submit(job)
        return True

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self.sender.call(
                None, lambda: self.bot.answer_callback_query(callback_query_id=query_id)
            )
        except TelegramAPIError as error:
            log.warning("callback", outcome="not_answered", error=str(error))

    async def poll(self, *, poll_seconds: int = 25) -> None:
        """Long polling until ``stop``: the offset moves only past updates already stored."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self._get_updates(offset, poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure to fetch: back off, never stop polling
                failures += 1
                wait = getattr(error, "retry_after", None) or min(30.0, 0.5 * 2**failures)
                log.warning("poll", outcome="error", error=str(error), wait=wait)
                await self._sleep(float(wait))
                continue
            failures = 0
            for update in updates:
                try:
                    await self.accept(update)
                except Exception:  # not stored: keep the offset, fetch it again
                    log.exception("poll", update=update.update_id, outcome="not_stored")
                    await self._sleep(1.0)
                    break
                offset = update.update_id + 1

    async def _get_updates(self, offset: int | None, poll_seconds: int) -> list[Update]:
        request = asyncio.ensure_future(
            self.bot.get_updates(
                offset=offset,
                timeout=poll_seconds,
                allowed_updates=ALLOWED_UPDATES,
                request_timeout=poll_seconds + 10,
            )
        )
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({request, stop}, return_when=asyncio.FIRST_COMPLETED)
        if request in done:
            stop.cancel()
            return request.result()
        request.cancel()  # nothing in it was stored, so nothing is lost by dropping it
        return []

    async def _sleep(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )

    def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        """Finishes in-flight work, then closes the HTTP session."""
        self.stop()
        await self.dispatcher.drain()
        await self.delivery.close()
        await self.bot.session.close()
