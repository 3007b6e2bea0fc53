"""The campaign's reminder plan: who is reminded of what, and when, derived from the data.

Nothing here is stored: the plan is worked out again from the campaign file, the unit tree and
which units have reported, so a date changed in ``bot/data/campaigns/<year>.toml`` takes effect
at the next look. What was sent is the sender's business (its log is keyed by ``Reminder.key``,
which names a reminder without its date: see ``Reminder.key``).

Every unit gets two series of reminders, and every area a third:

- **opening**: the theme announcement ``announce_days_before`` the week, to every member; the
  eve of the unit's own opening day (``reports.opening_date``, else the campaign's: seed 004's
  ward held it on 03/10/2024) in the evening; the morning of it early, before a school's flag
  ceremony (seed 000: "lồng ghép vào tiết chào cờ").
- **report**: "the report is open" on the week's last day, then one reminder per
  ``deadline_days_before`` counted back from the last day a report is on time (the day before
  the deadline's ``before``: "trước ngày 11/10" means by 10/10). Only units whose report is not
  submitted get these. A unit with units under it (a commune) is reminded of its own deadline
  (``area_deadline_*``), its admins only, until its roll-up is signed or its report submitted.
- **missing lists**: the morning a deadline has passed, an area's admins get the units under
  it still missing, when any is.

Times are local (the campaign's zone, Asia/Ho_Chi_Minh). A reminder falling on a Sunday moves
(unless ``send_on_sunday``): back to Saturday when it announces or precedes something (the
opening, a deadline), forward to Monday when it follows something (the week's end, a passed
deadline). Sending hours are refused inside the quiet hours (``ReminderRules``), so no reminder
is planned at night. A series holds at most one reminder a day, in order: when a move or the
dates put one on or before an earlier one's day, the nearer its event stays, except that one
moved off a Sunday gives way to one already on that day.

The catch-up rule (``due_now``), for a bot that was down or busy at a reminder's time:

1. before its time: wait;
2. from its time for ``late_after`` (an hour): send;
3. later, until it expires: send late, but only outside the quiet hours and Sundays (else wait);
4. once it expires: drop it, never send.

A reminder expires at the earliest of: the deadline it serves (a deadline reminder after the
deadline would be wrong), the time the next reminder of its series for the same unit is due (a
reminder is never sent next to the one that supersedes it), the end of the opening morning
(``opening_late_until``) for the opening series, and ``late_days`` after its time when nothing
else bounds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.campaign import Campaign
from bot.domain.rollup import SUBMITTED, Subtree
from bot.domain.units import UNIT_KINDS, level_of

SUNDAY = 6  # date.weekday()

EVERYONE = frozenset({"reporter", "admin"})
ADMINS = frozenset({"admin"})


class Kind(StrEnum):
    """What a reminder is about; a deadline reminder's name adds its offset ("deadline_3d")."""

    ANNOUNCE = "announce"
    OPENING_EVE = "opening_eve"
    OPENING_DAY = "opening_day"
    REPORT_OPEN = "report_open"
    DEADLINE = "deadline"  # a unit's own report: every member
    AREA_DEADLINE = "area_deadline"  # an area's (commune's) own deadline: its admins
    MISSING_TO_ADMINS = "missing_to_admins"


class Due(StrEnum):
    """What to do with a reminder now (``due_now``)."""

    WAIT = "wait"
    SEND = "send"
    LATE_OK = "late_ok"
    DROP = "drop"


class Shift(StrEnum):
    """Which way a reminder moves off a Sunday: toward its event, never past it."""

    EARLIER = "earlier"
    LATER = "later"


@dataclass(frozen=True, slots=True)
class ReminderRules:
    """Offsets in days and sending hours (local time); ``[reminders]`` in the settings."""

    announce_days_before: int = 7
    deadline_days_before: tuple[int, ...] = (3, 1, 0)
    morning: time = time(7, 30)
    evening: time = time(19, 0)
    opening_morning: time = time(6, 30)
    quiet_start: time = time(21, 30)
    quiet_end: time = time(6, 0)
    send_on_sunday: bool = False
    late_after: timedelta = timedelta(hours=1)
    late_days: int = 3
    opening_late_until: time = time(11, 0)

    def __post_init__(self) -> None:
        if self.announce_days_before < 1:
            raise ValueError("announce_days_before must be at least 1")
        if any(days < 0 for days in self.deadline_days_before):
            raise ValueError("deadline_days_before must not be negative")
        if len(set(self.deadline_days_before)) != len(self.deadline_days_before):
            raise ValueError("deadline_days_before must not repeat a day")
        if self.late_after <= timedelta(0) or self.late_days < 1:
            raise ValueError("late_after and late_days must be positive")
        if self.opening_late_until <= self.opening_morning:
            raise ValueError("opening_late_until must be after opening_morning")
        quiet = self.quiet_hour_settings()
        if quiet:
            raise ValueError(f"sending hours inside the quiet hours: {', '.join(quiet)}")

    def quiet_hour_settings(self) -> list[str]:
        """The names of the sending hours that fall inside the quiet hours (none is allowed)."""
        hours = {
            "morning": self.morning,
            "evening": self.evening,
            "opening_morning": self.opening_morning,
        }
        return [name for name, at in hours.items() if self.is_quiet(at)]

    def is_quiet(self, at: time) -> bool:
        """True inside the quiet hours [quiet_start, quiet_end); equal ends mean none."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= at < end
        return at >= start or at < end  # across midnight: 21:30–06:00

    def may_send(self, moment: datetime) -> bool:
        """True outside the quiet hours, and not on a Sunday unless that is allowed."""
        if moment.weekday() == SUNDAY and not self.send_on_sunday:
            return False
        return not self.is_quiet(moment.time())


@dataclass(frozen=True, slots=True)
class UnitState:
    """What the plan needs of a unit: where it sits, its own opening day, whether it reported."""

    id: int
    kind: str
    parent_id: int | None
    opening_day: date | None = None  # the unit's own (reports.opening_date), else the campaign's
    done: bool = False  # its report submitted, or (an area) its roll-up signed


@dataclass(frozen=True, slots=True)
class Reminder:
    """One planned reminder to one unit's members (or admins)."""

    year: int
    kind: Kind
    name: str  # the kind, with the offset for deadline ones: "deadline_3d", "deadline_day"
    unit_id: int  # whose members are reminded
    at: datetime  # when it is due, local and aware
    roles: frozenset[str]  # which members of the unit: everyone, or its admins
    only_missing: bool  # only while the unit (missing lists: some unit listed) has not reported
    event: date  # the day it is about: the opening day, the last day on time, the week's end
    expires: datetime  # from then on it is dropped, never sent (``due_now``)
    serves: date | None = None  # the deadline's "before" day it reminds of, if any
    about: tuple[int, ...] = ()  # missing lists: the units still missing
    moved_from: date | None = None  # the Sunday it was moved off
    levels: tuple[str, ...] = ()  # missing lists: the levels of the units whose deadline passed

    @property
    def key(self) -> str:
        """The reminder in the log: year, name and unit, without its date.

        Every reminder is said once per campaign to a unit (the announcement, each deadline
        reminder), so a date moved in the campaign's file after a reminder went does not send it
        again, and one not yet sent goes at its new time. Missing lists, one per deadline the
        units under an area share, add the levels of those units ("school").
        """
        key = f"{self.year}:{self.name}:unit-{self.unit_id}"
        return f"{key}:{'+'.join(self.levels)}" if self.levels else key

    @property
    def legacy_key(self) -> str:
        """The key as logged before keys dropped the date (the reminder's day): such lines
        still count as sent (``settled_key``)."""
        return f"{self.year}:{self.name}:unit-{self.unit_id}:{self.at.date().isoformat()}"


@dataclass(frozen=True, slots=True)
class _Draft:
    """A reminder before Sunday moves and the one-a-day rule."""

    kind: Kind
    name: str
    day: date
    at: time
    shift: Shift
    roles: frozenset[str]
    only_missing: bool
    event: date
    serves: date | None = None
    about: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Series:
    """Reminders that follow one another to one unit, none of them due at or after ``limit``
    (the deadline, or the end of the opening morning)."""

    drafts: list[_Draft]
    limit: datetime | None = None


def states_of(subtree: Subtree) -> list[UnitState]:
    """The plan's view of an area read from the database (``bot/export/load.py``)."""
    states: list[UnitState] = []
    for unit in subtree.units:
        report = subtree.reports.get(unit.id)
        done = (report is not None and report.progress == SUBMITTED) or unit.id in subtree.signed
        opening = report.opening_date if report is not None else None
        states.append(UnitState(unit.id, unit.kind, unit.parent_id, opening, done))
    return states


def plan(
    campaign: Campaign, units: Sequence[UnitState], rules: ReminderRules, zone: tzinfo
) -> list[Reminder]:
    """Every reminder of the campaign for these units, in time order."""
    children: dict[int, list[UnitState]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        if unit.parent_id is not None and unit.parent_id in ids and unit.parent_id != unit.id:
            children.setdefault(unit.parent_id, []).append(unit)
    reminders: list[Reminder] = []
    for unit in units:
        below = children.get(unit.id, [])
        for series in (
            _opening(campaign, unit, rules, zone),
            _report(campaign, unit, bool(below), rules, zone),
            *_missing_lists(campaign, below, rules),
        ):
            reminders += _place(campaign.year, unit.id, series, rules, zone)
    return sorted(reminders, key=lambda r: (r.at, r.unit_id, r.name))


def due_now(reminder: Reminder, now: datetime, rules: ReminderRules) -> Due:
    """The catch-up rule (module docstring): wait, send, send late, or drop for good."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    local = now.astimezone(reminder.at.tzinfo)
    if local < reminder.at:
        return Due.WAIT
    if local >= reminder.expires:
        return Due.DROP
    if not rules.may_send(local):
        return Due.WAIT
    return Due.SEND if local < reminder.at + rules.late_after else Due.LATE_OK


_LEGACY_KEY = re.compile(r"(\d+:(?P<name>[a-z0-9_]+):unit-\d+):\d{4}-\d{2}-\d{2}")


def settled_key(logged: str) -> str:
    """The key a line of the reminder log stands for today.

    Lines written before keys dropped the date ("2023:deadline_3d:unit-7:2023-10-16") stand for
    the dateless key ("2023:deadline_3d:unit-7"), so an upgrade in the middle of a campaign
    resends nothing, even for a date moved since. A missing list's old line has no levels to
    rebuild its key from: it stays as it was and counts for the list of that day
    (``Reminder.legacy_key``).
    """
    found = _LEGACY_KEY.fullmatch(logged)
    if found is None or found["name"] == Kind.MISSING_TO_ADMINS:
        return logged
    return found[1]


def deadline_name(kind: Kind, days: int) -> str:
    """ "deadline_3d", "deadline_1d", "deadline_day" (the last day itself)."""
    return f"{kind}_{days}d" if days else f"{kind}_day"


# ---------------------------------------------------------------------------------------------
# The series


def _opening(campaign: Campaign, unit: UnitState, rules: ReminderRules, zone: tzinfo) -> _Series:
    opening = unit.opening_day or campaign.opening_day
    announce = min(campaign.week_start, opening) - timedelta(days=rules.announce_days_before)

    def to_everyone(kind: Kind, day: date, at: time) -> _Draft:
        return _Draft(kind, kind, day, at, Shift.EARLIER, EVERYONE, False, opening)

    drafts = [
        to_everyone(Kind.ANNOUNCE, announce, rules.morning),
        to_everyone(Kind.OPENING_EVE, opening - timedelta(days=1), rules.evening),
        to_everyone(Kind.OPENING_DAY, opening, rules.opening_morning),
    ]
    return _Series(drafts, _local(opening, rules.opening_late_until, zone))


def _report(
    campaign: Campaign, unit: UnitState, is_area: bool, rules: ReminderRules, zone: tzinfo
) -> _Series:
    if unit.done or unit.kind not in UNIT_KINDS:
        return _Series([])
    deadline = campaign.deadline_for(level_of(unit.kind))
    serves = deadline.before if deadline else None
    kind, roles = (Kind.AREA_DEADLINE, ADMINS) if is_area else (Kind.DEADLINE, EVERYONE)
    drafts: list[_Draft] = []
    if not is_area:  # an area hears of its units' reports through the missing lists
        drafts.append(
            _Draft(
                Kind.REPORT_OPEN,
                Kind.REPORT_OPEN,
                campaign.week_end,
                rules.evening,
                Shift.LATER,
                EVERYONE,
                only_missing=True,
                event=campaign.week_end,
                serves=serves,
            )
        )
    if deadline is None:
        return _Series(drafts)
    last_day = deadline.before - timedelta(days=1)
    for days in sorted(rules.deadline_days_before, reverse=True):
        drafts.append(
            _Draft(
                kind,
                deadline_name(kind, days),
                last_day - timedelta(days=days),
                rules.morning,
                Shift.EARLIER,
                roles,
                only_missing=True,
                event=last_day,
                serves=deadline.before,
            )
        )
    return _Series(drafts, _local(deadline.before, time(0), zone))


def _missing_lists(
    campaign: Campaign, below: Iterable[UnitState], rules: ReminderRules
) -> list[_Series]:
    """One list per deadline the units under an area share, when some of them are missing."""
    by_day: dict[date, list[int]] = {}
    levels: dict[date, set[str]] = {}
    for unit in below:
        deadline = campaign.deadline_for(level_of(unit.kind)) if unit.kind in UNIT_KINDS else None
        if deadline is not None:
            missing = by_day.setdefault(deadline.before, [])
            levels.setdefault(deadline.before, set()).add(str(deadline.level))
            if not unit.done:
                missing.append(unit.id)
    return [
        _Series(
            [
                _Draft(
                    Kind.MISSING_TO_ADMINS,
                    Kind.MISSING_TO_ADMINS,
                    day,
                    rules.morning,
                    Shift.LATER,
                    ADMINS,
                    only_missing=True,
                    event=day,
                    serves=day,
                    about=tuple(sorted(missing)),
                    levels=tuple(sorted(levels[day])),
                )
            ]
        )
        for day, missing in sorted(by_day.items())
        if missing
    ]


# ---------------------------------------------------------------------------------------------
# Placing a series in time


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _off_sunday(draft: _Draft, rules: ReminderRules) -> tuple[date, date | None]:
    """The day the draft is sent on, and the Sunday it left (None when it did not move)."""
    if draft.day.weekday() != SUNDAY or rules.send_on_sunday:
        return draft.day, None
    step = timedelta(days=-1 if draft.shift is Shift.EARLIER else 1)
    return draft.day + step, draft.day


def _place(
    year: int, unit_id: int, series: _Series, rules: ReminderRules, zone: tzinfo
) -> list[Reminder]:
    """The series' reminders in time: off Sundays, in order, one a day, each expiring on time.

    The drafts come in the series' order, each nearer the event than the one before; one that
    lands on or before the day of an earlier one replaces it (a deadline three days ahead that
    falls before the week's end makes "the report is open" pointless), unless it was moved off
    a Sunday onto a day that already has one (a Sunday opening: the Saturday evening's eve
    stays, not a Saturday morning "today is the opening").
    """
    kept: list[tuple[_Draft, datetime, date | None]] = []  # the draft, when, the Sunday left
    for draft in series.drafts:
        day, moved_from = _off_sunday(draft, rules)
        at = _local(day, draft.at, zone)
        if series.limit is not None and at >= series.limit:
            continue  # past the deadline (or the opening morning) it is about
        if moved_from is not None and any(e.date() == day for _d, e, m in kept if not m):
            continue  # moved onto a day the series already speaks: that one says it
        kept = [earlier for earlier in kept if earlier[1].date() < day]
        kept.append((draft, at, moved_from))
    result: list[Reminder] = []
    for index, (draft, at, moved_from) in enumerate(kept):
        ends = [at + timedelta(days=rules.late_days)]
        if index + 1 < len(kept):
            ends.append(kept[index + 1][1])
        if series.limit is not None:
            ends.append(series.limit)
        result.append(
            Reminder(
                year=year,
                kind=draft.kind,
                name=draft.name,
                unit_id=unit_id,
                at=at,
                roles=draft.roles,
                only_missing=draft.only_missing,
                event=draft.event,
                expires=min(ends),
                serves=draft.serves,
                about=draft.about,
                moved_from=moved_from,
                levels=draft.levels,
            )
        )
    return result


def by_unit(reminders: Iterable[Reminder]) -> Mapping[int, list[Reminder]]:
    """The reminders grouped by the unit whose members receive them, each list in time order."""
    grouped: dict[int, list[Reminder]] = {}
    for reminder in reminders:
        grouped.setdefault(reminder.unit_id, []).append(reminder)
    return grouped
