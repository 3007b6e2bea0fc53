"""The command table: every word it lists routes to its command at the places it names, no
word means two things at one place, and case or diacritics never matter."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.commands import ANYWHERE, COMMANDS, find
from handlers.report import Place
from handlers.roles import Role
from tests.conftest import add_unit, photo
from tests.conversation.helpers import walk_answers


def test_every_word_of_the_table_reaches_its_command_where_it_applies() -> None:
    for command in COMMANDS:
        for word in command.words:
            for place in command.at:
                found = find(word, place)
                assert found is not None and found[0] is command, (word, place)
            if command.at == ANYWHERE:
                found = find(word, None)
                assert found is not None and found[0] is command, word


def test_no_word_means_two_things_at_one_place() -> None:
    seen: dict[tuple[str, Place], str] = {}
    for command in COMMANDS:
        for word in command.words:
            for place in command.at:
                assert seen.setdefault((word, place), command.name) == command.name, (word, place)


def test_a_walk_word_is_an_answer_where_it_is_no_command() -> None:
    assert find("tiếp tục", Place.QUESTION) is None  # read as an answer at a question
    assert find("gửi báo cáo", Place.QUESTION) is None
    assert find("sửa báo cáo", Place.MENU) is None
    assert find("quay lại", None) is None  # before the walk: only commands that apply anywhere


@pytest.mark.parametrize(
    ("text", "place", "name", "arguments"),
    [
        ("XEM LẠI", Place.QUESTION, "review", ""),
        ("  Quay  lai ", Place.QUESTION, "back", ""),
        ("Tiếp Tục", Place.MENU, "continue", ""),
        ("1", Place.MENU, "continue", ""),  # the only choice shown, by its number
        ("Gửi báo cáo", Place.REVIEW, "submit", ""),
        ("Sửa 1.3", Place.REVIEW, "edit_row", "1.3"),
        ("sửa báo cáo", Place.SUBMITTED, "edit_report", ""),
        ("/status@TuanLeBot X1", None, "status", "X1"),
        ("/STATUS", Place.QUESTION, "status", ""),
        ("/invite THCS-01 admin", Place.REVIEW, "invite", "THCS-01 admin"),
        (
            "/reopen THCS-01 Mục 1.3 thiếu số người",
            None,
            "reopen",
            "THCS-01 Mục 1.3 thiếu số người",
        ),
        ("/export 2023", Place.SUBMITTED, "export", "2023"),
        ("/revoke THCS-01 2", None, "revoke", "THCS-01 2"),
    ],
)
def test_commands_are_read_whatever_the_case_and_diacritics(
    text: str, place: Place | None, name: str, arguments: str
) -> None:
    found = find(text, place)
    assert found is not None
    assert (found[0].name, found[1]) == (name, arguments)


def test_admin_commands_need_an_admin_and_have_a_help_line() -> None:
    admin = [c for c in COMMANDS if c.needs is Role.ADMIN]
    assert {c.name for c in admin} >= {"status", "export", "invite", "revoke", "reopen"}
    assert all(c.help and c.at == ANYWHERE and c.takes_arguments for c in admin)


async def test_the_walk_keywords_move_a_teacher_through_the_report(
    app: App, chat: MemoryChat
) -> None:
    """The walk's words, typed: each does what the table says at the place it is typed."""
    opening = chat.last_reply().text
    await chat.send("3/10")
    second = chat.last_reply().text
    await chat.send("Quay lại")
    assert chat.last_reply().text.startswith(opening.split("\n")[0])
    await chat.send("bỏ qua")
    assert chat.last_reply().text == second
    await chat.send("TẠM DỪNG")
    assert chat.last_reply().text.startswith(say.PAUSED)
    await chat.send("/baocao")
    assert chat.last_reply().text == second  # resumed at the first question unanswered
    await chat.send("xem lai")
    assert say.REVIEW_TITLE.split("—")[0] in chat.last_reply().text
    await chat.send("/help")
    assert say.HELP in chat.replies[-2].text
    assert say.ADMIN_HELP_TITLE not in chat.replies[-2].text  # a reporter: no admin commands


async def test_a_report_is_filed_and_edited_again_with_the_tables_words(app: App) -> None:
    invite = await add_unit(app)
    teacher = MemoryChat(app.engine, user_id="tg-1002", user_name="Thầy Nam")
    await teacher.send(f"/start {invite}")
    script, _ = walk_answers(app.engine.campaign, run_every_group=True)
    for answer in script:
        await teacher.send(answer)
    for seed in (1, 2):
        await teacher.send_file(photo(seed))
    await teacher.send("Xong, đủ ảnh")
    for _ in range(6):  # the optional parts after the photos, skipped
        if say.SUBMIT in teacher.last_reply().choices:
            break
        await teacher.send("bỏ qua")
    await teacher.send("GUI BAO CAO")
    assert "Số tiếp nhận" in teacher.last_reply().text
    await teacher.send("xem lại")  # the report as sent
    assert say.EDIT in teacher.last_reply().actions
    await teacher.send("Sửa báo cáo")
    assert say.REOPENED_FOR_EDIT in teacher.replies[-2].text
    await teacher.send("sửa 1.1")
    assert teacher.last_reply().text.startswith("Mục 1/")
