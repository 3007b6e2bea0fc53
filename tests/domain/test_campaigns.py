"""The campaign files (bot/data/campaigns/<year>.toml) against their seeds, and campaign errors.

Every fact of a campaign (theme, week, opening day, deadlines, evidence rule) is quoted from a
seed, copied verbatim into tests/data/seeds; these tests check that the quote is really there.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.domain.campaign import Campaign, Level
from bot.domain.loader import DataFileError, default_data_dir, load_campaign, load_campaigns

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"  # copied verbatim
CAMPAIGNS = default_data_dir() / "campaigns"
FORMS = default_data_dir() / "forms"


def collapse(text: str) -> str:
    """Join the PDF's line breaks, also in a hyphenated word ("GDNN-\\nGDTX"); NFC."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


def seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return collapse(path.read_text(encoding="utf-8"))


def assert_quoted(source: str) -> None:
    """``source`` is "seed NNN[ clause]: quote"; the quote ("…" = words left out) is in order."""
    match = re.fullmatch(r"seed (\d{3})(?: [^:]+)?: (.+)", source)
    assert match is not None, source
    text = seed_text(match.group(1))
    position = 0
    for fragment in match.group(2).split("…"):
        found = text.find(fragment.strip(), position)
        assert found >= 0, f"{fragment.strip()!r} is not in seed {match.group(1)}"
        position = found + len(fragment.strip())


@pytest.fixture(scope="module")
def campaigns() -> dict[int, Campaign]:
    return load_campaigns()


# Per year: its seed(s), the theme as seeds/README.md gives it, the week, the opening day, the
# date strings of those as the seed prints them, and the deadlines (level, before, to).
EXPECTED: dict[int, dict[str, object]] = {
    2021: {
        "seeds": ["003"],
        "theme": "Chuyển đổi số và cơ hội học tập suốt đời cho tất cả mọi người trong bối cảnh "
        "đại dịch COVID-19",
        "week": (date(2021, 10, 1), date(2021, 10, 7), date(2021, 10, 1)),
        # the seed's own typos: "01/10/202" and "01/10.2021"
        "printed": ["Lễ phát động tổ chức từ ngày 01/10/202, lễ tổng kết ngày 07/10/2021"],
        "deadlines": [
            (Level.SCHOOL, date(2021, 10, 10), "Phòng GDĐT huyện", "Trước ngày 10/10/2021"),
            (Level.COMMUNE, date(2021, 10, 10), "Phòng GDĐT huyện", "Trước ngày 10/10/2021"),
        ],
    },
    2023: {
        "seeds": ["002"],
        "theme": "Xây dựng năng lực tự học trong kỷ nguyên số",
        "week": (date(2023, 10, 2), date(2023, 10, 8), date(2023, 10, 2)),
        "printed": [
            "từ ngày 02 tháng 10 năm 2023 đến ngày 08 tháng 10 năm 2023, trong đó Lễ khai mạc "
            "Tuần lễ được tổ chức vào ngày 02 tháng 10 năm 2023"
        ],
        "deadlines": [
            (level, date(2023, 10, 20), "Sở GDĐT", "trước ngày 20 tháng 10 năm 2023")
            for level in (Level.SCHOOL, Level.COMMUNE, Level.DISTRICT)
        ],
    },
    2024: {
        "seeds": ["004"],
        "theme": "Phát triển văn hóa đọc thúc đẩy học tập suốt đời",
        "week": (date(2024, 10, 1), date(2024, 10, 7), date(2024, 10, 1)),
        "printed": ["Tuần lễ được tổ chức từ ngày 01/10/2024 đến ngày 07/10/2024"],
        "deadlines": [],
    },
    2025: {
        "seeds": ["000", "001"],
        "theme": "Học để phát triển bản thân, làm chủ tri thức và công nghệ, góp phần xây dựng "
        "đất nước hùng cường, thịnh vượng",
        "week": (date(2025, 10, 1), date(2025, 10, 7), date(2025, 10, 1)),
        "printed": [
            "Tuần lễ được tổ chức từ ngày 01/10/2025 đến ngày 07/10/2025, trong đó Lễ khai mạc "
            "Tuần lễ được tổ chức đồng loạt vào ngày 01/10/2025"
        ],
        "deadlines": [
            (Level.SCHOOL, date(2025, 10, 11), "UBND xã (qua phòng Văn hóa – Xã hội)", None),
            (Level.COMMUNE, date(2025, 10, 15), "UBND tỉnh, Sở GDĐT", None),
            (Level.PROVINCE, date(2025, 10, 20), "Bộ GDĐT", None),
        ],
    },
}


def test_there_is_one_campaign_per_seeded_year_all_on_the_2023_template(
    campaigns: dict[int, Campaign],
) -> None:
    assert list(campaigns) == [2021, 2023, 2024, 2025]
    for campaign in campaigns.values():
        assert campaign.form.code == "mau-2023"
        assert len(campaign.form.groups) == 11


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_the_theme_is_the_seeds_own_words(campaigns: dict[int, Campaign], year: int) -> None:
    expected = EXPECTED[year]
    campaign = campaigns[year]
    assert campaign.theme == expected["theme"]
    seeds = expected["seeds"]
    assert isinstance(seeds, list)
    for number in seeds:
        assert campaign.theme in seed_text(number)
    assert [s[:3] for s in campaign.sources] == seeds
    for source in campaign.sources:
        assert (SEEDS / source).is_file()


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_the_week_and_opening_day_are_the_seeds_dates(
    campaigns: dict[int, Campaign], year: int
) -> None:
    expected = EXPECTED[year]
    campaign = campaigns[year]
    assert (campaign.week_start, campaign.week_end, campaign.opening_day) == expected["week"]
    seeds, printed = expected["seeds"], expected["printed"]
    assert isinstance(seeds, list)
    assert isinstance(printed, list)
    text = " ".join(seed_text(number) for number in seeds)
    for quote in printed:
        assert quote in text


def test_the_2024_ward_holds_its_own_opening_later_than_the_campaign_default(
    campaigns: dict[int, Campaign],
) -> None:
    assert "Lễ khai mạc" in seed_text("004")
    assert "năm 2024 của phường vào ngày 03/10/2024" in seed_text("004")
    assert campaigns[2024].opening_day == date(2024, 10, 1)


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_deadlines_are_the_seeds_dates_and_quote_them(
    campaigns: dict[int, Campaign], year: int
) -> None:
    campaign = campaigns[year]
    expected = EXPECTED[year]["deadlines"]
    assert isinstance(expected, list)
    got = [(d.level, d.before, d.to) for d in campaign.deadlines]
    assert got == [(level, before, to) for level, before, to, _ in expected]
    for deadline, (_, before, _, printed) in zip(campaign.deadlines, expected, strict=True):
        assert_quoted(deadline.source)
        printed = printed or f"trước ngày {before:%d/%m/%Y}"
        assert printed in deadline.source
        assert campaign.deadline_for(deadline.level) is deadline


def test_2025_deadlines_climb_the_chain_school_commune_province(
    campaigns: dict[int, Campaign],
) -> None:
    campaign = campaigns[2025]
    assert "trước ngày 11/10/2025" in seed_text("000")
    assert "trước ngày 15/10/2025" in seed_text("000")
    assert "trước ngày 20/10/2025" in seed_text("001")
    school = campaign.deadline_for(Level.SCHOOL)
    commune = campaign.deadline_for(Level.COMMUNE)
    province = campaign.deadline_for(Level.PROVINCE)
    assert school and commune and province
    assert school.before < commune.before < province.before
    assert campaign.deadline_for(Level.DISTRICT) is None


def test_2024_has_no_deadline_because_its_seed_gives_none(campaigns: dict[int, Campaign]) -> None:
    assert campaigns[2024].deadlines == ()
    assert "báo cáo các cấp theo quy định" in seed_text("004")


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_a_report_carries_2_to_3_photos_as_seed_003_says(
    campaigns: dict[int, Campaign], year: int
) -> None:
    evidence = campaigns[year].evidence
    assert (evidence.min_photos, evidence.max_photos, evidence.accept_pdf) == (2, 3, True)
    assert evidence.source.startswith("seed 003: ")
    assert_quoted(evidence.source)
    assert "2 đến 3 hình ảnh minh chứng" in evidence.source


# ---------------------------------------------------------------------------------------------
# A broken copy of a campaign names the file, the line and the field.


def broken_copy(tmp_path: Path, old: str, new: str, year: int = 2025) -> tuple[Path, int]:
    """Write the campaign with ``old`` (found once) replaced; return the path and old's line."""
    original = CAMPAIGNS / f"{year}.toml"
    text = original.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / original.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def expect_error(path: Path, line: int, field: str, forms: Path = FORMS) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_campaign(path, forms)
    err = caught.value
    assert isinstance(err, ValueError)
    assert str(err).startswith(f"{path}:{line}: {field}: "), str(err)
    assert (err.path, err.line, err.field) == (path, line, field)
    return err


def test_a_deadline_date_in_quotes_is_reported_at_its_line(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "before = 2025-10-15", 'before = "2025-10-15"')
    err = expect_error(path, line, "deadlines[1].before")
    assert (err.reason, err.params["got"]) == ("expected_date", '"2025-10-15"')


def test_a_date_with_a_time_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "week_end = 2025-10-07", "week_end = 2025-10-07T17:00:00")
    expect_error(path, line, "week_end")


def test_an_unknown_key_is_refused_not_ignored(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "min_photos = 2", "min_photo = 2")
    err = expect_error(path, line, "evidence.min_photo")
    assert (err.reason, err.params["suggestion"]) == ("unknown_field", "min_photos")


def test_a_misspelt_level_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'level = "commune"', 'level = "comune"')
    err = expect_error(path, line, "deadlines[1].level")
    assert (err.reason, err.params["suggestion"]) == ("unknown_value", "commune")


def test_a_toml_syntax_error_names_its_line_and_key(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "opening_day = 2025-10-01", "opening_day 2025-10-01")
    err = expect_error(path, line, "opening_day")
    assert err.reason == "toml_syntax"


def test_an_unclosed_quote_names_its_line_and_key(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'to = "Bộ GDĐT"', 'to = "Bộ GDĐT')
    expect_error(path, line, "deadlines[2].to")


def test_an_opening_day_outside_the_week_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "opening_day = 2025-10-01", "opening_day = 2025-10-08")
    expect_error(path, line, "opening_day")


def test_fewer_max_photos_than_min_photos_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "max_photos = 3", "max_photos = 1")
    expect_error(path, line, "evidence.max_photos")


def test_a_commune_deadline_before_the_school_deadline_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "before = 2025-10-15", "before = 2025-10-09")
    expect_error(path, line, "deadlines[1].before")


def test_a_missing_field_points_at_its_table_header(tmp_path: Path) -> None:
    path, _ = broken_copy(tmp_path, 'to = "UBND tỉnh, Sở GDĐT"\n', "")
    lines = path.read_text(encoding="utf-8").splitlines()
    headers = [n for n, text in enumerate(lines, start=1) if text == "[[deadlines]]"]
    err = expect_error(path, headers[1], "deadlines[1].to")
    assert err.reason == "missing"


def test_a_campaign_naming_a_missing_form_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'form = "mau-2023"', 'form = "mau-2026"')
    err = expect_error(path, line, "form")
    assert err.reason == "no_form_file" and err.params["path"].endswith("mau-2026.toml")


def test_a_year_that_does_not_match_the_file_name_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "year = 2025", "year = 2026")
    expect_error(path, line, "year")


def test_a_broken_form_fails_the_campaigns_that_use_it(tmp_path: Path) -> None:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "forms").mkdir()
    for year in (2023, 2025):
        source = CAMPAIGNS / f"{year}.toml"
        (tmp_path / "campaigns" / source.name).write_text(source.read_text(encoding="utf-8"))
    form_text = (FORMS / "mau-2023.toml").read_text(encoding="utf-8")
    broken = form_text.replace('column = "people"', 'column = "persons"', 1)
    form_path = tmp_path / "forms" / "mau-2023.toml"
    form_path.write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_campaigns(tmp_path)
    assert caught.value.path == form_path
    assert caught.value.field == "measures.people.column"
    assert caught.value.line == form_text[: form_text.index('column = "people"')].count("\n") + 1


def test_campaigns_load_from_another_data_dir(tmp_path: Path) -> None:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "forms").mkdir()
    source = CAMPAIGNS / "2023.toml"
    (tmp_path / "campaigns" / source.name).write_text(source.read_text(encoding="utf-8"))
    form = FORMS / "mau-2023.toml"
    (tmp_path / "forms" / form.name).write_text(form.read_text(encoding="utf-8"))
    assert list(load_campaigns(tmp_path)) == [2023]


def test_a_theme_pasted_from_a_pdf_is_stored_as_a_phone_types_it(tmp_path: Path) -> None:
    theme = str(EXPECTED[2024]["theme"])
    decomposed = unicodedata.normalize("NFD", theme)
    assert decomposed != theme
    path, _ = broken_copy(tmp_path, f'theme = "{theme}"', f'theme = "{decomposed}"', year=2024)
    assert load_campaign(path, FORMS).theme == theme


def test_a_file_saved_with_a_byte_order_mark_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "2023.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (CAMPAIGNS / "2023.toml").read_bytes())
    assert load_campaign(path, FORMS).year == 2023
