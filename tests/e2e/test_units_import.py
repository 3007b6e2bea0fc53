"""``tuanle units import FILE`` as an admin uses it: real CSV and XLSX files written here, a real
``tuanle`` process on the database under test, and ``tuanle units list`` (or the database) read
back to see what was imported; a file with problems imports nothing and says where each one is."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.app import App
from bot.units_import import ImportRefused, import_units
from storage.models import AuditEntry

NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)

# A commune with two schools, the schools listed before their commune and province.
PROVINCE = (
    "code,name,kind,parent code,contact\n"
    "THCS-01,Trường THCS Kim Long,school,XA-KL,0912 345 678\n"
    'TH-02,"Trường TH Vỹ Dạ, cơ sở 2",school,XA-KL,\n'
    "XA-KL,UBND phường Kim Long,commune,HUE,+84 234 3822 111\n"
    "HUE,Sở GDĐT Huế,province,,sogd@hue.gov.vn\n"
)
PROVINCE_LIST = [
    "HUE\tprovince\t-\tSở GDĐT Huế",
    "TH-02\tschool\tXA-KL\tTrường TH Vỹ Dạ, cơ sở 2",
    "THCS-01\tschool\tXA-KL\tTrường THCS Kim Long",
    "XA-KL\tcommune\tHUE\tUBND phường Kim Long",
]


def tuanle(args: list[str], home: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """Runs ``tuanle`` in ``home`` on the database under test."""
    (home / "tuanle.toml").write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=home,
        env=env,
        timeout=120,
        check=False,
    )


def listed(home: Path, database_url: str) -> list[str]:
    shown = tuanle(["units", "list"], home, database_url)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.splitlines()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


async def unit_contacts(app: App) -> dict[str, str | None]:
    async with app.uows() as uow:
        return {unit.code: unit.contact for unit in await uow.units.all()}


async def test_a_province_imported_from_a_csv_and_the_same_file_again_changes_nothing(
    app: App, database_url: str, tmp_path: Path
) -> None:
    file = write(tmp_path / "don-vi.csv", PROVINCE)

    first = tuanle(["units", "import", str(file)], tmp_path, database_url)
    assert first.returncode == 0, first.stderr
    assert "+ THCS-01: Trường THCS Kim Long (trường học) — thêm" in first.stdout
    assert first.stdout.splitlines()[-1] == "4 thêm, 0 sửa, 0 không đổi"
    assert listed(tmp_path, database_url) == PROVINCE_LIST
    contacts = await unit_contacts(app)
    # "+84 …" looks like a formula to a spreadsheet; here it is the text typed.
    assert contacts == {
        "THCS-01": "0912 345 678",
        "TH-02": None,
        "XA-KL": "+84 234 3822 111",
        "HUE": "sogd@hue.gov.vn",
    }

    again = tuanle(["units", "import", str(file)], tmp_path, database_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "0 thêm, 0 sửa, 4 không đổi\n"
    assert listed(tmp_path, database_url) == PROVINCE_LIST
    assert await unit_contacts(app) == contacts


async def test_a_renamed_unit_and_a_moved_school_are_updates_reported_and_audited(
    app: App, database_url: str, tmp_path: Path
) -> None:
    await import_units(app.uows, PROVINCE.encode(), NOW)
    changed = (
        PROVINCE.replace("Trường THCS Kim Long", "Trường THCS Kim Long mới")
        .replace("TH-02,", "TH-03,")  # the school TH-02 is missing from the file: left alone
        .replace("HUE,Sở", "XA-PH,UBND phường Phú Hội,commune,HUE,\nHUE,Sở")
        .replace(
            "THCS-01,Trường THCS Kim Long mới,school,XA-KL",
            "THCS-01,Trường THCS Kim Long mới,school,XA-PH",
        )
    )
    file = write(tmp_path / "don-vi.csv", changed)

    run = tuanle(["units", "import", str(file)], tmp_path, database_url)

    assert run.returncode == 0, run.stderr
    assert (
        "~ THCS-01: tên Trường THCS Kim Long → Trường THCS Kim Long mới; "
        "cấp trên XA-KL → XA-PH — sửa"
    ) in run.stdout
    assert "+ XA-PH: UBND phường Phú Hội (UBND xã, phường) — thêm" in run.stdout
    assert run.stdout.splitlines()[-1] == "2 thêm, 1 sửa, 2 không đổi"
    units = listed(tmp_path, database_url)
    assert "THCS-01\tschool\tXA-PH\tTrường THCS Kim Long mới" in units
    assert "TH-02\tschool\tXA-KL\tTrường TH Vỹ Dạ, cơ sở 2" in units
    async with app.uows() as uow:
        entries = (await uow.session.execute(select(AuditEntry))).scalars().all()
    updates = [e.detail for e in entries if e.action == "unit.import.update"]
    assert updates == [
        {
            "unit": "THCS-01",
            "changes": {
                "name": ["Trường THCS Kim Long", "Trường THCS Kim Long mới"],
                "parent": ["XA-KL", "XA-PH"],
            },
        }
    ]


async def test_a_file_with_three_problems_imports_nothing_and_names_each_line_and_column(
    app: App, database_url: str, tmp_path: Path
) -> None:
    file = write(
        tmp_path / "loi.csv",
        "code,name,kind,parent code\n"
        "HUE,Sở GDĐT Huế,province,\n"
        "THCS-01,,school,HUE\n"  # no name
        "XA-KL,UBND phường Kim Long,village,HUE\n"  # an unknown kind
        "HUE,Sở GDĐT Huế (bản sao),province,\n",  # the same code twice
    )

    run = tuanle(["units", "import", str(file)], tmp_path, database_url)

    assert run.returncode == 1
    assert run.stdout == ""
    problems = run.stderr.splitlines()
    assert problems[0] == "dòng 3, cột “name”: không được để trống"
    assert problems[1].startswith("dòng 4, cột “kind”: không có loại “village”; chọn một trong:")
    assert problems[2] == "dòng 5, cột “code”: mã HUE đã có ở dòng 2"
    assert problems[3] == "Không nhập đơn vị nào: 3 lỗi. Sửa tệp rồi chạy lại lệnh."
    assert len(problems) == 4
    assert listed(tmp_path, database_url) == []


async def test_an_xlsx_with_vietnamese_headers_in_another_order(
    app: App, database_url: str, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Tên", "Mã", "Loại", "Mã cấp trên", "Liên hệ"])
    sheet.append(["Trường THCS Kim Long", "THCS-01", "school", "XA-KL", 912345678])
    sheet.append([None, None, None, None, None])  # a blank line is skipped
    sheet.append(["UBND phường Kim Long", "XA-KL", "Commune", None, "ubnd@kimlong.vn"])
    sheet.append(["Trường số", 1001, "school", "XA-KL", None])  # a code typed as a number
    file = tmp_path / "don-vi.dat"  # the name says nothing: the content is a ZIP, so an XLSX
    book.save(file)

    run = tuanle(["units", "import", str(file)], tmp_path, database_url)

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "3 thêm, 0 sửa, 0 không đổi"
    assert listed(tmp_path, database_url) == [
        "1001\tschool\tXA-KL\tTrường số",
        "THCS-01\tschool\tXA-KL\tTrường THCS Kim Long",
        "XA-KL\tcommune\t-\tUBND phường Kim Long",
    ]
    contacts = await unit_contacts(app)
    assert contacts["THCS-01"] == "912345678"


async def test_an_xlsx_problem_is_reported_at_the_spreadsheet_row(
    app: App, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH ĐƠN VỊ PHƯỜNG KIM LONG"])  # a title above the table
    sheet.append([])
    sheet.append(["mã", "tên", "loại", "mã cấp trên"])
    sheet.append(["THCS-01", "x" * 300, "school", "XA-KL"])
    file = tmp_path / "don-vi.xlsx"
    book.save(file)

    with pytest.raises(ImportRefused) as refused:
        await import_units(app.uows, file.read_bytes(), NOW)

    assert [str(problem) for problem in refused.value.problems] == [
        "dòng 4, cột “tên”: dài 300 ký tự, tối đa 255",
        "dòng 4, cột “mã cấp trên”: không có đơn vị XA-KL, trong tệp cũng như trong cơ sở dữ liệu",
    ]
    assert await unit_contacts(app) == {}


async def test_a_semicolon_csv_saved_by_excel_with_a_bom(app: App, tmp_path: Path) -> None:
    text = (
        "mã;tên;loại;mã cấp trên;liên hệ\r\n"
        "THCS-01;Trường THCS Kim Long;school;XA-KL;0912 345 678\r\n"
        'XA-KL;"UBND phường Kim Long; Huế";commune;;\r\n'
        'TH-02;=HYPERLINK("http://x");school;XA-KL;@kimlong\r\n'
    )
    data = b"\xef\xbb\xbf" + text.encode()

    outcome = await import_units(app.uows, data, NOW)

    assert [row.code for row in outcome.added] == ["THCS-01", "XA-KL", "TH-02"]
    async with app.uows() as uow:
        units = {unit.code: unit for unit in await uow.units.all()}
    assert units["XA-KL"].name == "UBND phường Kim Long; Huế"
    assert units["THCS-01"].parent_id == units["XA-KL"].id
    # A cell that looks like a formula is kept as the text typed, never evaluated.
    assert units["TH-02"].name == '=HYPERLINK("http://x")'
    assert units["TH-02"].contact == "@kimlong"


async def test_headers_typed_without_diacritics_in_a_tab_separated_file(app: App) -> None:
    data = "Ma\tTen\tLoai\tMa cap tren\tLien he\nXA-KL\tUBND phường Kim Long\tcommune\t\t\n"

    outcome = await import_units(app.uows, data.encode(), NOW)

    assert [(row.code, row.name, row.kind) for row in outcome.added] == [
        ("XA-KL", "UBND phường Kim Long", "commune")
    ]


async def test_a_move_that_would_close_a_circle_with_the_database_is_refused(
    app: App, tmp_path: Path
) -> None:
    await import_units(app.uows, PROVINCE.encode(), NOW)
    # HUE under THCS-01, which is under XA-KL, which is under HUE.
    data = "code,name,kind,parent code\nHUE,Sở GDĐT Huế,province,THCS-01\n".encode()

    with pytest.raises(ImportRefused) as refused:
        await import_units(app.uows, data, NOW)

    assert [str(problem) for problem in refused.value.problems] == [
        "dòng 2, cột “parent code”: cấp trên vòng tròn: HUE → THCS-01 → XA-KL → HUE"
    ]
    async with app.uows() as uow:
        hue = await uow.units.by_code("HUE")
    assert hue is not None and hue.parent_id is None


async def test_a_file_that_is_not_utf8_or_lacks_a_column_is_refused_whole(
    app: App, tmp_path: Path
) -> None:
    legacy = "code,name,kind,parent code\nTHCS-01,Trà Vinh,school,\n".encode("cp1258")
    with pytest.raises(ImportRefused) as refused:
        await import_units(app.uows, legacy, NOW)
    assert [str(p) for p in refused.value.problems] == [
        "tệp: tệp không phải XLSX, cũng không phải CSV UTF-8 (hãy lưu bằng “CSV UTF-8”)"
    ]

    no_kind = b"code,name,parent code,ghi chu\nTHCS-01,Truong,,\n"
    with pytest.raises(ImportRefused) as refused:
        await import_units(app.uows, no_kind, NOW)
    assert [str(p) for p in refused.value.problems] == [
        "dòng 1, cột “ghi chu”: không có cột “ghi chu” trong mẫu; "
        "các cột: mã, tên, loại, mã cấp trên, liên hệ",
        "dòng 1, cột “loại”: thiếu cột “loại”",
    ]
    assert await unit_contacts(app) == {}
