"""``tuanle calendar simulate --from DATE --to DATE [--speed N]``: the calendar on a fast clock.

A rehearsal, not a preview: the bot runs as ``tuanle run`` does, on the configured database and
platforms, but its clock starts at the first day (00:00, Vietnam time) and runs ``speed`` times
faster, and the reminder sender ticks as often as that needs (a simulated minute or so, no more
than five times a real second). The reminders it sends are real and logged as sent, so a real
run afterwards does not send them again; what falls outside the sending hours waits, as it
would. One line per simulated day says how many members were reminded, skipped or dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App, build
from bot.config import Settings
from bot.engine.clock import FastClock
from bot.engine.reminders import TICK_SECONDS, ReminderSender, lock_for
from bot.serve import serve
from handlers import messages as say

MIN_TICK_SECONDS = 0.2
DEFAULT_SPEED = 3600.0  # a simulated hour each real second: October in about 12 minutes


async def simulate(
    settings: Settings, first: date, last: date, speed: float, say_line: Callable[[str], None]
) -> int:
    """Runs the bot from ``first`` to the end of ``last`` (not before ``first``) on a clock
    ``speed`` times faster."""
    zone = ZoneInfo(settings.campaign.timezone)
    start = datetime.combine(first, time(0), zone)
    finish = datetime.combine(last + timedelta(days=1), time(0), zone)
    clock = FastClock(start, speed)
    app = await build(settings, clock=clock)
    try:
        await app.reminders.close()  # built for real time: this one ticks as fast as the clock
        app.reminders = ReminderSender(
            app.uows,
            app.engine.campaign,
            settings.reminders.rules(),
            zone,
            clock,
            app.engine.outbox,
            lock_for(app.database),
            every=max(MIN_TICK_SECONDS, TICK_SECONDS / speed),
        )
        say_line(say.SIM_START.format(first=first, last=last, speed=speed))
        stop = asyncio.Event()
        watcher = asyncio.create_task(_days(app, clock, finish, zone, stop, say_line))
        try:
            return await serve(app, stop)
        finally:
            watcher.cancel()
    finally:
        await app.close()


async def _days(
    app: App,
    clock: FastClock,
    finish: datetime,
    zone: ZoneInfo,
    stop: asyncio.Event,
    say_line: Callable[[str], None],
) -> None:
    """A line per simulated day with the log's counts so far; sets ``stop`` at the end."""
    day = clock.now().astimezone(zone).date()
    while not stop.is_set():
        await asyncio.sleep(MIN_TICK_SECONDS)
        now = clock.now()
        today = now.astimezone(zone).date()
        if today != day or now >= finish:
            say_line(await _counts(app, day))
            day = today
        if now >= finish:
            stop.set()


async def _counts(app: App, day: date) -> str:
    async with app.uows() as uow:
        tallies = await uow.reminders.tally(app.engine.campaign.year)
    totals: dict[str, int] = {}
    for counts in tallies.values():
        for status, count in counts.items():
            totals[status] = totals.get(status, 0) + count
    return say.SIM_DAY.format(
        day=day,
        queued=totals.get("queued", 0),
        skipped=totals.get("skipped_unreachable", 0),
        dropped=totals.get("dropped_late", 0),
        failed=totals.get("failed", 0),
    )
