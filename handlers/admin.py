"""The admin commands: /status, /export, /invite, /revoke and /reopen, over the admin's subtree.

The command table (``handlers/commands.py``) lets only admins and superadmins reach these
functions; each one that names a unit checks it lies in the sender's subtree
(``handlers.roles.named_unit``), so no admin sees or acts on a unit outside it. Long work (the
chart, the export files) is queued as a job in the same transaction as the reply saying so; a
runner outside the conversation does it and sends the result, once it has checked again that the
admin may still reach the unit (``bot/admin_jobs.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.chat import Reply
from bot.domain.rollup import IN_PROGRESS, NOT_STARTED, SUBMITTED, counted, missing, totals
from bot.domain.units import UNIT_KINDS, level_of
from bot.export.load import load_subtree
from handlers import messages as say
from handlers.common import Context, Notice, Outcome, fold
from handlers.join import issue_invite
from handlers.roles import Request, home, named_unit
from storage.models import Invite, Member, Report, Rollup, Unit
from storage.uow import UnitOfWork

MAX_CHILD_LINES = 30  # child units listed one a line in /status; the rest are counted
MAX_MISSING_LINES = 20  # units still missing listed with their contact; the rest are counted
ADMIN_WORDS = frozenset({"admin", "quan tri", "quantri", "qt"})
REPORTER_WORDS = frozenset({"reporter", "bao cao", "baocao", "nguoi bao cao"})


async def _target(request: Request, code: str | None, command: str) -> Unit | Reply:
    """The unit a command is about (named, or the admin's own); a reply when there is none
    the sender may act on."""
    ctx, access = request.ctx, request.access
    if code:
        unit = await named_unit(ctx, access, code, command)
        return unit if unit is not None else Reply(say.ADMIN_NO_SUCH_UNIT.format(code=code))
    unit = await home(ctx, access)
    if unit is not None:
        return unit
    tops = await ctx.uow.units.tops()  # a superadmin over several trees, or none yet
    if not tops:
        return Reply(say.ADMIN_NO_UNITS)
    codes = ", ".join(top.code for top in tops[:MAX_CHILD_LINES])
    return Reply(say.ADMIN_NAME_A_UNIT.format(example=tops[0].code, codes=codes))


# /status ----------------------------------------------------------------------------------------


async def status(request: Request) -> Outcome:
    """Progress over the subtree: per child unit, then the units still missing with their
    contact and deadline; the chart follows as a job."""
    ctx = request.ctx
    words = request.arguments.split()
    if len(words) > 1:
        return Outcome([Reply(say.ADMIN_STATUS_USAGE)])
    root = await _target(request, words[0] if words else None, "status")
    if isinstance(root, Reply):
        return Outcome([root])
    units = await ctx.uow.units.subtree(root.id)
    reports = await ctx.uow.reports.of_subtree(ctx.campaign_id, root.id)
    signed = {
        rollup.unit_id: rollup.revision
        for rollup in await ctx.uow.rollups.newest_in_subtree(ctx.campaign_id, root.id)
    }
    text = status_text(ctx, root, units, reports, signed)
    await _queue(ctx, "status_chart", {"unit_id": root.id}, None)
    return Outcome([Reply(text)])


def status_text(
    ctx: Context, root: Unit, units: list[Unit], reports: list[Report], signed: dict[int, int]
) -> str:
    """The /status message: totals, a line per child unit (and the revision of the roll-up it
    signed off, if any), then who is still missing."""
    state = {unit.id: NOT_STARTED for unit in units}
    for report in reports:
        state[report.unit_id] = SUBMITTED if report.status == "submitted" else IN_PROGRESS
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: u.code):
        children.setdefault(unit.parent_id, []).append(unit)
    ordered = list(_depth_first(root, children))
    lines = [
        say.STATUS_TITLE.format(unit=root.name, year=ctx.campaign.year),
        _counts_line(say.STATUS_TOTAL, (state[u.id] for u in ordered)),
    ]
    if children.get(root.id):
        lines.append(
            say.STATUS_OWN.format(unit=root.name, state=say.STATUS_STATES[state[root.id]])
        )
        shown = children[root.id][:MAX_CHILD_LINES]
        for child in shown:
            below = (state[u.id] for u in _depth_first(child, children))
            line = _counts_line(say.STATUS_CHILD, below, unit=child.name)
            if child.id in signed:
                line += say.STATUS_SIGNED.format(revision=signed[child.id])
            lines.append(line)
        if len(children[root.id]) > len(shown):
            lines.append(say.STATUS_MORE.format(count=len(children[root.id]) - len(shown)))
    waiting = [unit for unit in ordered if state[unit.id] != SUBMITTED]
    lines.append("")
    if not waiting:
        lines.append(say.STATUS_ALL_IN)
    else:
        lines.append(say.STATUS_MISSING_TITLE.format(count=len(waiting)))
        for unit in waiting[:MAX_MISSING_LINES]:
            lines.append(
                say.STATUS_MISSING.format(
                    unit=unit.name,
                    code=unit.code,
                    state=say.STATUS_STATES[state[unit.id]],
                    contact=unit.contact or say.STATUS_NO_CONTACT,
                    deadline=_deadline(ctx, unit),
                )
            )
        if len(waiting) > MAX_MISSING_LINES:
            lines.append(say.STATUS_MORE.format(count=len(waiting) - MAX_MISSING_LINES))
    lines += ["", say.STATUS_CHART_COMING]
    return "\n".join(lines)


def _depth_first(root: Unit, children: dict[int | None, list[Unit]]) -> Iterable[Unit]:
    """The unit and every unit under it, each parent before its children, in code order."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        unit = stack.pop()
        if unit.id in seen:  # a loop in the parent links must not hang the command
            continue
        seen.add(unit.id)
        yield unit
        stack.extend(reversed(children.get(unit.id, [])))


def _counts_line(template: str, states: Iterable[str], **fields: str) -> str:
    counted = Counter(states)
    return template.format(
        submitted=counted[SUBMITTED],
        total=sum(counted.values()),
        in_progress=counted[IN_PROGRESS],
        not_started=counted[NOT_STARTED],
        **fields,
    )


def _deadline(ctx: Context, unit: Unit) -> str:
    """The deadline that applies to the unit's report, as said in /status."""
    if unit.kind not in UNIT_KINDS:
        return say.STATUS_NO_DEADLINE
    deadline = ctx.campaign.deadline_for(level_of(unit.kind))
    if deadline is None:
        return say.STATUS_NO_DEADLINE
    return say.STATUS_DEADLINE.format(date=deadline.before.strftime("%d/%m/%Y"))


async def _queue(
    ctx: Context, kind: str, params: dict[str, int], dedupe_key: str | None
) -> int | None:
    """Queues a job whose result goes back to this chat; None when ``dedupe_key`` is taken."""
    message = ctx.message
    return await ctx.uow.jobs.add(
        kind=kind,
        params=dict(params),
        platform=message.platform,
        chat_id=message.chat_id,
        user_id=message.user_id,
        member_id=ctx.member.id if ctx.member else None,
        now=ctx.now,
        dedupe_key=dedupe_key,
    )


# /export ----------------------------------------------------------------------------------------


async def export(request: Request) -> Outcome:
    """Queues the export of the subtree's report for a year (the running campaign's unless
    named); a second request while one is being prepared is told so, not queued again."""
    ctx = request.ctx
    year = ctx.campaign.year
    code: str | None = None
    for word in request.arguments.split():
        if len(word) == 4 and word.isascii() and word.isdigit():
            year = int(word)
        elif code is None:
            code = word
        else:
            return Outcome([Reply(say.ADMIN_EXPORT_USAGE)])
    root = await _target(request, code, "export")
    if isinstance(root, Reply):
        return Outcome([root])
    campaign = await ctx.uow.campaigns.by_year(year)
    if campaign is None:
        return Outcome([Reply(say.ADMIN_EXPORT_NO_YEAR.format(year=year))])
    message = ctx.message
    prefix = f"export:{root.id}:{year}:{message.platform}:{message.user_id}:"
    key = prefix + str(await ctx.uow.jobs.settled(prefix))
    params = {"unit_id": root.id, "year": year}
    if await _queue(ctx, "export", params, key) is None:
        return Outcome([Reply(say.ADMIN_EXPORT_PENDING.format(unit=root.name, year=year))])
    ctx.uow.audit.record(request.access.actor, "export.request", dict(params), ctx.now)
    return Outcome([Reply(say.ADMIN_EXPORT_QUEUED.format(unit=root.name, year=year))])


# /invite ----------------------------------------------------------------------------------------


async def invite(request: Request) -> Outcome:
    """A reporter invite (the usual validity) or an admin invite (single-use, short-lived by
    default) for a unit of the subtree; the code is shown once."""
    ctx = request.ctx
    words = request.arguments.split(maxsplit=1)
    if not words:
        return Outcome([Reply(say.ADMIN_INVITE_USAGE)])
    role_word = fold(words[1]) if len(words) > 1 else "reporter"
    if role_word not in ADMIN_WORDS | REPORTER_WORDS:
        return Outcome([Reply(say.ADMIN_INVITE_USAGE)])
    unit = await _target(request, words[0], "invite")
    if isinstance(unit, Reply):
        return Outcome([unit])
    policy = ctx.policy
    if role_word in ADMIN_WORDS:
        role, uses = "admin", policy.admin_invite_max_uses
        expires = ctx.now + timedelta(hours=policy.admin_invite_valid_hours)
    else:
        role, uses = "reporter", policy.invite_max_uses
        expires = ctx.now + timedelta(days=policy.invite_valid_days)
    code = await issue_invite(
        ctx.uow, unit, role, expires, uses, ctx.now, actor=request.access.actor
    )
    text = say.ADMIN_INVITE_MADE.format(
        role=say.ROLE_NAMES[role],
        unit=unit.name,
        code=code,
        expires=say.MOMENT.format(moment=expires.astimezone(ctx.zone)),
        uses=uses,
    )
    return Outcome([Reply(text)])


# /revoke ----------------------------------------------------------------------------------------


async def revoke(request: Request) -> Outcome:
    """``/revoke UNIT`` lists the unit's members and open invites, numbered; ``/revoke UNIT N``
    ends that membership or invite (audited). An admin cannot revoke their own membership."""
    ctx = request.ctx
    words = request.arguments.split()
    if not words or len(words) > 2 or (len(words) == 2 and not words[1].isdigit()):
        return Outcome([Reply(say.ADMIN_REVOKE_USAGE)])
    unit = await _target(request, words[0], "revoke")
    if isinstance(unit, Reply):
        return Outcome([unit])
    entries = await revocable(ctx.uow, unit, ctx.now)
    if len(words) == 1:
        how = say.ADMIN_REVOKE_HOW.format(code=unit.code)
        return Outcome([Reply(revocable_text(unit, entries, ctx.zone, how))])
    number = int(words[1]) if len(words[1]) <= 6 else 0
    if not 1 <= number <= len(entries):
        return Outcome([Reply(say.ADMIN_REVOKE_NO_NUMBER.format(number=words[1], unit=unit.code))])
    entry = entries[number - 1]
    if isinstance(entry, Member) and ctx.member is not None and entry.id == ctx.member.id:
        return Outcome([Reply(say.ADMIN_REVOKE_SELF)])
    said, notice = await end(ctx.uow, unit, entry, request.access.actor, ctx.now)
    return Outcome([Reply(said)], notices=[notice] if notice else [])


async def revocable(uow: UnitOfWork, unit: Unit, now: datetime) -> list[Member | Invite]:
    """The unit's members, then its invites still open, in the order they are numbered."""
    return [*(await uow.members.of_unit(unit.id)), *(await uow.invites.open_for(unit.id, now))]


async def end(
    uow: UnitOfWork, unit: Unit, entry: Member | Invite, actor: str, now: datetime
) -> tuple[str, Notice | None]:
    """Ends a membership (the person is told; the links to files made for them stop working)
    or an invite, audited; what to say and the notice."""
    if isinstance(entry, Invite):
        await uow.invites.revoke(entry, now)
        detail = {"unit": unit.code, "invite": entry.id, "role": entry.role}
        uow.audit.record(actor, "invite.revoke", detail, now)
        return say.ADMIN_REVOKED_INVITE.format(unit=unit.name), None
    await uow.members.revoke(entry)
    links = await uow.artifacts.expire_of_member(entry.id, now)
    detail = {"unit": unit.code, "member": entry.id, "platform": entry.platform, "links": links}
    uow.audit.record(actor, "member.revoke", detail, now)
    told = Notice(
        entry.platform,
        entry.chat_id,
        entry.user_id,
        Reply(say.ADMIN_MEMBERSHIP_ENDED.format(unit=unit.name)),
    )
    name = entry.display_name or say.ADMIN_NO_NAME
    return say.ADMIN_REVOKED_MEMBER.format(name=name, unit=unit.name), told


def revocable_text(unit: Unit, entries: list[Member | Invite], zone: ZoneInfo, how: str) -> str:
    """The numbered list ``/revoke UNIT`` (and ``tuanle revoke UNIT``) shows, then ``how``."""
    if not entries:
        return say.ADMIN_REVOKE_NOTHING.format(unit=unit.name)
    lines = [say.ADMIN_REVOKE_TITLE.format(unit=unit.name, code=unit.code)]
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, Invite):
            lines.append(
                say.ADMIN_REVOKE_INVITE_LINE.format(
                    number=number,
                    role=say.ROLE_NAMES.get(entry.role, entry.role),
                    uses=entry.uses,
                    max_uses=entry.max_uses,
                    expires=say.MOMENT.format(moment=entry.expires_at.astimezone(zone)),
                )
            )
        else:
            lines.append(
                say.ADMIN_REVOKE_MEMBER_LINE.format(
                    number=number,
                    name=entry.display_name or say.ADMIN_NO_NAME,
                    role=say.ROLE_NAMES.get(entry.role, entry.role),
                    platform=entry.platform,
                )
            )
    lines.append(how)
    return "\n".join(lines)


# /reopen ----------------------------------------------------------------------------------------


async def reopen(request: Request) -> Outcome:
    """Returns a unit's submitted report to its reporters with a note of what to change; each
    of them is told in chat, and the admin is told when it is submitted again."""
    ctx = request.ctx
    words = request.arguments.split(maxsplit=1)
    if len(words) < 2:
        return Outcome([Reply(say.ADMIN_REOPEN_USAGE)])
    unit = await _target(request, words[0], "reopen")
    if isinstance(unit, Reply):
        return Outcome([unit])
    report = await ctx.uow.reports.find(ctx.campaign_id, unit.id)
    if report is None or report.status != "submitted":
        return Outcome([Reply(say.ADMIN_REOPEN_NOT_SUBMITTED.format(unit=unit.name))])
    notices = await reopen_report(ctx, report, unit, words[1], request.access.actor)
    text = say.ADMIN_REOPENED.format(unit=unit.name, told=len(notices))
    return Outcome([Reply(text)], notices=notices)


async def reopen_report(
    ctx: Context, report: Report, unit: Unit, note: str, actor: str
) -> list[Notice]:
    """Reopens the report (audited) and says so to every member of the unit but the sender."""
    sender = ctx.member
    await ctx.uow.reports.reopen(report, note, sender.id if sender else None, ctx.now)
    ctx.uow.audit.record(
        actor,
        "report.reopen",
        {"report": report.id, "unit": unit.code, "revision": report.revision, "note": note},
        ctx.now,
    )
    text = say.REOPENED_BY_ADMIN.format(unit=unit.name, note=note)
    return [
        Notice(
            member.platform,
            member.chat_id,
            member.user_id,
            Reply(text),
            dedupe_key=f"reopen:{report.id}:{report.revision}:{member.id}",
        )
        for member in await ctx.uow.members.of_unit(unit.id)
        if sender is None or member.id != sender.id
    ]


# /nop_tong_hop ----------------------------------------------------------------------------------


async def sign_off(request: Request) -> Outcome:
    """The admin signs off their area's roll-up (the sums over its submitted reports) and
    sends it upward: a new revision each time, audited; the parent unit's admins are told."""
    ctx = request.ctx
    root = await home(ctx, request.access)
    if root is None or root.parent_id is None:
        return Outcome([Reply(say.ROLLUP_NO_PARENT)])
    area = await load_subtree(ctx.uow, ctx.campaign, ctx.campaign_id, root.id, ctx.now)
    units = counted(area, root.id)
    if not units:
        return Outcome([Reply(say.ROLLUP_NOTHING_SUBMITTED.format(unit=root.name))])
    latest = await ctx.uow.rollups.latest(ctx.campaign_id, root.id)
    note = request.arguments or None
    rollup = await ctx.uow.rollups.add(
        Rollup(
            campaign_id=ctx.campaign_id,
            unit_id=root.id,
            revision=latest.revision + 1 if latest else 1,
            totals=totals(area, root.id),
            counted={"units": [unit.code for unit in units]},
            note=note,
            member_id=ctx.member.id if ctx.member else None,
            submitted_at=ctx.now,
        )
    )
    detail = {"unit": root.code, "revision": rollup.revision, "units": len(units)}
    ctx.uow.audit.record(request.access.actor, "rollup.submit", detail, ctx.now)
    parent = await ctx.uow.units.get(root.parent_id)
    when = say.MOMENT.format(moment=ctx.now.astimezone(ctx.zone))
    told = say.ROLLUP_RECEIVED.format(
        unit=root.name, revision=rollup.revision, count=len(units), when=when
    )
    if note:
        told += "\n" + say.ROLLUP_NOTE.format(note=note)
    notices = [
        Notice(admin.platform, admin.chat_id, admin.user_id, Reply(told))
        for admin in await ctx.uow.members.admins_of(parent.id)
    ]
    text = say.ROLLUP_SIGNED.format(
        unit=root.name,
        revision=rollup.revision,
        count=len(units),
        missing=len(missing(area)),
        parent=parent.name,
    )
    return Outcome([Reply(text)], notices=notices)
