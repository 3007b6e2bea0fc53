"""On Zalo a teacher answered 1.1 with "3/120"; the reply carrying question 1.2 failed to send
(a 502) and the bot was killed, so she heard nothing and sent "3/120" again. It was stored
silently as row 1.2 and the walk moved on to 1.3. An answer is now read against the question
the person last saw: the same values again are a repeat that stores nothing. Other values are
never guessed into a row: when they answer the row she has not seen yet too (she may be typing
row 1.2 from a paper form), she is asked which row they are for; when they cannot (the next
question is a yes/no), they change the row she saw, with a notice.

Driven end to end through the memory chat, whose replies go out through the outbox like a
platform's: its sender fails like a platform answering 502, then recovers.
"""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.domain.chat import Reply
from bot.platforms.dispatch import Sender, SendFailed
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conversation.helpers import already_recorded, stored_answers, stored_report


class FailingPlatform:
    """A platform that answers 502 to every send until it recovers."""

    def __init__(self, working: Sender) -> None:
        self.working = working
        self.down = True

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        if self.down:
            raise SendFailed("502 Bad Gateway")
        await self.working.send(chat_id, reply, skip_pieces=skip_pieces)


async def _answer_1_1_and_lose_the_reply(chat: MemoryChat) -> FailingPlatform:
    await chat.send("02/10")
    await chat.send("có")
    assert "1.1 (1/13)" in chat.last_reply().text
    platform = FailingPlatform(chat.delivery.sender)
    chat.delivery.sender = platform
    assert await chat.send("3/120") == []  # question 1.2 is stored to send, never delivered
    return platform


async def _platform_back(chat: MemoryChat, platform: FailingPlatform, count: int) -> list[str]:
    """The platform works again: the texts of the next ``count`` messages the chat receives.

    The failed sends wait out their backoff (real seconds, not the test's clock).
    """
    platform.down = False
    received: list[Reply] = []
    for _ in range(400):
        received += await chat.flush()
        if len(received) >= count:
            return [r.text for r in received]
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {len(received)} of {count} messages arrived")


async def _rows(app: App) -> dict[str, int | str | None]:
    answers = await stored_answers(app, await stored_report(app))
    return {k: v for k, v in answers.items() if k.startswith(("1.1:", "1.2:", "1.3:"))}


async def test_the_same_answer_again_is_a_repeat_and_never_fills_the_unseen_row(
    app: App, chat: MemoryChat
) -> None:
    platform = await _answer_1_1_and_lose_the_reply(chat)
    await chat.send("3/120")  # she heard nothing: she sends it again
    texts = await _platform_back(chat, platform, 3)
    assert "1.2 (2/13)" in texts[0]  # the question that was lost, delivered at last
    assert texts[1] == already_recorded("mục 1.1", "3 lớp / 120 người")
    assert "1.2 (2/13)" in texts[-1]
    assert await _rows(app) == {"1.1:quantity": 3, "1.1:people": 120}
    await chat.send("4/150")  # now she has seen 1.2: this answers it
    assert await _rows(app) == {
        "1.1:quantity": 3,
        "1.1:people": 120,
        "1.2:quantity": 4,
        "1.2:people": 150,
    }
    assert "1.3 (3/13)" in chat.last_reply().text


_CHANGE_1_1 = say.ROW_CHOICE_CHANGE.format(
    row="mục 1.1", new="5 lớp / 200 người", old="3 lớp / 120 người"
)


_STORE_IN_1_2 = say.ROW_CHOICE_HERE.format(row="mục 1.2", new="5 lớp / 200 người")


async def _another_answer_while_1_2_is_unseen(chat: MemoryChat) -> Reply:
    """She sends 5/200 while question 1.2 has not reached her: the question asking which row."""
    platform = await _answer_1_1_and_lose_the_reply(chat)
    await chat.send("5/200")
    texts = await _platform_back(chat, platform, 2)
    assert "1.2 (2/13)" in texts[0]  # the question that was lost, delivered at last
    asked = chat.last_reply()
    assert asked.text == say.CONFIRM_ROW.format(text="5/200")
    assert [c.label for c in asked.choices] == [_CHANGE_1_1, _STORE_IN_1_2]
    return asked


async def test_another_answer_that_fits_both_rows_is_not_stored_until_she_says_which(
    app: App, chat: MemoryChat
) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    assert await _rows(app) == {"1.1:quantity": 3, "1.1:people": 120}


async def test_pressing_the_seen_row_changes_it_with_a_notice_and_keeps_question_1_2(
    app: App, chat: MemoryChat
) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    replies = await chat.press(_CHANGE_1_1)
    assert replies[0].text == say.ANSWER_CHANGED.format(
        row="mục 1.1", old="3 lớp / 120 người", new="5 lớp / 200 người"
    )
    assert "1.2 (2/13)" in replies[-1].text
    assert await _rows(app) == {"1.1:quantity": 5, "1.1:people": 200}
    await chat.send("4/150")  # the answer to 1.2, which she now sees
    assert (await _rows(app))["1.2:quantity"] == 4
    assert "1.3 (3/13)" in chat.last_reply().text


async def test_typing_the_current_rows_number_stores_it_in_1_2_and_moves_on(
    app: App, chat: MemoryChat
) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    await chat.send("2")  # on Zalo and the terminal the choices are numbered lines
    assert "1.3 (3/13)" in chat.last_reply().text
    assert await _rows(app) == {
        "1.1:quantity": 3,
        "1.1:people": 120,
        "1.2:quantity": 5,
        "1.2:people": 200,
    }


async def test_typing_the_seen_rows_number_changes_it(app: App, chat: MemoryChat) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    replies = await chat.send("1")
    assert replies[0].text.startswith("Đã sửa mục 1.1")
    assert "1.2 (2/13)" in replies[-1].text
    assert await _rows(app) == {"1.1:quantity": 5, "1.1:people": 200}


async def test_another_message_drops_the_choice_and_a_later_number_is_not_one(
    app: App, chat: MemoryChat
) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    await chat.send("4/150")  # she answers 1.2 instead: read as an answer to it
    assert "1.3 (3/13)" in chat.last_reply().text
    await chat.send("1")  # at 1.3 a lone number is no answer, and no longer a choice
    rows = await _rows(app)
    assert rows == {"1.1:quantity": 3, "1.1:people": 120, "1.2:quantity": 4, "1.2:people": 150}
    assert "1.3 (3/13)" in chat.last_reply().text


async def test_a_button_of_a_dropped_choice_stores_nothing(app: App, chat: MemoryChat) -> None:
    asked = await _another_answer_while_1_2_is_unseen(chat)
    await chat.send("năm lớp")  # no answer to 1.2: corrected, the step stays, the choice drops
    replies = await chat.press(_CHANGE_1_1, reply=asked)
    assert replies[0].text == say.STALE_BUTTON
    assert "1.2 (2/13)" in replies[-1].text
    assert await _rows(app) == {"1.1:quantity": 3, "1.1:people": 120}


async def test_when_the_next_question_is_a_yes_or_no_the_seen_row_is_changed(
    app: App, chat: MemoryChat
) -> None:
    """The opening day seen, the question whether group 1 was run unsent: a date can only be
    meant for the opening, so it is changed, with a notice, without asking."""
    platform = FailingPlatform(chat.delivery.sender)
    chat.delivery.sender = platform
    await chat.send("02/10")  # stored; the question whether group 1 was run is not delivered
    await chat.send("03/10")
    texts = await _platform_back(chat, platform, 3)
    assert texts[1].startswith("Đã sửa mục Lễ khai mạc")
    answers = await stored_answers(app, await stored_report(app))
    assert answers["opening:date"].endswith("-10-03")  # type: ignore[union-attr]


async def test_a_text_that_does_not_answer_the_seen_question_takes_the_normal_path(
    app: App, chat: MemoryChat
) -> None:
    platform = await _answer_1_1_and_lose_the_reply(chat)
    await chat.send("quay lại")  # a way around the question, not an answer to it
    texts = await _platform_back(chat, platform, 2)
    assert "1.1 (1/13)" in texts[-1]  # back from 1.2 to 1.1, as if she had seen 1.2
    assert await _rows(app) == {"1.1:quantity": 3, "1.1:people": 120}


async def test_at_a_free_text_row_only_a_repeat_is_read_against_it(
    app: App, chat: MemoryChat
) -> None:
    """Every text answers a free-text row, so a new text while the next reply is undelivered is
    not taken for it (it may be "gửi báo cáo" typed fast); the same text again is a repeat."""
    await chat.send("xem lại")
    await chat.send("sửa 11")
    assert "11." in chat.last_reply().text
    platform = FailingPlatform(chat.delivery.sender)
    chat.delivery.sender = platform
    await chat.send("Trưng bày sách")  # stored; the review that follows is not delivered
    await chat.send("Trưng bày sách")
    await chat.send("Triển lãm ảnh")
    texts = await _platform_back(chat, platform, 4)
    assert already_recorded("mục 11", "Trưng bày sách") in texts
    assert not any(t.startswith("Đã sửa") for t in texts)
    answers = await stored_answers(app, await stored_report(app))
    assert answers["11:text"] == "Trưng bày sách"


async def test_a_button_of_an_earlier_question_drops_the_choice_too(
    app: App, chat: MemoryChat
) -> None:
    await _another_answer_while_1_2_is_unseen(chat)
    run_question = next(r for r in chat.replies if any(c.label == "Có, tất cả" for c in r.choices))
    replies = await chat.press("Có, tất cả", reply=run_question)
    assert replies[0].text == say.STALE_BUTTON
    await chat.send("1")  # no longer a choice: at 1.2 a lone number is no answer
    assert await _rows(app) == {"1.1:quantity": 3, "1.1:people": 120}
    assert "1.2 (2/13)" in chat.last_reply().text
