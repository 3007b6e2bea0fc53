"""Several rows of a group in one message: "1.1: 3/120; 1.2: 2/80", or "có, 1.1: 3/120".

A teacher who has the numbers at hand should not need one message per row. At any question of
a group of several rows (its yes/no or one of its rows) a message that starts with a row number
and a colon (``1.1:``, ``mục 1.1:``, ``1.1 =``) is read as rows: each row number starts the
next row, so rows may be separated by new lines, by ";" or by spaces. Each row's value goes
through the same reading as an answer to that row alone (``questions.read_answer``). The
message is read as a whole or not at all: a row outside the group, a row named twice, or a
value that is wrong or reads two ways refuses the whole message with a correction naming the
row, and nothing of it is stored, so nothing is ever half-applied.

At the group's yes/no the rows named are the rows the unit ran (a "có" before them is
optional): the group is filed in one message. At one of its rows they are stored as they are,
and a row the unit had not picked is added to the rows it ran.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.domain.chat import Reply
from bot.domain.totals import rows_run
from handlers import messages as say
from handlers.common import Outcome
from handlers.questions import Correction, read_answer
from handlers.walk import Kind, Question, next_after, run_key

if TYPE_CHECKING:
    from handlers.report import ReportFlow

# A row number then ":" or "=", at the start or after a separator: "1.1:", "mục 1.10 =".
_LABEL = re.compile(
    r"(?:^|(?<=[\s;,]))(?:m[uụ]c\s*)?(\d{1,3}(?:\.\d{1,3})?)\s*[:=]", re.IGNORECASE
)
# "có", "có, tất cả" before the rows at a group's yes/no.
_YES = re.compile(
    r"^(?:có|co|yes|rồi|roi)(?:\s*,?\s*(?:tất cả|tat ca))?(?=[\s,:;.]|$)[\s,:;.]*", re.IGNORECASE
)

StoredValue = int | str | None


def split_rows(text: str) -> list[tuple[str, str]] | None:
    """The (row number, value) pairs of a message that starts with a row label; else None."""
    text = text.strip()
    labels = list(_LABEL.finditer(text))
    if not labels or labels[0].start() != 0:
        return None
    rows: list[tuple[str, str]] = []
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        rows.append((label.group(1), text[label.end() : end].strip().strip(";,").strip()))
    return rows


async def answer_rows(flow: ReportFlow, question: Question, text: str) -> Outcome | None:
    """Stores several rows of ``question``'s group sent in one message; None when it is not."""
    group = question.group
    if group is None or question.kind not in {Kind.RUN, Kind.ITEM} or len(group.asked_items) < 2:
        return None  # a group of one row (free text at row 11 too) has nothing to batch
    body = _YES.sub("", text.strip(), count=1) if question.kind is Kind.RUN else text
    rows = split_rows(body)
    if rows is None:
        return None
    asked = {item.code: item for item in group.asked_items}
    values: dict[str, StoredValue] = {}
    named: list[str] = []
    for code, typed in rows:
        if code not in asked:
            codes = list(asked)
            refusal = say.ROWS_NOT_IN_GROUP.format(
                code=code, group=group.number, first=codes[0], last=codes[-1]
            )
            return Outcome([Reply(refusal), await flow.ask(question)])
        if code in named:
            return Outcome([Reply(say.ROWS_TWICE.format(code=code)), await flow.ask(question)])
        row_question = next(q for q in flow.questions if q.key == f"item:{code}")
        try:
            read = read_answer(flow.ctx.campaign, row_question, typed)
        except Correction as correction:  # an unclear reading too: asked as a whole again
            refusal = say.ROWS_REFUSED.format(code=code, correction=correction.message)
            return Outcome([Reply(refusal), await flow.ask(question)])
        named.append(code)
        values |= read.values
    order = [code for code in asked if code in named]
    if question.kind is Kind.RUN:
        values[run_key(group)] = 1
        values[f"pick:{group.number}"] = None if len(order) == len(asked) else ",".join(order)
        saved = say.ROWS_SAVED.format(count=len(order), rows=", ".join(order))
        if len(order) < len(asked):
            saved += say.ROWS_OTHERS_NOT_RUN.format(group=group.number)
    else:
        ran = rows_run(group, flow.answers)
        if any(code not in ran for code in order):  # naming a row with numbers says it ran
            wider = [code for code in asked if code in ran or code in named]
            values[f"pick:{group.number}"] = None if len(wider) == len(asked) else ",".join(wider)
        saved = say.ROWS_SAVED.format(count=len(order), rows=", ".join(order))
    for key, value in values.items():
        await flow.store(key, value)
    notice = [Reply(saved)]
    if (
        question.kind is Kind.ITEM
        and question.item is not None
        and question.item.code not in named
    ):
        return Outcome([*notice, await flow.ask(question)])  # the row asked is still to answer
    last = question
    while (following := next_after(flow.questions, last.key, flow.answers)) is not None:
        if following.item is None or following.item.code not in named:
            break
        last = following  # filled by this message: not asked again
    return await flow.advance(last, notice)
