"""Time, as a port: the engine and the outbox read it here, so tests can fix it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FastClock:
    """A clock that starts at ``start`` and runs ``speed`` times faster than the real one: a
    rehearsal of the calendar (``tuanle calendar simulate``) watches October in minutes."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None or speed <= 0:
            raise ValueError("start must be aware and speed positive")
        self._start = start
        self._speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self._speed)
