"""No secret in a log line: the redactor masks configured secrets (as written and URL-encoded)
and token-shaped text, and the configured log masks every event, tracebacks included, and what
libraries log through the standard logging module."""

from __future__ import annotations

import logging
from pathlib import Path

import structlog

from bot import logs
from bot.config import load_settings
from bot.redact import Redactor, database_password

TOKEN = "7012345678:AAHk3-Zq9_secretPart0123456789abcdef"
ZALO = "1234567890:zalo+secret/with=odd&chars"


def test_configured_secrets_are_masked_as_written_and_url_encoded() -> None:
    redact = Redactor([ZALO, "web-hook-secret-value"])
    for text in (
        f"token={ZALO}",
        "token=1234567890%3Azalo%2Bsecret%2Fwith%3Dodd%26chars",
        "token=1234567890:zalo%2Bsecret/with%3Dodd%26chars",
        "q=1234567890%3Azalo%2Bsecret%2Fwith%3Dodd%26chars&x=web-hook-secret-value",
    ):
        masked = redact(text)
        assert "secret" not in masked, masked
        assert "***" in masked


def test_token_shaped_text_and_bot_url_segments_are_masked_without_configuration() -> None:
    redact = Redactor()
    assert TOKEN not in redact(f"Cannot connect: https://api.telegram.org/file/bot{TOKEN}/x.jpg")
    assert (
        redact("GET http://127.0.0.1:9/bot42:short/getMe") == "GET http://127.0.0.1:9/bot***/getMe"
    )
    assert redact("POST /bot1%3Aabc/sendMessage") == "POST /bot***/sendMessage"
    # Ordinary text stays as it is.
    plain = "Mục 1.2: 3/120 học viên; ảnh ab12cd.jpg; /bottles/ 10:30"
    assert redact(plain) == plain


def test_a_short_database_password_is_masked_wherever_it_is_written() -> None:
    url = "postgresql+asyncpg://tuanle:k9%2Fz@db:5432/tuanle"
    redact = Redactor.from_settings(load_settings(None, database={"url": url}))
    masked = redact(f"cannot connect to {url}; password k9/z rejected; k9%2fz")
    assert "k9" not in masked
    assert masked.count("***") == 3


def test_a_one_or_two_character_secret_is_masked_only_where_it_stands_alone() -> None:
    url = "postgresql+asyncpg://u:pw@127.0.0.1:1/x"
    redact = Redactor.from_settings(load_settings(None, database={"url": url}))
    assert redact(url) == "postgresql+asyncpg://u:***@127.0.0.1:1/x"
    assert redact("pw") == "***"
    words = "password pwd upward: the pwm fan"  # "pw" inside words is left alone
    assert redact(words) == words
    assert Redactor(["", "7"])("7 of 17 at 7:00") == "*** of 17 at ***:00"


def test_every_secret_in_the_settings_is_known() -> None:
    settings = load_settings(
        None,
        database={"url": "postgresql+asyncpg://tuanle:p%40ss-w0rd-long@db:5432/tuanle"},
        telegram={"token": TOKEN, "webhook_secret": "tg-webhook-secret-0123"},
        zalo={"token": ZALO, "webhook_secret": "zl-webhook-secret-0123"},
    )
    redact = Redactor.from_settings(settings)
    text = f"{TOKEN} {ZALO} tg-webhook-secret-0123 zl-webhook-secret-0123 p@ss-w0rd-long"
    assert redact(text) == " ".join(["***"] * 5)
    assert database_password("sqlite+aiosqlite:///data/x.sqlite3") == []


def test_the_log_masks_events_tracebacks_and_standard_logging(tmp_path: Path) -> None:
    log_file = tmp_path / "bot.log"
    logs.configure("INFO", "json", log_file, Redactor([ZALO]))
    try:
        log = structlog.get_logger("test")
        log.info("download", url=f"https://x/bot{TOKEN}/f", nested={"k": [ZALO]})
        try:
            raise OSError(f"Cannot connect to https://x/bot{TOKEN}/getFile")
        except OSError:
            log.exception("failed")
        logging.getLogger("aiohttp.client").warning("unclosed %s", f"/bot{ZALO}/getUpdates")
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if isinstance(h, logging.StreamHandler)]:
            if getattr(handler.stream, "name", None) == str(log_file):
                root.removeHandler(handler)
                handler.stream.close()  # the structlog logger wrote to the same stream
        structlog.reset_defaults()
    text = log_file.read_text(encoding="utf-8")
    assert "download" in text and "failed" in text and "unclosed" in text
    assert "Traceback" in text
    for secret in (TOKEN, ZALO, "secretPart", "zalo+secret"):
        assert secret not in text
