"""A subtree of units with their reports, as plain data: what /status and /export read.

Built from the database at the edge (``bot/export/load.py``); everything here is plain Python
so the aggregation can be checked without a database. A report counts in the totals when it is
submitted; a draft or a reopened report is "in progress" and counts nowhere until it is
submitted (again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from bot.domain.campaign import Campaign
from bot.domain.form import Form, MeasureKind
from bot.domain.totals import derived_values, rows_run

Answers = Mapping[str, int | str | None]

SUBMITTED, IN_PROGRESS, NOT_STARTED = "submitted", "in_progress", "not_started"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """One unit of the tree."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceInfo:
    """One evidence file of a report: what it is, when and by whom it was sent."""

    stored_key: str  # where the file store keeps it (never a person's text)
    mime: str
    size: int
    sha256: str  # of the file as kept
    sent_at: datetime
    sent_by: str | None  # the member's display name, as the platform gave it


@dataclass(frozen=True, slots=True)
class NominationInfo:
    """A collective or a person proposed for commendation (seed 003)."""

    kind: str  # "collective" or "individual"
    name: str
    achievement: str


@dataclass(frozen=True, slots=True)
class UnitReport:
    """One unit's report for the campaign, as stored."""

    unit_id: int
    status: str  # "draft", "submitted", "reopened"
    reference: str | None
    revision: int
    submitted_at: datetime | None
    opening_date: date | None
    answers: Answers  # as stored: "1.3:people" -> 120, "narr:difficulties" -> "…"
    evidence: tuple[EvidenceInfo, ...] = ()
    nominations: tuple[NominationInfo, ...] = ()

    @property
    def progress(self) -> str:
        """submitted, or in progress (a draft or a reopened report)."""
        return SUBMITTED if self.status == "submitted" else IN_PROGRESS


@dataclass(frozen=True, slots=True)
class SignedRollup:
    """An area's roll-up as its admin signed it off and sent it upward."""

    unit_id: int
    revision: int
    totals: Mapping[str, int]
    counted: tuple[str, ...]  # codes of the units whose reports it counts
    submitted_at: datetime
    note: str | None = None


@dataclass(frozen=True, repr=False)
class Subtree:
    """An admin's area: the root unit, every unit under it, and their reports."""

    campaign: Campaign
    root: UnitInfo
    units: tuple[UnitInfo, ...]  # root first, then depth first in code order
    reports: Mapping[int, UnitReport]  # by unit id; a unit without one has not started
    signed: Mapping[int, SignedRollup] = field(default_factory=dict)  # by unit id, newest
    generated_at: datetime | None = None

    def __repr__(self) -> str:
        # A province's area holds hundreds of thousands of answers: a log line or a task's repr
        # names it, never spells it out.
        return (
            f"Subtree(root={self.root.code!r}, units={len(self.units)}, "
            f"reports={len(self.reports)}, signed={len(self.signed)})"
        )

    def children(self, unit_id: int) -> tuple[UnitInfo, ...]:
        return self._children_of.get(unit_id, ())

    def progress(self, unit_id: int) -> str:
        report = self.reports.get(unit_id)
        return NOT_STARTED if report is None else report.progress

    @cached_property
    def _children_of(self) -> Mapping[int | None, tuple[UnitInfo, ...]]:
        # The root is nobody's child here, even if parent links in the data loop back to it.
        index: dict[int | None, list[UnitInfo]] = {}
        for unit in self.units:
            if unit.id != self.root.id:
                index.setdefault(unit.parent_id, []).append(unit)
        return {parent: tuple(kids) for parent, kids in index.items()}

    def below(self, unit_id: int) -> tuple[UnitInfo, ...]:
        """The unit and every unit under it, in tree order (the unit first)."""
        found: list[UnitInfo] = []
        stack = [self.unit(unit_id)]
        while stack:
            unit = stack.pop()
            found.append(unit)
            stack.extend(reversed(self._children_of.get(unit.id, ())))
        return tuple(found)

    @cached_property
    def values(self) -> Mapping[int, Mapping[str, int]]:
        """Every number of each submitted report (``unit_values``) by unit id, worked out once."""
        form = self.campaign.form
        return {
            unit.id: unit_values(form, self.reports[unit.id], unit.kind)
            for unit in self.units
            if self.progress(unit.id) == SUBMITTED
        }

    def unit(self, unit_id: int) -> UnitInfo:
        """The unit with this id; KeyError if it is not in the subtree."""
        return self._by_id[unit_id]

    @cached_property
    def _by_id(self) -> Mapping[int, UnitInfo]:
        return {unit.id: unit for unit in self.units}


@dataclass(frozen=True, slots=True)
class ChildProgress:
    """How far the units under one child of the root (the child included) have got."""

    unit: UnitInfo
    submitted: int
    in_progress: int
    not_started: int

    @property
    def total(self) -> int:
        return self.submitted + self.in_progress + self.not_started


def numeric_keys(form: Form) -> tuple[str, ...]:
    """Every number the printed table holds, keyed like answers ("1.3:people"), in print order."""
    return tuple(
        f"{item.code}:{measure.key}"
        for item in form.items()
        for measure in item.measures
        if measure.kind is not MeasureKind.TEXT
    )


def text_keys(form: Form) -> tuple[str, ...]:
    """The free-text measures of the table (the "Ghi chú" column), in print order."""
    return tuple(
        f"{item.code}:{measure.key}"
        for item in form.items()
        for measure in item.measures
        if measure.kind is MeasureKind.TEXT
    )


def unit_values(form: Form, report: UnitReport, unit_kind: str) -> dict[str, int]:
    """Every number of one unit's report: its answers to the rows it ran, and the derived rows.

    An answer kept for a row the unit later said it did not run is left out, as the group's
    total leaves it out, so a group row always equals the sum of its sub-rows.
    """
    values = dict.fromkeys(numeric_keys(form), 0)
    for group in form.groups:
        ran = set(rows_run(group, report.answers))
        for item in group.asked_items:
            if item.code not in ran:
                continue
            for measure in item.measures:
                key = f"{item.code}:{measure.key}"
                answer = report.answers.get(key)
                if key in values and isinstance(answer, int):
                    values[key] = answer
    values.update(derived_values(form, report.answers, unit_kind))
    return values


def counted(subtree: Subtree, unit_id: int) -> tuple[UnitInfo, ...]:
    """The units under ``unit_id`` (itself included) whose submitted reports the totals count."""
    return tuple(u for u in subtree.below(unit_id) if subtree.progress(u.id) == SUBMITTED)


def submitted_reports(subtree: Subtree, unit_id: int) -> tuple[tuple[UnitInfo, UnitReport], ...]:
    """The units ``counted`` under ``unit_id`` with their submitted reports: what the export's
    files (evidence, nominations) and the counts said with them take."""
    return tuple((unit, subtree.reports[unit.id]) for unit in counted(subtree, unit_id))


def totals(subtree: Subtree, unit_id: int) -> dict[str, int]:
    """Every number of the table summed over the submitted reports under ``unit_id``.

    The unit's own report counts too (a commune's report beside its schools'). Drafts and
    reopened reports count nowhere until they are submitted again; a unit that never reported
    adds 0. Summing the children's totals and the unit's own values gives the same numbers.
    """
    sums = dict.fromkeys(numeric_keys(subtree.campaign.form), 0)
    for unit in counted(subtree, unit_id):
        for key, value in subtree.values[unit.id].items():
            sums[key] += value
    return sums


def notes(subtree: Subtree, unit_id: int) -> dict[str, list[tuple[UnitInfo, str]]]:
    """The free-text answers ("11:text") of the submitted reports under ``unit_id``, by key."""
    found: dict[str, list[tuple[UnitInfo, str]]] = {
        key: [] for key in text_keys(subtree.campaign.form)
    }
    for unit in counted(subtree, unit_id):
        answers = subtree.reports[unit.id].answers
        for key, kept in found.items():
            text = answers.get(key)
            if isinstance(text, str) and text.strip():
                kept.append((unit, text.strip()))
    return found


def progress_by_child(subtree: Subtree) -> list[ChildProgress]:
    """Per child of the root: submitted, in progress and not started, over the units under it.

    The root's own report is in no child's line; ``Subtree.progress(root.id)`` gives it.
    """
    lines = []
    for child in subtree.children(subtree.root.id):
        states = [subtree.progress(u.id) for u in subtree.below(child.id)]
        lines.append(
            ChildProgress(
                unit=child,
                submitted=states.count(SUBMITTED),
                in_progress=states.count(IN_PROGRESS),
                not_started=states.count(NOT_STARTED),
            )
        )
    return lines


def missing(subtree: Subtree) -> list[UnitInfo]:
    """The units whose report is not submitted (not started, a draft or reopened), tree order."""
    return [u for u in subtree.units if subtree.progress(u.id) != SUBMITTED]
