"""The rehearsal's clock (``bot/calendar_simulate.PacedClock``): however fast it runs, it never
gets more than a step past the reminder sender's last tick, so a slow tick cannot let a
reminder's time slip by unseen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.calendar_simulate import PacedClock
from tests.calendar.plans import local

START = local(2023, 9, 25)
HOUR = timedelta(hours=1)


def test_the_clock_waits_for_the_sender_an_hour_past_its_last_tick() -> None:
    clock = PacedClock(START, speed=1e15, step=HOUR)  # a real nanosecond is weeks of it

    assert clock.now() == START + HOUR
    assert clock.now() == START + HOUR  # the sender has not ticked: the clock waits

    clock.ticked()
    assert clock.now() == START + 2 * HOUR
    clock.ticked()
    clock.ticked()
    assert clock.now() == START + 4 * HOUR


def test_a_slow_clock_runs_on_its_own_between_ticks() -> None:
    clock = PacedClock(START, speed=1e-6, step=HOUR)

    first = clock.now()
    clock.ticked()

    assert START <= first <= clock.now() < START + timedelta(seconds=1)


def test_a_clock_without_a_zone_or_speed_is_refused() -> None:
    with pytest.raises(ValueError):
        PacedClock(START.replace(tzinfo=None), speed=10, step=HOUR)
    with pytest.raises(ValueError):
        PacedClock(START, speed=0, step=HOUR)
