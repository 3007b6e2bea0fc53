"""Whatever the dates, the tree and the settings: no reminder at night or on a Sunday (unless
allowed), every key unique, every deadline reminder before its deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calendar import Due, Kind, ReminderRules, UnitState, due_now
from bot.domain.campaign import Campaign, Deadline, Level
from tests.calendar.plans import CAMPAIGNS, DEADLINE_KINDS, VIETNAM, planned

TEMPLATE = CAMPAIGNS[2025]
KINDS = ("school", "centre", "commune", "district", "province")


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    year = draw(st.integers(2020, 2040))
    start = date(year, 9, 20) + timedelta(days=draw(st.integers(0, 20)))
    end = start + timedelta(days=draw(st.integers(0, 9)))
    opening = start + timedelta(days=draw(st.integers(0, (end - start).days)))
    levels = draw(st.lists(st.sampled_from(list(Level)), unique=True, max_size=4))
    gaps = sorted(draw(st.lists(st.integers(1, 25), min_size=len(levels), max_size=len(levels))))
    chain = sorted(levels, key=list(Level).index)  # a lower level reports first
    deadlines = tuple(
        Deadline(level, end + timedelta(days=gap), "-", "-")
        for level, gap in zip(chain, gaps, strict=True)
    )
    return replace(
        TEMPLATE,
        year=year,
        week_start=start,
        week_end=end,
        opening_day=opening,
        deadlines=deadlines,
    )


@st.composite
def trees(draw: st.DrawFn, campaign: Campaign) -> list[UnitState]:
    count = draw(st.integers(1, 8))
    units: list[UnitState] = []
    for unit_id in range(1, count + 1):
        parent = draw(st.none() | st.integers(1, unit_id - 1)) if unit_id > 1 else None
        own = draw(st.none() | st.integers(-3, 10))
        opening = None if own is None else campaign.week_start + timedelta(days=own)
        units.append(
            UnitState(unit_id, draw(st.sampled_from(KINDS)), parent, opening, draw(st.booleans()))
        )
    return units


def clock(first: int, last: int) -> st.SearchStrategy[time]:
    """A sending hour between first:00 and last:45, on the quarter."""
    return st.builds(time, st.integers(first, last), st.sampled_from([0, 15, 30, 45]))


@st.composite
def rules(draw: st.DrawFn) -> ReminderRules:
    quiet = draw(st.booleans())
    return ReminderRules(
        announce_days_before=draw(st.integers(1, 21)),
        deadline_days_before=tuple(draw(st.lists(st.integers(0, 10), unique=True, max_size=4))),
        morning=draw(clock(7, 11)),
        evening=draw(clock(17, 20)),
        opening_morning=draw(clock(6, 8)),
        quiet_start=time(21, 30) if quiet else time(0, 0),
        quiet_end=time(6, 0) if quiet else time(0, 0),
        send_on_sunday=draw(st.booleans()),
        late_days=draw(st.integers(1, 5)),
        opening_late_until=draw(clock(9, 12)),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Campaign, list[UnitState], ReminderRules]:
    campaign = draw(campaigns())
    return campaign, draw(trees(campaign)), draw(rules())


@given(cases())
def test_no_reminder_at_night_or_on_sunday_and_none_after_its_deadline(
    case: tuple[Campaign, list[UnitState], ReminderRules],
) -> None:
    campaign, units, chosen = case
    reminders = planned(campaign, units, chosen)
    keys = [r.key for r in reminders]
    assert len(keys) == len(set(keys))
    done = {unit.id for unit in units if unit.done}
    for reminder in reminders:
        assert reminder.at.tzinfo is VIETNAM
        assert not chosen.is_quiet(reminder.at.time())
        if not chosen.send_on_sunday:
            assert reminder.at.weekday() != 6
        assert reminder.at < reminder.expires
        if reminder.kind in DEADLINE_KINDS and reminder.serves is not None:
            assert reminder.at < datetime.combine(reminder.serves, time(0), tzinfo=VIETNAM)
        if reminder.kind in DEADLINE_KINDS:
            assert reminder.unit_id not in done  # only to units that have not reported
        if reminder.kind is Kind.MISSING_TO_ADMINS:
            assert reminder.about and not set(reminder.about) & done
        assert due_now(reminder, reminder.at, chosen) is Due.SEND
        assert due_now(reminder, reminder.expires, chosen) is Due.DROP


@given(cases())
def test_each_series_says_at_most_one_thing_a_day_to_a_unit(
    case: tuple[Campaign, list[UnitState], ReminderRules],
) -> None:
    campaign, units, chosen = case
    seen: set[tuple[int, str, date]] = set()
    for reminder in planned(campaign, units, chosen):
        series = {
            Kind.ANNOUNCE: "opening",
            Kind.OPENING_EVE: "opening",
            Kind.OPENING_DAY: "opening",
            Kind.MISSING_TO_ADMINS: f"missing {reminder.serves}",
        }.get(reminder.kind, "report")
        day = (reminder.unit_id, series, reminder.at.date())
        assert day not in seen, reminder
        seen.add(day)
