"""Settings: the example file is valid and complete, the environment overrides it, and a bad
value is refused with its key named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_the_example_config_loads_and_documents_every_key() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.database.url.startswith("sqlite+aiosqlite://")
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = tomllib.loads(text.replace("# year", "year").replace("# data_dir", "data_dir"))
    for table, model in Settings.model_fields.items():
        assert table in documented, table
        keys = set(model.annotation.model_fields)  # type: ignore[union-attr]
        missing = keys - set(documented[table]) - {"file"}
        assert not missing, f"[{table}] lacks {missing}"
    assert "# file =" in text


def test_an_environment_variable_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT__DATABASE__URL", "postgresql+asyncpg://u@127.0.0.1/x")
    monkeypatch.setenv("BOT__TELEGRAM__TOKEN", "123:abc")
    settings = load_settings(EXAMPLE)
    assert settings.database.url == "postgresql+asyncpg://u@127.0.0.1/x"
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)


def test_a_bad_value_is_refused_with_its_key_named(tmp_path: Path) -> None:
    bad = tmp_path / "tuanle.toml"
    bad.write_text('[database]\nurl = "mysql://x"\n[evidence]\nmax_file_mb = -1\n')
    with pytest.raises(ConfigError) as error:
        load_settings(bad)
    assert "database.url" in str(error.value) and "BOT__DATABASE__URL" in str(error.value)
    assert "evidence.max_file_mb" in str(error.value)


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tuanle.toml"
    bad.write_text("[invites]\nvalid_dyas = 3\n")
    with pytest.raises(ConfigError, match=r"invites\.valid_dyas"):
        load_settings(bad)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không có tệp cấu hình"):
        load_settings(tmp_path / "nope.toml")


def test_telegram_sends_at_its_published_pace_unless_told_otherwise(tmp_path: Path) -> None:
    telegram = load_settings(EXAMPLE).telegram
    pace = (telegram.messages_per_second, telegram.per_chat_per_second, telegram.per_chat_burst)
    assert pace == (30, 1, 3)
    bad = tmp_path / "tuanle.toml"
    bad.write_text("[telegram]\nper_chat_per_second = 0\nper_chat_burst = 0\n")
    with pytest.raises(ConfigError) as error:
        load_settings(bad)
    assert "telegram.per_chat_per_second" in str(error.value)
    assert "telegram.per_chat_burst" in str(error.value)
