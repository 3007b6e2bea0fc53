"""Reading and writing the numbers a teacher types: counts, count pairs and sums of money.

The one door the handlers use. ``parse_count`` and ``parse_pair`` read an answer against the
slots of its row (``count_words``): a value comes back, or ``Ambiguous`` with the readings to
confirm, or ``NumberError`` with a reason code whose text lives in the handlers' catalogue.
``parse_money`` reads đồng (``money``); ``number_text`` holds the checks every answer passes
first, the reason codes and the ``format_*`` functions that write numbers back.
"""

from __future__ import annotations

from bot.domain.count_words import MAX_GROUPS, MAX_READINGS, read, unit_words
from bot.domain.money import parse_money
from bot.domain.number_text import (
    AMBIGUOUS,
    ASCII_DIGITS,
    CURRENCY_WORD,
    EMPTY,
    GROUPING,
    HIDDEN_CHARACTERS,
    LETTER_FOR_DIGIT,
    MAX_TEXT_LENGTH,
    MONEY_AMBIGUOUS,
    MONEY_NEGATIVE,
    MONEY_TOO_LARGE,
    MONEY_WHOLE,
    NEGATIVE,
    NOT_A_COUNT,
    NOT_MONEY,
    ONE_NUMBER,
    PAIR_HYPHEN,
    PAIR_NEED_BOTH,
    PAIR_SAME_UNIT,
    PAIR_UNCLEAR,
    REASONS,
    SPELL_OUT,
    TOO_LARGE,
    TOO_LONG,
    UNKNOWN_WORD,
    WHOLE_NUMBER,
    Ambiguous,
    NumberError,
    Reading,
    Slot,
    format_count,
    format_money,
    format_pair,
    is_zero_word,
    prepare,
)

__all__ = [
    "AMBIGUOUS",
    "ASCII_DIGITS",
    "CURRENCY_WORD",
    "EMPTY",
    "GROUPING",
    "HIDDEN_CHARACTERS",
    "LETTER_FOR_DIGIT",
    "MAX_GROUPS",
    "MAX_READINGS",
    "MAX_TEXT_LENGTH",
    "MONEY_AMBIGUOUS",
    "MONEY_NEGATIVE",
    "MONEY_TOO_LARGE",
    "MONEY_WHOLE",
    "NEGATIVE",
    "NOT_A_COUNT",
    "NOT_MONEY",
    "ONE_NUMBER",
    "PAIR_HYPHEN",
    "PAIR_NEED_BOTH",
    "PAIR_SAME_UNIT",
    "PAIR_UNCLEAR",
    "REASONS",
    "SPELL_OUT",
    "TOO_LARGE",
    "TOO_LONG",
    "UNKNOWN_WORD",
    "WHOLE_NUMBER",
    "Ambiguous",
    "NumberError",
    "Reading",
    "Slot",
    "format_count",
    "format_money",
    "format_pair",
    "parse_count",
    "parse_money",
    "parse_pair",
    "unit_words",
]


def parse_count(text: str, slot: Slot | None = None) -> int:
    """Reads a whole, non-negative count such as "1.200" or "120 người"."""
    slot = slot or Slot()
    prepared = prepare(text)
    if is_zero_word(prepared):
        return 0
    readings = read(prepared, (slot,))
    return readings[0][0]


def parse_pair(
    text: str, first: Slot | None = None, second: Slot | None = None
) -> tuple[int, int]:
    """Reads two counts in one answer, such as "3/120" or "120 người, 3 lớp".

    Raises ``Ambiguous`` when the answer reads more than one way ("1 200": one number or two).
    """
    slots = (first or Slot(), second or Slot())
    prepared = prepare(text)
    if is_zero_word(prepared):
        return (0, 0)
    readings = read(prepared, slots)
    if len(readings) > 1:
        raise Ambiguous(readings)
    reading = readings[0]
    if len(reading) == 1:
        if reading[0] == 0:
            return (0, 0)
        raise NumberError(PAIR_NEED_BOTH)
    return (reading[0], reading[1])
