"""Answers that arrive out of turn: read against the question they were meant for.

Three cases, each of which must never store an answer in a row the person did not mean:

- **The question last seen.** While the reply carrying the next question is still unsent (the
  platform failed, the bot restarted), the person only saw the question before it; a text they
  send then answers *that* question (``Context.seen_step``). The same values again are a repeat
  and store nothing. Other valid values are never guessed into a row: when the text also
  answers the current question, the person is asked which row it is for (the pending choice
  lives in the conversation's data, like unclear readings); when it does not, the seen row is
  its only meaning and is changed, with a notice. The step stays where it is unless the current
  row is chosen. Text that does not answer the seen question takes the normal path, and so
  does any new text at a free-text question (every text answers it, so only a repeat is told
  apart: "gửi báo cáo" typed fast after the last narrative is not a narrative).
- **An edited message** (Telegram): when the original message answered a question, the edited
  text is read against that question and changes its row, with a notice naming the row and the
  old and new value; any other edit is answered with "edits are not read".
- **A forwarded message** is someone else's words: never taken as an answer.

After a change the person is shown the question they stand at again, so the last message on
their screen is always the one to answer.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeGuard

from bot.domain.chat import Choice, Reply
from bot.domain.form import MeasureKind
from handlers import messages as say
from handlers import nominations
from handlers.common import Outcome, match_choice, navigation_word
from handlers.questions import (
    READINGS_KEY,
    AnswerValues,
    Correction,
    Unclear,
    choice_key,
    choice_tag,
    pending_tag,
    read_answer,
)
from handlers.review import row_value, short
from handlers.walk import OPENING_KEY, Kind, Question, applies, run_key
from storage.models import AnswerChange

if TYPE_CHECKING:
    from handlers.report import ReportFlow

# Steps whose text is no answer ``read_answer`` reads (photos, the nominations' own words).
_UNTYPED = frozenset({Kind.PHOTOS, Kind.NOMINATIONS})


async def respond(flow: ReportFlow, text: str | None) -> Outcome | None:
    """The answer to an edit, a forward, a row chosen or an answer to the question last seen."""
    data = flow.ctx.data
    pending = data.get(READINGS_KEY)
    if pending is not None:
        # A choice offered for confirmation is dropped by any message, this one too; what this
        # message is answered with is built from the data without it.
        flow.ctx.conversation.data = without_pending(data)
    outcome = await _respond(flow, text, pending)
    if outcome is None and pending is not None and not _is_row_choice(pending):
        # Readings of the current row: the walk reads the choice among them (or drops them).
        flow.ctx.conversation.data = {**flow.ctx.data, READINGS_KEY: pending}
    return outcome


def without_pending(data: dict[str, Any]) -> dict[str, Any]:
    """The conversation's data without a choice offered for confirmation (readings or rows)."""
    return {k: v for k, v in data.items() if k != READINGS_KEY}


async def _respond(flow: ReportFlow, text: str | None, pending: object) -> Outcome | None:
    message = flow.ctx.message
    if message.edit_of is not None:
        return await read_edit(flow, message.edit_of, text)
    if message.forwarded and flow.ctx.upload is None and text is not None:
        return Outcome([Reply(say.FORWARDED_NOT_READ), *(await flow.current_question())])
    if text is None or flow.ctx.upload is not None:
        return None
    if (picked := await pick_row(flow, text, pending)) is not None:
        return picked
    if message.button is None:
        return await answer_seen(flow, text)
    return None


async def answer_seen(flow: ReportFlow, text: str) -> Outcome | None:
    """Reads ``text`` against the question last delivered, when it is not the current one."""
    ctx = flow.ctx
    seen = ctx.seen_step
    question = _question(flow, seen) if seen != ctx.conversation.step else None
    if question is None or question.kind is Kind.PHOTOS or flow.report.status == "submitted":
        return None
    if navigation_word(text) is not None or _skips_all(question, text):
        return None
    if question.kind is Kind.NOMINATIONS:  # read by the step's own rules, never as a row
        return await nominations.answer_seen(flow, text)
    try:
        values = read_answer(ctx.campaign, question, text)
    except Correction:
        return None  # not an answer to the question seen: the normal path reads it
    if _already(flow, values):
        return await change(flow, question, values)  # a repeat: says so, stores nothing
    if _free_text(question):
        return None  # any text answers a free-text question: only a repeat is told apart
    here = _standing_question(flow)
    if here is None or here.kind in _UNTYPED:
        return await change(flow, question, values)  # the seen row is its only meaning
    try:
        current = read_answer(ctx.campaign, here, text)
    except Unclear:
        return None  # it may answer the current row too, several ways: the walk asks which
    except Correction:
        return await change(flow, question, values)  # the seen row is its only meaning
    return _offer_rows(flow, text, (question, values), (here, current))


def _offer_rows(
    flow: ReportFlow,
    text: str,
    seen: tuple[Question, AnswerValues],
    here: tuple[Question, AnswerValues],
) -> Outcome:
    """Asks which row a text that answers both questions is for; nothing is stored yet."""
    rows = [_pending_row(question, values) for question, values in (seen, here)]
    pending: dict[str, Any] = {"rows": rows, "tag": pending_tag(rows)}
    question = say.CONFIRM_ROW.format(text=short(" ".join(text.split()), 60))
    reply = Reply(question, choices=_row_choices(flow, pending))
    return Outcome([reply], data={**flow.ctx.data, READINGS_KEY: pending})


async def pick_row(flow: ReportFlow, text: str, pending: object) -> Outcome | None:
    """Stores the row chosen for an answer offered two ways; a stale choice stores nothing.

    The seen row's choice changes it (with the notice) and keeps the step; the current row's
    stores the answer there and moves on, as an answer to it would.
    """
    tag = choice_tag(text)  # a confirmation's button, pressed or typed
    if not _is_row_choice(pending):
        if tag is not None and not (isinstance(pending, dict) and pending.get("tag") == tag):
            return await _stale(flow)
        return None  # the walk reads it (the current row's readings, or a new answer)
    choice = match_choice(text, _row_choices(flow, pending))
    if choice is None:
        return None if tag is None else await _stale(flow)  # any other text is read normally
    index = int(choice.key[1]) - 1
    row = pending["rows"][index]
    question = _question(flow, row["step"])
    if question is None or (index == 1 and question.key != flow.ctx.conversation.step):
        return await _stale(flow)
    opening = date.fromisoformat(row["opening"]) if row["opening"] else None
    values = AnswerValues(dict(row["values"]), opening=opening)
    if index == 0:
        return await change(flow, question, values)
    await _store(flow, question, values)
    return await flow.advance(question)


async def _stale(flow: ReportFlow) -> Outcome:
    """A button of a choice no longer offered: nothing is stored, the question is shown again."""
    return Outcome([Reply(say.STALE_BUTTON), *(await flow.current_question())])


def _pending_row(question: Question, values: AnswerValues) -> dict[str, Any]:
    opening = values.opening.isoformat() if values.opening else None
    return {"step": question.key, "values": dict(values.values), "opening": opening}


def _row_choices(flow: ReportFlow, pending: dict[str, Any]) -> tuple[Choice, ...]:
    """The two choices: change the row seen, or store in the current row."""
    labels = []
    for index, row in enumerate(pending["rows"]):
        question = _question(flow, row["step"])
        if question is None:
            labels.append(row["step"])  # no longer a question: the choice is refused as stale
            continue
        new = row_text(question, {**flow.answers, **row["values"]})
        if index == 0:
            old = row_text(question, flow.answers)
            label = say.ROW_CHOICE_CHANGE.format(row=row_name(question), new=new, old=old)
        else:
            label = say.ROW_CHOICE_HERE.format(row=row_name(question), new=new)
        labels.append(short(label, 100))
    return tuple(
        Choice(choice_key(index, pending["tag"]), label) for index, label in enumerate(labels, 1)
    )


def _is_row_choice(pending: object) -> TypeGuard[dict[str, Any]]:
    """Tells whether data kept in the conversation is a choice of rows, well formed."""
    if not isinstance(pending, dict) or not isinstance(pending.get("tag"), str):
        return False
    rows = pending.get("rows")
    return (
        isinstance(rows, list)
        and len(rows) == 2
        and all(
            isinstance(row, dict)
            and isinstance(row.get("step"), str)
            and isinstance(row.get("values"), dict)
            and isinstance(row.get("opening"), str | None)
            for row in rows
        )
    )


async def _store(flow: ReportFlow, question: Question, values: AnswerValues) -> None:
    for key, value in values.values.items():
        await flow.store(key, value)
    if question.kind is Kind.OPENING:
        await flow.ctx.uow.reports.set_opening(flow.report, values.opening)


async def read_edit(flow: ReportFlow, original: str, text: str | None) -> Outcome:
    """Re-reads an edited message against the question its original answered."""
    ctx = flow.ctx
    changes = await ctx.uow.reports.changes_by_message(ctx.message.platform, original)
    question = _question_of(flow, [c for c in changes if c.report_id == flow.report.id])
    if question is None or text is None or navigation_word(text) is not None:
        return Outcome([Reply(say.EDIT_NOT_READ), *(await flow.current_question())])
    if flow.report.status == "submitted":
        return Outcome([Reply(say.EDIT_AFTER_SUBMIT), *(await flow.current_question())])
    try:
        values = read_answer(ctx.campaign, question, text)
    except Correction as correction:
        kept = say.EDIT_INVALID.format(
            row=row_name(question), value=row_text(question, flow.answers)
        )
        return Outcome([Reply(f"{kept} {correction.message}"), *(await flow.current_question())])
    return await change(flow, question, values)


async def change(flow: ReportFlow, question: Question, values: AnswerValues) -> Outcome:
    """Stores ``values`` in ``question``'s row unless they are already there; says which."""
    before = row_text(question, flow.answers)
    if _already(flow, values):
        repeat = _capital(say.ANSWER_ALREADY_RECORDED.format(row=row_name(question), value=before))
        return Outcome([Reply(repeat), *(await flow.current_question())])
    await _store(flow, question, values)
    after = row_text(question, flow.answers)
    notice = Reply(say.ANSWER_CHANGED.format(row=row_name(question), old=before, new=after))
    here = _standing_question(flow)
    if here is not None and not applies(here, flow.answers):
        # A yes/no changed to "no" under the person's feet: their row is no longer asked.
        return await flow.advance(here, [notice])
    return Outcome([notice, *(await flow.current_question())])


def row_name(question: Question) -> str:
    """How a row is named to the person: "mục 1.1", "mục 5", "lễ khai mạc"."""
    if question.kind is Kind.ITEM and question.item is not None:
        return say.ROW_ITEM.format(code=question.item.code)
    if question.kind is Kind.RUN and question.group is not None:
        return say.ROW_ITEM.format(code=question.group.number)
    if question.kind is Kind.NARRATIVE and question.narrative is not None:
        return say.ROW_NARRATIVE.format(label=question.narrative.label)
    return say.ROW_OPENING


def row_text(question: Question, answers: dict[str, int | str | None]) -> str:
    """The row's stored value as shown in a notice."""
    if question.kind is Kind.ITEM and question.item is not None:
        return row_value(question.item, answers)
    if question.kind is Kind.RUN and question.group is not None:
        run = answers.get(run_key(question.group))
        picked = answers.get(f"pick:{question.group.number}")
        if run == 1:
            return say.VALUE_RUN_SOME.format(rows=picked) if picked else say.VALUE_RUN_ALL
        return say.VALUE_NO if run == 0 else say.REVIEW_EMPTY
    if question.kind is Kind.NARRATIVE and question.narrative is not None:
        text = answers.get(question.key)
        return short(str(text), 120) if text else say.REVIEW_EMPTY
    held, day = answers.get("opening:held"), answers.get("opening:date")
    if held == 1 and isinstance(day, str):
        return say.VALUE_OPENING_ON.format(date="/".join(reversed(day.split("-")[1:])))
    return say.VALUE_OPENING_NONE if held == 0 else say.REVIEW_EMPTY


def _question_of(flow: ReportFlow, changes: list[AnswerChange]) -> Question | None:
    """The one question whose row these stored changes belong to, if they name one."""
    keys = {_question_key(change.key) for change in changes}
    if len(keys) != 1:
        return None
    return _question(flow, keys.pop())


def _question_key(answer_key: str) -> str:
    """The step of the question that stores ``answer_key``: "1.3:people" -> "item:1.3"."""
    kind, _, rest = answer_key.partition(":")
    if kind == "opening":
        return OPENING_KEY
    if kind == "pick":
        return f"run:{rest}"
    if kind in {"run", "narr"}:
        return answer_key
    return f"item:{kind}"


def _question(flow: ReportFlow, step: str | None) -> Question | None:
    """The question of the walk at ``step``; None for the menu, the review and the like."""
    return next((q for q in flow.questions if q.key == step), None)


def _standing_question(flow: ReportFlow) -> Question | None:
    return _question(flow, flow.ctx.conversation.step)


def _already(flow: ReportFlow, values: AnswerValues) -> bool:
    """True when every value is the one stored: a repeat."""
    return all(flow.answers.get(key) == value for key, value in values.values.items())


def _free_text(question: Question) -> bool:
    if question.kind is Kind.NARRATIVE:
        return True
    item = question.item
    return item is not None and any(m.kind is MeasureKind.TEXT for m in item.measures)


def _skips_all(question: Question, text: str) -> bool:
    return question.kind is Kind.NARRATIVE and (
        match_choice(text, (say.SKIP_ALL,), by_number=False) is not None
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
