"""The report draft (DOCX) an admin edits, signs and sends upward, built from the area's reports.

It follows the outline attached to the plans (seed 002, "Phụ lục": I. organization, II.
evaluation) in the administrative layout of Nghị định 30/2020/NĐ-CP: A4, Times New Roman, the
issuing unit and the national motto side by side in a borderless table, place and date, the
title, numbered sections, "Nơi nhận" and the signature block; then the summary table (appendix
1) and the commendation list (appendix 2) on pages of their own. Numbers are the roll-up of the
submitted reports (``bot.domain.rollup.totals``), so they equal the XLSX's; what the bot cannot
know (the document number, the signer) is left as dotted blanks to fill in by hand. The words
are in ``bot/data/export/words.toml``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from copy import deepcopy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as _Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.section import Section
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from bot.domain.campaign import Campaign
from bot.domain.form import Column, Derivation, Group, Item, MeasureKind
from bot.domain.number_text import format_count, format_money
from bot.domain.rollup import NominationInfo, Subtree, UnitInfo, counted, notes, totals
from bot.domain.units import level_of
from bot.export.wording import ReportWords, words

VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
FONT: Final = "Times New Roman"
LANGUAGE: Final = "vi-VN"
BODY_PT: Final = 14
TEXT_WIDTH_CM: Final = 16.5  # A4's 21 cm less the 30 mm left and 15 mm right margins
HEADER_WIDTHS_CM: Final = (6.3, 10.2)  # the issuing unit | the national motto
TABLE_WIDTHS_CM: Final = (1.3, 5.6, 2.5, 3.0, 2.1, 2.0)  # STT … Ghi chú; đồng need 3 cm
NOMINEE_WIDTHS_CM: Final = (1.2, 4.6, 4.2, 6.5)  # STT, name, proposer, achievement
MISSING_SHOWN: Final = 10  # units named as not reported; more are counted
_REFUSED: Final = frozenset({"Cc", "Cs", "Co", "Cn"})
_XML_SPACE: Final = "{http://www.w3.org/XML/1998/namespace}space"


def write_docx(
    subtree: Subtree, path: Path, *, place: str = "", now: datetime | None = None
) -> None:
    """Writes the area's report draft to ``path``.

    Args:
        subtree: the admin's area; only submitted reports count.
        path: the .docx to write (replaced if it exists).
        place: the place name printed before the date ("Huế"); dotted when empty.
        now: the report's date (default: now, in Vietnam time).
    """
    today = (now or datetime.now(VIETNAM)).astimezone(VIETNAM).date()
    document = Document()
    draft = _Draft(subtree, words().report, today, document)
    _set_page(document)
    draft.header(document, place)
    draft.body(document)
    draft.signature(document)
    draft.appendix_table(document)
    draft.appendix_nominations(document)
    _describe(document, draft, now or datetime.now(VIETNAM))
    document.save(str(path))


class _Draft:
    """One draft's data, computed once, and the parts of the document written from it."""

    def __init__(
        self, subtree: Subtree, say: ReportWords, today: date, document: _Document
    ) -> None:
        self.document = document
        self._end = document.element.body.sectPr  # new paragraphs go just before it
        self._looks: dict[tuple[bool, bool, float], CT_P] = {}
        self.subtree = subtree
        self.campaign: Campaign = subtree.campaign
        self.say = say
        self.today = today
        self.root = subtree.root
        self.counted = counted(subtree, self.root.id)
        self.totals = totals(subtree, self.root.id)
        self.notes = notes(subtree, self.root.id)
        self.nominations = [
            (unit, nomination)
            for unit in self.counted
            for nomination in subtree.reports[unit.id].nominations
        ]

    # The administrative header and the title ---------------------------------------------------

    def header(self, document: _Document, place: str) -> None:
        """The issuing unit and number left, motto and place/date right; then the title."""
        table = _borderless(document, HEADER_WIDTHS_CM)
        left, right = table.rows[0].cells
        _text(left.paragraphs[0], _clean(self.root.name).upper(), size=13, bold=True)
        _rule(left.add_paragraph(), width_cm=2.2, inside_cm=HEADER_WIDTHS_CM[0])
        _text(left.add_paragraph(), self.say.number, size=13)
        _text(right.paragraphs[0], self.say.nation, size=12, bold=True)
        motto = _text(right.add_paragraph(), self.say.motto, size=13, bold=True)
        motto.runs[0].font.underline = True
        when = self.say.place_date.format(
            place=_clean(place) or self.say.blank,
            day=f"{self.today.day:02d}",
            month=f"{self.today.month:02d}" if self.today.month < 3 else str(self.today.month),
            year=self.today.year,
        )
        _text(right.add_paragraph(), when, size=13, italic=True, before=6)
        _text(document.add_paragraph(), self.say.title, bold=True, before=18)
        subject = self.say.subject.format(year=self.campaign.year)
        _text(document.add_paragraph(), subject, bold=True)
        _rule(document.add_paragraph(), width_cm=4.0, inside_cm=TEXT_WIDTH_CM)

    # I and II ----------------------------------------------------------------------------------

    def body(self, document: _Document) -> None:
        """The introduction, part I (organization) and part II (evaluation)."""
        say = self.say
        intro = say.intro.format(
            year=self.campaign.year, theme=self.campaign.theme, unit=_clean(self.root.name)
        )
        self._para(intro, before=12)
        self._para(say.part_one, bold=True)
        self._para(say.direction, bold=True)
        for line in self._direction():
            self._para(line)
        self._para(say.direction_fill, italic=True)
        self._para(say.opening, bold=True)
        for line in self._opening():
            self._para(line)
        self._para(say.activities, bold=True)
        for line in self._activities() or [say.activities_none]:
            self._para(line)
        self._para(say.funding, bold=True)
        for line in self._funding():
            self._para(line)
        self._evaluation(document)
        closing = say.closing.format(year=self.campaign.year, unit=_clean(self.root.name))
        self._para(closing).paragraph_format.keep_with_next = True

    def _direction(self) -> list[str]:
        """How many units of the area have reported, and which have not yet."""
        units = self.subtree.units
        lines = [
            self.say.direction_count.format(
                date=self.today.strftime("%d/%m/%Y"),
                submitted=len(self.counted),
                total=len(units),
            )
        ]
        reported = {unit.id for unit in self.counted}
        missing = [self._who(unit) for unit in units if unit.id not in reported]
        if missing:
            shown = ", ".join(missing[:MISSING_SHOWN])
            if len(missing) > MISSING_SHOWN:
                shown = self.say.direction_more.format(
                    shown=shown, more=len(missing) - MISSING_SHOWN
                )
            lines.append(self.say.direction_missing.format(units=shown))
        return lines

    def _opening(self) -> list[str]:
        """The opening ceremony: how many units held it, when, and the template's own rows."""
        held = [
            unit
            for unit in self.counted
            if self.subtree.reports[unit.id].answers.get("opening:held") == 1
        ]
        if not held:
            return [self.say.opening_none]
        days = sorted(
            day for unit in held if (day := self.subtree.reports[unit.id].opening_date) is not None
        )
        when = ""
        if days and days[0] == days[-1]:
            when = self.say.opening_on.format(day=days[0].strftime("%d/%m/%Y"))
        elif days:
            when = self.say.opening_between.format(
                first=days[0].strftime("%d/%m/%Y"), last=days[-1].strftime("%d/%m/%Y")
            )
        lines = [
            self.say.opening_held.format(held=len(held), counted=len(self.counted), when=when)
        ]
        for item in _opening_rows(self.campaign):
            values = self._values(item)
            if values:
                lines.append(self.say.line.format(label=item.label, values=values))
        return lines

    def _activities(self) -> list[str]:
        """Every group held (non-zero totals) in words with numbers, and the units' texts."""
        lines: list[str] = []
        for group in self.campaign.form.groups:
            if _is_opening(group) or _is_money(group):
                continue
            rows = [item for item in group.children if self._values(item)]
            own = self._values(group.row)
            if own:
                lines.append(self.say.line.format(label=group.row.label, values=own))
            elif rows:
                lines.append(self.say.heading_line.format(label=group.row.label))
            lines += [self.say.subline.format(label=i.label, values=self._values(i)) for i in rows]
            lines += self._quotes(group.row)
        return lines

    def _quotes(self, item: Item) -> list[str]:
        """The units' free texts for a row, each attributed to its unit, under the row's label."""
        quoted: list[str] = []
        for measure in item.measures:
            if measure.kind is MeasureKind.TEXT:
                for unit, text in self.notes.get(f"{item.code}:{measure.key}", []):
                    quoted.append(self.say.quote.format(unit=self._who(unit), text=_clean(text)))
        if quoted:
            quoted.insert(0, self.say.heading_line.format(label=item.label))
        return quoted

    def _funding(self) -> list[str]:
        """Each source of funding in đồng, and their sum."""
        lines, total = [], 0
        for group in self.campaign.form.groups:
            if not _is_money(group):
                continue
            for item in group.children:
                amount = sum(self.totals.get(f"{item.code}:{m.key}", 0) for m in item.measures)
                total += amount
                lines.append(self.say.line.format(label=item.label, values=format_money(amount)))
        lines.append(self.say.funding_total.format(amount=format_money(total)))
        return lines

    def _evaluation(self, document: _Document) -> None:
        """Part II: each narrative question with the units' answers quoted; then the appendices."""
        say = self.say
        self._para(say.part_two, bold=True)
        number = 0
        for number, question in enumerate(self.campaign.form.narrative, start=1):
            self._para(say.narrative.format(number=number, label=question.label), bold=True)
            answers = [
                say.narrative_quote.format(unit=self._who(unit), text=_clean(text))
                for unit in self.counted
                if isinstance(
                    text := self.subtree.reports[unit.id].answers.get(f"narr:{question.key}"), str
                )
                and text.strip()
            ]
            for line in answers or [say.narrative_none]:
                self._para(line)
        self._para(say.table_item.format(number=number + 1), bold=True)
        collectives = sum(1 for _, n in self.nominations if n.kind == "collective")
        individuals = len(self.nominations) - collectives
        item = say.nominations_item.format(
            number=number + 2, collectives=collectives, individuals=individuals
        )
        self._para(item, bold=True)

    def _who(self, unit: UnitInfo) -> str:
        """The unit's name, with its parent's when it is two levels or more under the area.

        School names repeat from commune to commune ("Trường Tiểu học số 1"): a province's
        draft must say which one speaks.
        """
        name = _clean(unit.name)
        if unit.parent_id is None or unit.parent_id == self.root.id or unit.id == self.root.id:
            return name
        parent = _clean(self.subtree.unit(unit.parent_id).name)
        return self.say.unit_in.format(unit=name, parent=parent)

    def _values(self, item: Item) -> str:
        """A row's non-zero totals in words: "12 lớp, 1.260 người"; "" when all are zero."""
        parts = []
        for measure in item.measures:
            value = self.totals.get(f"{item.code}:{measure.key}", 0)
            if measure.kind is MeasureKind.TEXT or value == 0:
                continue
            if measure.kind is MeasureKind.MONEY:
                parts.append(format_money(value))
            else:
                parts.append(f"{format_count(value)} {measure.unit}".strip())
        return ", ".join(parts)

    def _para(
        self, text: str, *, bold: bool = False, italic: bool = False, before: float = 0
    ) -> Paragraph:
        """A body paragraph: justified, first line indented 1 cm, 6 pt after, 1.15 lines.

        The first paragraph of each look is made by python-docx; the next ones are copies of
        it put before the section properties directly, since python-docx looks for that place
        among all the body's paragraphs each time (a province's draft has thousands).
        """
        look = (bold, italic, before)
        shape = self._looks.get(look)
        if shape is None:
            paragraph = _text(
                self.document.add_paragraph(), "", bold=bold, italic=italic, before=before
            )
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            layout = paragraph.paragraph_format
            layout.first_line_indent = Cm(1)
            layout.space_after = Pt(6)
            layout.line_spacing = 1.15
            self._looks[look] = deepcopy(paragraph._p)
        else:
            element = deepcopy(shape)
            self._end.addprevious(element)
            paragraph = Paragraph(element, self.document)
        _put_text(paragraph._p.r_lst[0], text)
        return paragraph

    # Recipients and signature ------------------------------------------------------------------

    def signature(self, document: _Document) -> None:
        """ "Nơi nhận" left, the signer's title and a blank for the name right."""
        table = _borderless(document, (8.0, TEXT_WIDTH_CM - 8.0))
        _cant_split(table.rows[0])  # the signer's title never parts from its blank for the name
        left, right = table.rows[0].cells
        _text(left.paragraphs[0], self.say.recipients, size=12, bold=True, italic=True)
        left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
        deadline = self.campaign.deadline_for(level_of(self.root.kind))
        up = (
            self.say.recipient_up.format(to=deadline.to)
            if deadline is not None
            else self.say.recipient_blank
        )
        for line in (up, self.say.recipient_archive):
            _text(left.add_paragraph(), line, size=11).alignment = WD_ALIGN_PARAGRAPH.LEFT
        title = self.say.signers.get(self.root.kind, "")
        for index, line in enumerate(title.splitlines() or [""]):
            paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
            _text(paragraph, line, size=BODY_PT, bold=True)
        _text(right.add_paragraph(), self.say.sign_note, size=BODY_PT, italic=True)
        _text(right.add_paragraph(), self.say.signer_name, size=BODY_PT, bold=True, before=64)

    # Appendices --------------------------------------------------------------------------------

    def appendix_table(self, document: _Document) -> None:
        """Appendix 1: every row of the template with the area's totals."""
        say = self.say
        self._appendix_heading(document, say.appendix_table, say.table_title)
        table = _grid(document, TABLE_WIDTHS_CM, rows=2)
        top, second = table.rows[0].cells, table.rows[1].cells
        labels = (say.column_number, say.column_activity, say.column_unit)
        for index, label in enumerate(labels):
            _header_cell(top[index].merge(second[index]), label)
        _header_cell(top[3].merge(top[4]), say.column_amount)
        _header_cell(second[3], say.column_quantity)
        _header_cell(second[4], say.column_people)
        _header_cell(top[5].merge(second[5]), say.column_note)
        for group in self.campaign.form.groups:
            for item in (group.row, *group.children):
                self._table_row(table, item, is_group=item is group.row)

    def _table_row(self, table: Table, item: Item, *, is_group: bool) -> None:
        """One row: number, label, unit, then each measure in its printed column.

        A group row with a people line of its own (group 1) prints its people total on a second
        row under that line's label, as the seed does.
        """
        by_column = {column: "" for column in Column}
        people_unit = ""
        for measure in item.measures:
            key = f"{item.code}:{measure.key}"
            if measure.kind is MeasureKind.TEXT:
                writers = len(self.notes.get(key, []))
                by_column[measure.column] = (
                    self.say.note_texts.format(count=writers) if writers else ""
                )
            else:
                by_column[measure.column] = format_count(self.totals.get(key, 0))
            if measure.column is Column.PEOPLE:
                people_unit = measure.unit
        people = by_column[Column.PEOPLE]
        if item.people_label:
            by_column[Column.PEOPLE] = ""
        quantity, note = by_column[Column.QUANTITY], by_column[Column.NOTE]
        _fill_row(
            _new_row(table),
            (item.code, item.label, item.unit_label, quantity, by_column[Column.PEOPLE], note),
            bold=is_group,
        )
        if item.people_label:
            _fill_row(
                _new_row(table), ("", item.people_label, people_unit, "", people, ""), bold=True
            )

    def appendix_nominations(self, document: _Document) -> None:
        """Appendix 2: the collectives and the people proposed for commendation, by unit."""
        say = self.say
        self._appendix_heading(document, say.appendix_nominations, say.nominations_title)
        for heading, kind, column in (
            (say.collectives, "collective", say.column_collective),
            (say.individuals, "individual", say.column_individual),
        ):
            self._para(heading, bold=True, before=6)
            chosen = [(u, n) for u, n in self.nominations if n.kind == kind]
            if not chosen:
                self._para(say.nominations_none, italic=True)
                continue
            self._nominee_table(document, column, chosen)

    def _nominee_table(
        self,
        document: _Document,
        column: str,
        chosen: Sequence[tuple[UnitInfo, NominationInfo]],
    ) -> None:
        say = self.say
        table = _grid(document, NOMINEE_WIDTHS_CM, rows=1)
        headers = (say.column_number, column, say.column_proposer, say.column_achievement)
        for cell, label in zip(table.rows[0].cells, headers, strict=True):
            _header_cell(cell, label)
        # The first row is laid out by python-docx, the others are copies of it with their own
        # texts: a province's list has thousands of rows, and python-docx takes milliseconds
        # for each cell it formats.
        shape: CT_Row | None = None
        for number, (unit, nomination) in enumerate(chosen, start=1):
            texts = (str(number), nomination.name, self._who(unit), nomination.achievement)
            if shape is None:
                row = _new_row(table)
                for cell, text in zip(row.cells, texts, strict=True):
                    _text(cell.paragraphs[0], "", size=12).alignment = (
                        WD_ALIGN_PARAGRAPH.CENTER if text is texts[0] else WD_ALIGN_PARAGRAPH.LEFT
                    )
                shape = deepcopy(row._tr)
                tr = row._tr
            else:
                tr = deepcopy(shape)
                table._tbl.append(tr)
            for tc, text in zip(tr.tc_lst, texts, strict=True):
                _put_text(tc.p_lst[0].r_lst[0], _clean(text))

    def _appendix_heading(self, document: _Document, label: str, title: str) -> None:
        """A new page with the appendix's number, title and what it is attached to."""
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _text(document.add_paragraph(), label, bold=True)
        _text(document.add_paragraph(), title, bold=True)
        attached = self.say.attached.format(
            date=self.today.strftime("%d/%m/%Y"), unit=_clean(self.root.name)
        )
        _text(document.add_paragraph(), attached, size=13, italic=True)
        _rule(document.add_paragraph(), width_cm=4.0, inside_cm=TEXT_WIDTH_CM)


# The form's groups by role ---------------------------------------------------------------------


def _is_opening(group: Group) -> bool:
    """The group counting units that held the opening ceremony (7 in the 2023 template)."""
    return any(item.derivation is Derivation.OPENING_HELD for item in group.children)


def _is_money(group: Group) -> bool:
    """The funding group: every measure of its rows is a sum of money (10)."""
    measures = [m for item in (group.row, *group.children) for m in item.measures]
    return bool(measures) and all(m.kind is MeasureKind.MONEY for m in measures)


def _opening_rows(campaign: Campaign) -> Iterable[Item]:
    return (i for g in campaign.form.groups if _is_opening(g) for i in g.children)


# Layout helpers ----------------------------------------------------------------------------------


def _describe(document: _Document, draft: _Draft, now: datetime) -> None:
    """The file's properties as a word processor shows them: this report, by this unit, made now
    (python-docx's template says "generated by python-docx", by python-docx, in 2013)."""
    properties = document.core_properties
    properties.title = draft.say.subject.format(year=draft.campaign.year)
    properties.author = properties.last_modified_by = _clean(draft.root.name)
    properties.comments = properties.subject = properties.keywords = ""
    properties.language = LANGUAGE
    properties.created = properties.modified = now.astimezone(UTC).replace(tzinfo=None)
    properties.revision = 1


def _set_page(document: _Document) -> None:
    """A4 portrait, margins of Nghị định 30/2020 (top/bottom 20 mm, left 30, right 15), TNR 14."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    _page_numbers(section)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    properties = normal.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    # Vietnamese, so a word processor checks the spelling in Vietnamese, not every word in red.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), LANGUAGE)
    properties.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    spacing = normal.paragraph_format
    spacing.space_before, spacing.space_after = Pt(0), Pt(0)
    spacing.line_spacing = 1.0


def _page_numbers(section: Section) -> None:
    """The page number centered at the top of every page but the first (Nghị định 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"  # shown until the reader's word processor counts the pages itself
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _text(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    before: float = 0,
) -> Paragraph:
    """Puts text in the paragraph as one run, centered unless changed after."""
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if before:
        paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def _rule(paragraph: Paragraph, *, width_cm: float, inside_cm: float) -> None:
    """A short centered line: the paragraph's bottom border between indents (Nghị định 30)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1")):
        bottom.set(qn(attribute), value)
    bottom.set(qn("w:color"), "auto")
    borders.append(bottom)
    # The border goes in first: python-docx then inserts indents and spacing in schema order.
    paragraph._p.get_or_add_pPr().append(borders)
    side = max((inside_cm - width_cm) / 2 - 0.2, 0)
    layout = paragraph.paragraph_format
    layout.left_indent = layout.right_indent = Cm(side)
    layout.space_after = Pt(6)
    run = paragraph.add_run()
    run.font.size = Pt(2)


def _borderless(document: _Document, widths: Sequence[float]) -> Table:
    """A one-row table without borders, for text side by side (header, signature)."""
    table: Table = document.add_table(rows=1, cols=len(widths))
    _widths(table, widths)
    return table


def _grid(document: _Document, widths: Sequence[float], *, rows: int) -> Table:
    """A bordered table whose first ``rows`` rows are its header, repeated on every page."""
    table: Table = document.add_table(rows=rows, cols=len(widths), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for row in table.rows:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)
        _cant_split(row)
    return table


def _widths(table: Table, widths: Sequence[float]) -> None:
    """Fixed column widths, for Word (each cell) and LibreOffice (the grid)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _new_row(table: Table) -> _Row:
    """A row added at the end of the table, never cut across two pages."""
    row: _Row = table.add_row()  # type: ignore[no-untyped-call]  # python-docx leaves it untyped
    _cant_split(row)
    return row


def _cant_split(row: _Row) -> None:
    """A row is never cut across two pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


_ALIGNS: Final = (
    WD_ALIGN_PARAGRAPH.CENTER,  # STT
    WD_ALIGN_PARAGRAPH.LEFT,  # the activity
    WD_ALIGN_PARAGRAPH.CENTER,  # its unit
    WD_ALIGN_PARAGRAPH.RIGHT,  # classes or contests
    WD_ALIGN_PARAGRAPH.RIGHT,  # people
    WD_ALIGN_PARAGRAPH.LEFT,  # note
)


_SIZES: Final = (12, 12, 11, 12, 12, 10)  # "Số cuộc/người" fits its column on one line


def _fill_row(row: _Row, texts: Sequence[str], *, bold: bool) -> None:
    """Writes a summary table row; the note column in smaller type and never bold."""
    cells = zip(row.cells, texts, _ALIGNS, _SIZES, strict=True)
    for index, (cell, text, align, size) in enumerate(cells):
        note = index == len(_ALIGNS) - 1
        _text(cell.paragraphs[0], text, size=size, bold=bold and not note)
        cell.paragraphs[0].alignment = align
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _header_cell(cell: _Cell, text: str) -> None:
    _text(cell.paragraphs[0], text, size=12, bold=True)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _put_text(run: CT_R, text: str) -> None:
    """Writes text into an empty run: one w:t per line, a w:br between lines.

    What python-docx's ``run.text`` does, without its search for content to clear first, which
    is most of the time a list of thousands of nominations takes.
    """
    for index, line in enumerate(text.split("\n")):
        if index:
            run.append(OxmlElement("w:br"))
        piece = OxmlElement("w:t")
        piece.text = line
        piece.set(_XML_SPACE, "preserve")  # keeps the spaces at either end
        run.append(piece)


def _clean(text: str) -> str:
    """A person's text as a Word file can hold it: NFC, without control or unassigned characters.

    Line breaks stay (written as breaks) and a tab becomes a space; anything else XML 1.0
    cannot carry would make the file unreadable.
    """
    normal = unicodedata.normalize("NFC", text).replace("\t", " ")
    return "".join(
        char for char in normal if char == "\n" or unicodedata.category(char) not in _REFUSED
    ).strip()
