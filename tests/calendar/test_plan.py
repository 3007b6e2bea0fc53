"""The reminder plan of a commune of schools: per-unit opening days, Sunday moves, and deadline
reminders only to the units that have not reported."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.calendar import ADMINS, EVERYONE, ReminderRules, UnitState, settled_key
from tests.calendar.plans import (
    COMMUNE,
    OTHER_SCHOOL,
    SCHOOL,
    commune,
    local,
    named,
    names,
    planned,
)


def test_a_unit_with_its_own_opening_day_is_reminded_the_evening_before_and_that_morning() -> None:
    # Seed 004: the ward's opening ceremony was on 03/10/2024, not the week's first day.
    reminders = planned(2024, commune(own_opening=date(2024, 10, 3)))
    assert named(reminders, SCHOOL, "opening_eve").at == local(2024, 10, 2, 19, 0)
    assert named(reminders, SCHOOL, "opening_day").at == local(2024, 10, 3, 6, 30)
    # The others keep the campaign's day, 01/10/2024.
    assert named(reminders, OTHER_SCHOOL, "opening_eve").at == local(2024, 9, 30, 19, 0)
    assert named(reminders, OTHER_SCHOOL, "opening_day").at == local(2024, 10, 1, 6, 30)
    # Everyone hears the theme a week before the week.
    assert {r.unit_id for r in reminders if r.name == "announce"} == {
        COMMUNE,
        SCHOOL,
        OTHER_SCHOOL,
    }
    assert named(reminders, SCHOOL, "announce").at == local(2024, 9, 24, 7, 30)


def test_an_opening_eve_on_a_sunday_moves_to_saturday_evening() -> None:
    # 2023: the week opens on Monday 02/10 (seed 002); its eve is Sunday 01/10.
    reminders = planned(2023, commune())
    eve = named(reminders, SCHOOL, "opening_eve")
    assert eve.at == local(2023, 9, 30, 19, 0)
    assert eve.moved_from == date(2023, 10, 1)
    assert named(reminders, SCHOOL, "opening_day").at == local(2023, 10, 2, 6, 30)


def test_the_report_is_open_after_a_week_ending_on_sunday_on_monday_evening() -> None:
    reminders = planned(2023, commune())  # the 2023 week ends on Sunday 08/10
    report_open = named(reminders, SCHOOL, "report_open")
    assert report_open.at == local(2023, 10, 9, 19, 0)
    assert report_open.moved_from == date(2023, 10, 8)


def test_an_opening_on_a_sunday_keeps_only_the_saturday_evening_reminder() -> None:
    reminders = planned(2024, commune(own_opening=date(2024, 10, 6)))  # a Sunday
    opening = [r for r in reminders if r.unit_id == SCHOOL and r.name.startswith("opening")]
    assert [(r.name, r.at) for r in opening] == [("opening_eve", local(2024, 10, 5, 19, 0))]
    # It may still go out late on Saturday night's edge, never after the ceremony's morning.
    assert opening[0].expires == local(2024, 10, 6, 11, 0)


def test_sunday_is_kept_when_the_settings_allow_it() -> None:
    rules = ReminderRules(send_on_sunday=True)
    reminders = planned(2023, commune(), rules)
    assert named(reminders, SCHOOL, "opening_eve").at == local(2023, 10, 1, 19, 0)
    assert named(reminders, SCHOOL, "report_open").at == local(2023, 10, 8, 19, 0)
    assert all(r.moved_from is None for r in reminders)


def test_a_last_day_on_sunday_is_reminded_on_saturday_and_the_missing_list_on_monday() -> None:
    # 2021 (seed 003): reports before 10/10/2021, a Sunday: the last day on time is Saturday 09/10.
    reminders = planned(2021, commune())
    days = [r.at for r in reminders if r.unit_id == SCHOOL and r.name.startswith("deadline")]
    assert days == [
        local(2021, 10, 6, 7, 30),
        local(2021, 10, 8, 7, 30),
        local(2021, 10, 9, 7, 30),
    ]
    missing = named(reminders, COMMUNE, "missing_to_admins")
    assert missing.at == local(2021, 10, 11, 7, 30)
    assert missing.moved_from == date(2021, 10, 10)
    # The week ends on 07/10, after the three-day reminder: "the report is open" would come
    # second, so it is left out.
    assert "report_open" not in names(reminders, SCHOOL)


def test_a_deadline_reminder_moved_onto_a_day_that_has_one_gives_way() -> None:
    # Seed 001: the province reports to the Ministry before 20/10/2025, so its last day is
    # Sunday 19/10. The "last day" reminder would move back onto Saturday, which already has
    # the one-day reminder: Saturday says it once.
    units = [
        UnitState(10, "province", None),
        UnitState(COMMUNE, "commune", 10),
        UnitState(SCHOOL, "school", COMMUNE),
    ]
    reminders = planned(2025, units)
    province = [r for r in reminders if r.unit_id == 10 and r.name.startswith("area_deadline")]
    assert [(r.name, r.at) for r in province] == [
        ("area_deadline_3d", local(2025, 10, 16, 7, 30)),
        ("area_deadline_1d", local(2025, 10, 18, 7, 30)),
    ]
    assert province[-1].expires == local(2025, 10, 20, 0, 0)  # the deadline itself
    # The province's admins hear of the commune still missing after 15/10/2025.
    assert named(reminders, 10, "missing_to_admins").about == (COMMUNE,)


def test_deadline_reminders_go_only_to_units_that_have_not_reported() -> None:
    reminders = planned(2025, commune(school_done=True))
    assert names(reminders, SCHOOL) == ["announce", "opening_eve", "opening_day"]
    assert names(reminders, OTHER_SCHOOL)[3:] == ["deadline_3d", "deadline_1d", "deadline_day"]
    for name in ("deadline_3d", "deadline_1d", "deadline_day"):
        reminder = named(reminders, OTHER_SCHOOL, name)
        assert reminder.only_missing and reminder.roles == EVERYONE
    # The commune's admins hear of the school still missing, the morning the deadline passed.
    missing = named(reminders, COMMUNE, "missing_to_admins")
    assert missing.about == (OTHER_SCHOOL,)
    assert missing.roles == ADMINS
    assert missing.at == local(2025, 10, 11, 7, 30)


def test_when_every_school_reported_the_admins_get_no_missing_list() -> None:
    reminders = planned(2025, commune(school_done=True, other_done=True))
    assert "missing_to_admins" not in names(reminders, COMMUNE)


def test_the_commune_is_reminded_of_its_own_deadline_until_it_has_signed() -> None:
    # Seed 000: the commune reports to the province before 15/10/2025.
    reminders = planned(2025, commune())
    area = [r for r in reminders if r.unit_id == COMMUNE and r.name.startswith("area_deadline")]
    assert [(r.name, r.at) for r in area] == [
        ("area_deadline_3d", local(2025, 10, 11, 7, 30)),
        ("area_deadline_1d", local(2025, 10, 13, 7, 30)),
        ("area_deadline_day", local(2025, 10, 14, 7, 30)),
    ]
    assert all(r.roles == ADMINS for r in area)
    signed = commune()
    signed[0] = UnitState(COMMUNE, "commune", None, done=True)
    assert not [r for r in planned(2025, signed) if r.name.startswith("area_deadline")]


def test_a_campaign_without_deadlines_plans_no_deadline_reminder() -> None:
    # The 2024 seed (004) sets no reporting date.
    reminders = planned(2024, commune())
    assert not [r for r in reminders if "deadline" in r.name or r.name == "missing_to_admins"]
    report_open = named(reminders, SCHOOL, "report_open")
    assert report_open.at == local(2024, 10, 7, 19, 0)
    assert report_open.expires == local(2024, 10, 10, 19, 0)  # late_days after, nothing sooner


def test_the_key_names_year_kind_and_unit_but_not_the_day() -> None:
    reminders = planned(2025, commune())
    reminder = named(reminders, SCHOOL, "deadline_1d")
    assert reminder.key == "2025:deadline_1d:unit-2"
    assert reminder.legacy_key == "2025:deadline_1d:unit-2:2025-10-09"  # as logged before
    missing = named(reminders, COMMUNE, "missing_to_admins")
    assert missing.key == "2025:missing_to_admins:unit-1:school"  # the schools' deadline


def test_a_line_logged_before_keys_dropped_the_day_stands_for_the_new_key() -> None:
    assert settled_key("2025:deadline_1d:unit-2:2025-10-09") == "2025:deadline_1d:unit-2"
    assert settled_key("2025:announce:unit-12:2025-09-24") == "2025:announce:unit-12"
    assert settled_key("2025:deadline_1d:unit-2") == "2025:deadline_1d:unit-2"
    assert settled_key("announce:41") == "announce:41"  # an /announce's line
    # An old missing list's line has no levels: it counts for the list of its own day.
    old = "2025:missing_to_admins:unit-1:2025-10-11"
    assert settled_key(old) == old
    assert named(planned(2025, commune()), COMMUNE, "missing_to_admins").legacy_key == old


def test_hours_inside_the_quiet_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="evening"):
        ReminderRules(evening=time(22, 0))
    with pytest.raises(ValueError, match="morning"):
        ReminderRules(morning=time(5, 0), quiet_end=time(6, 0))
    ReminderRules(evening=time(22, 0), quiet_start=time(22, 0), quiet_end=time(22, 0))
