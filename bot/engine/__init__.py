"""The engine: incoming message -> inbox -> unit of work -> handler -> commit -> outbox."""

from bot.engine.clock import Clock, SystemClock
from bot.engine.core import (
    Engine,
    EvidenceLimits,
    FileFetcher,
    FileTooLarge,
    FileUnavailable,
    Processed,
)
from bot.engine.outbox import OutboxStore, Outgoing

__all__ = [
    "Clock",
    "Engine",
    "EvidenceLimits",
    "FileFetcher",
    "FileTooLarge",
    "FileUnavailable",
    "OutboxStore",
    "Outgoing",
    "Processed",
    "SystemClock",
]
