"""Decides whether a PDF is only pages, before it is stored and later handed to admins.

A PDF can carry JavaScript (run on opening, or by a link or a form field), a launch action that
opens another program, embedded files, Flash-era rich media and XFA forms. None of these belong
in a photo of a school event or a scanned report, and every one is a way to attack whoever opens
the export. The file is parsed with pypdf and every object in it is looked at, those packed
inside compressed object streams included, since a byte search of the file would miss them
(and would find ``/JS`` by chance in compressed bytes). A PDF that is encrypted with a password
cannot be read, so it cannot be checked; one whose structure pypdf cannot read at all is broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any, Final, Literal

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

PdfProblem = Literal["active", "locked", "corrupt"]

# Keys whose presence alone means scripts, launching, attached files, rich media or XFA forms.
_ACTIVE_KEYS: Final = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/XFA",
    }
)
# Action types (/S) and object types (/Type, /Subtype) that do the same.
_ACTIVE_NAMES: Final = frozenset(
    {"/JavaScript", "/Launch", "/RichMediaExecute", "/EmbeddedFile", "/RichMedia"}
)
_MAX_OBJECTS: Final = 200_000  # far beyond any scanned report; a bound on the work
_MAX_DEPTH: Final = 64  # direct objects nested deeper are not a document


def pdf_problem(data: bytes) -> PdfProblem | None:
    """None when the PDF holds only pages; otherwise why it must be refused."""
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            return "locked"
        for count, obj in enumerate(_objects(reader)):
            if count > _MAX_OBJECTS:
                return "corrupt"
            if _is_active(obj, 0):
                return "active"
    except RecursionError:
        return "corrupt"
    except Exception:  # pypdf raises many kinds on hostile input; all mean broken
        return "corrupt"
    return None


def _opens_without_password(reader: PdfReader) -> bool:
    """True for a PDF encrypted with an empty user password (an "owner password" only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without a crypto library: it cannot be read
        return False


def _objects(reader: PdfReader) -> Iterator[Any]:
    """Every indirect object of the file, from the xref tables and from object streams."""
    seen: set[tuple[int, int]] = set()
    numbers = [(idnum, gen) for gen, ids in reader.xref.items() for idnum in ids]
    numbers += [(idnum, 0) for idnum in reader.xref_objStm]
    for idnum, gen in numbers:
        if (idnum, gen) in seen:
            continue
        seen.add((idnum, gen))
        yield reader.get_object(IndirectObject(idnum, gen, reader))
    yield reader.trailer


def _is_active(obj: Any, depth: int) -> bool:
    """True when this object, or a direct object inside it, is active content."""
    if depth > _MAX_DEPTH:
        raise RecursionError("nested too deep")
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _ACTIVE_KEYS:
                return True
            if key in ("/S", "/Type", "/Subtype") and value in _ACTIVE_NAMES:
                return True
            if not isinstance(value, IndirectObject) and _is_active(value, depth + 1):
                return True
    elif isinstance(obj, ArrayObject):
        return any(
            not isinstance(item, IndirectObject) and _is_active(item, depth + 1) for item in obj
        )
    return False
