"""The detail CSV as a script or Excel reads it: a line per unit and number, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.app import App
from bot.domain.rollup import numeric_keys
from bot.export.detail_csv import HEADER, write_csv
from tests.export.helpers import AREA, Filed, expected_sums, load_area, store


async def _written(
    app: App, tmp_path: Path, area: list[Filed], root: str
) -> tuple[bytes, list[dict[str, str]]]:
    ids = await store(app, area)
    path = tmp_path / "chitiet.csv"
    write_csv(await load_area(app, ids, root), path)
    data = path.read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return data, rows


async def test_it_starts_with_a_bom_and_sums_back_to_the_table(app: App, tmp_path: Path) -> None:
    data, rows = await _written(app, tmp_path, AREA, "P")
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(HEADER).encode())
    form = app.engine.campaign.form
    sums: dict[str, int] = {}
    for row in rows:
        if row["status"] == "submitted" and row["measure"] != "text":
            key = f"{row['row_code']}:{row['measure']}"
            sums[key] = sums.get(key, 0) + int(row["value"])
    assert sums == expected_sums(form, AREA)
    per_unit = {row["unit_code"] for row in rows if row["row_code"]}
    assert per_unit == {f.code for f in AREA if f.status == "submitted"}
    assert len([r for r in rows if r["unit_code"] == "X1-A" and r["measure"] != "text"]) == len(
        numeric_keys(form)
    )


async def test_every_unit_appears_with_its_status(app: App, tmp_path: Path) -> None:
    _data, rows = await _written(app, tmp_path, AREA, "P")
    statuses = {row["unit_code"]: row["status"] for row in rows}
    assert statuses == {
        "P": "not_started",
        "X1": "submitted",
        "X1-A": "submitted",
        "X1-B": "submitted",
        "X1-C": "draft",
        "X1-D": "reopened",
        "X2": "not_started",
        "X2-A": "submitted",
    }
    x1a = next(r for r in rows if r["unit_code"] == "X1-A")
    assert (x1a["unit_name"], x1a["parent_code"], x1a["kind"]) == (
        "Trường THCS Kim Long",
        "X1",
        "school",
    )
    assert x1a["reference"] and x1a["submitted_at"].startswith("2023-10-16T02:00")
    texts = [r["value"] for r in rows if r["measure"] == "text"]
    assert texts == ["Ra mắt tủ sách lớp học"]


async def test_text_that_looks_like_a_formula_is_neutralized(app: App, tmp_path: Path) -> None:
    area = [
        Filed("X", "=1+2", "commune", None, "submitted", {"11:text": "+84 905 000 111"}),
        Filed("S", "@cmd|' /C calc'!A0", "school", "X", "draft"),
        Filed("T", "-Trường A", "school", "X"),
    ]
    _data, rows = await _written(app, tmp_path, area, "X")
    names = {row["unit_code"]: row["unit_name"] for row in rows}
    assert names == {"X": "'=1+2", "S": "'@cmd|' /C calc'!A0", "T": "'-Trường A"}
    assert [r["value"] for r in rows if r["measure"] == "text"] == ["'+84 905 000 111"]
