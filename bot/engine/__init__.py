"""The engine: incoming message -> inbox -> unit of work -> handler -> commit -> replies."""

from bot.engine.core import (
    Clock,
    Engine,
    FileFetcher,
    FileTooLarge,
    FileUnavailable,
    SystemClock,
)

__all__ = ["Clock", "Engine", "FileFetcher", "FileTooLarge", "FileUnavailable", "SystemClock"]
