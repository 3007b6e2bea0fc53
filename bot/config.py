"""Settings: ``config.example.toml`` documents every key; the environment overrides the file.

A setting comes, from strongest to weakest, from an environment variable
(``BOT__DATABASE__URL``, ``BOT__TELEGRAM__TOKEN``: ``BOT__`` then the table and key joined with
``__``), the TOML file named by ``--config`` or ``TUANLE_CONFIG`` (default ``tuanle.toml`` when it
exists), and the defaults below. A bad value stops the start with the key named.
"""

from __future__ import annotations

import os
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.domain.calendar import ReminderRules
from handlers import messages as say

DEFAULT_CONFIG_FILE = Path("tuanle.toml")


class Strict(BaseModel):
    model_config = {"extra": "forbid"}


class DatabaseSettings(Strict):
    url: str = "sqlite+aiosqlite:///data/tuanle.sqlite3"
    busy_timeout_ms: int = Field(default=10_000, ge=100, le=600_000)
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "FULL"

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(say.CONFIG_BAD_DATABASE_URL)
        return value


class EvidenceSettings(Strict):
    directory: Path = Path("data/evidence")
    max_file_mb: float = Field(default=20, gt=0, le=50)
    max_image_megapixels: float = Field(default=40, gt=0, le=200)
    fetch_timeout_seconds: float = Field(default=60, gt=0, le=600)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_pixels(self) -> int:
        return int(self.max_image_megapixels * 1_000_000)


class CampaignSettings(Strict):
    year: int | None = Field(default=None, ge=2000, le=2100)
    data_dir: Path | None = None
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(say.CONFIG_BAD_TIMEZONE.format(zone=value)) from error
        return value


class InviteSettings(Strict):
    valid_days: int = Field(default=30, ge=1, le=366)
    max_uses: int = Field(default=20, ge=1, le=10_000)
    max_failures_per_hour: int = Field(default=5, ge=1, le=100)
    # An admin invite grants a whole subtree: single-use and short-lived unless asked otherwise.
    admin_valid_hours: int = Field(default=48, ge=1, le=24 * 31)
    admin_max_uses: int = Field(default=1, ge=1, le=100)


class AdminSettings(Strict):
    # People who may administer every unit, as "platform:user_id" ("telegram:12345").
    superadmins: list[str] = Field(default_factory=list)


class ConsoleSettings(Strict):
    demo_unit: bool = True


class PlatformSettings(Strict):
    """What Telegram and Zalo share: a token, an API server, and how updates arrive."""

    token: SecretStr = SecretStr("")
    api_base: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> PlatformSettings:
        if self.mode != "webhook" or not self.enabled:
            return self
        if not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError(say.CONFIG_WEBHOOK_NEEDS_URL)
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", self.webhook_secret.get_secret_value()):
            raise ValueError(say.CONFIG_WEBHOOK_NEEDS_KEY)
        return self


class TelegramSettings(PlatformSettings):
    """Telegram's own limits by default: about 30 messages a second per bot; a chat takes a
    short burst, then about one a second (more earns a 429 and a pause)."""

    api_base: str = "https://api.telegram.org"
    max_attempts: int = Field(default=6, ge=1, le=50)
    messages_per_second: float = Field(default=30.0, gt=0, le=1000)
    per_chat_per_second: float = Field(default=1.0, gt=0, le=1000)
    per_chat_burst: int = Field(default=3, ge=1, le=100)


class ZaloSettings(PlatformSettings):
    api_base: str = "https://bot-api.zaloplatforms.com"
    messages_per_second: float = Field(default=5.0, gt=0, le=100)
    # Where a photo URL may redirect to: Zalo's CDN (photo-stal-N.zdn.vn) and Zalo's domains.
    media_hosts: list[str] = Field(
        default_factory=lambda: [
            "zdn.vn",
            "zadn.vn",
            "zalo.me",
            "zaloapp.com",
            "zapps.me",
            "zaloplatforms.com",
        ]
    )
    media_allow_http: bool = False
    media_allow_private: bool = False


class DeliverySettings(Strict):
    """How the outbox is sent: sweeps for due messages, claims, backoff after failures."""

    sweep_seconds: float = Field(default=2.0, gt=0, le=300)
    lease_seconds: float = Field(default=60.0, ge=5, le=3600)
    max_backoff_seconds: float = Field(default=300.0, ge=1, le=3600)


_RULES = ReminderRules()


class ReminderSettings(Strict):
    """The campaign calendar (bot/domain/calendar.py): days before, sending hours, quiet hours."""

    # The defaults are the plan's own (ReminderRules), written once there.
    announce_days_before: int = Field(default=_RULES.announce_days_before, ge=1, le=60)
    deadline_days_before: list[int] = Field(
        default_factory=lambda: list(_RULES.deadline_days_before)
    )
    morning: time = _RULES.morning
    evening: time = _RULES.evening
    opening_morning: time = _RULES.opening_morning
    quiet_start: time = _RULES.quiet_start
    quiet_end: time = _RULES.quiet_end
    send_on_sunday: bool = _RULES.send_on_sunday
    late_after_minutes: int = Field(
        default=int(_RULES.late_after.total_seconds() // 60), ge=1, le=24 * 60
    )
    late_days: int = Field(default=_RULES.late_days, ge=1, le=30)
    opening_late_until: time = _RULES.opening_late_until

    @field_validator(
        "morning",
        "evening",
        "opening_morning",
        "quiet_start",
        "quiet_end",
        "opening_late_until",
        mode="before",
    )
    @classmethod
    def _clock(cls, value: object) -> object:
        """ "07:30" as people write it (TOML's 07:30:00 is a time already)."""
        if isinstance(value, str):
            found = re.fullmatch(r"\s*([01]?\d|2[0-3])[:hH]([0-5]\d)\s*", value)
            if found is None:
                raise ValueError(say.CONFIG_BAD_CLOCK.format(value=value))
            return time(int(found.group(1)), int(found.group(2)))
        return value

    @field_validator("deadline_days_before")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(days < 0 or days > 30 for days in value) or len(set(value)) != len(value):
            raise ValueError(say.CONFIG_BAD_REMINDER_DAYS)
        return value

    @model_validator(mode="after")
    def _outside_quiet_hours(self) -> ReminderSettings:
        try:
            self.rules()
        except ValueError:
            raise ValueError(
                say.CONFIG_REMINDER_HOURS.format(
                    start=self.quiet_start.strftime("%H:%M"), end=self.quiet_end.strftime("%H:%M")
                )
            ) from None
        return self

    def rules(self) -> ReminderRules:
        """The plan's rules, plain Python for bot/domain/calendar.py."""
        return ReminderRules(
            announce_days_before=self.announce_days_before,
            deadline_days_before=tuple(self.deadline_days_before),
            morning=self.morning,
            evening=self.evening,
            opening_morning=self.opening_morning,
            quiet_start=self.quiet_start,
            quiet_end=self.quiet_end,
            send_on_sunday=self.send_on_sunday,
            late_after=timedelta(minutes=self.late_after_minutes),
            late_days=self.late_days,
            opening_late_until=self.opening_late_until,
        )


class WebSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # Where people reach this web app from outside ("https://bot.example.vn"): Zalo receives
    # charts and export files as links under it. Empty: Zalo gets no files, only their text.
    public_url: str = ""
    # How long such a link works.
    link_valid_hours: int = Field(default=72, ge=1, le=24 * 31)


class LogSettings(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "console"] = "json"
    file: Path | None = None


class Settings(BaseSettings):
    """Every setting of the bot, validated at start."""

    model_config = SettingsConfigDict(
        env_prefix="BOT__",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database: DatabaseSettings = DatabaseSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    campaign: CampaignSettings = CampaignSettings()
    invites: InviteSettings = InviteSettings()
    admin: AdminSettings = AdminSettings()
    console: ConsoleSettings = ConsoleSettings()
    telegram: TelegramSettings = TelegramSettings()
    zalo: ZaloSettings = ZaloSettings()
    delivery: DeliverySettings = DeliverySettings()
    reminders: ReminderSettings = ReminderSettings()
    web: WebSettings = WebSettings()
    log: LogSettings = LogSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the key."""


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Reads the settings from ``path`` (or the default file) and the environment."""
    chosen = path or _env_path() or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None)
    if chosen is not None and not chosen.exists():
        raise ConfigError(say.CONFIG_NO_FILE.format(path=chosen))

    class FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=chosen)

    try:
        return FileSettings(**overrides)
    except ValidationError as error:
        raise ConfigError(_describe(error, chosen)) from None
    except ValueError as error:  # a TOML syntax error surfaces as a ValueError
        raise ConfigError(say.CONFIG_SYNTAX.format(path=chosen, error=error)) from None


def _env_path() -> Path | None:
    value = os.environ.get("TUANLE_CONFIG")
    return Path(value) if value else None


def _describe(error: ValidationError, path: Path | None) -> str:
    where = say.CONFIG_WHERE.format(path=path) if path else ""
    lines = [say.CONFIG_INVALID.format(where=where)]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        env = "BOT__" + "__".join(str(part).upper() for part in problem["loc"])
        lines.append(say.CONFIG_LINE.format(key=key, env=env, problem=_problem(problem)))
    return "\n".join(lines)


def _problem(problem: Any) -> str:
    """pydantic's complaint in Vietnamese; our own validators' texts are already Vietnamese."""
    template = say.CONFIG_PROBLEMS.get(problem["type"])
    if template is not None:
        try:
            said = template.format(**problem.get("ctx", {}))
            return said.replace("' or '", f"'{say.TEXT_OR}'")
        except (KeyError, IndexError):
            pass
    message = str(problem["msg"])
    return message.removeprefix("Value error, ")
