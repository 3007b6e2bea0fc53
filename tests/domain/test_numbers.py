"""What a teacher sees when typing counts, pairs of counts and sums of money."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import numbers
from bot.domain.numbers import (
    NumberError,
    format_count,
    format_money,
    format_pair,
    parse_count,
    parse_money,
    parse_pair,
)

MILLION = 1_000_000
TRILLION = 1_000_000_000_000

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
    assert parse_count("12.345.678", maximum=100_000_000) == 12_345_678
    assert parse_count("12,345,678", maximum=100_000_000) == 12_345_678
    assert parse_count("12 345 678", maximum=100_000_000) == 12_345_678


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
    ("text", "expected"),
    [
        ("120 người", 120),
        ("3 lớp", 3),
        ("15 cuộc", 15),
        ("200 quyển", 200),
        ("5 tin", 5),
        ("120người", 120),
        ("1.200 lượt người", 1200),
        ("120 nguoi", 120),
        ("0 lớp", 0),
    ],
)
def test_a_unit_word_after_the_count_is_tolerated(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "text", [*HOSTILE, *TWO_NUMBERS_APART, "1,5", "1.5", "0,5", "0.200", "2.5"]
)
def test_text_that_is_not_a_whole_count_is_refused_with_a_vietnamese_correction(
    text: str,
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert is_vietnamese_correction(refused.value.message)


@pytest.mark.parametrize("text", ["1,5", "1.5", "12.34", "1.2000", "1.200,5", "0.200"])
def test_a_decimal_count_is_refused_saying_counts_are_whole_numbers(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_WHOLE_NUMBER


@pytest.mark.parametrize("text", ["1.2.3", "1.20.300", "1.200 000", "1234.567"])
def test_uneven_thousand_groups_are_refused_with_an_example_of_correct_grouping(
    text: str,
) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_GROUPING


@pytest.mark.parametrize("text", ["-3", "−3", "– 3", "-0"])
def test_a_negative_count_is_refused_and_the_teacher_is_told_to_send_zero(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_NEGATIVE


@pytest.mark.parametrize("text", ["１２", "١٢", "12３", "①"])
def test_digits_from_another_keyboard_are_refused_not_silently_converted(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_ASCII_DIGITS
    assert "0–9" in refused.value.message


@pytest.mark.parametrize("text", ["\u202e021", "1\u200b200", "12\x00", "1\x1b2"])
def test_hidden_or_reordering_characters_are_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_HIDDEN_CHARACTERS


@pytest.mark.parametrize("text", ["5k", "5 nghìn", "2 triệu người", "3 trăm", "12tr"])
def test_a_count_written_with_a_multiplier_word_asks_for_all_the_digits(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_count(text)
    assert refused.value.message == numbers.MESSAGE_SPELL_OUT


def test_a_count_above_the_maximum_is_refused_naming_the_maximum() -> None:
    with pytest.raises(NumberError) as refused:
        parse_count("1.500", maximum=1200)
    assert refused.value.message == "Số quá lớn, tối đa 1.200. Thầy/cô kiểm tra lại giúp."
    assert parse_count("1.200", maximum=1200) == 1200


def test_a_very_long_message_is_refused_as_too_long() -> None:
    with pytest.raises(NumberError) as refused:
        parse_count("1" * 5000)
    assert refused.value.message == numbers.MESSAGE_TOO_LONG


def test_a_correction_is_also_a_value_error_whose_text_is_the_message() -> None:
    with pytest.raises(ValueError, match="số nguyên"):
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
        assert refused.message
    else:
        assert 0 <= value <= MILLION


@given(st.text())
def test_any_text_gives_a_pair_or_a_correction_never_a_crash(text: str) -> None:
    try:
        first, second = parse_pair(text)
    except NumberError as refused:
        assert refused.message
    else:
        assert 0 <= first <= MILLION
        assert 0 <= second <= MILLION


@given(st.text())
def test_any_text_gives_a_sum_or_a_correction_never_a_crash(text: str) -> None:
    try:
        value = parse_money(text)
    except NumberError as refused:
        assert refused.message
    else:
        assert 0 <= value <= TRILLION


@given(st.text(alphabet="0123456789.,  -/kKtrđ", max_size=20))
def test_number_like_text_gives_a_count_or_a_correction_never_a_crash(text: str) -> None:
    try:
        value = parse_count(text)
    except NumberError as refused:
        assert refused.message
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
        ("3 cuộc/120 người", (3, 120)),
        ("3 120", (3, 120)),
        ("3, 120", (3, 120)),
        ("3 120 người", (3, 120)),
        ("3lớp 120người", (3, 120)),
        ("3 lớp và 120 người", (3, 120)),
        ("1.200/15.000", (1200, 15000)),
        ("1.200 15.000", (1200, 15000)),
        ("1 200 lớp 15 000 người", (1200, 15000)),
        ("0/120", (0, 120)),
        ("không/120", (0, 120)),
        ("0/0", (0, 0)),
    ],
)
def test_a_teacher_may_send_classes_and_people_in_one_answer(
    text: str, expected: tuple[int, int]
) -> None:
    assert parse_pair(text) == expected


@pytest.mark.parametrize("text", ["0", "không", "ko", "-", "chưa có", "0 lớp"])
def test_a_single_word_for_none_answers_both_halves_of_a_pair(text: str) -> None:
    assert parse_pair(text) == (0, 0)


@pytest.mark.parametrize("text", ["120", "120 người", "1.200", "3,120", "3/", "/120", "3 lớp,"])
def test_a_single_number_for_a_pair_asks_for_both_numbers(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text)
    assert refused.value.message == numbers.MESSAGE_PAIR_NEED_BOTH
    assert "3/120" in refused.value.message


@pytest.mark.parametrize("text", ["3-120", "3 - 120", "3–120"])
def test_a_pair_joined_by_a_hyphen_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text)
    assert refused.value.message == numbers.MESSAGE_PAIR_HYPHEN


@pytest.mark.parametrize("text", ["1 200 300", "3/120/5", "3 lớp 120 người 5 cuộc", "1, 2, 3"])
def test_more_than_two_numbers_for_a_pair_are_refused(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text)
    assert refused.value.message == numbers.MESSAGE_PAIR_AMBIGUOUS


@pytest.mark.parametrize("text", [*HOSTILE, "1,5/120", "3/1.5", "-3/120", "3/-120", "lớp 3"])
def test_a_pair_with_a_bad_half_is_refused_with_a_vietnamese_correction(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_pair(text)
    assert is_vietnamese_correction(refused.value.message)


def test_each_half_of_a_pair_has_its_own_maximum() -> None:
    assert parse_pair("40/1.200", maximum_first=40, maximum_second=1200) == (40, 1200)
    with pytest.raises(NumberError, match="tối đa 40"):
        parse_pair("41/1.200", maximum_first=40, maximum_second=1200)
    with pytest.raises(NumberError, match=r"tối đa 1\.200"):
        parse_pair("40/1.201", maximum_first=40, maximum_second=1200)


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
    assert refused.value.message == numbers.MESSAGE_MONEY_WHOLE


@pytest.mark.parametrize("text", ["1.500 triệu", "1,500 triệu", "2.500k"])
def test_money_that_reads_two_ways_asks_for_all_the_digits(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_money(text)
    assert refused.value.message == numbers.MESSAGE_MONEY_AMBIGUOUS


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
    assert is_vietnamese_correction(refused.value.message)


def test_a_sum_above_the_maximum_is_refused_naming_the_maximum_in_dong() -> None:
    with pytest.raises(NumberError) as refused:
        parse_money("2 tỷ", maximum=1_000_000_000)
    assert refused.value.message == (
        "Số tiền quá lớn, tối đa 1.000.000.000 đồng. Thầy/cô kiểm tra lại giúp."
    )
    assert parse_money("1 tỷ", maximum=1_000_000_000) == 1_000_000_000


def test_a_negative_sum_is_refused_and_the_teacher_is_told_to_send_zero() -> None:
    with pytest.raises(NumberError) as refused:
        parse_money("-5 triệu")
    assert refused.value.message == numbers.MESSAGE_MONEY_NEGATIVE


def test_every_correction_text_is_written_with_vietnamese_diacritics() -> None:
    texts = [value for name, value in vars(numbers).items() if name.startswith("MESSAGE_")]
    assert len(texts) >= 15
    assert all(is_vietnamese_correction(text) for text in texts)
