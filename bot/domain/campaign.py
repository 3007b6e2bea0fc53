"""A year's Tuần lễ campaign as plain types: theme, dates, deadlines and evidence rules.

Campaigns are data files (``bot/data/campaigns/<year>.toml``), one per year, each citing the
seed it comes from. A new year is a new file, never new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.form import Form


class Level(StrEnum):
    """A level of the reporting chain, by who reports (school → commune → province → ministry)."""

    SCHOOL = "school"  # schools, kindergartens, TTHTCĐ, GDNN-GDTX centres
    COMMUNE = "commune"  # commune / ward People's Committee (UBND xã, phường)
    DISTRICT = "district"  # district (before the 2025 reform), Phòng GDĐT
    PROVINCE = "province"  # province / city, Sở GDĐT


@dataclass(frozen=True, slots=True)
class Deadline:
    """Reports from units of ``level`` are due strictly before ``before`` (local time)."""

    level: Level
    before: date
    to: str  # who receives the report, as the seed says
    source: str  # the seed and clause this comes from


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """How much evidence a report carries (seed 003: 2 to 3 photos)."""

    min_photos: int
    max_photos: int
    accept_pdf: bool
    source: str


@dataclass(frozen=True, slots=True)
class Campaign:
    """One year's week: what is announced, when, and what is reported by when."""

    year: int
    theme: str
    week_start: date
    week_end: date
    opening_day: date  # default opening ceremony; a unit may hold it on another day
    deadlines: tuple[Deadline, ...]
    evidence: EvidenceRule
    form: Form
    sources: tuple[str, ...]

    def deadline_for(self, level: Level) -> Deadline | None:
        """The deadline for reports from this level, if the campaign's plan sets one."""
        for deadline in self.deadlines:
            if deadline.level == level:
                return deadline
        return None
