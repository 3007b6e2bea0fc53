"""The calendar's admin commands in the chat: /calendar, /remind and /announce, each reaching
only the admin's area, /remind and /announce only after the admin saw how many will receive it.

A commune of two schools on the 2023 campaign; THCS-01 has submitted, THCS-02 has not.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.join import create_invite
from storage.models import OutboxMessage
from tests.calendar.plans import local
from tests.calendar.senders import sender_for
from tests.conftest import FixedClock

NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)


async def joined(app: App, unit: str, role: str, user: str) -> MemoryChat:
    async with app.uows() as uow:
        found = await uow.units.by_code(unit)
        assert found is not None
        code = await create_invite(uow, found, role, 30, 20, NOW)
        await uow.commit()
    person = MemoryChat(app.engine, user_id=user, user_name=user)
    await person.send(f"/start {code}")
    return person


@pytest.fixture
async def people(app: App) -> dict[str, MemoryChat]:
    """The commune's admin and a teacher of each school; THCS-01's report is submitted."""
    async with app.uows() as uow:
        commune = await uow.units.add("XA-KL", "UBND xã Kim Long", "commune", None, NOW)
        await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", commune, NOW)
        await uow.units.add("THCS-02", "Trường THCS Kim Hoa", "school", commune, NOW)
        await uow.commit()
    chats = {
        "admin": await joined(app, "XA-KL", "admin", "admin-xa"),
        "lan": await joined(app, "THCS-01", "reporter", "co-lan"),
        "binh": await joined(app, "THCS-02", "reporter", "thay-binh"),
    }
    async with app.uows() as uow:
        school = await uow.units.by_code("THCS-01")
        assert school is not None
        report = await uow.reports.open_for(app.engine.campaign_id, school.id, NOW)
        report.status = "submitted"
        await uow.commit()
    return chats


def texts(replies: list[object]) -> str:
    return "\n".join(getattr(reply, "text", "") or "" for reply in replies)


async def test_remind_says_how_many_first_then_reaches_only_the_units_still_missing(
    people: dict[str, MemoryChat],
) -> None:
    asked = texts(await people["admin"].send("/remind"))

    assert "1 đơn vị" in asked and "1 người nhận" in asked and "/remind có" in asked
    assert await people["binh"].flush() == []  # nothing goes before the admin says so

    done = texts(await people["admin"].send("/remind có"))

    assert "Đã gửi lời nhắc tới 1 người" in done
    reminded = texts(await people["binh"].flush())
    assert "Trường THCS Kim Hoa" in reminded and "chưa nhập mục nào" in reminded
    assert "tiếp tục" in reminded
    assert await people["lan"].flush() == []  # THCS-01 submitted: not reminded


async def test_announce_shows_the_count_and_the_text_then_sends_it_once_to_the_area(
    people: dict[str, MemoryChat],
) -> None:
    asked = texts(await people["admin"].send("/announce Họp trực tuyến lúc 14h thứ Sáu"))
    assert "3 người" in asked and "Họp trực tuyến lúc 14h thứ Sáu" in asked
    assert await people["lan"].flush() == []

    await people["admin"].send("/announce có")
    again = texts(await people["admin"].send("/announce có"))

    for teacher in ("lan", "binh"):
        got = texts(await people[teacher].flush())
        assert got.count("Họp trực tuyến lúc 14h thứ Sáu") == 1
        assert "UBND xã Kim Long" in got
    assert say.ANNOUNCE_NOTHING in again  # the text went: nothing waits any more


async def test_a_reporter_cannot_remind_or_announce(people: dict[str, MemoryChat]) -> None:
    assert say.ADMIN_ONLY in texts(await people["binh"].send("/remind có"))
    assert say.ADMIN_ONLY in texts(await people["binh"].send("/announce có"))
    assert await people["lan"].flush() == []


async def test_calendar_shows_what_was_sent_and_to_how_many(
    app: App, clock: FixedClock, people: dict[str, MemoryChat]
) -> None:
    clock.current = local(2023, 9, 25, 7, 31)  # the announcement is due
    sender = sender_for(app, clock)
    try:
        await sender.tick()
    finally:
        await sender.close()

    shown = texts(await people["admin"].send("/calendar"))

    lines = shown.splitlines()
    assert "UBND xã Kim Long" in lines[0]
    announce = next(line for line in lines if "Thông báo chủ đề" in line)
    assert "25/09/2023 07:30" in announce and "3 đơn vị" in announce
    assert "đã gửi 3 người" in announce
    deadline = next(line for line in lines if "còn 3 ngày" in line)
    assert "chưa đến giờ" in deadline and "1 đơn vị" in deadline  # THCS-01 submitted


async def test_calendar_counts_a_send_the_platform_refused_for_good(
    app: App, clock: FixedClock, people: dict[str, MemoryChat]
) -> None:
    clock.current = local(2023, 9, 25, 7, 31)
    sender = sender_for(app, clock)
    try:
        await sender.tick()
    finally:
        await sender.close()
    async with app.uows() as uow:
        refused = await uow.session.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.kind == "reminder", OutboxMessage.user_id == "thay-binh"
            )
        )
        await uow.outbox.mark_failed(refused.scalar_one(), "Bad Request: chat not found")
        await uow.commit()

    shown = texts(await people["admin"].send("/calendar"))

    announce = next(line for line in shown.splitlines() if "Thông báo chủ đề" in line)
    assert "đã gửi 2 người" in announce and "1 tin gửi lỗi" in announce


async def test_remind_naming_a_unit_reaches_only_that_unit_and_says_how_to_confirm(
    people: dict[str, MemoryChat],
) -> None:
    asked = texts(await people["admin"].send("/remind THCS-02"))
    assert "1 đơn vị" in asked and "Trường THCS Kim Hoa" in asked
    assert "/remind THCS-02 có" in asked

    done = texts(await people["admin"].send("/remind THCS-02 có"))

    assert "Đã gửi lời nhắc tới 1 người" in done
    assert "chưa nhập mục nào" in texts(await people["binh"].flush())
    nobody = texts(await people["admin"].send("/remind có THCS-01"))  # it submitted
    assert "Không có ai để nhắc" in nobody
    assert await people["lan"].flush() == []


async def test_announce_to_a_unit_named_before_a_colon_reaches_only_its_members(
    people: dict[str, MemoryChat],
) -> None:
    asked = texts(await people["admin"].send("/announce THCS-02: Nộp ảnh trước thứ Sáu"))
    assert "1 người" in asked and "Trường THCS Kim Hoa" in asked
    assert "Nộp ảnh trước thứ Sáu" in asked and "THCS-02:" not in asked

    await people["admin"].send("/announce có")

    assert "Nộp ảnh trước thứ Sáu" in texts(await people["binh"].flush())
    assert await people["lan"].flush() == []


async def test_a_colon_after_words_that_are_no_code_is_part_of_the_text(
    people: dict[str, MemoryChat],
) -> None:
    asked = texts(await people["admin"].send("/announce Gấp: họp lúc 14h"))
    assert "3 người" in asked and "Gấp: họp lúc 14h" in asked


async def test_a_unit_outside_the_admins_area_is_answered_as_unknown(
    app: App, people: dict[str, MemoryChat]
) -> None:
    async with app.uows() as uow:
        other = await uow.units.add("XA-KH", "UBND xã Kim Hải", "commune", None, NOW)
        await uow.units.add("THCS-09", "Trường THCS Kim Hải", "school", other, NOW)
        await uow.commit()
    stranger = await joined(app, "XA-KH", "admin", "admin-kh")

    for asked in ("/remind THCS-02 có", "/announce THCS-02: Họp gấp", "/remind KHONG-CO"):
        said = texts(await stranger.send(asked))
        code = asked.split()[1].rstrip(":")
        assert say.ADMIN_NO_SUCH_UNIT.format(code=code) in said
    await stranger.send("/announce có")
    assert await people["binh"].flush() == []
    assert await people["lan"].flush() == []


async def test_calendar_counts_a_line_logged_under_the_old_dated_key(
    app: App, people: dict[str, MemoryChat]
) -> None:
    async with app.uows() as uow:  # logged before keys dropped the day
        school = await uow.units.by_code("THCS-02")
        binh = await uow.members.find("memory", "thay-binh")
        assert school is not None and binh is not None
        key = f"2023:announce:unit-{school.id}:2023-09-25"
        await uow.reminders.note(2023, key, binh.id, "queued", NOW)
        await uow.commit()

    shown = texts(await people["admin"].send("/calendar"))

    announce = next(line for line in shown.splitlines() if "Thông báo chủ đề" in line)
    assert "đã gửi 1 người" in announce
