"""The official table of seed 002 ("Mẫu tổng hợp số liệu") as an XLSX workbook, ready to print.

Sheets, in order: the table summed over the whole area; the same table for each child unit
(a commune's schools, a province's communes); the detail, one line per unit with every number
of its report; the units that have not submitted, with their contact; the commendation list;
and, when children signed off a roll-up, their signed numbers beside the live ones.

Only submitted reports count (``bot.domain.rollup``). The workbook is written row by row
(openpyxl's write-only mode), so a province of 10,000 units stays within a few hundred MB.
Every text a person typed goes through ``cells.safe_text``; a sheet is named from a unit's code
and name made safe for a sheet name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Final, cast
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.form import Column, Item, MeasureKind
from bot.domain.rollup import (
    NOT_STARTED,
    SUBMITTED,
    Subtree,
    UnitInfo,
    counted,
    notes,
    numeric_keys,
    text_keys,
    totals,
)
from bot.export.cells import safe_text
from bot.export.wording import XlsxWords, words

VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_NAME: Final = "Times New Roman"  # the administrative norm; LibreOffice substitutes a serif
NUMBER: Final = "#,##0"
# Text of a free-text row shown in "Ghi chú" before the rest is left to the detail sheet.
NOTES_SHOWN: Final = 5
NOTE_CHARS: Final = 100
# Columns of the official table: STT, Các hoạt động, Đơn vị, Số lớp/số cuộc thi, Số người, Ghi chú.
TABLE_WIDTHS: Final = (5, 46, 12, 11, 10, 24)
MEASURE_COLUMN: Final = {Column.QUANTITY: 3, Column.PEOPLE: 4, Column.NOTE: 5}
# Row heights: characters of 12-point text per unit of column width (kept low enough for the
# wider serif LibreOffice substitutes for Times New Roman), and the height of one line.
CHARS_PER_WIDTH: Final = 1.0
LINE_POINTS: Final = 15.5
MAX_ROW_POINTS: Final = 409  # the tallest row a spreadsheet accepts
SHEET_NAME_MAX: Final = 31
SHEET_NAME_BAD: Final = frozenset("[]:*?/\\")

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_PLAIN = Font(name=FONT_NAME, size=12)
_BOLD = Font(name=FONT_NAME, size=12, bold=True)
_ITALIC = Font(name=FONT_NAME, size=12, italic=True)
_TITLE = Font(name=FONT_NAME, size=13, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")

Value = int | str | None


def write_xlsx(subtree: Subtree, path: Path, *, zone: tzinfo = VIETNAM) -> None:
    """Writes the workbook of the area to ``path``; times are shown in ``zone``."""
    book = Workbook(write_only=True)
    names, styles = _SheetNames(), _Styles(book)
    children = subtree.children(subtree.root.id)
    _table_sheet(styles, names.make(_say().sheet_total), subtree, subtree.root, zone)
    for child in children:
        _table_sheet(styles, names.make(f"{child.code} {child.name}"), subtree, child, zone)
    _detail_sheet(styles, names.make(_say().sheet_detail), subtree, zone)
    _missing_sheet(styles, names.make(_say().sheet_missing), subtree)
    _nominations_sheet(styles, names.make(_say().sheet_nominations), subtree)
    if any(child.id in subtree.signed for child in children):
        _signed_sheet(styles, names.make(_say().sheet_signed), subtree, zone)
    book.save(path)


class _SheetNames:
    """Sheet names a spreadsheet accepts: at most 31 characters, none of []:*?/\\, no quote at
    either end, unique ignoring case, never "History" (Excel keeps it for itself)."""

    def __init__(self) -> None:
        self._taken: set[str] = {"history"}

    def make(self, text: str) -> str:
        cleaned = "".join(
            " " if c in SHEET_NAME_BAD or unicodedata.category(c)[0] == "C" else c
            for c in unicodedata.normalize("NFC", text)
        )
        base = " ".join(cleaned.split())
        name, number = _cut(base, SHEET_NAME_MAX), 1
        while name.casefold() in self._taken:
            number += 1
            suffix = f" ({number})"
            name = _cut(base, SHEET_NAME_MAX - len(suffix)) + suffix
        self._taken.add(name.casefold())
        return name


def _say() -> XlsxWords:
    """The sheets' words (bot/data/export/words.toml: bot/export sits below the catalogue)."""
    return words().xlsx


def _cut(text: str, limit: int) -> str:
    return text[:limit].strip(" '") or "_"


# The official table ------------------------------------------------------------------------


def _table_sheet(
    styles: _Styles, title: str, subtree: Subtree, area: UnitInfo, zone: tzinfo
) -> None:
    """The table of seed 002 summed over ``area`` and every unit under it."""
    sheet = _Sheet(styles, title, TABLE_WIDTHS, landscape=False, head=(6, 7))
    sheet.banner(_say().title, _TITLE)
    sheet.banner(_say().subtitle, _ITALIC)
    sheet.banner(_say().area.format(name=area.name, year=subtree.campaign.year), _BOLD)
    counted_line = _say().counted.format(
        submitted=len(counted(subtree, area.id)),
        total=len(subtree.below(area.id)),
        time=_when(subtree, zone),
    )
    sheet.banner(counted_line, _ITALIC)
    sheet.blank()
    first = sheet.header(
        [
            _say().head_stt,
            _say().head_activity,
            _say().head_unit,
            _say().head_amount,
            None,
            _say().head_note,
        ]
    )
    sheet.header([None, None, None, _say().head_quantity, _say().head_people, None])
    for merged in ("A{0}:A{1}", "B{0}:B{1}", "C{0}:C{1}", "D{0}:E{0}", "F{0}:F{1}"):
        sheet.merge(merged.format(first, first + 1))
    sums = totals(subtree, area.id)
    texts = notes(subtree, area.id)
    aligns = (_CENTER, _LEFT, _CENTER, _RIGHT, _RIGHT, _LEFT)
    for group in subtree.campaign.form.groups:
        for item in (group.row, *group.children):
            number = group.number if item is group.row else None
            font = _BOLD if item is group.row else _PLAIN
            for line in _table_lines(item, number, sums, texts):
                sheet.line(line, font=font, aligns=aligns)


def _table_lines(
    item: Item,
    number: str | None,
    sums: dict[str, int],
    texts: dict[str, list[tuple[UnitInfo, str]]],
) -> list[list[Value]]:
    """The printed line(s) of one row: STT, label, unit, quantity, people, note.

    A group row with a people line of its own (group 1) prints its people total on a second
    line, as the seed does.
    """
    line: list[Value] = [number, item.label, item.unit_label, None, None, None]
    second: list[Value] | None = None
    for measure in item.measures:
        key = f"{item.code}:{measure.key}"
        if measure.kind is MeasureKind.TEXT:
            line[MEASURE_COLUMN[measure.column]] = _joined(texts.get(key, []))
        elif measure.column is Column.PEOPLE and item.people_label:
            second = [None, item.people_label, measure.unit, None, sums[key], None]
        else:
            line[MEASURE_COLUMN[measure.column]] = sums[key]
    return [line] if second is None else [line, second]


def _joined(texts: Sequence[tuple[UnitInfo, str]]) -> str | None:
    """A free-text row summed over units: who wrote what, the first few, then how many more."""
    if not texts:
        return None
    lines = [
        _say().note_unit.format(name=unit.name, text=_short(text))
        for unit, text in texts[:NOTES_SHOWN]
    ]
    if len(texts) > NOTES_SHOWN:
        lines.append(_say().note_more.format(count=len(texts) - NOTES_SHOWN))
    return "\n".join(lines)


def _short(text: str) -> str:
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"


# The detail, the missing units, the nominations, the signed roll-ups ----------------------


def _detail_sheet(styles: _Styles, title: str, subtree: Subtree, zone: tzinfo) -> None:
    """One line per unit: who it is, where its report stands, and every number it reported.

    Only a submitted report's numbers are shown, as only they count in the table.
    """
    form = subtree.campaign.form
    keys, free = numeric_keys(form), text_keys(form)
    fixed = (12, 32, 11, 12, 13, 14, 16)
    widths = (*fixed, *(11 for _ in keys), *(40 for _ in free))
    sheet = _Sheet(styles, title, widths, landscape=True, head=(4, 4), columns=2)
    heading = _say().detail_title.format(name=subtree.root.name, year=subtree.campaign.year)
    sheet.banner(heading, _TITLE, align=_LEFT, span=len(fixed))
    sheet.banner(_say().detail_note, _ITALIC, align=_LEFT, span=len(fixed))
    sheet.blank()
    labels = {
        f"{item.code}:{m.key}": _say().detail_measure.format(code=item.code, label=m.label)
        for item in form.items()
        for m in item.measures
    }
    sheet.header([*_say().detail_head, *(labels[k] for k in (*keys, *free))])
    codes = {unit.id: unit.code for unit in subtree.units}
    for unit in subtree.units:
        report = subtree.reports.get(unit.id)
        state = NOT_STARTED if report is None else report.status
        sent = report.submitted_at if report is not None else None
        line: list[Value] = [
            unit.code,
            unit.name,
            _say().kind.get(unit.kind, unit.kind),
            codes.get(unit.parent_id) if unit.parent_id is not None else None,
            _say().status.get(state, state),
            report.reference if report is not None else None,
            _say().when.format(time=sent.astimezone(zone)) if sent is not None else None,
        ]
        if report is not None and report.progress == SUBMITTED:
            values = subtree.values[unit.id]
            line += [values[key] for key in keys]
            line += [_text(report.answers.get(key)) for key in free]
        sheet.line(line)


def _missing_sheet(styles: _Styles, title: str, subtree: Subtree) -> None:
    """The units whose report is not submitted, with whom to call."""
    sheet = _Sheet(styles, title, (6, 14, 36, 30, 16, 26), landscape=False, head=(3, 3))
    heading = _say().missing_title.format(name=subtree.root.name, year=subtree.campaign.year)
    sheet.banner(heading, _TITLE)
    sheet.blank()
    sheet.header(list(_say().missing_head))
    names = {unit.id: unit.name for unit in subtree.units}
    missing = [u for u in subtree.units if subtree.progress(u.id) != SUBMITTED]
    for number, unit in enumerate(missing, 1):
        report = subtree.reports.get(unit.id)
        state = NOT_STARTED if report is None else report.status
        parent = names.get(unit.parent_id) if unit.parent_id is not None else None
        status = _say().status.get(state, state)
        sheet.line([number, unit.code, unit.name, parent, status, unit.contact])
    if not missing:
        sheet.banner(_say().missing_none, _ITALIC, align=_LEFT)


def _nominations_sheet(styles: _Styles, title: str, subtree: Subtree) -> None:
    """Seed 003's list: the collectives and people the submitted reports propose."""
    sheet = _Sheet(styles, title, (6, 30, 14, 30, 50), landscape=False, head=(3, 3))
    heading = _say().nominations_title.format(name=subtree.root.name, year=subtree.campaign.year)
    sheet.banner(heading, _TITLE)
    sheet.blank()
    sheet.header(list(_say().nominations_head))
    number = 0
    for unit in counted(subtree, subtree.root.id):
        for nomination in subtree.reports[unit.id].nominations:
            number += 1
            kind = _say().nomination_kind.get(nomination.kind, nomination.kind)
            sheet.line([number, unit.name, kind, nomination.name, nomination.achievement])
    if number == 0:
        sheet.banner(_say().nominations_none, _ITALIC, align=_LEFT)


def _signed_sheet(styles: _Styles, title: str, subtree: Subtree, zone: tzinfo) -> None:
    """For each child that signed off its roll-up: the signed numbers beside the live sums.

    A line that differs is bold (a report submitted, reopened or changed since the sign-off);
    a row that is 0 on both sides is left out.
    """
    sheet = _Sheet(styles, title, (7, 50, 26, 14, 14, 14), landscape=False, head=(3, 3))
    heading = _say().signed_title.format(name=subtree.root.name, year=subtree.campaign.year)
    sheet.banner(heading, _TITLE)
    sheet.blank()
    sheet.header(list(_say().signed_head))
    form = subtree.campaign.form
    for child in subtree.children(subtree.root.id):
        signed = subtree.signed.get(child.id)
        if signed is None:
            continue
        live = totals(subtree, child.id)
        about = _say().signed_unit.format(
            code=child.code,
            name=child.name,
            revision=signed.revision,
            when=_say().when.format(time=signed.submitted_at.astimezone(zone)),
            signed=len(signed.counted),
            live=len(counted(subtree, child.id)),
        )
        sheet.banner(about, _BOLD, align=_LEFT)
        for item in form.items():
            for measure in item.measures:
                key = f"{item.code}:{measure.key}"
                if key not in live:
                    continue
                was, now = int(signed.totals.get(key, 0)), live[key]
                if was == now == 0:
                    continue
                line: list[Value] = [item.code, item.label, measure.label, was, now, now - was]
                sheet.line(line, font=_BOLD if was != now else _PLAIN)


# Cells and sheets ---------------------------------------------------------------------------


class _Styles:
    """The workbook's cell styles, registered once each as a named style.

    Naming a registered style on a cell is a lookup; setting font, alignment, border and number
    format one by one hashes each of them again for every cell, which took most of the time of a
    province's detail sheet.
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._names: dict[tuple[int, int, bool, bool], str] = {}

    def name(self, font: Font, align: Alignment, *, box: bool, number: bool) -> str:
        key = (id(font), id(align), box, number)
        found = self._names.get(key)
        if found is None:
            found = f"tuanle-{len(self._names) + 1}"
            self.book.add_named_style(
                NamedStyle(
                    name=found,
                    font=font,
                    alignment=align,
                    border=_BOX if box else Border(),
                    number_format=NUMBER if number else "General",
                )
            )
            self._names[key] = found
        return found


class _Sheet:
    """A write-only sheet on A4, written top to bottom.

    It counts its rows, so merges and the printed header rows can be named, and sets each row's
    height from the wrapped text it holds: LibreOffice keeps a row one line high otherwise and
    the lines of a long label print over each other.
    """

    def __init__(
        self,
        styles: _Styles,
        title: str,
        widths: Iterable[int],
        *,
        landscape: bool,
        head: tuple[int, int],
        columns: int = 0,
    ) -> None:
        """Rows ``head`` (and the first ``columns`` columns) print on every page and stay in
        view while scrolling; a write-only sheet takes that before its first row."""
        # A write-only sheet has a Worksheet's print settings, widths and merges (openpyxl copies
        # them over); the type stubs know only the Worksheet.
        self.sheet = cast(Worksheet, styles.book.create_sheet(title))
        self.styles = styles
        self.widths = tuple(widths)
        self.rows = 0
        for index, width in enumerate(self.widths, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        setup = self.sheet.page_setup
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        if not landscape:  # the wide detail prints across pages, its unit columns repeated
            self.sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            setup.fitToWidth = 1
            setup.fitToHeight = 0
        self.sheet.print_title_rows = f"{head[0]}:{head[1]}"
        if columns:
            self.sheet.print_title_cols = f"A:{get_column_letter(columns)}"
        self.sheet.freeze_panes = f"{get_column_letter(columns + 1)}{head[1] + 1}"
        self.sheet.print_options.horizontalCentered = True
        self.sheet.page_margins.left = self.sheet.page_margins.right = 0.5
        self.sheet.page_margins.top = self.sheet.page_margins.bottom = 0.6

    def line(
        self,
        values: Sequence[Value],
        *,
        font: Font = _PLAIN,
        aligns: Sequence[Alignment] | None = None,
    ) -> None:
        """A row of the table: boxed cells, numbers right, text left and wrapped."""
        cells = [
            self._cell(
                value,
                font,
                aligns[index] if aligns else (_RIGHT if isinstance(value, int) else _LEFT),
                box=True,
            )
            for index, value in enumerate(values)
        ]
        self._append(cells, [(v, w) for v, w in zip(values, self.widths, strict=False)])

    def header(self, titles: Sequence[str | None]) -> int:
        """A row of column titles; its row number."""
        cells = [self._cell(title, _BOLD, _CENTER, box=True) for title in titles]
        self._append(cells, [(t, w) for t, w in zip(titles, self.widths, strict=False)])
        return self.rows

    def banner(
        self, text: str, font: Font, *, align: Alignment = _CENTER, span: int | None = None
    ) -> None:
        """A line of text across the first ``span`` columns (all of them by default)."""
        span = span or len(self.widths)
        self._append([self._cell(text, font, align)], [(text, sum(self.widths[:span]))])
        self.merge(f"A{self.rows}:{get_column_letter(span)}{self.rows}")

    def blank(self) -> None:
        self._append([], [])

    def merge(self, ref: str) -> None:
        self.sheet.merged_cells.add(ref)

    def _cell(self, value: Value, font: Font, align: Alignment, *, box: bool = False) -> Cell:
        """A cell in one of the workbook's styles; text made safe (``cells.safe_text``)."""
        safe = safe_text(value) if isinstance(value, str) else value
        cell = WriteOnlyCell(self.sheet, value=safe)
        cell.style = self.styles.name(font, align, box=box, number=isinstance(value, int))
        return cell

    def _append(self, cells: list[Cell], texts: Sequence[tuple[Value, float]]) -> None:
        self.rows += 1
        lines = max((_lines(value, width) for value, width in texts), default=1)
        height = min(lines * LINE_POINTS + 3, MAX_ROW_POINTS)
        self.sheet.row_dimensions[self.rows].height = height
        self.sheet.append(cells)


def _lines(value: Value, width: float) -> int:
    """How many lines a wrapped text takes in a column ``width`` characters wide."""
    if not isinstance(value, str):
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def _text(value: int | str | None) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _when(subtree: Subtree, zone: tzinfo) -> datetime:
    made = subtree.generated_at or datetime.now(zone)
    return made.astimezone(zone)
