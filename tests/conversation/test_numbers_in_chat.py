"""Numbers in the chat: read by their words, refused with an example, or confirmed, never guessed.

Each misread seen in the trial of issue 10 is replayed here through the memory chat: the answer
is either stored as the teacher meant it, refused with a correction and the same question, or
confirmed in one short question whose choices work by button and by typed number.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.platforms.memory import MemoryChat
from storage.models import Conversation
from tests.conversation.helpers import stored_answers, stored_report


async def _step(app: App, user_id: str = "tg-1001") -> str:
    async with app.uows() as uow:
        row = (
            await uow.session.execute(select(Conversation).where(Conversation.user_id == user_id))
        ).scalar_one()
        return row.step


async def _answers(app: App, prefix: str) -> dict[str, int | str | None]:
    answers = await stored_answers(app, await stored_report(app))
    return {key: value for key, value in answers.items() if key.startswith(prefix)}


async def _at_first_pair_row(chat: MemoryChat) -> str:
    """Walks to row 1.1 (classes and people); returns its question."""
    await chat.press("Có, ngày 02/10")
    await chat.press("Có, tất cả")
    question = chat.last_reply().text
    assert "1.1 (1/13)" in question
    return question


async def _at_articles_row(chat: MemoryChat) -> str:
    """Walks to row 2 (articles, one count); returns its question."""
    await chat.press("Có, ngày 02/10")
    await chat.press("Không")  # group 1 not run
    question = chat.last_reply().text
    assert "Mục 2/11" in question
    return question


async def test_people_and_classes_given_in_reverse_order_are_stored_by_their_words(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    await chat.send("120 người 3 lớp")
    assert await _answers(app, "1.1:") == {"1.1:quantity": 3, "1.1:people": 120}
    assert "1.2 (2/13)" in chat.last_reply().text
    await chat.send("người 80, lớp 2")
    assert await _answers(app, "1.2:") == {"1.2:quantity": 2, "1.2:people": 80}


async def test_a_letter_o_in_a_count_is_refused_and_nothing_is_stored(
    app: App, chat: MemoryChat
) -> None:
    question = await _at_articles_row(chat)
    for typed, named in (("12O", "“O”"), ("12abc", "“abc”"), ("12 lớp", "“lớp”")):
        replies = await chat.send(typed)
        assert len(replies) == 2, typed
        assert named in replies[0].text and "ví dụ" in replies[0].text, typed
        assert replies[1].text == question, typed
    assert await _step(app) == "item:2"
    assert await _answers(app, "2:") == {}
    await chat.send("12 tin, bài")
    assert await _answers(app, "2:") == {"2:quantity": 12}


async def test_a_no_break_space_at_a_pair_row_is_confirmed_and_the_button_stores_the_choice(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    confirm = (await chat.send("1\u00a0200"))[-1]
    assert [choice.label for choice in confirm.choices] == [
        "1 lớp, 200 người",
        "Chỉ một số: 1.200",
    ]
    assert "2 cách" in confirm.text
    assert await _step(app) == "item:1.1"
    assert await _answers(app, "1.1:") == {}
    await chat.press("1 lớp, 200 người")
    assert await _answers(app, "1.1:") == {"1.1:quantity": 1, "1.1:people": 200}
    assert "1.2 (2/13)" in chat.last_reply().text


async def test_a_choice_typed_by_its_number_stores_that_reading(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    confirm = (await chat.send("3 120"))[-1]
    assert confirm.choices[0].label == "3 lớp, 120 người"
    await chat.send("1")
    assert await _answers(app, "1.1:") == {"1.1:quantity": 3, "1.1:people": 120}
    assert await _step(app) == "item:1.2"


async def test_choosing_the_lone_number_asks_for_both_numbers_and_stores_nothing(
    app: App, chat: MemoryChat
) -> None:
    question = await _at_first_pair_row(chat)
    await chat.send("1 200")
    replies = await chat.send("2")
    assert "2/1.200" in replies[0].text and "số lớp" in replies[0].text
    assert replies[-1].text == question
    assert await _answers(app, "1.1:") == {}
    # The choices are gone: a "1" now is an answer to the question, and a pair needs two.
    replies = await chat.send("1")
    assert "3/120" in replies[0].text and replies[-1].text == question
    assert await _answers(app, "1.1:") == {}


async def test_another_answer_replaces_the_readings_and_a_later_number_is_not_a_choice(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    await chat.send("1 200")
    await chat.send("5/80")
    assert await _answers(app, "1.1:") == {"1.1:quantity": 5, "1.1:people": 80}
    replies = await chat.send("1")  # at 1.2: not a reading of the earlier answer
    assert "1.2 (2/13)" in replies[-1].text
    assert await _answers(app, "1.2:") == {}


async def test_a_button_from_an_earlier_confirmation_stores_nothing(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    first = (await chat.send("1 200"))[-1]
    await chat.send("3 120")  # a second confirmation replaces the first
    replies = await chat.press("1 lớp, 200 người", reply=first)
    assert "câu hỏi trước" in replies[0].text and "1.1 (1/13)" in replies[-1].text
    assert await _answers(app, "1.1:") == {}
    await chat.send("3/120")
    assert await _answers(app, "1.1:") == {"1.1:quantity": 3, "1.1:people": 120}


async def test_navigation_while_a_confirmation_is_open_drops_it(
    app: App, chat: MemoryChat
) -> None:
    await _at_first_pair_row(chat)
    await chat.send("1 200")
    await chat.send("bỏ qua")
    assert "1.2 (2/13)" in chat.last_reply().text
    await chat.send("quay lại")
    assert "1.1 (1/13)" in chat.last_reply().text
    replies = await chat.send("1")
    assert "3/120" in replies[0].text
    assert await _answers(app, "1.1:") == {}
