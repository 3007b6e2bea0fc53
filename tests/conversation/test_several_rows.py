"""Several rows in one message (issue 10, item 6): "1.1: 3/120; 1.2: 2/80" at a group's
questions stores every row named, each read as it would be alone, or refuses the whole message
naming the row at fault and stores nothing of it."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conversation.helpers import (
    NOT_RUN_GROUPS,
    compact_walk_answers,
    stored_answers,
    stored_report,
)


async def _answers(app: App) -> dict[str, int | str | None]:
    return await stored_answers(app, await stored_report(app))


async def test_rows_named_at_the_yes_no_are_the_rows_run_and_the_group_is_filed(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    replies = await chat.send("có, 1.1: 3/120; 1.3: 2 lớp 80 người")
    assert replies[0].text.startswith(say.ROWS_SAVED.format(count=2, rows="1.1, 1.3"))
    assert "Mục 2/11" in replies[-1].text  # the group is done: the next group is asked
    answers = await _answers(app)
    assert answers["run:1"] == 1 and answers["pick:1"] == "1.1,1.3"
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)
    assert (answers["1.3:quantity"], answers["1.3:people"]) == (2, 80)
    summary = (await chat.send("xem lại"))[-1].text
    assert "tổng 5 lớp / 200 người" in summary


async def test_rows_one_a_line_at_a_row_store_them_all_and_move_past_them(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    await chat.send("có")
    replies = await chat.send("1.1: 3/120\nmục 1.2: 2/80\n1.3 = 0")
    assert "1.4 (4/13)" in replies[-1].text
    answers = await _answers(app)
    assert [answers[f"1.{n}:people"] for n in (1, 2, 3)] == [120, 80, 0]


async def test_a_row_sent_ahead_is_stored_and_the_row_asked_is_asked_again(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    await chat.send("có")
    replies = await chat.send("1.5: 4/60")
    assert "1.1 (1/13)" in replies[-1].text
    assert (await _answers(app))["1.5:people"] == 60


async def test_one_wrong_row_refuses_the_whole_message_and_names_the_row(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    before = await _answers(app)
    for text, row in (
        ("có, 1.1: 3/120; 1.2: 12O/80", "1.2"),  # a letter O in a number
        ("1.1: 3/120; 1.2: 1 200", "1.2"),  # reads two ways: never guessed in a batch
        ("1.1: 3/120; 1.4: 120 lớp", "1.4"),  # one number of two
    ):
        replies = await chat.send(text)
        assert replies[0].text.startswith(f"Mục {row}: "), text
        assert "Chưa lưu mục nào" in replies[0].text
        assert "Mục 1/11" in replies[-1].text  # the same question again
        assert await _answers(app) == before
    replies = await chat.send("1.1: 3/120; 2: 15")
    assert replies[0].text == say.ROWS_NOT_IN_GROUP.format(
        code="2", group="1", first="1.1", last="1.13"
    )
    replies = await chat.send("1.1: 3/120; 1.1: 4/120")
    assert replies[0].text.startswith(say.ROWS_TWICE.format(code="1.1")[:20])
    assert await _answers(app) == before


async def test_a_row_the_unit_had_not_picked_is_added_to_the_rows_it_ran(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    await chat.send("1.1, 1.3")
    await chat.send("1.1: 3/120; 1.2: 1/10")
    answers = await _answers(app)
    assert answers["pick:1"] == "1.1,1.2,1.3" and answers["1.2:people"] == 10
    assert "1.3" in chat.last_reply().text


async def test_a_free_text_that_starts_with_a_number_and_a_colon_is_kept_as_text(
    app: App, chat: MemoryChat
) -> None:
    script, _ = compact_walk_answers(app.engine.campaign, not_run=NOT_RUN_GROUPS)
    for answer in script[:-1]:  # up to row 11, the free text
        await chat.send(answer)
    await chat.send("3: trưng bày sách, 2: thi kể chuyện")
    assert (await _answers(app))["11:text"] == "3: trưng bày sách, 2: thi kể chuyện"
