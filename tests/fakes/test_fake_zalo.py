"""The fake Zalo Bot API behaves as research/zalo.md describes the real one, over plain HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.zalo import SECRET_HEADER, FakeZalo

USER = "a1b2c3d4e5f60718293a"
SECRET = "webhook-secret-0123456789"  # a test value for a fake server


@pytest.fixture
async def zl() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, zl: FakeZalo, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{zl.base_url}/bot{zl.token}/{method}", json=params) as response:
        return response.status, await response.json()


class Receiver:
    """A bot's webhook endpoint: answers with the scripted statuses, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.posts: list[tuple[str | None, Any]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver([])
    app = web.Application()
    app.router.add_post("/zalo", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


async def test_get_updates_returns_one_event_not_a_list_then_408_when_empty(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    message_id = zl.send_text(USER, "Xin chào")
    status, body = await call(http, zl, "getUpdates", timeout="1")
    assert status == 200 and body["ok"] is True
    event = body["result"]
    assert event["event_name"] == "message.text.received"
    message = event["message"]
    assert message["message_id"] == message_id and len(message_id) == 20
    int(message_id, 16)
    assert message["text"] == "Xin chào"
    assert message["chat"] == {"id": USER, "chat_type": "PRIVATE"}
    assert message["from"] == {"id": USER, "display_name": "Cô Lan", "is_bot": False}
    assert message["date"] > 1_600_000_000_000  # milliseconds

    status, body = await call(http, zl, "getUpdates", timeout=0)
    assert status == 200
    assert body == {"ok": False, "error_code": 408, "description": "Request timeout"}


async def test_an_empty_poll_is_an_http_408_when_errors_carry_the_status(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    zl.errors_as_http_status = True
    status, body = await call(http, zl, "getUpdates", timeout="0")
    assert (status, body["error_code"]) == (408, 408)


async def test_an_event_is_gone_after_one_get_updates(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    first = zl.send_text(USER, "một")
    second = zl.send_text(USER, "hai")
    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert body["result"]["message"]["message_id"] == first
    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert body["result"]["message"]["message_id"] == second
    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert body["error_code"] == 408
    zl.redeliver(first)
    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert body["result"]["message"]["message_id"] == first


async def test_a_long_poll_wakes_when_a_user_writes(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, zl, "getUpdates", timeout="30"))
    await asyncio.sleep(0.2)
    assert not poll.done()
    message_id = zl.send_text(USER, "dậy đi")
    _, body = await asyncio.wait_for(poll, 2)
    assert body["result"]["message"]["message_id"] == message_id


async def test_a_text_over_2000_characters_is_refused_and_not_sent(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, zl, "sendMessage", chat_id=USER, text="ạ" * 2001)
    assert status == 200
    assert body == {"ok": False, "error_code": 400, "description": "text is too long"}
    _, body = await call(http, zl, "sendMessage", chat_id=USER, text="")
    assert body["description"] == "text is empty"
    assert zl.messages_to(USER) == []

    status, body = await call(http, zl, "sendMessage", chat_id=USER, text="ạ" * 2000)
    assert status == 200 and body["ok"] is True
    assert body["result"]["message_id"] == zl.messages_to(USER)[0].message_id
    assert body["result"]["date"] > 1_600_000_000_000


async def test_form_and_query_parameters_work_like_json(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    url = f"{zl.base_url}/bot{zl.token}/sendMessage"
    async with http.post(url, data={"chat_id": USER, "text": "form"}) as response:
        assert (await response.json())["ok"] is True
    async with http.get(url, params={"chat_id": USER, "text": "query"}) as response:
        assert (await response.json())["ok"] is True
    assert [m.text for m in zl.messages_to(USER)] == ["form", "query"]


async def test_wrong_token_unknown_method_and_chat_action(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{zl.base_url}/bot1:wrong/getMe", json={}) as response:
        body = await response.json()
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    _, body = await call(http, zl, "editMessageText", chat_id=USER, text="x")
    assert body["error_code"] == 404
    _, body = await call(http, zl, "getMe")
    assert body["result"]["account_type"] == "BASIC"
    _, body = await call(http, zl, "sendChatAction", chat_id=USER, action="typing")
    assert body == {"ok": True}
    _, body = await call(http, zl, "sendPhoto", chat_id=USER, photo="https://x/y.jpg")
    assert body["ok"] is True
    assert [s.method for s in zl.sent] == ["sendChatAction", "sendPhoto"]
    assert [(s.method, s.photo) for s in zl.messages_to(USER)] == [
        ("sendPhoto", "https://x/y.jpg")
    ]


async def test_a_photo_url_serves_the_bytes_with_the_content_type_chosen(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    data = b"\x89PNG\r\n\x1a\n not really a jpeg"
    zl.send_image(USER, data, caption="Lễ khai mạc", content_type="image/jpeg")
    zl.send_image(USER, b"old", use_legacy_photo_field=True)
    _, body = await call(http, zl, "getUpdates", timeout="0")
    message = body["result"]["message"]
    assert body["result"]["event_name"] == "message.image.received"
    assert message["caption"] == "Lễ khai mạc" and message["message_type"] == "CHAT_PHOTO"
    assert message["photo_url"].endswith(f"/media/{message['message_id']}.jpg")
    async with http.get(message["photo_url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        assert await response.read() == data
    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert "photo_url" not in body["result"]["message"]
    async with http.get(body["result"]["message"]["photo"]) as response:
        assert await response.read() == b"old"
    async with http.get(f"{zl.base_url}/media/missing.jpg") as response:
        assert response.status == 404


@pytest.mark.parametrize("shape", ["flat", "wrapped"])
async def test_the_webhook_gets_each_event_with_the_secret_and_is_retried_on_500(
    zl: FakeZalo, http: aiohttp.ClientSession, receiver: Receiver, shape: str
) -> None:
    zl.webhook_body_shape = shape
    receiver.statuses = [500, 500]
    _, body = await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    assert body["result"]["url"] == receiver.url
    assert zl.webhook == {"url": receiver.url, "secret_token": SECRET}

    first = zl.send_text(USER, "một")
    second = zl.send_sticker(USER)
    await zl.wait_for(lambda: len(receiver.posts) == 4, timeout=5)
    assert zl.deliveries == [(first, 500), (first, 500), (first, 200), (second, 200)]
    assert {secret for secret, _ in receiver.posts} == {SECRET}
    events = [post if shape == "flat" else post["result"] for _, post in receiver.posts]
    if shape == "wrapped":
        assert all(post["ok"] is True for _, post in receiver.posts)
    assert [e["message"]["message_id"] for e in events] == [first, first, first, second]
    assert events[3]["event_name"] == "message.sticker.received"
    assert "sticker" in events[3]["message"] and "url" in events[3]["message"]

    _, body = await call(http, zl, "getUpdates", timeout="0")
    assert body["ok"] is False and body["error_code"] == 409
    _, body = await call(http, zl, "deleteWebhook")
    assert body["result"]["url"] == "" and zl.webhook is None
    _, body = await call(http, zl, "getWebhookInfo")
    assert body["result"]["url"] == ""


async def test_a_webhook_secret_shorter_than_8_characters_is_refused(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    _, body = await call(http, zl, "setWebhook", url="https://bot.example/z", secret_token="short")
    assert body["ok"] is False and body["error_code"] == 400
    assert zl.webhook is None


async def test_events_wait_for_get_updates_after_the_webhook_is_deleted(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    zl.webhook_backoff = zl.webhook_backoff_cap = 0.05
    # Nothing listens on this port, so every attempt fails and the event stays undelivered.
    await call(http, zl, "setWebhook", url="http://127.0.0.1:9/zalo", secret_token=SECRET)
    message_id = zl.send_unsupported(USER)
    await zl.wait_for(lambda: len(zl.deliveries) >= 2, timeout=5)
    assert zl.deliveries[0] == (message_id, 0)
    await call(http, zl, "deleteWebhook")
    _, body = await asyncio.wait_for(call(http, zl, "getUpdates", timeout="5"), 1)
    assert body["result"]["event_name"] == "message.unsupported.received"
    assert body["result"]["message"]["message_id"] == message_id


@pytest.mark.parametrize("as_http_status", [False, True])
async def test_fail_next_answers_429_once_then_works(
    zl: FakeZalo, http: aiohttp.ClientSession, as_http_status: bool
) -> None:
    zl.errors_as_http_status = as_http_status
    zl.fail_next("sendMessage", error_code=429)
    status, body = await call(http, zl, "sendMessage", chat_id=USER, text="một")
    assert status == (429 if as_http_status else 200)
    assert body == {"ok": False, "error_code": 429, "description": "Quota exceeded"}
    assert zl.messages_to(USER) == []
    status, body = await call(http, zl, "sendMessage", chat_id=USER, text="một")
    assert status == 200 and body["ok"] is True
    assert [m.text for m in zl.messages_to(USER)] == ["một"]
    assert [method for method, _ in zl.calls] == ["sendMessage", "sendMessage"]


async def test_a_poll_the_client_gave_up_on_does_not_take_the_next_event(
    zl: FakeZalo, http: aiohttp.ClientSession
) -> None:
    abandoned = asyncio.create_task(call(http, zl, "getUpdates", timeout="30"))
    await asyncio.sleep(0.2)
    abandoned.cancel()
    with pytest.raises(asyncio.CancelledError):
        await abandoned
    await asyncio.sleep(0.1)
    message_id = zl.send_text(USER, "còn đó không")
    _, body = await call(http, zl, "getUpdates", timeout="1")
    assert body["result"]["message"]["message_id"] == message_id


async def test_stopping_ends_a_long_poll_at_once(http: aiohttp.ClientSession) -> None:
    zl = FakeZalo()
    await zl.start()
    poll = asyncio.create_task(call(http, zl, "getUpdates", timeout="30"))
    await asyncio.sleep(0.2)
    await asyncio.wait_for(zl.stop(), 1)
    _, body = await asyncio.wait_for(poll, 1)
    assert body["error_code"] == 408
