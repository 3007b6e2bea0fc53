"""The conversation rules of DESIGN §4, each as a teacher would notice it."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from bot.app import App, build
from bot.config import Settings
from bot.platforms.memory import MemoryChat
from bot.reports import reopen
from handlers import messages as say
from storage.models import AnswerChange, Conversation
from tests.conftest import FixedClock, add_unit, photo
from tests.conversation.helpers import stored_answers, stored_report, walk_answers


async def _step(app: App, user_id: str = "tg-1001") -> str:
    async with app.uows() as uow:
        row = (
            await uow.session.execute(select(Conversation).where(Conversation.user_id == user_id))
        ).scalar_one()
        return row.step


async def test_joining_greets_the_teacher_with_the_theme_dates_and_first_question(
    app: App, invite: str
) -> None:
    teacher = MemoryChat(app.engine, user_id="zl-7")
    replies = await teacher.send(invite.lower().replace("-", " "))
    assert "Trường THCS Kim Long" in replies[0].text
    assert "02/10" in replies[0].text and "trước ngày 20/10/2023" in replies[0].text
    assert "Lễ khai mạc" in replies[-1].text
    assert [c.label for c in replies[-1].choices] == ["Có, ngày 02/10", "Không tổ chức"]


async def test_a_wrong_invite_code_is_refused_and_guessing_is_locked_out(
    app: App, invite: str
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-666")
    for attempt in range(4):
        reply = (await stranger.send(f"ABCD-EFGH-JKMN-PQR{'STUV'[attempt]}"))[-1]
        assert "không đúng" in reply.text
    assert "quá nhiều lần" in (await stranger.send("ZZZZ-ZZZZ-ZZZZ-ZZZZ"))[-1].text
    assert await stranger.send(invite) == []  # told once; silence until the lockout ends
    async with app.uows() as uow:
        assert await uow.members.find("memory", "tg-666") is None


async def test_a_bad_number_gets_a_correction_and_the_same_question_and_stores_nothing(
    app: App, chat: MemoryChat
) -> None:
    await chat.press("Có, ngày 02/10")
    await chat.press("Có, tất cả")
    question = chat.last_reply().text
    assert "1.1 (1/13)" in question
    for bad in ("1,5", "-3", "abc", "１２", "1e9", "1_000", "3", "99999999/1"):
        replies = await chat.send(bad)
        assert len(replies) == 2, bad
        assert replies[0].text != question and replies[0].text.strip(), bad
        assert replies[1].text == question, bad
    assert await _step(app) == "item:1.1"
    answers = await stored_answers(app, await stored_report(app))
    assert not any(key.startswith("1.1:") for key in answers)
    await chat.send("2 lớp 1.200 người")
    answers = await stored_answers(app, await stored_report(app))
    assert answers["1.1:quantity"] == 2 and answers["1.1:people"] == 1200


async def test_back_skip_review_and_cancel_work_at_any_question(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    await chat.send("không")  # group 1 not run: its 13 rows are skipped
    assert "Mục 2/11" in chat.last_reply().text
    await chat.send("quay lại")
    assert "Mục 1/11" in chat.last_reply().text
    await chat.send("có")
    await chat.press("Bỏ qua")  # 1.1 left blank
    assert "1.2 (2/13)" in chat.last_reply().text
    await chat.press("Xem lại")
    summary = chat.last_reply().text
    assert "Lễ khai mạc: có, ngày 03/10/2023" in summary
    assert "1.1. Bồi dưỡng nâng cao trình độ chuyên môn" in summary and "—" in summary
    await chat.send("sửa 1.1")
    await chat.send("4/80")
    assert "4 lớp / 80 người" in chat.last_reply().text  # back at the review
    await chat.send("hủy")
    assert "tạm dừng" in chat.last_reply().text.lower()
    await chat.send("tiếp tục")
    # Resumes at the first question still unanswered, not at 1.1, the row just edited.
    assert "1.2 (2/13)" in chat.last_reply().text
    answers = await stored_answers(app, await stored_report(app))
    assert answers["1.1:quantity"] == 4 and "1.2:quantity" not in answers


async def test_a_question_asked_again_shows_its_value_and_giu_nguyen_keeps_it(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    await chat.send("có")
    await chat.send("3/120")
    await chat.send("quay lại")
    again = chat.last_reply()
    assert "1.1 (1/13)" in again.text and "Đã lưu: 3 lớp / 120 người" in again.text
    assert say.KEEP in again.actions
    await chat.send("giữ nguyên")
    assert "1.2 (2/13)" in chat.last_reply().text
    assert "Đã lưu" not in chat.last_reply().text  # 1.2 holds nothing yet
    answers = await stored_answers(app, await stored_report(app))
    assert (answers["1.1:quantity"], answers["1.1:people"]) == (3, 120)
    await chat.send("quay lại")
    await chat.press("Giữ nguyên")  # the button on Telegram does the same
    assert "1.2 (2/13)" in chat.last_reply().text


async def test_giu_nguyen_at_a_question_with_nothing_stored_skips_nothing(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    at_group = chat.last_reply().text
    assert "Mục 1/11" in at_group
    replies = await chat.send("giữ nguyên")
    assert [r.text for r in replies] == [say.KEEP_NOTHING, at_group]  # the same question
    answers = await stored_answers(app, await stored_report(app))
    assert "run:1" not in answers


async def test_after_a_pause_a_complete_report_resumes_at_the_review(
    app: App, chat: MemoryChat
) -> None:
    script, _ = walk_answers(app.engine.campaign, run_every_group=False)
    for answer in script:
        await chat.send(answer)
    for seed in (1, 2):
        await chat.send_file(photo(seed))
    await chat.send("quay lại")  # back into the rows: the row shows its stored value
    assert "Đã lưu:" in chat.last_reply().text
    await chat.send("tạm dừng")
    await chat.send("tiếp tục")  # every row answered: the nominations, never asked yet
    assert chat.last_reply().text == say.ASK_NOMINATIONS
    await chat.send("không")
    assert "TÓM TẮT BÁO CÁO" in chat.last_reply().text


async def test_the_walk_resumes_at_the_same_question_after_the_process_restarts(
    settings: Settings, clock: FixedClock
) -> None:
    first = await build(settings, clock=clock)
    code = await add_unit(first)
    teacher = MemoryChat(first.engine, user_id="tg-42")
    await teacher.send(f"/start {code}")
    await teacher.send("02/10")
    await teacher.send("1.1, 1.7")
    await teacher.send("2/60")
    asked = teacher.last_reply().text
    assert "1.7" in asked
    await first.close()

    clock.advance(days=7)  # a week of silence
    second = await build(settings, clock=clock)
    try:
        again = MemoryChat(second.engine, user_id="tg-42")
        await again.send("5/150")
        assert "Mục 2/11" in again.last_reply().text
        answers = await stored_answers(second, await stored_report(second))
        assert answers["1.1:people"] == 60 and answers["1.7:people"] == 150
        assert answers["pick:1"] == "1.1,1.7"
    finally:
        await second.close()


async def test_two_reporters_of_one_unit_fill_the_units_one_report(
    app: App, chat: MemoryChat, invite: str
) -> None:
    await chat.send("02/10")
    await chat.send("không")
    colleague = MemoryChat(app.engine, user_id="zl-2002", platform="zalo")
    joined = await colleague.send(f"/start {invite}")
    assert "Mục 2/11" in joined[-1].text  # lands on the first question nobody answered
    await colleague.send("15")
    answers = await stored_answers(app, await stored_report(app))
    assert answers["run:1"] == 0 and answers["2:quantity"] == 15
    for seed in (1, 2):
        await colleague.send_file(photo(seed))
    await colleague.send("xem lại")
    await colleague.send("gửi báo cáo")
    assert "Số tiếp nhận" in colleague.last_reply().text
    await chat.send("12")  # the first teacher's answer comes after the submission
    assert "đã được gửi" in chat.last_reply().text
    assert (await stored_answers(app, await stored_report(app)))["2:quantity"] == 15


async def test_a_message_delivered_twice_is_processed_once(app: App, chat: MemoryChat) -> None:
    first = await chat.send("02/10", message_id="upd-1")
    second = await chat.send("02/10", message_id="upd-1")
    assert first and second == []
    async with app.uows() as uow:
        count = select(func.count()).select_from(AnswerChange)
        changes = await uow.session.execute(count.where(AnswerChange.key == "opening:held"))
        assert changes.scalar_one() == 1


async def test_photos_are_counted_the_same_photo_twice_is_refused_and_the_maximum_kept(
    app: App, chat: MemoryChat
) -> None:
    assert "1/3" in (await chat.send_file(photo(1)))[0].text
    assert "đã được gửi" in (await chat.send_file(photo(1)))[0].text
    assert "2/3" in (await chat.send_file(photo(2)))[0].text
    assert "3/3" in (await chat.send_file(photo(3)))[0].text
    assert "Đã đủ 3 ảnh" in (await chat.send_file(photo(4)))[0].text
    refused = await chat.send_file(b"<html><body>not a photo</body></html>", kind="document")
    assert "JPEG" in refused[0].text or "ảnh" in refused[0].text
    assert "Lễ khai mạc" in chat.last_reply().text  # the current question again
    async with app.uows() as uow:
        report = await stored_report(app)
        assert len(await uow.reports.evidence(report.id)) == 3


async def test_a_pdf_counts_as_evidence(app: App, chat: MemoryChat) -> None:
    # A real one-page PDF: a file with no readable structure cannot be checked for scripts.
    page = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 250)).save(page, format="PDF")
    pdf = page.getvalue()
    assert "PDF" in (await chat.send_file(pdf, kind="document", name="bao-cao.jpg"))[0].text
    async with app.uows() as uow:
        (evidence,) = await uow.reports.evidence((await stored_report(app)).id)
    assert evidence.mime == "application/pdf" and evidence.stored_key.endswith(".pdf")


async def test_a_button_from_an_earlier_question_is_refused_politely(
    app: App, chat: MemoryChat
) -> None:
    opening = chat.last_reply()
    await chat.press("Có, ngày 02/10")
    replies = await chat.press("Không tổ chức", reply=opening)
    assert "câu hỏi trước" in replies[0].text
    assert "Mục 1/11" in replies[-1].text
    answers = await stored_answers(app, await stored_report(app))
    assert answers["opening:held"] == 1


async def test_submission_needs_the_minimum_photos(app: App, chat: MemoryChat) -> None:
    await chat.send("02/10")
    await chat.send_file(photo(1))
    await chat.send("xem lại")
    await chat.press("Gửi báo cáo")
    assert "Cần ít nhất 2 ảnh" in chat.replies[-2].text
    await chat.send_file(photo(2))
    assert (await stored_report(app)).status == "draft"


async def test_after_the_deadline_only_an_admin_can_reopen_a_submitted_report(
    app: App, chat: MemoryChat, clock: FixedClock
) -> None:
    await chat.send("02/10")
    for seed in (1, 2):
        await chat.send_file(photo(seed))
    await chat.send("xem lại")
    await chat.press("Gửi báo cáo")
    receipt = chat.last_reply().text
    assert "trước ngày 20/10/2023" in receipt
    await chat.send("sửa báo cáo")  # before the deadline: open again
    assert "mở lại" in chat.replies[-2].text
    await chat.press("Gửi báo cáo")
    assert "/2" in chat.last_reply().text  # second revision keeps the reference

    clock.advance(days=12)  # 21/10/2023, past the deadline
    await chat.send("sửa báo cáo")
    assert "quá hạn" in chat.last_reply().text
    assert (await stored_report(app)).status == "submitted"
    await reopen(app, "THCS-01", clock.now())
    await chat.send("sửa báo cáo")
    assert "TÓM TẮT" in chat.last_reply().text
    await chat.send("sửa khai mạc")
    await chat.send("05/10")
    answers = await stored_answers(app, await stored_report(app))
    assert answers["opening:date"] == "2023-10-05"
