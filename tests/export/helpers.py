"""Builds an area of units with reports in a migrated database, through the real repositories.

Each ``Filed`` is one unit: its place in the tree and, when it has one, its report as a teacher
would have left it (answers keyed like the bot stores them, evidence, nominations). Sums the
tests compare with are computed here from the answers alone, without the code under test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.domain.campaign import Campaign
from bot.domain.form import Form
from bot.domain.rollup import Subtree, UnitInfo, UnitReport
from bot.export.load import load_subtree
from storage.models import Evidence, Nomination, Report, Rollup
from storage.uow import UnitOfWork

NOW = datetime(2023, 10, 16, 2, 0, tzinfo=UTC)


@dataclass
class Filed:
    """A unit and its report (``status`` None: the unit has not started)."""

    code: str
    name: str
    kind: str
    parent: str | None
    status: str | None = None  # "draft", "submitted", "reopened"
    answers: Mapping[str, int | str] = field(default_factory=dict)
    photos: int = 0
    nominations: Sequence[tuple[str, str, str]] = ()  # (kind, name, achievement)
    contact: str | None = None


SCHOOL_A: dict[str, int | str] = {
    "run:1": 1,
    "1.1:quantity": 2,
    "1.1:people": 60,
    "1.7:quantity": 3,
    "1.7:people": 1200,
    "2:quantity": 5,
    "run:5": 1,
    "5.1:quantity": 1,
    "5.3:quantity": 2,
    "5.3:people": 150,
    "run:10": 1,
    "10.1:amount": 5_000_000,
    "opening:held": 1,
    "11:text": "Ra mắt tủ sách lớp học",
}
SCHOOL_B: dict[str, int | str] = {
    "run:1": 1,
    "pick:1": "1.9",
    "1.9:quantity": 1,
    "1.9:people": 40,
    "1.3:quantity": 7,  # kept from before she picked only 1.9: not counted
    "3:quantity": 200,
    "opening:held": 0,
}
COMMUNE: dict[str, int | str] = {
    "run:9": 1,
    "9.1:quantity": 2,
    "9.2:people": 5,
    "8:quantity": 1,
    "opening:held": 1,
}

AREA = [
    Filed("P", "Tỉnh Thừa Thiên Huế", "province", None),
    Filed("X1", "UBND phường Kim Long", "commune", "P", "submitted", COMMUNE),
    Filed("X1-A", "Trường THCS Kim Long", "school", "X1", "submitted", SCHOOL_A, photos=2),
    Filed("X1-B", "Trường Tiểu học Kim Long", "school", "X1", "submitted", SCHOOL_B),
    Filed("X1-C", "Trường Mầm non Hoa Sen", "school", "X1", "draft", SCHOOL_A),
    Filed("X1-D", "TTHTCĐ Kim Long", "centre", "X1", "reopened", SCHOOL_A),
    Filed("X2", "UBND xã Hương Thọ", "commune", "P", contact="0905 000 111"),
    Filed("X2-A", "Trường Tiểu học Hương Thọ", "school", "X2", "submitted", SCHOOL_B),
]


async def campaign_row(uow: UnitOfWork, app: App) -> int:
    campaign = app.engine.campaign
    row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
    return row.id


async def load_area(app: App, ids: Mapping[str, int], code: str) -> Subtree:
    """The area under ``code`` as /export reads it."""
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        return await load_subtree(uow, app.engine.campaign, campaign_id, ids[code], NOW)


async def store(app: App, units: Sequence[Filed]) -> dict[str, int]:
    """Adds the units (parents before children) and their reports; their ids by code."""
    ids: dict[str, int] = {}
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        for number, filed in enumerate(units):
            parent = await uow.units.get(ids[filed.parent]) if filed.parent else None
            unit = await uow.units.add(
                filed.code, filed.name, filed.kind, parent, NOW, contact=filed.contact
            )
            ids[filed.code] = unit.id
            if filed.status is not None:
                await _report(uow, campaign_id, unit.id, number, filed)
        await uow.commit()
    return ids


async def _report(
    uow: UnitOfWork, campaign_id: int, unit_id: int, number: int, filed: Filed
) -> None:
    report = await uow.reports.open_for(campaign_id, unit_id, NOW)
    member = await uow.members.bind(
        "telegram",
        f"tg-{number}",
        f"tg-{number}",
        f"Cô {filed.name}",
        await uow.units.get(unit_id),
        "reporter",
        NOW,
    )
    for key, value in filed.answers.items():
        if isinstance(value, int):
            await uow.reports.set_answer(
                report, key, value_int=value, member_id=member.id, inbox_id=None, now=NOW
            )
        else:
            await uow.reports.set_answer(
                report, key, value_text=value, member_id=member.id, inbox_id=None, now=NOW
            )
    for photo in range(filed.photos):
        sha = hashlib.sha256(f"{filed.code}/{photo}".encode()).hexdigest()
        await uow.reports.add_evidence(
            Evidence(
                report_id=report.id,
                sha256=sha,
                stored_key=f"{sha[:2]}/{sha}.jpg",
                mime="image/jpeg",
                size=1000 + photo,
                stored_sha256=sha,
                stored_size=900 + photo,
                member_id=member.id,
                created_at=NOW + timedelta(minutes=photo),
            )
        )
    for kind, name, achievement in filed.nominations:
        uow.session.add(
            Nomination(
                report_id=report.id,
                kind=kind,
                name=name,
                achievement=achievement,
                member_id=member.id,
                created_at=NOW,
            )
        )
    _finish(report, filed.status or "draft", number)


def _finish(report: Report, status: str, number: int) -> None:
    report.status = status
    if status != "draft":
        report.revision = 1
        report.submitted_at = NOW
        report.reference = f"2023-{number:05d}"


async def sign(
    app: App, code: str, totals: Mapping[str, int], counted: Sequence[str], revision: int = 1
) -> None:
    """Stores a signed-off roll-up of the area ``code``, as its admin would send it upward."""
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        unit = await uow.units.by_code(code)
        assert unit is not None
        uow.session.add(
            Rollup(
                campaign_id=campaign_id,
                unit_id=unit.id,
                revision=revision,
                totals=dict(totals),
                counted={"units": list(counted)},
                note=None,
                submitted_at=NOW,
            )
        )
        await uow.commit()


def expected_sums(form: Form, reports: Sequence[Filed]) -> dict[str, int]:
    """The table's numbers summed by hand from the answers of the submitted reports.

    Written apart from bot.domain.rollup: a sub-row counts when its group was run (and picked);
    a group row that sums is the sum of its sub-rows; 7.1/7.2 count districts / schools and
    centres that answered they held the opening.
    """
    sums = {
        f"{item.code}:{measure.key}": 0
        for group in form.groups
        for item in (group.row, *group.children)
        for measure in item.measures
        if measure.kind.value != "text"
    }
    for filed in reports:
        if filed.status != "submitted":
            continue
        a = filed.answers
        for group in form.groups:
            subs = [group.row, *group.children]
            if group.ask_if_run:
                picked = str(a.get(f"pick:{group.number}", "")) or None
                ran = a.get(f"run:{group.number}") == 1
            else:
                picked, ran = None, True
            for item in subs:
                for measure in item.measures:
                    key = f"{item.code}:{measure.key}"
                    if measure.kind.value == "text":
                        continue
                    value = 0
                    if item.code == "7.1":
                        value = int(a.get("opening:held") == 1 and filed.kind == "district")
                    elif item.code == "7.2":
                        value = int(
                            a.get("opening:held") == 1 and filed.kind in ("school", "centre")
                        )
                    elif item is group.row and item.derivation is not None:
                        value = 0  # added below from the sub-rows
                    elif ran and (picked is None or item.code in picked.split(",")):
                        got = a.get(key, 0)
                        value = got if isinstance(got, int) else 0
                    sums[key] = sums.get(key, 0) + value
            if group.row.derivation is not None and group.row.derivation.value == "sum_children":
                for measure in group.row.measures:
                    key = f"{group.row.code}:{measure.key}"
                    if not ran:
                        continue
                    for child in group.children:
                        if picked is None or child.code in picked.split(","):
                            got = a.get(f"{child.code}:{measure.key}", 0)
                            sums[key] += got if isinstance(got, int) else 0
    return sums


def subtree_of(campaign: Campaign, area: Sequence[Filed], root: str) -> Subtree:
    """The Subtree ``load_subtree`` would read for ``root``, built in memory from ``area``.

    Units are numbered in the order given (parents first); only the root and the units under it
    are kept, as an admin of ``root`` sees them.
    """
    ids = {filed.code: number for number, filed in enumerate(area, 1)}
    children: dict[str | None, list[Filed]] = {}
    for filed in area:
        children.setdefault(filed.parent, []).append(filed)
    kept: list[Filed] = []
    stack = [next(f for f in area if f.code == root)]
    while stack:
        filed = stack.pop()
        kept.append(filed)
        stack.extend(sorted(children.get(filed.code, []), key=lambda f: f.code, reverse=True))
    units = tuple(
        UnitInfo(
            ids[f.code],
            f.code,
            f.name,
            f.kind,
            ids[f.parent] if f.parent and f.code != root else None,
            f.contact,
        )
        for f in kept
    )
    reports = {
        ids[f.code]: UnitReport(
            unit_id=ids[f.code],
            status=f.status,
            reference=None,
            revision=1,
            submitted_at=NOW if f.status != "draft" else None,
            opening_date=None,
            answers=dict(f.answers),
        )
        for f in kept
        if f.status is not None
    }
    return Subtree(campaign, units[0], units, reports, generated_at=NOW)
