"""What a unit's report still lacks, said in a reminder: "còn thiếu: 2 ảnh minh chứng, mục 5".

The rule is the review's (``handlers/review.py``), from the walk's own ``unanswered``: the count
and yes/no questions that apply and have no answer, leaving out the opening and the nominations
(optional there too), plus the photos short of the campaign's minimum. Pure: the form, the
answers and a photo count in, so the calendar can say it for a thousand units from one query.

A group is named once ("mục 5") when its yes/no is unanswered or none of its rows has an
answer; otherwise its unanswered rows are ("mục 5.2").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.form import Form
from handlers import messages as say
from handlers.walk import Kind, Question, plan, rows_run_by_group, unanswered

Answers = Mapping[str, int | str | None]
_OPTIONAL = {Kind.OPENING, Kind.NOMINATIONS}


@dataclass(frozen=True, slots=True)
class StillMissing:
    """The parts of a report still to fill in, in the form's order."""

    photos: int  # photos short of the minimum
    sections: tuple[str, ...]  # group numbers ("5") and row codes ("9.2")
    started: bool  # anything answered at all

    @property
    def complete(self) -> bool:
        """Nothing left but to send it."""
        return not self.photos and not self.sections


def still_missing(form: Form, answers: Answers, photos: int, min_photos: int) -> StillMissing:
    """What the report lacks before it can be sent (see the module docstring)."""
    questions = plan(form)  # worked out once per form
    rows = rows_run_by_group(questions, answers)  # by group (its id): its rows that apply
    missing = [q for q in unanswered(questions, answers, rows) if q.kind not in _OPTIONAL]
    unanswered_codes = {q.item.code for q in missing if q.item is not None}
    sections: list[str] = []
    for question in missing:
        code = _section(question, rows, unanswered_codes)
        if code not in sections:
            sections.append(code)
    return StillMissing(
        photos=max(0, min_photos - photos),
        sections=tuple(sections),
        started=bool(answers) or photos > 0,
    )


def _section(
    question: Question, rows: Mapping[int, frozenset[str]], unanswered_codes: set[str]
) -> str:
    """The group's number when the whole group is to do, else the row's code."""
    group = question.group
    if group is None:
        return question.key
    if question.kind is Kind.RUN:
        return group.number
    applying = rows.get(id(group), frozenset())
    if len(applying) > 1 and applying <= unanswered_codes:
        return group.number
    return question.item.code if question.item is not None else group.number


def describe(missing: StillMissing) -> str:
    """ "còn thiếu: 2 ảnh minh chứng, mục 5, mục 9.2", or that only sending is left."""
    if missing.complete:
        return say.MISSING_ONLY_SEND
    if not missing.started:
        return say.MISSING_NOT_STARTED
    parts = [say.MISSING_PHOTOS.format(count=missing.photos)] if missing.photos else []
    parts += [say.MISSING_SECTION.format(code=code) for code in missing.sections]
    return say.MISSING_LINE.format(parts=", ".join(parts))
