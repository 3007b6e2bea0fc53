"""Safe names for what an export writes: folders and files inside a ZIP, files on disk.

A unit's name is typed by people ("../../etc", "CON", "a/b\\c", emoji, text in decomposed
Unicode); it may name a folder only after it is made safe for every system the archive will be
opened on: NFC, letters, digits and a little punctuation, no path separator, no "..", no leading
or trailing dot or space (Windows drops them), no reserved device name (CON, NUL, COM1…), a
bounded length in UTF-8 bytes, and unique ignoring case (Windows and macOS fold case).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Names Windows keeps for devices, with or without an extension ("con.txt" is CON too).
_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
_PUNCTUATION: Final = frozenset(" -_.,()&+'")
_UNDERSCORE_RUN: Final = re.compile(r"[._]*_[._]*")
_DOTS: Final = re.compile(r"\.{2,}")
_SPACES: Final = re.compile(r" {2,}")
_EDGES: Final = " ._-"


def safe_name(text: str, *, limit: int = 80, fallback: str = "_") -> str:
    """Returns text made into one safe path component of at most ``limit`` UTF-8 bytes.

    Args:
        text: anything a person typed; never trusted.
        limit: the largest size of the result in UTF-8 bytes (file systems count bytes).
        fallback: the name when nothing of text is left (all punctuation, emoji, empty).
    """
    kept = _keep_letters(unicodedata.normalize("NFC", text))
    kept = _SPACES.sub(" ", _DOTS.sub(".", _UNDERSCORE_RUN.sub("_", kept))).strip(_EDGES)
    kept = _truncate(kept, limit).strip(_EDGES)
    if not kept:
        return fallback
    if kept.split(".", 1)[0].strip().upper() in _RESERVED:
        kept = _truncate(f"_{kept}", limit)
    return kept


def _keep_letters(text: str) -> str:
    """Letters, decimal digits and allowed punctuation stay, and a mark on a kept letter; a space
    of any kind becomes " ", anything else "_" (an emoji's variation selector goes with it)."""
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        on_letter = bool(kept) and unicodedata.category(kept[-1])[0] in "LM"
        wanted = char in _PUNCTUATION or category[0] == "L" or category == "Nd"
        if wanted or (category[0] == "M" and on_letter):
            kept.append(char)
        else:
            kept.append(" " if char.isspace() else "_")
    return "".join(kept)


def _truncate(text: str, limit: int) -> str:
    """The longest prefix of text whose UTF-8 form fits in limit bytes, never half a letter."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    cut = encoded[:limit].decode("utf-8", errors="ignore")
    # A cut between a base letter and its combining mark would change the letter; drop both.
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut


class UniqueNames:
    """Hands out safe names unique within one folder, ignoring case: "a", "a (2)", "a (3)"."""

    def __init__(self, *, limit: int = 80) -> None:
        self._limit = limit
        self._taken: set[str] = set()

    def take(self, text: str, *, extension: str = "") -> str:
        """A safe, not yet used name for text, with ``extension`` ("jpg", no dot) kept whole."""
        suffix = f".{extension}" if extension else ""
        room = self._limit - len(suffix.encode("utf-8"))
        stem = safe_name(text, limit=room)
        name, number = f"{stem}{suffix}", 1
        while name.casefold() in self._taken:
            number += 1
            counter = f" ({number})"
            base = safe_name(stem, limit=room - len(counter.encode("utf-8")))
            name = f"{base}{counter}{suffix}"
        self._taken.add(name.casefold())
        return name
