"""Shared pieces of the calendar tests: the zone, the campaigns, a small commune of schools."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import Kind, Reminder, ReminderRules, UnitState, plan
from bot.domain.campaign import Campaign
from bot.domain.loader import load_campaigns

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGNS = load_campaigns()
RULES = ReminderRules()

COMMUNE, SCHOOL, OTHER_SCHOOL = 1, 2, 3


def commune(
    *, school_done: bool = False, other_done: bool = False, own_opening: date | None = None
) -> list[UnitState]:
    """A commune with two schools; the first may hold its opening on its own day."""
    return [
        UnitState(COMMUNE, "commune", None),
        UnitState(SCHOOL, "school", COMMUNE, own_opening, school_done),
        UnitState(OTHER_SCHOOL, "school", COMMUNE, None, other_done),
    ]


def planned(
    campaign: Campaign | int, units: list[UnitState], rules: ReminderRules = RULES
) -> list[Reminder]:
    chosen = CAMPAIGNS[campaign] if isinstance(campaign, int) else campaign
    return plan(chosen, units, rules, VIETNAM)


def named(reminders: list[Reminder], unit_id: int, name: str) -> Reminder:
    """The one reminder of that name to that unit."""
    found = [r for r in reminders if r.unit_id == unit_id and r.name == name]
    assert len(found) == 1, (name, found)
    return found[0]


def names(reminders: list[Reminder], unit_id: int) -> list[str]:
    return [r.name for r in reminders if r.unit_id == unit_id]


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


DEADLINE_KINDS = {Kind.DEADLINE, Kind.AREA_DEADLINE, Kind.REPORT_OPEN}
