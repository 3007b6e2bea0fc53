"""The report draft (DOCX) a commune admin gets from /export, read back with python-docx as the
admin's word processor would show it: header, sections, totals, quotes and nominations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml.ns import qn

from bot.domain.rollup import Subtree, UnitInfo
from bot.export.report_docx import write_docx
from tests.export.builders_docx import (
    CAMPAIGN,
    COMMUNE,
    EXPECTED,
    NOW,
    SCHOOL_A,
    UNITS,
    commune_area,
    report,
)


def written(
    tmp_path: Path, area: Subtree | None = None, *, place: str = "", now: datetime | None = None
) -> Document:
    """The draft of the area (the commune by default) as python-docx reads it back."""
    path = tmp_path / "bao-cao.docx"
    write_docx(area or commune_area(), path, place=place, now=now)
    return docx.Document(str(path))


def body(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def between(lines: list[str], start: str, end: str) -> list[str]:
    """The lines after the one starting with ``start`` and before the one starting with ``end``."""
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
    return lines[first + 1 : last]


def table_rows(document: Document) -> dict[str, list[str]]:
    """The summary table's rows by their STT (the row's code); group 1's people line as "1+"."""
    rows: dict[str, list[str]] = {}
    for row in document.tables[2].rows[2:]:
        cells = [cell.text for cell in row.cells]
        rows[cells[0] or f"{list(rows)[-1]}+"] = cells
    return rows


def test_the_header_names_the_unit_the_nation_the_place_and_the_date(tmp_path: Path) -> None:
    document = written(tmp_path, place="Huế", now=NOW)
    unit, nation = (cell.text.splitlines() for cell in document.tables[0].rows[0].cells)
    assert unit[0] == "XÃ HÒA BÌNH" and unit[-1] == "Số: ……/BC-……"
    assert nation[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert nation[1] == "Độc lập - Tự do - Hạnh phúc"
    assert nation[-1] == "Huế, ngày 16 tháng 10 năm 2023"
    lines = body(document)
    assert lines[:2] == ["BÁO CÁO", "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023"]
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in lines[2]


def test_days_and_the_first_two_months_are_written_with_two_digits(tmp_path: Path) -> None:
    document = written(tmp_path, now=datetime(2024, 1, 4, 20, 0, tzinfo=UTC))  # 5/1 in Vietnam
    date_line = document.tables[0].rows[0].cells[1].text.splitlines()[-1]
    assert date_line == "……, ngày 05 tháng 01 năm 2024"


def test_the_page_is_a4_in_times_new_roman_with_the_decree_margins(tmp_path: Path) -> None:
    document = written(tmp_path, now=NOW)
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    # Word keeps lengths in twentieths of a point: 15 mm is kept as 14.99 mm.
    margins = {
        name: round(getattr(section, f"{name}_margin").mm)
        for name in ("top", "bottom", "left", "right")
    }
    assert 20 <= margins["top"] <= 25 and 20 <= margins["bottom"] <= 25
    assert 30 <= margins["left"] <= 35 and 15 <= margins["right"] <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt in (13, 14)
    language = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert language is not None and language.get(qn("w:val")) == "vi-VN"  # spell-checked as such


def test_the_file_says_what_it_is_and_who_made_it_when(tmp_path: Path) -> None:
    properties = written(tmp_path, now=NOW).core_properties
    assert properties.title == "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023"
    assert properties.author == "Xã Hòa Bình" and "python-docx" not in properties.comments
    assert properties.created == NOW


def test_the_sections_follow_the_outline_of_seed_002(tmp_path: Path) -> None:
    lines = body(written(tmp_path, now=NOW))
    headings = [
        "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
        "1. Công tác chỉ đạo, ban hành kế hoạch triển khai, kiểm tra, đôn đốc thực hiện",
        "2. Lễ phát động Tuần lễ",
        "3. Nội dung các hoạt động đã triển khai trong Tuần lễ",
        "4. Kinh phí tổ chức Tuần lễ",
        "II. ĐÁNH GIÁ CHUNG",
        "1. Những kết quả đã đạt được; bài học kinh nghiệm",
        "2. Khó khăn, tồn tại",
        "3. Kiến nghị, đề xuất",
        "4. Bảng tổng hợp số liệu các hoạt động tổ chức Tuần lễ",
        "5. Đề nghị khen thưởng",
        "Phụ lục 1",
        "MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN LỄ",
        "Phụ lục 2",
    ]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in headings]
    assert positions == sorted(positions)
    assert lines[positions[-3] - 1].startswith("Trên đây là báo cáo")  # before the appendices


def test_the_summary_table_holds_the_sums_of_the_submitted_answers(tmp_path: Path) -> None:
    rows = table_rows(written(tmp_path, now=NOW))
    form_codes = [item.code for item in CAMPAIGN.form.items()]
    people_line = form_codes.index("1") + 1
    form_codes.insert(people_line, "1+")
    assert list(rows) == form_codes  # every row of the template, in printed order
    header = [c.text for c in written(tmp_path, now=NOW).tables[2].rows[1].cells]
    assert header == [
        "STT",
        "Các hoạt động",
        "Đơn vị tính",
        "Số lớp/số cuộc thi",
        "Số người",
        "Ghi chú",
    ]
    # Group 1's people stand on their own line, as seed 002 prints them.
    assert rows["1"][2:5] == ["lớp", "11", ""]
    assert rows["1+"][1:5] == ["Tổng số người tham gia, trong đó:", "người", "", "2.105"]
    rows["1"][4] = rows["1+"][4]
    columns = {"quantity": 3, "amount": 3, "people": 4}
    for key, value in EXPECTED.items():
        code, measure = key.split(":")
        assert rows[code][columns[measure]] == f"{value:,}".replace(",", "."), key
    assert rows["1.7"][1] == "Giáo dục kỹ năng sống cho học sinh"
    assert rows["1.7"][2] == "lớp/người"
    assert rows["6"][3] == "0" and rows["4"][3] == ""  # a group not held; a header row
    assert rows["11"][5] == "1 đơn vị, xem mục I.3"


def test_the_activities_held_are_told_in_words_with_their_numbers(tmp_path: Path) -> None:
    lines = body(written(tmp_path, now=NOW))
    held = between(lines, "3. Nội dung các hoạt động", "4. Kinh phí")
    assert "- Các lớp bồi dưỡng, tập huấn tổ chức trong Tuần lễ: 11 lớp, 2.105 người" in held
    assert "+ Giáo dục kỹ năng sống cho học sinh: 8 lớp, 2.000 người" in held
    assert "- Số tin bài về các hoạt động của Tuần lễ: 5 tin, bài" in held
    assert "+ Số sách đã huy động tặng các trường học, thư viện: 430 quyển" in held
    assert "+ Trường Tiểu học Lê Lợi: “Ngày hội đọc sách cùng phụ huynh”" in held
    assert not any("văn nghệ" in line for line in held)  # group 6: nobody held it
    assert not any("99 lớp" in line for line in lines)  # the draft counts nowhere
    opening = between(lines, "2. Lễ phát động", "3. Nội dung")
    assert opening[0] == (
        "3/3 đơn vị đã báo cáo tổ chức Lễ khai mạc Tuần lễ,"
        " từ ngày 02/10/2023 đến ngày 03/10/2023."
    )
    assert "- Số cơ sở giáo dục tổ chức Lễ khai mạc Tuần lễ: 2 trường/trung tâm" in opening
    funding = between(lines, "4. Kinh phí", "II. ĐÁNH GIÁ CHUNG")
    assert funding == [
        "- Ngân sách nhà nước: 25.000.000 đồng",
        "- Kinh phí hỗ trợ, huy động từ các nguồn hợp pháp khác (nếu có): 3.500.000 đồng",
        "Tổng cộng: 28.500.000 đồng",
    ]


def test_the_units_not_reported_are_named_for_the_admin_to_chase(tmp_path: Path) -> None:
    lines = body(written(tmp_path, now=NOW))
    direction = between(lines, "1. Công tác chỉ đạo", "2. Lễ phát động")
    assert (
        direction[0] == "Đến ngày 16/10/2023, 3/5 đơn vị đã gửi báo cáo kết quả tổ chức Tuần lễ."
    )
    assert direction[1] == (
        "Các đơn vị chưa gửi báo cáo: Trường Mầm non Hoa Sen, TTHTCĐ xã Hòa Bình."
    )


def test_each_units_evaluation_is_quoted_under_its_question_and_attributed(
    tmp_path: Path,
) -> None:
    lines = body(written(tmp_path, now=NOW))
    results = between(lines, "1. Những kết quả", "2. Khó khăn")
    assert results == [
        "- Xã Hòa Bình: “Các trường đều hưởng ứng Tuần lễ.”",
        "- Trường THCS Nguyễn Du: “Học sinh hào hứng với cuộc thi kể chuyện theo sách.”",
    ]
    assert between(lines, "2. Khó khăn", "3. Kiến nghị") == [
        "- Trường THCS Nguyễn Du: “Thiếu kinh phí in tài liệu.”"
    ]
    # The control characters typed in the text are gone; the words stay.
    assert between(lines, "3. Kiến nghị", "4. Bảng tổng hợp") == [
        "- Trường Tiểu học Lê Lợi: “Đề nghị hỗ trợ thêm sách cho thư viện.”"
    ]


def test_the_nominations_are_listed_by_kind_with_the_unit_proposing(tmp_path: Path) -> None:
    document = written(tmp_path, now=NOW)
    lines = body(document)
    assert any(line.startswith("5. Đề nghị khen thưởng: 1 tập thể, 2 cá nhân") for line in lines)
    collectives, individuals = (
        [[cell.text for cell in row.cells] for row in table.rows[1:]]
        for table in document.tables[3:5]
    )
    assert collectives == [
        ["1", "Tổ Ngữ văn", "Trường THCS Nguyễn Du", "Tổ chức tốt cuộc thi kể chuyện theo sách"]
    ]
    assert individuals == [
        ["1", "Trần Văn Hùng", "Xã Hòa Bình", "Chỉ đạo tổ chức Tuần lễ"],
        ["2", "Nguyễn Thị Lan", "Trường THCS Nguyễn Du", "Phụ trách thư viện, 3 buổi đọc sách"],
    ]


def test_the_signature_block_fits_the_unit_and_names_the_recipient(tmp_path: Path) -> None:
    document = written(tmp_path, now=NOW)
    recipients, signer = (cell.text.splitlines() for cell in document.tables[1].rows[0].cells)
    assert recipients == ["Nơi nhận:", "- Sở GDĐT (để báo cáo);", "- Lưu: VT."]
    assert signer[:3] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)"]
    school = Subtree(CAMPAIGN, SCHOOL_A, (replace(SCHOOL_A, parent_id=None),), {})
    school_signer = written(tmp_path, school, now=NOW).tables[1].rows[0].cells[1].text
    assert school_signer.splitlines()[0] == "HIỆU TRƯỞNG"


def test_an_area_where_nobody_has_reported_yet_still_gives_a_whole_draft(tmp_path: Path) -> None:
    empty = Subtree(CAMPAIGN, COMMUNE, UNITS, {})
    document = written(tmp_path, empty, now=NOW)
    lines = body(document)
    assert "Chưa có đơn vị nào báo cáo hoạt động trong Tuần lễ." in lines
    assert "Chưa có đơn vị nào báo cáo tổ chức Lễ khai mạc Tuần lễ." in lines
    assert lines.count("Chưa có đơn vị nào nêu nội dung này.") == 3
    assert lines.count("Không có đề nghị.") == 2
    assert table_rows(document)["1"][3] == "0"


def test_text_a_word_file_cannot_hold_is_dropped_not_a_broken_file(tmp_path: Path) -> None:
    hostile = replace(COMMUNE, name="Xã\x00 Hòa\x1b[31m Bình\ufffe")
    answers = {"narr:results": "dòng một\ndòng hai\x0b", "11:text": "=1+1"}
    area = Subtree(CAMPAIGN, hostile, (hostile,), {hostile.id: report(hostile, answers)})
    document = written(tmp_path, area, now=NOW)
    assert document.tables[0].rows[0].cells[0].text.splitlines()[0] == "XÃ HÒA[31M BÌNH"
    assert "- Xã Hòa[31m Bình: “dòng một\ndòng hai”" in body(document)


def test_a_province_says_which_commune_a_school_of_a_common_name_is_in(tmp_path: Path) -> None:
    province = UnitInfo(100, "P", "Tỉnh Thừa Thiên Huế", "province", None)
    east = UnitInfo(101, "XA", "Xã Phú An", "commune", 100)
    west = UnitInfo(102, "XB", "Xã Phú Mỹ", "commune", 100)
    school_east = UnitInfo(103, "XA-1", "Trường Tiểu học số 1", "school", 101)
    school_west = UnitInfo(104, "XB-1", "Trường Tiểu học số 1", "school", 102)
    said = {"run:1": 1, "1.7:quantity": 2, "1.7:people": 70, "narr:difficulties": "Mưa lớn."}
    reports = {
        east.id: report(east, {"narr:difficulties": "Thiếu người."}),
        school_east.id: report(school_east, said),
        school_west.id: report(school_west, said | {"1.7:quantity": 3}),
    }
    units = (province, east, school_east, west, school_west)
    document = written(tmp_path, Subtree(CAMPAIGN, province, units, reports), now=NOW)
    assert between(body(document), "2. Khó khăn", "3. Kiến nghị") == [
        "- Xã Phú An: “Thiếu người.”",
        "- Trường Tiểu học số 1 (Xã Phú An): “Mưa lớn.”",
        "- Trường Tiểu học số 1 (Xã Phú Mỹ): “Mưa lớn.”",
    ]
    rows = table_rows(document)
    assert rows["1.7"][3:5] == ["5", "140"]  # both schools, through their communes
    assert document.tables[1].rows[0].cells[1].text.splitlines()[0] == "GIÁM ĐỐC"
