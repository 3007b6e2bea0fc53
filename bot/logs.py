"""Structured logs: one JSON event per line, never a token or a person's message text.

Every event passes through the redactor (``bot.redact``) after exceptions are formatted and
before it is rendered, so a token that an error quoted is masked in the message and in the
traceback alike. Libraries that log through the standard ``logging`` module (aiohttp, asyncio,
SQLAlchemy) write to the same place at WARNING and above, through the same redactor.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import structlog

from bot.redact import Redactor


class _RedactingFormatter(logging.Formatter):
    """Formats a standard-library record, traceback included, then masks the secrets in it."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record's line with every secret masked."""
        return self._redact(super().format(record))


def configure(
    level: str = "INFO",
    fmt: str = "json",
    file: Path | None = None,
    redactor: Redactor | None = None,
) -> None:
    """Sends structured events to ``file`` (or standard error) at ``level``, secrets masked."""
    stream: TextIO
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        stream = file.open("a", encoding="utf-8")
    else:
        stream = sys.stderr
    redactor = redactor or Redactor()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redactor.processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_RedactingFormatter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, _RedactingFormatter)]:
        root.removeHandler(old)  # configured again (tests, the CLI): one handler, not two
    root.addHandler(handler)
    root.setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # pypdf logs each repair of a sloppy PDF as a warning; they say nothing about safety.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
