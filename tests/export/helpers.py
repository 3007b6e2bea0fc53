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
from bot.domain.form import Form
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


async def campaign_row(uow: UnitOfWork, app: App) -> int:
    campaign = app.engine.campaign
    row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
    return row.id


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
    sums: dict[str, int] = {}
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
