"""At the review, "sửa 1.3" for a row of a group answered "Không" tells the teacher to edit the
group's question first, but "sửa 1" was answered "Không có mục “1”": the teacher could only
reach the group's yes/no by walking back through every later question."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat
from tests.conversation.helpers import stored_answers, stored_report


async def test_a_group_answered_no_can_be_changed_from_the_review(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("02/10")
    await chat.send("không")  # group 1 not run
    await chat.send("xem lại")
    refused = (await chat.send("sửa 1.3"))[0].text
    assert "sửa câu “1." in refused

    asked = (await chat.send("sửa 1"))[-1].text
    assert "Mục 1/11" in asked and "có mở lớp" in asked
    await chat.send("có")
    assert "TÓM TẮT" in chat.last_reply().text  # back at the review
    answers = await stored_answers(app, await stored_report(app))
    assert answers["run:1"] == 1
