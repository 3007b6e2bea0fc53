"""``[reminders]``: the example file's values are the plan's defaults, hours are written as
people write them, and an hour inside the quiet hours is refused with its key named."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.domain.calendar import ReminderRules

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_the_example_files_reminders_are_the_plans_defaults() -> None:
    assert load_settings(EXAMPLE).reminders.rules() == ReminderRules()


def write(tmp_path: Path, reminders: str) -> Path:
    path = tmp_path / "tuanle.toml"
    path.write_text("[reminders]\n" + reminders, encoding="utf-8")
    return path


def test_hours_are_read_as_people_write_them(tmp_path: Path) -> None:
    path = write(tmp_path, 'morning = "7h15"\nevening = 18:45:00\nsend_on_sunday = true\n')
    rules = load_settings(path).reminders.rules()
    assert (rules.morning, rules.evening, rules.send_on_sunday) == (
        time(7, 15),
        time(18, 45),
        True,
    )


@pytest.mark.parametrize(
    ("reminders", "said"),
    [
        ('evening = "22:00"', "giờ yên lặng 21:30–06:00"),
        ('morning = "25:00"', "phải là giờ:phút"),
        ("deadline_days_before = [1, 1]", "các số ngày khác nhau"),
        ("announce_days_before = 0", "phải từ 1 trở lên"),
    ],
)
def test_a_wrong_reminder_setting_is_refused_in_vietnamese(
    tmp_path: Path, reminders: str, said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, reminders + "\n"))
    assert "reminders" in str(refused.value) and said in str(refused.value)


def test_the_environment_sets_a_sending_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT__REMINDERS__OPENING_MORNING", "06:15")
    assert load_settings(EXAMPLE).reminders.opening_morning == time(6, 15)
