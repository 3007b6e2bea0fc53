"""Text that people typed, made safe to put in a spreadsheet cell (XLSX) or a CSV field.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage return, which
some programs skip before reading one of those) is taken for a formula when the file is opened
in a spreadsheet, or when a cell is edited and confirmed: "=HYPERLINK(…)" in a unit's name
would become a live link, "+1" in an achievement a number. The usual rule (OWASP, "CSV
injection") is to put a single quote in front, so the text stays text and still reads the same.
Characters XML 1.0 cannot hold (control characters) are dropped, and a cell is cut at the 32,767
characters a spreadsheet cell holds.
"""

from __future__ import annotations

import re
from typing import Final

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL: Final = 32_767
# Control characters other than tab, line feed and carriage return: refused by XML 1.0.
_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(text: str) -> str:
    """The text, neutralized when it could be read as a formula, and fit for one cell."""
    text = _ILLEGAL.sub("", text)
    if text.startswith(FORMULA_START):
        text = "'" + text
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text


def safe_value(value: int | str | None) -> int | str | None:
    """A number as it is; text made safe with ``safe_text``."""
    return safe_text(value) if isinstance(value, str) else value
