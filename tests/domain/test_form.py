"""The default data template (bot/data/forms/mau-2023.toml) against seed 002, and form errors.

Seed 002 (Thừa Thiên Huế, 2023) prints the template "MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN
LỄ" at its end; every row the bot asks or exports must read exactly as printed there.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from bot.domain.form import Column, Derivation, Form, MeasureKind
from bot.domain.loader import DataFileError, default_data_dir, load_form

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"  # copied verbatim
SEED_002 = SEEDS / "002_b9e3ae69d2374bee.txt"
FORM_PATH = default_data_dir() / "forms" / "mau-2023.toml"


def collapse(text: str) -> str:
    """Join the PDF's line breaks (runs of whitespace become one space), in Unicode NFC."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def seed() -> str:
    return collapse(SEED_002.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def template(seed: str) -> str:
    """The data template part of seed 002 (after its title)."""
    start = seed.index("MẪU TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC TUẦN LỄ")
    return seed[start:]


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form(FORM_PATH)


def test_every_row_reads_as_printed_in_seed_002_in_the_same_order(
    form: Form, template: str
) -> None:
    raw = tomllib.loads(FORM_PATH.read_text(encoding="utf-8"))
    people_line = raw["groups"][0]["people_label"]
    position = 0
    for item in form.items():
        printed = [f"{item.label} {item.unit_label}" if item.unit_label else item.label]
        if item.code == "1":  # the seed's second group line for the people total
            printed.append(f"{people_line} người")
        for text in printed:
            found = template.find(collapse(text), position)
            assert found >= 0, f"{item.code}: {text!r} not found after position {position}"
            position = found + len(text)


def test_the_template_has_the_11_groups_of_seed_002_with_their_rows(form: Form) -> None:
    assert [g.number for g in form.groups] == [str(n) for n in range(1, 12)]
    expected_children = {
        "1": 13,
        "2": 0,
        "3": 0,
        "4": 2,
        "5": 6,
        "6": 3,
        "7": 2,
        "8": 0,
        "9": 2,
        "10": 2,
        "11": 0,
    }
    for group in form.groups:
        assert len(group.children) == expected_children[group.number], group.number
        assert [c.code for c in group.children] == [
            f"{group.number}.{n}" for n in range(1, len(group.children) + 1)
        ]
    codes = [item.code for item in form.items()]
    assert len(codes) == len(set(codes))
    assert form.source == SEED_002.name
    assert form.code == "mau-2023"


def test_group_rows_that_sum_are_derived_and_never_asked(form: Form) -> None:
    summed = [g for g in form.groups if g.row.derivation is Derivation.SUM_CHILDREN]
    assert [g.number for g in summed] == ["1", "5", "6"]
    for group in summed:
        assert not group.row.asked
        assert group.row not in group.asked_items
        for measure in group.row.measures:
            assert any(measure.key in {m.key for m in c.measures} for c in group.children)
    assert [m.key for m in form.item("1").measures] == ["quantity", "people"]
    assert [m.key for m in form.item("5").measures] == ["quantity"]
    assert [m.key for m in form.item("6").measures] == ["quantity"]


def test_header_rows_print_without_unit_and_ask_nothing(form: Form) -> None:
    for code in ("4", "7", "9", "10"):
        row = form.item(code)
        assert row.unit_label == ""
        assert row.measures == ()
        assert row.derivation is None
        assert not row.asked


def test_opening_rows_count_the_units_that_held_the_ceremony_and_are_never_asked(
    form: Form,
) -> None:
    districts, schools = form.item("7.1"), form.item("7.2")
    assert districts.derivation is Derivation.OPENING_HELD
    assert districts.unit_kinds == ("district",)
    assert schools.derivation is Derivation.OPENING_HELD
    assert schools.unit_kinds == ("school", "centre")
    group = form.group_of("7.2")
    assert group.asked_items == ()
    assert group.ask_if_run is False


def test_group_1_asks_13_classes_in_classes_and_people(form: Form) -> None:
    group = form.group_of("1")
    assert group.ask_if_run is True
    assert [i.code for i in group.asked_items] == [f"1.{n}" for n in range(1, 14)]
    for item in group.asked_items:
        assert item.unit_label == "lớp/người"
        classes, people = item.measures
        assert (classes.key, classes.label, classes.unit, classes.column) == (
            "quantity",
            "số lớp",
            "lớp",
            Column.QUANTITY,
        )
        assert (people.key, people.label, people.unit, people.column) == (
            "people",
            "số người",
            "người",
            Column.PEOPLE,
        )


def test_single_rows_are_asked_directly_without_a_yes_no_question(form: Form) -> None:
    expected = {"2": "số tin, bài", "3": "số quyển/tờ", "8": "số cuộc", "11": "nội dung khác"}
    for number, label in expected.items():
        group = form.group_of(number)
        assert group.ask_if_run is False
        assert group.asked_items == (group.row,)
        assert [m.label for m in group.row.measures] == [label]
    other = form.item("11").measures[0]
    assert (other.kind, other.column) == (MeasureKind.TEXT, Column.NOTE)


def test_contests_with_people_ask_both_and_fairs_ask_only_the_count(form: Form) -> None:
    for code in ("5.1", "5.2"):
        assert [m.key for m in form.item(code).measures] == ["quantity"]
        assert form.item(code).unit_label == "Số cuộc"
    for code in ("5.3", "5.4", "5.5", "5.6", "6.1", "6.2", "6.3"):
        assert [m.key for m in form.item(code).measures] == ["quantity", "people"]
        assert form.item(code).measures[0].label == "số cuộc"
        assert form.item(code).unit_label == "Số cuộc/người"


def test_awards_count_collectives_and_people_in_their_columns(form: Form) -> None:
    (collectives,) = form.item("9.1").measures
    (people,) = form.item("9.2").measures
    assert collectives.column is Column.QUANTITY
    assert (people.key, people.column) == ("people", Column.PEOPLE)


def test_funding_is_asked_in_dong_up_to_a_trillion(form: Form) -> None:
    for code in ("10.1", "10.2"):
        (money,) = form.item(code).measures
        assert (money.key, money.label, money.kind, money.column, money.unit) == (
            "amount",
            "số tiền",
            MeasureKind.MONEY,
            Column.QUANTITY,
            "đồng",
        )
        assert money.maximum == 1_000_000_000_000


def test_every_measure_is_named_in_lowercase_vietnamese_with_a_positive_limit(form: Form) -> None:
    for item in form.items():
        for measure in item.measures:
            assert measure.label == measure.label.lower(), item.code
            assert measure.label.strip()
            assert measure.maximum > 0
            if measure.kind is not MeasureKind.TEXT:
                assert measure.unit, item.code


def test_the_narrative_questions_are_part_ii_of_the_seed_002_outline(
    form: Form, seed: str
) -> None:
    assert [q.key for q in form.narrative] == ["results", "difficulties", "recommendations"]
    outline = seed[seed.index("II. ĐÁNH GIÁ CHUNG") : seed.index("MẪU TỔNG HỢP SỐ LIỆU")]
    position = 0
    for number, question in enumerate(form.narrative, start=1):
        found = outline.find(f"{number}. {question.label}", position)
        assert found >= 0, question.label
        position = found
        assert question.prompt.endswith("?")  # the catalogue adds that it may be skipped


# ---------------------------------------------------------------------------------------------
# A broken copy of the form names the file, the line and the field.


def broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """Write the form with ``old`` (found once) replaced; return the path and old's line."""
    text = FORM_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / FORM_PATH.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def expect_error(path: Path, line: int, field: str) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_form(path)
    err = caught.value
    assert str(err).startswith(f"{path}:{line}: {field}: "), str(err)
    assert (err.path, err.line, err.field) == (path, line, field)
    return err


def test_a_misspelt_measure_kind_is_reported_at_its_line_with_a_suggestion(
    tmp_path: Path,
) -> None:
    path, line = broken_copy(tmp_path, 'kind = "money"', 'kind = "mony"')
    err = expect_error(path, line, "measures.money.kind")
    assert (err.reason, err.params["suggestion"]) == ("unknown_value", "money")


def test_a_code_used_twice_is_reported_at_the_second_row(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'code = "1.13"', 'code = "1.12"')
    err = expect_error(path, line, "groups[0].children[12].code")
    assert err.reason == "code_twice"


def test_an_unknown_key_in_a_row_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'unit_label = "Quyển"', 'unit_lable = "Quyển"')
    err = expect_error(path, line, "groups[3].children[1].unit_lable")
    assert (err.reason, err.params["suggestion"]) == ("unknown_field", "unit_label")


def test_a_toml_syntax_error_names_its_line_and_key(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'code = "6.2"', 'code "6.2"')
    err = expect_error(path, line, "groups[5].children[1].code")
    assert err.reason == "toml_syntax"


def test_a_sub_row_coded_outside_its_group_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'code = "5.6"', 'code = "6.6"')
    expect_error(path, line, "groups[4].children[5].code")


def test_a_row_naming_an_undefined_measure_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, 'measures = ["publications"]', 'measures = ["publication"]')
    err = expect_error(path, line, "groups[2].measures[0]")
    assert (err.reason, err.params["name"]) == ("no_measure", "publication")


def test_a_sum_of_a_measure_no_sub_row_has_is_refused(tmp_path: Path) -> None:
    old = 'unit_label = "Số cuộc"\nmeasures = ["events"]\nderivation = "sum_children"\n\n'
    new = 'unit_label = "Số cuộc"\nmeasures = ["events", "money"]\nderivation = "sum_children"\n\n'
    text = FORM_PATH.read_text(encoding="utf-8")
    first = text.index(old)  # group 5, the first group row that sums events
    path = tmp_path / FORM_PATH.name
    path.write_text(text[:first] + new + text[first + len(old) :], encoding="utf-8")
    line = text[:first].count("\n") + 2
    err = expect_error(path, line, "groups[4].measures[1]")
    assert (err.reason, err.params["key"]) == ("nothing_to_sum", "amount")


def test_a_zero_maximum_is_refused(tmp_path: Path) -> None:
    path, line = broken_copy(tmp_path, "maximum = 1_000_000_000_000", "maximum = 0")
    expect_error(path, line, "measures.money.maximum")


def test_a_missing_label_points_at_the_row_header(tmp_path: Path) -> None:
    path, _ = broken_copy(tmp_path, 'label = "Hoạt động văn nghệ"\n', "")
    text = path.read_text(encoding="utf-8")
    header = re.search(r'\[\[groups\.children\]\]\ncode = "6\.2"', text)
    assert header is not None
    line = text[: header.start()].count("\n") + 1
    err = expect_error(path, line, "groups[5].children[1].label")
    assert err.reason == "missing"


def test_awards_and_funding_carry_their_own_yes_no_question(form: Form) -> None:
    groups = {group.number: group for group in form.groups}
    assert "khen thưởng" in groups["9"].ask
    assert "kinh phí" in groups["10"].ask
    assert "hoạt động" not in groups["9"].ask + groups["10"].ask
    assert groups["6"].ask == ""  # cultural and sports activities: the generic question fits


def test_a_yes_no_question_on_a_group_asked_directly_is_refused(tmp_path: Path) -> None:
    old = 'measures = ["articles"]\nask_if_run = false\n'
    path, line = broken_copy(tmp_path, old, old + 'ask = "Đơn vị có đăng tin, bài không?"\n')
    err = expect_error(path, line + 2, "groups[1].ask")
    assert err.reason == "ask_without_run"
