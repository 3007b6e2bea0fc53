"""A PDF is stored only when it holds pages and nothing that runs: scripts, launch actions and
embedded files are refused politely, even when hidden inside a compressed object stream or
behind an escaped name; a PDF locked with a password cannot be checked and is refused too.

Every fixture is made here (pypdf, Pillow, or byte by byte); no binary file is committed.
"""

from __future__ import annotations

import unicodedata
import zlib
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from bot.evidence import EvidenceRefused, inspect_upload
from bot.pdf_safety import pdf_problem
from handlers import messages as say

LIMIT = 20 * 1024 * 1024


def scanned_report() -> bytes:
    """A one-page PDF as a scanner app or "print to PDF" of a photo makes it."""
    out = BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, format="PDF")
    return out.getvalue()


def written(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def with_object_stream(action: bytes) -> bytes:
    """A PDF whose opening action lives only inside a Flate-compressed object stream."""
    header = b"4 0 "
    packed = zlib.compress(header + action)
    parts: list[bytes] = [b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"]
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = sum(len(p) for p in parts)
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    add(2, b"<< /Type /Pages /Kids [] /Count 0 >>")
    stream = b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
    add(3, stream % (len(header), len(packed)) + packed + b"\nendstream")
    xref_at = sum(len(p) for p in parts)
    rows = [(0, 0, 65535), (1, offsets[1], 0), (1, offsets[2], 0), (1, offsets[3], 0)]
    rows += [(2, 3, 0), (1, xref_at, 0)]  # object 4 is entry 0 of object stream 3
    table = b"".join(bytes([t]) + a.to_bytes(4, "big") + b.to_bytes(2, "big") for t, a, b in rows)
    xref = b"<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
    add(5, xref % len(table) + table + b"\nendstream")
    parts.append(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return b"".join(parts)


def refused(data: bytes) -> EvidenceRefused:
    with pytest.raises(EvidenceRefused) as caught:
        inspect_upload(data, max_bytes=LIMIT)
    return caught.value


def test_a_scanned_report_and_a_plain_page_are_accepted_byte_for_byte() -> None:
    for data in (scanned_report(), written(one_page())):
        assert inspect_upload(data, max_bytes=LIMIT).data == data


def test_a_pdf_with_javascript_is_refused() -> None:
    writer = one_page()
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('xin chào');"),
        }
    )
    # Document-level JavaScript: a name tree under the catalog, run when the file opens.
    names = ArrayObject([TextStringObject("mo-tep"), writer._add_object(script)])
    tree = DictionaryObject({NameObject("/Names"): names})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )

    refusal = refused(written(writer))

    assert refusal.reason == "pdf_unsafe"
    assert refusal.text == "pdf_active"


def test_a_pdf_with_an_embedded_file_is_refused() -> None:
    writer = one_page()
    writer.add_attachment("bang-diem.exe", b"MZ\x90\x00 not really a program")

    assert refused(written(writer)).reason == "pdf_unsafe"


def test_a_pdf_that_launches_a_program_when_opened_is_refused() -> None:
    writer = one_page()
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = launch

    assert refused(written(writer)).reason == "pdf_unsafe"


def test_javascript_hidden_in_a_compressed_object_stream_behind_escaped_names_is_found() -> None:
    hidden = with_object_stream(b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    harmless = with_object_stream(b"<< /S /URI /URI (https://hoctapsuotdoi.vn) >>")
    assert b"JavaScript" not in hidden and b"/JS" not in hidden  # precondition: only packed

    assert pdf_problem(harmless) is None  # the same file without the script reads as pages
    assert pdf_problem(hidden) == "active"
    assert refused(hidden).reason == "pdf_unsafe"


def test_a_pdf_locked_with_a_password_is_refused_but_an_owner_password_alone_is_not() -> None:
    locked = one_page()
    locked.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="RC4-128")
    restricted = one_page()
    restricted.encrypt(user_password="", owner_password="chu-so-huu", algorithm="RC4-128")

    refusal = refused(written(locked))

    assert (refusal.reason, refusal.text) == ("pdf_unsafe", "pdf_locked")
    assert inspect_upload(written(restricted), max_bytes=LIMIT).mime == "application/pdf"


def test_a_pdf_whose_structure_cannot_be_read_is_refused_as_broken() -> None:
    assert refused(b"%PDF-1.7\n" + b"\x00\xff" * 300 + b"\n%%EOF\n").reason == "corrupt"


@pytest.mark.parametrize("key", ["pdf_active", "pdf_locked"])
def test_the_pdf_refusals_are_polite_and_say_what_to_send_instead(key: str) -> None:
    text = say.EVIDENCE_REFUSALS[key]
    assert unicodedata.is_normalized("NFC", text)
    assert "Thầy/cô vui lòng" in text and text.endswith(".")
    assert "ảnh chụp" in text
