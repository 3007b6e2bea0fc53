"""The export bundle an admin receives: four files of their area only, named safely, with
progress told step by step. The area is stored through the real repositories; its evidence is
real photos in the real file store, read back through it into the ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.app import App
from bot.export.bundle import Stage, Step, build_bundle
from storage.models import Evidence
from tests.conftest import photo
from tests.export.helpers import NOW, Filed, campaign_row, store

ANSWERS: dict[str, int | str] = {"run:1": 1, "1.1:quantity": 2, "1.1:people": 60}
AREA = [
    Filed("P", "Tỉnh Thừa Thiên Huế", "province", None),
    Filed("X1", "UBND phường Kim Long", "commune", "P", "submitted", ANSWERS),
    Filed("X1-A", "Trường THCS Kim Long", "school", "X1", "submitted", ANSWERS),
    Filed("X1-B", "Trường Tiểu học Kim Long", "school", "X1", "draft", ANSWERS),
    Filed("X2", "UBND phường Hương Long", "commune", "P", "submitted", ANSWERS),
    Filed("X2-A", "Trường THCS Hương Long", "school", "X2", "submitted", ANSWERS),
]


async def _add_photos(app: App, code: str, seeds: list[int]) -> list[bytes]:
    """Stores real photos in the file store as evidence of the unit's report; their bytes."""
    kept = []
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        unit = await uow.units.by_code(code)
        assert unit is not None
        report = await uow.reports.find(campaign_id, unit.id)
        assert report is not None
        for seed in seeds:
            data = photo(seed)
            sha = hashlib.sha256(data).hexdigest()
            key = await app.files.put(data, sha256=sha, extension="jpg")
            await uow.reports.add_evidence(
                Evidence(
                    report_id=report.id,
                    sha256=sha,
                    stored_key=key,
                    mime="image/jpeg",
                    size=len(data),
                    stored_sha256=sha,
                    stored_size=len(data),
                    created_at=NOW,
                )
            )
            kept.append(data)
        await uow.commit()
    return kept


def _unwatched(stage: Stage) -> None:
    """Progress nobody looks at (the terminal's callback is a plain function like this)."""


def _workbook_text(path: Path) -> str:
    book = load_workbook(path, read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_a_commune_gets_four_files_named_by_year_and_code_with_nothing_of_its_neighbour(
    app: App, tmp_path: Path
) -> None:
    await store(app, AREA)
    ours = await _add_photos(app, "X1-A", [1, 2])
    await _add_photos(app, "X2-A", [3])
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        commune = await uow.units.by_code("X1")
        assert commune is not None
    out = tmp_path / "exports"

    bundle = await build_bundle(
        app.uows, app.files, app.engine.campaign, campaign_id, commune.id, out, NOW, _unwatched
    )

    names = [file.path.name for file in bundle.files]
    assert names == [
        "TuanLe2023_X1_tong-hop.xlsx",
        "TuanLe2023_X1_bao-cao.docx",
        "TuanLe2023_X1_chi-tiet.csv",
        "TuanLe2023_X1_minh-chung.zip",
    ]
    assert all(file.path.parent == out for file in bundle.files)
    assert (bundle.units, bundle.submitted, bundle.evidence) == (3, 2, 2)
    xlsx, docx, detail, evidence = (file.path for file in bundle.files)
    table = _workbook_text(xlsx)
    assert "Trường THCS Kim Long" in table and "Hương Long" not in table
    draft = _docx_text(docx)
    assert "Kim Long" in draft and "Hương Long" not in draft
    rows = list(csv.reader(io.StringIO(detail.read_text(encoding="utf-8-sig"))))
    codes = {cell for row in rows for cell in row}
    assert "X1-A" in codes and "X2-A" not in codes
    with zipfile.ZipFile(evidence) as archive:
        packed = [archive.read(name) for name in archive.namelist()]
    assert all(data in packed for data in ours)
    assert photo(3) not in packed


async def test_progress_goes_step_by_step_up_to_a_hundred_percent(
    app: App, tmp_path: Path
) -> None:
    await store(app, AREA)
    await _add_photos(app, "X1-A", list(range(1, 9)))
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        province = await uow.units.by_code("P")
        assert province is not None
    stages: list[Stage] = []

    async def told(stage: Stage) -> None:  # the chat's callback is a coroutine function
        stages.append(stage)

    await build_bundle(
        app.uows, app.files, app.engine.campaign, campaign_id, province.id, tmp_path, NOW, told
    )

    percents = [stage.percent for stage in stages]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    steps = list(dict.fromkeys(stage.step for stage in stages))
    assert steps == [Step.LOADING, Step.TABLE, Step.DRAFT, Step.DETAIL, Step.EVIDENCE]
    packing = [stage for stage in stages if stage.step is Step.EVIDENCE]
    assert packing[-1].done == packing[-1].total == 8
    assert len(packing) > 2  # the long part is told as it goes, not only at its end


async def test_a_unit_code_never_makes_a_path_outside_the_export_directory(
    app: App, tmp_path: Path
) -> None:
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        unit = await uow.units.add("../../etc/CON", "Trường /tmp", "school", None, NOW)
        await uow.commit()
    out = tmp_path / "out"

    bundle = await build_bundle(
        app.uows, app.files, app.engine.campaign, campaign_id, unit.id, out, NOW, _unwatched
    )

    assert sorted(path.parent for path in out.rglob("*")) == [out] * 4
    for file in bundle.files:
        assert file.path.parent == out
        assert ".." not in file.path.name and "/" not in file.path.name
        assert file.path.name.startswith("TuanLe2023_")


async def test_the_counts_said_with_the_files_are_those_the_files_hold_submitted_only(
    app: App, tmp_path: Path
) -> None:
    nomination = ("individual", "Nguyễn Thị Lan", "Dạy lớp xóa mù chữ")
    area = [
        Filed("X1", "UBND phường Kim Long", "commune", None, "submitted", ANSWERS),
        Filed(
            "X1-A", "Trường THCS Kim Long", "school", "X1", "submitted", ANSWERS,
            nominations=[nomination],
        ),
        Filed(
            "X1-B", "Trường Tiểu học Kim Long", "school", "X1", "draft", ANSWERS,
            nominations=[nomination, nomination],
        ),
    ]  # fmt: skip
    await store(app, area)
    await _add_photos(app, "X1-A", [1, 2])
    await _add_photos(app, "X1-B", [3, 4, 5])  # a draft's photos are not sent up yet
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        commune = await uow.units.by_code("X1")
        assert commune is not None

    bundle = await build_bundle(
        app.uows,
        app.files,
        app.engine.campaign,
        campaign_id,
        commune.id,
        tmp_path,
        NOW,
        _unwatched,
    )

    xlsx, _, _, evidence = (file.path for file in bundle.files)
    with zipfile.ZipFile(evidence) as archive:
        photos = [name for name in archive.namelist() if name.endswith(".jpg")]
    book = load_workbook(xlsx, read_only=True)
    listed = [
        row
        for row in book.worksheets[-1].iter_rows(values_only=True)  # no signed roll-ups here
        if nomination[1] in row
    ]
    assert (bundle.submitted, bundle.evidence, bundle.nominations) == (2, 2, 1)
    assert (len(photos), len(listed)) == (bundle.evidence, bundle.nominations)
