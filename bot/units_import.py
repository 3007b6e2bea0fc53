"""``tuanle units import FILE``: the unit tree from a CSV or XLSX file, all of it or nothing.

The file is recognised by its content, never by its name: an XLSX is a ZIP (``PK\\x03\\x04``),
anything else is read as UTF-8 CSV (with or without a BOM) separated by ``,``, ``;`` or a tab,
whichever makes more cells known column names. The header is the first of the first ten lines
naming two known columns (a title may stand above it); it names the columns, in any order, in
Vietnamese or English, with or without diacritics (``handlers.messages.IMPORT_HEADERS``): code,
name, kind, parent code and, optionally, contact; an unknown column is a problem. Every line is
checked against the file and the database before anything is written; any problem refuses the
whole file, each one reported with its line and column. A unit already in the database whose
name, kind, parent or contact differs is updated (and audited); units missing from the file are
left alone; without a contact column the contacts stay as they are. Cell values are text: a
cell that looks like a formula is kept as typed, never evaluated (an XLSX formula yields the
value Excel cached).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.units import UNIT_KINDS
from handlers import messages as say
from storage.models import Unit
from storage.uow import UnitOfWork, UnitOfWorkFactory

FIELDS = ("code", "name", "kind", "parent", "contact")
REQUIRED = ("code", "name", "kind")
# The widths of the ``units`` columns (storage/models.py); PostgreSQL would refuse longer text.
LIMITS = {"code": 64, "name": 255, "kind": 32, "parent": 64, "contact": 255}
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
HEADER_SEARCH = 10  # lines looked at for the header row
# The one Vietnamese letter NFD does not split into a base and a mark.
D_WITH_STROKE = unicodedata.lookup("LATIN SMALL LETTER D WITH STROKE")


@dataclass(frozen=True)
class Problem:
    """What is wrong at one line and column of the file."""

    line: int
    column: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        problem = say.IMPORT_PROBLEMS[self.reason].format(**self.params)
        if not self.column:  # the whole file is unreadable
            return say.IMPORT_FILE_PROBLEM.format(problem=problem)
        return say.IMPORT_PROBLEM.format(line=self.line, column=self.column, problem=problem)


class ImportRefused(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One unit as the file describes it."""

    line: int
    code: str
    name: str
    kind: str
    parent: str | None
    contact: str | None


@dataclass(frozen=True)
class Sheet:
    """The rows of a file, the name each field's column has in it, the problems of its lines."""

    rows: list[Row]
    columns: dict[str, str]
    problems: list[Problem]


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str | None


@dataclass
class Outcome:
    """What an import did: units added, units updated with their changes, units unchanged."""

    added: list[Row] = field(default_factory=list)
    updated: list[tuple[Row, list[Change]]] = field(default_factory=list)
    unchanged: int = 0


def read(data: bytes) -> Sheet:
    """The rows of an XLSX or CSV file; ImportRefused listing every problem found."""
    lines = list(_xlsx_lines(data) if data.startswith(ZIP_MAGIC) else _csv_lines(data))
    problems: list[Problem] = []
    if not lines:
        raise ImportRefused([Problem(1, "", "no_header")])
    at = _header_index(lines)
    header_line, header = lines[at]
    by_position: dict[int, str] = {}
    columns: dict[str, str] = {}
    for position, label in enumerate(header):
        name = _field_of(label)
        if name is None:
            if label.strip():
                known = ", ".join(names[0] for names in say.IMPORT_HEADERS.values())
                params = {"column": label, "known": known}
                problems.append(Problem(header_line, label, "unknown_column", params))
            continue
        if name in columns:
            problems.append(Problem(header_line, label, "repeated_column", {"column": label}))
            continue
        by_position[position], columns[name] = name, label.strip()
    for name in (*REQUIRED, "parent"):
        if name not in columns:
            shown = say.IMPORT_HEADERS[name][0]
            problems.append(Problem(header_line, shown, "missing_column", {"column": shown}))
    if problems:
        raise ImportRefused(problems)

    rows: list[Row] = []
    for line, cells in lines[at + 1 :]:
        values = {name: "" for name in columns}
        for position, cell in enumerate(cells):
            if position in by_position:
                values[by_position[position]] = cell
            elif cell:
                column = header[position] if position < len(header) else f"#{position + 1}"
                params = {"value": cell[:40]}
                problems.append(Problem(line, column or f"#{position + 1}", "extra_cell", params))
        problems += _check(line, values, columns)
        rows.append(
            Row(
                line=line,
                code=values["code"],
                name=values["name"],
                kind=values["kind"].lower(),
                parent=values["parent"] or None,
                contact=values.get("contact") or None,
            )
        )
    # The rows are still checked against each other and the database, so that one run reports
    # every problem of the file.
    return Sheet(rows, columns, problems)


async def import_units(uows: UnitOfWorkFactory, data: bytes, now: datetime) -> Outcome:
    """Imports the file in one transaction; ImportRefused, with nothing written, on any problem."""
    sheet = read(data)
    async with uows() as uow:
        units = {unit.code: unit for unit in await uow.units.all()}
        outcome = plan(sheet, units)
        await _apply(uow, sheet, outcome, units, now)
        await uow.commit()
    return outcome


def plan(sheet: Sheet, units: dict[str, Unit]) -> Outcome:
    """What importing the sheet over these units changes; ImportRefused on any problem."""
    problems = list(sheet.problems)
    first: dict[str, int] = {}
    for row in sheet.rows:
        if not row.code:
            continue
        if row.code in first:
            params = {"code": row.code, "first": first[row.code]}
            problems.append(Problem(row.line, sheet.columns["code"], "duplicate", params))
        else:
            first[row.code] = row.line
    by_id = {unit.id: unit.code for unit in units.values()}
    parents = {code: by_id.get(unit.parent_id or 0) for code, unit in units.items()}
    parents |= {row.code: row.parent for row in sheet.rows}
    parent_column = sheet.columns["parent"]
    for row in sheet.rows:
        if row.parent is None or not row.code:
            continue
        if row.parent == row.code:
            problems.append(Problem(row.line, parent_column, "own_parent"))
        elif row.parent not in parents:
            problems.append(Problem(row.line, parent_column, "no_parent", {"code": row.parent}))
    problems += _cycles(sheet, parents)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda problem: problem.line))

    outcome = Outcome()
    for row in sheet.rows:
        unit = units.get(row.code)
        if unit is None:
            outcome.added.append(row)
            continue
        changes = [
            Change(name, old, new)
            for name, old, new in (
                ("name", unit.name, row.name),
                ("kind", unit.kind, row.kind),
                ("parent", _parent_code(unit, by_id), row.parent),
                ("contact", unit.contact, row.contact if "contact" in sheet.columns else None),
            )
            if old != new and (name != "contact" or "contact" in sheet.columns)
        ]
        if changes:
            outcome.updated.append((row, changes))
        else:
            outcome.unchanged += 1
    return outcome


def _parent_code(unit: Unit, codes_by_id: dict[int, str]) -> str | None:
    return codes_by_id.get(unit.parent_id) if unit.parent_id is not None else None


async def _apply(
    uow: UnitOfWork, sheet: Sheet, outcome: Outcome, units: dict[str, Unit], now: datetime
) -> None:
    # New units are added without a parent first, so that a child may come before its parent.
    for row in outcome.added:
        units[row.code] = await uow.units.add(row.code, row.name, row.kind, None, now, row.contact)
        uow.audit.record("cli", "unit.import.add", {"unit": row.code}, now)
    keep_contact = "contact" not in sheet.columns
    touched = [*outcome.added, *(row for row, _changes in outcome.updated)]
    for row in touched:
        unit = units[row.code]
        parent_id = units[row.parent].id if row.parent else None
        contact = unit.contact if keep_contact else row.contact
        await uow.units.update(unit, row.name, row.kind, parent_id, contact)
    for row, changes in outcome.updated:
        detail = {"unit": row.code, "changes": {c.field: [c.old, c.new] for c in changes}}
        uow.audit.record("cli", "unit.import.update", detail, now)


def _cycles(sheet: Sheet, parents: dict[str, str | None]) -> list[Problem]:
    """One problem per cycle of parents the import would make, at its first line in the file."""
    problems: list[Problem] = []
    lines = {row.code: row.line for row in sheet.rows}
    settled: set[str] = set()
    for row in sheet.rows:
        path: list[str] = []
        code: str | None = row.code
        while code is not None and code not in settled and code not in path:
            path.append(code)
            code = parents.get(code)
        if code is not None and code in path and code not in settled:
            cycle = path[path.index(code) :]
            if len(cycle) > 1:  # a unit of its own is reported as "own_parent"
                at = min(lines.get(member, 10**9) for member in cycle)
                text = " → ".join([*cycle, code])
                problems.append(Problem(at, sheet.columns["parent"], "cycle", {"path": text}))
        settled.update(path)
    return problems


def _check(line: int, values: dict[str, str], columns: dict[str, str]) -> Iterator[Problem]:
    for name, value in values.items():
        column = columns[name]
        if name in REQUIRED and not value:
            yield Problem(line, column, "empty")
        elif len(value) > LIMITS[name]:
            yield Problem(line, column, "too_long", {"length": len(value), "limit": LIMITS[name]})
        elif any(unicodedata.category(char) == "Cc" for char in value):
            yield Problem(line, column, "control")
        elif name in ("code", "parent") and any(char.isspace() for char in value):
            yield Problem(line, column, "spaces")
        elif name == "kind" and value and value.lower() not in UNIT_KINDS:
            kinds = ", ".join(f"{k} ({v})" for k, v in say.UNIT_KIND_NAMES.items())
            yield Problem(line, column, "unknown_kind", {"value": value, "kinds": kinds})


def _field_of(label: str) -> str | None:
    wanted = _normal(label)
    for name, labels in say.IMPORT_HEADERS.items():
        if wanted in (_normal(known) for known in labels):
            return name
    return None


def _normal(text: str) -> str:
    """A header name without case, extra spaces or diacritics: "Mã cấp trên" is "ma cap tren"."""
    # Without diacritics, since headers are often typed without a Vietnamese keyboard; no two
    # accepted names differ only by them.
    text = unicodedata.normalize("NFD", text.casefold().replace(D_WITH_STROKE, "d"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace("_", " ").split())


def _known(cells: list[str]) -> int:
    return sum(_field_of(cell) is not None for cell in cells)


def _header_index(lines: list[tuple[int, list[str]]]) -> int:
    """The header: the first of the first lines naming two known columns, else the first line."""
    # A spreadsheet often has a title ("DANH SÁCH ĐƠN VỊ") above its table.
    for index, (_line, cells) in enumerate(lines[:HEADER_SEARCH]):
        if _known(cells) >= 2:
            return index
    return 0


def _cell(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO, surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of the first sheet, numbered as the spreadsheet shows them."""
    # Imported here: only an XLSX needs it, and it takes a while to load.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise ImportRefused([Problem(1, "", "bad_xlsx")]) from error
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = _trimmed([_cell(value) for value in values])
            if cells:
                yield number, cells
    finally:
        book.close()


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records, each numbered by the line it starts on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused([Problem(1, "", "not_utf8")]) from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    start = 1
    for record in reader:
        cells = _trimmed([_cell(value) for value in record])
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _delimiter(text: str) -> str:
    """The separator that makes the most known column names of a line near the top; else ``,``."""
    top = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH]

    def known(delimiter: str) -> int:
        return max((_known(cells) for cells in csv.reader(top, delimiter=delimiter)), default=0)

    return max(DELIMITERS, key=known)  # the first of equals, so "," when none is known
