"""Invite codes: random, typed on a phone, read aloud over the phone without confusion.

A code is 16 characters from a 32-letter alphabet without I, O, 0 and 1 (80 random bits),
shown in groups of four: ``ABCD-EFGH-JKMN-PQRS``. Only its hash is stored. A message that is
not even shaped like a code ("xin chào", "alo") is a greeting, not a guess: it is never counted
against the sender.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16
SEPARATORS = " -_.\t"
NEAR = 4  # a code typed with up to this many characters too many or too few is still a try


def new_code() -> str:
    """A fresh random code, grouped for reading."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize_code(text: str) -> str | None:
    """The canonical grouped code a person typed (any case, spaces or dashes), or None."""
    compact = "".join(c for c in text.upper() if c not in SEPARATORS)
    if len(compact) != LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, LENGTH, 4))


def looks_like_code(text: str) -> bool:
    """True when ``text`` is shaped like an attempt at a code, right or wrong.

    That is: without spaces and dashes, 12 to 20 Latin letters and digits, and either at least
    one of them a digit (a random code has four on average; words and names have none) or
    written in dashed groups of three to five, the way codes are shown ("ABCD-EFGH-JKMN-PQR").
    """
    stripped = text.strip()
    compact = "".join(c for c in stripped.upper() if c not in SEPARATORS)
    groups = stripped.split("-")
    dashed = len(groups) > 2 and all(3 <= len(g.strip()) <= 5 for g in groups)
    return (
        LENGTH - NEAR <= len(compact) <= LENGTH + NEAR
        and compact.isascii()
        and compact.isalnum()
        and (dashed or any(c.isdigit() for c in compact))
    )
