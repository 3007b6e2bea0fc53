"""``tuanle calendar show``: the reminder plan of a campaign, unit by unit, in Vietnam time.

Read-only: the units and their reports are read as the exports read them (``load_subtree``)
and the plan is worked out by ``bot/domain/calendar.py``; nothing is written, not even the
campaign's row when the database has none yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.admin_jobs import campaign_for
from bot.app import App
from bot.domain.calendar import ADMINS, Kind, Reminder, by_unit, plan, states_of
from bot.domain.campaign import Campaign
from bot.domain.rollup import Subtree, UnitInfo
from bot.export.load import load_subtree
from handlers import messages as say
from handlers.missing import describe, still_missing

NO_CAMPAIGN_ROW = -1  # no campaign row yet: no report can belong to it


async def show(app: App, year: int | None, unit_code: str | None, now: datetime) -> str:
    """The plan of ``year``'s campaign (the running one by default) for every unit, or for the
    unit ``unit_code`` and the units under it; LookupError for an unknown unit or year."""
    settings = app.settings
    campaign = campaign_for(settings, app.engine.campaign, year)
    zone = ZoneInfo(settings.campaign.timezone)
    rules = settings.reminders.rules()
    async with app.uows() as uow:
        if unit_code is not None:
            chosen = await uow.units.by_code(unit_code)
            if chosen is None:
                raise LookupError(say.CLI_NO_UNIT.format(code=unit_code))
            roots = [chosen]
        else:
            roots = await uow.units.tops()
        row = await uow.campaigns.by_year(campaign.year)
        campaign_id = row.id if row is not None else NO_CAMPAIGN_ROW
        areas = [await load_subtree(uow, campaign, campaign_id, r.id, now) for r in roots]
    lines = _head(campaign, settings.campaign.timezone)
    if not areas:
        lines += ["", say.CALENDAR_NO_UNITS]
    for area in areas:
        planned = by_unit(plan(campaign, states_of(area), rules, zone))
        names = {unit.id: unit.code for unit in area.units}
        for unit in area.units:
            lines += ["", *_unit_lines(area, unit, planned.get(unit.id, []), names)]
    return "\n".join(lines)


def _head(campaign: Campaign, zone: str) -> list[str]:
    lines = [
        say.CALENDAR_HEAD.format(
            year=campaign.year,
            theme=campaign.theme,
            start=_day(campaign.week_start),
            end=_day(campaign.week_end),
            opening=_day(campaign.opening_day),
            zone=zone,
        )
    ]
    for deadline in campaign.deadlines:
        level = say.CALENDAR_LEVELS.get(deadline.level, deadline.level)
        before = _day(deadline.before)
        lines.append(say.CALENDAR_DEADLINE.format(level=level, before=before, to=deadline.to))
    if not campaign.deadlines:
        lines.append(say.CALENDAR_NO_DEADLINE.format(year=campaign.year))
    return lines


def _unit_lines(
    area: Subtree, unit: UnitInfo, reminders: Sequence[Reminder], codes: dict[int, str]
) -> list[str]:
    report = area.reports.get(unit.id)
    progress = area.progress(unit.id)
    status = say.CALENDAR_STATUS.get(progress, progress)
    if unit.id in area.signed:
        status = say.CALENDAR_STATUS["signed"]
    elif progress != "submitted" and not area.children(unit.id):
        rule = area.campaign.evidence
        answers = report.answers if report is not None else {}
        photos = len(report.evidence) if report is not None else 0
        missing = still_missing(area.campaign.form, answers, photos, rule.min_photos)
        status += "; " + describe(missing)
    if report is not None and report.opening_date is not None:
        status += "; " + say.CALENDAR_OWN_OPENING.format(day=_day(report.opening_date))
    kind = say.UNIT_KIND_NAMES.get(unit.kind, unit.kind)
    head = say.CALENDAR_UNIT.format(code=unit.code, name=unit.name, kind=kind, status=status)
    return [head, *(_line(reminder, codes) for reminder in reminders)]


def _line(reminder: Reminder, codes: dict[int, str]) -> str:
    moment = reminder.at
    when = say.CALENDAR_WHEN.format(weekday=say.CALENDAR_WEEKDAYS[moment.weekday()], moment=moment)
    notes: list[str] = []
    if reminder.only_missing and reminder.kind is not Kind.MISSING_TO_ADMINS:
        notes.append(say.CALENDAR_ONLY_MISSING)
    if reminder.about:
        listed = ", ".join(codes.get(unit_id, str(unit_id)) for unit_id in reminder.about)
        notes.append(say.CALENDAR_ABOUT.format(count=len(reminder.about), codes=listed))
    if reminder.moved_from is not None:
        notes.append(say.CALENDAR_MOVED.format(day=_day(reminder.moved_from)))
    who = say.CALENDAR_TO_ADMINS if reminder.roles == ADMINS else say.CALENDAR_TO_EVERYONE
    shown = say.CALENDAR_NOTES.format(notes="; ".join(notes)) if notes else ""
    return say.CALENDAR_LINE.format(when=when, what=_what(reminder), who=who, notes=shown)


def _what(reminder: Reminder) -> str:
    """The kind in words; a deadline one with its days left ("còn 3 ngày")."""
    days = (reminder.event - reminder.at.date()).days
    key = str(reminder.kind)
    if reminder.kind in {Kind.DEADLINE, Kind.AREA_DEADLINE} and days == 0:
        key += "_day"
    return say.CALENDAR_KINDS[key].format(event=_day(reminder.event), days=days)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
