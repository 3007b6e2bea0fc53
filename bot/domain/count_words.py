"""Counts read by their words: which number fills which slot of a row, and in how many ways.

The answer is cut into runs of digit groups, words and separators. A word may only be a unit
the row counts in (``Slot.unit``, split at "/" and ",", and its known synonyms), a joining
word ("và") or a word for none standing as a whole side ("không/120"); so ``12abc`` and
``12O`` are refused and ``120 người 3 lớp`` fills the people and the classes whatever their
order. Units stand after their numbers ("3 lớp") or, all through the answer, before them
("lớp: 3"). A single space between digit groups is a thousands separator or the gap between
two numbers: every way of cutting each run is tried, and ``read`` returns every reading that
fits the row, complete ones first, for the caller to take or to have confirmed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

from bot.domain.number_text import (
    DIGITS,
    LETTER_FOR_DIGIT,
    LETTERS,
    MAGNITUDE_WORDS,
    NEGATIVE,
    NOT_A_COUNT,
    ONE_NUMBER,
    PAIR_HYPHEN,
    PAIR_SAME_UNIT,
    PAIR_UNCLEAR,
    SPACES,
    SPELL_OUT,
    TOO_LARGE,
    UNKNOWN_WORD,
    WHOLE_NUMBER,
    ZERO_WORDS,
    NumberError,
    Reading,
    Slot,
    fold,
    grouped_integer,
    to_int,
)

# More digit groups than this in one answer are refused before any reading is tried.
MAX_GROUPS: Final = 8
# More readings than this are not offered as choices: the answer is refused instead.
MAX_READINGS: Final = 3

# Words joining two numbers ("3 lớp và 120 người", "có 3 lớp").
_CONNECTORS: Final = frozenset({"va", "co", "gom", "voi"})
# Letters a phone keyboard puts where a digit was meant: "12O", "l20".
_DIGIT_LOOKALIKES: Final = frozenset("oOlIi")
# Other words a teacher uses for the unit of a form, keyed by the unit as the form spells it
# (folded). A unit of the form is always accepted as spelled; these are accepted beside it.
_UNIT_SYNONYMS: Final[dict[str, frozenset[str]]] = {
    "lop": frozenset({"lop hoc"}),
    "nguoi": frozenset(
        {
            "ng",
            "luot",
            "luot nguoi",
            "nguoi tham gia",
            "nguoi hoc",
            "hoc sinh",
            "hs",
            "hoc vien",
            "giao vien",
            "gv",
            "can bo",
        }
    ),
    "cuoc": frozenset({"cuoc thi", "hoi thi", "buoi", "lan", "hoat dong"}),
    "tin": frozenset({"tin bai", "ban tin"}),
    "bai": frozenset({"bai viet"}),
    "quyen": frozenset({"cuon", "ban", "quyen sach", "cuon sach"}),
    "to": frozenset({"to roi", "ban", "tam"}),
    "tap the": frozenset({"don vi"}),
    "ca nhan": frozenset({"nguoi"}),
    "don vi": frozenset({"tap the"}),
    "truong": frozenset({"co so"}),
}
_DASHES: Final = "-−–—"
_TOKEN_RE: Final = re.compile(
    rf"(?P<digits>[0-9]+(?:[.,][0-9]+)*)"
    rf"|(?P<space>[{SPACES}])"
    rf"|(?P<blank>\s)"
    rf"|(?P<word>{LETTERS})"
    rf"|(?P<slash>/)"
    rf"|(?P<list>[,;:])"
    rf"|(?P<dash>[{_DASHES}])"
    rf"|(?P<other>.)",
    re.DOTALL,
)


def unit_words(unit: str) -> frozenset[str]:
    """The folded words accepted after a number counted in ``unit``: "lớp" -> {"lop", ...}."""
    pieces = [" ".join(fold(piece).split()) for piece in re.split(r"[/,]", unit)]
    words = {" ".join(fold(unit).replace("/", " ").replace(",", " ").split())}
    for piece in pieces:
        if piece:
            words.add(piece)
            words |= _UNIT_SYNONYMS.get(piece, frozenset())
    return frozenset(word for word in words if word)


@dataclass
class _Run:
    """Digit groups joined by single spaces: "1 200" is one number or two, "1.200" is one."""

    chunks: list[str]
    slot: int | None = None  # the slot its unit word names
    has_unit: bool = False
    word: str = ""  # the word for "none" it was written as ("không/120"), if any


@dataclass(frozen=True, slots=True)
class _Unit:
    """A unit word, with the slot it names (None when it names more than one)."""

    text: str
    slot: int | None


_SEPARATOR: Final = "separator"  # "/", ",", ";" or ":" between numbers
_CONNECTOR: Final = "connector"  # "và", "có": read as nothing
_Element = _Run | _Unit | str


def read(text: str, slots: tuple[Slot, ...]) -> tuple[Reading, ...]:
    """Every reading of ``text`` for a row of ``slots``, complete first; NumberError if none."""
    if not any(char in DIGITS for char in text):
        raise NumberError(NOT_A_COUNT)
    elements = [e for e in _elements(text, slots) if e != _CONNECTOR]
    _check_separators(elements, len(slots))
    _check_zero_words(elements)
    prefix = _bind_units(elements)
    runs = [element for element in elements if isinstance(element, _Run)]
    if sum(len(run.chunks) for run in runs) > MAX_GROUPS:
        raise NumberError(PAIR_UNCLEAR if len(slots) == 2 else ONE_NUMBER)
    readings: list[Reading] = []
    errors: list[NumberError] = []
    for combination in itertools.product(*(_splits(run, prefix) for run in runs)):
        try:
            reading = _assign([number for split in combination for number in split], slots)
        except NumberError as error:
            errors.append(error)
            continue
        if reading not in readings:
            readings.append(reading)
    if not readings:
        raise errors[0] if errors else NumberError(NOT_A_COUNT)
    ordered = sorted(readings, key=lambda reading: len(reading) != len(slots))
    if len(ordered) > MAX_READINGS:
        raise NumberError(PAIR_UNCLEAR)
    return tuple(ordered)


def _elements(text: str, slots: tuple[Slot, ...]) -> list[_Element]:
    """Cuts the answer into runs of digit groups, unit words, connectors and separators."""
    vocabulary = [unit_words(slot.unit) for slot in slots]
    tokens = [(match.lastgroup or "other", match.group()) for match in _TOKEN_RE.finditer(text)]
    elements: list[_Element] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        before = tokens[index - 1][0] if index else ""
        if kind == "digits":
            joins = before == "space" and index >= 2 and tokens[index - 2][0] == "digits"
            if joins and isinstance(elements[-1], _Run):
                elements[-1].chunks.append(value)
            else:
                elements.append(_Run([value]))
        elif kind == "word":
            end = _phrase_end(tokens, index)
            words = [value for kind, value in tokens[index:end] if kind == "word"]
            glued = before == "digits" or (end < len(tokens) and tokens[end][0] == "digits")
            after_number = bool(elements) and isinstance(elements[-1], _Run)
            elements.extend(_words(words, vocabulary, glued=glued, after_number=after_number))
            index = end
            continue
        elif kind in {"slash", "list"}:
            if kind == "slash" and len(slots) == 1:
                raise NumberError(ONE_NUMBER)
            if value == ":" and elements and isinstance(elements[-1], _Unit):
                pass  # "lớp: 3" names the number that follows
            else:
                elements.append(_SEPARATOR if kind == "list" else "/")
        elif kind == "dash":
            _refuse_dash(tokens, index, two_slots=len(slots) == 2)
        elif kind == "other":
            raise NumberError(NOT_A_COUNT)
        index += 1
    return elements


def _phrase_end(tokens: list[tuple[str, str]], start: int) -> int:
    """The end of the words from ``start`` that form one phrase: "lượt người", "tin, bài"."""
    end = start + 1
    while end < len(tokens):
        look = end
        while look < len(tokens) and tokens[look][0] in {"space", "blank"}:
            look += 1
        if look < len(tokens) and tokens[look][1] in {",", "/"}:
            look += 1
            while look < len(tokens) and tokens[look][0] in {"space", "blank"}:
                look += 1
        if look < len(tokens) and tokens[look][0] == "word" and look > end:
            end = look + 1
            continue
        break
    return end


def _words(
    words: list[str], vocabulary: list[frozenset[str]], *, glued: bool, after_number: bool
) -> list[_Element]:
    """Reads a phrase word by word, longest known phrase first: units, connectors, zeros."""
    folded = [fold(word) for word in words]
    if after_number and folded[0] in MAGNITUDE_WORDS:
        raise NumberError(SPELL_OUT)  # "5k", "5 nghìn": the digits are asked for
    elements: list[_Element] = []
    position = 0
    while position < len(words):
        for length in range(min(4, len(words) - position), 0, -1):
            phrase = " ".join(folded[position : position + length])
            element = _known(phrase, " ".join(words[position : position + length]), vocabulary)
            if element is not None:
                elements.append(element)
                position += length
                break
        else:
            word = words[position]
            if glued and len(words) == 1 and set(word) <= _DIGIT_LOOKALIKES and len(word) <= 2:
                raise NumberError(LETTER_FOR_DIGIT, letter=word)
            if folded[position] in MAGNITUDE_WORDS:
                raise NumberError(SPELL_OUT)
            raise NumberError(UNKNOWN_WORD, word=word)
    return elements


def _known(phrase: str, typed: str, vocabulary: list[frozenset[str]]) -> _Element | None:
    named = [slot for slot, words in enumerate(vocabulary) if phrase in words]
    if named:
        return _Unit(typed, named[0] if len(named) == 1 else None)
    if phrase in _CONNECTORS:
        return _CONNECTOR
    if phrase in ZERO_WORDS:
        return _Run(["0"], word=typed)
    return None


def _refuse_dash(tokens: list[tuple[str, str]], index: int, *, two_slots: bool) -> None:
    """A dash before digits is a minus sign, or between two numbers a pair's joint."""
    look = index + 1
    while look < len(tokens) and tokens[look][0] in {"space", "blank"}:
        look += 1
    if look == len(tokens) or tokens[look][0] != "digits":
        raise NumberError(NOT_A_COUNT)
    back = index - 1
    while back >= 0 and tokens[back][0] in {"space", "blank"}:
        back -= 1
    if back >= 0 and tokens[back][0] in {"digits", "word"}:
        raise NumberError(PAIR_HYPHEN if two_slots else NOT_A_COUNT)
    raise NumberError(NEGATIVE)


def _check_separators(elements: list[_Element], slots: int) -> None:
    """Refuses doubled separators ("3//120", "3 lớp,,") and more than one slash."""
    if sum(1 for element in elements if element == "/") > 1:
        raise NumberError(PAIR_UNCLEAR if slots == 2 else ONE_NUMBER)
    for left, right in itertools.pairwise(elements):
        if isinstance(left, str) and isinstance(right, str):
            raise NumberError(PAIR_UNCLEAR if slots == 2 else NOT_A_COUNT)


def _check_zero_words(elements: list[_Element]) -> None:
    """A word for "none" is a whole side of the answer ("không/120"), never a stray "k"."""
    for position, element in enumerate(elements):
        if not isinstance(element, _Run) or not element.word:
            continue
        before = elements[position - 1] if position else _SEPARATOR
        after = elements[position + 1] if position + 1 < len(elements) else _SEPARATOR
        if not isinstance(before, str) or isinstance(after, _Run):
            raise NumberError(UNKNOWN_WORD, word=element.word)


def _bind_units(elements: list[_Element]) -> bool:
    """Ties each unit word to its number: after it ("3 lớp") or, all through, before ("lớp 3").

    Returns True when units come before their numbers.
    """
    prefix = bool(elements) and isinstance(elements[0], _Unit)
    for position, element in enumerate(elements):
        if not isinstance(element, _Unit):
            continue
        at = position + 1 if prefix else position - 1
        neighbour = elements[at] if 0 <= at < len(elements) else None
        if not isinstance(neighbour, _Run) or neighbour.has_unit:
            raise NumberError(UNKNOWN_WORD, word=element.text)
        neighbour.has_unit = True
        neighbour.slot = element.slot
    return prefix


def _splits(run: _Run, prefix: bool) -> list[list[tuple[int, int | None]]]:
    """Every way to cut a run into numbers, each as (value, the slot its unit word names)."""
    for chunk in run.chunks:
        grouped_integer(chunk, WHOLE_NUMBER)  # a bad group is bad in every reading
    ways: list[list[tuple[int, int | None]]] = []
    for cuts in itertools.product((False, True), repeat=len(run.chunks) - 1):
        parts: list[list[str]] = [[run.chunks[0]]]
        for cut, chunk in zip(cuts, run.chunks[1:], strict=True):
            if cut:
                parts.append([chunk])
            else:
                parts[-1].append(chunk)
        values = [_spaced_integer(part) for part in parts]
        numbers: list[tuple[int, int | None]] = [(v, None) for v in values if v is not None]
        if len(numbers) != len(parts):
            continue
        if run.has_unit:
            at = 0 if prefix else -1
            numbers[at] = (numbers[at][0], run.slot)
        ways.append(numbers)
    return ways


def _spaced_integer(chunks: list[str]) -> int | None:
    """Reads groups joined by spaces as one number ("1 200"), or None when they cannot be."""
    if len(chunks) == 1:
        return grouped_integer(chunks[0], WHOLE_NUMBER)
    first, rest = chunks[0], chunks[1:]
    if not first.isdigit() or len(first) > 3 or first.startswith("0"):
        return None
    if any(len(chunk) != 3 or not chunk.isdigit() for chunk in rest):
        return None
    return to_int(first + "".join(rest))


def _assign(numbers: list[tuple[int, int | None]], slots: tuple[Slot, ...]) -> Reading:
    """Puts the numbers of one reading in their slots, by unit word, else in typed order."""
    if not numbers:
        raise NumberError(NOT_A_COUNT)
    if len(slots) == 1:
        if len(numbers) > 1:
            raise NumberError(ONE_NUMBER)
        return (_within(numbers[0][0], slots[0]),)
    if len(numbers) == 1:
        value, slot = numbers[0]
        if slot is not None:
            return (_within(value, slots[slot]),)
        return (_within(value, max(slots, key=lambda s: s.maximum)),)
    if len(numbers) > 2:
        raise NumberError(PAIR_UNCLEAR)
    (a, slot_a), (b, slot_b) = numbers
    if slot_a is not None and slot_a == slot_b:
        raise NumberError(PAIR_SAME_UNIT)
    if slot_a == 1 or slot_b == 0:
        a, b = b, a
    return (_within(a, slots[0]), _within(b, slots[1]))


def _within(value: int, slot: Slot) -> int:
    if value > slot.maximum:
        raise NumberError(TOO_LARGE, maximum=slot.maximum)
    return value
