"""The terminal chat (``tuanle chat``): a person types, the bot answers, as on a phone.

Works interactively and with piped standard input, so a whole report can be scripted. A line
that names an existing file (or starts with ``/anh``) sends that file as a photo or PDF; the
name may be typed bare, quoted, shell-escaped or pasted as a ``file://`` address. Replies are
rendered as numbered text, the way Zalo shows them.

Nothing typed ends the chat but the end of input (Ctrl-D) or ``/thoat``, and Ctrl-C leaves at
once: standard input is read by a daemon thread, so leaving never waits for a line, and a
message already being answered is finished first. Every answer is committed as it arrives, so
leaving loses nothing. At start the chat shows where the person stands by sending ``/start``,
which answers no question (a member gets their unit and the current question, anyone else the
welcome).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import getpass
import os
import shlex
import sys
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

import structlog

from bot.artifacts import ArtifactStore
from bot.domain.chat import Reply
from bot.engine import Engine
from bot.platforms.memory import MemoryChat, MemoryFiles
from bot.platforms.text import render
from handlers import messages as say

PLATFORM = "console"
PHOTO_PREFIXES = ("/anh", "/ảnh", "/photo", "/file")
QUIT_WORDS = frozenset({"/quit", "/thoat", "/thoát", "/exit"})
START = "/start"
QUOTES = "'\"“”‘’"
FILE_ENDINGS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf")

log = structlog.get_logger("tuanle.console")


class ConsoleChat:
    """Reads lines, sends them to the engine, prints the replies."""

    def __init__(
        self,
        engine: Engine,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        user_id: str | None = None,
        artifacts: ArtifactStore | None = None,
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
            artifacts=artifacts,
        )
        self._later: set[asyncio.Task[None]] = set()
        # Messages queued outside the person's own lines (a job's progress and files) are
        # shown as they come, not at the next line typed.
        engine.outbox.subscribe(self._queued)

    def show(self, replies: list[Reply]) -> None:
        """Prints replies, indented under what the person typed; a file by where it lies."""
        self._write("".join("\n" + _indent(self._text(reply)) + "\n" for reply in replies))

    def _text(self, reply: Reply) -> str:
        lines = [render(reply)] if reply.text or not reply.files else []
        for file in reply.files:
            path = self.chat.sender.paths.get(file.token)
            if path is None:
                lines.append(say.FILE_EXPIRED.format(name=file.name))
            else:
                lines.append(say.CHAT_FILE_SAVED.format(name=file.name, path=path))
        return "\n".join(lines)

    def _queued(self, platform: str, chat_id: str) -> None:
        if platform == PLATFORM and chat_id == self.chat.chat_id:
            task = asyncio.ensure_future(self._show_queued())
            self._later.add(task)
            task.add_done_callback(self._later.discard)

    async def _show_queued(self) -> None:
        try:
            replies = await self.chat.flush()
        except Exception as error:  # the database away: shown with the next line instead
            log.warning("queued", outcome="error", error=type(error).__name__)
            return
        if replies:
            self.show(replies)
            if self._interactive:
                self._write("\n" + say.CHAT_PROMPT)

    async def settle(self) -> None:
        """Waits until what was queued outside the person's lines has been shown."""
        while self._later:
            await asyncio.gather(*self._later, return_exceptions=True)

    def note(self, text: str) -> None:
        """Prints a line of the chat itself (not the bot's)."""
        self._write(text + "\n")

    def goodbye(self) -> None:
        """Says goodbye on a line of its own (after the prompt or a ^C on a terminal)."""
        self.note("\n" + say.CHAT_BYE)

    def _write(self, text: str) -> None:
        try:
            self._out.write(text)
            self._out.flush()
        except BrokenPipeError:
            # The reader left (``tuanle chat | head``): answers are still stored; later output,
            # and Python's own flush at exit, go nowhere instead of failing.
            fd = _fileno(self._out)
            if fd is not None:
                os.dup2(os.open(os.devnull, os.O_WRONLY), fd)

    async def resume_pending(self) -> list[Reply]:
        """Processes messages stored before a crash and not answered yet; the replies shown."""
        engine = self.chat.engine
        for inbox_id in await engine.pending(PLATFORM):
            await engine.process(inbox_id, self.chat.files)
        replies = await self.chat.flush()
        self.show(replies)
        return replies

    async def show_where(self) -> None:
        """Shows the question the person stands at, through the normal path, answering nothing."""
        self.show(await self.chat.send(START))

    async def run(self) -> None:
        """Chats until end of input or /thoat; on Ctrl-C, finishes the message being answered."""
        lines = _Lines(self._in)
        while True:
            if self._interactive:
                self._write("\n" + say.CHAT_PROMPT)
            line = await lines.next()
            if line is None:
                return
            text = _visible(line)
            if not text:
                continue
            if unicodedata.normalize("NFC", text).lower() in QUIT_WORDS:
                return
            if not self._interactive:
                self._write(f"\n{say.CHAT_PROMPT}{_printable(text)}\n")
            task = asyncio.ensure_future(self._take(text))
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                # Leaving: the message is stored or not; either way it is answered now (or,
                # while the database is away, kept pending for the next start).
                self.chat.engine.stop()
                with contextlib.suppress(Exception):
                    await task
                raise

    async def _take(self, text: str) -> None:
        """Sends one line, as a file or as text; a fault is told and the chat goes on."""
        try:
            given = photo_argument(text)
            if given is None and _may_be_path(text):
                path = find_file(text)
                if path is not None:
                    await self._send_file(path)
                    return
            if given is None:
                self.show(await self.chat.send(_printable(text)))
            elif not given:
                self.note(say.CHAT_FILE_USAGE)
            else:
                await self._send_named(given)
        except Exception as error:  # one bad line must not end the chat
            log.exception("line", outcome="error", error=type(error).__name__)
            self.note(say.CHAT_FAILED)

    async def _send_named(self, given: str) -> None:
        path = find_file(given)
        if path is not None:
            await self._send_file(path)
            return
        shown = _printable(str(best_guess(given)))
        if any(_is(candidate, Path.is_dir) for candidate in candidates(given)):
            self.note(say.CHAT_NOT_A_FILE.format(path=shown))
        else:
            self.note(say.CHAT_NO_FILE.format(path=shown))

    async def _send_file(self, path: Path) -> None:
        if not await asyncio.to_thread(_readable, path):
            self.note(say.CHAT_FILE_UNREADABLE.format(path=_printable(str(path))))
            return
        name = _printable(path.name)
        self.show(await self.chat.send_file(path, kind="document", name=name))


class _Lines:
    """Lines of standard input without blocking the event loop or the exit.

    A daemon thread reads the raw bytes: asyncio's own threads (``to_thread``) are awaited at
    shutdown, so a Ctrl-C would wait for the next Enter. Bytes are decoded as UTF-8, with any
    other byte kept as a surrogate so that a file named in another encoding can still be found.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[bytes] | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._buffer = ""
        self._ended = False

    async def next(self) -> str | None:
        """The next line (without its end), or None at the end of input."""
        fd = _fileno(self._stream)
        if fd is None:  # an in-memory stream: reading never waits
            line = self._stream.readline()
            return line.rstrip("\r\n") if line else None
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            thread = threading.Thread(
                target=_pump, args=(fd, loop, self._queue), name="stdin", daemon=True
            )
            thread.start()
        while "\n" not in self._buffer:
            if self._ended:
                rest, self._buffer = self._buffer, ""
                return rest or None
            chunk = await self._queue.get()
            self._ended = not chunk
            self._buffer += self._decoder.decode(chunk, final=self._ended)
        line, _, self._buffer = self._buffer.partition("\n")
        return line.rstrip("\r")


def _pump(fd: int, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes]) -> None:
    """Copies standard input to the queue until its end (an empty chunk)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
        except RuntimeError:  # the loop is closed: the chat has ended
            return
        if not chunk:
            return


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def photo_argument(text: str) -> str | None:
    """What follows "/anh" on a line ("" when nothing does), or None for any other line."""
    parts = text.split(maxsplit=1)
    if not parts or unicodedata.normalize("NFC", parts[0]).lower() not in PHOTO_PREFIXES:
        return None
    return parts[1].strip() if len(parts) > 1 else ""


def candidates(given: str) -> list[Path]:
    """The paths a typed or pasted file name may mean, the most literal first.

    As typed (apostrophes and spaces are part of the name); without surrounding quotes; as a
    shell would read it (``'it'\\''s.jpg'``, ``a\\ b.jpg``); as a ``file://`` address. Each
    with ``~`` expanded.
    """
    given = given.strip()
    texts = [given]
    if len(given) >= 2 and given[0] in QUOTES and given[-1] in QUOTES:
        texts.append(given[1:-1])
    with contextlib.suppress(ValueError):  # an unbalanced quote: not a shell word
        words = shlex.split(given)
        if len(words) == 1:
            texts.append(words[0])
    for text in list(texts):
        if text.lower().startswith("file://"):
            texts.append(unquote(urlsplit(text).path))
    found: list[Path] = []
    for text in texts:
        path = _expand(Path(text))
        if path not in found:
            found.append(path)
    return found


def find_file(given: str) -> Path | None:
    """The existing file ``given`` names, or None."""
    for path in candidates(given):
        if _is(path, Path.is_file):
            return path
    for path in candidates(given):
        same = _same_letters(path)
        if same is not None and _is(same, Path.is_file):
            return same
    return None


def _same_letters(path: Path) -> Path | None:
    """The existing path spelled with the same letters, composed or not (a file copied from a
    Mac keeps "ễ" as "ê" and a tone mark), or None."""
    here = Path(path.anchor) if path.anchor else Path()
    for part in path.parts[1:] if path.anchor else path.parts:
        if _is(here / part, Path.exists):
            here = here / part
            continue
        wanted = unicodedata.normalize("NFC", part)
        try:
            names = os.listdir(here)
        except (OSError, ValueError):
            return None
        match = next((n for n in names if unicodedata.normalize("NFC", n) == wanted), None)
        if match is None:
            return None
        here = here / match
    return here


def best_guess(given: str) -> Path:
    """The path to name when no file is found: the name without its quotes, if it has any."""
    given = given.strip()
    if len(given) >= 2 and given[0] in QUOTES and given[-1] in QUOTES:
        words: list[str] = []
        with contextlib.suppress(ValueError):
            words = shlex.split(given)
        given = words[0] if len(words) == 1 else given[1:-1]
    return _expand(Path(given))


def _may_be_path(text: str) -> bool:
    """A line worth looking up as a file: a folder in it, quoted, at home or a file's ending."""
    return (
        "/" in text
        or "\\" in text
        or text[:1] in QUOTES
        or text.startswith("~")
        or text.lower().rstrip(QUOTES).endswith(FILE_ENDINGS)
    )


def _expand(path: Path) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:  # no home folder known: "~" stays as typed
        return path


def _is(path: Path, test: Callable[[Path], bool]) -> bool:
    """``test(path)``, False when the name cannot be looked up (too long, a NUL in it)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def _visible(line: str) -> str:
    """The line without control characters (a stray NUL, an arrow key's escape) or a BOM."""
    kept = (c for c in line if c == "\t" or unicodedata.category(c) != "Cc")
    return "".join(kept).replace("\ufeff", "").strip()


def _printable(text: str) -> str:
    """The text with bytes that were not UTF-8 shown as �, fit to print and to store."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.split("\n"))
