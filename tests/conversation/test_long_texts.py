"""Any text length at any step (issue 9, items 3 and 5): a 5,000-digit message at a numbered
choice once raised past Python's digit limit and, after three tries, the teacher got the
generic error. Here every kind of step of the 2023 form (the opening, a yes/no group, a pair, a
count, an amount, a free-text row, the photos, a narrative, the commendation nominations, the
review, the menu, and joining) gets very long texts of digits, letters, and mixed Unicode: the
answer is always a correction or the same question, never the generic error, and nothing is
stored.

The teacher is moved to each step the way a person would (the review, then "sửa …"), so the
question on their screen is the one the long text answers.
"""

from __future__ import annotations

import uuid

import hypothesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.common import match_choice
from storage.models import Conversation, InboxMessage
from tests.conversation.helpers import stored_answers, stored_report

# How to reach each kind of step from the review, and the step it lands on.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "opening": (("sửa khai mạc",), "opening"),
    "yes/no group": (("sửa 1",), "run:1"),
    "pair row": (("sửa 1.1",), "item:1.1"),
    "count row": (("sửa 2",), "item:2"),
    "amount row": (("sửa 10.1",), "item:10.1"),
    "free-text row": (("sửa 11",), "item:11"),
    "photos": (("sửa ảnh",), "photos"),
    "narrative": (("quay lại", "quay lại"), "narr:recommendations"),
    "nominations": (("sửa khen thưởng",), "nominations"),
    "review": ((), "review"),
    "menu": (("hủy",), "menu"),
}
# Few examples by default (a few seconds); the long profile runs many more.
EXAMPLES = max(10, hypothesis.settings.default.max_examples // 4)


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


LENGTHS = st.integers(5_000, 20_000)
LONG_TEXTS = st.one_of(
    st.builds(lambda n: "9" * n, LENGTHS),
    st.builds(lambda n: "1" + "0" * (n - 1), LENGTHS),
    st.builds(_repeat, st.sampled_from(("a", "Đ", "lớp ", "người", "ệ́")), LENGTHS),
    st.builds(_repeat, st.text(min_size=1, max_size=12), LENGTHS),
)
PREFIXES = st.sampled_from(("", "3/", "sửa ", "/start ", "1.1, ", "02/10 ", "có "))


async def _to_step(chat: MemoryChat, name: str) -> None:
    await chat.send("xem lại")
    for text in STEPS[name][0]:
        await chat.send(text)


async def _snapshot(app: App, user_id: str) -> tuple[str, dict[str, int | str | None]]:
    async with app.uows() as uow:
        step = (
            await uow.session.execute(
                select(Conversation.step).where(Conversation.user_id == user_id)
            )
        ).scalar_one()
    return step, await stored_answers(app, await stored_report(app))


async def _problems(app: App) -> list[tuple[str, str | None]]:
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(InboxMessage.status, InboxMessage.last_error).where(
                (InboxMessage.status != "done") | InboxMessage.last_error.is_not(None)
            )
        )
        return [(status, error) for status, error in rows]


async def _ready(chat: MemoryChat) -> None:
    """The opening answered, group 1 and group 10 run: every row above applies."""
    if getattr(chat, "_ready", False):
        return
    await chat.send("02/10")
    await chat.send("có")
    await chat.send("xem lại")
    await chat.send("sửa 10")
    await chat.send("có")
    chat._ready = True  # type: ignore[attr-defined]


@hypothesis.settings(
    max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(step=st.sampled_from(sorted(STEPS)), prefix=PREFIXES, text=LONG_TEXTS)
async def test_a_very_long_text_at_any_step_gets_a_correction_and_stores_nothing(
    app: App, chat: MemoryChat, step: str, prefix: str, text: str
) -> None:
    await _ready(chat)
    await _to_step(chat, step)
    before = await _snapshot(app, chat.user_id)
    assert before[0] == STEPS[step][1]
    question = chat.last_reply().text
    replies = await chat.send(prefix + text)
    assert replies, "a long text got no reply"
    assert all(r.text != say.INTERNAL_ERROR for r in replies)
    if step == "menu":
        question = say.MENU  # after "hủy" comes a word that it paused; then the menu's question
    if step != "review":  # the review is shown anew, its summary the same
        assert replies[-1].text == question
    assert await _snapshot(app, chat.user_id) == before
    assert await _problems(app) == []


@hypothesis.settings(
    max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=PREFIXES, text=LONG_TEXTS)
async def test_a_very_long_text_from_a_stranger_gets_the_welcome_and_joins_nothing(
    app: App, invite: str, prefix: str, text: str
) -> None:
    stranger = MemoryChat(app.engine, user_id=f"tg-{uuid.uuid4().hex[:8]}")
    replies = await stranger.send(prefix + text)
    # Nothing that long is shaped like a code: the welcome, which says how to join.
    assert [r.text[:9] for r in replies] == [say.WELCOME[:9]]
    async with app.uows() as uow:
        assert await uow.members.find("memory", stranger.user_id) is None
    assert await _problems(app) == []


@hypothesis.settings(
    max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    step=st.sampled_from(("opening", "yes/no group", "pair row", "count row", "amount row")),
    digits=st.integers(201, 1_000),
)
async def test_a_long_run_of_digits_at_a_numbered_step_is_refused_by_the_step_itself(
    app: App, chat: MemoryChat, step: str, digits: int
) -> None:
    """Below the length every step refuses, each step's own reading copes with huge numbers."""
    await _ready(chat)
    await _to_step(chat, step)
    before = await _snapshot(app, chat.user_id)
    question = chat.last_reply().text
    replies = await chat.send("9" * digits)
    assert len(replies) == 2 and replies[-1].text == question
    assert replies[0].text != say.INTERNAL_ERROR
    assert not replies[0].text.startswith(say.MESSAGE_TOO_LONG.split("(")[0])  # the step's own
    assert await _snapshot(app, chat.user_id) == before
    assert await _problems(app) == []


@given(text=LONG_TEXTS)
def test_a_numbered_choice_is_never_read_from_a_huge_number(text: str) -> None:
    """``match_choice`` itself: a 5,000-digit "number" picks nothing and raises nothing."""
    assert match_choice(text, (say.ALL, say.NO)) is None
