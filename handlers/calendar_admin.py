"""The calendar for admins (/calendar, /remind, /announce) and the words of every reminder.

``words`` is what the sender (``bot/engine/reminders.py``) queues for a planned reminder; it
lives here, with the catalogue's other texts, because /remind says the same things now.

/remind and /announce reach many people, so each asks first: the admin is told how many
members will receive it (those who blocked the bot are counted apart), and it goes only when
they answer ``/remind có`` or ``/announce có``. The messages are notices of that answer's
transaction, each under a dedupe key of the message and the member, so a message processed
twice sends nothing twice; the reminder log notes each member as the sender's reminders do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.domain.calendar import Kind, Reminder, plan, settled_key, states_of
from bot.domain.campaign import Campaign
from bot.domain.chat import Reply
from bot.domain.rollup import SUBMITTED, Subtree
from bot.domain.units import UNIT_KINDS, level_of
from bot.export.load import load_subtree
from handlers import messages as say
from handlers.common import Notice, Outcome, fold
from handlers.missing import describe, still_missing
from handlers.roles import Request, home, named_unit
from storage.models import Member, Unit
from storage.uow import UnitOfWork

# What became of a reminder for a member (the reminder log's status).
QUEUED = "queued"
SKIPPED_UNREACHABLE = "skipped_unreachable"
DROPPED_LATE = "dropped_late"
CONFIRM_WORDS = frozenset({"co", "yes", "gui", "ok", "dong y"})
ANNOUNCE_KEY = "announce"  # the conversation's data: the text waiting for "/announce có"
ANNOUNCE_UNIT_KEY = "announce_unit"  # and the unit it goes to, when one was named
MAX_MISSING_LINES = 20
MAX_CALENDAR_LINES = 60


# The words -----------------------------------------------------------------------------------


def words(campaign: Campaign, area: Subtree, reminder: Reminder) -> str:
    """The reminder as its unit's members read it, in the catalogue's words."""
    unit = area.unit(reminder.unit_id)
    deadline = _deadline_text(campaign, unit.kind)
    days = (reminder.event - reminder.at.date()).days
    opening = _day(reminder.event)
    match reminder.kind:
        case Kind.ANNOUNCE:
            return say.REMIND_ANNOUNCE.format(
                unit=unit.name,
                year=campaign.year,
                start=_day(campaign.week_start),
                end=_day(campaign.week_end),
                theme=campaign.theme,
                opening=opening,
                deadline=deadline,
            )
        case Kind.OPENING_EVE:
            return say.REMIND_OPENING_EVE.format(opening=opening, unit=unit.name)
        case Kind.OPENING_DAY:
            return say.REMIND_OPENING_DAY.format(opening=opening, unit=unit.name)
        case Kind.REPORT_OPEN:
            return say.REMIND_REPORT_OPEN.format(unit=unit.name, deadline=deadline)
        case Kind.DEADLINE:
            template = say.REMIND_DEADLINE_DAY if days == 0 else say.REMIND_DEADLINE
            missing = missing_text(area, reminder.unit_id)
            return template.format(days=days, unit=unit.name, deadline=deadline, missing=missing)
        case Kind.AREA_DEADLINE:
            below = area.children(unit.id)
            done = sum(1 for child in below if area.progress(child.id) == SUBMITTED)
            template = say.REMIND_AREA_DEADLINE_DAY if days == 0 else say.REMIND_AREA_DEADLINE
            return template.format(
                days=days, unit=unit.name, deadline=deadline, done=done, total=len(below)
            )
        case Kind.MISSING_TO_ADMINS:
            return say.REMIND_MISSING_TO_ADMINS.format(
                unit=unit.name,
                deadline=say.REMIND_BEFORE.format(before=_day(reminder.event)),
                count=len(reminder.about),
                lines=_missing_lines(area, reminder.about),
            )
    raise ValueError(f"no words for {reminder.kind}")


def missing_text(area: Subtree, unit_id: int) -> str:
    """ "còn thiếu: 2 ảnh minh chứng, mục 5" (``handlers/missing.py``)."""
    report = area.reports.get(unit_id)
    answers = report.answers if report is not None else {}
    photos = len(report.evidence) if report is not None else 0
    rule = area.campaign.evidence
    return describe(still_missing(area.campaign.form, answers, photos, rule.min_photos))


def _deadline_text(campaign: Campaign, kind: str) -> str:
    deadline = campaign.deadline_for(level_of(kind)) if kind in UNIT_KINDS else None
    if deadline is None:
        return say.REMIND_NO_DEADLINE
    return say.REMIND_BEFORE.format(before=_day(deadline.before))


def _missing_lines(area: Subtree, unit_ids: Iterable[int]) -> str:
    """One line per unit still missing, with its contact; past a screenful, a count."""
    by_id = {unit.id: unit for unit in area.units}
    units = [by_id[unit_id] for unit_id in unit_ids if unit_id in by_id]
    lines = [
        say.REMIND_MISSING_UNIT.format(
            code=unit.code,
            name=unit.name,
            contact=say.REMIND_CONTACT.format(contact=unit.contact) if unit.contact else "",
        )
        for unit in units[:MAX_MISSING_LINES]
    ]
    if len(units) > MAX_MISSING_LINES:
        lines.append(say.REMIND_MISSING_MORE.format(count=len(units) - MAX_MISSING_LINES))
    return "\n".join(lines)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# /calendar -----------------------------------------------------------------------------------


async def calendar(request: Request) -> Outcome:
    """The plan over the admin's area (or a unit of it), each reminder with the members it
    was sent to, skipped for, dropped for, and the sends that failed."""
    ctx = request.ctx
    root = await _root(request, request.arguments.split()[0] if request.arguments else None)
    if not isinstance(root, Unit):
        return Outcome([root])
    area = await load_subtree(ctx.uow, ctx.campaign, ctx.campaign_id, root.id, ctx.now)
    rules = ctx.policy.reminders
    states = states_of(area)
    planned = {r.key for r in plan(ctx.campaign, states, rules, ctx.zone)}
    every = plan(ctx.campaign, [replace(s, done=False) for s in states], rules, ctx.zone)
    tallies: dict[str, dict[str, int]] = {}
    for logged, statuses in (await ctx.uow.reminders.tally(ctx.campaign.year)).items():
        into = tallies.setdefault(settled_key(logged), {})  # old dated keys: the same reminder
        for status, count in statuses.items():
            into[status] = into.get(status, 0) + count
    groups: dict[tuple[str, datetime], list[Reminder]] = {}
    for reminder in every:
        groups.setdefault((reminder.name, reminder.at), []).append(reminder)
    lines: list[str] = []
    for (_name, at), reminders in groups.items():
        units = sum(1 for r in reminders if r.key in planned)
        counts: dict[str, int] = {}
        for reminder in reminders:
            said = tallies.get(reminder.key) or tallies.get(reminder.legacy_key, {})
            for status, count in said.items():
                counts[status] = counts.get(status, 0) + count
        if not units and not counts:
            continue  # every unit reported before it was due: nobody needs it
        lines.append(_calendar_line(reminders[0], at, units, counts, ctx.now))
    if not lines:
        return Outcome([Reply(say.CAL_EMPTY.format(unit=root.name))])
    title = say.CAL_TITLE.format(unit=root.name, year=ctx.campaign.year)
    return Outcome([Reply("\n".join([title, *lines[:MAX_CALENDAR_LINES]]))])


def _calendar_line(
    reminder: Reminder, at: datetime, units: int, counts: dict[str, int], now: datetime
) -> str:
    parts: list[str] = []
    sent = counts.get(QUEUED, 0) - counts.get("failed", 0)  # the refused ones are said apart
    if sent:
        parts.append(say.CAL_SENT.format(count=sent))
    if counts.get(SKIPPED_UNREACHABLE):
        parts.append(say.CAL_SKIPPED.format(count=counts[SKIPPED_UNREACHABLE]))
    if counts.get(DROPPED_LATE):
        parts.append(say.CAL_DROPPED.format(count=counts[DROPPED_LATE]))
    if counts.get("failed"):
        parts.append(say.CAL_FAILED.format(count=counts["failed"]))
    if not parts:
        parts.append(say.CAL_WAITING if at > now else say.CAL_NOT_SENT)
    when = say.CALENDAR_WHEN.format(weekday=say.CALENDAR_WEEKDAYS[at.weekday()], moment=at)
    return say.CAL_LINE.format(
        when=when, what=_what(reminder), units=units, state=", ".join(parts)
    )


def _what(reminder: Reminder) -> str:
    """The kind in words, as ``tuanle calendar show`` says it."""
    days = (reminder.event - reminder.at.date()).days
    key = str(reminder.kind)
    if reminder.kind in {Kind.DEADLINE, Kind.AREA_DEADLINE} and days == 0:
        key += "_day"
    return say.CALENDAR_KINDS[key].format(event=_day(reminder.event), days=days)


# /remind and /announce: who they reach ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Who /remind or /announce reaches from a unit, and what each of them is sent; the chat
    commands and their twins on the command line (``tuanle calendar``) count and send alike."""

    area: Unit
    members: tuple[Member, ...]  # every member meant, those who blocked the bot among them
    texts: Mapping[int, str]  # what each reachable member is sent, by member id

    @property
    def reachable(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.unreachable_at is None)

    @property
    def units(self) -> int:
        """The units of the members who will receive it."""
        return len({m.unit_id for m in self.reachable})

    @property
    def unreachable(self) -> str:
        """ " 2 người đã chặn bot…", or nothing."""
        count = len(self.members) - len(self.reachable)
        return say.REMIND_UNREACHABLE.format(count=count) if count else ""


async def reminding(
    uow: UnitOfWork, campaign: Campaign, campaign_id: int, root: Unit, now: datetime
) -> Broadcast:
    """/remind from ``root``: the members of the units under it whose report is not sent, each
    told what their report still lacks."""
    area = await load_subtree(uow, campaign, campaign_id, root.id, now)
    missing = {
        unit.id: unit
        for unit in area.units
        if not area.children(unit.id) and area.progress(unit.id) != SUBMITTED
    }
    members = [m for m in await uow.reminders.audience_under(root.id) if m.unit_id in missing]
    texts = {
        unit_id: say.REMIND_NOW.format(
            area=root.name,
            unit=unit.name,
            deadline=_deadline_text(campaign, unit.kind),
            missing=missing_text(area, unit_id),
        )
        for unit_id, unit in missing.items()
    }
    return Broadcast(
        root,
        tuple(members),
        {m.id: texts[m.unit_id] for m in members if m.unreachable_at is None},
    )


async def announcing(uow: UnitOfWork, root: Unit, text: str) -> Broadcast:
    """/announce from ``root``: every member of it and of the units under it, the same text."""
    members = await uow.reminders.audience_under(root.id)
    message = say.ANNOUNCE_FROM.format(area=root.name, text=text)
    return Broadcast(
        root, tuple(members), {m.id: message for m in members if m.unreachable_at is None}
    )


async def settle(
    uow: UnitOfWork, year: int, key: str, broadcast: Broadcast, now: datetime
) -> list[Notice]:
    """Each member's line in the reminder log (those who blocked the bot as skipped), and the
    notices to the others, each under a dedupe key of ``key`` and the member."""
    notices: list[Notice] = []
    for member in broadcast.members:
        text = broadcast.texts.get(member.id)
        status = QUEUED if text is not None else SKIPPED_UNREACHABLE
        await uow.reminders.note(year, key, member.id, status, now)
        if text is not None:
            notices.append(
                Notice(
                    member.platform,
                    member.chat_id,
                    member.user_id,
                    Reply(text),
                    dedupe_key=f"{key}:{member.id}",
                )
            )
    return notices


def unit_and_confirmation(arguments: str) -> tuple[str | None, bool]:
    """ "/remind THCS-02 có" (or "có THCS-02") -> ("THCS-02", True); "/remind" -> (None, False)."""
    folded = fold(arguments)
    confirmed = "dong y" in folded  # the only confirmation of two words
    words = arguments.split()
    if confirmed:
        words = [w for w in words if fold(w) not in {"dong", "y"}]
    rest = [w for w in words if fold(w) not in CONFIRM_WORDS]
    confirmed = confirmed or len(rest) < len(words)
    return (rest[0] if rest else None), confirmed


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def unit_and_text(arguments: str) -> tuple[str | None, str]:
    """ "/announce THCS-02: Họp lúc 14h" -> ("THCS-02", "Họp lúc 14h").

    A first word ending in a colon names the unit when it is written as codes are (Latin
    letters, digits, "-", "_", "."); "Gấp: …" or "Lưu ý: …" stays the text.
    """
    first, _space, rest = arguments.strip().partition(" ")
    if first.endswith(":") and _CODE.fullmatch(first[:-1]):
        return first[:-1], rest.strip()
    return None, arguments.strip()


# /remind -------------------------------------------------------------------------------------


async def remind(request: Request) -> Outcome:
    """ "/remind [UNIT]": the count of members of the units of the area (or of the unit named
    within it) whose report is not sent; "/remind [UNIT] có": the reminders, each naming what
    its report still lacks."""
    ctx = request.ctx
    code, confirmed = unit_and_confirmation(request.arguments)
    root = await _root(request, code, "remind")
    if not isinstance(root, Unit):
        return Outcome([root])
    broadcast = await reminding(ctx.uow, ctx.campaign, ctx.campaign_id, root, ctx.now)
    if not broadcast.reachable:
        return Outcome([Reply(say.REMIND_NOBODY.format(area=root.name))])
    if not confirmed:
        command = say.REMIND_YES_UNIT.format(code=code) if code else say.REMIND_YES
        counts = remind_counts(broadcast)
        return Outcome([Reply(say.REMIND_CONFIRM.format(counts=counts, command=command))])
    key = f"remind:{ctx.inbox_id}"
    notices = await settle(ctx.uow, ctx.campaign.year, key, broadcast, ctx.now)
    done = say.REMIND_SENT.format(people=len(notices), units=broadcast.units)
    return Outcome([Reply(done)], notices=notices)


def remind_counts(broadcast: Broadcast) -> str:
    """ "Sẽ nhắc 3 đơn vị chưa gửi báo cáo thuộc …: 5 người nhận." """
    return say.REMIND_COUNTS.format(
        units=broadcast.units,
        area=broadcast.area.name,
        people=len(broadcast.reachable),
        skipped=broadcast.unreachable,
    )


# /announce -----------------------------------------------------------------------------------


async def announce(request: Request) -> Outcome:
    """ "/announce [UNIT:] TEXT": the count of members of the area (or of the unit named within
    it) who will receive it, the text kept for the answer; "/announce có": sent to them all."""
    ctx = request.ctx
    confirmed = fold(request.arguments) in CONFIRM_WORDS
    if confirmed:
        text, code = ctx.data.get(ANNOUNCE_KEY), ctx.data.get(ANNOUNCE_UNIT_KEY)
    else:
        code, text = unit_and_text(request.arguments)
    if not isinstance(text, str) or not text:
        return Outcome([Reply(say.ANNOUNCE_NOTHING if confirmed else say.ANNOUNCE_USAGE)])
    root = await _root(request, code if isinstance(code, str) else None, "announce")
    if not isinstance(root, Unit):
        return Outcome([root])
    broadcast = await announcing(ctx.uow, root, text)
    if not broadcast.reachable:
        return Outcome([Reply(say.ANNOUNCE_NOBODY.format(area=root.name))])
    if not confirmed:
        shown = say.ANNOUNCE_CONFIRM.format(counts=announce_counts(broadcast), text=text)
        data = {**ctx.data, ANNOUNCE_KEY: text, ANNOUNCE_UNIT_KEY: code}
        return Outcome([Reply(shown)], data=data)
    notices = await settle(
        ctx.uow, ctx.campaign.year, f"announce:{ctx.inbox_id}", broadcast, ctx.now
    )
    rest = {k: v for k, v in ctx.data.items() if k not in {ANNOUNCE_KEY, ANNOUNCE_UNIT_KEY}}
    return Outcome(
        [Reply(say.ANNOUNCE_SENT.format(people=len(notices)))], data=rest, notices=notices
    )


def announce_counts(broadcast: Broadcast) -> str:
    """ "Thông báo sau sẽ gửi tới 5 người thuộc 3 đơn vị của …" """
    return say.ANNOUNCE_COUNTS.format(
        people=len(broadcast.reachable),
        units=broadcast.units,
        area=broadcast.area.name,
        skipped=broadcast.unreachable,
    )


# Shared --------------------------------------------------------------------------------------


async def _root(request: Request, code: str | None, command: str = "calendar") -> Unit | Reply:
    """The unit named (within the sender's area), else the admin's own."""
    ctx, access = request.ctx, request.access
    if code:
        unit = await named_unit(ctx, access, code, command)
        return unit if unit is not None else Reply(say.ADMIN_NO_SUCH_UNIT.format(code=code))
    unit = await home(ctx, access)
    if unit is not None:
        return unit
    tops = await ctx.uow.units.tops()
    return Reply(say.CAL_NO_HOME.format(example=tops[0].code if tops else "XA-01"))
