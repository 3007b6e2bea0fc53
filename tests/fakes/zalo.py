"""A fake Zalo Bot Platform API on 127.0.0.1 for end-to-end tests.

It answers `/bot<token>/<method>` the way `research/zalo.md` describes the real service: one event
per getUpdates with no offset, taken off the queue as it is answered (at-most-once); error 408 when
a long poll finds nothing; texts of 1-2000 characters; webhooks POSTed flat (as seen live) or
wrapped (as the docs draw them) with `X-Bot-Api-Secret-Token`, retried on failure; and users'
photos as URLs that this same server serves under `/media/`. Where the research is uncertain the
choice is an attribute a test can flip: `errors_as_http_status`, `webhook_body_shape`,
`webhook_blocks_polling`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
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

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # a header name, not a secret
MAX_TEXT = 2000

# The labels of the docs' error table; 409 is this fake's own (Zalo documents no code for it).
DESCRIPTIONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Internal server error",
    404: "Not found",
    408: "Request timeout",
    409: "Conflict: webhook is active, call deleteWebhook before getUpdates",
    429: "Quota exceeded",
}

# A 1x1 transparent PNG: what a sticker's `url` serves.
STICKER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


@dataclass
class ZaloSent:
    """One thing the bot sent: a message, a photo, a sticker or a chat action."""

    chat_id: str
    text: str
    method: str
    photo: str | None = None
    message_id: str | None = None
    action: str | None = None
    params: Json = field(default_factory=dict)


class ApiError(Exception):
    """An `ok: false` answer."""

    def __init__(self, error_code: int, description: str | None = None) -> None:
        self.error_code = error_code
        self.description = description or DESCRIPTIONS.get(error_code, "Error")
        super().__init__(error_code, self.description)


_NO_RESULT: Any = object()  # sendChatAction answers a bare {"ok": true}, as the docs show


def _now_ms() -> int:
    return int(time.time() * 1000)


def _required(params: Json, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(400, f"{name} is required")
    return str(value)


def _text(params: Json, name: str, *, required: bool) -> str | None:
    value = params.get(name)
    if value is None and not required:
        return None
    text = "" if value is None else str(value)
    if not text:
        raise ApiError(400, f"{name} is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, f"{name} is too long")
    return text


def _seconds(value: object) -> float:
    """getUpdates' `timeout`: documented as a string of seconds, accepted as a number too."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            return max(0.0, float(value))
    raise ApiError(400, "timeout must be a number of seconds")


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def _params(request: web.Request) -> Json:
    """The call's parameters from the query string and a JSON, form or multipart body."""
    params: Json = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Body must be a JSON object")
        params.update(body)
    else:
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


class FakeZalo:
    """The Zalo Bot API and its users, on a random loopback port."""

    def __init__(self, token: str = "1234567890:fake-zalo-secret") -> None:  # noqa: S107  # fake
        self.token = token
        self.base_url = ""
        # Flip these to run a test under each reading of the research.
        self.errors_as_http_status = False
        self._webhook_body_shape = "flat"
        self.webhook_blocks_polling = True
        self.webhook_attempts = 15
        self.webhook_backoff = 0.2
        self.webhook_backoff_cap = 2.0
        self.webhook_timeout = 10.0
        # What the bot did.
        self.sent: list[ZaloSent] = []
        # Calls being answered now (long polls aside): 0 once a killed client's last
        # requests are all handled.
        self.answering = 0
        self.calls: list[tuple[str, Json]] = []
        self.webhook: dict[str, str] | None = None
        self.webhook_updated_at = 0
        self.deliveries: list[tuple[str, int]] = []
        # What users posted: name -> (bytes, Content-Type), and each GET of it.
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_fetches: list[str] = []
        self._events: dict[str, Json] = {}
        self._pending: deque[Json] = deque()
        self._failures: dict[str, deque[ApiError | None]] = {}  # None: this call works
        self._wake = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._courier: asyncio.Task[None] | None = None
        self._methods: dict[str, Callable[[Json, web.Request], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    @property
    def webhook_body_shape(self) -> str:
        """ "flat" posts `{event_name, message}` (seen live); "wrapped" the docs' envelope."""
        return self._webhook_body_shape

    @webhook_body_shape.setter
    def webhook_body_shape(self, shape: str) -> None:
        if shape not in ("flat", "wrapped"):
            raise ValueError(f"webhook_body_shape must be 'flat' or 'wrapped', not {shape!r}")
        self._webhook_body_shape = shape

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listens on 127.0.0.1 and starts the webhook courier."""
        app = web.Application()
        app.router.add_route("GET", "/bot{token}/{method}", self._api)
        app.router.add_route("POST", "/bot{token}/{method}", self._api)
        app.router.add_get("/media/{name}", self._serve_media)
        # Cancelling a long poll whose client has gone keeps it from taking the next event.
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
        """Ends long polls and deliveries, then closes the server."""
        self._closing = True
        self._notify()
        if self._courier is not None:
            self._courier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._courier
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

    def send_text(self, user_id: str, text: str, *, display_name: str = "Cô Lan") -> str:
        """A user sends text; returns the message_id."""
        return self._post_event("message.text.received", user_id, display_name, {"text": text})

    def send_image(
        self,
        user_id: str,
        data: bytes,
        *,
        caption: str | None = None,
        content_type: str = "image/jpeg",
        use_legacy_photo_field: bool = False,
        display_name: str = "Cô Lan",
    ) -> str:
        """A user sends a photo, served at /media/<message_id>.jpg with the given Content-Type.

        Args:
            content_type: what the media URL claims, which may lie about the bytes.
            use_legacy_photo_field: put the URL in `photo` (the docs' table) not `photo_url`.
        """
        message_id = secrets.token_hex(10)
        name = f"{message_id}.jpg"
        self.media[name] = (data, content_type)
        content: Json = {"photo" if use_legacy_photo_field else "photo_url": self._media_url(name)}
        if caption is not None:
            content["caption"] = caption
        content["message_type"] = "CHAT_PHOTO"
        return self._post_event(
            "message.image.received", user_id, display_name, content, message_id=message_id
        )

    def send_sticker(self, user_id: str, *, display_name: str = "Cô Lan") -> str:
        """A user sends a sticker: an id and an image URL, nothing the bot can read."""
        message_id = secrets.token_hex(10)
        name = f"{message_id}.png"
        self.media[name] = (STICKER_PNG, "image/png")
        content = {"sticker": secrets.token_hex(4), "url": self._media_url(name)}
        return self._post_event(
            "message.sticker.received", user_id, display_name, content, message_id=message_id
        )

    def send_unsupported(self, user_id: str, *, display_name: str = "Cô Lan") -> str:
        """A user sends something Zalo withholds (a link, a protected sender): no content."""
        return self._post_event("message.unsupported.received", user_id, display_name, {})

    def send_event(
        self, event_name: str, user_id: str, content: Json, *, display_name: str = "Cô Lan"
    ) -> str:
        """Any event with any content (a photo URL of the test's choosing, an odd event kind)."""
        return self._post_event(event_name, user_id, display_name, content)

    def redeliver(self, message_id: str) -> None:
        """The same event again, as a retrying or duplicating server would."""
        self._enqueue(copy.deepcopy(self._events[message_id]))

    def event(self, message_id: str) -> Json:
        """The event as it was sent, to build a webhook POST by hand."""
        return copy.deepcopy(self._events[message_id])

    # -- what the bot did --------------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[ZaloSent]:
        """The texts and photos (by URL, with their captions) sent to one chat, oldest first."""
        shown = ("sendMessage", "sendPhoto")
        return [s for s in self.sent if s.chat_id == chat_id and s.method in shown]

    @property
    def pending(self) -> int:
        """Events waiting for a getUpdates or a webhook delivery."""
        return len(self._pending)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        times: int = 1,
        description: str | None = None,
        after: int = 0,
    ) -> None:
        """After `after` calls that work, the next `times` calls of `method` answer ok:false
        with this error, doing nothing."""
        queue = self._failures.setdefault(method, deque())
        queue.extend(None for _ in range(after))
        queue.extend(ApiError(error_code, description) for _ in range(times))

    def recover(self, method: str) -> None:
        """Failures still queued for `method` are dropped: the platform works again."""
        self._failures.pop(method, None)

    # The `timeout` argument matches the Telegram fake's wait_for, which the e2e tests share.
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:  # noqa: ASYNC109
        """Returns once `predicate()` holds; raises TimeoutError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"condition still false after {timeout} s")
            await asyncio.sleep(0.01)

    # -- events ------------------------------------------------------------------------------

    def _media_url(self, name: str) -> str:
        if not self.base_url:
            raise RuntimeError("start() the fake before users send media")
        return f"{self.base_url}/media/{name}"

    def _post_event(
        self,
        event_name: str,
        user_id: str,
        display_name: str,
        content: Json,
        *,
        message_id: str | None = None,
    ) -> str:
        message_id = message_id or secrets.token_hex(10)
        message: Json = {
            "message_id": message_id,
            "date": _now_ms(),
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            **content,
        }
        event = {"event_name": event_name, "message": message}
        self._events[message_id] = event
        self._enqueue(copy.deepcopy(event))
        return message_id

    def _enqueue(self, event: Json) -> None:
        self._pending.append(event)
        self._notify()

    def _notify(self) -> None:
        """Wakes every long poll and the courier to look at the queue and the webhook again."""
        self._wake.set()
        self._wake = asyncio.Event()

    async def _wait(self, seconds: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    # -- webhook courier ---------------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        """POSTs queued events to the webhook one at a time, in order."""
        while True:
            if self.webhook is None or not self._pending:
                await self._wait(None)
                continue
            event = self._pending.popleft()
            if not await self._deliver(event):
                self._pending.appendleft(event)  # the webhook went away: back to getUpdates
                self._notify()

    async def _deliver(self, event: Json) -> bool:
        """Tries one event with backoff; False if the webhook was removed before it got in.

        An event that fails every attempt is dropped, as a server that gives up would.
        """
        delay = self.webhook_backoff
        for attempt in range(self.webhook_attempts):
            hook = self.webhook
            if hook is None:
                return False
            status = await self._post(hook, event)
            self.deliveries.append((event["message"]["message_id"], status))
            if 200 <= status < 300:
                return True
            if attempt + 1 < self.webhook_attempts:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.webhook_backoff_cap)
        return True

    async def _post(self, hook: dict[str, str], event: Json) -> int:
        """One POST; the HTTP status, or 0 when the connection failed or timed out."""
        body = event if self.webhook_body_shape == "flat" else {"ok": True, "result": event}
        assert self._http is not None
        try:
            async with self._http.post(
                hook["url"],
                json=body,
                headers={SECRET_HEADER: hook["secret_token"]},
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    # -- HTTP --------------------------------------------------------------------------------

    async def _serve_media(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.media_fetches.append(name)
        if name not in self.media:
            raise web.HTTPNotFound()
        data, content_type = self.media[name]
        return web.Response(body=data, headers={"Content-Type": content_type})

    async def _api(self, request: web.Request) -> web.Response:
        """Answers one call, counted in ``answering`` meanwhile (long polls aside)."""
        polls = request.match_info["method"].lower() == "getupdates"
        self.answering += 0 if polls else 1
        try:
            return await self._answer(request)
        finally:
            self.answering -= 0 if polls else 1

    async def _answer(self, request: web.Request) -> web.Response:
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401)
            params = await _params(request)
            method = request.match_info["method"]
            self.calls.append((method, params))
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError(404, f"Method {method} not found")
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
            if failure is not None:
                raise failure
            result = await handler(params, request)
        except ApiError as error:
            return self._error(error)
        body: Json = {"ok": True}
        if result is not _NO_RESULT:
            body["result"] = result
        return web.json_response(body)

    def _error(self, error: ApiError) -> web.Response:
        status = 200
        if self.errors_as_http_status:
            status = error.error_code if 400 <= error.error_code < 600 else 500
        body = {"ok": False, "error_code": error.error_code, "description": error.description}
        return web.json_response(body, status=status)

    # -- methods -----------------------------------------------------------------------------

    async def _get_me(self, params: Json, request: web.Request) -> Json:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": "bot.tuanle",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: Json, request: web.Request) -> Json:
        """One event or error 408; the event leaves the queue as it is answered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _seconds(params.get("timeout", 30))
        while True:
            if self.webhook is not None and self.webhook_blocks_polling:
                raise ApiError(409)
            if self._closing or _gone(request):
                raise ApiError(408)
            if self._pending and self.webhook is None:
                return self._pending.popleft()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ApiError(408)
            await self._wait(remaining)

    async def _set_webhook(self, params: Json, request: web.Request) -> Json:
        url = _required(params, "url")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "url must be an HTTPS URL")
        secret = str(params.get("secret_token") or "")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        self.webhook_updated_at = _now_ms()
        self._notify()
        return {"url": url, "updated_at": self.webhook_updated_at}

    async def _delete_webhook(self, params: Json, request: web.Request) -> Json:
        self.webhook = None
        self.webhook_updated_at = _now_ms()
        self._notify()
        return {"url": "", "updated_at": self.webhook_updated_at}

    async def _get_webhook_info(self, params: Json, request: web.Request) -> Json:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "updated_at": self.webhook_updated_at}

    async def _send_message(self, params: Json, request: web.Request) -> Json:
        chat_id = _required(params, "chat_id")
        text = _text(params, "text", required=True) or ""
        return self._record(ZaloSent(chat_id, text, "sendMessage", params=params))

    async def _send_photo(self, params: Json, request: web.Request) -> Json:
        chat_id = _required(params, "chat_id")
        photo = _required(params, "photo")
        if not photo.startswith(("http://", "https://")):
            raise ApiError(400, "photo must be an image URL")
        caption = _text(params, "caption", required=False) or ""
        return self._record(ZaloSent(chat_id, caption, "sendPhoto", photo=photo, params=params))

    async def _send_sticker(self, params: Json, request: web.Request) -> Json:
        chat_id = _required(params, "chat_id")
        sticker = _required(params, "sticker")
        return self._record(ZaloSent(chat_id, sticker, "sendSticker", params=params))

    async def _send_chat_action(self, params: Json, request: web.Request) -> Any:
        chat_id = _required(params, "chat_id")
        action = _required(params, "action")
        if action != "typing":  # upload_photo is "coming soon" in the docs
            raise ApiError(400, "action is invalid")
        self.sent.append(ZaloSent(chat_id, "", "sendChatAction", action=action, params=params))
        return _NO_RESULT

    def _record(self, sent: ZaloSent) -> Json:
        sent.message_id = secrets.token_hex(10)
        self.sent.append(sent)
        return {"message_id": sent.message_id, "date": _now_ms()}
