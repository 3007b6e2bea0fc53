"""The report walk as an ordered list of questions, derived from the form.

The walk is: the opening ceremony, then each group (a yes/no "did your unit run this?" before
groups with several rows, then each asked row), then the evidence photos, then the outline's
narrative questions, then the commendation nominations (seed 003), then the review. Which
questions apply is derived from the answers so far (a "no" skips the group's rows, and a
group's question also lets the unit pick which of its rows it ran), so the conversation only
stores where the person stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.form import Form, Group, Item, NarrativeQuestion
from bot.domain.totals import rows_run


class Kind(StrEnum):
    OPENING = "opening"
    RUN = "run"
    ITEM = "item"
    PHOTOS = "photos"
    NARRATIVE = "narrative"
    NOMINATIONS = "nominations"


@dataclass(frozen=True, slots=True)
class Question:
    """One stop of the walk."""

    key: str  # the conversation step: "opening", "run:5", "item:5.3", "photos", "narr:results"
    kind: Kind
    group: Group | None = None
    item: Item | None = None
    narrative: NarrativeQuestion | None = None
    position: int = 0  # 1-based place among the group's asked rows
    of: int = 0  # how many asked rows the group has


OPENING_KEY = "opening"
PHOTOS_KEY = "photos"
NOMINATIONS_KEY = "nominations"
# Stored once the unit said it has no more nominations: the optional step is not asked again.
NOMINATIONS_DONE_KEY = "nominations:done"
REVIEW_STEP = "review"


def run_key(group: Group) -> str:
    return f"run:{group.number}"


def answer_key(item_code: str, measure: str) -> str:
    """The stored key of one measure of one row: "1.3:people"."""
    return f"{item_code}:{measure}"


# The walk of each form seen, by its id (the form kept, so the id is not reused): it depends
# on the form only, and is asked for every message and every report a reminder describes.
_PLANS: dict[int, tuple[Form, tuple[Question, ...]]] = {}


def plan(form: Form) -> tuple[Question, ...]:
    """Every question of the walk in order, whether or not it applies to this report."""
    known = _PLANS.get(id(form))
    if known is not None and known[0] is form:
        return known[1]
    questions = _plan(form)
    if len(_PLANS) >= 64:  # a handful of forms in a process; never a leak
        _PLANS.clear()
    _PLANS[id(form)] = (form, questions)
    return questions


def _plan(form: Form) -> tuple[Question, ...]:
    questions: list[Question] = [Question(OPENING_KEY, Kind.OPENING)]
    for group in form.groups:
        asked = group.asked_items
        if not asked:
            continue
        if group.ask_if_run:
            questions.append(Question(run_key(group), Kind.RUN, group=group))
        for position, item in enumerate(asked, start=1):
            questions.append(
                Question(
                    f"item:{item.code}",
                    Kind.ITEM,
                    group=group,
                    item=item,
                    position=position,
                    of=len(asked),
                )
            )
    questions.append(Question(PHOTOS_KEY, Kind.PHOTOS))
    questions.extend(
        Question(f"narr:{n.key}", Kind.NARRATIVE, narrative=n) for n in form.narrative
    )
    questions.append(Question(NOMINATIONS_KEY, Kind.NOMINATIONS))
    return tuple(questions)


def applies(question: Question, answers: Mapping[str, int | str | None]) -> bool:
    """True unless the group's rows are skipped by a "no" (or an unanswered yes/no)."""
    if question.kind is not Kind.ITEM or question.group is None:
        return True
    return question.item is not None and question.item.code in rows_run(question.group, answers)


def find(questions: tuple[Question, ...], key: str) -> int:
    """The index of the question with this key; ValueError when the form has no such step."""
    for index, question in enumerate(questions):
        if question.key == key:
            return index
    raise ValueError(f"no question {key!r} in this form")


def next_after(
    questions: tuple[Question, ...], key: str, answers: Mapping[str, int | str | None]
) -> Question | None:
    """The next question that applies after ``key``; None when the walk is over."""
    for question in questions[find(questions, key) + 1 :]:
        if applies(question, answers):
            return question
    return None


def previous_before(
    questions: tuple[Question, ...], key: str, answers: Mapping[str, int | str | None]
) -> Question | None:
    """The question that applies before ``key``; None at the first question."""
    for question in reversed(questions[: find(questions, key)]):
        if applies(question, answers):
            return question
    return None


@dataclass(frozen=True, slots=True)
class _Shape:
    """What ``unanswered`` needs of a walk that depends on the form only, worked out once."""

    groups: tuple[Group, ...]  # the groups with asked rows, in order
    required: tuple[tuple[str, ...], ...]  # by question: the answer keys it needs


_SHAPES: dict[int, tuple[tuple[Question, ...], _Shape]] = {}


def _shape(questions: tuple[Question, ...]) -> _Shape:
    known = _SHAPES.get(id(questions))
    if known is not None and known[0] is questions:
        return known[1]
    groups: dict[int, Group] = {}
    required: list[tuple[str, ...]] = []
    for question in questions:
        keys: tuple[str, ...] = ()
        if question.kind is Kind.RUN:
            keys = (question.key,)
        elif question.kind is Kind.OPENING:
            keys = ("opening:held",)
        elif question.kind is Kind.NOMINATIONS:
            keys = (NOMINATIONS_DONE_KEY,)
        elif question.kind is Kind.ITEM and question.item is not None:
            item = question.item
            keys = tuple(answer_key(item.code, m.key) for m in item.measures if m.kind != "text")
            if question.group is not None:
                groups.setdefault(id(question.group), question.group)
        required.append(keys)
    shape = _Shape(tuple(groups.values()), tuple(required))
    if len(_SHAPES) >= 64:
        _SHAPES.clear()
    _SHAPES[id(questions)] = (questions, shape)
    return shape


def rows_run_by_group(
    questions: tuple[Question, ...], answers: Mapping[str, int | str | None]
) -> dict[int, frozenset[str]]:
    """The codes of the rows each group (by ``id``) ran, for the groups the walk asks rows of:
    what ``applies`` works out, once per group instead of once per row."""
    return {id(group): frozenset(rows_run(group, answers)) for group in _shape(questions).groups}


def unanswered(
    questions: tuple[Question, ...],
    answers: Mapping[str, int | str | None],
    ran: Mapping[int, frozenset[str]] | None = None,
) -> list[Question]:
    """The applying count and yes/no questions with no answer yet (text is optional), and the
    nominations until the unit said it has no more (optional: they never block submitting).

    ``ran``: ``rows_run_by_group`` of these answers, when the caller worked it out already.
    """
    shape = _shape(questions)
    if ran is None:
        ran = rows_run_by_group(questions, answers)
    missing: list[Question] = []
    for question, keys in zip(questions, shape.required, strict=True):
        group = question.group
        if question.kind is Kind.ITEM and group is not None:
            item = question.item
            if item is None or item.code not in ran.get(id(group), ()):
                continue  # does not apply (see ``applies``)
        for key in keys:
            if key not in answers:
                missing.append(question)
                break
    return missing


def has_stored_value(question: Question, answers: Mapping[str, int | str | None]) -> bool:
    """True when the question's row already holds a value (it is being asked again)."""
    if question.kind is Kind.OPENING:
        return answers.get("opening:held") is not None
    if question.kind is Kind.RUN:
        return answers.get(question.key) is not None
    if question.kind is Kind.ITEM and question.item is not None:
        item = question.item
        return any(answers.get(answer_key(item.code, m.key)) is not None for m in item.measures)
    if question.kind is Kind.NARRATIVE:
        return bool(answers.get(question.key))
    return False
