"""The fake Telegram Bot API answers the real aiogram client and plain HTTP as Telegram does."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from aiohttp import web

from tests.fakes.telegram import SECRET_HEADER, FakeTelegram

USER = 7001


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    bot = Bot(tg.token, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


class Receiver:
    """A webhook endpoint on loopback that answers 500 to its first `failures` POSTs (of one
    update only, when `only` names it) and 200 afterwards."""

    def __init__(self, failures: int = 0, only: int | None = None) -> None:
        self.failures, self.only = failures, only
        self.received: list[tuple[int, str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update["update_id"], request.headers.get(SECRET_HEADER)))
        if self.failures and self.only in (None, update["update_id"]):
            self.failures -= 1
            return web.json_response({}, status=500)
        return web.json_response({})

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_get_me_answers_the_bot_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456 and me.username


async def test_updates_come_back_until_an_offset_confirms_them(tg: FakeTelegram, bot: Bot) -> None:
    first = tg.send_text(USER, "xin chào")
    second = tg.send_text(USER, "12")
    assert (first, second) == (1000, 1001)

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    again = await bot.get_updates()  # nothing confirmed: the same two again
    assert [u.update_id for u in again] == [first, second]

    after_first = await bot.get_updates(offset=first + 1)
    assert [u.update_id for u in after_first] == [second]
    assert await bot.get_updates(offset=second + 1) == []
    assert await bot.get_updates() == []  # confirmed ones are gone for good
    assert tg.offsets == [first + 1, second + 1]
    assert updates[0].message is not None and updates[0].message.text == "xin chào"


async def test_a_limit_and_a_negative_offset_are_honoured(tg: FakeTelegram, bot: Bot) -> None:
    ids = [tg.send_text(USER, str(n)) for n in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[3:]
    assert tg.pending == 2


async def test_a_redelivered_update_arrives_again_even_after_it_was_confirmed(
    tg: FakeTelegram, bot: Bot
) -> None:
    update_id = tg.send_text(USER, "02/10")
    await bot.get_updates()
    assert await bot.get_updates(offset=update_id + 1) == []
    tg.redeliver(update_id)
    duplicate = await bot.get_updates(offset=update_id + 1)
    assert [u.update_id for u in duplicate] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == []


async def test_a_long_poll_wakes_as_soon_as_a_user_writes(tg: FakeTelegram, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    tg.send_text(USER, "dậy đi")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["dậy đi"]
    assert loop.time() - started < 2


async def test_an_empty_long_poll_returns_nothing_after_its_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= loop.time() - started < 3


async def test_a_second_poller_ends_the_first_with_a_conflict(tg: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    tg.send_text(USER, "ok")
    assert len(await second) == 1


async def test_every_kind_of_update_validates_as_an_aiogram_update(tg: FakeTelegram) -> None:
    tg.send_text(USER, "xin chào", first_name="Hoa")
    tg.send_photo(USER, b"jpeg", caption="ảnh", media_group_id="alb-1")
    tg.send_document(USER, b"%PDF", file_name="bao-cao.pdf", mime_type="application/pdf")
    tg.send_sticker(USER)
    tg.press_button(USER, 42, "3:yes")
    updates = [Update.model_validate(u) for u in tg.updates.values()]

    text, photo, document, sticker, press = updates
    assert text.message and text.message.from_user and text.message.from_user.first_name == "Hoa"
    assert text.message.chat.type == "private" and text.message.chat.id == USER
    assert photo.message and photo.message.photo and len(photo.message.photo) == 3
    assert photo.message.photo[-1].file_size == 4 and photo.message.media_group_id == "alb-1"
    assert document.message and document.message.document
    assert document.message.document.file_name == "bao-cao.pdf"
    assert sticker.message and sticker.message.sticker and sticker.message.text is None
    assert press.callback_query and press.callback_query.data == "3:yes"
    assert press.callback_query.from_user.id == USER
    # The user's messages and the bot's share one sequence of ids per chat.
    ids = [u.message.message_id for u in updates if u.message]
    assert ids == [1, 2, 3, 4]


async def test_a_message_with_an_inline_keyboard_round_trips(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "/start")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="1:yes")]]
    )
    message = await bot.send_message(USER, "Trường có tổ chức không?", reply_markup=markup)

    assert message.message_id == 2 and message.text == "Trường có tổ chức không?"
    assert message.reply_markup is not None
    assert message.reply_markup.model_dump() == markup.model_dump()
    (sent,) = tg.messages_to(USER)
    assert sent.method == "sendMessage" and sent.message_id == 2
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Có", "callback_data": "1:yes"}]]}

    tg.press_button(USER, sent.message_id, "1:yes")
    (update,) = await bot.get_updates(offset=1001)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert query.message.message_id == 2
    assert query.message.model_dump()["reply_markup"] == markup.model_dump()
    assert await bot.answer_callback_query(query.id)
    assert tg.callback_answers == [{"callback_query_id": query.id}]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)  # a query is answered once


async def test_an_edit_replaces_the_text_and_drops_the_keyboard(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.send_text(USER, "/start")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Gửi", callback_data="send")]]
    )
    message = await bot.send_message(USER, "Gửi báo cáo?", reply_markup=markup)
    await bot.edit_message_text("Đã gửi.", chat_id=USER, message_id=message.message_id)
    assert [(s.method, s.text, s.reply_markup) for s in tg.messages_to(USER)] == [
        ("sendMessage", "Gửi báo cáo?", markup.model_dump(exclude_none=True)),
        ("editMessageText", "Đã gửi.", None),
    ]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Đã gửi.", chat_id=USER, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("?", chat_id=USER, message_id=99)


async def test_texts_telegram_refuses_are_refused(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "/start")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "x" * 4097)
    await bot.send_message(USER, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(9999, "a stranger")
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "?", reply_markup=too_long)
    assert len(tg.sent) == 1


async def test_a_photo_the_user_sent_downloads_with_its_bytes(tg: FakeTelegram, bot: Bot) -> None:
    data = b"\xff\xd8\xff\xe0 a real jpeg would be longer"
    tg.send_photo(USER, data)
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.photo is not None
    largest = update.message.photo[-1]
    file = await bot.get_file(largest.file_id)
    assert file.file_size == len(data) and file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert isinstance(downloaded, io.BytesIO) and downloaded.getvalue() == data
    thumbnail = await bot.get_file(update.message.photo[0].file_id)
    assert thumbnail.file_path
    small = await bot.download_file(thumbnail.file_path)
    assert isinstance(small, io.BytesIO) and small.getvalue() != data
    assert tg.downloads == [file.file_path, thumbnail.file_path]


async def test_a_file_over_20_mb_is_refused_by_get_file(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_document(
        USER, b"tiny", file_name="scan.pdf", mime_type="application/pdf", declared_size=25 << 20
    )
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    assert update.message.document.file_size == 25 << 20
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(update.message.document.file_id)
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nonsense")


async def test_a_photo_the_bot_uploads_arrives_as_multipart(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "/start")
    upload = BufferedInputFile(b"\x89PNG chart", filename="chart.png")
    message = await bot.send_photo(USER, upload, caption="Tổng hợp")
    assert message.photo and message.caption == "Tổng hợp"
    (sent,) = tg.messages_to(USER)
    assert (sent.method, sent.text, sent.photo) == ("sendPhoto", "Tổng hợp", b"\x89PNG chart")


async def test_a_document_the_bot_uploads_keeps_its_bytes_and_name(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.send_text(USER, "/start")
    upload = BufferedInputFile(b"PK\x03\x04 table", filename="Tổng hợp 2023.xlsx")
    message = await bot.send_document(USER, upload)
    assert message.document is not None and message.document.file_name == "Tổng hợp 2023.xlsx"
    (sent,) = tg.messages_to(USER)
    assert (sent.method, sent.document, sent.file_name) == (
        "sendDocument",
        b"PK\x03\x04 table",
        "Tổng hợp 2023.xlsx",
    )
    file = await bot.get_file(message.document.file_id)  # the bot could fetch it back
    assert file.file_size == len(b"PK\x03\x04 table")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(USER, "not-a-file-id")


async def test_commands_and_chat_actions_are_recorded(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "/start")
    await bot.set_my_commands([BotCommand(command="baocao", description="Tiếp tục báo cáo")])
    assert tg.commands == [{"command": "baocao", "description": "Tiếp tục báo cáo"}]
    assert [c.command for c in await bot.get_my_commands()] == ["baocao"]
    assert await bot.send_chat_action(USER, "typing")
    assert tg.chat_actions == [(USER, "typing")]
    await bot.delete_my_commands()
    assert tg.commands is None
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Báo cáo", description="x")])


async def test_a_429_surfaces_as_retry_after_and_then_the_call_succeeds(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.send_text(USER, "/start")
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "a")
    assert caught.value.retry_after == 7
    await bot.send_message(USER, "a")
    assert [s.text for s in tg.sent] == ["a"]
    assert [name for name, _ in tg.calls] == ["sendMessage", "sendMessage"]


async def test_server_errors_blocked_users_and_dropped_connections_surface(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.send_text(USER, "/start")
    tg.fail_next("sendMessage", status=500)
    tg.fail_next("sendMessage", status=502)  # an HTML page, as the proxy answers
    tg.fail_next("sendMessage", status=403)
    tg.fail_next("sendmessage", status=0)
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(USER, "a")
    with pytest.raises(ClientDecodeError):
        await bot.send_message(USER, "a")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "a")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER, "a")
    assert tg.sent == []
    tg.block(USER)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER, "a")


async def test_plain_http_gets_the_bot_api_envelopes(tg: FakeTelegram) -> None:
    tg.send_text(USER, "hi")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.base_url}/bot123:wrong/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        api = f"{tg.base_url}/bot{tg.token}"
        async with http.get(f"{api}/sendSticker") as response:
            assert response.status == 404
            body = await response.json()
            assert body["description"] == "Not Found: method not found"
        async with http.get(f"{api}/getUpdates", params={"offset": "1000"}) as response:
            body = await response.json()
            assert body["ok"] and [u["update_id"] for u in body["result"]] == [1000]
        payload = {"chat_id": USER, "text": "json", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{api}/sendmessage", json=payload) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["text"] == "json"
        form = {"chat_id": str(USER), "text": "form", "reply_markup": '{"inline_keyboard":[]}'}
        async with http.post(f"{api}/sendMessage", data=form) as response:
            assert (await response.json())["ok"]
        tg.fail_next("getMe", status=429, retry_after=3)
        async with http.post(f"{api}/getMe") as response:
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            }
    assert [(s.text, s.reply_markup) for s in tg.sent] == [
        ("json", {"inline_keyboard": []}),
        ("form", {"inline_keyboard": []}),
    ]
    assert tg.calls[2] == ("sendMessage", payload)


async def test_a_webhook_gets_each_update_with_the_secret_and_retries_on_500(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.webhook_backoff = 0.05
    async with Receiver(failures=2) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cret_-token")
        assert tg.webhook is not None and tg.webhook["secret_token"] == "s3cret_-token"
        update_id = tg.send_text(USER, "qua webhook")
        await tg.wait_for(lambda: tg.pending == 0)
        assert receiver.received == [(update_id, "s3cret_-token")] * 3
        assert tg.deliveries == [(update_id, 500), (update_id, 500), (update_id, 200)]
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0
        assert info.last_error_message and "500" in info.last_error_message
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
    assert tg.webhook is None and tg.dropped_pending is False
    tg.send_text(USER, "back to polling")
    assert len(await bot.get_updates()) == 1


async def test_a_failing_update_holds_back_its_chat_but_not_the_others(tg: FakeTelegram) -> None:
    tg.webhook_backoff = 0.1
    async with Receiver(failures=3, only=tg.next_update_id) as receiver:
        tg.webhook = {"url": receiver.url}  # set by hand: no secret
        first = tg.send_text(USER, "một")
        second = tg.send_text(USER, "hai")
        other = tg.send_text(8008, "của người khác")
        await tg.wait_for(lambda: tg.pending == 0)
    order = [update_id for update_id, _ in receiver.received]
    assert order == [first, other, first, first, first, second]
    assert all(secret is None for _, secret in receiver.received)


async def test_an_unreachable_webhook_is_retried_then_the_update_is_given_up(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.webhook_backoff, tg.webhook_attempts = 0.01, 3
    async with Receiver() as receiver:
        url = receiver.url  # closed on exit: nothing listens there any more
    await bot.set_webhook(url)
    update_id = tg.send_text(USER, "lost")
    await tg.wait_for(lambda: tg.pending == 0)
    assert tg.deliveries == [(update_id, 0)] * 3


async def test_deleting_the_webhook_can_drop_pending_updates(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(USER, "old")
    await bot.delete_webhook(drop_pending_updates=True)
    assert tg.dropped_pending and await bot.get_updates() == []


async def test_updates_of_types_not_allowed_are_never_delivered(
    tg: FakeTelegram, bot: Bot
) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    tg.send_text(USER, "ignored")
    tg.press_button(USER, 1, "x")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None


async def test_wait_for_fails_with_what_happened(tg: FakeTelegram) -> None:
    tg.send_text(USER, "unanswered")
    with pytest.raises(AssertionError, match=r"pending updates \[1000\]"):
        await tg.wait_for(lambda: bool(tg.sent), timeout=0.1)
