"""One deployment, both platforms: a report begun on Telegram is finished on Zalo, because it
is the unit's report, not the chat's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.platforms.dispatch import SendLimits
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from storage.models import AnswerChange, Member
from tests.conftest import add_unit, photo
from tests.conversation.helpers import stored_answers, stored_report
from tests.e2e.test_telegram import Teacher
from tests.e2e.test_zalo import LOOPBACK_MEDIA, ZaloTeacher
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo


@pytest.fixture
async def both(app: App) -> AsyncIterator[tuple[Teacher, ZaloTeacher]]:
    async with FakeTelegram() as tg, FakeZalo() as zl:
        bot = make_bot(tg.token, tg.base_url)
        sender = TelegramSender(bot, limit=SendLimits(1000, chat_rate=None))
        telegram = TelegramAdapter(app.engine, bot, sender=sender)
        client = ZaloClient(zl.token, zl.base_url, media=LOOPBACK_MEDIA)
        zalo = ZaloAdapter(app.engine, client, sender=ZaloSender(client, per_second=1000))
        await telegram.start()
        await zalo.start()
        tasks = [
            asyncio.create_task(telegram.poll(poll_seconds=1)),
            asyncio.create_task(zalo.poll(poll_seconds=1)),
        ]
        try:
            yield Teacher(tg, telegram, 5005), ZaloTeacher(zl, zalo, "9f8e7d6c5b4a39281706")
        finally:
            telegram.stop()
            zalo.stop()
            await asyncio.gather(*tasks)
            await telegram.close()
            await zalo.close()


async def test_a_report_begun_on_telegram_is_finished_on_zalo(
    app: App, both: tuple[Teacher, ZaloTeacher]
) -> None:
    on_telegram, on_zalo = both
    code = await add_unit(app)
    await on_telegram.say(f"/start {code}")
    await on_telegram.press("Có, ngày 02/10")
    await on_telegram.press("Không")  # group 1 not run
    await on_telegram.say("14")  # 2: news items

    joined = await on_zalo.say(code)
    assert "Mục 3/11" in joined[-1].text  # the first question nobody answered yet
    for answer in ("6", "không", "không", "không", "2", "không", "không", "bỏ qua"):
        await on_zalo.say(answer)
    for seed in (1, 2):
        await on_zalo.send_image(photo(seed))
    await on_zalo.say("xong")
    await on_zalo.say("bỏ qua")
    await on_zalo.say("bỏ qua")
    await on_zalo.say("bỏ qua")
    await on_zalo.say("không")  # no commendation nominations
    receipt = await on_zalo.say("gửi báo cáo")
    assert "Số tiếp nhận" in receipt[-1].text

    report = await stored_report(app)
    answers = await stored_answers(app, report)
    assert answers["2:quantity"] == 14 and answers["3:quantity"] == 6
    assert answers["8:quantity"] == 2 and report.status == "submitted"
    async with app.uows() as uow:
        members = {m.id: m.platform for m in (await uow.session.execute(select(Member))).scalars()}
        changes = (await uow.session.execute(select(AnswerChange))).scalars().all()
    by_key = {c.key: members[c.member_id] for c in changes if c.member_id is not None}
    assert by_key["2:quantity"] == "telegram" and by_key["3:quantity"] == "zalo"
