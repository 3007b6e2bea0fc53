"""``tuanle calendar simulate --from DATE --to DATE [--speed N]``: the calendar on a fast clock.

A rehearsal, not a preview: the bot runs as ``tuanle run`` does, on the configured database and
platforms, but its clock starts at the first day (00:00, Vietnam time) and runs ``speed`` times
faster. The reminders it sends are real and logged as sent, so a real run afterwards does not
send them again; what falls outside the sending hours waits, as it would. One line per
simulated day says how many members were reminded, skipped or dropped; after the last day the
command stops by itself, once what it queued has been handed to the platforms.

The clock never runs more than ``late_after`` (an hour by default) past the start of the
sender's last tick: a busy machine or a slow tick slows the rehearsal down instead of letting a
reminder's time slip past unseen, so every reminder is seen while it is still on time, as the
real sender (which looks every minute) sees it, and the rehearsal sends what a real October
would. Killed and started again with the same command, it replays the days from the first: the
reminder log keeps what was queued before from being queued again, and the outbox sends what
was queued and not marked sent, including a message the platform took just before the kill
(docs/calendar.md: what a kill -9 in the middle of a wave does).
"""

from __future__ import annotations

import asyncio
import sys
import time as clock_time
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App, build
from bot.config import Settings
from bot.engine.reminders import ReminderSender, Tally, lock_for
from bot.serve import serve
from handlers import messages as say

MIN_TICK_SECONDS = 0.05  # real seconds between two ticks, however fast the clock
DEFAULT_SPEED = 3600.0  # a simulated hour each real second: October in about 12 minutes


class PacedClock:
    """Runs ``speed`` times faster than the real time from ``start``, but never more than
    ``step`` past the start of the sender's last tick (``ticked``): when the sender lags, the
    simulated time waits for it."""

    def __init__(self, start: datetime, speed: float, step: timedelta) -> None:
        if start.tzinfo is None or speed <= 0 or step <= timedelta(0):
            raise ValueError("start must be aware, speed and step positive")
        self._speed = speed
        self._step = step
        self._base = start
        self._origin = clock_time.monotonic()
        self._cap = start + step

    def now(self) -> datetime:
        ran = timedelta(seconds=(clock_time.monotonic() - self._origin) * self._speed)
        return min(self._base + ran, self._cap)

    def ticked(self) -> None:
        """The sender starts a tick: the clock may run another ``step`` from here."""
        self._base = self.now()
        self._origin = clock_time.monotonic()
        self._cap = self._base + self._step


class _PacedSender(ReminderSender):
    """The app's reminder sender on the paced clock, letting the clock go on at each tick."""

    def __init__(self, app: App, zone: ZoneInfo, clock: PacedClock, every: float) -> None:
        super().__init__(
            app.uows,
            app.engine.campaign,
            app.settings.reminders.rules(),
            zone,
            clock,
            app.engine.outbox,
            lock_for(app.database),
            every=every,
        )
        self._paced = clock

    async def tick(self) -> Tally:
        self._paced.ticked()
        return await super().tick()


async def simulate(
    settings: Settings, first: date, last: date, speed: float, say_line: Callable[[str], None]
) -> int:
    """Runs the bot from ``first`` to the end of ``last`` (not before ``first``) on a clock
    ``speed`` times faster."""
    zone = ZoneInfo(settings.campaign.timezone)
    start = datetime.combine(first, time(0), zone)
    finish = datetime.combine(last + timedelta(days=1), time(0), zone)
    step = settings.reminders.rules().late_after
    clock = PacedClock(start, speed, step)
    app = await build(settings, clock=clock)

    def line(text: str) -> None:
        say_line(text)
        sys.stdout.flush()  # a rehearsal watched through a pipe (tee, a test) sees each day

    try:
        await app.reminders.close()  # built for real time: this one ticks as fast as the clock
        every = max(MIN_TICK_SECONDS, step.total_seconds() / speed)
        app.reminders = _PacedSender(app, zone, clock, every)
        line(say.SIM_START.format(first=first, last=last, speed=speed))
        stop = asyncio.Event()
        watcher = asyncio.create_task(_days(app, clock, finish, zone, stop, line))
        try:
            return await serve(app, stop)
        finally:
            watcher.cancel()
    finally:
        await app.close()


async def _days(
    app: App,
    clock: PacedClock,
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
