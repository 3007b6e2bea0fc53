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

from bot.domain.campaign import Campaign

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


@dataclass(frozen=True)
class Subtree:
    """An admin's area: the root unit, every unit under it, and their reports."""

    campaign: Campaign
    root: UnitInfo
    units: tuple[UnitInfo, ...]  # root first, then depth first in code order
    reports: Mapping[int, UnitReport]  # by unit id; a unit without one has not started
    signed: Mapping[int, SignedRollup] = field(default_factory=dict)  # by unit id, newest
    generated_at: datetime | None = None

    def children(self, unit_id: int) -> tuple[UnitInfo, ...]:
        return tuple(u for u in self.units if u.parent_id == unit_id)

    def progress(self, unit_id: int) -> str:
        report = self.reports.get(unit_id)
        return NOT_STARTED if report is None else report.progress
