"""``tuanle export UNIT [--year NĂM] [--out THƯ_MỤC]`` as an admin at the server uses it: a real
``tuanle`` process on the database under test writes the area's files, prints their paths, and
tells its progress on stderr (plain lines into a pipe, a bar redrawn in place on a terminal)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.terminal_progress import ProgressBar
from handlers import messages as say
from storage.models import AuditEntry
from tests.export.helpers import Filed, store

ANSWERS: dict[str, int | str] = {"run:1": 1, "1.1:quantity": 2, "1.1:people": 60}
AREA = [
    Filed("HUE", "Sở GDĐT Huế", "province", None),
    Filed("XA-KL", "UBND phường Kim Long", "commune", "HUE", "submitted", ANSWERS),
    Filed("THCS-01", "Trường THCS Kim Long", "school", "XA-KL", "submitted", ANSWERS),
    Filed("TH-02", "Trường Tiểu học Kim Long", "school", "XA-KL", "draft", ANSWERS),
    Filed("XA-HL", "UBND phường Hương Long", "commune", "HUE"),
]


def tuanle(args: list[str], app: App, home: Path) -> subprocess.CompletedProcess[str]:
    """Runs ``tuanle`` in ``home`` on the test's database and evidence directory."""
    settings = app.settings
    (home / "tuanle.toml").write_text(
        f'[database]\nurl = "{settings.database.url}"\n'
        f'[evidence]\ndirectory = "{settings.evidence.directory}"\n'
        f'[campaign]\nyear = 2023\n[log]\nfile = "{home / "tuanle.log"}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=home,
        env=env,
        timeout=180,
        check=False,
    )


async def test_the_files_land_in_exports_and_their_paths_are_printed(
    app: App, tmp_path: Path
) -> None:
    await store(app, AREA)

    run = tuanle(["export", "XA-KL"], app, tmp_path)

    assert run.returncode == 0, run.stderr
    paths = [Path(line) for line in run.stdout.splitlines()]
    assert [path.name for path in paths] == [
        "TuanLe2023_XA-KL_tong-hop.xlsx",
        "TuanLe2023_XA-KL_bao-cao.docx",
        "TuanLe2023_XA-KL_chi-tiet.csv",
        "TuanLe2023_XA-KL_minh-chung.zip",
    ]
    assert all((tmp_path / path).resolve().parent == tmp_path / "exports" for path in paths)
    book = load_workbook(tmp_path / paths[0], read_only=True)
    cells = {value for sheet in book.worksheets for row in sheet.values for value in row}
    assert "Trường THCS Kim Long" in cells and "UBND phường Hương Long" not in cells
    assert "\r" not in run.stderr  # a pipe gets lines, not a bar redrawn in place
    progress = run.stderr.splitlines()
    assert progress[0] == say.CLI_EXPORT_PROGRESS.format(
        percent=0, text=say.EXPORT_STEPS["loading"]
    )
    assert progress[-2].startswith("100%")
    assert progress[-1] == say.EXPORT_SUMMARY.format(
        submitted=2, units=3, evidence=0, nominations=0
    )
    async with app.uows() as uow:
        audited = (await uow.session.execute(select(AuditEntry))).scalars().all()
    assert [(e.actor, e.action, e.detail["unit"]) for e in audited if e.action == "export"] == [
        ("cli", "export", "XA-KL")
    ]


async def test_a_past_year_goes_where_out_says(app: App, tmp_path: Path) -> None:
    await store(app, AREA)

    run = tuanle(["export", "HUE", "--year", "2021", "--out", "nam-2021"], app, tmp_path)

    assert run.returncode == 0, run.stderr
    written = sorted(path.name for path in (tmp_path / "nam-2021").iterdir())
    assert written == [
        "TuanLe2021_HUE_bao-cao.docx",
        "TuanLe2021_HUE_chi-tiet.csv",
        "TuanLe2021_HUE_minh-chung.zip",
        "TuanLe2021_HUE_tong-hop.xlsx",
    ]
    # Nobody reported in 2021: the reports of 2023 are not counted there.
    assert run.stderr.splitlines()[-1] == say.EXPORT_SUMMARY.format(
        submitted=0, units=5, evidence=0, nominations=0
    )


async def test_an_unknown_unit_or_year_is_one_clear_line_and_exit_2(
    app: App, tmp_path: Path
) -> None:
    await store(app, AREA)

    unknown_unit = tuanle(["export", "XA-NOPE"], app, tmp_path)
    unknown_year = tuanle(["export", "HUE", "--year", "1999"], app, tmp_path)

    assert unknown_unit.returncode == 2
    assert unknown_unit.stderr.strip() == say.CLI_ERROR.format(
        error=say.CLI_NO_UNIT.format(code="XA-NOPE")
    )
    assert unknown_year.returncode == 2
    assert "1999" in unknown_year.stderr and "2023" in unknown_year.stderr
    assert not (tmp_path / "exports").exists()
    assert unknown_unit.stdout == unknown_year.stdout == ""


async def test_an_out_directory_that_cannot_be_written_is_one_clear_line_and_exit_2(
    app: App, tmp_path: Path
) -> None:
    await store(app, AREA)
    (tmp_path / "exports").write_text("a file where the directory should be", encoding="utf-8")

    run = tuanle(["export", "XA-KL"], app, tmp_path)

    assert run.returncode == 2
    said = run.stderr.splitlines()[-1]
    reason = say.CLI_EXPORT_REASONS["EEXIST"]
    assert said == say.CLI_ERROR.format(
        error=say.CLI_EXPORT_CANNOT_WRITE.format(path="exports", reason=reason)
    )
    assert "Traceback" not in run.stderr and run.stdout == ""


class Terminal(io.StringIO):
    """What a terminal shows is what was written to it; it says it is one."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_in_place_and_ends_its_line() -> None:
    screen = Terminal()
    bar = ProgressBar(screen)

    bar.show(0, "một")
    bar.show(50, "hai")
    bar.show(100, "ba")
    bar.close()

    drawn = screen.getvalue()
    assert drawn.count("\n") == 1 and drawn.endswith("\n")
    last = drawn.rstrip("\n").split("\r")[-1]
    assert last.startswith("[" + "#" * 24 + "]") and last.rstrip().endswith("100% ba")
