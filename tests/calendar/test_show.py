"""``tuanle calendar show``: the plan of each seed year printed from the database and checked
against the dates the seeds print (tests/data/seeds)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import calendar_view
from bot.admin_jobs import campaign_for
from bot.app import App
from tests.conftest import migrated_sqlite

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
NOW = datetime(2026, 9, 1, tzinfo=UTC)
DAY = r"(\d{1,2}/\d{1,2}/\d{4}|\d{1,2} tháng \d{1,2} năm \d{4})"

# What each seed says, as the seed says it: (file, the sentence with the date in it).
WEEK = {
    2023: ("002_b9e3ae69d2374bee.txt", rf"Tuần lễ được tổ chức từ ngày {DAY} đến ngày {DAY}"),
    2024: ("004_b56a8355c51701c3.txt", rf"Tuần lễ được tổ chức từ ngày {DAY} đến ngày {DAY}"),
    2025: ("000_24d82d48ae4032c3.txt", rf"Tuần lễ được tổ chức từ ngày {DAY} đến ngày {DAY}"),
}
OPENING = {
    2023: ("002_b9e3ae69d2374bee.txt", rf"Lễ khai mạc Tuần lễ được tổ chức vào ngày {DAY}"),
    2025: (
        "000_24d82d48ae4032c3.txt",
        rf"Lễ khai mạc Tuần lễ được tổ chức đồng loạt vào ngày {DAY}",
    ),
}
SCHOOL_DEADLINE = {
    2021: ("003_968b6796712df7a0.txt", rf"Trước ngày {DAY} các xã, thị trấn, các nhà trường"),
    2023: ("002_b9e3ae69d2374bee.txt", rf"Sở Giáo dục và Đào tạo \(trước ngày {DAY}\)"),
    2025: ("000_24d82d48ae4032c3.txt", rf"Văn hóa – Xã hội\) trước ngày {DAY}"),
}
COMMUNE_DEADLINE = {2025: ("000_24d82d48ae4032c3.txt", rf"Quảng Ngãi, trước ngày {DAY}")}
WARD_OPENING = ("004_b56a8355c51701c3.txt", rf"năm 2024 của phường vào ngày {DAY}")


def seed_days(fact: tuple[str, str]) -> list[date]:
    """The dates in the seed's sentence."""
    text = " ".join((SEEDS / fact[0]).read_text(encoding="utf-8").split())
    found = re.search(fact[1], text)
    assert found is not None, fact
    return [_parse(part) for part in found.groups()]


def _parse(text: str) -> date:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return date(numbers[2], numbers[1], numbers[0])


def on_saturday_not_sunday(day: date) -> date:
    return day - timedelta(days=1) if day.weekday() == 6 else day


def on_monday_not_sunday(day: date) -> date:
    return day + timedelta(days=1) if day.weekday() == 6 else day


def shown(day: date, at: str) -> str:
    return f"{day:%d/%m/%Y} {at}"


def unit_block(printed: str, code: str) -> str:
    """The lines of one unit in the printed plan."""
    blocks = printed.split("\n\n")
    return next(block for block in blocks if block.startswith(code + " "))


async def _commune(app: App, year: int, school_opening: date | None = None) -> None:
    campaign = campaign_for(app.settings, app.engine.campaign, year)
    async with app.uows() as uow:
        commune = await uow.units.add("XA-01", "UBND xã An Phú", "commune", None, NOW)
        school = await uow.units.add("TH-01", "Trường Tiểu học An Phú", "school", commune, NOW)
        await uow.units.add("THCS-01", "Trường THCS An Phú", "school", commune, NOW)
        if school_opening is not None:
            row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
            report = await uow.reports.open_for(row.id, school.id, NOW)
            await uow.reports.set_opening(report, school_opening)
        await uow.commit()


@pytest.mark.parametrize("year", [2021, 2023, 2025])
async def test_each_seed_years_deadlines_are_reminded_before_the_seeds_date(
    app: App, year: int
) -> None:
    await _commune(app, year)
    printed = await calendar_view.show(app, year, None, NOW)
    (before,) = seed_days(SCHOOL_DEADLINE[year])
    assert f"trước ngày {before:%d/%m/%Y}" in printed
    school = unit_block(printed, "TH-01")
    last_day = on_saturday_not_sunday(before - timedelta(days=1))
    assert f"{shown(last_day, '07:30')}  Nhắc hạn báo cáo: hôm nay là ngày cuối" in school
    for days in (1, 3):
        day = on_saturday_not_sunday(before - timedelta(days=1 + days))
        assert f"{shown(day, '07:30')}  Nhắc hạn báo cáo: còn {days} ngày" in school
    commune = unit_block(printed, "XA-01")
    after = on_monday_not_sunday(before)
    missing_list = f"{shown(after, '07:30')}  Danh sách đơn vị chưa gửi báo cáo"
    assert missing_list in commune
    assert "2 đơn vị: TH-01, THCS-01" in commune


@pytest.mark.parametrize("year", [2023, 2025])
async def test_each_seed_years_week_and_opening_are_announced_and_reminded(
    app: App, year: int
) -> None:
    await _commune(app, year)
    printed = await calendar_view.show(app, year, "TH-01", NOW)
    start, end = seed_days(WEEK[year])
    (opening,) = seed_days(OPENING[year])
    assert f"Tuần lễ: {start:%d/%m/%Y} – {end:%d/%m/%Y}; khai mạc: {opening:%d/%m/%Y}" in printed
    school = unit_block(printed, "TH-01")
    announce = on_saturday_not_sunday(start - timedelta(days=7))
    assert f"{shown(announce, '07:30')}  Thông báo chủ đề" in school
    eve = on_saturday_not_sunday(opening - timedelta(days=1))
    assert f"{shown(eve, '19:00')}  Nhắc trước lễ khai mạc ngày {opening:%d/%m/%Y}" in school
    assert f"{shown(opening, '06:30')}  Nhắc sáng ngày khai mạc" in school
    assert "XA-01" not in printed  # only the unit asked for and the units under it


async def test_the_2024_wards_school_is_reminded_of_its_own_opening(app: App) -> None:
    # Seed 004: the week 01–07/10/2024, the ward's opening ceremony on 03/10/2024.
    (ward_opening,) = seed_days(WARD_OPENING)
    await _commune(app, 2024, school_opening=ward_opening)
    printed = await calendar_view.show(app, 2024, None, NOW)
    assert "không đặt hạn báo cáo" in printed  # the 2024 seed sets no reporting date
    school = unit_block(printed, "TH-01")
    assert "khai mạc riêng ngày 03/10/2024" in school
    assert f"Thứ Tư {shown(ward_opening - timedelta(days=1), '19:00')}  Nhắc trước" in school
    assert f"Thứ Năm {shown(ward_opening, '06:30')}  Nhắc sáng ngày khai mạc" in school
    other = unit_block(printed, "THCS-01")
    (start, _end) = seed_days(WEEK[2024])
    assert f"{shown(start, '06:30')}  Nhắc sáng ngày khai mạc" in other
    assert "Nhắc hạn" not in printed


async def test_a_school_that_reported_hears_nothing_more_and_the_plan_names_what_is_missing(
    app: App,
) -> None:
    await _commune(app, 2023)
    campaign = app.engine.campaign  # 2023
    async with app.uows() as uow:
        row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
        school, other = await uow.units.by_code("TH-01"), await uow.units.by_code("THCS-01")
        assert school is not None and other is not None
        done = await uow.reports.open_for(row.id, school.id, NOW)
        done.status = "submitted"
        started = await uow.reports.open_for(row.id, other.id, NOW)
        await uow.reports.set_answer(
            started, "run:1", value_int=0, member_id=None, inbox_id=None, now=NOW
        )
        await uow.commit()
    printed = await calendar_view.show(app, None, None, NOW)
    reported = unit_block(printed, "TH-01")
    assert "đã gửi báo cáo" in reported
    assert "Nhắc hạn" not in reported and "mời nhập báo cáo" not in reported
    in_progress = unit_block(printed, "THCS-01")
    assert "đang nhập; còn thiếu: 2 ảnh minh chứng, mục 2, mục 3, mục 4" in in_progress
    assert "(1 đơn vị: THCS-01)" in unit_block(printed, "XA-01")


async def test_the_plan_is_read_only(app: App) -> None:
    await _commune(app, 2025)
    await calendar_view.show(app, 2025, None, NOW)
    async with app.uows() as uow:
        assert await uow.campaigns.by_year(2025) is None
    with pytest.raises(LookupError):
        await calendar_view.show(app, 2025, "KHONG-CO", NOW)


def tuanle(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tuanle`` as the admin at the server runs it."""
    command = [sys.executable, "-m", "bot", "--config", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_tuanle_calendar_show_prints_the_plan(tmp_path: Path) -> None:
    url = migrated_sqlite(tmp_path / "cli.sqlite3")
    config = tmp_path / "tuanle.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[log]\nfile = "{tmp_path / "log.txt"}"\n')
    assert "Chưa có đơn vị nào" in tuanle(config, "calendar", "show", "--year", "2025").stdout
    tuanle(config, "units", "add", "TH-01", "Trường Tiểu học")
    shown = tuanle(config, "calendar", "show", "--year", "2025", "--unit", "TH-01")
    assert shown.returncode == 0
    assert "Thứ Sáu 10/10/2025 07:30  Nhắc hạn báo cáo: hôm nay là ngày cuối" in shown.stdout
    unknown = tuanle(config, "calendar", "show", "--year", "1999")
    assert unknown.returncode == 2 and "1999" in unknown.stderr
