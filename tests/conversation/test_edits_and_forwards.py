"""Edited and forwarded messages (issue 9, item 6), through the memory chat: an edit of an
answer changes that answer and says so, naming the row and the old and new value; any other
edit is answered with "edits are not read"; a forwarded text is never taken as an answer."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.app import App
from bot.domain.chat import Incoming, Reply
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from storage.models import AnswerChange, Conversation
from tests.conversation.helpers import already_recorded, stored_answers, stored_report


async def _edit(chat: MemoryChat, original: str, text: str) -> list[Reply]:
    """The person edits their message ``original`` to read ``text``."""
    edit = Incoming(
        platform=chat.platform,
        message_id=f"e:{original}:{uuid.uuid4().hex[:8]}",
        chat_id=chat.chat_id,
        user_id=chat.user_id,
        text=text,
        edit_of=original,
    )
    return await chat.deliver(edit)


async def _forward(chat: MemoryChat, text: str) -> list[Reply]:
    forwarded = Incoming(
        platform=chat.platform,
        message_id=uuid.uuid4().hex,
        chat_id=chat.chat_id,
        user_id=chat.user_id,
        text=text,
        forwarded=True,
    )
    return await chat.deliver(forwarded)


async def _step(app: App, user_id: str = "tg-1001") -> str:
    async with app.uows() as uow:
        row = (
            await uow.session.execute(select(Conversation).where(Conversation.user_id == user_id))
        ).scalar_one()
        return row.step


async def _answers(app: App) -> dict[str, int | str | None]:
    return await stored_answers(app, await stored_report(app))


async def _at_row_1_2(chat: MemoryChat) -> None:
    """Opening on 02/10, group 1 run, row 1.1 answered 3/120 by message "m-1.1"."""
    await chat.send("02/10", message_id="m-opening")
    await chat.send("có", message_id="m-run-1")
    await chat.send("3/120", message_id="m-1.1")
    assert "1.2 (2/13)" in chat.last_reply().text


async def test_an_edited_answer_changes_its_row_and_says_from_what_to_what(
    app: App, chat: MemoryChat
) -> None:
    await _at_row_1_2(chat)
    question = chat.last_reply().text
    replies = await _edit(chat, "m-1.1", "5/200")
    assert replies[0].text == say.ANSWER_CHANGED.format(
        row="mục 1.1", old="3 lớp / 120 người", new="5 lớp / 200 người"
    )
    assert replies[-1].text == question  # the step did not move
    assert await _step(app) == "item:1.2"
    answers = await _answers(app)
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (5, 200)
    await chat.send("1/10")  # the walk goes on from where it stood
    answers = await _answers(app)
    assert (answers["1.2:quantity"], answers["1.2:people"]) == (1, 10)
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (5, 200)


async def test_edits_of_the_opening_and_a_second_edit_of_the_same_message_are_read(
    app: App, chat: MemoryChat
) -> None:
    await _at_row_1_2(chat)
    replies = await _edit(chat, "m-opening", "04/10")
    assert replies[0].text == say.ANSWER_CHANGED.format(
        row=say.ROW_OPENING, old="có, ngày 02/10", new="có, ngày 04/10"
    )
    replies = await _edit(chat, "m-opening", "không")
    assert replies[0].text == say.ANSWER_CHANGED.format(
        row=say.ROW_OPENING, old="có, ngày 04/10", new="không tổ chức"
    )
    answers = await _answers(app)
    assert answers["opening:held"] == 0 and answers.get("opening:date") is None


async def test_an_edit_to_the_same_value_stores_nothing_new(app: App, chat: MemoryChat) -> None:
    await _at_row_1_2(chat)
    replies = await _edit(chat, "m-1.1", "3 / 120")
    assert replies[0].text == already_recorded("mục 1.1", "3 lớp / 120 người")
    async with app.uows() as uow:
        keys = (await uow.session.execute(select(AnswerChange.key))).scalars().all()
    assert keys.count("1.1:people") == 1


async def test_an_edit_to_an_invalid_value_keeps_the_row_and_gives_the_correction(
    app: App, chat: MemoryChat
) -> None:
    await _at_row_1_2(chat)
    question = chat.last_reply().text
    replies = await _edit(chat, "m-1.1", "năm lớp")
    kept = say.EDIT_INVALID.format(row="mục 1.1", value="3 lớp / 120 người")
    assert replies[0].text.startswith(kept) and len(replies[0].text) > len(kept) + 5
    assert replies[-1].text == question
    answers = await _answers(app)
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)


async def test_an_edit_of_a_message_that_answered_nothing_is_not_read(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("02/10")
    await chat.send("xem lại", message_id="m-review")
    await chat.send("quay lại")
    before = await _answers(app)
    step = await _step(app)
    for original, text in (("m-review", "3/120"), ("m-never-seen", "5"), ("m-review", "xem lại")):
        replies = await _edit(chat, original, text)
        assert replies[0].text == say.EDIT_NOT_READ
    assert await _answers(app) == before and await _step(app) == step


async def test_an_edited_yes_turned_no_moves_past_the_rows_no_longer_asked(
    app: App, chat: MemoryChat
) -> None:
    await _at_row_1_2(chat)
    replies = await _edit(chat, "m-run-1", "không")
    assert replies[0].text == "Đã sửa mục 1: có, tất cả → không."
    assert "Mục 2/11" in replies[-1].text
    assert (await _answers(app))["run:1"] == 0


async def test_a_forwarded_text_is_not_an_answer(app: App, chat: MemoryChat) -> None:
    question = chat.last_reply().text
    replies = await _forward(chat, "02/10")
    assert [r.text for r in replies] == [say.FORWARDED_NOT_READ, question]
    assert await _answers(app) == {}
    assert await _step(app) == "opening"


async def test_a_forwarded_invite_code_still_joins(app: App, invite: str) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-2002")
    replies = await _forward(stranger, invite)
    assert "Đã xác nhận" in replies[0].text


async def test_an_edit_before_joining_asks_for_the_code_in_a_new_message(
    app: App, invite: str
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-2002")
    await stranger.send("ABCD", message_id="m-typo")
    replies = await _edit(stranger, "m-typo", invite)
    assert [r.text for r in replies] == [say.EDIT_BEFORE_JOINING]
    async with app.uows() as uow:
        assert await uow.members.find("memory", "tg-2002") is None


async def test_an_edit_drops_the_readings_offered_for_confirmation(
    app: App, chat: MemoryChat
) -> None:
    """Like any message, an edit drops an unanswered "which reading?" question, so a later "1"
    is not taken for a reading no longer on the screen."""
    await _at_row_1_2(chat)
    await chat.send("1 200")  # reads two ways at a pair row: she is asked which
    assert len(chat.last_reply().choices) == 2
    await _edit(chat, "m-1.1", "5/200")
    await chat.send("1")
    assert "1.2:quantity" not in await _answers(app)
