"""The evidence of an area as one ZIP: a folder per unit, and an index of what each file is.

Only submitted reports are taken, as in the totals. Folder names come from the unit's code and
name made safe (bot/export/names.py); file names never carry a person's text: they are "anh-1.jpg",
"tai-lieu-1.pdf", numbered per unit in the order sent, with the extension chosen by the sniffed
type. The index (``index.csv``, UTF-8 with a BOM so Excel shows the diacritics) says for each file
its unit, kind, size, SHA-256, when (Vietnam time) and by whom it was sent, and whether it is
there: a file gone from the disk is listed as missing, not a crash, and one whose bytes no longer
match the hash they were kept under is included and marked as changed.

Files are read and written one at a time, and the index rows go to a temporary file as they are
made, so an area with tens of thousands of files never holds them in memory together.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Final
from zoneinfo import ZoneInfo

from bot.domain.rollup import EvidenceInfo, Subtree, UnitInfo, submitted_reports
from bot.export.cells import safe_text
from bot.export.names import UniqueNames
from bot.export.wording import IndexWords, words
from storage.files import InvalidFileKey

INDEX_NAME: Final = "index.csv"
VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
FOLDER_BYTES: Final = 100  # a folder name's bound; the whole entry stays far below 255 bytes
_EXTENSIONS: Final = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_PHOTO_EXTENSIONS: Final = frozenset({"jpg", "png", "webp"})
_ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP entry can carry


@dataclass(frozen=True, slots=True)
class _Entry:
    """One evidence file: where it goes in the archive and what the index says of it."""

    unit: UnitInfo
    name: str  # "<folder>/<file>"
    evidence: EvidenceInfo


def write_evidence_zip(
    subtree: Subtree,
    read: Callable[[str], bytes],
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Writes the area's evidence to ``path`` as a ZIP with one folder per unit and an index.

    Args:
        subtree: the admin's area; only its submitted reports' evidence is taken.
        read: returns a stored file's bytes by its key; FileNotFoundError when it is gone.
        path: the archive to write (replaced if it exists).
        progress: told (files done, files in all) after each file.
    """
    labels = words().evidence_index
    total = sum(len(report.evidence) for _, report in submitted_reports(subtree, subtree.root.id))
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as index,
    ):
        rows = csv.writer(index)
        rows.writerow(_header(labels))
        for done, entry in enumerate(_entries(subtree), start=1):
            state = _add(archive, entry, read, labels)
            rows.writerow(_row(entry, state, labels))
            if progress is not None:
                progress(done, total)
        index.flush()
        index.seek(0)
        _add_index(archive, index)


def _entries(subtree: Subtree) -> Iterator[_Entry]:
    """The evidence of every submitted report, in tree order, each with its archive name."""
    labels = words().evidence_index
    folders = UniqueNames(limit=FOLDER_BYTES)
    folders.take(INDEX_NAME)  # no unit's folder may be named like the index
    for unit, report in submitted_reports(subtree, subtree.root.id):
        if not report.evidence:
            continue
        folder = folders.take(f"{unit.code} - {unit.name}")
        counts: dict[str, int] = {}
        for evidence in report.evidence:
            extension = _EXTENSIONS.get(evidence.mime, "bin")
            stem = _stem(extension, labels)
            counts[stem] = counts.get(stem, 0) + 1
            name = f"{folder}/{stem}-{counts[stem]}.{extension}"
            yield _Entry(unit=unit, name=name, evidence=evidence)


def _stem(extension: str, labels: IndexWords) -> str:
    if extension in _PHOTO_EXTENSIONS:
        return labels.photo_file
    return labels.pdf_file if extension == "pdf" else labels.other_file


def _add(
    archive: zipfile.ZipFile,
    entry: _Entry,
    read: Callable[[str], bytes],
    labels: IndexWords,
) -> str:
    """Puts one file in the archive; returns its state for the index."""
    try:
        data = read(entry.evidence.stored_key)
    except (FileNotFoundError, InvalidFileKey):
        return labels.missing
    info = zipfile.ZipInfo(entry.name, date_time=_zip_time(entry.evidence.sent_at))
    # Photos and PDFs are compressed already: storing them costs nothing and saves the CPU.
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
    if hashlib.sha256(data).hexdigest() != entry.evidence.sha256:
        return labels.changed
    return labels.present


def _add_index(archive: zipfile.ZipFile, index: IO[str]) -> None:
    """Copies the index from its temporary file into the archive, a piece at a time."""
    info = zipfile.ZipInfo(INDEX_NAME, date_time=_zip_time(datetime.now(VIETNAM)))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with (
        archive.open(info, "w") as target,
        io.TextIOWrapper(target, encoding="utf-8-sig", newline="") as text,
    ):
        shutil.copyfileobj(index, text)


def _header(labels: IndexWords) -> list[str]:
    return [
        labels.unit_code,
        labels.unit_name,
        labels.file,
        labels.kind,
        labels.size,
        labels.sha256,
        labels.sent_at,
        labels.sent_by,
        labels.state,
    ]


def _row(entry: _Entry, state: str, labels: IndexWords) -> list[str]:
    evidence = entry.evidence
    extension = entry.name.rsplit(".", 1)[-1]
    kind = labels.photo if extension in _PHOTO_EXTENSIONS else labels.other
    kind = labels.pdf if extension == "pdf" else kind
    return [
        safe_text(entry.unit.code),
        safe_text(entry.unit.name),
        safe_text(entry.name),  # a folder may begin with "+" (a unit code "+1")
        kind,
        str(evidence.size),
        evidence.sha256,
        evidence.sent_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
        safe_text(evidence.sent_by or ""),
        state,
    ]


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """The moment in Vietnam time as a ZIP entry's date (ZIP keeps local time, from 1980)."""
    local = moment.astimezone(VIETNAM)
    stamp = (local.year, local.month, local.day, local.hour, local.minute, local.second)
    return max(stamp, _ZIP_EPOCH)
