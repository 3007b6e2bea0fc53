"""The export bundle: one area's official table, report draft, detail and evidence, as files.

``/export`` in a chat and ``tuanle export`` at a terminal both call ``build_bundle``. The data is
read once (``load_subtree``); each file is then written in a worker thread so that the event
loop keeps serving every other conversation while a province's export runs. Progress is told as
``Stage``s (percent, step); the evidence, the long part, every few percent. The steps are named,
not worded: bot/export sits below handlers, so the caller says them. File names are made from
the year and the unit's code only, made safe: a person's text never names a file.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from bot.domain.campaign import Campaign
from bot.domain.rollup import Subtree, counted, submitted_reports
from bot.export.detail_csv import write_csv
from bot.export.evidence_zip import write_evidence_zip
from bot.export.load import load_subtree
from bot.export.names import safe_name
from storage.files import FileStore
from storage.uow import UnitOfWork


class Step(StrEnum):
    """What the export is doing (the keys of ``handlers.messages.EXPORT_STEPS``)."""

    LOADING = "loading"
    TABLE = "table"
    DRAFT = "draft"
    DETAIL = "detail"
    EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class Stage:
    """How far the export got: a percent of the whole, the step, and files packed so far."""

    percent: int
    step: Step
    done: int = 0
    total: int = 0


Progress = Callable[[Stage], Awaitable[None] | None]
Tell = Callable[[Stage], Coroutine[Any, Any, None]]

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV: Final = "text/csv"
ZIP: Final = "application/zip"
# Where each step starts, in percent of the whole export; the evidence takes the rest.
LOADED, TABLE_DONE, DRAFT_DONE, DETAIL_DONE = 10, 30, 45, 50
EVIDENCE_STEP: Final = 5  # percent between two progress notes while packing the evidence


@dataclass(frozen=True, slots=True)
class BundleFile:
    """One file of the bundle, on disk."""

    path: Path
    mime: str


@dataclass(frozen=True, slots=True)
class Bundle:
    """The files written and what they count, for the line said with them: like the totals, the
    files take the submitted reports only, and so do these counts."""

    files: tuple[BundleFile, ...]
    area: str  # the root unit's name
    units: int
    submitted: int
    evidence: int
    nominations: int


async def build_bundle(
    uows: Callable[[], UnitOfWork],
    files: FileStore,
    campaign: Campaign,
    campaign_id: int,
    root_id: int,
    out_dir: Path,
    now: datetime,
    progress: Progress,
) -> Bundle:
    """Writes the XLSX, DOCX, CSV and evidence ZIP of the area under ``root_id`` into out_dir.

    Args:
        campaign_id: the campaign's database row (``uow.campaigns.ensure``).
        now: when the export is made: the report draft's date and the data's "as of".
        progress: told each ``Stage``; may be a coroutine function.
    """
    # The office-file libraries (openpyxl, python-docx and lxml) take about a second to import:
    # loaded when an export is made, not by every `tuanle` command and every bot start.
    from bot.export.report_docx import write_docx
    from bot.export.xlsx import write_xlsx

    tell = _teller(progress)
    await tell(Stage(0, Step.LOADING))
    async with uows() as uow:
        subtree = await load_subtree(uow, campaign, campaign_id, root_id, now)
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    stem = file_stem(subtree)
    table, draft = out_dir / f"{stem}_tong-hop.xlsx", out_dir / f"{stem}_bao-cao.docx"
    detail, evidence = out_dir / f"{stem}_chi-tiet.csv", out_dir / f"{stem}_minh-chung.zip"

    await tell(Stage(LOADED, Step.TABLE))
    await asyncio.to_thread(write_xlsx, subtree, table)
    await tell(Stage(TABLE_DONE, Step.DRAFT))
    await asyncio.to_thread(write_docx, subtree, draft, now=now)
    await tell(Stage(DRAFT_DONE, Step.DETAIL))
    await asyncio.to_thread(write_csv, subtree, detail)
    await tell(Stage(DETAIL_DONE, Step.EVIDENCE, 0, _evidence(subtree)))
    await _pack_evidence(subtree, files, evidence, tell)
    return Bundle(
        files=(
            BundleFile(table, XLSX),
            BundleFile(draft, DOCX),
            BundleFile(detail, CSV),
            BundleFile(evidence, ZIP),
        ),
        area=subtree.root.name,
        units=len(subtree.units),
        submitted=len(counted(subtree, subtree.root.id)),
        evidence=_evidence(subtree),
        nominations=sum(
            len(report.nominations) for _, report in submitted_reports(subtree, subtree.root.id)
        ),
    )


def file_stem(subtree: Subtree) -> str:
    """ "TuanLe2025_XA-NGHIAHANH": the year and the unit's code, made safe for any system."""
    fallback = f"unit-{subtree.root.id}"
    code = safe_name(subtree.root.code, limit=40, fallback=fallback).replace(" ", "-")
    return f"TuanLe{subtree.campaign.year}_{code}"


def _evidence(subtree: Subtree) -> int:
    """The evidence files of the submitted reports: those the ZIP holds."""
    return sum(len(report.evidence) for _, report in submitted_reports(subtree, subtree.root.id))


def _teller(progress: Progress) -> Tell:
    """The progress callback as a coroutine function, whether it is one or not."""

    async def tell(stage: Stage) -> None:
        result = progress(stage)
        if inspect.isawaitable(result):
            await result

    return tell


async def _pack_evidence(subtree: Subtree, files: FileStore, path: Path, tell: Tell) -> None:
    """The evidence ZIP, written in a thread that reads each file through the (async) store.

    The thread waits for each read and each progress note on the event loop, so the loop stays
    the only user of the store and the notes arrive in order.
    """
    loop = asyncio.get_running_loop()
    told = DETAIL_DONE

    def read(key: str) -> bytes:
        return asyncio.run_coroutine_threadsafe(files.get(key), loop).result()

    def packed(done: int, total: int) -> None:
        nonlocal told
        percent = DETAIL_DONE + (100 - DETAIL_DONE) * done // max(total, 1)
        if percent - told >= EVIDENCE_STEP or (done == total and percent > told):
            told = percent
            stage = Stage(percent, Step.EVIDENCE, done, total)
            asyncio.run_coroutine_threadsafe(tell(stage), loop).result()

    await asyncio.to_thread(write_evidence_zip, subtree, read, path, packed)
    if told < 100:  # no evidence at all: the ZIP holds its index only
        total = _evidence(subtree)
        await tell(Stage(100, Step.EVIDENCE, total, total))
