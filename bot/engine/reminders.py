"""Sending the campaign's reminders: each one to each member it is meant for, exactly once.

APScheduler only says when to look (an ``IntervalTrigger`` of about a minute); what is due and
what was sent lives in our tables. At every tick the sender works the plan out again from the
database (``bot/domain/calendar.py``: the units, their own opening days, who has reported), so
a date changed in a campaign's data file takes effect at the next tick, and for each reminder
``due_now`` says to send, it queues the reminder's words to the members of its unit in its
roles who have no line in the reminder log yet.

Exactly once: each batch of members is one transaction that writes, per member, the outbox row
(its dedupe key a hash of the year, the reminder's key and the member) and the log line. A
process killed between batches leaves the members of the next batch without a line: the next
tick, in this process or another, queues theirs, and nobody's twice. A member who blocked the
bot (``members.unreachable_at``) gets the line ``skipped_unreachable`` and no message; a
reminder whose time passed beyond the catch-up rule gets ``dropped_late`` lines and none.

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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.domain.calendar import (
    Due,
    Kind,
    Reminder,
    ReminderRules,
    UnitState,
    due_now,
    plan,
    settled_key,
)
from bot.domain.campaign import Campaign
from bot.domain.chat import Reply
from bot.domain.rollup import SUBMITTED, EvidenceInfo, Subtree, UnitInfo, UnitReport
from bot.engine.clock import Clock
from bot.engine.outbox import OutboxStore
from handlers.calendar_admin import DROPPED_LATE, QUEUED, SKIPPED_UNREACHABLE, words
from storage.db import is_sqlite
from storage.models import (
    Answer,
    Evidence,
    Member,
    OutboxMessage,
    ReminderLog,
    Report,
    Rollup,
    Unit,
)
from storage.repositories import REVOKED
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
class _Target:
    """One member a reminder may go to, as the log and the outbox need them."""

    member_id: int
    unit_id: int
    role: str
    platform: str
    chat_id: str
    user_id: str
    unreachable: bool


@dataclass(frozen=True, slots=True)
class _Line:
    """What one tick does for one member and one reminder: the log's status, the message."""

    key: str
    target: _Target
    status: str
    payload: dict[str, Any] | None  # the message queued; None when skipped or dropped


@dataclass
class _World:
    """Everything the plan needs, read at the start of a tick in a handful of queries."""

    units: dict[int, UnitInfo]
    reports: dict[int, tuple[int, UnitReport]]  # by unit: the report's id, its state
    signed: set[int]  # units whose roll-up is signed
    audience: dict[int, list[_Target]]  # by unit, revoked members left out
    done: set[tuple[str, int]]  # (key, member) of every line of the log (``settled_key``)

    def states(self) -> list[UnitState]:
        states = []
        for unit in self.units.values():
            filed = self.reports.get(unit.id)
            report = filed[1] if filed is not None else None
            done = (report is not None and report.progress == SUBMITTED) or unit.id in self.signed
            opening = report.opening_date if report is not None else None
            states.append(UnitState(unit.id, unit.kind, unit.parent_id, opening, done))
        return states

    def settled(self, reminder: Reminder, member_id: int) -> bool:
        return (reminder.key, member_id) in self.done or (
            reminder.legacy_key,
            member_id,
        ) in self.done


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
        async with self._uows() as uow:
            world = await _load_world(uow, self._campaign.year)
            if world is None:
                return Tally(sending=True)
            due = self._due(world, now)
            if not due:
                return Tally(sending=True)
            lines = await self._lines(uow, world, due)
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

    def _due(self, world: _World, now: datetime) -> list[tuple[Reminder, Due, list[_Target]]]:
        """Each reminder due (or past saving) with the members who have no line for it yet."""
        found: list[tuple[Reminder, Due, list[_Target]]] = []
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

    async def _lines(
        self,
        uow: UnitOfWork,
        world: _World,
        due: list[tuple[Reminder, Due, list[_Target]]],
    ) -> list[_Line]:
        """Each member's line, the reminder's words worked out once per reminder."""
        detailed = {
            world.reports[r.unit_id][0]
            for r, d, _m in due
            if d is not Due.DROP and r.kind is Kind.DEADLINE and r.unit_id in world.reports
        }
        areas = _Areas(self._campaign, world, await _details(uow, detailed))
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
            ids = await _queue(
                uow.session,
                [
                    _outbox_row(
                        line,
                        dedupe_key(year, line.key, line.target.member_id),
                        now,
                        self._outbox.due_after(),
                    )
                    for line in chunk
                    if line.payload is not None
                ],
            )
            noted = await _note(
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


# -- reading the plan's world, writing the lines -------------------------------------------------
# The sender's own queries, written here rather than as repository methods: a tick reads the
# whole tree once and writes a batch in two statements, which the per-row repositories
# (``uow.outbox.add``, ``uow.reminders.note``) would turn into one statement a member.


async def _load_world(uow: UnitOfWork, year: int) -> _World | None:
    """The units, the year's reports, the signed roll-ups, the members, the log; None before
    the campaign has its row."""
    row = await uow.campaigns.by_year(year)
    if row is None:
        return None
    session = uow.session
    units = {
        r.id: UnitInfo(r.id, r.code, r.name, r.kind, r.parent_id, r.contact)
        for r in await session.execute(
            select(
                Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.contact
            ).order_by(Unit.id)
        )
    }
    reports = {
        r.unit_id: (
            r.id,
            UnitReport(
                r.unit_id, r.status, r.reference, r.revision, r.submitted_at, r.opening_date, {}
            ),
        )
        for r in await session.execute(
            select(
                Report.id,
                Report.unit_id,
                Report.status,
                Report.reference,
                Report.revision,
                Report.submitted_at,
                Report.opening_date,
            ).where(Report.campaign_id == row.id)
        )
    }
    signed = set(
        (await session.execute(select(Rollup.unit_id).where(Rollup.campaign_id == row.id)))
        .scalars()
        .all()
    )
    audience: dict[int, list[_Target]] = {}
    for m in await session.execute(
        select(
            Member.id,
            Member.unit_id,
            Member.role,
            Member.platform,
            Member.chat_id,
            Member.user_id,
            Member.unreachable_at,
        )
        .where(Member.role != REVOKED)
        .order_by(Member.id)
    ):
        target = _Target(
            m.id, m.unit_id, m.role, m.platform, m.chat_id, m.user_id, m.unreachable_at is not None
        )
        audience.setdefault(m.unit_id, []).append(target)
    done = {
        (settled_key(key), member_id)
        for key, member_id in await session.execute(
            select(ReminderLog.reminder_key, ReminderLog.member_id).where(
                ReminderLog.campaign_year == year
            )
        )
    }
    return _World(units, reports, signed, audience, done)


_Details = tuple[dict[int, dict[str, int | str | None]], dict[int, list[EvidenceInfo]]]
CHUNK = 500  # ids in one IN (...): well under SQLite's and PostgreSQL's limits on parameters


async def _details(uow: UnitOfWork, report_ids: set[int]) -> _Details:
    """The answers and evidence of these reports (the ones a deadline reminder describes)."""
    answers: dict[int, dict[str, int | str | None]] = {}
    evidence: dict[int, list[EvidenceInfo]] = {}
    ids = sorted(report_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for a in await uow.session.execute(
            select(Answer.report_id, Answer.key, Answer.value_int, Answer.value_text).where(
                Answer.report_id.in_(chunk)
            )
        ):
            value = a.value_int if a.value_int is not None else a.value_text
            answers.setdefault(a.report_id, {})[a.key] = value
        for e in await uow.session.execute(
            select(
                Evidence.report_id,
                Evidence.stored_key,
                Evidence.mime,
                func.coalesce(Evidence.stored_size, Evidence.size),
                func.coalesce(Evidence.stored_sha256, Evidence.sha256),
                Evidence.created_at,
                Member.display_name,
            )
            .outerjoin(Member, Evidence.member_id == Member.id)
            .where(Evidence.report_id.in_(chunk))
            .order_by(Evidence.id)
        ):
            info = EvidenceInfo(e[1], e[2], int(e[3]), e[4], e[5], e[6])
            evidence.setdefault(e[0], []).append(info)
    return answers, evidence


class _Areas:
    """The ``Subtree`` of each top of the tree, built from the world as a reminder's words
    need it (``words``); reports carry their answers and evidence where they were read."""

    def __init__(self, campaign: Campaign, world: _World, details: _Details) -> None:
        self._campaign = campaign
        self._world = world
        self._answers, self._evidence = details
        self._children: dict[int, list[UnitInfo]] = {}
        for unit in sorted(world.units.values(), key=lambda u: u.code):
            if unit.parent_id is not None and unit.parent_id != unit.id:
                self._children.setdefault(unit.parent_id, []).append(unit)
        self._built: dict[int, Subtree] = {}

    def of(self, unit_id: int) -> Subtree:
        """The area of the unit's top (the unit with no parent above it)."""
        top = self._world.units[unit_id]
        seen = {top.id}
        while top.parent_id is not None and top.parent_id in self._world.units:
            top = self._world.units[top.parent_id]
            if top.id in seen:  # parent links that loop: the unit is its own area
                break
            seen.add(top.id)
        if top.id not in self._built:
            self._built[top.id] = self._build(top)
        return self._built[top.id]

    def _build(self, root: UnitInfo) -> Subtree:
        ordered: list[UnitInfo] = []
        stack, seen = [root], set()
        while stack:
            unit = stack.pop()
            if unit.id in seen:
                continue
            seen.add(unit.id)
            ordered.append(unit)
            stack.extend(reversed(self._children.get(unit.id, [])))
        reports = {}
        for unit in ordered:
            filed = self._world.reports.get(unit.id)
            if filed is not None:
                report_id, report = filed
                reports[unit.id] = replace(
                    report,
                    answers=self._answers.get(report_id, {}),
                    evidence=tuple(self._evidence.get(report_id, [])),
                )
        return Subtree(self._campaign, root, tuple(ordered), reports)


def _outbox_row(line: _Line, key: str, now: datetime, due: datetime) -> dict[str, Any]:
    target = line.target
    return {
        "platform": target.platform,
        "chat_id": target.chat_id,
        "user_id": target.user_id,
        "payload": line.payload,
        "step": None,
        "version": 0,
        "inbox_id": None,
        "kind": "reminder",
        "dedupe_key": key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": now,
    }


def _insert(session: AsyncSession) -> Callable[[Any], Any]:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def _queue(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Inserts the outbox rows whose dedupe key is new; their ids by dedupe key."""
    if not rows:
        return {}
    statement = (
        _insert(session)(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id, OutboxMessage.dedupe_key)
    )
    connection = await session.connection()  # Core's executemany: rows in batched VALUES
    return {key: outbox_id for outbox_id, key in await connection.execute(statement, rows)}


async def _note(session: AsyncSession, rows: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """Inserts the log lines no sender wrote yet; (key, member) of those inserted."""
    statement = (
        _insert(session)(ReminderLog)
        .on_conflict_do_nothing(index_elements=["campaign_year", "reminder_key", "member_id"])
        .returning(ReminderLog.reminder_key, ReminderLog.member_id)
    )
    connection = await session.connection()
    return {(key, member_id) for key, member_id in await connection.execute(statement, rows)}
