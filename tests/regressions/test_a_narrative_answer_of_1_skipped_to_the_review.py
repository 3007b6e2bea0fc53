"""At a narrative question a teacher who typed "1" was sent to the review: the unnumbered
"Bỏ qua phần đánh giá" action was matched by number. A typed number never picks an action."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conftest import photo
from tests.conversation.helpers import stored_answers, stored_report


async def test_a_narrative_answer_of_1_is_stored_as_text(app: App, chat: MemoryChat) -> None:
    await chat.send("02/10")
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))  # the maximum moves the walk on
    await chat.send("xem lại")
    await chat.send("quay lại")  # the last question: the commendation nominations
    await chat.send("quay lại")  # before it, the third narrative one
    assert "Đánh giá 3/3" in chat.last_reply().text
    await chat.send("1")
    # Moved on after storing, as after any answer: to the nominations, then the review.
    assert chat.last_reply().text == say.ASK_NOMINATIONS
    answers = await stored_answers(app, await stored_report(app))
    assert answers["narr:recommendations"] == "1"
