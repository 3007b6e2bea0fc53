"""A province of generated data sums to the same numbers whichever way it is summed.

Directly over the province; through its communes, each summed as the commune's admin sees it
(only the commune's units) plus the province's own report; and by hand from the answers
(tests/export/helpers.py). Up to about a thousand units over dozens of communes; the default
Hypothesis profile keeps it quick.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.form import Derivation, Form, MeasureKind
from bot.domain.loader import load_campaigns
from bot.domain.rollup import missing, progress_by_child, totals
from tests.export.helpers import Filed, expected_sums, subtree_of

CAMPAIGN = load_campaigns()[2023]
FORM = CAMPAIGN.form
STATUSES = (None, "draft", "submitted", "submitted", "reopened")


def _answers(form: Form, rng: random.Random) -> dict[str, int | str]:
    """A report as a teacher may leave it: some groups run, some rows picked, odd keys kept."""
    answers: dict[str, int | str] = {}
    for group in form.groups:
        if group.ask_if_run:
            answers[f"run:{group.number}"] = rng.choice((0, 1, 1))
            if rng.random() < 0.3:
                rows = [item.code for item in group.asked_items]
                answers[f"pick:{group.number}"] = ",".join(
                    rng.sample(rows, rng.randint(0, len(rows)))
                )
        for item in group.asked_items:
            for measure in item.measures:
                if measure.kind is MeasureKind.TEXT:
                    if rng.random() < 0.2:
                        answers[f"{item.code}:{measure.key}"] = (
                            "=SUM(A1)" if rng.random() < 0.5 else "tủ sách"
                        )
                elif rng.random() < 0.6:
                    top = 10_000_000 if measure.kind is MeasureKind.MONEY else 500
                    answers[f"{item.code}:{measure.key}"] = rng.randint(0, top)
    answers["opening:held"] = rng.choice((0, 1))
    return answers


def _province(seed: int, communes: int, schools: int) -> list[Filed]:
    rng = random.Random(seed)
    area = [Filed("P", "Tỉnh", "province", None, rng.choice(STATUSES))]
    area[0].answers = _answers(FORM, rng)
    for c in range(communes):
        code = f"X{c:02d}"
        area.append(
            Filed(code, f"Xã {c}", "commune", "P", rng.choice(STATUSES), _answers(FORM, rng))
        )
        for s in range(rng.randint(0, schools)):
            kind = rng.choice(("school", "school", "centre", "district"))
            status = rng.choice(STATUSES)
            area.append(
                Filed(
                    f"{code}-{s:02d}", f"Trường {c}.{s}", kind, code, status, _answers(FORM, rng)
                )
            )
    return area


@given(
    seed=st.integers(0, 2**32 - 1),
    communes=st.integers(1, 40),
    schools=st.integers(0, 25),
)
def test_a_province_sums_the_same_directly_through_its_communes_and_by_hand(
    seed: int, communes: int, schools: int
) -> None:
    area = _province(seed, communes, schools)
    province = subtree_of(CAMPAIGN, area, "P")
    direct = totals(province, province.root.id)
    via = dict(province.values.get(province.root.id, dict.fromkeys(direct, 0)))
    for commune in province.children(province.root.id):
        for key, value in totals(subtree_of(CAMPAIGN, area, commune.code), commune.id).items():
            via[key] += value
    assert direct == via == expected_sums(FORM, area)
    for group in FORM.groups:
        if group.row.derivation is Derivation.SUM_CHILDREN:
            for measure in group.row.measures:
                parts = sum(
                    direct[f"{c.code}:{measure.key}"]
                    for c in group.children
                    if f"{c.code}:{measure.key}" in direct
                )
                assert direct[f"{group.row.code}:{measure.key}"] == parts
    lines = progress_by_child(province)
    assert sum(line.total for line in lines) == len(area) - 1
    submitted = sum(line.submitted for line in lines) + (area[0].status == "submitted")
    assert submitted + len(missing(province)) == len(area)
