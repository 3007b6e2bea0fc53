"""A unit's report as stored, for people at a terminal: show it, reopen it after the deadline."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from storage.models import Report, Unit
from storage.uow import UnitOfWork


async def _find(app: App, uow: UnitOfWork, unit_code: str) -> tuple[Unit, Report | None]:
    unit = await uow.units.by_code(unit_code)
    if unit is None:
        raise LookupError(f"no unit {unit_code}")
    campaign = app.engine.campaign
    row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
    return unit, await uow.reports.find(row.id, unit.id)


async def describe(app: App, unit_code: str) -> str:
    """Every stored answer and evidence file of the unit's report, one per line."""
    year = app.engine.campaign.year
    async with app.uows() as uow:
        unit, report = await _find(app, uow, unit_code)
        if report is None:
            return f"{unit.code}: no report for {year} yet"
        lines = [
            f"{unit.code} {unit.name} — {year}: {report.status}"
            f" (reference {report.reference or '-'}, revision {report.revision})"
        ]
        answers = await uow.reports.answers(report.id)
        for key in sorted(answers, key=_natural):
            answer = answers[key]
            value = answer.value_int if answer.value_int is not None else answer.value_text
            lines.append(f"  {key} = {value!r}")
        for evidence in await uow.reports.evidence(report.id):
            lines.append(
                f"  evidence {evidence.mime} {evidence.size} B sha256={evidence.sha256[:16]}…"
                f" -> {app.settings.evidence.directory / evidence.stored_key}"
            )
    return "\n".join(lines)


async def reopen(app: App, unit_code: str, now: datetime) -> str:
    """Lets the unit's reporters edit its report again, whatever the deadline; audited."""
    async with app.uows() as uow:
        _unit, report = await _find(app, uow, unit_code)
        if report is None:
            raise LookupError(f"{unit_code} has no report for {app.engine.campaign.year}")
        report.status = "reopened"
        uow.audit.record("cli", "report.reopen", {"report": report.id}, now)
        await uow.commit()
    return f"{unit_code}: report reopened for editing"


def _natural(key: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in key.replace(":", ".").split("."))
