"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

The real aiogram `Bot` (or any HTTP client) talks to it over `/bot<token>/<method>` with a JSON,
form or multipart body, and gets the Bot API's envelopes back. Users' actions become Updates that
getUpdates hands out until an offset confirms them, or that a background courier POSTs to the
webhook with the secret header, retried with backoff and in order per chat. Files users send are
served at `/file/bot<token>/<file_path>`. Where Telegram refuses something (text over 4096
characters, a file over 20 MB for getFile, callback_data over 64 bytes, an unchanged edit, an
unknown chat) the fake refuses it with the same code and description, so the bot meets those
answers in tests and not first in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

Json = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart call: its bytes, the file name and type the client gave."""

    data: bytes
    filename: str
    content_type: str


Files = dict[str, Upload]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # a header name, not a secret
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses larger files on the hosted Bot API
MAX_UPLOAD = 50 * 1024 * 1024

# Parameters that arrive JSON-serialized inside a form, and scalars a form sends as text.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections", "cache_time"}
)
BOOL_FIELDS = frozenset(
    {"drop_pending_updates", "show_alert", "disable_notification", "protect_content"}
)
# What getUpdates and webhooks deliver when allowed_updates is [] or was never given.
DEFAULT_UPDATE_TYPES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "callback_query"}
    | {"inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query"}
    | {"poll", "poll_answer", "my_chat_member", "chat_join_request", "business_message"}
)
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# What the proxy in front of Telegram answers when the backend is down: HTML, not JSON.
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
THUMBNAIL_SIZES = ((90, 68), (320, 240))
PHOTO_SIZE = (1280, 960)
STICKER_WEBP = (  # a 1x1 lossless WebP
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"
    b"/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)


@dataclass
class SentMessage:
    """One message the bot sent or edited: the text (a caption for photos and documents), its
    keyboard, and a photo's or a document's uploaded bytes (a document's with its file name)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: Json | None
    method: str
    photo: bytes | str | None = None
    params: Json = field(default_factory=dict, compare=False, repr=False)
    document: bytes | None = field(default=None, repr=False)
    file_name: str | None = None


class ApiError(Exception):
    """An `ok: false` answer; `status` 0 drops the connection instead of answering."""

    def __init__(
        self, status: int, description: str | None = None, *, retry_after: int | None = None
    ) -> None:
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = DESCRIPTIONS.get(status, "Error")
        self.status = status
        self.description = description
        self.retry_after = retry_after
        super().__init__(status, description)

    def response(self) -> web.Response:
        if self.status == 502:
            return web.Response(status=502, text=BAD_GATEWAY_HTML, content_type="text/html")
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    size: int

    def photo_size(self, width: int, height: int) -> Json:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": self.size,
        }


@dataclass(eq=False)
class _Pending:
    """A queued update; a redelivered copy is handed out once even below the offset."""

    update: Json
    redelivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")

    @property
    def chat(self) -> int:
        body = self.update[self.kind]
        chat = body.get("chat") or (body.get("message") or {}).get("chat") or body.get("from")
        return int(chat["id"]) if chat else 0


def _now() -> int:
    return int(time.time())


def _int(params: Json, name: str, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None or isinstance(value, int):
        return value
    raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer')


def _chat_id(params: Json) -> int:
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise ApiError(400, "Bad Request: chat_id is empty")
    if not isinstance(chat_id, int):
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def _normalize(raw: Json) -> Json:
    """Decodes JSON-serialized fields and the scalars a form sends as text."""
    params = dict(raw)
    for name, value in raw.items():
        if not isinstance(value, str):
            continue
        if name in JSON_FIELDS:
            try:
                params[name] = json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        elif name in INT_FIELDS and re.fullmatch(r"-?\d+", value):
            params[name] = int(value)
        elif name in BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
            params[name] = value.lower() in ("true", "1")
    return params


async def _read_multipart(reader: aiohttp.MultipartReader) -> tuple[Json, Files]:
    params: Json = {}
    files: Files = {}
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            files[part.name] = Upload(bytes(await part.read()), part.filename, content_type)
        else:
            params[part.name] = await part.text()
    return params, files


async def _read_request(request: web.Request) -> tuple[Json, Files]:
    """The call's parameters from the query string and a JSON, form or multipart body."""
    raw: Json = dict(request.query)
    files: Files = {}
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: the request body must be a JSON object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            params, files = await _read_multipart(await request.multipart())
            raw.update(params)
        elif request.content_type == "application/x-www-form-urlencoded":
            form = await request.post()
            raw.update({key: value for key, value in form.items() if isinstance(value, str)})
    return _normalize(raw), files


def _check_markup(markup: object) -> Json | None:
    """The reply_markup as Telegram would store it, refused the way Telegram refuses it."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
            "must be an Array of Arrays",
        )
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not button.get("text"):
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if len(button) < 2:
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return markup


class FakeTelegram:
    """The Bot API and its users, on a random loopback port."""

    def __init__(
        self,
        token: str = "123456:TEST-token",  # noqa: S107  # a fake's token
        *,
        first_update_id: int = 1000,
    ) -> None:
        self.token = token
        self.base_url = ""
        self.next_update_id = first_update_id  # a test may set it lower: ids restart after idle
        # Telegram answers "chat not found" to a chat that never wrote to the bot.
        self.known_chats_only = True
        self.blocked: set[int] = set()
        self.webhook_attempts = 20
        self.webhook_backoff = 0.2
        self.webhook_backoff_cap = 2.0
        self.webhook_timeout = 10.0
        # What the bot did.
        self.sent: list[SentMessage] = []
        # Calls being answered now (long polls aside): 0 once a killed client's last
        # requests are all handled.
        self.answering = 0
        self.callback_answers: list[Json] = []
        self.commands: list[Json] | None = None
        self.offsets: list[int] = []
        self.calls: list[tuple[str, Json]] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.deleted: list[tuple[int, int]] = []
        self.downloads: list[str] = []
        self.webhook: Json | None = None
        self.deliveries: list[tuple[int, int]] = []
        self.dropped_pending = False
        self.allowed_updates: list[str] | None = None
        self.last_webhook_error: tuple[int, str] | None = None
        # State.
        self.updates: dict[int, Json] = {}
        self._queue: list[_Pending] = []
        self._files: dict[str, _File] = {}
        self._paths: dict[str, _File] = {}
        self._messages: dict[tuple[int, int], Json] = {}
        self._next_message_id: dict[int, int] = {}
        self._names: dict[int, str] = {}
        self._open_queries: set[str] = set()
        self._failures: dict[str, deque[ApiError]] = {}
        self._download_failures: deque[int] = deque()
        self.download_delay = 0.0  # seconds each file download waits before answering
        self._ids = itertools.count(1)
        self._poll_generation = 0
        self._wake = asyncio.Event()
        self._closing = False
        self._busy: set[int] = set()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._courier: asyncio.Task[None] | None = None
        handlers: dict[str, Callable[[Json, Files], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getFile": self._get_file,
        }
        # Method names are case-insensitive in the Bot API.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listens on a free port of 127.0.0.1 and starts the webhook courier."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # Cancelling a long poll whose client has gone, as Telegram forgets it.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()
        self._courier = asyncio.create_task(self._deliver_forever())

    async def stop(self) -> None:
        """Answers open long polls, ends deliveries and closes the server."""
        self._closing = True
        self._notify()
        tasks = [t for t in (self._courier, *self._deliveries) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- what users do -----------------------------------------------------------------------

    def send_text(self, user_id: int, text: str, *, first_name: str = "Lan") -> int:
        """A user writes to the bot in a private chat; returns the update_id."""
        return self._user_message(user_id, first_name, {"text": text})

    def send_photo(
        self,
        user_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        declared_size: int | None = None,
    ) -> int:
        """A user sends a photo: two thumbnails of other bytes, then `data` as the largest size.

        Args:
            declared_size: the largest size's file_size, when a test wants it to lie.
        """
        sizes = [
            self._register(b"fake-thumbnail-%d" % n, None, "photos", "jpg").photo_size(w, h)
            for n, (w, h) in enumerate(THUMBNAIL_SIZES)
        ]
        sizes.append(self._register(data, declared_size, "photos", "jpg").photo_size(*PHOTO_SIZE))
        content: Json = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._user_message(user_id, self._names.get(user_id, "Lan"), content)

    def send_document(
        self,
        user_id: int,
        data: bytes,
        *,
        file_name: str,
        mime_type: str,
        declared_size: int | None = None,
    ) -> int:
        """A user sends a file as a document, with the name and type their phone claims."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        file = self._register(data, declared_size, "documents", extension)
        document = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file.size,
        }
        return self._user_message(user_id, self._names.get(user_id, "Lan"), {"document": document})

    def edit_text(self, update_id: int, text: str) -> int:
        """The user edits the text of the message they sent in update `update_id`."""
        message = copy.deepcopy(self.updates[update_id]["message"])
        message["text"] = text
        message["edit_date"] = max(_now(), int(message["date"]))
        return self._new_update("edited_message", message)

    def forward_text(self, user_id: int, text: str, *, sender_name: str = "Hiệu trưởng") -> int:
        """The user forwards someone else's text message to the bot."""
        origin = {"type": "hidden_user", "date": _now() - 60, "sender_user_name": sender_name}
        content: Json = {"text": text, "forward_origin": origin}
        return self._user_message(user_id, self._names.get(user_id, "Lan"), content)

    def send_sticker(self, user_id: int) -> int:
        """A user sends a sticker, which carries no text."""
        file = self._register(STICKER_WEBP, None, "stickers", "webp")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": file.size,
        }
        return self._user_message(user_id, self._names.get(user_id, "Lan"), {"sticker": sticker})

    def press_button(self, user_id: int, message_id: int, data: str) -> int:
        """A user presses an inline button under message `message_id` of their chat."""
        message = copy.deepcopy(self._messages.get((user_id, message_id))) or {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": self._chat(user_id),
            "date": _now(),
            "text": "",
        }
        query_id = str(4_000_000_000_000 + next(self._ids))
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self._user(user_id, self._names.get(user_id, "Lan")),
            "message": message,
            "chat_instance": str(-(user_id * 7919 % 10**12) - 1),
            "data": data,
        }
        return self._new_update("callback_query", query)

    def redeliver(self, update_id: int) -> None:
        """Queues the same update again, as a duplicate delivery would."""
        if update_id not in self.updates:
            raise KeyError(f"no update {update_id}; known: {sorted(self.updates)[-5:]}")
        self._enqueue(_Pending(copy.deepcopy(self.updates[update_id]), redelivered=True))

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send to them answers 403."""
        self.blocked.add(user_id)

    # -- what the bot did --------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Every message sent or edited in one chat, oldest first."""
        return [s for s in self.sent if s.chat_id == chat_id]

    @property
    def pending(self) -> int:
        """Updates not yet confirmed by an offset nor acknowledged by the webhook."""
        return len(self._queue)

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` fail and do nothing.

        Args:
            status: the HTTP status and error_code; 502 answers an HTML page, 0 drops the
                connection without an answer.
            description: defaults to Telegram's words for the status.
        """
        failures = self._failures.setdefault(method.lower(), deque())
        failures.extend(
            ApiError(status, description, retry_after=retry_after) for _ in range(times)
        )

    def recover(self, method: str) -> None:
        """Failures still queued for `method` are dropped: the platform works again."""
        self._failures.pop(method.lower(), None)

    def fail_next_download(self, status: int, *, times: int = 1) -> None:
        """The next `times` file downloads answer `status` (0 drops the connection), after a
        getFile that succeeded: a file gone from Telegram's side, or the network breaking."""
        self._download_failures.extend([status] * times)

    # The name `timeout` is the e2e tests' shared vocabulary (the Zalo fake has the same).
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:  # noqa: ASYNC109
        """Returns once `predicate()` holds; after `timeout` seconds fails with what happened."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                calls = [name for name, _ in self.calls[-10:]]
                sent = [(s.chat_id, s.method, s.text[:60]) for s in self.sent[-5:]]
                raise AssertionError(
                    f"condition still false after {timeout} s; pending updates "
                    f"{[p.update_id for p in self._queue]}; last calls {calls}; "
                    f"last sent {sent}; webhook deliveries {self.deliveries[-5:]}"
                )
            await asyncio.sleep(0.01)

    # -- updates -----------------------------------------------------------------------------

    def _user(self, user_id: int, first_name: str) -> Json:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _chat(self, chat_id: int) -> Json:
        return {"id": chat_id, "type": "private", "first_name": self._names.get(chat_id, "Lan")}

    def _bot_user(self) -> Json:
        return {
            "id": int(self.token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Tuần lễ học tập",
            "username": "tuanle_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message_id(self, chat_id: int) -> int:
        """The next id in a private chat, shared by the user's and the bot's messages."""
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _user_message(self, user_id: int, first_name: str, content: Json) -> int:
        self._names[user_id] = first_name
        message = {
            "message_id": self._message_id(user_id),
            "from": self._user(user_id, first_name),
            "chat": self._chat(user_id),
            "date": _now(),
            **content,
        }
        return self._new_update("message", message)

    def _new_update(self, kind: str, body: Json) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        update = {"update_id": update_id, kind: body}
        self.updates[update_id] = update
        self._enqueue(_Pending(copy.deepcopy(update)))
        return update_id

    def _enqueue(self, pending: _Pending) -> None:
        # allowed_updates filters when an update is created, not when it is fetched.
        allowed = self.allowed_updates or DEFAULT_UPDATE_TYPES
        if pending.kind in allowed:
            self._queue.append(pending)
            self._notify()

    def _register(self, data: bytes, declared_size: int | None, folder: str, ext: str) -> _File:
        n = next(self._ids)
        file = _File(
            file_id=f"AgAC{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}",
            file_path=f"{folder}/file_{n}.{ext}",
            data=data,
            size=len(data) if declared_size is None else declared_size,
        )
        self._files[file.file_id] = file
        self._paths[file.file_path] = file
        return file

    def _notify(self) -> None:
        """Wakes every long poll and the courier to look at the queue and the webhook again."""
        self._wake.set()
        self._wake = asyncio.Event()

    async def _wait(self, seconds: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    # -- webhook courier ---------------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        """Starts one delivery per chat at a time, each chat's updates in their order."""
        while True:
            hook = self.webhook
            if hook is not None:
                heads: set[int] = set()
                for pending in list(self._queue):
                    chat = pending.chat
                    if chat in heads:
                        continue
                    heads.add(chat)
                    if chat in self._busy:
                        continue
                    if len(self._busy) >= int(hook.get("max_connections") or 40):
                        break
                    self._busy.add(chat)
                    task = asyncio.create_task(self._deliver(pending))
                    self._deliveries.add(task)
                    task.add_done_callback(self._deliveries.discard)
            await self._wait(None)

    async def _deliver(self, pending: _Pending) -> None:
        """POSTs one update until it gets a 2xx; gives up and drops it after the attempts."""
        delay = self.webhook_backoff
        try:
            for attempt in range(self.webhook_attempts):
                hook = self.webhook
                if hook is None or pending not in self._queue:
                    return  # back to getUpdates, or dropped meanwhile
                status = await self._post(hook, pending.update)
                self.deliveries.append((pending.update_id, status))
                if 200 <= status < 300:
                    break
                if attempt + 1 < self.webhook_attempts:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.webhook_backoff_cap)
            with contextlib.suppress(ValueError):
                self._queue.remove(pending)
        finally:
            self._busy.discard(pending.chat)
            self._notify()

    async def _post(self, hook: Json, update: Json) -> int:
        """One POST; the HTTP status, or 0 when the connection failed or timed out."""
        assert self._http is not None
        secret = hook.get("secret_token")
        headers = {SECRET_HEADER: str(secret)} if secret else {}
        try:
            async with self._http.post(
                hook["url"],
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    reason = (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                    self.last_webhook_error = (_now(), reason)
                return response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            self.last_webhook_error = (_now(), f"Connection failed: {type(error).__name__}")
            return 0

    # -- HTTP --------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        """Answers one call, counted in ``answering`` meanwhile (long polls aside)."""
        polls = request.match_info["method"].lower() == "getupdates"
        self.answering += 0 if polls else 1
        try:
            return await self._answer(request)
        finally:
            self.answering -= 0 if polls else 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return ApiError(401).response()
        try:
            params, files = await _read_request(request)
            return web.json_response(
                {
                    "ok": True,
                    "result": await self._call(request.match_info["method"], params, files),
                }
            )
        except ApiError as error:
            if error.status == 0:  # a dropped connection: no answer at all
                if request.transport is not None:
                    request.transport.abort()
                return web.Response()
            return error.response()

    async def _call(self, method: str, params: Json, files: Files) -> Any:
        """Records the call, applies an injected failure, then runs the method."""
        name, handler = self._methods.get(method.lower(), (method, None))
        self.calls.append((name, params))
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        failures = self._failures.get(method.lower())
        if failures:
            raise failures.popleft()
        return await handler(params, files)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401).response()
        path = request.match_info["path"]
        self.downloads.append(path)
        if self.download_delay:
            await asyncio.sleep(self.download_delay)
        if self._download_failures:
            status = self._download_failures.popleft()
            if status == 0 and request.transport is not None:
                request.transport.abort()
                return web.Response()
            return ApiError(status).response()
        file = self._paths.get(path)
        if file is None:
            return ApiError(404).response()
        return web.Response(body=file.data, content_type="application/octet-stream")

    # -- methods ---------------------------------------------------------------------------

    async def _get_me(self, params: Json, files: Files) -> Json:
        return self._bot_user()

    async def _get_updates(self, params: Json, files: Files) -> list[Json]:
        """Confirms below the offset, then returns what is pending or waits for it."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = _int(params, "offset")
        limit = min(max(_int(params, "limit", 100) or 100, 1), 100)
        timeout = max(_int(params, "timeout", 0) or 0, 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        if offset is not None:
            self.offsets.append(offset)
            if offset < 0:  # keep only the last -offset updates
                self._queue = self._queue[offset:]
                offset = None
            else:
                self._queue = [p for p in self._queue if p.update_id >= offset or p.redelivered]
        # A newer getUpdates ends an older one, as when a second instance starts.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            if self.webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            batch = [
                p for p in self._queue if offset is None or p.update_id >= offset or p.redelivered
            ][:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                for pending in batch:
                    pending.redelivered = False
                return [copy.deepcopy(p.update) for p in batch]
            await self._wait(remaining)

    async def _set_webhook(self, params: Json, files: Files) -> bool:
        url = str(params.get("url") or "")
        if not url:  # the Bot API's way to remove the webhook
            return await self._delete_webhook(params, files)
        # Telegram demands HTTPS on a public address; the fake takes loopback HTTP too.
        if not url.startswith(("https://", "http://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = _int(params, "max_connections", 40) or 40
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        self._drop_pending(params)
        self.webhook = {
            "url": url,
            "secret_token": str(secret) if secret is not None else None,
            "max_connections": max_connections,
            "allowed_updates": self.allowed_updates,
        }
        self._notify()
        return True

    async def _delete_webhook(self, params: Json, files: Files) -> bool:
        self._drop_pending(params)
        self.webhook = None
        self._notify()
        return True

    def _drop_pending(self, params: Json) -> None:
        if params.get("drop_pending_updates") is True:
            self.dropped_pending = True
            self._queue.clear()

    async def _get_webhook_info(self, params: Json, files: Files) -> Json:
        info: Json = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook["max_connections"]
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
            if self.last_webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self.last_webhook_error
        return info

    def _writable_chat(self, params: Json) -> int:
        chat_id = _chat_id(params)
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.known_chats_only and chat_id not in self._names:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _text(self, params: Json, name: str, limit: int, *, required: bool) -> str:
        value = params.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, "Bad Request: message text is empty")
            return ""
        text = str(value)
        if required and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > limit:
            what = "message" if name == "text" else "message caption"
            raise ApiError(400, f"Bad Request: {what} is too long")
        return text

    def _bot_message(self, chat_id: int, content: Json, markup: Json | None) -> Json:
        message = {
            "message_id": self._message_id(chat_id),
            "from": self._bot_user(),
            "chat": self._chat(chat_id),
            "date": _now(),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    async def _send_message(self, params: Json, files: Files) -> Json:
        chat_id = self._writable_chat(params)
        text = self._text(params, "text", MAX_TEXT, required=True)
        markup = _check_markup(params.get("reply_markup"))
        message = self._bot_message(chat_id, {"text": text}, markup)
        self.sent.append(
            SentMessage(chat_id, message["message_id"], text, markup, "sendMessage", params=params)
        )
        return message

    def _editable(self, params: Json) -> tuple[int, Json]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: the fake does not implement inline messages")
        chat_id = _chat_id(params)
        message_id = _int(params, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat_id, message

    def _record_edit(self, method: str, chat_id: int, message: Json, params: Json) -> Json:
        message["edit_date"] = _now()
        text = str(message.get("text") or message.get("caption") or "")
        markup = message.get("reply_markup")
        self.sent.append(
            SentMessage(chat_id, message["message_id"], text, markup, method, params=params)
        )
        return copy.deepcopy(message)

    async def _edit_message_text(self, params: Json, files: Files) -> Json:
        chat_id, message = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = self._text(params, "text", MAX_TEXT, required=True)
        markup = _check_markup(params.get("reply_markup"))  # absent: the keyboard goes
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        return self._record_edit("editMessageText", chat_id, message, params)

    async def _edit_message_reply_markup(self, params: Json, files: Files) -> Json:
        chat_id, message = self._editable(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        return self._record_edit("editMessageReplyMarkup", chat_id, message, params)

    async def _delete_message(self, params: Json, files: Files) -> bool:
        chat_id = _chat_id(params)
        message_id = _int(params, "message_id")
        if self._messages.pop((chat_id, message_id or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.deleted.append((chat_id, message_id or 0))
        return True

    def _upload(self, params: Json, files: Files, name: str) -> Upload | None:
        """The file uploaded for parameter ``name``: by ``attach://<part>`` or as the part."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return files.get(value.removeprefix("attach://"))
        return files.get(name) if value is None else None

    async def _send_photo(self, params: Json, files: Files) -> Json:
        chat_id = self._writable_chat(params)
        photo = params.get("photo")
        upload = self._upload(params, files, "photo")
        data = upload.data if upload is not None else None
        if data is None and not (
            isinstance(photo, str) and (photo in self._files or photo.startswith("http"))
        ):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        markup = _check_markup(params.get("reply_markup"))
        if data is not None:
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            stored = self._register(data, None, "photos", "jpg")
        elif isinstance(photo, str) and photo in self._files:
            stored = self._files[photo]
        else:
            stored = self._register(b"", None, "photos", "jpg")
        content: Json = {"photo": [stored.photo_size(*PHOTO_SIZE)]}
        if caption:
            content["caption"] = caption
        message = self._bot_message(chat_id, content, markup)
        self.sent.append(
            SentMessage(
                chat_id,
                message["message_id"],
                caption,
                markup,
                "sendPhoto",
                photo=data if data is not None else str(photo),
                params=params,
            )
        )
        return message

    async def _send_document(self, params: Json, files: Files) -> Json:
        """A document uploaded as a multipart file (the fake takes no URL or file_id here)."""
        chat_id = self._writable_chat(params)
        upload = self._upload(params, files, "document")
        if upload is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if not upload.data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        markup = _check_markup(params.get("reply_markup"))
        extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
        stored = self._register(upload.data, None, "documents", extension)
        content: Json = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": stored.size,
            }
        }
        if caption:
            content["caption"] = caption
        message = self._bot_message(chat_id, content, markup)
        self.sent.append(
            SentMessage(
                chat_id,
                message["message_id"],
                caption,
                markup,
                "sendDocument",
                params=params,
                document=upload.data,
                file_name=upload.filename,
            )
        )
        return message

    async def _send_chat_action(self, params: Json, files: Files) -> bool:
        chat_id = self._writable_chat(params)
        action = str(params.get("action") or "")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    async def _answer_callback_query(self, params: Json, files: Files) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:  # unknown, or answered already
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired "
                "or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        self.callback_answers.append(params)
        return True

    async def _set_my_commands(self, params: Json, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.fullmatch(
                str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _delete_my_commands(self, params: Json, files: Files) -> bool:
        self.commands = None
        return True

    async def _get_my_commands(self, params: Json, files: Files) -> list[Json]:
        return list(self.commands or [])

    async def _get_file(self, params: Json, files: Files) -> Json:
        file = self._files.get(str(params.get("file_id") or ""))
        if file is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if file.size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
            "file_path": file.file_path,
        }
