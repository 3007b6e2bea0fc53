"""What a deadline reminder says is still missing: "còn thiếu: 2 ảnh minh chứng, mục 5, mục 9"."""

from __future__ import annotations

from bot.domain.loader import load_campaigns
from handlers.missing import Answers, describe, still_missing

FORM = load_campaigns()[2023].form  # the 2023 template (seed 002)
MIN_PHOTOS = 2  # seed 003: "2 đến 3 hình ảnh minh chứng"

# Every group answered except 5 (its yes/no) and 9 (said yes, no row filled).
PARTLY: Answers = {
    "opening:held": 1,
    "run:1": 0,
    "2:quantity": 3,
    "3:quantity": 1,
    "run:4": 0,
    "run:6": 0,
    "8:quantity": 0,
    "run:9": 1,
    "run:10": 0,
}


def test_the_issue_example_in_words() -> None:
    missing = still_missing(FORM, PARTLY, photos=0, min_photos=MIN_PHOTOS)
    assert missing.sections == ("5", "9")
    assert describe(missing) == "còn thiếu: 2 ảnh minh chứng, mục 5, mục 9"


def test_a_group_partly_filled_names_its_rows() -> None:
    answers: Answers = {**PARTLY, "run:5": 0, "9.1:quantity": 2}
    missing = still_missing(FORM, answers, photos=1, min_photos=MIN_PHOTOS)
    assert describe(missing) == "còn thiếu: 1 ảnh minh chứng, mục 9.2"


def test_rows_the_unit_did_not_run_are_not_asked_for() -> None:
    # Group 5 run, but only 5.2 picked: 5.2 is missing, not 5.1 or 5.3–5.6.
    answers: Answers = {**PARTLY, "run:5": 1, "pick:5": "5.2", "run:9": 0}
    missing = still_missing(FORM, answers, photos=3, min_photos=MIN_PHOTOS)
    assert describe(missing) == "còn thiếu: mục 5.2"


def test_a_complete_report_lacks_only_sending_and_an_empty_one_everything() -> None:
    complete: Answers = {**PARTLY, "run:5": 0, "run:9": 0}
    missing = still_missing(FORM, complete, photos=2, min_photos=MIN_PHOTOS)
    assert missing.complete
    assert describe(missing) == "đã nhập đủ, chỉ còn gửi báo cáo"
    # The opening, the narrative and the nominations never block sending, as in the review.
    untouched = still_missing(FORM, {}, photos=0, min_photos=MIN_PHOTOS)
    assert not untouched.started
    assert describe(untouched) == "chưa nhập mục nào"
    assert untouched.sections[:3] == ("1", "2", "3")
