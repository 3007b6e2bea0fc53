"""The case of issue 9 on Zalo, end to end against the fake Zalo server: the reply carrying
question 1.2 fails to send (the platform answers with errors), the teacher hears nothing and
sends "3/120" again. It is a repeat: row 1.2 stays empty, and once the platform works again she
gets question 1.2, a word that 1.1 was already recorded, and question 1.2 again. Had she sent
other numbers that answer 1.2 as well, she is asked which row they are for, and answers by
typing the choice's number."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from bot.platforms.zalo import ZaloAdapter
from handlers import messages as say
from storage.models import InboxMessage
from tests.conftest import add_unit
from tests.conversation.helpers import already_recorded, stored_answers, stored_report
from tests.e2e import test_zalo
from tests.e2e.test_zalo import TEACHER, ZaloTeacher
from tests.fakes.zalo import FakeZalo

# The fake server and the bot on it by long polling, as in the main Zalo tests.
zl = test_zalo.zl
polling = test_zalo.polling


async def _processed(app: App) -> int:
    async with app.uows() as uow:
        done = await uow.session.execute(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.status == "done")
        )
        return int(done.scalar_one())


async def _answer_twice_while_sends_fail(
    app: App, zl: FakeZalo, teacher: ZaloTeacher, second: str, arriving: int
) -> list[str]:
    """1.1 answered "3/120", then ``second``, while nothing reaches her: the ``arriving``
    messages she gets once the platform works again."""
    await teacher.say(await add_unit(app))
    await teacher.say("02/10")
    await teacher.say("có")
    assert "1.1 (1/13)" in teacher.last
    zl.fail_next("sendMessage", error_code=502, times=1_000)
    answered = len(zl.messages_to(TEACHER))
    zl.send_text(TEACHER, "3/120")
    await zl.wait_for(lambda: any(n == "sendMessage" for n, _ in zl.calls[-3:]), timeout=15)
    zl.send_text(TEACHER, second)  # she heard nothing: she sends again
    for _ in range(300):  # both answers processed while nothing could be delivered
        if await _processed(app) == 5:  # the code, 02/10, có, and the two answers
            break
        await asyncio.sleep(0.05)
    assert await _processed(app) == 5
    zl.recover("sendMessage")
    await zl.wait_for(lambda: len(zl.messages_to(TEACHER)) >= answered + arriving, timeout=30)
    return [m.text for m in zl.messages_to(TEACHER)[answered:]]


async def test_an_answer_sent_again_while_its_reply_failed_is_a_repeat_on_zalo(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    texts = await _answer_twice_while_sends_fail(app, zl, teacher, "3/120", 3)
    assert "1.2 (2/13)" in texts[0]
    assert texts[1] == already_recorded("mục 1.1", "3 lớp / 120 người")
    assert "1.2 (2/13)" in texts[2]
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)
    assert not any(key.startswith("1.2:") for key in answers)
    await teacher.say("4/150")  # now she has seen 1.2
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.2:quantity"], answers["1.2:people"]) == (4, 150)


async def test_other_numbers_sent_while_1_2_was_unseen_are_stored_where_she_says_on_zalo(
    app: App, zl: FakeZalo, polling: ZaloAdapter
) -> None:
    teacher = ZaloTeacher(zl, polling)
    texts = await _answer_twice_while_sends_fail(app, zl, teacher, "5/200", 2)
    assert "1.2 (2/13)" in texts[0]
    assert texts[-1].startswith(say.CONFIRM_ROW.format(text="5/200"))
    change = say.ROW_CHOICE_CHANGE.format(
        row="mục 1.1", new="5 lớp / 200 người", old="3 lớp / 120 người"
    )
    assert f"1. {change}" in texts[-1]
    assert "2. " + say.ROW_CHOICE_HERE.format(row="mục 1.2", new="5 lớp / 200 người") in texts[-1]
    answers = await stored_answers(app, await stored_report(app))
    assert not any(key.startswith("1.2:") for key in answers)  # nothing stored before she says
    await teacher.say("2")
    assert "1.3 (3/13)" in teacher.last
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)
    assert (answers["1.2:quantity"], answers["1.2:people"]) == (5, 200)
