"""Real software opens the official table: LibreOffice converts the XLSX to PDF, and the PDF's
text holds every label of the template and the totals.

LibreOffice is required, not optional: without ``soffice`` (Debian: libreoffice-calc-nogui) or
``pdftotext`` (poppler-utils) the test fails, as CI installs them. Each conversion runs with a
profile of its own, so parallel runs never share LibreOffice's user directory.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bot.app import App
from bot.export.xlsx import write_xlsx
from tests.export.helpers import AREA, expected_sums, load_area, store

CONVERT_TIMEOUT_S = 180


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is required for this test: apt-get install {package}"
    return found


def to_pdf(document: Path, out: Path) -> Path:
    """Converts with LibreOffice headless, in a private profile; the PDF's path."""
    soffice = _tool("soffice", "libreoffice-calc-nogui")
    profile = out / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
    )
    pdf = out / f"{document.stem}.pdf"
    assert pdf.exists(), f"LibreOffice made no PDF of {document.name}"
    return pdf


def pdf_text(pdf: Path) -> str:
    pdftotext = _tool("pdftotext", "poppler-utils")
    done = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True)
    return " ".join(done.stdout.decode("utf-8").split())


def _grouped(value: int) -> tuple[str, str]:
    """A number as LibreOffice may print it with thousands grouped, by its locale."""
    return f"{value:,}", f"{value:,}".replace(",", ".")


async def test_libreoffice_prints_the_labels_and_the_totals(app: App, tmp_path: Path) -> None:
    ids = await store(app, AREA)
    document = tmp_path / "tonghop.xlsx"
    write_xlsx(await load_area(app, ids, "P"), document)
    text = pdf_text(to_pdf(document, tmp_path))
    form = app.engine.campaign.form
    assert "MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN LỄ" in text
    assert "Các hoạt động" in text and "Số lớp/số" in text and "Số người" in text
    for item in form.items():
        words = item.label.split()
        # A long label wraps in its cell; each printed line keeps its words in order.
        assert " ".join(words[:4]) in text, item.code
        assert item.unit_label in text, item.code
    sums = expected_sums(form, AREA)
    assert sums["1:people"] == 1340  # printed on the area's table only
    for key in ("1:quantity", "1:people", "10.1:amount", "3:quantity", "1.7:people"):
        assert any(printed in text for printed in _grouped(sums[key])), (key, sums[key])
    assert "Trường Tiểu học Hương Thọ" in text  # the detail sheet printed too
