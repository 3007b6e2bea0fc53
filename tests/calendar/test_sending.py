"""Sending the reminders (bot/engine/reminders.py): to whom, when, and never twice.

A commune of two schools on the 2023 campaign (week 02–08/10, schools report before 20/10), a
clock the test moves, and the outbox read back as each person would receive it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from bot.app import App
from bot.domain.campaign import Campaign, Level
from bot.engine.reminders import (
    DROPPED_LATE,
    QUEUED,
    SKIPPED_UNREACHABLE,
    AdvisoryLock,
    ReminderSender,
)
from storage.db import create_engine, session_factory
from storage.models import Member, OutboxMessage, ReminderLog, Unit
from storage.uow import UnitOfWorkFactory
from tests.calendar.plans import RULES, local
from tests.calendar.senders import sender_for
from tests.conftest import FixedClock, backend

JOINED = datetime(2023, 9, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Commune:
    commune: int
    school: int  # THCS-01: the commune admin's first school
    other: int  # THCS-02


async def a_commune(app: App) -> Commune:
    """Xã Kim Long with two schools; an admin for the commune, a teacher for THCS-01, two for
    THCS-02 (one of whom blocked the bot)."""
    async with app.uows() as uow:
        commune = await uow.units.add("XA-KL", "UBND xã Kim Long", "commune", None, JOINED)
        school = await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", commune, JOINED)
        other = await uow.units.add(
            "THCS-02", "Trường THCS Kim Hoa", "school", commune, JOINED, contact="0905 111 222"
        )
        for user, unit, role in [
            ("admin-xa", commune, "admin"),
            ("co-lan", school, "reporter"),
            ("thay-binh", other, "reporter"),
            ("co-hoa", other, "reporter"),
        ]:
            await uow.members.bind("telegram", user, f"chat-{user}", user, unit, role, JOINED)
        await uow.members.set_unreachable("telegram", "co-hoa", "chat-co-hoa", JOINED)
        await uow.commit()
        return Commune(commune.id, school.id, other.id)


async def report(
    app: App, unit_id: int, *, submitted: bool = False, opening: date | None = None
) -> None:
    async with app.uows() as uow:
        row = await uow.reports.open_for(app.engine.campaign_id, unit_id, JOINED)
        if submitted:
            row.status = "submitted"
            row.submitted_at = JOINED
        if opening is not None:
            await uow.reports.set_opening(row, opening)
        await uow.commit()


Make = Callable[..., ReminderSender]


@pytest.fixture
async def sender(app: App, clock: FixedClock) -> AsyncIterator[Make]:
    """Makes senders as a restarted process would; each gives its lock up at the end."""
    made: list[ReminderSender] = []

    def make(**options: Any) -> ReminderSender:
        made.append(sender_for(app, clock, **options))
        return made[-1]

    yield make
    for each in made:
        await each.close()


async def received(app: App) -> dict[str, list[str]]:
    """The reminders queued, by the person they go to, oldest first."""
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "reminder")
            .order_by(OutboxMessage.id)
        )
        by_user: dict[str, list[str]] = {}
        for row in rows.scalars():
            by_user.setdefault(row.user_id or "", []).append(row.payload["text"])
        return by_user


async def log_lines(app: App) -> list[tuple[str, int, str]]:
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(ReminderLog.reminder_key, ReminderLog.member_id, ReminderLog.status)
        )
        return sorted(rows.tuples())


async def test_the_announcement_reaches_every_member_with_the_theme_and_the_units_dates(
    app: App, clock: FixedClock, sender: Make
) -> None:
    await a_commune(app)
    clock.current = local(2023, 9, 25, 7, 31)  # 7 days before the week, 7:30

    tally = await sender().tick()

    got = await received(app)
    assert sorted(got) == ["admin-xa", "co-lan", "thay-binh"]  # co-hoa blocked the bot
    text = got["co-lan"][0]
    assert "thầy/cô" in text and f"«{app.engine.campaign.theme}»" in text
    assert "02/10/2023 đến 08/10/2023" in text and "trước ngày 20/10/2023" in text
    assert (tally.queued, tally.skipped, tally.dropped) == (3, 1, 0)
    statuses = [status for _key, _member, status in await log_lines(app)]
    assert sorted(statuses) == [QUEUED, QUEUED, QUEUED, SKIPPED_UNREACHABLE]


async def test_ticking_again_sends_nothing_more(app: App, clock: FixedClock, sender: Make) -> None:
    await a_commune(app)
    clock.current = local(2023, 9, 25, 7, 31)
    first = sender()
    await first.tick()
    await first.close()  # a restart

    clock.advance(minutes=5)
    again = await sender().tick()

    assert (again.queued, again.skipped, again.dropped) == (0, 0, 0)
    assert all(len(texts) == 1 for texts in (await received(app)).values())


async def test_deadline_reminders_go_only_to_units_not_submitted_naming_what_is_missing(
    app: App, clock: FixedClock, sender: Make
) -> None:
    units = await a_commune(app)
    await report(app, units.school, submitted=True)
    clock.current = local(2023, 10, 16, 7, 30)  # 3 days before the last day, 19/10

    await sender().tick()

    got = await received(app)
    assert "co-lan" not in got  # THCS-01 submitted: it hears nothing
    assert len(got["thay-binh"]) == 1
    assert "còn 3 ngày" in got["thay-binh"][0] and "chưa nhập mục nào" in got["thay-binh"][0]
    assert "tiếp tục" in got["thay-binh"][0]
    assert "1/2 đơn vị" in got["admin-xa"][0]  # the commune's own deadline, to its admin


async def test_a_unit_with_its_own_opening_day_is_reminded_on_its_eve_not_the_campaigns(
    app: App, clock: FixedClock, sender: Make
) -> None:
    units = await a_commune(app)
    running = sender()
    await report(app, units.school, opening=date(2023, 10, 4))

    clock.current = local(2023, 9, 30, 19, 1)  # the campaign's eve (opening 02/10)
    await running.tick()
    eve = await received(app)
    assert "co-lan" not in eve and "thay-binh" in eve

    clock.current = local(2023, 10, 3, 19, 1)  # THCS-01's own eve
    await running.tick()
    got = await received(app)
    assert len(got["co-lan"]) == 1 and "04/10/2023" in got["co-lan"][0]
    assert len(got["thay-binh"]) == 1  # THCS-02 had its eve already


async def test_a_broadcast_cut_short_resumes_with_no_duplicate_and_no_loss(
    app: App, clock: FixedClock, sender: Make
) -> None:
    await a_commune(app)
    clock.current = local(2023, 9, 25, 7, 31)
    lines = 0

    def crash_in_second_batch(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal lines
        if statement.lstrip().upper().startswith("INSERT INTO REMINDER_LOG"):
            lines += 1
            if lines == 2:  # the second member's batch dies before its commit
                raise ConnectionResetError("the process died here")

    engine = app.database.sync_engine
    event.listen(engine, "before_cursor_execute", crash_in_second_batch)
    crashed = sender(batch=1)
    try:
        with pytest.raises(ConnectionResetError):
            await crashed.tick()
    finally:
        event.remove(engine, "before_cursor_execute", crash_in_second_batch)
    await crashed.close()  # the process is gone, and its lock with it
    assert sum(len(t) for t in (await received(app)).values()) == 1  # one batch went through

    clock.advance(minutes=1)
    await sender(batch=1).tick()

    got = await received(app)
    assert {user: len(texts) for user, texts in got.items()} == {
        "admin-xa": 1,
        "co-lan": 1,
        "thay-binh": 1,
    }
    assert len(await log_lines(app)) == 4


async def test_after_downtime_a_reminder_is_sent_late_before_its_deadline_and_dropped_after(
    app: App, clock: FixedClock, sender: Make
) -> None:
    units = await a_commune(app)
    running = sender()
    await report(app, units.school, submitted=True)

    clock.current = local(2023, 10, 17, 10, 0)  # down since the 15th: the 3-day one is late
    await running.tick()
    late = await received(app)
    assert len(late["thay-binh"]) == 1 and "còn 3 ngày" in late["thay-binh"][0]

    clock.current = local(2023, 10, 20, 8, 0)  # down again past the deadline (before 20/10)
    tally = await running.tick()

    got = await received(app)
    assert len(got["thay-binh"]) == 1  # the 1-day and last-day ones are dropped, not sent
    assert tally.dropped >= 2
    dropped = {key for key, _m, status in await log_lines(app) if status == DROPPED_LATE}
    assert any("deadline_1d" in key for key in dropped)
    assert any("deadline_day" in key for key in dropped)
    missing = got["admin-xa"][-1]  # the missing list reaches the commune's admin
    assert "THCS-02" in missing and "0905 111 222" in missing and "THCS-01" not in missing


async def test_the_scheduler_ticks_at_once_and_queues_the_due_reminder(
    app: App, clock: FixedClock, sender: Make
) -> None:
    await a_commune(app)
    clock.current = local(2023, 9, 25, 7, 31)
    queued = asyncio.Event()
    app.engine.outbox.subscribe(lambda _platform, _chat: queued.set())
    running = sender()
    running.start(seconds=60)
    async with asyncio.timeout(30):
        await queued.wait()  # the first tick runs at the start, not a minute later
    await running.close()
    assert sorted(await received(app)) == ["admin-xa", "co-lan", "thay-binh"]


async def test_two_processes_on_postgresql_send_each_reminder_once(
    app: App, clock: FixedClock, database_url: str
) -> None:
    if backend() != "postgres":
        pytest.skip("the advisory lock needs PostgreSQL: run with TUANLE_TEST_DB=postgres")
    await a_commune(app)
    clock.current = local(2023, 9, 25, 7, 31)
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        senders = [
            ReminderSender(
                UnitOfWorkFactory(session_factory(engine)),
                app.engine.campaign,
                RULES,
                app.zone,
                clock,
                app.engine.outbox,
                AdvisoryLock(engine),
                batch=1,
            )
            for engine in engines
        ]
        first = await asyncio.gather(*(s.tick() for s in senders))
        assert sorted(t.sending for t in first) == [False, True]
        holder = senders[0] if first[0].sending else senders[1]
        other = senders[1] if holder is senders[0] else senders[0]

        await holder.close()  # the holder dies: its session, and the lock, end
        clock.current = local(2023, 9, 30, 19, 1)  # the opening's eve
        second = await other.tick()

        assert second.sending and second.queued == 3
        await other.close()
    finally:
        for engine in engines:
            await engine.dispose()
    got = await received(app)
    assert {user: len(texts) for user, texts in got.items()} == {
        "admin-xa": 2,
        "co-lan": 2,
        "thay-binh": 2,
    }
    async with app.uows() as uow:
        rows = await uow.session.execute(select(func.count()).select_from(ReminderLog))
        assert rows.scalar_one() == 8


def moved(app: App, before: date) -> Campaign:
    """The campaign's file with the schools' deadline moved to ``before``, as read at a restart."""
    campaign = app.engine.campaign
    deadlines = tuple(
        replace(d, before=before) if d.level == Level.SCHOOL else d for d in campaign.deadlines
    )
    return replace(campaign, deadlines=deadlines)


async def test_a_deadline_moved_after_its_reminder_went_is_not_reminded_again(
    app: App, clock: FixedClock, sender: Make
) -> None:
    await a_commune(app)
    clock.current = local(2023, 10, 16, 7, 31)  # "còn 3 ngày" before 20/10
    first = sender()
    await first.tick()
    await first.close()
    assert "còn 3 ngày" in (await received(app))["thay-binh"][0]

    later = sender_for(app, clock, moved(app, date(2023, 10, 25)))  # the file edited, restarted
    try:
        clock.current = local(2023, 10, 21, 7, 31)  # "còn 3 ngày" before 25/10 falls now
        tally = await later.tick()
    finally:
        await later.close()

    assert len((await received(app))["thay-binh"]) == 1
    assert tally.queued == 0


async def test_a_deadline_moved_before_its_reminder_went_is_reminded_at_its_new_time(
    app: App, clock: FixedClock, sender: Make
) -> None:
    await a_commune(app)
    later = sender_for(app, clock, moved(app, date(2023, 10, 25)))
    try:
        clock.current = local(2023, 10, 18, 7, 31)  # the old "còn 1 ngày" (before 20/10)
        await later.tick()
        assert "thay-binh" not in await received(app)

        clock.current = local(2023, 10, 23, 7, 31)  # the new one: before 25/10
        await later.tick()
    finally:
        await later.close()

    got = (await received(app))["thay-binh"]
    assert len(got) == 1 and "còn 1 ngày" in got[0] and "25/10/2023" in got[0]


async def test_a_line_logged_under_the_old_dated_key_still_counts_as_sent(
    app: App, clock: FixedClock, sender: Make
) -> None:
    units = await a_commune(app)
    async with app.uows() as uow:  # a line written before keys dropped the day
        binh = await uow.members.find("telegram", "thay-binh")
        assert binh is not None
        key = f"2023:deadline_3d:unit-{units.other}:2023-10-16"
        await uow.reminders.note(2023, key, binh.id, QUEUED, JOINED)
        await uow.commit()

    clock.current = local(2023, 10, 16, 7, 31)
    await sender().tick()

    got = await received(app)
    assert "thay-binh" not in got and len(got["co-lan"]) == 1


async def schools_with_a_teacher_each(app: App, count: int) -> None:
    """A commune of ``count`` schools, one teacher in each, written in bulk."""
    async with app.uows() as uow:
        commune = await uow.units.add("XA-LON", "UBND xã Lớn", "commune", None, JOINED)
        rows = [
            {"code": f"TH-{n:04d}", "name": f"Trường số {n}", "kind": "school"}
            for n in range(count)
        ]
        await uow.session.execute(
            insert(Unit), [{**r, "parent_id": commune.id, "created_at": JOINED} for r in rows]
        )
        ids = await uow.session.execute(select(Unit.id).where(Unit.parent_id == commune.id))
        members = [
            {
                "platform": "telegram",
                "user_id": f"gv-{unit_id}",
                "chat_id": f"chat-{unit_id}",
                "display_name": f"Cô giáo {unit_id}",
                "unit_id": unit_id,
                "role": "reporter",
                "joined_at": JOINED,
            }
            for unit_id in ids.scalars()
        ]
        await uow.session.execute(insert(Member), members)
        await uow.commit()


async def statements_of_a_tick(app: App, clock: FixedClock, sender: Make) -> tuple[int, int]:
    """The SQL statements one tick sends to the database, and the members it queued."""
    seen = 0

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal seen
        if not statement.startswith("BEGIN"):  # how transactions begin is the storage's affair
            seen += 1

    engine = app.database.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        clock.current = local(2023, 9, 25, 7, 31)  # the announcement
        tally = await sender(batch=100).tick()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen, tally.queued


@pytest.mark.parametrize("schools", [5, 250])
async def test_a_tick_costs_a_few_reads_and_two_statements_a_batch_whatever_the_size(
    app: App, clock: FixedClock, sender: Make, schools: int
) -> None:
    await schools_with_a_teacher_each(app, schools)

    statements, queued = await statements_of_a_tick(app, clock, sender)

    assert queued == schools
    batches = -(-schools // 100)
    # PostgreSQL's lock check, six reads, two writes a batch: never a statement a member
    assert statements <= 7 + 2 * batches
