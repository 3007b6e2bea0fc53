"""Real software opens the report draft: LibreOffice converts it to PDF and the PDF's text holds
the header, the outline's labels, the totals and the quotes.

The test fails, never skips, when LibreOffice is missing: a draft nobody has opened is not
known to open (``.ci/run`` installs libreoffice-writer-nogui).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from bot.export.report_docx import write_docx
from tests.export.builders_docx import NOW, commune_area


def as_pdf_text(docx: Path, work: Path) -> tuple[str, int]:
    """The text LibreOffice lays out for the file (pdftotext), and its number of pages."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    assert soffice is not None, "LibreOffice (soffice) is not installed"
    assert pdftotext is not None, "poppler-utils (pdftotext) is not installed"
    profile = work / "lo-profile"  # a profile of its own: parallel runs never share one
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = work / f"{docx.stem}.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text, text.count("\f")


def test_libreoffice_lays_out_the_draft_with_its_labels_and_totals(tmp_path: Path) -> None:
    draft = tmp_path / "bao-cao.docx"
    write_docx(commune_area(), draft, place="Huế", now=NOW)
    text, pages = as_pdf_text(draft, tmp_path)
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "XÃ HÒA BÌNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Huế, ngày 16 tháng 10 năm 2023",
        "BÁO CÁO",
        "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023",
        "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
        "II. ĐÁNH GIÁ CHUNG",
        "Giáo dục kỹ năng sống cho học sinh: 8 lớp, 2.000 người",
        "Tổng cộng: 28.500.000 đồng",
        "Trường THCS Nguyễn Du: “Thiếu kinh phí in tài liệu.”",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN LỄ",
        "Các hoạt động",
        "Số lượng",
        "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        "Nguyễn Thị Lan",
    ):
        assert expected in flat, expected
    # The summary table's row 1.7 with its totals, and the funding in đồng, as laid out.
    assert re.search(r"^1\.7\s+lớp/người\s+8\s+2\.000$", text, re.MULTILINE)
    assert re.search(r"Ngân sách nhà nước\s+đồng\s+25\.000\.000", text)
    assert 4 <= pages <= 8  # the body, then each appendix on pages of its own
