"""The admins' jobs as the runner runs them: /status's picture and /export's four files reach the
admin's chat (the memory adapter), for the running campaign or a past year's. The admin here is
a superadmin of the settings (the jobs check, when they run, that the asker may still reach the
unit; tests/conversation/test_admin.py revokes an admin in between)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot import admin_jobs
from bot.app import App
from bot.config import Settings, load_settings
from bot.domain.campaign import Level
from bot.domain.rollup import Subtree
from bot.engine.core import Retry
from bot.engine.jobs import JobRunner
from bot.export.load import load_subtree
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conftest import FixedClock
from tests.export.helpers import NOW, Filed, campaign_row, store

ADMIN = "admin-commune"
ANSWERS: dict[str, int | str] = {"run:1": 1, "1.1:quantity": 2, "1.1:people": 60}
AREA = [
    Filed("XA-KL", "UBND phường Kim Long", "commune", None, "submitted", ANSWERS),
    Filed("THCS-KL", "Trường THCS Kim Long", "school", "XA-KL", "submitted", ANSWERS),
    Filed("TH-KL", "Trường Tiểu học Kim Long", "school", "XA-KL", "draft", ANSWERS),
]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        None,
        database={"url": database_url},
        evidence={"directory": tmp_path / "evidence"},
        campaign={"year": 2023},
        admin={"superadmins": [f"memory:{ADMIN}"]},
    )


async def _run(app: App, clock: FixedClock, kind: str, params: dict[str, Any]) -> MemoryChat:
    """Queues one job for the admin's chat, runs it with the admin jobs registered as the
    composition root does, and returns the admin's chat to read what was sent."""
    jobs = JobRunner(
        app.uows,
        app.engine,
        app.artifacts,
        app.files,
        app.settings,
        clock=clock,
        sweep_seconds=3600,
        retry=Retry(first=0.01, cap=0.02),
    )
    admin_jobs.register(jobs)
    async with app.uows() as uow:
        await uow.jobs.add(
            kind=kind,
            params=params,
            platform="memory",
            chat_id=ADMIN,
            user_id=ADMIN,
            member_id=None,
            now=datetime.now(UTC),
        )
        await uow.commit()
    await jobs.start()
    try:
        await jobs.run_due()
    finally:
        await jobs.close()
    return MemoryChat(app.engine, user_id=ADMIN, artifacts=app.artifacts)


async def _area(app: App) -> Subtree:
    ids = await store(app, AREA)
    async with app.uows() as uow:
        campaign_id = await campaign_row(uow, app)
        return await load_subtree(uow, app.engine.campaign, campaign_id, ids["XA-KL"], NOW)


async def test_status_sends_the_picture_with_a_caption_saying_whose_and_when(
    app: App, clock: FixedClock
) -> None:
    area = await _area(app)

    admin = await _run(app, clock, admin_jobs.STATUS_CHART, {"unit_id": area.root.id})

    (reply,) = await admin.flush()
    assert reply.text == say.CHART_CAPTION.format(
        name="UBND phường Kim Long", time=clock.now().astimezone(app.zone)
    )
    (picture,) = reply.files
    assert (picture.kind, picture.mime, picture.name) == (
        "photo",
        "image/png",
        "TuanLe2023_XA-KL_tien-do.png",
    )
    with Image.open(admin.sender.paths[picture.token]) as image:
        assert image.size == (1200, 800)
    # The commune's picture marks the day its schools must report before.
    school_deadline = app.engine.campaign.deadline_for(Level.SCHOOL)
    assert school_deadline is not None
    assert admin_jobs.chart_deadline(area) == school_deadline.before


async def test_export_sends_the_four_files_in_one_message_with_their_counts(
    app: App, clock: FixedClock
) -> None:
    area = await _area(app)

    admin = await _run(app, clock, admin_jobs.EXPORT, {"unit_id": area.root.id, "year": 2023})

    (reply,) = await admin.flush()
    summary = say.EXPORT_SUMMARY.format(submitted=2, units=3, evidence=0, nominations=0)
    assert reply.text == say.EXPORT_DONE.format(
        year=2023, name="UBND phường Kim Long", summary=summary
    )
    assert [(file.name, file.kind) for file in reply.files] == [
        ("TuanLe2023_XA-KL_tong-hop.xlsx", "document"),
        ("TuanLe2023_XA-KL_bao-cao.docx", "document"),
        ("TuanLe2023_XA-KL_chi-tiet.csv", "document"),
        ("TuanLe2023_XA-KL_minh-chung.zip", "document"),
    ]
    table = admin.sender.paths[reply.files[0].token].read_bytes()
    book = load_workbook(io.BytesIO(table), read_only=True)
    cells = {value for sheet in book.worksheets for row in sheet.values for value in row}
    assert {"Trường THCS Kim Long", "Trường Tiểu học Kim Long"} <= cells


async def test_a_past_years_export_counts_that_years_reports_only(
    app: App, clock: FixedClock
) -> None:
    area = await _area(app)

    admin = await _run(app, clock, admin_jobs.EXPORT, {"unit_id": area.root.id, "year": 2021})

    (reply,) = await admin.flush()
    summary = say.EXPORT_SUMMARY.format(submitted=0, units=3, evidence=0, nominations=0)
    assert reply.text == say.EXPORT_DONE.format(
        year=2021, name="UBND phường Kim Long", summary=summary
    )
    assert all(file.name.startswith("TuanLe2021_XA-KL_") for file in reply.files)
