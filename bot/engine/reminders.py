"""Sending the campaign's reminders: each one to each member it is meant for, exactly once.

APScheduler only says when to look (an ``IntervalTrigger`` of about a minute); what is due and
what was sent lives in our tables. At every tick the sender reads the tree in a few queries
(``reminder_world.py``) and works the plan out from it (``bot/domain/calendar.py``: the units,
their own opening days, who has reported; again only when one of those changed), so a date
changed in a campaign's data file takes effect at the next start, and for each reminder
``due_now`` says to send, it queues the reminder's words to the members of its unit in its
roles who have no line in the reminder log yet (the log names a reminder without its date:
``Reminder.key``).

Exactly once: each batch of members (across reminders) is one transaction that writes the
outbox rows (each dedupe key a hash of the year, the reminder's key and the member) and the log
lines, two statements. A process killed between batches leaves the members of the next batch
without a line: the next tick, in this process or another, queues theirs, and nobody's twice. A
member who blocked the bot (``members.unreachable_at``) gets the line ``skipped_unreachable``
and no message; a reminder whose time passed beyond the catch-up rule gets ``dropped_late``
lines and none.

Several processes on PostgreSQL: only the holder of a session-level advisory lock sends. The
lock is held on a connection of its own, checked at every tick; when the holder dies its
connection closes, PostgreSQL frees the lock, and the next process to tick takes it. SQLite
deployments run one process, which always sends.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.calendar import Due, Kind, Reminder, ReminderRules, UnitState, due_now, plan
from bot.domain.campaign import Campaign
from bot.domain.chat import Reply
from bot.engine.clock import Clock
from bot.engine.outbox import OutboxStore
from bot.engine.reminder_world import (
    Areas,
    Details,
    Target,
    World,
    details,
    load_world,
    note_rows,
    outbox_row,
    queue_rows,
)
from handlers.calendar_admin import DROPPED_LATE, QUEUED, SKIPPED_UNREACHABLE, words
from storage.db import is_sqlite
from storage.uow import UnitOfWork

log = structlog.get_logger("tuanle.reminders")

BATCH = 100  # members per transaction: a broadcast cut short loses at most a batch's work
TICK_SECONDS = 60.0
# pg_try_advisory_lock's key: "tuanle-reminders" as a number every process computes alike.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"tuanle-reminders").digest()[:8], "big", signed=True)


def dedupe_key(year: int, key: str, member_id: int) -> str:
    """The outbox row's dedupe key for one reminder to one member (fits the 128 characters)."""
    digest = hashlib.sha256(f"{year}|{key}|{member_id}".encode()).hexdigest()
    return f"reminder:{digest[:48]}"


class SenderLock(Protocol):
    """Says whether this process is the one that sends."""

    async def acquire(self) -> bool: ...

    async def release(self) -> None: ...


class SoleSender:
    """SQLite: one process per database, which always sends."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock held on a dedicated connection.

    ``acquire`` is called at every tick: the holder checks its connection still answers (a
    connection lost means the lock is lost too, and it tries again); another process tries
    ``pg_try_advisory_lock``, which succeeds once the holder's session has ended.
    """

    def __init__(self, database: AsyncEngine, key: int = LOCK_KEY) -> None:
        self._database = database
        self._key = key
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            except Exception as error:  # the session ended: so did the lock
                log.warning("reminders", outcome="lock_lost", error=type(error).__name__)
                await self.release()
        connection = await self._database.connect()
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        log.info("reminders", outcome="lock_taken")
        return True

    async def release(self) -> None:
        """Ends the session, and with it the lock (explicitly unlocking first when it can)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with suppress(Exception):
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
        with suppress(Exception):
            await connection.invalidate()  # never back to the pool with a session's state
        with suppress(Exception):
            await connection.close()


def lock_for(database: AsyncEngine) -> SenderLock:
    """The advisory lock on PostgreSQL; on SQLite this process is the only sender."""
    return SoleSender() if is_sqlite(str(database.url)) else AdvisoryLock(database)


@dataclass(frozen=True, slots=True)
class Tally:
    """What a tick did: members queued, skipped as unreachable, dropped as too late."""

    sending: bool = False  # this process holds the lock
    queued: int = 0
    skipped: int = 0
    dropped: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.sending or other.sending,
            self.queued + other.queued,
            self.skipped + other.skipped,
            self.dropped + other.dropped,
        )


@dataclass(frozen=True, slots=True)
class _Line:
    """What one tick does for one member and one reminder: the log's status, the message."""

    key: str
    target: Target
    status: str
    payload: dict[str, Any] | None  # the message queued; None when skipped or dropped


class ReminderSender:
    """Works out the plan at each tick and queues what is due (see the module docstring)."""

    def __init__(
        self,
        uows: Callable[[], UnitOfWork],
        campaign: Campaign,
        rules: ReminderRules,
        zone: ZoneInfo,
        clock: Clock,
        outbox: OutboxStore,
        lock: SenderLock,
        *,
        batch: int = BATCH,
        every: float = TICK_SECONDS,
    ) -> None:
        self._uows = uows
        self._campaign = campaign
        self._rules = rules
        self._zone = zone
        self._clock = clock
        self._outbox = outbox
        self._lock = lock
        self._batch = max(1, batch)
        self.every = every  # seconds between ticks once started
        self._scheduler: AsyncIOScheduler | None = None
        self._ticking = asyncio.Lock()  # the scheduler's tick, which ``close`` lets finish
        self._planned: tuple[tuple[UnitState, ...], list[Reminder]] | None = None

    async def tick(self) -> Tally:
        """One look at the plan: queues what is due, logs what is dropped; nothing when another
        process sends."""
        if not await self._lock.acquire():
            return Tally()
        now = self._clock.now()
        async with self._uows() as uow:  # closed before the plan is worked out: on SQLite
            world = await load_world(uow, self._campaign.year)  # it holds the write lock
        if world is None:
            return Tally(sending=True)
        due = self._due(world, now)
        if not due:
            return Tally(sending=True)
        described = {
            world.reports[r.unit_id][0]
            for r, state, _m in due
            if state is not Due.DROP and r.kind is Kind.DEADLINE and r.unit_id in world.reports
        }
        found: Details = ({}, {})
        if described:
            async with self._uows() as uow:
                found = await details(uow, described)
        lines = self._lines(world, due, found)
        tally = Tally(sending=True)
        for start in range(0, len(lines), self._batch):
            tally += await self._write(lines[start : start + self._batch], now)
        if tally.queued or tally.skipped or tally.dropped:
            log.info(
                "reminders",
                queued=tally.queued,
                skipped=tally.skipped,
                dropped=tally.dropped,
            )
        return tally

    def _due(self, world: World, now: datetime) -> list[tuple[Reminder, Due, list[Target]]]:
        """Each reminder due (or past saving) with the members who have no line for it yet."""
        found: list[tuple[Reminder, Due, list[Target]]] = []
        for reminder in self._plan(world.states()):
            due = due_now(reminder, now, self._rules)
            if due is Due.WAIT:
                continue
            members = [
                m
                for m in world.audience.get(reminder.unit_id, [])
                if m.role in reminder.roles and not world.settled(reminder, m.member_id)
            ]
            if members:
                found.append((reminder, due, members))
        return found

    def _plan(self, states: list[UnitState]) -> list[Reminder]:
        """The plan, worked out again only when a unit, a report's state or an opening day
        changed since the last tick (the plan of a province takes a second)."""
        key = tuple(states)
        if self._planned is None or self._planned[0] != key:
            self._planned = (key, plan(self._campaign, states, self._rules, self._zone))
        return self._planned[1]

    def _lines(
        self, world: World, due: list[tuple[Reminder, Due, list[Target]]], found: Details
    ) -> list[_Line]:
        """Each member's line, the reminder's words worked out once per reminder."""
        areas = Areas(self._campaign, world, found)
        lines: list[_Line] = []
        for reminder, state, members in due:
            payload = None
            if state is not Due.DROP:
                area = areas.of(reminder.unit_id)
                payload = Reply(words(self._campaign, area, reminder)).to_payload()
            for member in members:
                if payload is None:
                    status = DROPPED_LATE
                elif member.unreachable:
                    status = SKIPPED_UNREACHABLE
                else:
                    status = QUEUED
                lines.append(
                    _Line(reminder.key, member, status, payload if status == QUEUED else None)
                )
        return lines

    async def _write(self, chunk: Sequence[_Line], now: datetime) -> Tally:
        """One transaction: the batch's outbox rows and log lines, two statements."""
        year = self._campaign.year
        async with self._uows() as uow:
            ids = await queue_rows(
                uow.session,
                [
                    outbox_row(
                        line.target,
                        line.payload,
                        dedupe_key(year, line.key, line.target.member_id),
                        now,
                        self._outbox.due_after(),
                    )
                    for line in chunk
                    if line.payload is not None
                ],
            )
            noted = await note_rows(
                uow.session,
                [
                    {
                        "campaign_year": year,
                        "reminder_key": line.key,
                        "member_id": line.target.member_id,
                        "status": line.status,
                        "outbox_id": ids.get(dedupe_key(year, line.key, line.target.member_id)),
                        "at": now,
                    }
                    for line in chunk
                ],
            )
            await uow.commit()
        counts = {QUEUED: 0, SKIPPED_UNREACHABLE: 0, DROPPED_LATE: 0}
        woken: set[tuple[str, str]] = set()
        for line in chunk:
            if (line.key, line.target.member_id) not in noted:
                continue  # another sender's line: theirs stands
            counts[line.status] += 1
            if line.status == QUEUED:
                woken.add((line.target.platform, line.target.chat_id))
        for platform, chat_id in woken:
            self._outbox.queued(platform, chat_id)
        return Tally(True, counts[QUEUED], counts[SKIPPED_UNREACHABLE], counts[DROPPED_LATE])

    # -- the trigger --------------------------------------------------------------------------

    def start(self, seconds: float | None = None) -> None:
        """Ticks now and then every ``seconds`` (``every`` by default) on the running loop."""
        scheduler = AsyncIOScheduler(timezone=self._zone)
        scheduler.add_job(
            self._tick_logged,
            IntervalTrigger(seconds=seconds or self.every, timezone=self._zone),
            id="reminders",
            max_instances=1,  # a slow tick is never overtaken by the next
            coalesce=True,
            next_run_time=datetime.now(self._zone),
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler

    async def _tick_logged(self) -> None:
        try:
            async with self._ticking:
                await self.tick()
        except Exception as error:  # the database away: the next tick tries again
            log.warning("reminders", outcome="tick_error", error=type(error).__name__)

    async def close(self) -> None:
        """Stops ticking (a tick under way ends first) and gives the lock up for another
        process."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.pause()
            async with self._ticking:  # shutting the executor down would cancel the tick
                scheduler.shutdown(wait=False)
        await self._lock.release()
