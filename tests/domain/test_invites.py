"""Invite codes: what is read as a code, and what is only shaped like one (a counted try) or
not at all (a greeting, answered with the welcome and never counted)."""

from __future__ import annotations

import pytest

from bot.domain.invites import looks_like_code, new_code, normalize_code


def test_a_new_code_reads_back_as_itself_however_it_is_typed() -> None:
    code = new_code()
    assert normalize_code(code) == code
    assert normalize_code(code.lower().replace("-", " ")) == code
    assert looks_like_code(code)


@pytest.mark.parametrize(
    "text",
    ["ABCD-EFGH-JKMN-PQR0", "abcd efgh jkmn pq12", "ABCD-EFGH-JKMN-PQR", "A2CDEFGHJKMNPQRS1234"],
)
def test_a_near_miss_of_a_code_looks_like_a_code(text: str) -> None:
    assert normalize_code(text) is None and looks_like_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "alo",
        "ok",
        "👍",
        "thaycogiaovien",  # letters only: a word, not a code
        "xin-chao-thay-co",
        "Chào thầy ạ, em muốn báo cáo",
        "1" * 40,
        "ABCD-EFGH-JKMN-PQRS-TUVW-2345",  # far too long
    ],
)
def test_a_greeting_does_not_look_like_a_code(text: str) -> None:
    assert not looks_like_code(text)
