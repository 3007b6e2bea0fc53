"""Kinds of reporting unit and the level of the reporting chain each reports at."""

from __future__ import annotations

from bot.domain.campaign import Level

# The names said to people are in handlers/messages.py (UNIT_KIND_NAMES).
UNIT_KINDS: dict[str, Level] = {
    "school": Level.SCHOOL,
    "centre": Level.SCHOOL,  # TTHTCĐ, GDNN-GDTX centres
    "commune": Level.COMMUNE,
    "district": Level.DISTRICT,
    "province": Level.PROVINCE,
}


def level_of(kind: str) -> Level:
    """The level of the chain a unit of this kind reports at; ValueError for an unknown kind."""
    try:
        return UNIT_KINDS[kind]
    except KeyError:
        known = ", ".join(UNIT_KINDS)
        raise ValueError(f"unknown unit kind {kind!r}; known kinds: {known}") from None
