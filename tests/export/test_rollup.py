"""The roll-up over an admin's area: what counts, how it sums, and who is still missing.

The area is stored through the real repositories and read back by ``load_subtree``; the sums
are compared with sums made by hand from the answers (tests/export/helpers.py).
"""

from __future__ import annotations

from bot.app import App
from bot.domain.rollup import (
    NOT_STARTED,
    SUBMITTED,
    missing,
    progress_by_child,
    totals,
)
from tests.export.helpers import (
    AREA,
    SCHOOL_A,
    Filed,
    expected_sums,
    load_area,
    sign,
    store,
)


async def test_a_commune_totals_its_own_report_and_its_submitted_schools_only(app: App) -> None:
    ids = await store(app, AREA)
    commune = await load_area(app, ids, "X1")
    got = totals(commune, ids["X1"])
    form = app.engine.campaign.form
    assert got == expected_sums(form, [f for f in AREA if f.code.startswith("X1")])
    assert got["1:quantity"] == 2 + 3 + 1 and got["1:people"] == 60 + 1200 + 40
    assert got["1.3:quantity"] == 0  # a row the school did not pick
    assert got["7.2:quantity"] == 1  # the commune's own opening is no school's
    assert got["9.1:quantity"] == 2 and got["10.1:amount"] == 5_000_000


async def test_a_group_row_is_the_sum_of_its_sub_rows(app: App) -> None:
    ids = await store(app, AREA)
    got = totals(await load_area(app, ids, "P"), ids["P"])
    form = app.engine.campaign.form
    for group in form.groups:
        if group.row.derivation is None or group.row.derivation.value != "sum_children":
            continue
        for measure in group.row.measures:
            parts = sum(got.get(f"{c.code}:{measure.key}", 0) for c in group.children)
            assert got[f"{group.row.code}:{measure.key}"] == parts


async def test_the_province_sums_the_same_directly_and_through_its_communes(app: App) -> None:
    ids = await store(app, AREA)
    province = await load_area(app, ids, "P")
    direct = totals(province, ids["P"])
    via = {key: 0 for key in direct}
    for commune in province.children(ids["P"]):
        for key, value in totals(await load_area(app, ids, commune.code), commune.id).items():
            via[key] += value
    assert direct == via == expected_sums(app.engine.campaign.form, AREA)


async def test_the_area_holds_the_units_under_it_in_tree_order_and_nothing_else(app: App) -> None:
    ids = await store(app, AREA)
    commune = await load_area(app, ids, "X2")
    assert [u.code for u in commune.units] == ["X2", "X2-A"]
    province = await load_area(app, ids, "P")
    assert [u.code for u in province.units] == [f.code for f in AREA]


async def test_progress_per_commune_and_the_units_still_missing(app: App) -> None:
    ids = await store(app, AREA)
    province = await load_area(app, ids, "P")
    lines = {
        p.unit.code: (p.submitted, p.in_progress, p.not_started)
        for p in progress_by_child(province)
    }
    assert lines == {"X1": (3, 2, 0), "X2": (1, 0, 1)}
    assert province.progress(ids["P"]) == NOT_STARTED
    assert [u.code for u in missing(province)] == ["P", "X1-C", "X1-D", "X2"]
    assert missing(province)[-1].contact == "0905 000 111"


async def test_evidence_nominations_and_the_newest_signed_rollup_are_loaded(app: App) -> None:
    area = [*AREA]
    area[2] = Filed(
        "X1-A",
        "Trường THCS Kim Long",
        "school",
        "X1",
        "submitted",
        SCHOOL_A,
        photos=2,
        nominations=[("individual", "Cô Nguyễn Thị Lan", "Tổ chức hội sách")],
    )
    ids = await store(app, area)
    await sign(app, "X1", {"1:quantity": 5}, ["X1", "X1-A"], revision=1)
    await sign(app, "X1", {"1:quantity": 6}, ["X1", "X1-A", "X1-B"], revision=2)
    province = await load_area(app, ids, "P")
    school = province.reports[ids["X1-A"]]
    assert school.progress == SUBMITTED
    assert [(e.mime, e.size, e.sent_by) for e in school.evidence] == [
        ("image/jpeg", 900, "Cô Trường THCS Kim Long"),
        ("image/jpeg", 901, "Cô Trường THCS Kim Long"),
    ]
    assert [(n.kind, n.name) for n in school.nominations] == [("individual", "Cô Nguyễn Thị Lan")]
    signed = province.signed[ids["X1"]]
    assert signed.revision == 2 and signed.totals["1:quantity"] == 6
    assert signed.counted == ("X1", "X1-A", "X1-B")


async def test_parent_links_that_loop_back_to_the_root_end(app: App) -> None:
    ids = await store(app, AREA)
    async with app.uows() as uow:  # X1 moved under its own school: the data loops
        commune = await uow.units.get(ids["X1"])
        await uow.units.update(commune, commune.name, commune.kind, ids["X1-A"], None)
        await uow.commit()
    area = await load_area(app, ids, "X1")
    assert [u.code for u in area.below(ids["X1"])] == ["X1", "X1-A", "X1-B", "X1-C", "X1-D"]
    assert totals(area, ids["X1"])["1:quantity"] == 2 + 3 + 1
