"""The words of the report draft and the evidence index (``bot/data/export/words.toml``).

They are a data file rather than entries of handlers/messages.py because bot/export sits below
handlers in the layers, and because the outline they follow changes by year and by province.
The file is checked whole when first read: a missing or unknown key fails loudly.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "export" / "words.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportWords(_Strict):
    """The draft's fixed texts; ``{name}`` blanks are filled with ``str.format``."""

    number: str
    nation: str
    motto: str
    place_date: str
    blank: str
    title: str
    subject: str
    intro: str
    part_one: str
    direction: str
    direction_count: str
    direction_missing: str
    direction_more: str
    direction_fill: str
    opening: str
    opening_held: str
    opening_on: str
    opening_between: str
    opening_none: str
    activities: str
    activities_none: str
    funding: str
    funding_total: str
    line: str
    subline: str
    heading_line: str
    quote: str
    unit_in: str
    part_two: str
    narrative: str
    narrative_quote: str
    narrative_none: str
    table_item: str
    nominations_item: str
    closing: str
    recipients: str
    recipient_up: str
    recipient_blank: str
    recipient_archive: str
    sign_note: str
    signer_name: str
    appendix_table: str
    table_title: str
    attached: str
    column_number: str
    column_activity: str
    column_unit: str
    column_amount: str
    column_quantity: str
    column_people: str
    column_note: str
    note_texts: str
    appendix_nominations: str
    nominations_title: str
    collectives: str
    individuals: str
    column_collective: str
    column_individual: str
    column_proposer: str
    column_achievement: str
    nominations_none: str
    signers: dict[str, str]


class IndexWords(_Strict):
    """The evidence index's column headers, states and kinds, and the files' name stems."""

    unit_code: str
    unit_name: str
    file: str
    kind: str
    size: str
    sha256: str
    sent_at: str
    sent_by: str
    state: str
    present: str
    missing: str
    changed: str
    photo: str
    pdf: str
    other: str
    photo_file: str
    pdf_file: str
    other_file: str


class XlsxWords(_Strict):
    """The official table's title, column headers and sheets (bot/export/xlsx.py)."""

    title: str
    subtitle: str
    area: str
    counted: str
    head_stt: str
    head_activity: str
    head_unit: str
    head_amount: str
    head_quantity: str
    head_people: str
    head_note: str
    note_unit: str
    note_more: str
    sheet_total: str
    sheet_detail: str
    sheet_missing: str
    sheet_nominations: str
    sheet_signed: str
    detail_title: str
    detail_note: str
    detail_head: tuple[str, ...]
    detail_measure: str
    when: str
    missing_title: str
    missing_head: tuple[str, ...]
    missing_none: str
    nominations_title: str
    nominations_head: tuple[str, ...]
    nominations_none: str
    signed_title: str
    signed_unit: str
    signed_head: tuple[str, ...]
    kind: dict[str, str]
    status: dict[str, str]
    nomination_kind: dict[str, str]


class Words(_Strict):
    """Everything the file holds."""

    report: ReportWords
    evidence_index: IndexWords
    xlsx: XlsxWords


@cache
def words() -> Words:
    """The words, read and checked once per process."""
    with WORDS_FILE.open("rb") as file:
        return Words.model_validate(tomllib.load(file))
