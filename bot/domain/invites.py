"""Invite codes: random, typed on a phone, read aloud over the phone without confusion.

A code is 16 characters from a 32-letter alphabet without I, O, 0 and 1 (80 random bits),
shown in groups of four: ``ABCD-EFGH-JKMN-PQRS``. Only its hash is stored.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16


def new_code() -> str:
    """A fresh random code, grouped for reading."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize_code(text: str) -> str | None:
    """The canonical grouped code a person typed (any case, spaces or dashes), or None."""
    compact = "".join(c for c in text.upper() if c not in " -_.\t")
    if len(compact) != LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, LENGTH, 4))
