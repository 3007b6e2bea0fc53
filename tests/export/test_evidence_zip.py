"""The evidence ZIP an admin gets from /export: a folder per unit, files named safely, an index
that matches the files; hostile unit names never escape or collide, a lost file is listed."""

from __future__ import annotations

import csv
import hashlib
import io
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.rollup import EvidenceInfo, Subtree, UnitInfo
from bot.export.evidence_zip import write_evidence_zip
from bot.export.names import UniqueNames, safe_name
from tests.export.builders_docx import (
    CAMPAIGN,
    COMMUNE,
    NOW,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_DRAFT,
    commune_area,
    evidence,
    evidence_bytes,
    report,
)

RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}


def stored(area: Subtree) -> dict[str, bytes]:
    """Every evidence file of the area as the store keeps it, by key."""
    files = {}
    for unit in area.units:
        found = area.reports.get(unit.id)
        for number, info in enumerate(found.evidence if found else ()):
            files[info.stored_key] = evidence_bytes(unit, number)
    return files


def reader(files: Mapping[str, bytes]) -> Callable[[str], bytes]:
    """Reads like the evidence store: FileNotFoundError for a file that is not there."""

    def read(key: str) -> bytes:
        if key not in files:
            raise FileNotFoundError(key)
        return files[key]

    return read


def zipped(tmp_path: Path, area: Subtree, files: Mapping[str, bytes]) -> zipfile.ZipFile:
    path = tmp_path / "minh-chung.zip"
    write_evidence_zip(area, reader(files), path)
    return zipfile.ZipFile(path)


def index_rows(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    raw = archive.read("index.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the diacritics only with the BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def check_entry_name(name: str) -> None:
    """An entry name safe to extract on Windows, macOS and Linux."""
    assert name == unicodedata.normalize("NFC", name)
    assert not name.startswith("/") and "\\" not in name and ":" not in name
    for part in PurePosixPath(name).parts:
        assert part not in ("", ".", "..") and ".." not in part
        assert part == part.strip(" .")
        assert part.split(".")[0].strip().upper() not in RESERVED
        assert all(unicodedata.category(c)[0] != "C" for c in part)
        assert all(unicodedata.category(c)[0] != "M" for c in part[:1])  # no mark on nothing
        assert len(part.encode("utf-8")) <= 100


def test_each_unit_has_a_folder_with_its_files_named_by_kind(tmp_path: Path) -> None:
    area = commune_area()
    archive = zipped(tmp_path, area, stored(area))
    assert sorted(archive.namelist()) == [
        "T01 - Trường THCS Nguyễn Du/anh-1.jpg",
        "T01 - Trường THCS Nguyễn Du/anh-2.jpg",
        "T01 - Trường THCS Nguyễn Du/anh-3.jpg",
        "T02 - Trường Tiểu học Lê Lợi/anh-1.jpg",
        "T02 - Trường Tiểu học Lê Lợi/anh-2.jpg",
        "index.csv",
    ]  # the draft's photo is not taken: its report counts nowhere yet
    assert archive.read("T02 - Trường Tiểu học Lê Lợi/anh-2.jpg") == evidence_bytes(SCHOOL_B, 1)
    assert archive.testzip() is None


def test_the_index_says_what_each_file_is_when_and_by_whom_it_was_sent(tmp_path: Path) -> None:
    area = commune_area()
    archive = zipped(tmp_path, area, stored(area))
    rows = index_rows(archive)
    assert list(rows[0]) == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Tệp trong thư mục nén",
        "Loại",
        "Dung lượng (byte)",
        "Mã SHA-256",
        "Gửi lúc (giờ Việt Nam)",
        "Người gửi",
        "Tình trạng",
    ]
    assert rows[1] == {
        "Mã đơn vị": "T01",
        "Tên đơn vị": "Trường THCS Nguyễn Du",
        "Tệp trong thư mục nén": "T01 - Trường THCS Nguyễn Du/anh-2.jpg",
        "Loại": "ảnh",
        "Dung lượng (byte)": str(len(evidence_bytes(SCHOOL_A, 1))),
        "Mã SHA-256": hashlib.sha256(evidence_bytes(SCHOOL_A, 1)).hexdigest(),
        "Gửi lúc (giờ Việt Nam)": "16/10/2023 09:01",
        "Người gửi": "Cô giáo Trường THCS Nguyễn Du",
        "Tình trạng": "có",
    }
    files = [name for name in archive.namelist() if name != "index.csv"]
    assert [row["Tệp trong thư mục nén"] for row in rows] == files
    for row in rows:
        data = archive.read(row["Tệp trong thư mục nén"])
        assert hashlib.sha256(data).hexdigest() == row["Mã SHA-256"]
        assert len(data) == int(row["Dung lượng (byte)"])


def test_a_file_gone_from_the_disk_is_listed_as_missing_not_a_crash(tmp_path: Path) -> None:
    area = commune_area()
    files = stored(area)
    lost = area.reports[SCHOOL_A.id].evidence[1]
    del files[lost.stored_key]
    archive = zipped(tmp_path, area, files)
    assert "T01 - Trường THCS Nguyễn Du/anh-2.jpg" not in archive.namelist()
    states = {row["Tệp trong thư mục nén"]: row["Tình trạng"] for row in index_rows(archive)}
    assert states["T01 - Trường THCS Nguyễn Du/anh-2.jpg"] == "thiếu tệp: không còn trên máy chủ"
    assert states["T01 - Trường THCS Nguyễn Du/anh-3.jpg"] == "có"
    assert len(states) == 5


def test_a_file_changed_on_the_disk_is_included_and_marked(tmp_path: Path) -> None:
    area = commune_area()
    files = stored(area)
    files[area.reports[SCHOOL_B.id].evidence[0].stored_key] = b"not what was sent"
    states = [row["Tình trạng"] for row in index_rows(zipped(tmp_path, area, files))]
    assert states.count("tệp đã bị thay đổi: mã SHA-256 không khớp") == 1


def test_pdfs_and_photos_are_numbered_apart(tmp_path: Path) -> None:
    photos, pdfs = evidence(SCHOOL_A, 2), evidence(SCHOOL_B, 2, mime="application/pdf")
    data = {info.stored_key: evidence_bytes(SCHOOL_A, n) for n, info in enumerate(photos)}
    data |= {info.stored_key: evidence_bytes(SCHOOL_B, n) for n, info in enumerate(pdfs)}
    school = replace(SCHOOL_A, parent_id=None)
    sent = (photos[0], pdfs[0], photos[1], pdfs[1])
    area = Subtree(CAMPAIGN, school, (school,), {school.id: report(school, {}, files=sent)})
    archive = zipped(tmp_path, area, data)
    folder = "T01 - Trường THCS Nguyễn Du"
    assert archive.namelist() == [
        f"{folder}/anh-1.jpg",
        f"{folder}/tai-lieu-1.pdf",
        f"{folder}/anh-2.jpg",
        f"{folder}/tai-lieu-2.pdf",
        "index.csv",
    ]
    assert [row["Loại"] for row in index_rows(archive)] == ["ảnh", "tài liệu PDF"] * 2
    assert archive.read(f"{folder}/tai-lieu-2.pdf") == evidence_bytes(SCHOOL_B, 1)


HOSTILE = (
    "../../etc",
    "CON",
    "a/b\\c",
    "😀😀😀",
    "❤️ Tim",  # an emoji with its variation selector (a mark) must not leave the mark behind
    unicodedata.normalize("NFD", "Trường Tiểu học Hòa"),
    "Trường Tiểu học Hòa",  # the same name, composed: a folder of its own all the same
    "C:\\Windows\\system32",
    "..",
    " . ",
    "nul.txt",
    "x\x00y\x1b[31m\u202eexe.jpg",
    "Trường " * 60,
    '=HYPERLINK("http://x")',
)


def hostile_area() -> Subtree:
    """A commune whose schools all have the same code "X" and names people should not type."""
    units = [COMMUNE] + [
        UnitInfo(10 + n, "X" if n % 2 else "x", name, "school", COMMUNE.id)
        for n, name in enumerate(HOSTILE)
    ]
    reports = {u.id: report(u, {}, files=evidence(u, 1)) for u in units[1:]}
    return Subtree(CAMPAIGN, COMMUNE, tuple(units), reports)


def test_hostile_unit_names_give_safe_unique_entries(tmp_path: Path) -> None:
    area = hostile_area()
    archive = zipped(tmp_path, area, stored(area))
    names = archive.namelist()
    assert len(names) == len(HOSTILE) + 1
    for name in names:
        check_entry_name(name)
    folders = [PurePosixPath(name).parts[0] for name in names if name != "index.csv"]
    assert len({folder.casefold() for folder in folders}) == len(HOSTILE)
    assert "index.csv" not in {folder.casefold() for folder in folders}
    archive.extractall(tmp_path / "out")
    extracted = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(extracted) == len(names)
    assert all((tmp_path / "out") in p.parents for p in extracted)
    # The index keeps each unit's name as typed, neutralized when a spreadsheet would run it.
    typed = [row["Tên đơn vị"] for row in index_rows(archive)]
    assert typed[-1] == '\'=HYPERLINK("http://x")'
    assert typed[4] == HOSTILE[4]


def test_no_cell_of_the_index_starts_a_formula_even_a_folder_from_a_code_with_a_plus(
    tmp_path: Path,
) -> None:
    school = UnitInfo(10, "+1", "SUM(A1)", "school", COMMUNE.id)
    area = Subtree(
        CAMPAIGN, COMMUNE, (COMMUNE, school), {10: report(school, {}, files=evidence(school, 1))}
    )
    archive = zipped(tmp_path, area, stored(area))
    (folder,) = {PurePosixPath(name).parts[0] for name in archive.namelist()} - {"index.csv"}
    assert folder.startswith("+")  # a path may begin so; a spreadsheet's cell may not
    (row,) = index_rows(archive)
    assert not [cell for cell in row.values() if cell.startswith(("=", "+", "-", "@"))]
    assert row["Tệp trong thư mục nén"] == f"'{folder}/anh-1.jpg"


def test_progress_is_told_after_each_file(tmp_path: Path) -> None:
    area = commune_area()
    seen: list[tuple[int, int]] = []
    write_evidence_zip(
        area, reader(stored(area)), tmp_path / "a.zip", progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_files_are_read_and_written_one_at_a_time(tmp_path: Path) -> None:
    """Forty files of 1 MB each pass through; memory never holds more than a couple of them."""
    size, count = 1_000_000, 40

    def content(key: str) -> bytes:
        return key.encode().ljust(64, b"-") * (size // 64)

    infos = []
    for number in range(count):
        key = f"{number:02x}/{number:02x}/{number:064x}.jpg"
        data = content(key)
        infos.append(
            EvidenceInfo(key, "image/jpeg", len(data), hashlib.sha256(data).hexdigest(), NOW, None)
        )
    school = replace(SCHOOL_A, parent_id=None)
    area = Subtree(CAMPAIGN, school, (school,), {school.id: report(school, {}, files=infos)})
    tracemalloc.start()
    try:
        write_evidence_zip(area, content, tmp_path / "big.zip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * size
    with zipfile.ZipFile(tmp_path / "big.zip") as archive:
        assert len(archive.namelist()) == count + 1
        assert {row["Tình trạng"] for row in index_rows(archive)} == {"có"}


def test_an_area_without_evidence_gives_an_archive_with_only_the_index(tmp_path: Path) -> None:
    empty = Subtree(CAMPAIGN, COMMUNE, (COMMUNE, SCHOOL_DRAFT), {})
    archive = zipped(tmp_path, empty, {})
    assert archive.namelist() == ["index.csv"] and len(index_rows(archive)) == 0


@given(st.text(max_size=300))
def test_any_text_makes_one_safe_path_component(text: str) -> None:
    name = safe_name(text)
    check_entry_name(name)
    assert "/" not in name and name


@given(st.lists(st.text(max_size=40), max_size=30))
def test_names_handed_out_never_repeat_ignoring_case(texts: list[str]) -> None:
    names = UniqueNames(limit=60)
    taken = [names.take(text, extension="jpg") for text in texts]
    assert len({name.casefold() for name in taken}) == len(taken)
    for name in taken:
        check_entry_name(name)
        assert name.endswith(".jpg") and len(name.encode("utf-8")) <= 60
