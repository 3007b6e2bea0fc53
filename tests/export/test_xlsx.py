"""The official table as a commune or province officer receives it, reopened with openpyxl.

The area is stored through the real repositories and loaded as /export loads it; the first sheet
is read row by row and compared with the printed template of seed 002 (tests/data/seeds) and with
sums made by hand from the answers (tests/export/helpers.py).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from bot.app import App
from bot.domain.form import Form, MeasureKind
from bot.export.xlsx import write_xlsx
from tests.export.helpers import (
    AREA,
    COMMUNE,
    SCHOOL_A,
    Filed,
    expected_sums,
    load_area,
    sign,
    store,
)

SEED = Path(__file__).resolve().parents[1] / "data" / "seeds" / "002_b9e3ae69d2374bee.txt"
FIRST_ROW = 8  # title (4 lines), a blank line, two header rows


def _seed_text() -> str:
    return " ".join(SEED.read_text(encoding="utf-8").split())


def _printed_lines(form: Form) -> list[tuple[str | None, str, str, str | None]]:
    """What the template prints, in order: (STT, label, unit, the key of each number column).

    Built from the form as data; a group row with a people line prints it as a line of its own.
    """
    lines: list[tuple[str | None, str, str, str | None]] = []
    for group in form.groups:
        for item in (group.row, *group.children):
            number = group.number if item is group.row else None
            lines.append((number, item.label, item.unit_label, item.code))
            if item.people_label:
                people = next(m for m in item.measures if m.key == "people")
                lines.append((None, item.people_label, people.unit, None))
    return lines


def _open(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _row(sheet: Worksheet, row: int) -> list[object]:
    return [sheet.cell(row, column).value for column in range(1, 7)]


async def _export(app: App, tmp_path: Path, area: list[Filed], root: str) -> Path:
    ids = await store(app, area)
    path = tmp_path / "tonghop.xlsx"
    write_xlsx(await load_area(app, ids, root), path)
    return path


async def test_the_first_sheet_is_seed_002s_table_row_by_row(app: App, tmp_path: Path) -> None:
    form = app.engine.campaign.form
    sheet = _open(await _export(app, tmp_path, AREA, "P")).worksheets[0]
    assert sheet["A1"].value == "MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN LỄ"
    assert sheet["A2"].value == "(Kèm theo báo cáo kết quả tổ chức Tuần lễ)"
    assert "Tỉnh Thừa Thiên Huế" in str(sheet["A3"].value) and "2023" in str(sheet["A3"].value)
    assert "4/8" in str(sheet["A4"].value)  # four of the eight units submitted
    assert _row(sheet, 6) == ["STT", "Các hoạt động", "Đơn vị", "Số lượng", None, "Ghi chú"]
    assert _row(sheet, 7)[3:5] == ["Số lớp/số cuộc thi", "Số người"]
    assert {"A6:A7", "B6:B7", "C6:C7", "D6:E6", "F6:F7"} <= {
        str(r) for r in sheet.merged_cells.ranges
    }
    seed = _seed_text()
    lines = _printed_lines(form)
    for offset, (number, label, unit, _code) in enumerate(lines):
        stt, printed, printed_unit = _row(sheet, FIRST_ROW + offset)[:3]
        assert (stt, printed, printed_unit or "") == (number, label, unit)
        assert label in seed and unit in seed  # as printed in the plan
    assert sheet.max_row == FIRST_ROW + len(lines) - 1


async def test_every_number_is_the_sum_of_the_submitted_answers(app: App, tmp_path: Path) -> None:
    form = app.engine.campaign.form
    sheet = _open(await _export(app, tmp_path, AREA, "P")).worksheets[0]
    expected = expected_sums(form, AREA)
    row = FIRST_ROW
    for group in form.groups:
        for item in (group.row, *group.children):
            quantity, people, note = _row(sheet, row)[3:6]
            for measure in item.measures:
                key = f"{item.code}:{measure.key}"
                if measure.kind is MeasureKind.TEXT:
                    assert "Trường THCS Kim Long: Ra mắt tủ sách lớp học" in str(note)
                elif measure.key == "people" and item.people_label:
                    assert _row(sheet, row + 1)[4] == expected[key], key
                elif measure.key == "people":
                    assert people == expected[key], key
                else:
                    assert quantity == expected[key], key
            row += 2 if item.people_label else 1
    assert _row(sheet, FIRST_ROW)[3] == 2 + 3 + 1 + 1  # X1-A's 1.1 and 1.7, 1.9 of X1-B and X2-A
    assert expected["10.1:amount"] == 5_000_000


async def test_a_sheet_per_child_then_detail_missing_and_nominations(
    app: App, tmp_path: Path
) -> None:
    area = [*AREA]
    area[2] = Filed(
        "X1-A",
        "Trường THCS Kim Long",
        "school",
        "X1",
        "submitted",
        SCHOOL_A,
        nominations=[("collective", "Tổ Văn", "Tổ chức hội sách"), ("individual", "Cô Lan", "+1")],
    )
    book = _open(await _export(app, tmp_path, area, "P"))
    assert book.sheetnames == [
        "Tổng hợp",
        "X1 UBND phường Kim Long",
        "X2 UBND xã Hương Thọ",
        "Chi tiết",
        "Chưa báo cáo",
        "Đề nghị khen thưởng",
    ]
    commune = book["X1 UBND phường Kim Long"]
    x1 = expected_sums(app.engine.campaign.form, [f for f in area if f.code.startswith("X1")])
    assert _row(commune, FIRST_ROW)[3] == x1["1:quantity"]
    assert "UBND phường Kim Long" in str(commune["A3"].value)

    detail = book["Chi tiết"]
    head = [c.value for c in detail[4]]
    assert head[:7] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại",
        "Thuộc",
        "Trạng thái",
        "Số tiếp nhận",
        "Gửi lúc",
    ]
    lines = {row[0]: row for row in detail.iter_rows(min_row=5, values_only=True)}
    assert list(lines) == [f.code for f in area]
    people_17 = head.index("1.7. số người")
    assert lines["X1-A"][people_17] == 1200 and lines["X1-A"][4] == "Đã gửi"
    assert lines["X1-C"][people_17] is None and lines["X1-C"][4] == "Đang làm"
    assert lines["X2"][4] == "Chưa bắt đầu" and lines["X1-D"][4] == "Trả lại để sửa"
    assert lines["X1"][head.index("9.1. số tập thể được khen thưởng")] == COMMUNE["9.1:quantity"]

    missing = [r for r in book["Chưa báo cáo"].iter_rows(min_row=4, values_only=True)]
    assert [(r[1], r[4], r[5]) for r in missing] == [
        ("P", "Chưa bắt đầu", None),
        ("X1-C", "Đang làm", None),
        ("X1-D", "Trả lại để sửa", None),
        ("X2", "Chưa bắt đầu", "0905 000 111"),
    ]
    nominated = list(book["Đề nghị khen thưởng"].iter_rows(min_row=4, values_only=True))
    assert nominated == [
        (1, "Trường THCS Kim Long", "Tập thể", "Tổ Văn", "Tổ chức hội sách"),
        (2, "Trường THCS Kim Long", "Cá nhân", "Cô Lan", "'+1"),
    ]


async def test_signed_roll_ups_stand_beside_the_live_sums(app: App, tmp_path: Path) -> None:
    ids = await store(app, AREA)
    form = app.engine.campaign.form
    live = expected_sums(form, [f for f in AREA if f.code.startswith("X1")])
    signed = {**live, "1:quantity": live["1:quantity"] - 1}
    await sign(app, "X1", signed, ["X1", "X1-A"])
    path = tmp_path / "tonghop.xlsx"
    write_xlsx(await load_area(app, ids, "P"), path)
    sheet = _open(path)["Đối chiếu bản ký"]
    assert "X1 UBND phường Kim Long" in str(sheet["A4"].value)
    assert "tính 2 đơn vị" in str(sheet["A4"].value)
    assert "hiện có 3 đơn vị" in str(sheet["A4"].value)
    rows = {(r[0], r[2]): r[3:6] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[("1", "số lớp")] == (live["1:quantity"] - 1, live["1:quantity"], 1)
    assert rows[("1", "số người")] == (live["1:people"],) * 2 + (0,)
    assert sheet.cell(5, 1).font.b  # the line that differs stands out


async def test_it_prints_on_a4_with_the_header_on_every_page(app: App, tmp_path: Path) -> None:
    book = _open(await _export(app, tmp_path, AREA, "X1"))
    table, detail = book["Tổng hợp"], book["Chi tiết"]
    assert str(table.page_setup.paperSize) == table.PAPERSIZE_A4 == "9"
    assert table.page_setup.orientation == "portrait" and table.page_setup.fitToWidth == 1
    fit = table.sheet_properties.pageSetUpPr
    assert fit is not None and fit.fitToPage
    assert table.print_title_rows == "$6:$7" and table.freeze_panes == "A8"
    assert detail.page_setup.orientation == "landscape"
    assert detail.print_title_rows == "$4:$4" and detail.freeze_panes == "C5"
    label = table.cell(FIRST_ROW + 2, 2)
    assert label.alignment.wrap_text and label.border.left.style == "thin"
    assert table.column_dimensions["B"].width > 3 * table.column_dimensions["A"].width
    rows = table.row_dimensions
    assert table.cell(FIRST_ROW + 13, 2).value == "Xóa mù chữ"
    assert (rows[FIRST_ROW + 2].height or 0) > (rows[FIRST_ROW + 13].height or 0)  # 1.1 wraps


async def test_typed_text_never_becomes_a_formula(app: App, tmp_path: Path) -> None:
    area = [
        Filed("X", "UBND xã A", "commune", None, "submitted", {"11:text": "-5 lớp"}),
        Filed(
            "S1",
            '=HYPERLINK("http://evil.example","bấm")',
            "school",
            "X",
            "submitted",
            {"11:text": "@SUM(1+1)\x07"},
            nominations=[("individual", "\tCô Lan", "+1")],
        ),
    ]
    book = _open(await _export(app, tmp_path, area, "X"))
    texts = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert '\'=HYPERLINK("http://evil.example","bấm")' in texts
    assert "'\tCô Lan" in texts and "'+1" in texts and "'@SUM(1+1)" in texts
    assert all(cell.data_type != "f" for s in book.worksheets for r in s.iter_rows() for cell in r)
    assert book.sheetnames[1] == 'S1 =HYPERLINK("http evil.exampl'


async def test_sheet_names_are_legal_and_unique(app: App, tmp_path: Path) -> None:
    long_name = "Trường Trung học cơ sở Nguyễn Tri Phương [cơ sở 2]: lớp */?\\"
    area = [
        Filed("H", "Huyện A", "district", None),
        Filed("C1", long_name, "commune", "H"),
        Filed("C2", "'Tổng hợp'", "commune", "H"),
        Filed("TỔNG HỢP", "", "commune", "H"),
        Filed("History", "", "commune", "H"),
    ]
    names = _open(await _export(app, tmp_path, area, "H")).sheetnames
    assert len(set(n.casefold() for n in names)) == len(names)
    for name in names:
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert names[:5] == [
        "Tổng hợp",
        "C1 Trường Trung học cơ sở Nguyễ",
        "C2 'Tổng hợp",
        "History (2)",  # Excel keeps "History" for itself
        "TỔNG HỢP (2)",
    ]


async def test_many_long_notes_stay_within_a_printable_row(app: App, tmp_path: Path) -> None:
    schools = [
        Filed(f"S{n:02d}", f"Trường {n}", "school", "X", "submitted", {"11:text": "chữ " * 400})
        for n in range(30)
    ]
    book = _open(
        await _export(app, tmp_path, [Filed("X", "Xã A", "commune", None), *schools], "X")
    )
    table = book["Tổng hợp"]
    last = table.max_row
    note = str(table.cell(last, 6).value)
    assert table.cell(last, 1).value == "11" and note.endswith("(xem trang Chi tiết)")
    assert "25 đơn vị khác" in note and len(note) < 1000
    heights = [d.height for d in table.row_dimensions.values() if d.height]
    assert max(heights) <= 409  # Excel refuses a taller row
    detail = book["Chi tiết"]
    assert detail.cell(5 + 1, detail.max_column).value == "chữ " * 400  # whole, as typed
