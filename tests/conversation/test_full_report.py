"""A teacher files the whole 2023 template (seed 002) with 3 photos, and the database holds
exactly what was sent; the number of messages the teacher had to send is counted."""

from __future__ import annotations

import hashlib

from bot.app import App
from bot.domain.form import MeasureKind
from bot.platforms.memory import MemoryChat
from handlers.walk import NOMINATIONS_DONE_KEY, Kind, plan
from tests.conftest import photo
from tests.conversation.helpers import (
    NOT_RUN_GROUPS,
    compact_walk_answers,
    stored_answers,
    stored_report,
    walk_answers,
)


async def test_a_teacher_files_the_whole_2023_report_with_three_photos(
    app: App, chat: MemoryChat
) -> None:
    sent_before = len(chat.sent)
    script, expected = walk_answers(app.engine.campaign, run_every_group=True)
    for answer in script:
        await chat.send(answer)
    photos = [photo(1), photo(2), photo(3)]
    for data in photos:
        await chat.send_file(data)
    for text in ("Tổ chức đủ các hoạt động theo kế hoạch.", "bỏ qua", "Tăng kinh phí."):
        await chat.send(text)
    await chat.send("không")  # no commendation nominations
    assert "TÓM TẮT BÁO CÁO" in chat.last_reply().text
    await chat.press("Gửi báo cáo")
    receipt = chat.last_reply().text
    assert "Số tiếp nhận: TL23-" in receipt

    report = await stored_report(app)
    assert report.status == "submitted"
    assert report.reference is not None and report.reference in receipt
    expected |= {
        "narr:results": "Tổ chức đủ các hoạt động theo kế hoạch.",
        "narr:recommendations": "Tăng kinh phí.",
        NOMINATIONS_DONE_KEY: 1,
    }
    assert await stored_answers(app, report) == expected
    async with app.uows() as uow:
        evidence = await uow.reports.evidence(report.id)
    assert [e.sha256 for e in evidence] == [hashlib.sha256(p).hexdigest() for p in photos]
    for item in evidence:
        assert (app.settings.evidence.directory / item.stored_key).is_file()

    teacher_messages = len(chat.sent) - sent_before + 1  # +1: the /start with the invite
    print(f"messages sent by the teacher, every activity run: {teacher_messages}")
    assert teacher_messages <= 60, teacher_messages


async def test_a_unit_that_ran_half_the_activities_needs_few_messages(
    app: App, chat: MemoryChat
) -> None:
    script, expected = walk_answers(app.engine.campaign, run_every_group=False)
    for answer in script:
        await chat.send(answer)
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))
    await chat.press("Bỏ qua phần đánh giá")
    await chat.send("không")  # no commendation nominations
    await chat.press("Gửi báo cáo")
    assert "Số tiếp nhận" in chat.last_reply().text
    report = await stored_report(app)
    assert await stored_answers(app, report) == expected | {NOMINATIONS_DONE_KEY: 1}
    print(f"messages sent by the teacher, half the activities run: {len(chat.sent)}")
    assert len(chat.sent) <= 30, len(chat.sent)


async def test_a_unit_that_ran_everything_files_it_group_by_group_in_few_messages(
    app: App, chat: MemoryChat
) -> None:
    script, expected = compact_walk_answers(app.engine.campaign)
    for answer in script:
        await chat.send(answer)
    assert "Đã lưu 13 mục: 1.1, 1.2" in "\n".join(r.text for r in chat.replies)
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))
    for text in ("Tổ chức đủ các hoạt động theo kế hoạch.", "bỏ qua", "Tăng kinh phí."):
        await chat.send(text)
    await chat.send("không")  # no commendation nominations
    await chat.press("Gửi báo cáo")
    assert "Số tiếp nhận" in chat.last_reply().text
    expected |= {
        "narr:results": "Tổ chức đủ các hoạt động theo kế hoạch.",
        "narr:recommendations": "Tăng kinh phí.",
        NOMINATIONS_DONE_KEY: 1,
    }
    assert await stored_answers(app, await stored_report(app)) == expected
    teacher_messages = len(chat.sent)  # the /start with the invite included
    print(f"messages sent by the teacher, every activity run, rows grouped: {teacher_messages}")
    assert teacher_messages <= 45, teacher_messages


async def test_a_unit_that_ran_five_groups_in_full_files_in_at_most_30_messages(
    app: App, chat: MemoryChat
) -> None:
    script, expected = compact_walk_answers(app.engine.campaign, not_run=NOT_RUN_GROUPS)
    for answer in script:
        await chat.send(answer)
    for seed in (1, 2, 3):
        await chat.send_file(photo(seed))
    await chat.press("Bỏ qua phần đánh giá")
    await chat.send("không")  # no commendation nominations
    await chat.press("Gửi báo cáo")
    assert "Số tiếp nhận" in chat.last_reply().text
    expected[NOMINATIONS_DONE_KEY] = 1
    assert await stored_answers(app, await stored_report(app)) == expected
    teacher_messages = len(chat.sent)  # the /start with the invite included
    print(f"messages sent by the teacher, six groups not run, rows grouped: {teacher_messages}")
    assert teacher_messages <= 30, teacher_messages


async def test_every_row_asked_is_a_row_of_the_template_and_derived_rows_are_never_asked(
    app: App,
) -> None:
    form = app.engine.campaign.form
    asked = [q.item.code for q in plan(form) if q.kind is Kind.ITEM and q.item]
    derived = [i.code for i in form.items() if i.derivation is not None]
    assert "1" in derived and "7.1" in derived and "7.2" in derived
    assert not set(asked) & set(derived)
    assert asked[:13] == [f"1.{n}" for n in range(1, 14)]
    money = [i.code for i in form.items() if any(m.kind is MeasureKind.MONEY for m in i.measures)]
    assert money == ["10.1", "10.2"]
