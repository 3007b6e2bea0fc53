"""The catch-up rule for a bot that was down at a reminder's time: sent late only while it still
makes sense, never at night or on a Sunday, never after its deadline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.calendar import Due, ReminderRules, due_now
from tests.calendar.plans import COMMUNE, SCHOOL, commune, local, named, planned

# 2025, seed 000: schools report before 11/10/2025; reminders 07/10, 09/10 and 10/10 at 07:30.
REMINDERS = planned(2025, commune())
ONE_DAY = named(REMINDERS, SCHOOL, "deadline_1d")
LAST_DAY = named(REMINDERS, SCHOOL, "deadline_day")
MISSING = named(REMINDERS, COMMUNE, "missing_to_admins")
RULES = ReminderRules()


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (local(2025, 10, 9, 7, 29), Due.WAIT),  # not yet
        (local(2025, 10, 9, 7, 30), Due.SEND),
        (local(2025, 10, 9, 8, 29), Due.SEND),  # within the hour: on time
        (local(2025, 10, 9, 15, 0), Due.LATE_OK),  # the bot was down all morning
        (local(2025, 10, 9, 22, 0), Due.WAIT),  # late, but night: wait for the morning
        (local(2025, 10, 10, 6, 30), Due.LATE_OK),  # morning, before the next reminder
        (local(2025, 10, 10, 7, 30), Due.DROP),  # the last-day reminder supersedes it
    ],
)
def test_a_reminder_missed_is_sent_late_until_the_next_one_is_due(now: datetime, due: Due) -> None:
    assert due_now(ONE_DAY, now, RULES) is due


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (local(2025, 10, 10, 21, 29), Due.LATE_OK),  # the last evening before the deadline
        (local(2025, 10, 10, 23, 59), Due.WAIT),  # quiet hours: it would wait...
        (local(2025, 10, 11, 0, 0), Due.DROP),  # ...but the deadline comes first: dropped
        (local(2025, 10, 11, 7, 30), Due.DROP),  # a restart after the deadline sends nothing
        (local(2025, 12, 1, 9, 0), Due.DROP),
    ],
)
def test_a_deadline_reminder_is_never_sent_after_its_deadline(now: datetime, due: Due) -> None:
    assert due_now(LAST_DAY, now, RULES) is due


def test_the_missing_list_after_a_deadline_waits_out_the_sunday_and_expires_days_later() -> None:
    # Due Saturday 11/10/2025 07:30; the bot was down until Sunday.
    assert due_now(MISSING, local(2025, 10, 12, 9, 0), RULES) is Due.WAIT  # Sunday
    assert due_now(MISSING, local(2025, 10, 12, 9, 0), ReminderRules(send_on_sunday=True)) is (
        Due.LATE_OK
    )
    assert due_now(MISSING, local(2025, 10, 13, 7, 0), RULES) is Due.LATE_OK  # Monday
    assert due_now(MISSING, local(2025, 10, 14, 7, 30), RULES) is Due.DROP  # three days on


def test_the_clock_may_be_utc_and_must_be_aware() -> None:
    # 07:30 in Vietnam is 00:30 UTC.
    assert due_now(ONE_DAY, datetime(2025, 10, 9, 0, 30, tzinfo=UTC), RULES) is Due.SEND
    with pytest.raises(ValueError, match="aware"):
        due_now(ONE_DAY, datetime(2025, 10, 9, 7, 30), RULES)
