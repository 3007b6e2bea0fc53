"""Reads an admin's area out of the database into a ``Subtree`` that the exports and /status use.

A handful of bulk queries whatever the size of the area (units, reports, answers, evidence,
nominations, signed roll-ups: one each, the area found by a recursive query on the parent
links), never one query per unit: a province of 10,000 schools loads in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from bot.domain.campaign import Campaign
from bot.domain.rollup import (
    EvidenceInfo,
    NominationInfo,
    SignedRollup,
    Subtree,
    UnitInfo,
    UnitReport,
)
from storage.models import Report, Rollup, Unit
from storage.uow import UnitOfWork


async def load_subtree(
    uow: UnitOfWork, campaign: Campaign, campaign_id: int, root_id: int, now: datetime
) -> Subtree:
    """The root unit, every unit below it (any depth), their reports and the signed roll-ups.

    ``campaign_id`` is the campaign's database row (``uow.campaigns.ensure``); LookupError when
    ``root_id`` is no unit.
    """
    ordered = _tree_order(root_id, await uow.units.subtree(root_id))
    rows = await uow.reports.of_subtree(campaign_id, root_id)
    answers: defaultdict[int, dict[str, int | str | None]] = defaultdict(dict)
    for report_id, key, number, text in await uow.reports.answers_of_subtree(campaign_id, root_id):
        answers[report_id][key] = number if number is not None else text
    evidence: defaultdict[int, list[EvidenceInfo]] = defaultdict(list)
    for report_id, key, mime, size, sha, sent_at, sent_by in await uow.reports.evidence_of_subtree(
        campaign_id, root_id
    ):
        evidence[report_id].append(EvidenceInfo(key, mime, size, sha, sent_at, sent_by))
    nominations: defaultdict[int, list[NominationInfo]] = defaultdict(list)
    for nomination in await uow.nominations.of_subtree(campaign_id, root_id):
        nominations[nomination.report_id].append(
            NominationInfo(nomination.kind, nomination.name, nomination.achievement)
        )
    reports = {
        row.unit_id: _report(row, answers[row.id], evidence[row.id], nominations[row.id])
        for row in rows
    }
    signed = {
        rollup.unit_id: _signed(rollup)
        for rollup in await uow.rollups.newest_in_subtree(campaign_id, root_id)
    }
    return Subtree(
        campaign=campaign,
        root=ordered[0],
        units=ordered,
        reports=reports,
        signed=signed,
        generated_at=now,
    )


def _tree_order(root_id: int, units: Iterable[Unit]) -> tuple[UnitInfo, ...]:
    """Root first, then depth first, siblings in code order."""
    children: defaultdict[int | None, list[UnitInfo]] = defaultdict(list)
    root: UnitInfo | None = None
    for unit in units:
        info = UnitInfo(unit.id, unit.code, unit.name, unit.kind, unit.parent_id, unit.contact)
        if unit.id == root_id:
            root = info
        else:
            children[unit.parent_id].append(info)
    if root is None:
        raise LookupError(f"unit {root_id} does not exist")
    ordered: list[UnitInfo] = []
    stack = [root]
    while stack:
        info = stack.pop()
        ordered.append(info)
        stack.extend(sorted(children[info.id], key=lambda u: u.code, reverse=True))
    return tuple(ordered)


def _report(
    row: Report,
    answers: dict[str, int | str | None],
    evidence: list[EvidenceInfo],
    nominations: list[NominationInfo],
) -> UnitReport:
    return UnitReport(
        unit_id=row.unit_id,
        status=row.status,
        reference=row.reference,
        revision=row.revision,
        submitted_at=row.submitted_at,
        opening_date=row.opening_date,
        answers=answers,
        evidence=tuple(evidence),
        nominations=tuple(nominations),
    )


def _signed(rollup: Rollup) -> SignedRollup:
    units = rollup.counted.get("units", [])
    return SignedRollup(
        unit_id=rollup.unit_id,
        revision=rollup.revision,
        totals={str(key): int(value) for key, value in rollup.totals.items()},
        counted=tuple(str(code) for code in units),
        submitted_at=rollup.submitted_at,
        note=rollup.note,
    )
