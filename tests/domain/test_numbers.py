"""What a teacher sees when typing counts, pairs of counts and sums of money.

The parsers return a value, raise ``Ambiguous`` with the readings to choose from, or raise
``NumberError`` with a reason code; the property tests below generate answers in every accepted
form and near misses of them, and check that none is ever read as another value.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain import numbers
from bot.domain.numbers import (
    Ambiguous,
    NumberError,
    Slot,
    format_count,
    format_money,
    format_pair,
    parse_count,
    parse_money,
    parse_pair,
)
from handlers import messages as say

MILLION = 1_000_000
TRILLION = 1_000_000_000_000
CLASSES = Slot("lớp", 100_000)
PEOPLE = Slot("người", MILLION)
EVENTS = Slot("cuộc", 100_000)
ARTICLES = Slot("tin, bài", 100_000)

# Texts that are not a count, whatever the field; shared by the three parsers.
HOSTILE = [
    "",
    "   ",
    "\n\t",
    "-3",
    "−3",
    "- 3",
    "+5",
    "1e9",
    "1E9",
    "1_000",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "2**63",
    "0x10",
    "😀",
    "👨‍👩‍👧‍👦",
    "1️⃣",
    "12" * 2500,
    "1" * 5000,
    "12\x003",
    "\x00",
    "12\x07",
    "1\x1b[2J",
    "\u202e021",
    "12\u202e",
    "1\u200b200",
    "\ufeff12",
    "１２",
    "١٢",
    "۱۲",
    "१२",
    "²",
    "½",
    "①",
    "Ⅻ",
    "一二",
    "12abc3",
    "1.2.3",
    "12.34",
    "1.2000",
    "1.200,5",
    "1,200.5",
    "01.200",
    "mười hai",
    "abc",
    "năm",
    "120.",
    "1/2/3",
    "3//120",
]


# Two numbers apart: a pair ("3 120"), but never one count or one sum.
TWO_NUMBERS_APART = ["1.200 000", "1 2", "1  200", "1\n200", "1\t200"]


def is_vietnamese_correction(message: str) -> bool:
    """A correction is non-empty and written with Vietnamese letters."""
    return bool(message.strip()) and any(not char.isascii() and char.isalpha() for char in message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", 1200),
        ("1.200", 1200),
        ("1,200", 1200),
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("1\u202f200", 1200),
        ("1.000.000", 1_000_000),
        ("1 000 000", 1_000_000),
        ("  1.200\n", 1200),
    ],
)
def test_a_teacher_may_write_thousands_with_a_dot_a_comma_or_a_space(
    text: str, expected: int
) -> None:
    assert parse_count(text) == expected


def test_a_large_count_with_several_groups_is_read_when_the_field_allows_it() -> None:
    wide = Slot(maximum=100_000_000)
    assert parse_count("12.345.678", wide) == 12_345_678
    assert parse_count("12,345,678", wide) == 12_345_678
    assert parse_count("12 345 678", wide) == 12_345_678


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("007", 7), ("00", 0), ("120", 120), ("999", 999)],
)
def test_a_plain_number_is_read_as_typed_and_leading_zeros_do_not_matter(
    text: str, expected: int
) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "không",
        "Không",
        "KHÔNG",
        "khong",
        "ko",
        "Ko",
        "k",
        "K",
        "-",
        "–",
        "—",
        "chưa",
        "chua",
        "không có",
        "Không có",
        "ko co",
        "chưa có",
        "kho\u0302ng",  # "không" typed with a combining circumflex (NFD)
    ],
)
def test_a_teacher_with_nothing_to_report_may_answer_with_a_word_for_none(text: str) -> None:
    assert parse_count(text) == 0


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("120 người", "người", 120),
        ("3 lớp", "lớp", 3),
        ("15 cuộc", "cuộc", 15),
        ("15 cuộc thi", "cuộc", 15),
        ("4 buổi", "cuộc", 4),
        ("200 quyển", "quyển", 200),
        ("200 cuốn", "quyển", 200),
        ("30 tờ rơi", "quyển/tờ", 30),
        ("5 tin", "tin, bài", 5),
        ("5 tin, bài", "tin, bài", 5),
        ("5 bài viết", "tin, bài", 5),
        ("2 tập thể", "đơn vị", 2),
        ("120người", "người", 120),
        ("1.200 lượt người", "người", 1200),
        ("120 nguoi", "người", 120),
        ("120 NGƯỜI", "người", 120),
        ("0 lớp", "lớp", 0),
        ("có 12 lớp", "lớp", 12),
        ("lớp: 12", "lớp", 12),
    ],
)
def test_a_unit_word_of_the_row_next_to_the_count_is_read(
    text: str, unit: str, expected: int
) -> None:
    assert parse_count(text, Slot(unit)) == expected


@pytest.mark.parametrize(
    ("text", "unit", "word"),
    [
        ("12abc", "người", "abc"),
        ("120 lớp", "người", "lớp"),
        ("3 người", "lớp", "người"),
        ("5 đồng", "cuộc", "đồng"),
        ("120 người", "", "người"),
        ("12 sản phẩm", "quyển/tờ", "sản"),
    ],
)
def test_a_word_that_is_not_a_unit_of_the_row_is_refused_naming_the_word(
    text: str, unit: str, word: str
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text, Slot(unit))
    assert refused.value.reason == numbers.UNKNOWN_WORD
    assert refused.value.params["word"] == word


@pytest.mark.parametrize(
    ("text", "letter"), [("12O", "O"), ("12o", "o"), ("1O0", "O"), ("l20", "l"), ("1I", "I")]
)
def test_a_letter_typed_for_a_digit_is_refused_naming_the_letter(text: str, letter: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text, PEOPLE)
    assert refused.value.reason == numbers.LETTER_FOR_DIGIT
    assert refused.value.params["letter"] == letter


@pytest.mark.parametrize("text", ["12O", "1O.000", "5o triệu"])
def test_a_letter_typed_for_a_digit_in_a_sum_is_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_money(text)
    assert refused.value.reason in {numbers.LETTER_FOR_DIGIT, numbers.NOT_MONEY}


@pytest.mark.parametrize("text", ["3; 120", "3/120", "3 lớp 120 người", "1\n200", "12 3"])
def test_two_numbers_for_a_count_are_refused_saying_one_is_needed(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text, Slot("lớp", 1000))
    assert refused.value.reason in {numbers.ONE_NUMBER, numbers.UNKNOWN_WORD}


@pytest.mark.parametrize(
    "text", [*HOSTILE, *TWO_NUMBERS_APART, "1,5", "1.5", "0,5", "0.200", "2.5"]
)
def test_text_that_is_not_a_whole_count_is_refused_with_a_vietnamese_correction(
    text: str,
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert is_vietnamese_correction(say.NUMBER_CORRECTIONS[refused.value.reason])


@pytest.mark.parametrize("text", ["1,5", "1.5", "12.34", "1.2000", "1.200,5", "0.200"])
def test_a_decimal_count_is_refused_saying_counts_are_whole_numbers(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.WHOLE_NUMBER


@pytest.mark.parametrize("text", ["1.2.3", "1.20.300", "12.00.000", "1234.567"])
def test_uneven_thousand_groups_are_refused_with_an_example_of_correct_grouping(
    text: str,
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.GROUPING


@pytest.mark.parametrize("text", ["-3", "−3", "– 3", "-0"])
def test_a_negative_count_is_refused_and_the_teacher_is_told_to_send_zero(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.NEGATIVE


@pytest.mark.parametrize("text", ["１２", "١٢", "12３", "①"])
def test_digits_from_another_keyboard_are_refused_not_silently_converted(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.ASCII_DIGITS
    assert "0–9" in say.NUMBER_CORRECTIONS[refused.value.reason]


@pytest.mark.parametrize("text", ["\u202e021", "1\u200b200", "12\x00", "1\x1b2"])
def test_hidden_or_reordering_characters_are_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.HIDDEN_CHARACTERS


@pytest.mark.parametrize("text", ["5k", "5 nghìn", "2 triệu người", "3 trăm", "12tr"])
def test_a_count_written_with_a_multiplier_word_asks_for_all_the_digits(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.reason == numbers.SPELL_OUT


def test_a_count_above_the_maximum_is_refused_naming_the_maximum() -> None:
    with pytest.raises(NumberError) as refused:
        parse_count("1.500", Slot(maximum=1200))
    assert refused.value.reason == numbers.TOO_LARGE
    assert refused.value.params == {"maximum": 1200}
    assert parse_count("1.200", Slot(maximum=1200)) == 1200


def test_a_very_long_message_is_refused_as_too_long() -> None:
    with pytest.raises(NumberError) as refused:
        parse_count("1" * 5000)
    assert refused.value.reason == numbers.TOO_LONG


def test_a_correction_is_also_a_value_error_naming_its_reason() -> None:
    with pytest.raises(ValueError, match="whole_number"):
        parse_count("1,5")


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0"), (7, "7"), (999, "999"), (1000, "1.000"), (1200, "1.200"), (12345678, "12.345.678")],
)
def test_counts_are_shown_with_dots_between_thousands(n: int, expected: str) -> None:
    assert format_count(n) == expected


def test_money_is_shown_in_dong_with_dots_between_thousands() -> None:
    assert format_money(5_000_000) == "5.000.000 đồng"
    assert format_money(0) == "0 đồng"


def test_a_pair_is_shown_as_two_counts_with_a_slash() -> None:
    assert format_pair(3, 120) == "3/120"
    assert format_pair(1200, 15000) == "1.200/15.000"


def test_a_negative_count_is_never_shown() -> None:
    with pytest.raises(ValueError):
        format_count(-1)


@given(st.integers(min_value=0, max_value=MILLION))
def test_a_count_shown_to_the_teacher_reads_back_as_the_same_count(n: int) -> None:
    assert parse_count(format_count(n)) == n


@given(st.integers(min_value=0, max_value=TRILLION))
def test_a_sum_shown_to_the_teacher_reads_back_as_the_same_sum(n: int) -> None:
    assert parse_money(format_money(n)) == n


@given(st.integers(min_value=0, max_value=MILLION), st.integers(min_value=0, max_value=MILLION))
def test_a_pair_shown_to_the_teacher_reads_back_as_the_same_pair(a: int, b: int) -> None:
    assert parse_pair(format_pair(a, b)) == (a, b)


@given(st.text())
def test_any_text_gives_a_count_within_bounds_or_a_correction_never_a_crash(text: str) -> None:
    try:
        value = parse_count(text)
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert 0 <= value <= MILLION


@given(st.text())
def test_any_text_gives_a_pair_or_a_correction_never_a_crash(text: str) -> None:
    try:
        first, second = parse_pair(text)
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert 0 <= first <= MILLION
        assert 0 <= second <= MILLION


@given(st.text())
def test_any_text_gives_a_sum_or_a_correction_never_a_crash(text: str) -> None:
    try:
        value = parse_money(text)
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert 0 <= value <= TRILLION


@given(st.text(alphabet="0123456789.,  -/kKtrđ", max_size=20))
def test_number_like_text_gives_a_count_or_a_correction_never_a_crash(text: str) -> None:
    try:
        value = parse_count(text)
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert 0 <= value <= MILLION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/120", (3, 120)),
        ("3 / 120", (3, 120)),
        ("3 lớp 120 người", (3, 120)),
        ("3 lớp, 120 người", (3, 120)),
        ("3 lớp; 120 người", (3, 120)),
        ("3 lớp/120 người", (3, 120)),
        ("3, 120", (3, 120)),
        ("3lớp 120người", (3, 120)),
        ("3 lớp và 120 người", (3, 120)),
        ("có 3 lớp, 120 người", (3, 120)),
        ("1.200/15.000", (1200, 15000)),
        ("1.200 15.000", (1200, 15000)),
        ("1 200 lớp 15 000 người", (1200, 15000)),
        ("1\u00a0200/15\u202f000", (1200, 15000)),
        ("1  200", (1, 200)),
        ("3\n120", (3, 120)),
        ("0/120", (0, 120)),
        ("không/120", (0, 120)),
        ("0/0", (0, 0)),
    ],
)
def test_a_teacher_may_send_classes_and_people_in_one_answer(
    text: str, expected: tuple[int, int]
) -> None:
    assert parse_pair(text, CLASSES, PEOPLE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "120 người 3 lớp",
        "120 người, 3 lớp",
        "120 người/3 lớp",
        "người 120, lớp 3",
        "người: 120; lớp: 3",
        "lớp 3 người 120",
        "120 người và 3 lớp",
        "120 người 3",
        "120 người, 3",
    ],
)
def test_classes_and_people_are_read_by_their_words_in_any_order(text: str) -> None:
    assert parse_pair(text, CLASSES, PEOPLE) == (3, 120)


def test_contests_and_people_are_read_by_their_own_words() -> None:
    assert parse_pair("120 người 3 cuộc thi", EVENTS, PEOPLE) == (3, 120)
    assert parse_pair("3 buổi, 120 lượt người", EVENTS, PEOPLE) == (3, 120)
    with pytest.raises(NumberError) as refused:
        parse_pair("3 lớp, 120 người", EVENTS, PEOPLE)
    assert refused.value.reason == numbers.UNKNOWN_WORD


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("1 200", ((1, 200), (1200,))),
        ("1\u00a0200", ((1, 200), (1200,))),
        ("1\u202f200", ((1, 200), (1200,))),
        ("1\u2009200", ((1, 200), (1200,))),
        ("3 120", ((3, 120), (3120,))),
        ("3 120 người", ((3, 120), (3120,))),
        ("1 200 300", ((1200, 300), (1, 200300))),
    ],
)
def test_an_answer_that_reads_two_ways_at_a_pair_row_returns_its_readings(
    text: str, readings: tuple[tuple[int, ...], ...]
) -> None:
    with pytest.raises(Ambiguous) as unclear:
        parse_pair(text, CLASSES, PEOPLE)
    assert unclear.value.readings == readings


@pytest.mark.parametrize("text", ["1 200", "1\u00a0200", "3 120", "1,200"])
def test_a_space_or_comma_between_groups_is_a_thousands_separator_at_a_count_row(
    text: str,
) -> None:
    assert parse_count(text, PEOPLE) in {1200, 3120}


@pytest.mark.parametrize("text", ["0", "không", "ko", "-", "chưa có", "0 lớp"])
def test_a_single_word_for_none_answers_both_halves_of_a_pair(text: str) -> None:
    assert parse_pair(text, CLASSES, PEOPLE) == (0, 0)


@pytest.mark.parametrize(
    "text", ["120", "120 người", "1.200", "3,120", "3/", "/120", "3 lớp,", "lớp 3"]
)
def test_a_single_number_for_a_pair_asks_for_both_numbers(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text, CLASSES, PEOPLE)
    assert refused.value.reason == numbers.PAIR_NEED_BOTH


@pytest.mark.parametrize("text", ["3-120", "3 - 120", "3–120", "3 lớp - 120 người"])
def test_a_pair_joined_by_a_hyphen_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text, CLASSES, PEOPLE)
    assert refused.value.reason == numbers.PAIR_HYPHEN


@pytest.mark.parametrize("text", ["3/120/5", "1, 2, 3", "3 lớp 120 người 5", "3//120"])
def test_more_than_two_numbers_for_a_pair_are_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text, CLASSES, PEOPLE)
    assert refused.value.reason == numbers.PAIR_UNCLEAR


@pytest.mark.parametrize("text", ["3 lớp 120 lớp", "120 người/3 người", "lớp 3, lớp 120"])
def test_two_numbers_with_the_same_unit_are_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text, CLASSES, PEOPLE)
    assert refused.value.reason == numbers.PAIR_SAME_UNIT


@pytest.mark.parametrize(
    "text", [*HOSTILE, "1,5/120", "3/1.5", "-3/120", "3/-120", "12O/3", "3 lớp 12abc"]
)
def test_a_pair_with_a_bad_half_is_refused_with_a_vietnamese_correction(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text, CLASSES, PEOPLE)
    assert not isinstance(refused.value, Ambiguous)
    assert is_vietnamese_correction(say.NUMBER_CORRECTIONS[refused.value.reason])


def test_each_half_of_a_pair_has_its_own_maximum() -> None:
    first, second = Slot("lớp", 40), Slot("người", 1200)
    assert parse_pair("40/1.200", first, second) == (40, 1200)
    with pytest.raises(NumberError) as refused:
        parse_pair("41/1.200", first, second)
    assert refused.value.params == {"maximum": 40}
    with pytest.raises(NumberError) as refused:
        parse_pair("40/1.201", first, second)
    assert refused.value.params == {"maximum": 1200}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.000.000", 5_000_000),
        ("5000000", 5_000_000),
        ("5 000 000", 5_000_000),
        ("5,000,000", 5_000_000),
        ("5 triệu", 5_000_000),
        ("5 Triệu", 5_000_000),
        ("5 trieu", 5_000_000),
        ("5tr", 5_000_000),
        ("5 tr", 5_000_000),
        ("1,5tr", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1,25 triệu", 1_250_000),
        ("500k", 500_000),
        ("500K", 500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("2 tỷ", 2_000_000_000),
        ("2 tỉ", 2_000_000_000),
        ("1tỷ 200tr", 1_200_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("2 triệu 500 nghìn", 2_500_000),
        ("0", 0),
        ("không", 0),
        ("0 đồng", 0),
        ("5.000.000đ", 5_000_000),
        ("5.000.000 đ", 5_000_000),
        ("5.000.000 đồng", 5_000_000),
        ("5.000.000 Đồng", 5_000_000),
        ("5000000 vnd", 5_000_000),
        ("5.000.000 VNĐ", 5_000_000),
        ("5.000.000 VND", 5_000_000),
        ("5tr đồng", 5_000_000),
        ("500kđ", 500_000),
    ],
)
def test_a_teacher_may_write_money_in_digits_or_with_trieu_nghin_or_ty(
    text: str, expected: int
) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["1,5", "1.5", "2,75 đồng", "1,0000001 triệu", "0,0001k"])
def test_money_that_is_not_whole_dong_is_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_money(text)
    assert refused.value.reason == numbers.MONEY_WHOLE


@pytest.mark.parametrize("text", ["1.500 triệu", "1,500 triệu", "2.500k"])
def test_money_that_reads_two_ways_asks_for_all_the_digits(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_money(text)
    assert refused.value.reason == numbers.MONEY_AMBIGUOUS


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE,
        *TWO_NUMBERS_APART,
        "1 triệu 2",
        "1 tỷ 2000 triệu",
        "200 triệu 1 tỷ",
        "5 tr5",
        "5 triệu người",
        "đ",
        "đồng 5000",
        "5 đô",
        "5 triệu đồng đồng",
        "năm triệu",
    ],
)
def test_text_that_is_not_a_sum_of_money_is_refused_with_a_vietnamese_correction(
    text: str,
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_money(text)
    assert is_vietnamese_correction(say.NUMBER_CORRECTIONS[refused.value.reason])


def test_a_sum_above_the_maximum_is_refused_naming_the_maximum_in_dong() -> None:
    with pytest.raises(NumberError) as refused:
        parse_money("2 tỷ", maximum=1_000_000_000)
    assert refused.value.reason == numbers.MONEY_TOO_LARGE
    assert refused.value.params == {"maximum": 1_000_000_000}
    assert parse_money("1 tỷ", maximum=1_000_000_000) == 1_000_000_000


def test_a_negative_sum_is_refused_and_the_teacher_is_told_to_send_zero() -> None:
    with pytest.raises(NumberError) as refused:
        parse_money("-5 triệu")
    assert refused.value.reason == numbers.MONEY_NEGATIVE


def test_every_reason_has_a_vietnamese_correction_in_the_catalogue_addressing_thay_co() -> None:
    assert set(say.NUMBER_CORRECTIONS) == set(numbers.REASONS)
    for reason, text in say.NUMBER_CORRECTIONS.items():
        assert is_vietnamese_correction(text), reason
        assert "bạn" not in text.lower(), reason
    addressed = [text for text in say.NUMBER_CORRECTIONS.values() if "thầy/cô" in text.lower()]
    assert len(addressed) >= len(numbers.REASONS) // 2


def test_the_domain_holds_no_text_a_teacher_reads() -> None:
    texts = [v for k, v in vars(numbers).items() if isinstance(v, str) and not k.startswith("__")]
    assert not [text for text in texts if " " in text and is_vietnamese_correction(text)]


# Every accepted form, and every near miss: read as the same value, or refused/confirmed --------

SPACES = (" ", "\u00a0", "\u202f", "\u2009")


@st.composite
def written(draw: st.DrawFn, n: int) -> str:
    """``n`` as a teacher may type it: plain, or grouped by dots, commas or one kind of space."""
    if n < 1000:
        return str(n)
    separator = draw(st.sampled_from((".", ",", *SPACES, "")))
    return f"{n:,}".replace(",", separator)


@st.composite
def count_answers(draw: st.DrawFn, slot: Slot, units: tuple[str, ...]) -> tuple[int, str]:
    """A count for ``slot`` with its value, written with or without a unit of the row."""
    n = draw(st.integers(0, slot.maximum))
    number = draw(written(n))
    unit = draw(st.sampled_from(("", *units)))
    glue = draw(st.sampled_from((" ", "", "  ")))
    forms = (f"{number}{glue}{unit}", f"{unit}: {number}") if unit else (number,)
    text = draw(st.sampled_from(forms))
    padding = draw(st.sampled_from(("", " ", "\n")))
    return n, f"{padding}{text}{padding}"


@st.composite
def pair_answers(draw: st.DrawFn) -> tuple[tuple[int, int], str, bool]:
    """Classes and people in an accepted form; the flag tells whether it may read two ways."""
    a, b = draw(st.integers(0, CLASSES.maximum)), draw(st.integers(0, PEOPLE.maximum))
    x, y = draw(written(a)), draw(written(b))
    separator = draw(st.sampled_from(("/", " / ", ", ", "; ", " và ", " ")))
    classes = draw(st.sampled_from(("lớp", "lop", "Lớp", "lớp học")))
    people = draw(st.sampled_from(("người", "nguoi", "lượt người", "học sinh", "ng")))
    forms = [
        (f"{x}/{y}", False),
        (f"{x} / {y}", False),
        (f"{x} {classes}{separator}{y} {people}", False),
        (f"{y} {people}{separator}{x} {classes}", False),
        (f"{people} {y}, {classes} {x}", False),
        (f"{classes}: {x}; {people}: {y}", False),
        (f"{x}{classes} {y}{people}", False),
        (f"{x} {y}", True),
        (f"{x} {y} {people}", True),
    ]
    text, may_be_unclear = draw(st.sampled_from(forms))
    return (a, b), text, may_be_unclear


@given(count_answers(PEOPLE, ("người", "lượt người", "ng", "học sinh")))
def test_a_count_in_any_accepted_form_is_read_as_its_value(answer: tuple[int, str]) -> None:
    n, text = answer
    assert parse_count(text, PEOPLE) == n


@given(count_answers(ARTICLES, ("tin", "bài", "tin, bài", "tin bài", "bài viết")))
def test_articles_in_any_accepted_form_are_read_as_their_value(answer: tuple[int, str]) -> None:
    n, text = answer
    assert parse_count(text, ARTICLES) == n


@given(pair_answers())
def test_a_pair_in_any_accepted_form_is_read_as_its_values_or_confirmed_with_them(
    answer: tuple[tuple[int, int], str, bool],
) -> None:
    expected, text, may_be_unclear = answer
    try:
        assert parse_pair(text, CLASSES, PEOPLE) == expected
    except Ambiguous as unclear:
        assert may_be_unclear, text
        assert expected in unclear.readings
        assert 2 <= len(unclear.readings) <= numbers.MAX_READINGS


def _never_another_count(text: str, truth: int, slot: Slot) -> None:
    try:
        value = parse_count(text, slot)
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert value == truth, text


def _never_another_pair(text: str, truth: tuple[int, int]) -> None:
    try:
        value = parse_pair(text, CLASSES, PEOPLE)
    except Ambiguous as unclear:
        assert len(set(unclear.readings)) == len(unclear.readings) >= 2
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert value == truth, text


NEAR_MISSES = st.sampled_from(
    (
        lambda t: t.replace("0", "O", 1),
        lambda t: t.replace("0", "o", 1),
        lambda t: t.replace("1", "l", 1),
        lambda t: t.replace("1", "I", 1),
        lambda t: t + "abc",
        lambda t: t + "O",
        lambda t: t + " đồng",
        lambda t: t + " cuộc",
        lambda t: t + " k",
        lambda t: t + "tr",
        lambda t: "+" + t,
        lambda t: "-" + t,
        # A decimal part glued to the last number (after a word it is a new number).
        lambda t: t + ",5" if t.rstrip()[-1:].isdigit() else t,
        lambda t: t + ".5" if t.rstrip()[-1:].isdigit() else t,
        lambda t: t + "/",
        lambda t: t.replace(" ", "-"),
        lambda t: t.replace("/", "//"),
        lambda t: t.translate(str.maketrans(string.digits, "０１２３４５６７８９")),
        lambda t: t + "9" * 12,
        lambda t: t[:1] + "\u200b" + t[1:],
        lambda t: "",
        lambda t: t.replace(".", ". "),
    )
)
# Joining the parts of a count changes nothing it says; joining two numbers of a pair does.
COUNT_NEAR_MISSES = st.one_of(NEAR_MISSES, st.just(lambda t: t.replace(" ", "")))


@given(count_answers(PEOPLE, ("người",)), COUNT_NEAR_MISSES)
def test_a_near_miss_of_a_count_is_never_read_as_another_count(
    answer: tuple[int, str], miss: object
) -> None:
    n, text = answer
    mutated = miss(text)  # type: ignore[operator]
    assume(mutated != text)
    _never_another_count(mutated, n, PEOPLE)


@given(pair_answers(), NEAR_MISSES)
def test_a_near_miss_of_a_pair_is_never_read_as_another_pair(
    answer: tuple[tuple[int, int], str, bool], miss: object
) -> None:
    expected, text, _ = answer
    mutated = miss(text)  # type: ignore[operator]
    assume(mutated != text)
    _never_another_pair(mutated, expected)


@given(
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.sampled_from(("{a} lớp {b} người", "{a} lớp, {b} người", "lớp {a}, người {b}")),
)
def test_unit_words_swapped_are_read_as_the_words_say(a: int, b: int, form: str) -> None:
    swapped = form.replace("lớp", "\0").replace("người", "lớp").replace("\0", "người")
    assert parse_pair(swapped.format(a=a, b=b), CLASSES, PEOPLE) == (b, a)


@given(st.integers(0, 100_000), st.sampled_from(("lớp", "cuộc", "đồng", "quyển", "abc")))
def test_a_wrong_unit_for_the_row_is_refused(n: int, unit: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(f"{format_count(n)} {unit}", PEOPLE)
    assert refused.value.reason in {numbers.UNKNOWN_WORD, numbers.SPELL_OUT}


@given(st.integers(0, 10**6), st.sampled_from((",5", ".5", ",25", ".75")))
def test_a_decimal_in_a_count_is_refused(n: int, fraction: str) -> None:
    with pytest.raises(NumberError):
        parse_count(f"{n}{fraction}", PEOPLE)


@given(st.integers(MILLION + 1, 10**30))
def test_a_huge_count_is_refused_never_cut(n: int) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(format_count(n), PEOPLE)
    assert refused.value.reason in {numbers.TOO_LARGE, numbers.TOO_LONG, numbers.ONE_NUMBER}


@given(st.text(alphabet="0123456789.,  \u00a0/;-lOo ngườilớp", max_size=30))
def test_number_like_text_at_a_pair_row_is_read_confirmed_or_refused_never_a_crash(
    text: str,
) -> None:
    try:
        first, second = parse_pair(text, CLASSES, PEOPLE)
    except Ambiguous as unclear:
        assert 2 <= len(unclear.readings) <= numbers.MAX_READINGS
    except NumberError as refused:
        assert refused.reason in numbers.REASONS
    else:
        assert 0 <= first <= CLASSES.maximum and 0 <= second <= PEOPLE.maximum
