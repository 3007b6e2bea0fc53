"""The text of a typed number: reason codes, checks, words for none, digit groups, writing back.

The shared ground of ``bot.domain.numbers`` (counts and pairs, read by ``count_words``) and
``bot.domain.money``. Every answer is first checked as text by ``prepare``: a length cap, no
hidden control or bidi characters, and only the ASCII digits 0–9 (a full-width ``１２`` or
Arabic-Indic ``١٢`` is refused rather than silently folded by NFKC, which ``int()`` would also
accept). Digits reach ``int()`` through ``to_int`` alone, after a regular expression matched
them. A refusal is a ``NumberError`` carrying a reason code and parameters, never words: the
texts a teacher reads live in the handlers' catalogue.
"""

from __future__ import annotations

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

# Answers meaning "none", compared after fold (lower case, no diacritics, đ -> d).
ZERO_WORDS: Final = frozenset(
    {"khong", "ko", "k", "kh", "khg", "chua", "khong co", "ko co", "k co", "chua co"}
    | {"-", "–", "—"}
)
# A count followed by one of these is a multiple the teacher meant us to apply: refuse it.
MAGNITUDE_WORDS: Final = frozenset(
    {"k", "nghin", "ngan", "tr", "trieu", "ty", "ti", "tram", "chuc", "van"}
)
_ALLOWED_CONTROLS: Final = frozenset("\t\n\r")
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
DIGITS: Final = frozenset("0123456789")
# Space-like characters a phone may put between digit groups.
SPACES: Final = " \u00a0\u202f\u2009"
LETTERS: Final = r"[^\W\d_]+"
GROUP_SEPARATOR_RE: Final = re.compile(rf"[.,{SPACES}]")
NEGATIVE_RE: Final = re.compile(r"[-−–—]\s*[0-9]")

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


def prepare(text: str) -> str:
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
    if char in DIGITS:
        return False
    if unicodedata.numeric(char, None) is not None:
        return True
    return any(
        part in DIGITS or unicodedata.numeric(part, None) is not None
        for part in unicodedata.normalize("NFKC", char)
    )


def fold(text: str) -> str:
    """Lower case without diacritics, for comparing words; spacing is kept as typed."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def is_zero_word(text: str) -> bool:
    """Tells whether the whole answer is a word meaning "none"."""
    return " ".join(fold(text).split()) in ZERO_WORDS


def to_int(digits: str) -> int:
    """Converts a string already matched as ASCII digits; nothing else reaches int()."""
    if not digits or not set(digits) <= DIGITS:
        raise NumberError(NOT_A_COUNT)
    return int(digits)


def grouped_integer(number: str, decimal_reason: str) -> int:
    """Reads "1200", "1.200", "1,200" or "1 200"; refuses decimals and uneven groups."""
    separators = {" " if sep in SPACES else sep for sep in GROUP_SEPARATOR_RE.findall(number)}
    if not separators:
        return to_int(number)
    if {".", ","} <= separators:
        raise NumberError(decimal_reason)
    if len(separators) > 1:
        raise NumberError(GROUPING)
    groups = GROUP_SEPARATOR_RE.split(number)
    if len(groups) == 2 and separators != {" "} and len(groups[1]) != 3:
        raise NumberError(decimal_reason)
    if groups[0].startswith("0"):
        # "0.200" reads as a decimal; "01.200" is a typing slip either way.
        looks_decimal = groups[0] == "0" and separators != {" "}
        raise NumberError(decimal_reason if looks_decimal else GROUPING)
    if len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:]):
        raise NumberError(GROUPING)
    return to_int("".join(groups))
