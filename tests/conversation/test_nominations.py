"""The commendation nominations (seed 003: "gửi danh sách đề nghị khen thưởng tập thể, cá nhân
có thành tích xuất sắc"): one optional step after the narrative questions, one nomination a
message, each stored as it arrives, listed at the review, in the receipt and in
``tuanle reports show``."""

from __future__ import annotations

import asyncio

import hypothesis
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App, build
from bot.config import Settings
from bot.domain.chat import Reply
from bot.platforms.dispatch import Sender, SendFailed
from bot.platforms.memory import MemoryChat
from bot.reports import describe
from handlers import messages as say
from handlers.common import fold
from handlers.nominations import MAX_ACHIEVEMENT, MAX_NAME, MAX_NOMINATIONS, Draft, read
from storage.models import Conversation, Member, Nomination
from tests.conftest import FixedClock, photo
from tests.conversation.helpers import (
    NOT_RUN_GROUPS,
    compact_walk_answers,
    stored_answers,
    stored_report,
)

TEACHER = "tg-1001"
PERSON = "Nguyễn Văn A - cá nhân - tổ chức 5 lớp tin học cho người cao tuổi"
GROUP = "Tổ Ngữ văn - tập thể - tổ chức ngày hội đọc sách cho 300 người"


async def _to_the_nominations(app: App, chat: MemoryChat) -> None:
    """The whole walk as a unit that ran five groups files it, up to the nominations."""
    script, _ = compact_walk_answers(app.engine.campaign, not_run=NOT_RUN_GROUPS)
    for answer in script:
        await chat.send(answer)
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))
    await chat.press(say.SKIP_ALL.label)
    assert chat.last_reply().text == say.ASK_NOMINATIONS


async def _stored(app: App) -> list[tuple[str, str, str]]:
    report = await stored_report(app)
    async with app.uows() as uow:
        listed = await uow.nominations.of_report(report.id)
    return [(n.name, n.kind, n.achievement) for n in listed]


async def _step(app: App) -> str:
    async with app.uows() as uow:
        query = select(Conversation.step).where(Conversation.user_id == TEACHER)
        return (await uow.session.execute(query)).scalar_one()


async def test_a_teacher_adds_two_removes_one_then_reviews_and_submits(
    app: App, chat: MemoryChat, clock: FixedClock
) -> None:
    await _to_the_nominations(app, chat)
    first = (await chat.send(PERSON))[-1].text
    assert "Đã lưu đề nghị số 1: Nguyễn Văn A (cá nhân)." in first
    assert "1. Nguyễn Văn A (cá nhân): tổ chức 5 lớp tin học cho người cao tuổi" in first
    second = (await chat.send(GROUP))[-1].text
    assert "Danh sách đề nghị khen thưởng (2/20):" in second
    assert "2. Tổ Ngữ văn (tập thể): tổ chức ngày hội đọc sách cho 300 người" in second
    assert [c.label for c in chat.last_reply().choices] == [say.NOMINATIONS_DONE.label]

    removed = (await chat.send("Xóa 1"))[-1].text
    assert "Đã xóa đề nghị số 1: Nguyễn Văn A." in removed
    assert "1. Tổ Ngữ văn (tập thể)" in removed and "Nguyễn Văn A (" not in removed
    assert await _stored(app) == [
        ("Tổ Ngữ văn", "collective", "tổ chức ngày hội đọc sách cho 300 người")
    ]

    review = (await chat.press(say.NOMINATIONS_DONE.label))[-1].text
    assert "TÓM TẮT BÁO CÁO" in review
    assert "Đề nghị khen thưởng: 1\n1. Tổ Ngữ văn (tập thể): tổ chức ngày hội đọc sách" in review
    await chat.press(say.SUBMIT.label)
    receipt = chat.last_reply().text
    assert "Số tiếp nhận" in receipt
    assert "Đề nghị khen thưởng gửi kèm (1):\n1. Tổ Ngữ văn (tập thể)" in receipt

    report = await stored_report(app)
    assert report.status == "submitted"
    assert (await stored_answers(app, report))["nominations:done"] == 1
    async with app.uows() as uow:
        (row,) = await uow.nominations.of_report(report.id)
        member = (
            await uow.session.execute(select(Member).where(Member.user_id == TEACHER))
        ).scalar_one()
    assert row.member_id == member.id
    assert row.created_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)
    shown = await describe(app, "THCS-01")
    assert (
        "đề nghị khen thưởng 1. Tổ Ngữ văn (tập thể): tổ chức ngày hội đọc sách cho 300 người"
        in shown
    )


async def test_khong_skips_the_step_and_it_is_not_asked_again(app: App, chat: MemoryChat) -> None:
    await _to_the_nominations(app, chat)
    review = (await chat.send("không"))[-1].text
    assert "TÓM TẮT BÁO CÁO" in review and say.REVIEW_NOMINATIONS_NONE in review
    assert await _stored(app) == []
    await chat.send("tạm dừng")
    resumed = (await chat.send("tiếp tục"))[-1].text
    assert "TÓM TẮT BÁO CÁO" in resumed  # not the nominations again
    await chat.press(say.SUBMIT.label)
    assert "Số tiếp nhận" in chat.last_reply().text
    assert "Đề nghị khen thưởng" not in chat.last_reply().text


async def test_the_step_never_blocks_submitting(app: App, chat: MemoryChat) -> None:
    await _to_the_nominations(app, chat)
    review = (await chat.send("xem lại"))[-1].text
    assert say.REVIEW_NOMINATIONS_MISSING in review
    assert "Còn" not in review  # not a row left unanswered: an optional step
    await chat.press(say.SUBMIT.label)
    assert "Số tiếp nhận" in chat.last_reply().text


async def test_the_kind_is_guessed_only_when_the_name_says_it_else_asked_once(
    app: App, chat: MemoryChat
) -> None:
    await _to_the_nominations(app, chat)
    await chat.send("Cô Lê Thị Lan: dạy lớp xóa mù chữ cho 20 người")
    await chat.send("Trường THCS Kim Long, tổ chức tuần lễ đọc sách")
    await chat.send("Nguyen Van B - day 3 lop tin hoc")
    asked = (await chat.send("to van - to chuc ngay hoi doc sach"))[-1]
    assert asked.text == say.NOMINATION_ASK_KIND.format(name="to van")
    assert [c.label for c in asked.choices] == ["Tập thể", "Cá nhân"]
    assert len(await _stored(app)) == 3  # nothing stored while the kind is asked
    saved = (await chat.press("Tập thể"))[-1].text
    assert "Đã lưu đề nghị số 4: to van (tập thể)." in saved

    # Asked once: another message instead of a kind drops that nomination, and is read.
    await chat.send("Đoàn Văn C - hướng dẫn 40 người đọc sách điện tử")
    replies = await chat.send("Câu lạc bộ đọc sách (tập thể): 12 buổi đọc sách")
    texts = "\n".join(r.text for r in replies)
    assert say.NOMINATION_KIND_DROPPED.format(name="Đoàn Văn C") in texts
    assert "Đã lưu đề nghị số 5: Câu lạc bộ đọc sách (tập thể)." in texts
    assert [(name, kind) for name, kind, _ in await _stored(app)] == [
        ("Cô Lê Thị Lan", "individual"),
        ("Trường THCS Kim Long", "collective"),
        ("Nguyen Van B", "individual"),
        ("to van", "collective"),
        ("Câu lạc bộ đọc sách", "collective"),
    ]
    # A "1" after the walk went elsewhere and came back picks no forgotten kind.
    await chat.send("Tô Văn D - cá nhân - dạy 2 lớp")  # the kind typed: never asked
    await chat.send("to thi e - day hoc")
    await chat.send("quay lại")
    await chat.send("bỏ qua")
    assert await _step(app) == "nominations"
    await chat.send("1")  # the shown question's only choice: "Xong"
    assert "TÓM TẮT BÁO CÁO" in chat.last_reply().text
    assert len(await _stored(app)) == 6


async def test_limits_are_refused_clearly_and_store_nothing(app: App, chat: MemoryChat) -> None:
    await _to_the_nominations(app, chat)
    long_name = "Nguyễn Văn " + "A" * MAX_NAME
    refused = (await chat.send(f"{long_name} - cá nhân - dạy học"))[0].text
    assert refused == say.NOMINATION_NAME_TOO_LONG.format(length=len(long_name), limit=MAX_NAME)
    achievement = "dạy " * (MAX_ACHIEVEMENT // 4 + 1)
    refused = (await chat.send(f"Tổ Toán - tập thể - {achievement}"))[0].text
    assert refused == say.NOMINATION_ACHIEVEMENT_TOO_LONG.format(
        length=len(achievement.strip()), limit=MAX_ACHIEVEMENT
    )
    assert (await chat.send("Tổ Văn"))[0].text == say.NOMINATION_UNREAD  # no achievement
    assert (await chat.send("1.1: 3/120"))[0].text == say.NOMINATION_NO_NAME
    assert (await chat.send("xóa 1"))[0].text == say.NOMINATIONS_EMPTY
    assert await _stored(app) == []

    await chat.send(PERSON)
    twice = (await chat.send(PERSON))[0].text
    assert twice == say.NOMINATION_TWICE.format(name="Nguyễn Văn A", number=1)
    for number in range(2, MAX_NOMINATIONS + 1):
        await chat.send(f"Lớp {number}A - tập thể - đọc {number} cuốn sách")
    assert "(20/20)" in chat.last_reply().text
    full = (await chat.send("Tổ Sử - tập thể - triển lãm"))[0].text
    assert full == say.NOMINATIONS_FULL.format(max=MAX_NOMINATIONS)
    missing = (await chat.send("xóa 25"))[0].text
    assert missing == say.NOMINATION_NO_SUCH.format(number=25, count=MAX_NOMINATIONS)
    assert len(await _stored(app)) == MAX_NOMINATIONS
    cleared = (await chat.send("xóa hết"))[-1].text
    assert say.NOMINATIONS_CLEARED.format(count=MAX_NOMINATIONS) in cleared
    assert await _stored(app) == []


async def test_a_restart_in_the_middle_keeps_what_was_stored(
    app: App, chat: MemoryChat, settings: Settings, clock: FixedClock
) -> None:
    await _to_the_nominations(app, chat)
    await chat.send(PERSON)
    await app.close()

    again = await build(settings, clock=clock)
    try:
        teacher = MemoryChat(again.engine, user_id=TEACHER, user_name="Cô Lan")
        listed = (await teacher.send(GROUP))[-1].text
        assert "1. Nguyễn Văn A (cá nhân)" in listed and "2. Tổ Ngữ văn (tập thể)" in listed
        await teacher.send("tạm dừng")
        resumed = (await teacher.send("tiếp tục"))[-1].text  # the first step not answered
        assert "Danh sách đề nghị khen thưởng (2/20):" in resumed
        assert "TÓM TẮT BÁO CÁO" in (await teacher.send("xong"))[-1].text
    finally:
        await again.close()


async def test_a_submitted_report_edited_here_returns_to_draft(app: App, chat: MemoryChat) -> None:
    await _to_the_nominations(app, chat)
    await chat.send("không")
    await chat.press(say.SUBMIT.label)
    await chat.send("sửa báo cáo")
    shown = (await chat.send("sửa khen thưởng"))[-1].text
    assert shown == say.ASK_NOMINATIONS
    listed = (await chat.send(GROUP))[-1].text
    assert "1. Tổ Ngữ văn (tập thể)" in listed
    assert (await stored_report(app)).status == "draft"
    review = (await chat.send("xong"))[-1].text  # back to the review it came from
    assert "Đề nghị khen thưởng: 1" in review
    await chat.press(say.SUBMIT.label)
    report = await stored_report(app)
    assert report.status == "submitted" and report.revision == 2
    async with app.uows() as uow:
        assert [n.name for n in await uow.nominations.of_report(report.id)] == ["Tổ Ngữ văn"]
        assert await uow.session.scalar(select(Nomination.kind)) == "collective"


async def test_a_long_achievement_is_cut_in_the_chat_and_kept_whole(
    app: App, chat: MemoryChat
) -> None:
    await _to_the_nominations(app, chat)
    achievement = "Tổ chức " + "x" * 300  # one long word, as a pasted link would be
    listed = (await chat.send(f"Tổ Tin học - tập thể - {achievement}"))[-1].text
    line = next(text for text in listed.splitlines() if text.startswith("1. "))
    assert line.endswith("…") and len(line) < 140
    assert await _stored(app) == [("Tổ Tin học", "collective", achievement)]
    assert f"1. Tổ Tin học (tập thể): {achievement}" in await describe(app, "THCS-01")


WORDS = st.text("abcdeghiklmnopqrstuvxyàáảãạâấđêếôốơớưứABCĐGHNT", min_size=1, max_size=8)
NAMES = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
ACHIEVEMENTS = st.lists(st.one_of(WORDS, st.integers(0, 999).map(str)), min_size=1, max_size=8)
FORMATS = (
    "{name} - {kind} - {achievement}",
    "{name} – {kind} – {achievement}",
    "{name} ({kind}): {achievement}",
    "{name}, {kind}, {achievement}",
    "{kind}: {name} - {achievement}",
    "{name}\n{kind}\n{achievement}",
)


@hypothesis.given(
    name=NAMES,
    words=ACHIEVEMENTS,
    kind=st.sampled_from((("tập thể", "collective"), ("Cá nhân", "individual"))),
    form=st.sampled_from(FORMATS),
)
def test_a_nomination_reads_the_same_whichever_way_it_is_typed(
    name: str, words: list[str], kind: tuple[str, str], form: str
) -> None:
    hypothesis.assume(fold(name) not in {"tap the", "ca nhan"} and any(c.isalpha() for c in name))
    achievement = " ".join(words)
    hypothesis.assume(any(c.isalpha() for c in achievement))
    typed = form.format(name=name, kind=kind[0], achievement=achievement)
    assert read(typed) == Draft(name, kind[1], achievement)


class _Flaky:
    """The platform, refusing every send (502) while ``down``, as a phone out of signal looks to
    the bot (a hand-written fake of the Sender port around the working one)."""

    def __init__(self, working: Sender) -> None:
        self.working = working
        self.down = True

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        if self.down:
            raise SendFailed("502 Bad Gateway")
        await self.working.send(chat_id, reply, skip_pieces=skip_pieces)


async def test_a_nomination_typed_while_the_review_was_unsent_is_stored_as_meant(
    app: App, chat: MemoryChat
) -> None:
    await _to_the_nominations(app, chat)
    await chat.send(PERSON)
    platform = _Flaky(chat.delivery.sender)
    chat.delivery.sender = platform
    await chat.send("xong")  # stored; the review does not reach her
    await chat.send(GROUP)  # the list is all she saw: one more nomination
    await chat.send(GROUP)  # and, hearing nothing, the same again
    platform.down = False
    texts: list[str] = []
    for _ in range(400):  # the failed sends wait out their backoff, in real seconds
        texts += [reply.text for reply in await chat.flush()]
        if len(texts) >= 5:
            break
        await asyncio.sleep(0.05)
    assert "Đã lưu đề nghị số 2: Tổ Ngữ văn (tập thể)." in texts
    assert say.NOMINATION_TWICE.format(name="Tổ Ngữ văn", number=2) in texts
    assert "Đề nghị khen thưởng: 2" in texts[-1]  # the review she stands at, with both
    assert [name for name, _, _ in await _stored(app)] == ["Nguyễn Văn A", "Tổ Ngữ văn"]
    assert await _step(app) == "review"
