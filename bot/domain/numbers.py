"""Reading and writing the numbers a teacher types: counts, count pairs and sums of money.

Every answer is first checked as text: a length cap, no hidden control or bidi characters, and
only the ASCII digits 0–9 (a full-width ``１２`` or Arabic-Indic ``١٢`` is refused rather than
silently folded by NFKC, which ``int()`` would also accept). Counts are then read by their
words: the answer is cut into digit groups, separators and words; a word may only be a unit
the row counts in (``Slot.unit`` and its known synonyms), so ``12abc`` or ``12O`` is refused
and ``120 người 3 lớp`` fills the people and the classes whatever their order. A space between
digit groups may be a thousands separator or a gap between two numbers: every way of reading
it is tried, and an answer that reads more than one way raises ``Ambiguous`` with its readings
for the teacher to choose from; nothing is guessed. Raw text never reaches ``int()``. Errors
carry a reason code and parameters only: the words the teacher sees live in the handlers'
catalogue, since the domain imports nothing but the standard library.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Reason codes of NumberError; handlers/messages.py has one correction text per code.
EMPTY: Final = "empty"
TOO_LONG: Final = "too_long"
HIDDEN_CHARACTERS: Final = "hidden_characters"
ASCII_DIGITS: Final = "ascii_digits"
NOT_A_COUNT: Final = "not_a_count"
WHOLE_NUMBER: Final = "whole_number"
NEGATIVE: Final = "negative"
GROUPING: Final = "grouping"
SPELL_OUT: Final = "spell_out"
TOO_LARGE: Final = "too_large"  # params: maximum
LETTER_FOR_DIGIT: Final = "letter_for_digit"  # params: letter
UNKNOWN_WORD: Final = "unknown_word"  # params: word
ONE_NUMBER: Final = "one_number"
PAIR_NEED_BOTH: Final = "pair_need_both"
PAIR_HYPHEN: Final = "pair_hyphen"
PAIR_UNCLEAR: Final = "pair_unclear"
PAIR_SAME_UNIT: Final = "pair_same_unit"  # params: word
AMBIGUOUS: Final = "ambiguous"
NOT_MONEY: Final = "not_money"
MONEY_WHOLE: Final = "money_whole"
MONEY_AMBIGUOUS: Final = "money_ambiguous"
MONEY_NEGATIVE: Final = "money_negative"
MONEY_TOO_LARGE: Final = "money_too_large"  # params: maximum

REASONS: Final = (
    EMPTY,
    TOO_LONG,
    HIDDEN_CHARACTERS,
    ASCII_DIGITS,
    NOT_A_COUNT,
    WHOLE_NUMBER,
    NEGATIVE,
    GROUPING,
    SPELL_OUT,
    TOO_LARGE,
    LETTER_FOR_DIGIT,
    UNKNOWN_WORD,
    ONE_NUMBER,
    PAIR_NEED_BOTH,
    PAIR_HYPHEN,
    PAIR_UNCLEAR,
    PAIR_SAME_UNIT,
    AMBIGUOUS,
    NOT_MONEY,
    MONEY_WHOLE,
    MONEY_AMBIGUOUS,
    MONEY_NEGATIVE,
    MONEY_TOO_LARGE,
)

CURRENCY_WORD: Final = "đồng"

# Longer answers are not a number; the cap also bounds the work done on hostile text.
MAX_TEXT_LENGTH: Final = 100
# More digit groups than this in one answer are refused before any reading is tried.
MAX_GROUPS: Final = 8
# More readings than this are not offered as choices: the answer is refused instead.
MAX_READINGS: Final = 3

# Answers meaning "none", compared after _fold (lower case, no diacritics, đ -> d).
_ZERO_WORDS: Final = frozenset(
    {"khong", "ko", "k", "kh", "khg", "chua", "khong co", "ko co", "k co", "chua co"}
    | {"-", "–", "—"}
)
# A count followed by one of these is a multiple the teacher meant us to apply: refuse it.
_MAGNITUDE_WORDS: Final = frozenset(
    {"k", "nghin", "ngan", "tr", "trieu", "ty", "ti", "tram", "chuc", "van"}
)
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
_MONEY_MULTIPLIERS: Final = {
    "k": 1_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "trieu": 1_000_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
}

_ALLOWED_CONTROLS: Final = frozenset("\t\n\r")
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_ASCII_DIGITS: Final = frozenset("0123456789")
# Space-like characters a phone may put between digit groups.
_SPACE_SEPARATORS: Final = " \u00a0\u202f\u2009"

_LETTERS: Final = r"[^\W\d_]+"
_NUMBER: Final = rf"[0-9]+(?:[.,{_SPACE_SEPARATORS}][0-9]+)*"
_SEPARATOR_RE: Final = re.compile(rf"[.,{_SPACE_SEPARATORS}]")
_NEGATIVE_RE: Final = re.compile(r"[-−–—]\s*[0-9]")
_DASHES: Final = "-−–—"
_TOKEN_RE: Final = re.compile(
    rf"(?P<digits>[0-9]+(?:[.,][0-9]+)*)"
    rf"|(?P<space>[{_SPACE_SEPARATORS}])"
    rf"|(?P<blank>\s)"
    rf"|(?P<word>{_LETTERS})"
    rf"|(?P<slash>/)"
    rf"|(?P<list>[,;:])"
    rf"|(?P<dash>[{_DASHES}])"
    rf"|(?P<other>.)",
    re.DOTALL,
)
# A letter o, l or i glued to digits where a digit was meant ("12o", "1o0"), in folded text.
_LOOKALIKE_RE: Final = re.compile(
    r"(?<=[0-9])(?P<letter>[oli])(?![^\W\d_])|(?<![^\W\d_])(?P<first>[oli])(?=[0-9])"
)
_CURRENCY_RE: Final = re.compile(r"\s*(?:dong|vnd|d|₫)$")
_MONEY_TERM_RE: Final = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<multiplier>trieu|tr|nghin|ngan|k|ty|ti)?(?![^\W\d_])"
)

Reading = tuple[int, ...]
"""One way to read an answer: a value per slot of the row, or one lone number at a pair row."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One number a row asks for: the unit it is counted in ("lớp", "tin, bài") and its cap."""

    unit: str = ""
    maximum: int = 1_000_000


class NumberError(ValueError):
    """An answer that cannot be stored: ``reason`` is a code above, ``params`` fill its text."""

    def __init__(self, reason: str, **params: int | str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class Ambiguous(NumberError):
    """An answer that reads more than one way; ``readings`` are the ways, in reading order."""

    def __init__(self, readings: tuple[Reading, ...]) -> None:
        super().__init__(AMBIGUOUS)
        self.readings = readings


def parse_count(text: str, slot: Slot | None = None) -> int:
    """Reads a whole, non-negative count such as "1.200" or "120 người"."""
    slot = slot or Slot()
    prepared = _prepare(text)
    if _is_zero_word(prepared):
        return 0
    readings = _read(prepared, (slot,))
    return readings[0][0]


def parse_pair(
    text: str, first: Slot | None = None, second: Slot | None = None
) -> tuple[int, int]:
    """Reads two counts in one answer, such as "3/120" or "120 người, 3 lớp".

    Raises ``Ambiguous`` when the answer reads more than one way ("1 200": one number or two).
    """
    slots = (first or Slot(), second or Slot())
    prepared = _prepare(text)
    if _is_zero_word(prepared):
        return (0, 0)
    readings = _read(prepared, slots)
    if len(readings) > 1:
        raise Ambiguous(readings)
    reading = readings[0]
    if len(reading) == 1:
        if reading[0] == 0:
            return (0, 0)
        raise NumberError(PAIR_NEED_BOTH)
    return (reading[0], reading[1])


def parse_money(text: str, *, maximum: int = 1_000_000_000_000) -> int:
    """Reads a non-negative whole number of đồng such as "5.000.000", "1,5tr" or "500k"."""
    prepared = _prepare(text)
    if _is_zero_word(prepared):
        return 0
    folded = _fold(prepared)
    amount = _money_terms(_CURRENCY_RE.sub("", folded))
    if amount > maximum:
        raise NumberError(MONEY_TOO_LARGE, maximum=maximum)
    return amount


def unit_words(unit: str) -> frozenset[str]:
    """The folded words accepted after a number counted in ``unit``: "lớp" -> {"lop", ...}."""
    pieces = [" ".join(_fold(piece).split()) for piece in re.split(r"[/,]", unit)]
    words = {" ".join(_fold(unit).replace("/", " ").replace(",", " ").split())}
    for piece in pieces:
        if piece:
            words.add(piece)
            words |= _UNIT_SYNONYMS.get(piece, frozenset())
    return frozenset(word for word in words if word)


def format_count(n: int) -> str:
    """Writes a count with Vietnamese grouping: 1200 -> "1.200"."""
    if n < 0:
        raise ValueError(f"a count is never negative: {n}")
    return f"{n:,}".replace(",", ".")


def format_money(n: int) -> str:
    """Writes a sum of money in đồng: 5000000 -> "5.000.000 đồng"."""
    return f"{format_count(n)} {CURRENCY_WORD}"


def format_pair(a: int, b: int) -> str:
    """Writes two counts as one answer: (3, 120) -> "3/120"."""
    return f"{format_count(a)}/{format_count(b)}"


# Preparing the text ----------------------------------------------------------------------------


def _prepare(text: str) -> str:
    """Returns the stripped NFC text, or refuses text that cannot be a typed number."""
    stripped = text.strip()
    if not stripped:
        raise NumberError(EMPTY)
    if len(stripped) > MAX_TEXT_LENGTH:
        raise NumberError(TOO_LONG)
    for char in stripped:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise NumberError(HIDDEN_CHARACTERS)
    if any(_is_foreign_digit(char) for char in stripped):
        raise NumberError(ASCII_DIGITS)
    return unicodedata.normalize("NFC", stripped)


def _is_foreign_digit(char: str) -> bool:
    """Tells whether a character is, or NFKC would turn it into, a digit other than 0–9."""
    if char in _ASCII_DIGITS:
        return False
    if unicodedata.numeric(char, None) is not None:
        return True
    return any(
        part in _ASCII_DIGITS or unicodedata.numeric(part, None) is not None
        for part in unicodedata.normalize("NFKC", char)
    )


def _fold(text: str) -> str:
    """Lower case without diacritics, for comparing words; spacing is kept as typed."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _is_zero_word(text: str) -> bool:
    """Tells whether the whole answer is a word meaning "none"."""
    return " ".join(_fold(text).split()) in _ZERO_WORDS


def _to_int(digits: str) -> int:
    """Converts a string already matched as ASCII digits; nothing else reaches int()."""
    if not digits or not set(digits) <= _ASCII_DIGITS:
        raise NumberError(NOT_A_COUNT)
    return int(digits)


# Reading counts by their words ---------------------------------------------------------------


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


def _read(text: str, slots: tuple[Slot, ...]) -> tuple[Reading, ...]:
    """Every reading of ``text`` for a row of ``slots``, complete ones first; refuses none."""
    if not any(char in _ASCII_DIGITS for char in text):
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
    folded = [_fold(word) for word in words]
    if after_number and folded[0] in _MAGNITUDE_WORDS:
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
            if folded[position] in _MAGNITUDE_WORDS:
                raise NumberError(SPELL_OUT)
            raise NumberError(UNKNOWN_WORD, word=word)
    return elements


def _known(phrase: str, typed: str, vocabulary: list[frozenset[str]]) -> _Element | None:
    named = [slot for slot, words in enumerate(vocabulary) if phrase in words]
    if named:
        return _Unit(typed, named[0] if len(named) == 1 else None)
    if phrase in _CONNECTORS:
        return _CONNECTOR
    if phrase in _ZERO_WORDS:
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
        _grouped_integer(chunk, WHOLE_NUMBER)  # a bad group is bad in every reading
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
        return _grouped_integer(chunks[0], WHOLE_NUMBER)
    first, rest = chunks[0], chunks[1:]
    if not first.isdigit() or len(first) > 3 or first.startswith("0"):
        return None
    if any(len(chunk) != 3 or not chunk.isdigit() for chunk in rest):
        return None
    return _to_int(first + "".join(rest))


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


def _grouped_integer(number: str, decimal_reason: str) -> int:
    """Reads "1200", "1.200", "1,200" or "1 200"; refuses decimals and uneven groups."""
    separators = {
        " " if sep in _SPACE_SEPARATORS else sep for sep in _SEPARATOR_RE.findall(number)
    }
    if not separators:
        return _to_int(number)
    if {".", ","} <= separators:
        raise NumberError(decimal_reason)
    if len(separators) > 1:
        raise NumberError(GROUPING)
    groups = _SEPARATOR_RE.split(number)
    if len(groups) == 2 and separators != {" "} and len(groups[1]) != 3:
        raise NumberError(decimal_reason)
    if groups[0].startswith("0"):
        # "0.200" reads as a decimal; "01.200" is a typing slip either way.
        looks_decimal = groups[0] == "0" and separators != {" "}
        raise NumberError(decimal_reason if looks_decimal else GROUPING)
    if len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:]):
        raise NumberError(GROUPING)
    return _to_int("".join(groups))


# Money ---------------------------------------------------------------------------------------


def _money_terms(folded: str) -> int:
    """Adds up "5 triệu", "1tỷ 200tr" or a plain "5.000.000" in đồng."""
    if lookalike := _LOOKALIKE_RE.search(folded):
        raise NumberError(LETTER_FOR_DIGIT, letter=lookalike.group("letter") or lookalike["first"])
    terms: list[tuple[str, int | None]] = []
    position = 0
    while position < len(folded):
        match = _MONEY_TERM_RE.match(folded, position)
        if match is None:
            if not terms and _NEGATIVE_RE.match(folded):
                raise NumberError(MONEY_NEGATIVE)
            raise NumberError(NOT_MONEY)
        multiplier = match.group("multiplier")
        terms.append(
            (match.group("number"), _MONEY_MULTIPLIERS[multiplier] if multiplier else None)
        )
        position = match.end()
        while position < len(folded) and folded[position].isspace():
            position += 1
    if not terms:
        raise NumberError(NOT_MONEY)
    if len(terms) == 1 and terms[0][1] is None:
        return _grouped_integer(terms[0][0], MONEY_WHOLE)
    total = 0
    previous_multiplier: int | None = None
    for number, multiplier in terms:
        if multiplier is None:
            # "1 triệu 2" is spoken for 1,2 triệu; a bare trailing number is never guessed.
            raise NumberError(NOT_MONEY)
        amount = _money_term(number, multiplier)
        if previous_multiplier is not None and (
            multiplier >= previous_multiplier or amount >= previous_multiplier
        ):
            raise NumberError(NOT_MONEY)
        total += amount
        previous_multiplier = multiplier
    return total


def _money_term(number: str, multiplier: int) -> int:
    """Reads "1,5" or "1.200" before a multiplier; the result must be whole đồng."""
    separators = _SEPARATOR_RE.findall(number)
    if len(separators) == 1 and separators[0] in ".,":
        whole, fraction = _SEPARATOR_RE.split(number)
        if len(fraction) == 3:
            # "1.500 triệu" is 1,5 tỷ in Vietnamese writing and 1,5 triệu in English writing.
            raise NumberError(MONEY_AMBIGUOUS)
        scale: int = 10 ** len(fraction)
        scaled = (_to_int(whole) * scale + _to_int(fraction)) * multiplier
        if scaled % scale:
            raise NumberError(MONEY_WHOLE)
        return scaled // scale
    return _grouped_integer(number, MONEY_WHOLE) * multiplier
