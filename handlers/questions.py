"""Asking one question of the walk and reading the answer to it.

``ask`` renders a question as a reply; ``read_answer`` turns a typed answer into the values to
store, or raises ``Correction`` with the Vietnamese text that explains what to send instead.
Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeGuard

from bot.domain.campaign import Campaign
from bot.domain.chat import Choice, Reply
from bot.domain.form import Group, Item, Measure, MeasureKind
from bot.domain.numbers import (
    Ambiguous,
    NumberError,
    Reading,
    Slot,
    format_count,
    format_money,
    parse_count,
    parse_money,
    parse_pair,
)
from handlers import messages as say
from handlers.common import MAX_TEXT, clean_text, fold, match_choice
from handlers.walk import Kind, Question, answer_key

NAV_ACTIONS = (say.BACK, say.SKIP, say.REVIEW, say.CANCEL)

StoredValue = int | str | None


class Correction(Exception):
    """The answer cannot be stored; ``message`` tells the person what to send instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unclear(Correction):
    """The answer reads more than one way: ``reply`` asks which one was meant.

    ``pending`` is kept in the conversation's data (key ``READINGS_KEY``) until the next
    message; whoever catches a plain ``Correction`` shows ``message``, a correction that asks
    for an answer that reads one way only.
    """

    def __init__(self, message: str, reply: Reply, pending: dict[str, Any]) -> None:
        super().__init__(message)
        self.reply = reply
        self.pending = pending


READINGS_KEY = "readings"
# What a reading's button carries: its number and a tag of the readings it belongs to, so a
# button left from an earlier confirmation is never taken for one of today's readings.
_READING_KEY_RE = re.compile(r"^r(\d)-([0-9a-f]{8})$")


def choice_key(index: int, tag: str) -> str:
    """The key of a confirmation's ``index``-th choice (of readings, or of rows)."""
    return f"r{index}-{tag}"


def choice_tag(text: str) -> str | None:
    """The tag a confirmation's choice key carries, pressed or typed; None for any other text."""
    found = _READING_KEY_RE.match(text)
    return found.group(2) if found else None


def pending_tag(content: object) -> str:
    """The tag of a pending confirmation: 8 hex digits of the hash of what it offers."""
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class AnswerValues:
    """What an answer stores: answer keys with their values (None clears a value)."""

    values: dict[str, StoredValue]
    opening: date | None = None


def progress(campaign: Campaign, question: Question) -> str:
    group = question.group
    number = group.number if group else "?"
    return say.PROGRESS_GROUP.format(number=number, groups=len(campaign.form.groups))


def opening_choices(campaign: Campaign) -> tuple[Choice, ...]:
    day = campaign.opening_day.strftime("%d/%m")
    return (Choice("default", say.OPENING_DEFAULT.format(day=day)), say.OPENING_NONE)


def ask(campaign: Campaign, question: Question, photos: int = 0) -> Reply:
    """The message that asks ``question``."""
    if question.kind is Kind.OPENING:
        return Reply(say.ASK_OPENING, choices=opening_choices(campaign), actions=NAV_ACTIONS)
    if question.kind is Kind.RUN and question.group is not None:
        group = question.group
        text = say.ASK_RUN.format(
            progress=progress(campaign, question),
            label=group.row.label,
            question=group.ask or say.ASK_RUN_DEFAULT,
        )
        rows = group.asked_items
        if len(rows) > 1:
            listed = "\n".join(f"{item.code}. {item.label}" for item in rows)
            example = ", ".join(item.code for item in rows[:3:2])  # "1.1, 1.3"
            text += "\n" + say.ASK_RUN_PICK.format(rows=listed, example=example)
            rows_example = "; ".join(f"{item.code}: {_example(item)}" for item in rows[:3:2])
            text += "\n" + say.ASK_RUN_ROWS.format(example=rows_example)
        return Reply(text, choices=(say.ALL, say.NO), actions=NAV_ACTIONS)
    if question.kind is Kind.ITEM and question.item is not None:
        return Reply(_ask_item(campaign, question, question.item), actions=NAV_ACTIONS)
    if question.kind is Kind.PHOTOS:
        rule = campaign.evidence
        text = say.ASK_PHOTOS.format(
            min=rule.min_photos,
            max=rule.max_photos,
            have=photos,
            pdf=say.PDF_TOO if rule.accept_pdf else "",
        )
        choices = (say.DONE_PHOTOS,) if photos >= rule.min_photos else ()
        return Reply(text, choices=choices, actions=NAV_ACTIONS)
    if question.kind is Kind.NARRATIVE and question.narrative is not None:
        narratives = campaign.form.narrative
        position = next(i for i, n in enumerate(narratives, 1) if n == question.narrative)
        text = say.ASK_NARRATIVE.format(
            position=position, of=len(narratives), prompt=question.narrative.prompt
        )
        return Reply(text, actions=(*NAV_ACTIONS, say.SKIP_ALL))
    raise ValueError(f"cannot ask {question.key}")


def _example(item: Item) -> str:
    """A value that fits the row, for an example of several rows in one message."""
    if len(item.measures) == 2:
        return say.ROWS_EXAMPLE_PAIR
    money = item.measures[0].kind is MeasureKind.MONEY
    return say.ROWS_EXAMPLE_MONEY if money else say.ROWS_EXAMPLE_COUNT


def _ask_item(campaign: Campaign, question: Question, item: Item) -> str:
    base = {
        "progress": progress(campaign, question),
        "code": item.code,
        "label": item.label,
        "position": question.position,
        "of": question.of,
    }
    measures = item.measures
    if len(measures) == 2:
        return say.ASK_PAIR.format(**base, first=measures[0].label, second=measures[1].label)
    measure = measures[0]
    if measure.kind is MeasureKind.MONEY:
        return say.ASK_MONEY.format(**base)
    if measure.kind is MeasureKind.TEXT:
        return say.ASK_TEXT.format(**base)
    return say.ASK_COUNT.format(**base, measure=measure.label)


def read_answer(campaign: Campaign, question: Question, text: str) -> AnswerValues:
    """The values an answer stores; raises Correction when it cannot be read."""
    if question.kind is Kind.OPENING:
        return _read_opening(campaign, text)
    if question.kind is Kind.RUN and question.group is not None:
        return _read_run(question.group, text)
    if question.kind is Kind.ITEM and question.item is not None:
        return AnswerValues(_read_item(question.item, text))
    if question.kind is Kind.NARRATIVE and question.narrative is not None:
        return AnswerValues({f"narr:{question.narrative.key}": _read_text(text)})
    raise ValueError(f"{question.key} takes no typed answer")


def _read_run(group: Group, text: str) -> AnswerValues:
    """Yes, no, or the numbers of the rows the unit ran: "1.1, 1.7" or "1 7"."""
    run, pick = f"run:{group.number}", f"pick:{group.number}"
    choice = match_choice(text, (say.ALL, say.NO)) or _yes_no_word(text)
    if choice is not None:
        return AnswerValues({run: 0 if choice is say.NO else 1, pick: None})
    rows = [item.code for item in group.asked_items]
    chosen: list[str] = []
    for token in re.split(r"[,;\s]+", fold(text).strip(" .")):
        code = token if token in rows else f"{group.number}.{token}"
        if code not in rows:
            raise Correction(say.BAD_PICK.format(first=rows[0], last=rows[-1]))
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise Correction(say.BAD_PICK.format(first=rows[0], last=rows[-1]))
    ordered = [code for code in rows if code in chosen]
    return AnswerValues({run: 1, pick: None if len(ordered) == len(rows) else ",".join(ordered)})


def _yes_no_word(text: str) -> Choice | None:
    folded = fold(text)
    if folded in {"co", "yes", "y", "roi", "da to chuc", "co to chuc", "ok", "tat ca", "het"}:
        return say.ALL
    if folded in {"khong", "ko", "k", "no", "n", "chua", "khong to chuc", "0"}:
        return say.NO
    return None


def _read_item(item: Item, text: str) -> dict[str, StoredValue]:
    measures = item.measures
    if _READING_KEY_RE.match(text):
        raise Correction(say.STALE_BUTTON)
    try:
        if len(measures) == 2:
            first, second = parse_pair(text, _slot(measures[0]), _slot(measures[1]))
            return {
                answer_key(item.code, measures[0].key): first,
                answer_key(item.code, measures[1].key): second,
            }
        measure = measures[0]
        key = answer_key(item.code, measure.key)
        if measure.kind is MeasureKind.MONEY:
            return {key: parse_money(text, maximum=measure.maximum)}
        if measure.kind is MeasureKind.TEXT:
            return {key: _read_text(text)}
        return {key: parse_count(text, _slot(measure))}
    except Ambiguous as unclear:
        raise _unclear(item, text, unclear.readings) from None
    except NumberError as error:
        raise Correction(number_correction(item, error)) from None


def _slot(measure: Measure) -> Slot:
    return Slot(unit=measure.unit, maximum=measure.maximum)


def number_correction(item: Item, error: NumberError) -> str:
    """The catalogue's correction for a number refused at ``item``, its blanks filled."""
    measures = item.measures
    money = measures[0].kind is MeasureKind.MONEY
    if len(measures) == 2:
        example = say.NUMBER_EXAMPLE_PAIR
    else:
        example = say.NUMBER_EXAMPLE_MONEY if money else say.NUMBER_EXAMPLE_COUNT
    params: dict[str, object] = {
        "example": example,
        "measure": measures[0].label,
        "first": measures[0].label,
        "second": measures[-1].label,
        "units": ", ".join(say.NUMBER_UNIT.format(unit=m.unit) for m in measures if m.unit),
        **error.params,
    }
    maximum = error.params.get("maximum")
    if isinstance(maximum, int):
        params["maximum"] = format_money(maximum) if money else format_count(maximum)
    return say.NUMBER_CORRECTIONS[error.reason].format(**params)


def _unclear(item: Item, text: str, readings: tuple[Reading, ...]) -> Unclear:
    """The question that asks which reading of ``text`` was meant, and what to keep for it."""
    plain = [list(reading) for reading in readings]
    tag = pending_tag([item.code, plain])
    pending = {"item": item.code, "tag": tag, "readings": plain}
    question = say.CONFIRM_READING.format(text=" ".join(text.split()), count=len(readings))
    reply = Reply(question, choices=_reading_choices(item, pending), actions=NAV_ACTIONS)
    message = number_correction(item, NumberError("ambiguous"))
    return Unclear(message, reply, pending)


def _reading_choices(item: Item, pending: dict[str, Any]) -> tuple[Choice, ...]:
    first, second = item.measures
    choices = []
    for index, reading in enumerate(pending["readings"], 1):
        if len(reading) == 2:
            label = say.READING_PAIR.format(
                first=format_count(reading[0]),
                first_unit=first.unit,
                second=format_count(reading[1]),
                second_unit=second.unit,
            )
        else:
            label = say.READING_LONE.format(number=format_count(reading[0]))
        choices.append(Choice(choice_key(index, pending["tag"]), label))
    return tuple(choices)


def read_reading(question: Question, pending: object, text: str) -> AnswerValues | None:
    """The values of the reading ``text`` picks among ``pending``; None when it picks none.

    Raises Correction when the reading picked is a lone number (both numbers are needed).
    """
    item = question.item
    if item is None or len(item.measures) != 2 or not _is_pending(pending, item):
        return None
    choice = match_choice(text, _reading_choices(item, pending))
    if choice is None:
        return None
    reading = pending["readings"][int(choice.key[1]) - 1]
    if len(reading) != 2:
        example = say.READING_LONE_EXAMPLE.format(number=format_count(reading[0]))
        error = NumberError("pair_need_both", example=example)
        raise Correction(number_correction(item, error))
    first, second = item.measures
    return AnswerValues(
        {
            answer_key(item.code, first.key): reading[0],
            answer_key(item.code, second.key): reading[1],
        }
    )


def _is_pending(pending: object, item: Item) -> TypeGuard[dict[str, Any]]:
    """Tells whether data kept in the conversation is readings of this row, well formed."""
    if not isinstance(pending, dict) or pending.get("item") != item.code:
        return False
    readings, tag = pending.get("readings"), pending.get("tag")
    return (
        isinstance(tag, str)
        and bool(re.fullmatch(r"[0-9a-f]{8}", tag))
        and isinstance(readings, list)
        and 1 < len(readings) <= 9
        and all(
            isinstance(r, list)
            and len(r) in {1, 2}
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in r)
            for r in readings
        )
    )


def _read_text(text: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise Correction(say.TEXT_EMPTY)
    if len(cleaned) > MAX_TEXT:
        raise Correction(say.TEXT_TOO_LONG.format(limit=MAX_TEXT, length=len(cleaned)))
    return cleaned


_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?$")


def _read_opening(campaign: Campaign, text: str) -> AnswerValues:
    choices = opening_choices(campaign)
    choice = match_choice(text, choices)
    folded = fold(text)
    if choice is None and folded in {"co", "yes", "roi", "da to chuc", "co to chuc"}:
        choice = choices[0]
    if choice is None and folded in {"khong", "ko", "chua", "no", "khong to chuc", "chua to chuc"}:
        choice = choices[1]
    if choice is not None and choice.key == "default":
        return _opening_on(campaign.opening_day)
    if choice is not None:
        return AnswerValues({"opening:held": 0, "opening:date": None}, opening=None)
    day = _parse_day(campaign, folded.removeprefix("co").removeprefix(",").strip())
    first, last = _opening_window(campaign)
    if day is None or not first <= day <= last:
        raise Correction(
            say.BAD_DATE.format(first=first.strftime("%d/%m"), last=last.strftime("%d/%m/%Y"))
        )
    return _opening_on(day)


def _opening_on(day: date) -> AnswerValues:
    return AnswerValues({"opening:held": 1, "opening:date": day.isoformat()}, opening=day)


def _parse_day(campaign: Campaign, text: str) -> date | None:
    text = text.removeprefix("ngay").strip()
    found = _DATE.match(text)
    if not found or not text.isascii():
        return None
    day, month, year = found.group(1), found.group(2), found.group(3)
    full_year = campaign.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        return None


def _opening_window(campaign: Campaign) -> tuple[date, date]:
    """The days an opening ceremony can plausibly have been held on."""
    return campaign.week_start - timedelta(days=30), campaign.week_end + timedelta(days=30)
