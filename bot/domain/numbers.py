"""Reading and writing the numbers a teacher types: counts, count pairs and sums of money.

Every answer is first checked as text: a length cap, no hidden control or bidi characters, and
only the ASCII digits 0–9 (a full-width ``１２`` or Arabic-Indic ``١٢`` is refused rather than
silently folded by NFKC, which ``int()`` would also accept). The rest is normalised to NFC only.
Numbers are then matched by regular expressions over ASCII digits and converted by
``_to_int`` alone; raw text never reaches ``int()`` or ``float()``. Vietnamese groups thousands
with a dot (``1.200``); a comma or a space is accepted too when every group after the first has
exactly three digits, and anything that looks like a decimal is refused with a correction. Each
refusal is a ``NumberError`` whose ``message`` is shown to the teacher as it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Texts the teacher sees when an answer is refused.
MESSAGE_EMPTY: Final = "Thầy/cô chưa gõ số. Vui lòng gõ một số, ví dụ 120; nếu không có thì gõ 0."
MESSAGE_TOO_LONG: Final = "Tin nhắn quá dài. Thầy/cô chỉ cần gõ số, ví dụ 120."
MESSAGE_HIDDEN_CHARACTERS: Final = (
    "Tin nhắn có ký tự ẩn hoặc ký tự điều khiển. Thầy/cô vui lòng gõ lại số, ví dụ 120."
)
MESSAGE_ASCII_DIGITS: Final = (
    "Thầy/cô vui lòng chỉ dùng chữ số 0–9 của bàn phím thường, ví dụ 1.200."
)
MESSAGE_NOT_A_COUNT: Final = (
    "Chưa đọc được số. Thầy/cô gõ một số nguyên, ví dụ 120 hoặc 1.200; nếu không có thì gõ 0."
)
MESSAGE_WHOLE_NUMBER: Final = (
    "Số lượng phải là số nguyên, không có phần thập phân. Ví dụ: 120 hoặc 1.200."
)
MESSAGE_NEGATIVE: Final = "Số lượng không thể là số âm. Nếu không có, thầy/cô gõ 0."
MESSAGE_GROUPING: Final = (
    "Cách tách hàng nghìn chưa đúng: mỗi nhóm sau dấu chấm có đúng 3 chữ số. "
    "Ví dụ: 1.200 hoặc 12.345.678, hoặc gõ liền 1200."
)
MESSAGE_SPELL_OUT: Final = "Thầy/cô vui lòng gõ đủ các chữ số, ví dụ 5.000 thay vì 5k hay 5 nghìn."
MESSAGE_TOO_LARGE: Final = "Số quá lớn, tối đa {maximum}. Thầy/cô kiểm tra lại giúp."

MESSAGE_PAIR_NEED_BOTH: Final = (
    "Thầy/cô gửi cả hai số trong một tin, cách nhau bằng dấu /, ví dụ 3/120."
)
MESSAGE_PAIR_HYPHEN: Final = (
    "Dấu gạch ngang dễ gây nhầm. Thầy/cô ngăn cách hai số bằng dấu /, ví dụ 3/120."
)
MESSAGE_PAIR_AMBIGUOUS: Final = (
    "Chưa rõ đâu là số thứ nhất, đâu là số thứ hai. "
    "Thầy/cô gõ đúng hai số, ngăn cách bằng dấu /, ví dụ 3/120 hoặc 1.200/15.000."
)
MESSAGE_NOT_A_PAIR: Final = (
    "Chưa đọc được hai số. Thầy/cô gõ theo mẫu 3/120; nếu không có thì gõ 0."
)

MESSAGE_NOT_MONEY: Final = (
    "Chưa đọc được số tiền. Thầy/cô gõ ví dụ 5.000.000, 5 triệu hoặc 500 nghìn; "
    "nếu không có thì gõ 0."
)
MESSAGE_MONEY_WHOLE: Final = (
    "Số tiền tính bằng đồng, không có số lẻ. Thầy/cô gõ ví dụ 1.500.000 hoặc 1,5 triệu."
)
MESSAGE_MONEY_AMBIGUOUS: Final = (
    "Số tiền này dễ đọc nhầm (1.500 triệu hay 1,5 triệu?). "
    "Thầy/cô vui lòng gõ đủ các chữ số, ví dụ 1.500.000."
)
MESSAGE_MONEY_NEGATIVE: Final = "Số tiền không thể là số âm. Nếu không có, thầy/cô gõ 0."
MESSAGE_MONEY_TOO_LARGE: Final = "Số tiền quá lớn, tối đa {maximum}. Thầy/cô kiểm tra lại giúp."

CURRENCY_WORD: Final = "đồng"

# Longer answers are not a number; the cap also bounds the work done on hostile text.
MAX_TEXT_LENGTH: Final = 100

# Answers meaning "none", compared after _fold (lower case, no diacritics, đ -> d).
_ZERO_WORDS: Final = frozenset(
    {"khong", "ko", "k", "kh", "khg", "chua", "khong co", "ko co", "k co", "chua co"}
    | {"-", "–", "—"}
)
# A count followed by one of these is a multiple the teacher meant us to apply: refuse it.
_MAGNITUDE_WORDS: Final = frozenset(
    {"k", "nghin", "ngan", "tr", "trieu", "ty", "ti", "tram", "chuc", "van"}
)
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
_COUNT_RE: Final = re.compile(
    rf"(?P<number>{_NUMBER})(?:\s*(?P<unit>{_LETTERS}(?:\s+{_LETTERS})*))?"
)
_SEPARATOR_RE: Final = re.compile(rf"[.,{_SPACE_SEPARATORS}]")
_NEGATIVE_RE: Final = re.compile(r"[-−–—]\s*[0-9]")
_PAIR_LIST_SEPARATOR_RE: Final = re.compile(r"(?<![0-9])[,;]|[,;](?![0-9])")
_PAIR_HYPHEN_RE: Final = re.compile(r"[0-9]\s*[-−–—]\s*[0-9]")
_PLAIN_NUMBER_TOKEN_RE: Final = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_NUMBER_WITH_UNIT_TOKEN_RE: Final = re.compile(rf"[0-9]+(?:[.,][0-9]+)*{_LETTERS}")
_WORD_TOKEN_RE: Final = re.compile(_LETTERS)
_CURRENCY_RE: Final = re.compile(r"\s*(?:dong|vnd|d|₫)$")
_MONEY_TERM_RE: Final = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<multiplier>trieu|tr|nghin|ngan|k|ty|ti)?(?![^\W\d_])"
)


class NumberError(ValueError):
    """Carries a short Vietnamese correction for the teacher in .message (str)."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_count(text: str, *, maximum: int = 1_000_000) -> int:
    """Reads a whole, non-negative count such as "1.200" or "120 người"."""
    return _count(_prepare(text), maximum)


def parse_pair(
    text: str, *, maximum_first: int = 1_000_000, maximum_second: int = 1_000_000
) -> tuple[int, int]:
    """Reads two counts in one answer, such as "3/120" or "3 lớp, 120 người"."""
    prepared = _prepare(text)
    if _is_zero_word(prepared):
        return (0, 0)
    sides = _pair_sides(prepared)
    if sides is None:
        largest = max(maximum_first, maximum_second)
        if _count(prepared, largest) == 0:
            return (0, 0)
        raise NumberError(MESSAGE_PAIR_NEED_BOTH)
    first, second = sides
    if not first or not second:
        raise NumberError(MESSAGE_PAIR_NEED_BOTH)
    return (_count(first, maximum_first), _count(second, maximum_second))


def parse_money(text: str, *, maximum: int = 1_000_000_000_000) -> int:
    """Reads a non-negative whole number of đồng such as "5.000.000", "1,5tr" or "500k"."""
    prepared = _prepare(text)
    if _is_zero_word(prepared):
        return 0
    folded = _fold(prepared)
    amount = _money_terms(_CURRENCY_RE.sub("", folded))
    if amount > maximum:
        raise NumberError(MESSAGE_MONEY_TOO_LARGE.format(maximum=format_money(maximum)))
    return amount


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


def _prepare(text: str) -> str:
    """Returns the stripped NFC text, or refuses text that cannot be a typed number."""
    stripped = text.strip()
    if not stripped:
        raise NumberError(MESSAGE_EMPTY)
    if len(stripped) > MAX_TEXT_LENGTH:
        raise NumberError(MESSAGE_TOO_LONG)
    for char in stripped:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise NumberError(MESSAGE_HIDDEN_CHARACTERS)
    if any(_is_foreign_digit(char) for char in stripped):
        raise NumberError(MESSAGE_ASCII_DIGITS)
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
        raise NumberError(MESSAGE_NOT_A_COUNT)
    return int(digits)


def _count(text: str, maximum: int) -> int:
    """Reads one count from prepared text, allowing a trailing unit word."""
    if _is_zero_word(text):
        return 0
    match = _COUNT_RE.fullmatch(text)
    if match is None:
        if _NEGATIVE_RE.match(text):
            raise NumberError(MESSAGE_NEGATIVE)
        raise NumberError(MESSAGE_NOT_A_COUNT)
    unit = match.group("unit")
    if unit is not None and any(word in _MAGNITUDE_WORDS for word in _fold(unit).split()):
        raise NumberError(MESSAGE_SPELL_OUT)
    value = _grouped_integer(match.group("number"), MESSAGE_WHOLE_NUMBER)
    if value > maximum:
        raise NumberError(MESSAGE_TOO_LARGE.format(maximum=format_count(maximum)))
    return value


def _grouped_integer(number: str, decimal_message: str) -> int:
    """Reads "1200", "1.200", "1,200" or "1 200"; refuses decimals and uneven groups."""
    separators = {
        " " if sep in _SPACE_SEPARATORS else sep for sep in _SEPARATOR_RE.findall(number)
    }
    if not separators:
        return _to_int(number)
    if {".", ","} <= separators:
        raise NumberError(decimal_message)
    if len(separators) > 1:
        raise NumberError(MESSAGE_GROUPING)
    groups = _SEPARATOR_RE.split(number)
    if len(groups) == 2 and separators != {" "} and len(groups[1]) != 3:
        raise NumberError(decimal_message)
    if groups[0].startswith("0"):
        # "0.200" reads as a decimal; "01.200" is a typing slip either way.
        looks_decimal = groups[0] == "0" and separators != {" "}
        raise NumberError(decimal_message if looks_decimal else MESSAGE_GROUPING)
    if len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:]):
        raise NumberError(MESSAGE_GROUPING)
    return _to_int("".join(groups))


def _pair_sides(text: str) -> tuple[str, str] | None:
    """Splits a pair answer into its two sides, or None when it holds a single number."""
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise NumberError(MESSAGE_PAIR_AMBIGUOUS)
        return (parts[0].strip(), parts[1].strip())
    parts = _PAIR_LIST_SEPARATOR_RE.split(text)
    if len(parts) > 2:
        raise NumberError(MESSAGE_PAIR_AMBIGUOUS)
    if len(parts) == 2:
        return (parts[0].strip(), parts[1].strip())
    if _PAIR_HYPHEN_RE.search(text):
        raise NumberError(MESSAGE_PAIR_HYPHEN)
    return _pair_sides_by_words(text)


def _pair_sides_by_words(text: str) -> tuple[str, str] | None:
    """Splits "3 lớp 120 người" or "3 120" at the word or space between the two numbers."""
    sides: list[list[re.Match[str]]] = []
    previous = ""
    for token in re.finditer(r"\S+", text):
        if _PLAIN_NUMBER_TOKEN_RE.fullmatch(token.group()):
            kind = "number"
        elif _NUMBER_WITH_UNIT_TOKEN_RE.fullmatch(token.group()):
            kind = "number with unit"
        elif _WORD_TOKEN_RE.fullmatch(token.group()) and sides:
            kind = "word"
        else:
            # Not shaped like a pair: read it as one count, which explains what is wrong.
            return None
        if kind != "word" and previous in ("", "word", "number with unit"):
            sides.append([])
        sides[-1].append(token)
        previous = kind
    if len(sides) == 2:
        first, second = (text[side[0].start() : side[-1].end()] for side in sides)
        return (first, second)
    if len(sides) > 2:
        raise NumberError(MESSAGE_PAIR_AMBIGUOUS)
    tokens = sides[0]
    numbers = sum(1 for token in tokens if token.group()[0] in _ASCII_DIGITS)
    if numbers == 1:
        return None
    if numbers == 2:
        return (tokens[0].group(), text[tokens[1].start() : tokens[-1].end()])
    raise NumberError(MESSAGE_PAIR_AMBIGUOUS)


def _money_terms(folded: str) -> int:
    """Adds up "5 triệu", "1tỷ 200tr" or a plain "5.000.000" in đồng."""
    terms: list[tuple[str, int | None]] = []
    position = 0
    while position < len(folded):
        match = _MONEY_TERM_RE.match(folded, position)
        if match is None:
            if not terms and _NEGATIVE_RE.match(folded):
                raise NumberError(MESSAGE_MONEY_NEGATIVE)
            raise NumberError(MESSAGE_NOT_MONEY)
        multiplier = match.group("multiplier")
        terms.append(
            (match.group("number"), _MONEY_MULTIPLIERS[multiplier] if multiplier else None)
        )
        position = match.end()
        while position < len(folded) and folded[position].isspace():
            position += 1
    if not terms:
        raise NumberError(MESSAGE_NOT_MONEY)
    if len(terms) == 1 and terms[0][1] is None:
        return _grouped_integer(terms[0][0], MESSAGE_MONEY_WHOLE)
    total = 0
    previous_multiplier: int | None = None
    for number, multiplier in terms:
        if multiplier is None:
            # "1 triệu 2" is spoken for 1,2 triệu; a bare trailing number is never guessed.
            raise NumberError(MESSAGE_NOT_MONEY)
        amount = _money_term(number, multiplier)
        if previous_multiplier is not None and (
            multiplier >= previous_multiplier or amount >= previous_multiplier
        ):
            raise NumberError(MESSAGE_NOT_MONEY)
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
            raise NumberError(MESSAGE_MONEY_AMBIGUOUS)
        scale: int = 10 ** len(fraction)
        scaled = (_to_int(whole) * scale + _to_int(fraction)) * multiplier
        if scaled % scale:
            raise NumberError(MESSAGE_MONEY_WHOLE)
        return scaled // scale
    return _grouped_integer(number, MESSAGE_MONEY_WHOLE) * multiplier
