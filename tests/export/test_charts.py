"""The /status picture: what an admin reads on it, and that it draws for any area.

Built from plain ``Subtree`` data (no database). A Vietnamese letter missing from the font would
be a matplotlib warning, which ``filterwarnings = error`` turns into a failure.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from PIL import Image

from bot.charts import MAX_BARS, ChartWords, progress_bars, status_chart, submissions_by_day
from bot.domain.loader import default_data_dir, load_campaigns
from bot.domain.rollup import IN_PROGRESS, NOT_STARTED, SUBMITTED, Subtree, UnitInfo, UnitReport
from handlers import messages as say

CAMPAIGN = load_campaigns(default_data_dir())[2025]
WORDS = ChartWords(**say.CHART_WORDS)
COMMUNE = UnitInfo(1, "XA-NH", "Xã Nghĩa Hành", "commune", None)


def _report(unit_id: int, status: str, at: datetime | None = None) -> UnitReport:
    return UnitReport(unit_id, status, None, 1, at, None, {})


def _area(schools: int, reports: dict[int, UnitReport]) -> Subtree:
    units = [COMMUNE] + [
        UnitInfo(10 + n, f"TH{n:02}", f"Trường TH số {n}", "school", COMMUNE.id)
        for n in range(schools)
    ]
    return Subtree(CAMPAIGN, COMMUNE, tuple(units), reports)


def test_the_picture_is_a_phone_sized_png_whatever_the_area() -> None:
    empty = _area(0, {})
    busy = _area(
        60,
        {
            10 + n: _report(10 + n, "submitted", datetime(2025, 10, 2, tzinfo=UTC))
            for n in range(0, 60, 2)
        },
    )
    for area in (empty, busy):
        png = status_chart(area, today=date(2025, 10, 6), deadline=date(2025, 10, 8), words=WORDS)
        with Image.open(io.BytesIO(png)) as picture:
            assert picture.format == "PNG"
            assert picture.size == (1200, 800)


def test_each_school_is_a_bar_with_its_state_and_the_communes_own_report_comes_first() -> None:
    area = _area(
        3, {1: _report(1, "draft"), 10: _report(10, "submitted"), 11: _report(11, "reopened")}
    )

    bars = progress_bars(area, WORDS)

    assert [bar.label for bar in bars] == [
        WORDS.own_report.format(name="Xã Nghĩa Hành"),
        "Trường TH số 0",
        "Trường TH số 1",
        "Trường TH số 2",
    ]
    assert [dict(+bar.counts) for bar in bars] == [
        {IN_PROGRESS: 1},
        {SUBMITTED: 1},
        {IN_PROGRESS: 1},  # reopened: back in the teacher's hands
        {NOT_STARTED: 1},
    ]


def test_a_province_counts_every_unit_under_each_commune() -> None:
    province = UnitInfo(1, "QNG", "Sở GDĐT Quảng Ngãi", "province", None)
    units = [province]
    for commune in range(2):
        commune_id = 100 * (commune + 1)
        units.append(UnitInfo(commune_id, f"X{commune}", f"Xã {commune}", "commune", 1))
        units += [
            UnitInfo(commune_id + s, f"X{commune}-{s}", f"Trường {s}", "school", commune_id)
            for s in range(1, 4)
        ]
    reports = {
        101: _report(101, "submitted"),
        102: _report(102, "draft"),
        200: _report(200, "submitted"),
    }

    bars = progress_bars(Subtree(CAMPAIGN, province, tuple(units), reports), WORDS)

    assert [(bar.label, dict(+bar.counts)) for bar in bars[1:]] == [
        ("Xã 0", {SUBMITTED: 1, IN_PROGRESS: 1, NOT_STARTED: 2}),
        ("Xã 1", {SUBMITTED: 1, NOT_STARTED: 3}),
    ]


def test_many_schools_show_the_ones_lagging_and_the_rest_together() -> None:
    schools = 40
    reports = {10 + n: _report(10 + n, "submitted") for n in range(schools) if n % 4}

    bars = progress_bars(_area(schools, reports), WORDS)

    assert len(bars) == 1 + MAX_BARS
    others = bars[-1]
    assert others.label == WORDS.others.format(count=schools - (MAX_BARS - 1))
    shown = bars[1:-1]
    assert sum(bar.counts[NOT_STARTED] for bar in shown) == schools // 4  # every one is shown
    assert sum(sum(bar.counts.values()) for bar in bars) == 1 + schools


def test_a_submission_counts_on_its_day_in_vietnam_and_only_once_submitted() -> None:
    late_evening_utc = datetime(2025, 10, 2, 18, 30, tzinfo=UTC)  # 01:30 on 3 October in Hà Nội
    reports = {
        10: _report(10, "submitted", late_evening_utc),
        11: _report(11, "submitted", datetime(2025, 10, 3, 2, tzinfo=UTC)),
        12: _report(12, "reopened", datetime(2025, 10, 1, 2, tzinfo=UTC)),
    }

    assert submissions_by_day(_area(3, reports)) == {date(2025, 10, 3): 2}


def test_a_name_with_dollar_signs_is_drawn_as_typed_not_read_as_a_formula() -> None:
    root = UnitInfo(1, "XA-1", r"Xã $\frac$ Nghĩa Hành", "commune", None)
    schools = (
        UnitInfo(2, "TH-1", "Trường $$ số 1", "school", 1),
        UnitInfo(3, "TH-2", "Quỹ $5 và $10", "school", 1),
    )
    area = Subtree(CAMPAIGN, root, (root, *schools), {2: _report(2, "draft")})

    png = status_chart(area, today=date(2025, 10, 6), deadline=None, words=WORDS)

    with Image.open(io.BytesIO(png)) as picture:
        assert picture.size == (1200, 800)
