"""The review before submitting: the whole report on one screen, edits, then the receipt.

It knows the walk only through ``Walk`` (what ``handlers.report.ReportFlow`` offers), so the
walk imports the review and never the other way round; the words that submit or edit at the
review are entries of the command table (``handlers/commands.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.domain.chat import Reply
from bot.domain.form import Derivation, Form, Group, Item, MeasureKind
from bot.domain.numbers import format_count, format_money
from bot.domain.totals import derived_values, rows_run
from handlers import messages as say
from handlers import nominations
from handlers.common import Context, Notice, Outcome, fold
from handlers.roles import still_reaches
from handlers.walk import (
    NOMINATIONS_KEY,
    OPENING_KEY,
    PHOTOS_KEY,
    REVIEW_STEP,
    Kind,
    Question,
    answer_key,
    applies,
    find,
    run_key,
    unanswered,
)
from storage.models import Report

LABEL_LIMIT = 60


class Walk(Protocol):
    """The report walk as the review uses it."""

    ctx: Context
    report: Report
    answers: dict[str, int | str | None]
    questions: tuple[Question, ...]

    async def go_to(self, question: Question, prefix: list[Reply] | None = None) -> Outcome: ...

    def deadline_text(self) -> str | None: ...

    def late(self) -> bool: ...


async def show(
    flow: Walk, prefix: list[Reply] | None = None, *, submitted: bool = False
) -> Outcome:
    """Shows the summary and moves to the review step."""
    text = await summary(flow)
    choices = () if submitted else (say.SUBMIT,)
    actions = (say.EDIT,) if submitted else (say.BACK, say.CANCEL)
    data = {**flow.ctx.data, "return_to_review": False}
    return Outcome(
        [*(prefix or []), Reply(text, choices=choices, actions=actions)],
        step=REVIEW_STEP,
        data=data,
    )


async def edit_item(flow: Walk, what: str) -> Outcome:
    """Jumps to the question for row (or group) ``what``, then back here once answered."""
    what = fold(what)
    if not what:  # "sửa" alone: how to name a row
        return await show(flow, [Reply(say.REVIEW_HOW_TO_EDIT)])
    target = _target(what)
    keys = [q.key for q in flow.questions]
    group_question = target.replace("item:", "run:", 1)
    if target not in keys and group_question in keys:
        target = group_question  # "sửa 1": the yes/no a refused row's message points to
    if target not in keys:
        return await show(flow, [Reply(say.EDIT_UNKNOWN.format(what=short(what)))])
    question = flow.questions[keys.index(target)]
    if not applies(question, flow.answers) and question.group is not None:
        message = say.EDIT_NOT_APPLICABLE.format(
            code=what, group=f"{question.group.number}. {question.group.row.label}"
        )
        return await show(flow, [Reply(message)])
    outcome = await flow.go_to(question)
    outcome.data = {**(outcome.data or {}), "return_to_review": True}
    return outcome


def _target(what: str) -> str:
    if what in {"khai mac", "le khai mac", "opening"}:
        return OPENING_KEY
    if what in {"anh", "minh chung", "photos"}:
        return PHOTOS_KEY
    if what in nominations.EDIT_WORDS:
        return NOMINATIONS_KEY
    if what.startswith("muc "):
        what = what.removeprefix("muc ").strip()
    return f"item:{what}"


async def submit(flow: Walk) -> Outcome:
    """Submits the report and gives the receipt; refused without enough evidence."""
    ctx = flow.ctx
    rule = ctx.campaign.evidence
    photos = len(await ctx.uow.reports.evidence(flow.report.id))
    if photos < rule.min_photos:
        refusal = Reply(say.PHOTO_NOT_ENOUGH.format(min=rule.min_photos, have=photos))
        outcome = await flow.go_to(flow.questions[find(flow.questions, PHOTOS_KEY)], [refusal])
        outcome.data = {**(outcome.data or {}), "return_to_review": True}
        return outcome
    report = flow.report
    # Reopened by an admin since it was last sent: they are told it came back.
    reopened = report.reopened_at is not None and (
        report.submitted_at is None or report.reopened_at > report.submitted_at
    )
    report.status = "submitted"
    report.revision += 1
    report.submitted_at = ctx.now
    report.submitted_by = ctx.member.id if ctx.member else None
    if report.reference is None:
        report.reference = f"TL{ctx.campaign.year % 100:02d}-{report.id:06d}"
    ctx.uow.audit.record(
        f"member:{ctx.member.id}" if ctx.member else "system",
        "report.submit",
        {"report": report.id, "reference": report.reference, "revision": report.revision},
        ctx.now,
    )
    reference = (
        report.reference if report.revision == 1 else f"{report.reference}/{report.revision}"
    )
    when = say.MOMENT.format(moment=ctx.now.astimezone(ctx.zone))
    deadline = flow.deadline_text()
    if flow.late():
        text = say.SUBMITTED_LATE.format(reference=reference, when=when, deadline=deadline)
    elif deadline:
        text = say.SUBMITTED.format(reference=reference, when=when, deadline=deadline)
    else:
        text = say.SUBMITTED_NO_DEADLINE.format(reference=reference, when=when)
    kind = ctx.unit.kind if ctx.unit else ""
    totals = derived_values(ctx.campaign.form, flow.answers, kind)
    if computed := computed_lines(ctx.campaign.form, totals):
        text += "\n" + say.RECEIPT_COMPUTED.format(lines="\n".join(computed))
    text += await nominations.receipt_text(ctx.uow, report)
    notice = await _tell_reopener(flow, reference) if reopened else None
    return Outcome([Reply(text)], step="submitted", notices=[notice] if notice else [])


async def _tell_reopener(flow: Walk, reference: str) -> Notice | None:
    """The admin who reopened the report is told it was submitted again, if they may still
    reach the unit (not once revoked, nor once bound to a unit or role that does not)."""
    report, ctx = flow.report, flow.ctx
    admin = await ctx.uow.members.get(report.reopened_by) if report.reopened_by else None
    if admin is None:
        return None
    sender = f"{admin.platform}:{admin.user_id}"
    superadmins = ctx.policy.superadmins
    if not await still_reaches(ctx.uow, sender, admin, superadmins, report.unit_id):
        return None
    text = say.RESUBMITTED_AFTER_REOPEN.format(
        unit=ctx.unit.name if ctx.unit else "",
        reference=reference,
        when=say.MOMENT.format(moment=ctx.now.astimezone(ctx.zone)),
        note=report.reopen_note or "",
    )
    return Notice(
        admin.platform,
        admin.chat_id,
        admin.user_id,
        Reply(text),
        dedupe_key=f"resubmitted:{report.id}:{report.revision}",
    )


async def summary(flow: Walk) -> str:
    """The whole report as text, group by group."""
    ctx = flow.ctx
    answers = flow.answers
    unit_name = ctx.unit.name if ctx.unit else ""
    lines = [say.REVIEW_TITLE.format(unit=unit_name, year=ctx.campaign.year), ""]
    if answers.get("opening:held") == 1:
        day = str(answers.get("opening:date") or "")
        shown = "/".join(reversed(day.split("-"))) if day else "?"
        lines.append(say.REVIEW_OPENING_HELD.format(date=shown))
    elif answers.get("opening:held") == 0:
        lines.append(say.REVIEW_OPENING_NOT)
    else:
        lines.append(say.REVIEW_OPENING_MISSING)
    kind = ctx.unit.kind if ctx.unit else ""
    totals = derived_values(ctx.campaign.form, answers, kind)
    for group in ctx.campaign.form.groups:
        asked = group.asked_items
        if not asked:
            if any(child.derivation is not None for child in group.children):
                lines.append(f"{group.number}. {short(group.row.label)}:")
                lines += _derived_children(group, totals)
            continue
        label = short(group.row.label)
        if group.ask_if_run:
            run = answers.get(run_key(group))
            if run is None:
                lines.append(say.REVIEW_GROUP_UNANSWERED.format(number=group.number, label=label))
                continue
            if run == 0:
                lines.append(say.REVIEW_GROUP_NOT_RUN.format(number=group.number, label=label))
                continue
            lines.append(f"{group.number}. {label}:{_total(group.row, totals)}")
        elif group.row.derivation is Derivation.SUM_CHILDREN:
            lines.append(f"{group.number}. {label}:{_total(group.row, totals)}")
        ran = rows_run(group, answers)
        for item in asked:
            if item.code in ran:
                value = row_value(item, answers)
                lines.append(
                    say.REVIEW_LINE.format(code=item.code, label=short(item.label), value=value)
                )
        if len(ran) < len(asked):
            lines.append(say.REVIEW_OTHER_ROWS_NOT_RUN.format(number=group.number))
        lines += _derived_children(group, totals)
    rule = ctx.campaign.evidence
    photos = len(await ctx.uow.reports.evidence(flow.report.id))
    lines.append(say.REVIEW_PHOTOS.format(have=photos, min=rule.min_photos, max=rule.max_photos))
    for narrative in ctx.campaign.form.narrative:
        text = answers.get(f"narr:{narrative.key}")
        shown = short(str(text), 120) if text else say.REVIEW_EMPTY
        lines.append(say.REVIEW_NARRATIVE.format(label=narrative.label, value=shown))
    lines += await nominations.summary_lines(ctx.uow, flow.report, answers)
    optional = {Kind.OPENING, Kind.NOMINATIONS}  # said on their own lines above
    missing = [q for q in unanswered(flow.questions, answers) if q.kind not in optional]
    if missing:
        codes = ", ".join(
            q.item.code if q.item else (q.group.number if q.group else q.key) for q in missing
        )
        lines += ["", say.REVIEW_MISSING.format(count=len(missing), codes=codes)]
    lines += ["", say.REVIEW_HOW_TO_EDIT]
    if flow.report.status != "submitted":
        lines.append(say.REVIEW_READY)
    return "\n".join(lines)


def row_value(item: Item, answers: Mapping[str, int | str | None]) -> str:
    """One row's stored values as shown: "3 lớp / 120 người", "—" where empty."""
    parts: list[str] = []
    for measure in item.measures:
        value = answers.get(answer_key(item.code, measure.key))
        if value is None:
            parts.append(say.REVIEW_EMPTY)
        elif measure.kind is MeasureKind.MONEY and isinstance(value, int):
            parts.append(format_money(value))
        elif isinstance(value, int):
            parts.append(f"{format_count(value)} {measure.unit}")
        else:
            parts.append(short(value, 120))
    return " / ".join(parts)


def _total(row: Item, totals: dict[str, int]) -> str:
    """ " tổng 5 lớp / 1.260 người (tự tính)" for a row that sums its sub-rows, else nothing."""
    if row.derivation is not Derivation.SUM_CHILDREN:
        return ""
    return say.REVIEW_TOTAL.format(total=_derived_value(row, totals)) + say.REVIEW_COMPUTED


def _derived_value(row: Item, totals: Mapping[str, int]) -> str:
    """A derived row's values as shown: "5 lớp / 1.260 người", "1 trường/trung tâm"."""
    return " / ".join(
        f"{format_count(totals[f'{row.code}:{m.key}'])} {m.unit}" for m in row.measures
    )


def _derived_children(group: Group, totals: Mapping[str, int]) -> list[str]:
    """The lines of a group's derived sub-rows (7.1, 7.2), marked as computed."""
    return [
        say.REVIEW_LINE.format(
            code=child.code, label=short(child.label), value=_derived_value(child, totals)
        )
        + say.REVIEW_COMPUTED
        for child in group.children
        if child.derivation is not None
    ]


def computed_lines(form: Form, totals: Mapping[str, int]) -> list[str]:
    """Every derived row of the report, one line each, for the receipt."""
    lines: list[str] = []
    for row in form.items():
        if row.derivation is not None and row.measures:
            lines.append(
                say.RECEIPT_COMPUTED_LINE.format(
                    code=row.code, label=short(row.label), value=_derived_value(row, totals)
                )
            )
    return lines


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    """The text cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
