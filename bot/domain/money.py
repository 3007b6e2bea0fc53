"""Sums of money in đồng as teachers write them: "5.000.000", "5 triệu", "1,5tr" or "500k".

A sum is one grouped number, or terms each with a multiplier (tỷ, triệu, nghìn, k) in falling
order. "1.500 triệu" is refused, since it is 1,5 tỷ in Vietnamese writing and 1,5 triệu in
English writing; an amount must come to whole đồng.
"""

from __future__ import annotations

import re
from typing import Final

from bot.domain.number_text import (
    GROUP_SEPARATOR_RE,
    LETTER_FOR_DIGIT,
    MONEY_AMBIGUOUS,
    MONEY_NEGATIVE,
    MONEY_TOO_LARGE,
    MONEY_WHOLE,
    NEGATIVE_RE,
    NOT_MONEY,
    SPACES,
    NumberError,
    fold,
    grouped_integer,
    is_zero_word,
    prepare,
    to_int,
)

_NUMBER: Final = rf"[0-9]+(?:[.,{SPACES}][0-9]+)*"
_MONEY_MULTIPLIERS: Final = {
    "k": 1_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "trieu": 1_000_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
}

# A letter o, l or i glued to digits where a digit was meant ("12o", "1o0"), in folded text.
_LOOKALIKE_RE: Final = re.compile(
    r"(?<=[0-9])(?P<letter>[oli])(?![^\W\d_])|(?<![^\W\d_])(?P<first>[oli])(?=[0-9])"
)
_CURRENCY_RE: Final = re.compile(r"\s*(?:dong|vnd|d|₫)$")
_MONEY_TERM_RE: Final = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<multiplier>trieu|tr|nghin|ngan|k|ty|ti)?(?![^\W\d_])"
)


def parse_money(text: str, *, maximum: int = 1_000_000_000_000) -> int:
    """Reads a non-negative whole number of đồng such as "5.000.000", "1,5tr" or "500k"."""
    prepared = prepare(text)
    if is_zero_word(prepared):
        return 0
    folded = fold(prepared)
    amount = _money_terms(_CURRENCY_RE.sub("", folded))
    if amount > maximum:
        raise NumberError(MONEY_TOO_LARGE, maximum=maximum)
    return amount


def _money_terms(folded: str) -> int:
    """Adds up "5 triệu", "1tỷ 200tr" or a plain "5.000.000" in đồng."""
    if lookalike := _LOOKALIKE_RE.search(folded):
        raise NumberError(LETTER_FOR_DIGIT, letter=lookalike.group("letter") or lookalike["first"])
    terms: list[tuple[str, int | None]] = []
    position = 0
    while position < len(folded):
        match = _MONEY_TERM_RE.match(folded, position)
        if match is None:
            if not terms and NEGATIVE_RE.match(folded):
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
        return grouped_integer(terms[0][0], MONEY_WHOLE)
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
    separators = GROUP_SEPARATOR_RE.findall(number)
    if len(separators) == 1 and separators[0] in ".,":
        whole, fraction = GROUP_SEPARATOR_RE.split(number)
        if len(fraction) == 3:
            # "1.500 triệu" is 1,5 tỷ in Vietnamese writing and 1,5 triệu in English writing.
            raise NumberError(MONEY_AMBIGUOUS)
        scale: int = 10 ** len(fraction)
        scaled = (to_int(whole) * scale + to_int(fraction)) * multiplier
        if scaled % scale:
            raise NumberError(MONEY_WHOLE)
        return scaled // scale
    return grouped_integer(number, MONEY_WHOLE) * multiplier
