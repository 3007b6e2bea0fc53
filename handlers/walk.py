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


def plan(form: Form) -> tuple[Question, ...]:
    """Every question of the walk in order, whether or not it applies to this report."""
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


def unanswered(
    questions: tuple[Question, ...], answers: Mapping[str, int | str | None]
) -> list[Question]:
    """The applying count and yes/no questions with no answer yet (text is optional), and the
    nominations until the unit said it has no more (optional: they never block submitting)."""
    missing: list[Question] = []
    for question in questions:
        if not applies(question, answers):
            continue
        if question.kind is Kind.RUN:
            answered = question.key in answers
        elif question.kind is Kind.OPENING:
            answered = "opening:held" in answers
        elif question.kind is Kind.NOMINATIONS:
            answered = NOMINATIONS_DONE_KEY in answers
        elif question.kind is Kind.ITEM and question.item is not None:
            answered = all(
                answer_key(question.item.code, m.key) in answers
                for m in question.item.measures
                if m.kind != "text"
            )
        else:
            answered = True
        if not answered:
            missing.append(question)
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
