"""The detail of an area for machines: one CSV line per unit and number, UTF-8 with a BOM.

Long form, so a pivot table or a script reads it without knowing the template: ``unit_code,
unit_name, kind, parent_code, status, reference, submitted_at, row_code, measure, value``. A
submitted report gives one line per number of the table (derived rows included, zeros too) and
one per free text it holds; a unit without a submitted report gives one line with its status and
no row, so every unit of the area appears. The BOM makes Excel read the Vietnamese letters; text
is neutralized against formulas (``cells.safe_text``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from bot.domain.rollup import NOT_STARTED, SUBMITTED, Subtree, numeric_keys, text_keys
from bot.export.cells import safe_value

HEADER: Final = (
    "unit_code",
    "unit_name",
    "kind",
    "parent_code",
    "status",
    "reference",
    "submitted_at",
    "row_code",
    "measure",
    "value",
)


def write_csv(subtree: Subtree, path: Path) -> None:
    """Writes the area's detail to ``path`` (times in UTC, ISO 8601)."""
    form = subtree.campaign.form
    keys, free = numeric_keys(form), text_keys(form)
    codes = {unit.id: unit.code for unit in subtree.units}
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for unit in subtree.units:
            report = subtree.reports.get(unit.id)
            sent = report.submitted_at if report is not None else None
            who: list[int | str | None] = [
                unit.code,
                unit.name,
                unit.kind,
                codes.get(unit.parent_id) if unit.parent_id is not None else None,
                NOT_STARTED if report is None else report.status,
                report.reference if report is not None else None,
                sent.isoformat() if sent is not None else None,
            ]
            who = [safe_value(value) for value in who]
            if report is None or report.progress != SUBMITTED:
                writer.writerow([*who, None, None, None])
                continue
            values = subtree.values[unit.id]
            for key in keys:
                writer.writerow([*who, *key.split(":", 1), values[key]])
            for key in free:
                text = report.answers.get(key)
                if isinstance(text, str) and text.strip():
                    writer.writerow([*who, *key.split(":", 1), safe_value(text)])
