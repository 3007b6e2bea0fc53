"""How far a long command got, on the terminal's stderr (``tuanle export``).

On a terminal the bar is redrawn in place on one line; into a file or a pipe (a cron job, a log),
each new step is one plain line, so nothing there fills with carriage returns. Own code rather
than a library: the bar is twenty lines and the bot needs nothing else of one.
"""

from __future__ import annotations

import shutil
from typing import TextIO

from handlers import messages as say

BAR_WIDTH = 24


class ProgressBar:
    """Shows (percent, text) on ``stream``; ``close`` ends the bar's line."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_line = ""
        self._drawn = 0  # characters on the bar's line now (terminal only)

    def show(self, percent: int, text: str) -> None:
        """Redraws the bar (terminal), or writes a line when the step's text changed."""
        percent = max(0, min(100, percent))
        line = say.CLI_EXPORT_PROGRESS.format(percent=percent, text=text)
        if not self._tty:
            if line != self._last_line:
                self._stream.write(line + "\n")
                self._stream.flush()
            self._last_line = line
            return
        filled = BAR_WIDTH * percent // 100
        bar = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {line}"
        bar = bar[: max(10, shutil.get_terminal_size().columns - 1)]
        self._stream.write("\r" + bar + " " * max(0, self._drawn - len(bar)))
        self._stream.flush()
        self._drawn = len(bar)

    def close(self) -> None:
        """Moves past the bar's line, so what follows starts on a line of its own."""
        if self._tty and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = 0
