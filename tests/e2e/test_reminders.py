"""A whole September–October of reminders against the fake Telegram server, on a fast clock.

A commune of two schools on the 2023 campaign (week 02–08/10, reports before 20/10). Its admin
and three teachers join through Telegram; the teacher of THCS-01 submits on 12/10; one teacher
of THCS-02 blocks the bot on 01/10. The test moves the clock an hour at a time from 20/09 to
25/10 and lets the sender tick at each hour (no test sleeps through the days), the real
Telegram adapter delivering what it queues. Each person gets every reminder meant for them
once and none other; a second run over the same weeks (a restart) sends nothing more. On
Zalo, the fake Zalo server: the announcement reaches a teacher once across a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.platforms.dispatch import SendLimits
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from handlers.join import create_invite
from storage.models import OutboxMessage, ReminderLog
from tests.calendar.plans import local
from tests.calendar.senders import sender_for
from tests.conftest import FixedClock
from tests.e2e.adapters import polling_telegram
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

ADMIN, LAN, BINH, HOA = 7001, 7002, 7003, 7004
JOINED = datetime(2023, 9, 1, tzinfo=UTC)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def telegram(app: App, tg: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    async with polling_telegram(app, tg, SendLimits(1000, chat_rate=None)) as adapter:
        yield adapter


async def join(app: App, tg: FakeTelegram, user: int, unit: str, role: str) -> None:
    async with app.uows() as uow:
        found = await uow.units.by_code(unit)
        assert found is not None
        code = await create_invite(uow, found, role, 30, 20, datetime.now(UTC))
        await uow.commit()
    tg.send_text(user, f"/start {code}")
    await tg.wait_for(lambda: bool(tg.messages_to(user)), timeout=30)


async def pending(app: App) -> int:
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "pending")
        )
        return int(rows.scalar_one())


async def delivered(app: App, telegram: TelegramAdapter) -> None:
    """Waits until the adapter has sent (or given up on) everything queued."""
    async with asyncio.timeout(60):
        while await pending(app) or not telegram.dispatcher.idle:
            await telegram.delivery.sweep()
            await asyncio.sleep(0.05)


async def month(
    app: App, clock: FixedClock, telegram: TelegramAdapter, tg: FakeTelegram, hours: int = 1
) -> int:
    """Ticks every ``hours`` from 20/09 to 25/10; what the ticks queued in all."""
    sender = sender_for(app, clock)
    queued = 0
    moment = local(2023, 9, 20, 0, 45)
    try:
        while moment < local(2023, 10, 25):
            clock.current = moment
            if moment.date() == date(2023, 10, 1):
                tg.block(HOA)
            if moment.date() == date(2023, 10, 12):
                await submitted(app, "THCS-01")
            tally = await sender.tick()
            if tally.queued:
                queued += tally.queued
                await delivered(app, telegram)
            moment += timedelta(hours=hours)
    finally:
        await sender.close()
    return queued


async def submitted(app: App, unit: str) -> None:
    async with app.uows() as uow:
        found = await uow.units.by_code(unit)
        assert found is not None
        report = await uow.reports.open_for(app.engine.campaign_id, found.id, JOINED)
        report.status = "submitted"
        await uow.commit()


def reminders_to(tg: FakeTelegram, user: int, skip: dict[int, int]) -> list[str]:
    """What the person received after joining (the ``skip`` replies to the join left out)."""
    return [m.text for m in tg.messages_to(user)][skip[user] :]


async def test_a_simulated_october_reminds_each_person_once_of_what_concerns_them(
    app: App, clock: FixedClock, tg: FakeTelegram, telegram: TelegramAdapter
) -> None:
    async with app.uows() as uow:
        commune = await uow.units.add("XA-KL", "UBND xã Kim Long", "commune", None, JOINED)
        await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", commune, JOINED)
        await uow.units.add(
            "THCS-02", "Trường THCS Kim Hoa", "school", commune, JOINED, "0905 111 222"
        )
        await uow.commit()
    for user, unit, role in [
        (ADMIN, "XA-KL", "admin"),
        (LAN, "THCS-01", "reporter"),
        (BINH, "THCS-02", "reporter"),
        (HOA, "THCS-02", "reporter"),
    ]:
        await join(app, tg, user, unit, role)
    await delivered(app, telegram)
    skip = {user: len(tg.messages_to(user)) for user in (ADMIN, LAN, BINH, HOA)}

    queued = await month(app, clock, telegram, tg)

    lan, binh, hoa, admin = (reminders_to(tg, u, skip) for u in (LAN, BINH, HOA, ADMIN))
    assert len(lan) == 4  # announce, eve, morning, "the report is open"; then she submitted
    assert "«tiếp tục»" in lan[3]
    assert len(binh) == 7  # the same four, then 3 days, 1 day and the last day before 20/10
    assert ["còn 3 ngày" in t for t in binh[4:]] == [True, False, False]
    assert "còn 1 ngày" in binh[5] and "ngày cuối" in binh[6]
    assert all("chưa nhập mục nào" in t for t in binh[4:])
    assert len(hoa) == 2  # announce and eve; blocked from the opening morning on
    assert len(admin) == 7  # announce, eve, morning, the commune's 3 deadline ones, the list
    assert "THCS-02" in admin[-1] and "0905 111 222" in admin[-1] and "THCS-01" not in admin[-1]
    for texts in (lan, binh, hoa, admin):
        assert len(set(texts)) == len(texts)  # nothing twice
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(ReminderLog.status, func.count()).group_by(ReminderLog.status)
        )
        statuses = {status: int(count) for status, count in rows.tuples()}
    assert statuses["queued"] == queued
    assert statuses["skipped_unreachable"] >= 4  # Hòa's later ones, counted for the admin

    again = await month(app, clock, telegram, tg, hours=5)  # restarted: the same weeks again

    assert again == 0
    assert reminders_to(tg, BINH, skip) == binh


async def test_a_zalo_teacher_gets_the_announcement_once_across_a_restart(
    app: App, clock: FixedClock
) -> None:
    teacher = "a1b2c3d4e5f60718293a4b5c"
    async with app.uows() as uow:
        school = await uow.units.add("TH-01", "Trường TH Kim Long", "school", None, JOINED)
        await uow.members.bind("zalo", teacher, teacher, "Cô Mai", school, "reporter", JOINED)
        await uow.commit()
    clock.current = local(2023, 9, 25, 7, 31)
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url)
        adapter = ZaloAdapter(
            app.engine, client, sender=ZaloSender(client, per_second=1000), sweep_seconds=0.2
        )
        await adapter.start()
        try:
            for _restart in range(2):
                sender = sender_for(app, clock)
                try:
                    await sender.tick()
                finally:
                    await sender.close()
                clock.advance(minutes=10)
            await zl.wait_for(lambda: bool(zl.messages_to(teacher)), timeout=30)
            async with asyncio.timeout(30):
                while await pending(app):
                    await adapter.delivery.sweep()
                    await asyncio.sleep(0.05)
        finally:
            await adapter.close()
    received = [m.text for m in zl.messages_to(teacher)]
    assert len(received) == 1 and "Trường TH Kim Long" in received[0]
