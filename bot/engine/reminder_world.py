"""What the reminder sender reads at a tick and how it writes a batch (``reminders.py``).

The sender's own queries, kept apart from the repositories: a tick reads the whole tree in five
queries whatever its size (the units, the year's reports, the signed roll-ups, the members, the
log), the answers and photos only of the reports a deadline reminder describes, and writes a
batch of members in two statements (the outbox rows, the log lines), where the per-row
repositories (``uow.outbox.add``, ``uow.reminders.note``) would take one statement a member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import Reminder, UnitState, settled_key
from bot.domain.campaign import Campaign
from bot.domain.rollup import SUBMITTED, EvidenceInfo, Subtree, UnitInfo, UnitReport
from storage.models import (
    Member,
    OutboxMessage,
    ReminderLog,
    Report,
    Rollup,
    Unit,
)
from storage.repositories import REVOKED
from storage.uow import UnitOfWork

CHUNK = 500  # ids in one IN (...): well under SQLite's and PostgreSQL's limits on parameters
Details = tuple[dict[int, dict[str, int | str | None]], dict[int, list[EvidenceInfo]]]


@dataclass(frozen=True, slots=True)
class Target:
    """One member a reminder may go to, as the log and the outbox need them."""

    member_id: int
    unit_id: int
    role: str
    platform: str
    chat_id: str
    user_id: str
    unreachable: bool


@dataclass
class World:
    """Everything the plan needs, read at the start of a tick in a handful of queries."""

    units: dict[int, UnitInfo]
    reports: dict[int, tuple[int, UnitReport]]  # by unit: the report's id, its state
    signed: set[int]  # units whose roll-up is signed
    audience: dict[int, list[Target]]  # by unit, revoked members left out
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
        """True when the member has a line for the reminder, under its key or its old one."""
        keys = (reminder.key, reminder.legacy_key)
        return any((key, member_id) in self.done for key in keys)


async def load_world(uow: UnitOfWork, year: int) -> World | None:
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
    audience: dict[int, list[Target]] = {}
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
        target = Target(
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
    return World(units, reports, signed, audience, done)


async def details(uow: UnitOfWork, report_ids: set[int]) -> Details:
    """The answers and evidence of these reports (the ones a deadline reminder describes)."""
    answers: dict[int, dict[str, int | str | None]] = {}
    evidence: dict[int, list[EvidenceInfo]] = {}
    ids = sorted(report_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for report_id, key, number, text in await uow.reports.answers_of_reports(chunk):
            answers.setdefault(report_id, {})[key] = number if number is not None else text
        files = await uow.reports.evidence_of_reports(chunk)
        for report_id, key, mime, size, sha, at, by in files:
            evidence.setdefault(report_id, []).append(EvidenceInfo(key, mime, size, sha, at, by))
    return answers, evidence


class Areas:
    """The ``Subtree`` of each top of the tree, built from the world as a reminder's words
    need it (``words``); reports carry their answers and evidence where they were read."""

    def __init__(self, campaign: Campaign, world: World, details: Details) -> None:
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


def outbox_row(
    target: Target, payload: dict[str, Any], key: str, now: datetime, due: datetime
) -> dict[str, Any]:
    """The outbox row of one reminder to one member, as ``Outbox.add`` writes one."""
    return {
        "platform": target.platform,
        "chat_id": target.chat_id,
        "user_id": target.user_id,
        "payload": payload,
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


async def queue_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
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


async def note_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """Inserts the log lines no sender wrote yet; (key, member) of those inserted."""
    statement = (
        _insert(session)(ReminderLog)
        .on_conflict_do_nothing(index_elements=["campaign_year", "reminder_key", "member_id"])
        .returning(ReminderLog.reminder_key, ReminderLog.member_id)
    )
    connection = await session.connection()
    return {(key, member_id) for key, member_id in await connection.execute(statement, rows)}
