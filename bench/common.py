"""What the benchmarks share: the machine, the CPU the rest of it used, the fake Bot API with
timestamps, the bot processes, their databases and their memory (not a test).

The fake is tests/fakes/telegram.py's ``FakeTelegram``, unchanged, with two notes taken on top:
when its webhook courier starts each POST (a message's arrival at the bot) and when each message
to a chat came in (a reply), which also wakes the simulated teacher waiting for it.
"""

from __future__ import annotations

import asyncio
import io
import math
import os
import platform
import signal
import socket
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeTelegram, Files, Json  # noqa: E402

# The tests' PostgreSQL (tests/conftest.py), where each run gets a database of its own.
PG_ADMIN_DSN = os.environ.get(
    "TUANLE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-webhook-secret_0123456789"  # noqa: S105 - the fake's webhook secret
CLK = os.sysconf("SC_CLK_TCK")
BUSY_CORES = 0.25  # the rest of the machine above this share of a core: the run is marked busy


# -- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Cores, CPU model, Python, SQLite and PostgreSQL versions, for the top of RESULTS.md."""
    model = "unknown"
    with Path("/proc/cpuinfo").open(encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "host": platform.node(),
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": f"{_mem_total_mb() / 1024:.1f} GB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": asyncio.run(_pg_version()),
    }


def _mem_total_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _pg_version() -> str:
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()
    except Exception as error:  # a version line, not a reason to stop
        return f"not reachable ({type(error).__name__})"


# -- the CPU of the rest of the machine ------------------------------------------------------


def _machine_busy_ticks() -> int:
    """Every core's non-idle ticks since boot (/proc/stat's first line, less idle and iowait)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in fields[:8]]
    return sum(values) - values[3] - values[4]


def process_ticks(pid: int) -> int:
    """A process's own user and system ticks (not its children's); 0 once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    after = stat.rsplit(")", 1)[1].split()
    return int(after[11]) + int(after[12])


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found: list[int] = []
        for task in tasks:
            text = (task / "children").read_text().split()
            found += [int(c) for c in text]
        return found
    except OSError:
        return []


def tree(pid: int) -> list[int]:
    """The process and every descendant alive now."""
    found = [pid]
    for child in _children(pid):
        found += tree(child)
    return found


class RestCpu:
    """The CPU the machine used outside the bench's own process tree, between start and stop.

    The tree is this process and its descendants, sampled every half second: a descendant that
    ends keeps the ticks it had at its last sample (at most half a second of it is lost, and
    counted as the rest's: the error is on the side of calling a run busy).
    """

    def __init__(self) -> None:
        self._last: dict[int, int] = {}
        self._own = 0
        self._start_busy = 0
        self._start = 0.0
        self._task: asyncio.Task[None] | None = None

    def _sample(self) -> None:
        for pid in tree(os.getpid()):
            ticks = process_ticks(pid)
            self._own += max(0, ticks - self._last.get(pid, 0))
            self._last[pid] = ticks

    def start(self) -> None:
        self._last = {pid: process_ticks(pid) for pid in tree(os.getpid())}
        self._own = 0
        self._start_busy = _machine_busy_ticks()
        self._start = time.monotonic()
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self._sample()

    async def stop(self) -> dict[str, float]:
        """The rest's CPU in cores (1.0: one core busy all along) and the bench's own."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._sample()
        wall = max(1e-6, time.monotonic() - self._start)
        busy = _machine_busy_ticks() - self._start_busy
        rest = max(0, busy - self._own)
        return {
            "rest_cores": round(rest / CLK / wall, 3),
            "own_cores": round(self._own / CLK / wall, 3),
            "measured_s": round(wall, 2),
        }


# -- the fake Bot API, with times --------------------------------------------------------------


@dataclass
class Seen:
    """One message to a chat, as the fake received it."""

    at: float
    method: str
    text: str
    markup: Json | None
    message_id: int


@dataclass
class ChatLog:
    """A chat's messages from the bot, and the event that wakes its teacher."""

    messages: list[Seen] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class TimedTelegram(FakeTelegram):
    """The fake Bot API, noting when each webhook POST starts and each chat message comes in."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: dict[int, float] = {}  # update_id -> when its (last) POST started
        self.chats: dict[int, ChatLog] = {}
        self.api_calls = 0

    def chat(self, chat_id: int) -> ChatLog:
        log = self.chats.get(chat_id)
        if log is None:
            log = self.chats[chat_id] = ChatLog()
        return log

    async def _post(self, hook: Json, update: Json) -> int:
        self.posted[int(update["update_id"])] = time.monotonic()
        return await super()._post(hook, update)

    async def _call(self, method: str, params: Json, files: Files) -> Any:
        self.api_calls += 1
        before = len(self.sent)
        result = await super()._call(method, params, files)
        now = time.monotonic()
        for sent in self.sent[before:]:
            log = self.chat(sent.chat_id)
            seen = Seen(now, sent.method, sent.text, sent.reply_markup, sent.message_id)
            log.messages.append(seen)
            log.arrived.set()
        return result


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    """A distinct JPEG the size of a phone picture sent compressed (about 20 KB)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, ((seed * 40) % 256, (seed * 90) % 256, (seed * 150) % 256))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 16):
        draw.line((x, 0, size[0] - x, size[1]), fill=((x * 7 + seed) % 256, 200, 90), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


# -- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env() -> dict[str, str]:
    """The environment for a bot process: none of the caller's ``BOT__`` settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}


async def spawn(*args: str, log: Path | None = None) -> asyncio.subprocess.Process:
    """Starts a process with this Python; its output into ``log`` (or nowhere)."""
    out: Any = asyncio.subprocess.DEVNULL
    if log is not None:
        out = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            *args, env=child_env(), stdout=out, stderr=out, cwd=str(ROOT)
        )
    finally:
        if log is not None:
            out.close()


async def wait_ready(
    process: asyncio.subprocess.Process,
    fake: TimedTelegram,
    url: str,
    within: float = 120,
    log: Path | None = None,
) -> float:
    """Seconds until the process answers ``url`` over HTTP and has set its webhook; an error
    with the end of its ``log`` when it ends or never gets there."""
    try:
        return await _ready(process, fake, url, within)
    except RuntimeError as error:
        said = _tail(log) if log is not None else ""
        raise RuntimeError(f"{error}; its output ended with:\n{said}") from None


def _tail(log: Path) -> str:
    """The end of a process's output file, or nothing when it wrote none."""
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return ""


async def _ready(
    process: asyncio.subprocess.Process, fake: TimedTelegram, url: str, within: float
) -> float:
    started = time.monotonic()
    async with aiohttp.ClientSession() as http:
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"the process ended with {process.returncode} before ready")
            if fake.webhook is not None:
                try:
                    async with http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as answer:
                        await answer.read()
                        return time.monotonic() - started
                except (aiohttp.ClientError, TimeoutError):
                    pass
            if time.monotonic() - started > within:
                raise RuntimeError(f"not ready after {within} s")
            await asyncio.sleep(0.02)


async def stop(process: asyncio.subprocess.Process, within: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not ended ``within`` seconds."""
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), within)
    except TimeoutError:
        process.kill()
        await process.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of a process now, in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the bot's configuration and database -----------------------------------------------------


def our_config(
    directory: Path,
    fake: FakeTelegram,
    port: int,
    database_url: str,
    *,
    spacing: bool = True,
    send_rate: float | None = None,
) -> Path:
    """A ``tuanle.toml`` for ``tuanle run`` in webhook mode against the fake.

    ``spacing``: Telegram's per-chat pace as the product ships it (3 at once, then 1 a second);
    off, a chat gets 1,000 a second. ``send_rate``: the per-bot limit (default, the product's 30).
    """
    lines = [
        "[database]",
        f'url = "{database_url}"',
        "[evidence]",
        f'directory = "{directory / "evidence"}"',
        "[campaign]",
        "year = 2023",
        "[log]",
        'level = "WARNING"',
        f'file = "{directory / "bot.log"}"',
        "[web]",
        f"port = {port}",
        "[telegram]",
        f'token = "{fake.token}"',
        f'api_base = "{fake.base_url}"',
        'mode = "webhook"',
        f'webhook_url = "http://127.0.0.1:{port}/telegram/webhook"',
        f'webhook_secret = "{SECRET}"',
    ]
    if not spacing:
        lines += ["per_chat_per_second = 1000", "per_chat_burst = 100"]
    if send_rate is not None:
        lines.append(f"messages_per_second = {send_rate}")
    config = directory / "tuanle.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def our_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), "run"]


def echo_command(fake: FakeTelegram, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.echo_bot",
        "--api",
        fake.base_url,
        "--token",
        fake.token,
        "--port",
        str(port),
        "--secret",
        SECRET,
    ]


class Database:
    """A fresh database for one run: a SQLite file, or a PostgreSQL database dropped after."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.name = f"tuanle_bench_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            self.url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
        else:
            base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            self.url = f"{base}/{self.name}"

    async def create(self) -> None:
        if self.backend == "postgres":
            await _pg_admin(f'CREATE DATABASE "{self.name}"')

    async def drop(self) -> None:
        if self.backend == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


async def _pg_admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def seed_units(config: Path, count: int) -> list[str]:
    """``count`` schools, each with an invite code, in the bot's database (migrated first)."""
    from bot.app import build
    from bot.config import load_settings
    from handlers.join import create_invite

    app = await build(load_settings(config))
    codes: list[str] = []
    now = datetime.now(UTC)
    try:
        async with app.uows() as uow:
            for n in range(count):
                unit = await uow.units.add(f"BENCH-{n:05d}", f"Trường số {n}", "school", None, now)
                codes.append(await create_invite(uow, unit, "reporter", 30, 5, now))
            await uow.commit()
    finally:
        await app.close()
    return codes


def quiet_logs() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (0 < share <= 1); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered) - 1e-9))
    return ordered[min(len(ordered), rank) - 1]
