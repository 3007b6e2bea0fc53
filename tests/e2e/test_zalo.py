"""Zalo end to end: our Zalo client against a fake Zalo Bot API server on loopback (which also
serves the photos' URLs), the same engine and handlers as Telegram, the database checked."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.domain.loader import load_campaigns
from bot.platforms.download import DownloadPolicy
from bot.platforms.web import ZALO_PATH, build_web_app
from bot.platforms.zalo import SECRET_HEADER, ZaloAdapter, ZaloClient, ZaloSender
from storage.models import InboxMessage
from tests.conftest import add_unit, photo
from tests.conversation.helpers import (
    NOT_RUN_GROUPS,
    compact_walk_answers,
    stored_answers,
    stored_report,
    walk_answers,
)
from tests.fakes.zalo import FakeZalo, ZaloSent

SECRET = "zalo-webhook-secret-0123456789"
# The fake serves photos over http on 127.0.0.1, which the production policy refuses.
LOOPBACK_MEDIA = DownloadPolicy(allow_http=True, allow_private=True)
TEACHER = "a1b2c3d4e5f60718293a"


@pytest.fixture
async def zl() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as fake:
        yield fake


def _adapter(app: App, zl: FakeZalo) -> ZaloAdapter:
    client = ZaloClient(zl.token, zl.base_url, media=LOOPBACK_MEDIA)
    return ZaloAdapter(app.engine, client, sender=ZaloSender(client, per_second=1000))


@pytest.fixture
async def polling(app: App, zl: FakeZalo) -> AsyncIterator[ZaloAdapter]:
    adapter = _adapter(app, zl)
    await adapter.start()
    task = asyncio.create_task(adapter.poll(poll_seconds=1))
    try:
        yield adapter
    finally:
        adapter.stop()
        await task
        await adapter.close()


@pytest.fixture
async def webhook(app: App, zl: FakeZalo) -> AsyncIterator[ZaloAdapter]:
    adapter = _adapter(app, zl)
    await adapter.start()
    runner = web.AppRunner(build_web_app(zalo=adapter, zalo_secret=SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await adapter.set_webhook(f"http://127.0.0.1:{port}{ZALO_PATH}", SECRET)
    try:
        yield adapter
    finally:
        await runner.cleanup()
        await adapter.close()


class ZaloTeacher:
    """A person on Zalo: types text (there are no buttons), sends photos, reads replies."""

    def __init__(self, zl: FakeZalo, adapter: ZaloAdapter, user_id: str = TEACHER) -> None:
        self.zl, self.adapter, self.user_id = zl, adapter, user_id
        self.sent = 0

    async def settle(self, before: int) -> None:
        await self.zl.wait_for(
            lambda: (
                len(self.zl.messages_to(self.user_id)) > before and self.adapter.dispatcher.idle
            ),
            timeout=15,
        )
        await asyncio.sleep(0.05)
        await self.zl.wait_for(lambda: self.adapter.dispatcher.idle, timeout=15)

    async def say(self, text: str) -> list[ZaloSent]:
        before = len(self.zl.messages_to(self.user_id))
        self.zl.send_text(self.user_id, text)
        self.sent += 1
        await self.settle(before)
        return self.zl.messages_to(self.user_id)[before:]

    async def send_image(self, data: bytes, **kwargs: object) -> list[ZaloSent]:
        before = len(self.zl.messages_to(self.user_id))
        self.zl.send_image(self.user_id, data, **kwargs)  # type: ignore[arg-type]
        self.sent += 1
        await self.settle(before)
        return self.zl.messages_to(self.user_id)[before:]

    @property
    def last(self) -> str:
        return self.zl.messages_to(self.user_id)[-1].text


async def _file_whole_report(app: App, teacher: ZaloTeacher) -> None:
    code = await add_unit(app)
    joined = await teacher.say(code)
    assert "1. Có, ngày 02/10" in joined[-1].text and "Gõ số 1 hoặc 2 để chọn." in joined[-1].text
    script, expected = walk_answers(load_campaigns()[2023], run_every_group=True)
    for answer in script:
        await teacher.say(answer)
    photos = [photo(1), photo(2), photo(3)]
    acks = [(await teacher.send_image(data))[0].text for data in photos]
    assert "Cần thêm ít nhất 1 ảnh" in acks[0]
    assert "Đã nhận ảnh minh chứng 3/3" in acks[2]
    await teacher.say("Tổ chức đủ các hoạt động.")
    await teacher.say("bo qua")
    await teacher.say("bỏ qua")
    await teacher.say("không")  # no commendation nominations
    assert "TÓM TẮT BÁO CÁO" in "\n".join(m.text for m in teacher.zl.messages_to(TEACHER)[-3:])
    receipt = await teacher.say("1")  # "1. Gửi báo cáo"
    assert "Số tiếp nhận: TL23-" in receipt[-1].text
    assert all(len(m.text) <= 2000 for m in teacher.zl.messages_to(TEACHER))

    report = await stored_report(app)
    assert report.status == "submitted"
    expected["narr:results"] = "Tổ chức đủ các hoạt động."
    expected["nominations:done"] = 1
    assert await stored_answers(app, report) == expected
    async with app.uows() as uow:
        evidence = await uow.reports.evidence(report.id)
    assert [e.sha256 for e in evidence] == [hashlib.sha256(p).hexdigest() for p in photos]
    assert teacher.sent <= 60, teacher.sent


async def test_a_teacher_files_the_whole_report_on_zalo_by_polling(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    await asyncio.sleep(2.5)  # a few empty polls (408) first: they are not errors
    await _file_whole_report(app, ZaloTeacher(zl, polling))
    assert any(name == "deleteWebhook" for name, _ in zl.calls)


@pytest.mark.parametrize("shape", ["flat", "wrapped"])
async def test_a_teacher_files_the_whole_report_on_zalo_by_webhook(
    app: App, zl: FakeZalo, webhook: ZaloAdapter, shape: str
) -> None:
    zl.webhook_body_shape = shape
    assert zl.webhook is not None and zl.webhook["secret_token"] == SECRET
    await _file_whole_report(app, ZaloTeacher(zl, webhook))


async def test_a_unit_that_ran_five_groups_files_them_group_by_group_on_zalo(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    await teacher.say(await add_unit(app))
    script, expected = compact_walk_answers(load_campaigns()[2023], not_run=NOT_RUN_GROUPS)
    for answer in script:  # "Có, 1.1: …\n1.2: …": a group's rows in one message
        await teacher.say(answer)
    for seed in (1, 2, 3):
        await teacher.send_image(photo(seed))
    await teacher.say("bỏ qua phần đánh giá")
    await teacher.say("1")  # "1. Không có": no commendation nominations
    assert "(tự tính)" in teacher.last  # the review shows the computed totals
    receipt = await teacher.say("1")  # "1. Gửi báo cáo"
    assert "Số tiếp nhận: TL23-" in receipt[-1].text
    expected["nominations:done"] = 1
    assert await stored_answers(app, await stored_report(app)) == expected
    print(f"messages sent on Zalo, six groups not run, rows grouped: {teacher.sent}")
    assert teacher.sent <= 30, teacher.sent


async def test_a_webhook_request_with_a_wrong_secret_or_no_event_is_refused(
    app: App, zl: FakeZalo, webhook: ZaloAdapter
) -> None:
    url = zl.webhook["url"] if zl.webhook else ""
    message_id = zl.send_text(TEACHER, "xin chào")
    await zl.wait_for(lambda: bool(zl.deliveries))
    event = zl.event(message_id)
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong-secret"}):
            async with http.post(url, json=event, headers=headers) as response:
                assert response.status == 401
        right = {SECRET_HEADER: SECRET}
        for body in (b"{not json", b'{"ok": true}', b"[]"):
            async with http.post(url, data=body, headers=right) as response:
                assert response.status == 400, body
        async with http.post(url, data=b"", headers=right) as response:
            assert response.status == 200  # Zalo has posted empty bodies; nothing to retry
    async with app.uows() as uow:
        stored = await uow.session.execute(select(func.count()).select_from(InboxMessage))
        assert stored.scalar_one() == 1  # only the real delivery


async def test_the_same_message_delivered_twice_is_answered_once(
    app: App, zl: FakeZalo, webhook: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, webhook)
    await teacher.say(await add_unit(app))
    before = len(zl.messages_to(TEACHER))
    message_id = zl.send_text(TEACHER, "02/10")
    zl.redeliver(message_id)
    await teacher.settle(before)
    await asyncio.sleep(0.5)
    assert len(zl.messages_to(TEACHER)) == before + 1
    assert (await stored_answers(app, await stored_report(app)))["opening:held"] == 1


async def test_stickers_and_unsupported_messages_get_a_polite_answer(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    await teacher.say(await add_unit(app))
    for send in (zl.send_sticker, zl.send_unsupported):
        before = len(zl.messages_to(TEACHER))
        send(TEACHER)
        await teacher.settle(before)
        replies = zl.messages_to(TEACHER)[before:]
        assert "chữ, số hoặc ảnh" in replies[0].text
        assert "Lễ khai mạc" in replies[-1].text


async def test_an_image_that_is_not_an_image_is_refused(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    await teacher.say(await add_unit(app))
    replies = await teacher.send_image(b"<html>not really</html>", content_type="image/jpeg")
    assert "JPEG" in replies[0].text
    replies = await teacher.send_image(photo(5), use_legacy_photo_field=True)
    assert "1/3" in replies[0].text
    async with app.uows() as uow:
        (evidence,) = await uow.reports.evidence((await stored_report(app)).id)
    assert evidence.mime == "image/jpeg"


async def test_answers_match_by_number_or_words_without_diacritics(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    await teacher.say(await add_unit(app))
    await teacher.say("1")  # "Có, ngày 02/10"
    await teacher.say("khong")  # group 1 not run
    await teacher.say("quay lai")
    assert "Mục 1/11" in teacher.last
    await teacher.say("CO, TAT CA")
    answers = await stored_answers(app, await stored_report(app))
    assert answers["opening:date"] == "2023-10-02" and answers["run:1"] == 1
