"""Derived rows of one report: group totals and the rows that count units holding the opening.

A derived row is never asked. ``sum_children`` adds up the same measure over the group's
sub-rows (a row not run counts 0); ``opening_held`` is 1 when the unit is of one of the row's
kinds and answered that it held the opening ceremony. Aggregating up the unit tree later adds
these per-unit values, so a commune's 7.2 is the number of its schools that held one.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.form import Derivation, Form, Group

Answers = Mapping[str, int | str | None]


def rows_run(group: Group, answers: Answers) -> tuple[str, ...]:
    """The codes of the group's asked rows the unit ran.

    A group asked "did your unit run this?" ran none of its rows until answered yes, then all of
    them unless a subset was picked (``pick:G`` = "1.1,1.7"); other groups ran every row.
    """
    rows = tuple(item.code for item in group.asked_items)
    if not group.ask_if_run:
        return rows
    if answers.get(f"run:{group.number}") != 1:
        return ()
    chosen = answers.get(f"pick:{group.number}")
    if not isinstance(chosen, str) or not chosen:
        return rows
    wanted = set(chosen.split(","))
    return tuple(code for code in rows if code in wanted)


def derived_values(form: Form, answers: Answers, unit_kind: str) -> dict[str, int]:
    """The value of every measure of every derived row, keyed like answers ("1:people")."""
    values: dict[str, int] = {}
    for group in form.groups:
        for item in (group.row, *group.children):
            if item.derivation is Derivation.SUM_CHILDREN:
                ran = rows_run(group, answers)
                for measure in item.measures:
                    values[f"{item.code}:{measure.key}"] = sum(
                        _int(answers.get(f"{code}:{measure.key}")) for code in ran
                    )
            elif item.derivation is Derivation.OPENING_HELD:
                held = answers.get("opening:held") == 1 and unit_kind in item.unit_kinds
                for measure in item.measures:
                    values[f"{item.code}:{measure.key}"] = int(held)
    return values


def _int(value: int | str | None) -> int:
    return value if isinstance(value, int) else 0
