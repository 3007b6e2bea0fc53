"""Derived rows of the 2023 template (seed 002): group totals and the opening-ceremony rows."""

from __future__ import annotations

from bot.domain.loader import load_campaigns
from bot.domain.totals import derived_values

FORM = load_campaigns()[2023].form


def test_group_one_totals_the_classes_and_people_of_its_rows() -> None:
    answers = {"run:1": 1, "1.1:quantity": 2, "1.1:people": 60, "1.7:quantity": 3}
    answers |= {"1.7:people": 1200}
    values = derived_values(FORM, answers, "school")
    assert values["1:quantity"] == 5 and values["1:people"] == 1260


def test_contest_groups_total_their_contests() -> None:
    answers = {"run:5": 1, "run:6": 1, "5.1:quantity": 1, "5.3:quantity": 2, "6.2:quantity": 4}
    values = derived_values(FORM, answers, "school")
    assert values["5:quantity"] == 3 and values["6:quantity"] == 4


def test_a_school_that_held_the_opening_counts_once_in_row_7_2_and_never_in_7_1() -> None:
    held = derived_values(FORM, {"opening:held": 1, "opening:date": "2024-10-03"}, "school")
    assert held["7.2:quantity"] == 1 and held["7.1:quantity"] == 0
    district = derived_values(FORM, {"opening:held": 1}, "district")
    assert district["7.1:quantity"] == 1 and district["7.2:quantity"] == 0
    none = derived_values(FORM, {"opening:held": 0}, "centre")
    assert none["7.2:quantity"] == 0


def test_rows_not_run_count_zero_in_the_totals() -> None:
    values = derived_values(FORM, {}, "school")
    assert values["1:quantity"] == 0 and values["1:people"] == 0


def test_rows_a_unit_later_marked_not_run_leave_the_totals() -> None:
    answers = {"run:1": 1, "pick:1": "1.1", "1.1:quantity": 2, "1.3:quantity": 9}
    assert derived_values(FORM, answers, "school")["1:quantity"] == 2
    assert derived_values(FORM, {**answers, "run:1": 0}, "school")["1:quantity"] == 0
