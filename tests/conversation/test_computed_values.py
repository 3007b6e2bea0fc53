"""The values the bot computes (group totals, rows 7.1/7.2) are shown to the teacher in the
review and in the receipt, marked as computed; the evidence row records the file kept as well
as the upload (issue 10, item 7)."""

from __future__ import annotations

import hashlib

from bot.app import App
from bot.domain.numbers import format_count
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conftest import photo
from tests.conversation.helpers import compact_walk_answers, stored_report


async def test_the_review_and_the_receipt_show_the_computed_rows(
    app: App, chat: MemoryChat
) -> None:
    script, expected = compact_walk_answers(app.engine.campaign)
    for answer in script:
        await chat.send(answer)
    for seed in (1, 2):
        await chat.send_file(photo(seed))
    await chat.send("xong")
    await chat.press("Bỏ qua phần đánh giá")
    await chat.send("không")  # no commendation nominations
    summary = chat.last_reply().text
    classes = sum(v for k, v in expected.items() if k.startswith("1.") and k.endswith("quantity"))
    people = sum(v for k, v in expected.items() if k.startswith("1.") and k.endswith(":people"))
    group_1 = f"tổng {format_count(classes)} lớp / {format_count(people)} người (tự tính)"
    assert group_1 in summary
    events = sum(v for k, v in expected.items() if k.startswith("5.") and k.endswith("quantity"))
    assert "5. " in summary and f"tổng {format_count(events)} cuộc (tự tính)" in summary
    # A school held its opening ceremony: 7.2 counts it, 7.1 (districts) does not.
    assert "7.1. Số huyện tổ chức Lễ khai mạc Tuần lễ: 0 huyện (tự tính)" in summary
    assert "7.2. Số cơ sở giáo dục tổ chức Lễ khai mạc Tuần lễ: 1 trường/trung tâm (tự tính)" in (
        summary
    )
    await chat.press("Gửi báo cáo")
    receipt = chat.last_reply().text
    assert say.RECEIPT_COMPUTED.split("\n")[0] in receipt
    assert group_1.removesuffix(" (tự tính)").removeprefix("tổng ") in receipt
    assert "• 7.2. Số cơ sở giáo dục tổ chức Lễ khai mạc Tuần lễ: 1 trường/trung tâm" in receipt


async def test_the_evidence_row_records_the_file_kept_and_the_same_photo_twice_is_refused(
    app: App, chat: MemoryChat
) -> None:
    sent = photo(7, size=(320, 240))
    await chat.send_file(sent)
    assert (await chat.send_file(sent))[0].text == say.PHOTO_DUPLICATE
    report = await stored_report(app)
    async with app.uows() as uow:
        [row] = await uow.reports.evidence(report.id)
    kept = (app.settings.evidence.directory / row.stored_key).read_bytes()
    assert kept != sent  # re-encoded without metadata
    assert (row.sha256, row.size) == (hashlib.sha256(sent).hexdigest(), len(sent))
    assert (row.stored_sha256, row.stored_size) == (hashlib.sha256(kept).hexdigest(), len(kept))
