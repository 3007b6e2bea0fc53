"""The terminal chat (``tuanle chat``): a person types, the bot answers, as on a phone.

Works interactively and with piped standard input, so a whole report can be scripted. A line
that names an existing file (or starts with ``/anh``) sends that file as a photo or PDF.
Replies are rendered as numbered text, the way Zalo shows them.
"""

from __future__ import annotations

import asyncio
import getpass
import shlex
import sys
from pathlib import Path
from typing import TextIO

from bot.domain.chat import Reply
from bot.engine import Engine
from bot.platforms.memory import MemoryChat, MemoryFiles
from bot.platforms.text import render
from handlers import messages as say

PLATFORM = "console"
PHOTO_PREFIXES = ("/anh", "/ảnh", "/photo", "/file")
QUIT_WORDS = frozenset({"/quit", "/thoat", "/thoát", "/exit"})


class ConsoleChat:
    """Reads lines, sends them to the engine, prints the replies."""

    def __init__(
        self,
        engine: Engine,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        user_id: str | None = None,
    ) -> None:
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        self._interactive = self._in.isatty()
        self.chat = MemoryChat(
            engine,
            platform=PLATFORM,
            user_id=user_id or f"local-{getpass.getuser()}",
            user_name=getpass.getuser(),
            files=MemoryFiles(),
        )

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            self._out.write("\n" + _indent(render(reply)) + "\n")
        self._out.flush()

    def note(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def resume_pending(self) -> None:
        """Processes messages stored before a crash and not answered yet."""
        engine = self.chat.engine
        for inbox_id in await engine.pending(PLATFORM):
            await engine.process(inbox_id, self.chat.files)
        self.show(await self.chat.flush())

    async def run(self) -> None:
        """Chats until end of input or /quit."""
        while True:
            if self._interactive:
                self._out.write("\n" + say.CHAT_PROMPT)
                self._out.flush()
            line = await asyncio.to_thread(self._in.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text in QUIT_WORDS:
                break
            if not self._interactive:
                self._out.write(f"\n{say.CHAT_PROMPT}{text}\n")
            path = photo_path(text)
            if path is not None:
                if not path.is_file():
                    self.note(say.CHAT_NO_FILE.format(path=path))
                    continue
                self.show(await self.chat.send_file(path, kind="document", name=path.name))
            else:
                self.show(await self.chat.send(text))


def photo_path(text: str) -> Path | None:
    """The file a line sends: "/anh PATH", or a line that is itself an existing file's path."""
    for prefix in PHOTO_PREFIXES:
        if text.lower().startswith(prefix + " "):
            rest = text[len(prefix) :].strip()
            parts = shlex.split(rest) if rest else []
            return Path(parts[0]).expanduser() if parts else None
    candidate = Path(text.strip("'\"")).expanduser()
    if ("/" in text or "\\" in text) and candidate.is_file():
        return candidate
    return None


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.split("\n"))
