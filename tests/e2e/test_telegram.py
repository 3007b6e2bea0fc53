"""Telegram end to end: the real aiogram client against a fake Bot API server on loopback,
the same engine and handlers as the terminal chat, the database checked afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.domain.loader import load_campaigns
from bot.platforms.dispatch import SendLimits
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from bot.platforms.web import TELEGRAM_PATH, TELEGRAM_SECRET_HEADER, build_web_app
from storage.models import AnswerChange, AuditEntry, InboxMessage
from tests.conftest import add_unit, photo
from tests.conversation.helpers import (
    compact_walk_answers,
    stored_answers,
    stored_report,
    walk_answers,
)
from tests.fakes.telegram import FakeTelegram, SentMessage

SECRET = "s3cret-webhook-token_0123456789"
TEACHER = 7001


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


def _adapter(app: App, tg: FakeTelegram) -> TelegramAdapter:
    bot = make_bot(tg.token, tg.base_url)
    # The limits are Telegram's; the fake has none, so the tests need not wait a second a chat.
    sender = TelegramSender(bot, limit=SendLimits(1000, chat_rate=None))
    return TelegramAdapter(app.engine, bot, sender=sender, album_quiet=0.3)


@pytest.fixture
async def polling(app: App, tg: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    adapter = _adapter(app, tg)
    await adapter.start()
    task = asyncio.create_task(adapter.poll(poll_seconds=1))
    try:
        yield adapter
    finally:
        adapter.stop()
        await task
        await adapter.close()


@pytest.fixture
async def webhook(app: App, tg: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    adapter = _adapter(app, tg)
    await adapter.start()
    runner = web.AppRunner(build_web_app(telegram=adapter, telegram_secret=SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await adapter.set_webhook(f"http://127.0.0.1:{port}{TELEGRAM_PATH}", SECRET)
    try:
        yield adapter
    finally:
        await runner.cleanup()
        await adapter.close()


class Teacher:
    """A person on Telegram: sends, waits until the bot has answered everything, reads."""

    def __init__(self, tg: FakeTelegram, adapter: TelegramAdapter, user_id: int) -> None:
        self.tg, self.adapter, self.user_id = tg, adapter, user_id
        self.sent = 0

    async def settle(self, before: int) -> None:
        await self.tg.wait_for(
            lambda: (
                len(self.tg.messages_to(self.user_id)) > before and self.adapter.dispatcher.idle
            ),
            timeout=15,
        )
        await asyncio.sleep(0.05)
        await self.tg.wait_for(lambda: self.adapter.dispatcher.idle, timeout=15)

    async def say(self, text: str) -> SentMessage:
        before = len(self.tg.messages_to(self.user_id))
        self.tg.send_text(self.user_id, text)
        self.sent += 1
        await self.settle(before)
        return self.last

    async def press(self, label: str) -> SentMessage:
        before = len(self.tg.messages_to(self.user_id))
        message = next(
            m for m in reversed(self.tg.messages_to(self.user_id)) if m.reply_markup is not None
        )
        buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
        data = next(b["callback_data"] for b in buttons if b["text"] == label)
        self.tg.press_button(self.user_id, message.message_id, data)
        self.sent += 1
        await self.settle(before)
        return self.last

    async def album(self, photos: list[bytes], album: str = "alb-1") -> list[SentMessage]:
        before = len(self.tg.messages_to(self.user_id))
        for data in photos:
            self.tg.send_photo(self.user_id, data, media_group_id=album)
        self.sent += len(photos)
        await self.settle(before)
        return self.tg.messages_to(self.user_id)[before:]

    @property
    def last(self) -> SentMessage:
        return self.tg.messages_to(self.user_id)[-1]


async def test_an_album_of_photos_slower_to_fetch_than_the_quiet_time_is_answered_once(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    before = len(tg.messages_to(TEACHER))
    tg.download_delay = 1.0  # each photo takes longer to fetch than the album's 0.3 s of quiet
    await teacher.album([photo(1), photo(2), photo(3)])
    acks = [m.text for m in tg.messages_to(TEACHER)[before:] if "ảnh minh chứng" in m.text]
    assert acks == ["Đã nhận ảnh minh chứng 3/3."], acks


async def test_in_an_album_a_refused_photo_is_explained_and_the_others_acknowledged_once(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    replies = [m.text for m in await teacher.album([photo(1), b"not an image", photo(3)])]
    # The refusal, the one acknowledgement, the question asked once.
    assert len(replies) == 3, replies
    assert replies[0].startswith("Chưa nhận được loại tệp này"), replies
    assert replies[1].startswith("Đã nhận ảnh minh chứng 2/3."), replies
    assert "Lễ khai mạc" in replies[2], replies


async def _file_whole_report(app: App, teacher: Teacher) -> None:
    code = await add_unit(app)
    joined = await teacher.say(f"/start {code}")
    assert "Lễ khai mạc" in joined.text
    script, expected = walk_answers(load_campaigns()[2023], run_every_group=True)
    for answer in script:
        await teacher.say(answer)
    photos = [photo(1), photo(2), photo(3)]
    replies = await teacher.album(photos)
    acks = [m.text for m in replies if "ảnh minh chứng" in m.text]
    assert acks == ["Đã nhận ảnh minh chứng 3/3."], [m.text for m in replies]
    await teacher.say("Tổ chức đủ các hoạt động.")
    await teacher.press("Bỏ qua phần đánh giá")
    await teacher.press("Không có")  # no commendation nominations
    assert "TÓM TẮT BÁO CÁO" in teacher.last.text
    receipt = await teacher.press("Gửi báo cáo")
    assert "Số tiếp nhận: TL23-" in receipt.text

    report = await stored_report(app)
    assert report.status == "submitted"
    expected["narr:results"] = "Tổ chức đủ các hoạt động."
    expected["nominations:done"] = 1
    assert await stored_answers(app, report) == expected
    async with app.uows() as uow:
        evidence = await uow.reports.evidence(report.id)
    assert sorted(e.sha256 for e in evidence) == sorted(
        hashlib.sha256(p).hexdigest() for p in photos
    )
    assert teacher.sent <= 60, teacher.sent


async def test_a_teacher_files_the_whole_report_on_telegram_by_long_polling(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    await _file_whole_report(app, Teacher(tg, polling, TEACHER))
    presses = sum(1 for u in tg.updates.values() if "callback_query" in u)
    await tg.wait_for(lambda: len(tg.callback_answers) == presses)  # every press answered
    assert tg.commands is not None and any(c["command"] == "baocao" for c in tg.commands)
    assert tg.dropped_pending is False


async def test_a_teacher_files_the_whole_report_on_telegram_by_webhook(
    app: App, tg: FakeTelegram, webhook: TelegramAdapter
) -> None:
    assert tg.webhook is not None and tg.webhook["secret_token"] == SECRET
    await _file_whole_report(app, Teacher(tg, webhook, TEACHER))


async def test_a_teacher_who_ran_everything_files_it_group_by_group_on_telegram(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    script, expected = compact_walk_answers(load_campaigns()[2023])
    for answer in script:  # "Có, 1.1: …\n1.2: …": a group's rows in one message
        await teacher.say(answer)
    await teacher.album([photo(1), photo(2), photo(3)])
    await teacher.press("Bỏ qua phần đánh giá")
    await teacher.say("không")  # no commendation nominations
    assert "(tự tính)" in teacher.last.text
    receipt = await teacher.press("Gửi báo cáo")
    assert "Số tiếp nhận: TL23-" in receipt.text and "tự tính" in receipt.text
    expected["nominations:done"] = 1
    assert await stored_answers(app, await stored_report(app)) == expected
    print(f"messages sent on Telegram, every activity run, rows grouped: {teacher.sent}")
    assert teacher.sent <= 45, teacher.sent


async def test_every_update_delivered_twice_has_one_effect_and_one_answer(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    for text in ("02/10", "không", "12"):
        before = len(tg.messages_to(TEACHER))
        update_id = tg.send_text(TEACHER, text)
        tg.redeliver(update_id)
        await teacher.settle(before)
        await asyncio.sleep(0.3)
        assert len(tg.messages_to(TEACHER)) == before + 1, text
    async with app.uows() as uow:
        changes = await uow.session.execute(select(func.count()).select_from(AnswerChange))
        assert changes.scalar_one() == 4  # opening held + date, run:1, 2:quantity


async def test_a_webhook_request_with_a_wrong_secret_is_refused_and_stores_nothing(
    app: App, tg: FakeTelegram, webhook: TelegramAdapter
) -> None:
    url = tg.webhook["url"] if tg.webhook else ""
    update = {
        "update_id": 99,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private", "first_name": "X"},
            "from": {"id": 5, "is_bot": False, "first_name": "X"},
            "text": "hello",
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {TELEGRAM_SECRET_HEADER: "wrong"}, {TELEGRAM_SECRET_HEADER: ""}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 401
        right = {TELEGRAM_SECRET_HEADER: SECRET}
        async with http.post(url, data=b"{not json", headers=right) as response:
            assert response.status == 400
        big = io.BytesIO(b"x" * (2 * 1024 * 1024))
        async with http.post(url, data=big, headers=right) as response:
            assert response.status == 413
        async with http.get(url.replace(TELEGRAM_PATH, "/healthz")) as response:
            assert response.status == 200
    async with app.uows() as uow:
        stored = await uow.session.execute(select(func.count()).select_from(InboxMessage))
        assert stored.scalar_one() == 0


async def test_a_button_forged_by_a_user_of_another_unit_changes_nothing_of_this_unit(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    question = teacher.last
    intruder = Teacher(tg, polling, 8008)
    await intruder.say(f"/start {await add_unit(app, 'THCS-02', 'Trường THCS Thủy An')}")
    before = len(tg.messages_to(8008))
    markup = question.reply_markup or {}
    data = markup["inline_keyboard"][1][0]["callback_data"]  # "Không tổ chức" on the teacher's
    tg.press_button(8008, question.message_id, data)
    await intruder.settle(before)
    report = await stored_report(app)
    assert await stored_answers(app, report) == {}
    assert tg.messages_to(TEACHER)[-1] == question  # nothing was sent to the teacher


async def test_replies_get_through_a_storm_of_429s_and_server_errors(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    tg.fail_next("sendMessage", status=429, times=2, retry_after=1)
    tg.fail_next("sendMessage", status=502, times=2)
    joined = await teacher.say(f"/start {await add_unit(app)}")
    assert "Lễ khai mạc" in joined.text
    failures = [c for c in tg.calls if c[0] == "sendMessage"]
    assert len(failures) >= 6  # 4 refused, then the greeting and the question


async def test_a_file_too_large_is_refused_before_it_is_downloaded(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    before = len(tg.messages_to(TEACHER))
    tg.send_document(
        TEACHER,
        photo(1),
        file_name="bao-cao.jpg",
        mime_type="image/jpeg",
        declared_size=25 * 1024 * 1024,
    )
    await teacher.settle(before)
    assert "MB" in tg.messages_to(TEACHER)[before].text
    assert not [c for c in tg.calls if c[0] == "getFile"]


async def test_an_image_sent_as_a_document_with_a_false_type_is_sniffed_and_kept(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    before = len(tg.messages_to(TEACHER))
    tg.send_document(TEACHER, photo(2), file_name="scan.pdf", mime_type="application/octet-stream")
    await teacher.settle(before)
    assert "1/3" in tg.messages_to(TEACHER)[before].text
    async with app.uows() as uow:
        (evidence,) = await uow.reports.evidence((await stored_report(app)).id)
    assert evidence.mime == "image/jpeg"


async def test_polling_survives_server_errors_and_html_pages_on_get_updates(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    tg.fail_next("getUpdates", status=502, times=2)
    tg.fail_next("getUpdates", status=500, times=1)
    teacher = Teacher(tg, polling, TEACHER)
    joined = await teacher.say(f"/start {await add_unit(app)}")
    assert "Lễ khai mạc" in joined.text


async def test_update_ids_that_start_again_after_a_quiet_week_are_not_taken_for_duplicates(
    app: App, tg: FakeTelegram, webhook: TelegramAdapter
) -> None:
    teacher = Teacher(tg, webhook, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    await teacher.say("02/10")
    tg.next_update_id = 1000  # the ids of the first updates come round again
    asked = await teacher.say("không")
    assert "Mục 2/11" in asked.text
    assert (await stored_answers(app, await stored_report(app)))["run:1"] == 0


async def test_a_person_who_blocked_the_bot_is_recorded_and_not_retried(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    tg.block(TEACHER)
    tg.send_text(TEACHER, "02/10")
    await tg.wait_for(
        lambda: sum(1 for c in tg.calls if c[0] == "sendMessage") > 2 and polling.dispatcher.idle
    )
    await asyncio.sleep(0.5)
    attempts = [c for c in tg.calls if c[0] == "sendMessage"]
    assert len(attempts) == 3  # greeting + question before; one refused attempt after
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "member.unreachable")
        )
        assert rows.scalar_one() == 1
