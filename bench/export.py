"""Benchmark of the official table's export over a province of 10,000 units (not a test).

    .venv/bin/python bench/export.py [--units 10000] [--evidence 30000] [--db PATH]

Builds (once, kept at --db) a migrated SQLite database: a province, communes of about a hundred
schools each, every unit's report submitted with every row of the form answered, and the
evidence rows. Then, each in a fresh process so that its peak memory is its own:

- export: ``load_subtree`` then ``write_xlsx``, as /export runs them;
- direct: the same cells (read back from the export's file beforehand, not timed) written with
  openpyxl's write-only workbook and nothing else: no styles, no sums, no database.

Prints wall time and peak memory (ru_maxrss) of each and the ratio. Targets from issue 11: under
10 s and under 400 MB for the export, within 1.5 times the direct write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.domain.form import MeasureKind  # noqa: E402
from bot.domain.loader import load_campaigns  # noqa: E402
from bot.export.load import load_subtree  # noqa: E402
from bot.export.xlsx import write_xlsx  # noqa: E402
from storage.db import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Answer, Evidence, Member, Report, Unit  # noqa: E402
from storage.uow import UnitOfWorkFactory  # noqa: E402

NOW = datetime(2023, 10, 16, 2, 0, tzinfo=UTC)
SCHOOLS_PER_COMMUNE = 99
CAMPAIGN = load_campaigns()[2023]


def _answers(number: int) -> list[tuple[str, int | None, str | None]]:
    """Every group run, every asked row answered, the opening held."""
    form = CAMPAIGN.form
    rows: list[tuple[str, int | None, str | None]] = [("opening:held", 1, None)]
    for group in form.groups:
        if group.ask_if_run:
            rows.append((f"run:{group.number}", 1, None))
        for item in group.asked_items:
            for measure in item.measures:
                key = f"{item.code}:{measure.key}"
                if measure.kind is MeasureKind.TEXT:
                    rows.append((key, None, f"Ghi chú của đơn vị {number}"))
                else:
                    rows.append((key, (number * 7 + len(key)) % 300 + 1, None))
    return rows


async def build(path: Path, units: int, evidence: int) -> None:
    """The province's database, made with bulk inserts."""
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(engine)
    uows = UnitOfWorkFactory(session_factory(engine))
    async with uows() as uow:
        campaign = await uow.campaigns.ensure(CAMPAIGN.year, CAMPAIGN.theme, CAMPAIGN.form.code)
        session = uow.session
        rows: list[dict[str, Any]] = [
            {"id": 1, "code": "P", "name": "Tỉnh Thừa Thiên Huế", "kind": "province"}
        ]
        communes = max(1, -(-(units - 1) // (SCHOOLS_PER_COMMUNE + 1)))
        for c in range(communes):
            commune_id = len(rows) + 1
            rows.append(
                {
                    "id": commune_id,
                    "code": f"X{c:03d}",
                    "name": f"UBND xã số {c}",
                    "kind": "commune",
                }
            )
            rows[-1]["parent_id"] = 1
            for s in range(SCHOOLS_PER_COMMUNE):
                if len(rows) >= units:
                    break
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "code": f"X{c:03d}-{s:02d}",
                        "name": f"Trường Tiểu học số {s} xã {c}",
                        "kind": "school",
                        "parent_id": commune_id,
                    }
                )
        for row in rows:
            row.setdefault("parent_id", None)
            row["created_at"] = NOW
            row["contact"] = None
        await session.execute(insert(Unit), rows)
        await session.execute(
            insert(Member),
            [
                {
                    "id": row["id"],
                    "platform": "telegram",
                    "user_id": f"u{row['id']}",
                    "chat_id": f"u{row['id']}",
                    "display_name": f"Cô giáo {row['id']}",
                    "unit_id": row["id"],
                    "role": "reporter",
                    "joined_at": NOW,
                }
                for row in rows
            ],
        )
        await session.execute(
            insert(Report),
            [
                {
                    "id": row["id"],
                    "campaign_id": campaign.id,
                    "unit_id": row["id"],
                    "status": "submitted",
                    "reference": f"2023-{row['id']:06d}",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "submitted_at": NOW,
                    "submitted_by": row["id"],
                    "revision": 1,
                }
                for row in rows
            ],
        )
        answers = [
            {
                "report_id": row["id"],
                "key": key,
                "value_int": number,
                "value_text": text,
                "member_id": row["id"],
                "updated_at": NOW,
            }
            for row in rows
            for key, number, text in _answers(row["id"])
        ]
        for start in range(0, len(answers), 50_000):
            await session.execute(insert(Answer), answers[start : start + 50_000])
        await session.execute(
            insert(Evidence),
            [
                {
                    "report_id": n % len(rows) + 1,
                    "sha256": f"{n:064x}",
                    "stored_key": f"{n % 256:02x}/{n:064x}.jpg",
                    "mime": "image/jpeg",
                    "size": 200_000 + n,
                    "stored_sha256": f"{n:064x}",
                    "stored_size": 150_000 + n,
                    "member_id": n % len(rows) + 1,
                    "created_at": NOW,
                }
                for n in range(evidence)
            ],
        )
        await uow.commit()
    await engine.dispose()
    print(f"built {path}: {len(rows)} units, {len(answers)} answers, {evidence} evidence rows")


def cells_of(workbook: Path, dump: Path) -> None:
    """The values of every sheet of the export, for the direct writes to write again."""
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True)
    sheets = [
        (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book
    ]
    book.close()
    dump.write_bytes(pickle.dumps(sheets))


def _direct(dump: Path, out: Path, *, styled: bool) -> dict[str, Any]:
    """The same cells written with openpyxl's write-only workbook and nothing else: as values
    only, or each in a named style (Times New Roman, thin box; numbers grouped), as the export
    styles them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

    sheets = pickle.loads(dump.read_bytes())  # noqa: S301 - our own file, written just before
    started = time.perf_counter()
    book = Workbook(write_only=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="Times New Roman", size=12)
    book.add_named_style(
        NamedStyle(name="text", font=font, border=box, alignment=Alignment(wrap_text=True))
    )
    book.add_named_style(NamedStyle(name="number", font=font, border=box, number_format="#,##0"))
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            if not styled:
                sheet.append(row)
                continue
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if value is not None:
                    cell.style = "number" if isinstance(value, int) else "text"
                cells.append(cell)
            sheet.append(cells)
    book.save(out)
    return {"write_s": time.perf_counter() - started}


def _run_export(db: Path, out: Path) -> dict[str, Any]:
    async def load() -> Any:
        engine = create_engine(f"sqlite+aiosqlite:///{db}")
        uows = UnitOfWorkFactory(session_factory(engine))
        async with uows() as uow:
            campaign = await uow.campaigns.ensure(
                CAMPAIGN.year, CAMPAIGN.theme, CAMPAIGN.form.code
            )
            subtree = await load_subtree(uow, CAMPAIGN, campaign.id, 1, NOW)
        await engine.dispose()
        return subtree

    started = time.perf_counter()
    subtree = asyncio.run(load())
    loaded = time.perf_counter()
    write_xlsx(subtree, out)
    return {
        "units": len(subtree.units),
        "load_s": loaded - started,
        "write_s": time.perf_counter() - loaded,
    }


def _step(args: argparse.Namespace) -> None:
    """One measured step, in its own process; prints its figures as one JSON line."""
    output: dict[str, Any] = {}
    if args.step == "export":
        output = _run_export(args.db, args.out)
    elif args.step == "cells":
        cells_of(args.out, args.out.with_name("cells.pickle"))
    else:
        output = _direct(args.db, args.out, styled=args.step == "styled")
    output["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(output))


def _measure(*args: str) -> tuple[float, float, dict[str, Any]]:
    """Runs this script in a fresh process; its wall time, peak memory (MB) and its output."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this script, with arguments we wrote
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, report.pop("peak_mb"), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--evidence", type=int, default=30_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "tuanle-bench.sqlite3"
    )
    steps = ("export", "cells", "plain", "styled")
    parser.add_argument("--step", choices=steps, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args)
        return
    if not args.db.exists():
        asyncio.run(build(args.db, args.units, args.evidence))
    work = Path(tempfile.mkdtemp(prefix="tuanle-bench-"))
    made, dump = work / "export.xlsx", work / "cells.pickle"
    wall, peak, report = _measure("--step", "export", "--db", str(args.db), "--out", str(made))
    _measure("--step", "cells", "--db", str(args.db), "--out", str(made))
    print(f"units: {report['units']}, workbook {made.stat().st_size / 1e6:.1f} MB")
    print(
        f"export (load_subtree + write_xlsx): {wall:.1f} s wall with start-up "
        f"(load {report['load_s']:.1f} s, write {report['write_s']:.1f} s), peak {peak:.0f} MB"
    )
    whole = report["load_s"] + report["write_s"]
    for step in ("plain", "styled"):
        d_wall, d_peak, d_report = _measure(
            "--step", step, "--db", str(dump), "--out", str(work / f"{step}.xlsx")
        )
        print(
            f"direct openpyxl write of the same cells, {step}: {d_report['write_s']:.1f} s "
            f"({d_wall:.1f} s with start-up), peak {d_peak:.0f} MB; "
            f"write_xlsx {report['write_s'] / d_report['write_s']:.2f}x, "
            f"load + write {whole / d_report['write_s']:.2f}x"
        )


if __name__ == "__main__":
    main()
