"""Kinds of reporting unit and the level of the reporting chain each reports at."""

from __future__ import annotations

from bot.domain.campaign import Level

UNIT_KINDS: dict[str, tuple[str, Level]] = {
    "school": ("Trường học", Level.SCHOOL),
    "centre": ("Trung tâm (TTHTCĐ, GDNN-GDTX)", Level.SCHOOL),
    "commune": ("UBND xã, phường", Level.COMMUNE),
    "district": ("Huyện, Phòng GDĐT", Level.DISTRICT),
    "province": ("Tỉnh, thành phố, Sở GDĐT", Level.PROVINCE),
}


def level_of(kind: str) -> Level:
    """The level of the chain a unit of this kind reports at; ValueError for an unknown kind."""
    try:
        return UNIT_KINDS[kind][1]
    except KeyError:
        known = ", ".join(UNIT_KINDS)
        raise ValueError(f"unknown unit kind {kind!r}; known kinds: {known}") from None
