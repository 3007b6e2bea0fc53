"""Telegram edits and forwards end to end (issue 9, item 6): the real aiogram client against the
fake Bot API server. A teacher who edits "3/120" to "5/200" sees the row change with a notice;
an edit that answered nothing is not read; a forwarded message is not taken as an answer."""

from __future__ import annotations

from bot.app import App
from bot.platforms.telegram import ALLOWED_UPDATES, TelegramAdapter
from handlers import messages as say
from tests.conftest import add_unit
from tests.conversation.helpers import stored_answers, stored_report
from tests.e2e import test_telegram
from tests.e2e.test_telegram import TEACHER, Teacher
from tests.fakes.telegram import FakeTelegram

# The fake server and the bot on it, polling or by webhook, as in the main Telegram tests.
tg = test_telegram.tg
polling = test_telegram.polling
webhook = test_telegram.webhook


async def _at_row_1_2(app: App, tg: FakeTelegram, teacher: Teacher) -> int:
    """Joins, answers the opening and group 1, and 1.1 with "3/120"; that message's update."""
    await teacher.say(f"/start {await add_unit(app)}")
    await teacher.say("02/10")
    await teacher.say("có")
    before = len(tg.messages_to(TEACHER))
    update_id = tg.send_text(TEACHER, "3/120")
    await teacher.settle(before)
    assert "1.2 (2/13)" in teacher.last.text
    return update_id


async def _edit(tg: FakeTelegram, teacher: Teacher, update_id: int, text: str) -> list[str]:
    before = len(tg.messages_to(TEACHER))
    tg.edit_text(update_id, text)
    await teacher.settle(before)
    return [m.text for m in tg.messages_to(TEACHER)[before:]]


async def test_an_edited_answer_changes_the_stored_value_with_a_notice_by_polling(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    answered = await _at_row_1_2(app, tg, teacher)
    question = teacher.last.text
    assert tg.allowed_updates == ALLOWED_UPDATES and "edited_message" in tg.allowed_updates
    texts = await _edit(tg, teacher, answered, "5/200")
    assert texts == ["Đã sửa mục 1.1: 3 lớp / 120 người → 5 lớp / 200 người.", question]
    texts = await _edit(tg, teacher, answered, "6/210")  # a second edit of the same message
    assert texts[0] == "Đã sửa mục 1.1: 5 lớp / 200 người → 6 lớp / 210 người."
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (6, 210)
    await teacher.say("1/10")  # the walk goes on at 1.2
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.2:quantity"], answers["1.2:people"]) == (1, 10)


async def test_an_edit_redelivered_by_the_webhook_is_read_once(
    app: App, tg: FakeTelegram, webhook: TelegramAdapter
) -> None:
    teacher = Teacher(tg, webhook, TEACHER)
    answered = await _at_row_1_2(app, tg, teacher)
    before = len(tg.messages_to(TEACHER))
    edit = tg.edit_text(answered, "5/200")
    tg.redeliver(edit)
    await teacher.settle(before)
    await tg.wait_for(lambda: not tg.pending)
    await tg.wait_for(lambda: webhook.dispatcher.idle)
    notices = [m.text for m in tg.messages_to(TEACHER)[before:] if m.text.startswith("Đã sửa")]
    assert notices == ["Đã sửa mục 1.1: 3 lớp / 120 người → 5 lớp / 200 người."]


async def test_an_edit_that_answered_nothing_and_an_invalid_edit_change_nothing(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    answered = await _at_row_1_2(app, tg, teacher)
    question = teacher.last.text
    before = len(tg.messages_to(TEACHER))
    help_update = tg.send_text(TEACHER, "/help")
    await teacher.settle(before)
    assert await _edit(tg, teacher, help_update, "4/100") == [say.EDIT_NOT_READ, question]
    texts = await _edit(tg, teacher, answered, "ba lớp")
    assert texts[0].startswith(say.EDIT_INVALID.format(row="mục 1.1", value="3 lớp / 120 người"))
    assert texts[-1] == question
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)
    assert "1.2:quantity" not in answers


async def test_a_forwarded_message_is_not_taken_as_an_answer(
    app: App, tg: FakeTelegram, polling: TelegramAdapter
) -> None:
    teacher = Teacher(tg, polling, TEACHER)
    await teacher.say(f"/start {await add_unit(app)}")
    question = teacher.last.text
    before = len(tg.messages_to(TEACHER))
    tg.forward_text(TEACHER, "02/10")
    await teacher.settle(before)
    assert [m.text for m in tg.messages_to(TEACHER)[before:]] == [
        say.FORWARDED_NOT_READ,
        question,
    ]
    assert await stored_answers(app, await stored_report(app)) == {}
