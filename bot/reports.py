"""A unit's report as stored, for people at a terminal: show it, reopen it after the deadline."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.domain.chat import Reply
from bot.domain.totals import derived_values
from handlers import messages as say
from handlers import nominations
from storage.models import Report, Unit
from storage.uow import UnitOfWork


async def _find(app: App, uow: UnitOfWork, unit_code: str) -> tuple[Unit, Report | None]:
    unit = await uow.units.by_code(unit_code)
    if unit is None:
        raise LookupError(say.CLI_NO_UNIT.format(code=unit_code))
    campaign = app.engine.campaign
    row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
    return unit, await uow.reports.find(row.id, unit.id)


async def describe(app: App, unit_code: str) -> str:
    """Every stored answer, every computed row, every evidence file and every commendation
    nomination of the unit's report."""
    campaign = app.engine.campaign
    async with app.uows() as uow:
        unit, report = await _find(app, uow, unit_code)
        if report is None:
            return say.CLI_NO_REPORT.format(code=unit.code, year=campaign.year)
        lines = [
            say.CLI_REPORT_HEAD.format(
                code=unit.code,
                name=unit.name,
                year=campaign.year,
                status=say.CLI_REPORT_STATUS.get(report.status, report.status),
                reference=report.reference or "-",
                revision=report.revision,
            )
        ]
        stored = await uow.reports.answers(report.id)
        answers = {
            key: a.value_int if a.value_int is not None else a.value_text
            for key, a in stored.items()
        }
        derived = derived_values(campaign.form, answers, unit.kind)
        for key in sorted({*answers, *derived}, key=_natural):
            if key in derived:
                lines.append(f"  {key} = {derived[key]!r}  ({say.CLI_REPORT_DERIVED})")
            else:
                lines.append(f"  {key} = {answers[key]!r}")
        for evidence in await uow.reports.evidence(report.id):
            path = app.settings.evidence.directory / evidence.stored_key
            lines.append(
                "  "
                + say.CLI_REPORT_EVIDENCE.format(
                    mime=evidence.mime,
                    # The file the line points at (older rows know only the upload's).
                    size=evidence.stored_size or evidence.size,
                    sha=(evidence.stored_sha256 or evidence.sha256)[:16],
                    path=path,
                )
            )
        for line in nominations.lines(await uow.nominations.of_report(report.id)):
            lines.append("  " + say.CLI_REPORT_NOMINATION.format(line=line))
    return "\n".join(lines)


async def reopen(app: App, unit_code: str, now: datetime, note: str | None = None) -> str:
    """Lets the unit's reporters edit its sent report again, whatever the deadline; audited.

    Each of them is told in the chat (with the note, when one is given), as /reopen does.
    """
    async with app.uows() as uow:
        unit, report = await _find(app, uow, unit_code)
        if report is None:
            raise LookupError(
                say.CLI_NO_REPORT.format(code=unit_code, year=app.engine.campaign.year)
            )
        if report.status != "submitted":
            raise LookupError(say.ADMIN_REOPEN_NOT_SUBMITTED.format(unit=unit.name))
        await uow.reports.reopen(report, note, None, now)
        detail = {"report": report.id, "unit": unit.code, "note": note}
        uow.audit.record("cli", "report.reopen", detail, now)
        members = await uow.members.of_unit(unit.id)
        await uow.commit()
    text = say.REOPENED_BY_ADMIN.format(unit=unit.name, note=note or say.REOPEN_NO_NOTE)
    for member in members:
        await app.engine.enqueue(
            member.platform,
            member.chat_id,
            Reply(text),
            user_id=member.user_id,
            dedupe_key=f"reopen:{report.id}:{report.revision}:{member.id}",
        )
    return say.CLI_REOPENED.format(code=unit_code)


def _natural(key: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in key.replace(":", ".").split("."))
