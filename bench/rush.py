"""The deadline rush: K teachers at once, each filing the whole 2023 template (not a test).

Each simulated teacher sends the 47 messages of tests/e2e/test_telegram.py's whole report (the
invite, every count row of the 2023 template with every group run, 3 photos, a narrative, skip
the evaluation, no nominations, submit) to the fake Bot API (``TimedTelegram``), whose webhook
courier POSTs each update to the bot under test, one at a time per chat, at most 40 at once (as
Telegram does). She sends her next message when the bot's reply to the last one is in: from this
bot, the message that asks the next question (the one with buttons; for the last press, the
receipt); from the echo bot, its echo. The bot is a real process: ``tuanle run`` in webhook mode
on its own database (SQLite, or a fresh PostgreSQL database), or bench/echo_bot.py.

Per run: messages handled per second (every message from the first POST to the last reply),
and for texts and button presses apart from photos the p50/p95/p99 time from a message's arrival
(the start of its webhook POST) to its first reply and to its last reply (the question). A run
stops sending new messages after ``cap`` seconds: what was answered by then is counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    CLK,
    ROOT,
    Database,
    RestCpu,
    TimedTelegram,
    echo_command,
    free_port,
    our_command,
    our_config,
    percentile,
    photo,
    process_ticks,
    rss_mb,
    seed_units,
    spawn,
    stop,
    wait_ready,
)

FIRST_TEACHER = 50_000_001
STEP_TIMEOUT = 120.0  # a reply this late means the run is broken, not slow
NARRATIVE = "Tổ chức đủ các hoạt động."
PRESSES = ("Bỏ qua phần đánh giá", "Không có", "Gửi báo cáo")
RECEIPT = "Số tiếp nhận"


@dataclass(frozen=True)
class Step:
    """One message a teacher sends: a text, a press of the button with this label, a photo."""

    kind: str  # "text", "press", "photo"
    text: str = ""
    data: bytes = b""


def whole_report() -> list[Step]:
    """The 46 messages after the invite: every row of the 2023 template, 3 photos, submit."""
    from bot.domain.loader import load_campaigns
    from tests.conversation.helpers import walk_answers

    script, _ = walk_answers(load_campaigns()[2023], run_every_group=True)
    steps = [Step("text", text) for text in script]
    steps += [Step("photo", data=photo(seed)) for seed in (1, 2, 3)]
    steps.append(Step("text", NARRATIVE))
    steps += [Step("press", label) for label in PRESSES]
    return steps


@dataclass
class Timing:
    """One message: its kind, arrival to first reply and to last reply, in seconds."""

    kind: str
    first: float
    last: float
    done_at: float


@dataclass
class Teacher:
    """One person at her phone, walking the report against the bot under test."""

    fake: TimedTelegram
    user_id: int
    steps: list[Step]
    ours: bool
    deadline: float
    timings: list[Timing] = field(default_factory=list)
    error: str | None = None

    async def walk(self) -> None:
        try:
            for step in self.steps:
                if time.monotonic() > self.deadline:
                    return
                await self._one(step, last=step.kind == "press" and step.text == PRESSES[-1])
        except Exception as error:  # a broken walk is reported, not raised
            self.error = f"{type(error).__name__}: {error}"

    async def _one(self, step: Step, *, last: bool) -> None:
        log = self.fake.chat(self.user_id)
        before = len(log.messages)
        log.arrived.clear()
        update_id = self._send(step)
        answer = await self._wait(before, last=last)
        posted = self.fake.posted[update_id]
        first = log.messages[before].at
        kind = "photo" if step.kind == "photo" else "text"
        self.timings.append(Timing(kind, first - posted, answer.at - posted, answer.at))

    def _send(self, step: Step) -> int:
        if step.kind == "photo":
            return self.fake.send_photo(self.user_id, step.data)
        if step.kind == "text":
            return self.fake.send_text(self.user_id, step.text)
        messages = self.fake.chat(self.user_id).messages
        if not self.ours:  # the echo bot shows no buttons: a press of the echoed message
            target = messages[-1].message_id if messages else 1
            return self.fake.press_button(self.user_id, target, f"b:{step.text}"[:64])
        shown = next(m for m in reversed(messages) if m.markup is not None)
        buttons = [b for row in shown.markup["inline_keyboard"] for b in row]  # type: ignore[index]
        data = next(b["callback_data"] for b in buttons if b["text"] == step.text)
        return self.fake.press_button(self.user_id, shown.message_id, data)

    async def _wait(self, before: int, *, last: bool) -> Any:
        """The reply that lets her go on: the next question (or the receipt), or the echo."""
        log = self.fake.chat(self.user_id)
        give_up = time.monotonic() + STEP_TIMEOUT
        while True:
            for message in log.messages[before:]:
                if not self.ours:
                    return message
                if (RECEIPT in message.text) if last else message.markup is not None:
                    return message
            remaining = give_up - time.monotonic()
            if remaining <= 0:
                said = [m.text[:60] for m in log.messages[before:]]
                raise TimeoutError(f"no reply in {STEP_TIMEOUT} s; got {said}")
            log.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(log.arrived.wait(), remaining)


@dataclass
class RushRun:
    """What one run is: which bot, how many teachers, which database, the per-chat pace."""

    bot: str  # "echo" or "ours"
    teachers: int
    backend: str = "sqlite"
    spacing: bool = True
    send_rate: float | None = None  # the bot's send limit a second; None: the product's 30
    cap: float = 60.0
    profile: Path | None = None


def figures(teachers: list[Teacher], started: float) -> dict[str, Any]:
    """Messages a second and the latency percentiles (ms) of a run's teachers."""
    timings = [t for teacher in teachers for t in teacher.timings]
    result: dict[str, Any] = {"messages": len(timings)}
    if timings:
        span = max(t.done_at for t in timings) - started
        result["per_second"] = round(len(timings) / span, 2) if span > 0 else 0.0
    else:
        result["per_second"] = 0.0
    for kind in ("text", "photo"):
        chosen = [t for t in timings if t.kind == kind]
        result[f"{kind}_count"] = len(chosen)
        if not chosen:
            continue
        for edge in ("first", "last"):
            values = [getattr(t, edge) * 1000 for t in chosen]
            for share in (50, 95, 99):
                result[f"{kind}_{edge}_p{share}"] = round(percentile(values, share / 100), 1)
    done = sum(1 for teacher in teachers if len(teacher.timings) == len(teacher.steps))
    result["walks_done"] = done
    result["errors"] = [teacher.error for teacher in teachers if teacher.error][:3]
    return result


async def run(spec: RushRun) -> dict[str, Any]:
    """One run: a fresh database and bot process, the teachers at once; its figures."""
    directory = Path(tempfile.mkdtemp(prefix=f"tuanle-rush-{spec.bot}-"))
    database = Database(spec.backend, directory)
    process = spy = None
    try:
        async with TimedTelegram() as fake:
            port = free_port()
            if spec.bot == "ours":
                await database.create()
                config = our_config(
                    directory,
                    fake,
                    port,
                    database.url,
                    spacing=spec.spacing,
                    send_rate=spec.send_rate,
                )
                codes = await seed_units(config, spec.teachers)
                command = our_command(config)
                ready_url = f"http://127.0.0.1:{port}/healthz"
            else:
                codes = [f"ECHO{n:05d}" for n in range(spec.teachers)]
                command = echo_command(fake, port)
                ready_url = f"http://127.0.0.1:{port}/telegram/webhook"
            process = await spawn(*command, log=directory / "process.log")
            ready = await wait_ready(process, fake, ready_url, log=directory / "process.log")
            walk = whole_report()
            bot_pid = process.pid
            if spec.profile is not None and spec.bot == "ours":
                spy = await spawn(*_py_spy(bot_pid, spec.profile), log=directory / "py-spy.log")
                await asyncio.sleep(1.0)  # attached
            bot_ticks = process_ticks(bot_pid)
            cpu = RestCpu()
            cpu.start()
            started = time.monotonic()
            deadline = started + spec.cap
            teachers = [
                Teacher(
                    fake,
                    FIRST_TEACHER + n,
                    [Step("text", f"/start {codes[n]}"), *walk],
                    spec.bot == "ours",
                    deadline,
                )
                for n in range(spec.teachers)
            ]
            await asyncio.gather(*(teacher.walk() for teacher in teachers))
            bot_cpu = (process_ticks(bot_pid) - bot_ticks) / CLK
            load = await cpu.stop()
            rss = rss_mb(bot_pid)
            if spy is not None:  # py-spy writes its file when interrupted
                spy.send_signal(signal.SIGINT)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(spy.wait(), 60)
            await stop(process)
            result = figures(teachers, started)
            result |= {
                "ready_s": round(ready, 2),
                "rss_mb": round(rss, 1),
                "capped": any(len(t.timings) < len(t.steps) for t in teachers),
                "steps": len(walk) + 1,
                "bot_cores": round(bot_cpu / max(1e-6, load["measured_s"]), 3),
                "cpu_ms_per_message": round(1000 * bot_cpu / max(1, result["messages"]), 1),
                **load,
            }
            return result
    finally:
        for started_here in (spy, process):
            if started_here is not None:
                await stop(started_here)
        await database.drop()
        shutil.rmtree(directory, ignore_errors=True)


def _py_spy(pid: int, out: Path) -> list[str]:
    """py-spy sampling the running bot (on-CPU samples only, 200 a second)
    into ``out``, in its raw (collapsed stacks) format, until interrupted."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install -e '.[bench]'")
    out.parent.mkdir(parents=True, exist_ok=True)
    return [
        spy,
        "record",
        "--format",
        "raw",
        "--rate",
        "200",
        "-o",
        str(out),
        "--pid",
        str(pid),
    ]


def top_functions(raw: Path, count: int = 30) -> str:
    """The functions taking most of the samples of a py-spy raw (collapsed) profile.

    Where the samples were (the innermost frame: self time) and what was on the stack
    (inclusive time), by package (sqlalchemy, aiosqlite, bot, asyncio…) and by function, each as
    a share of every sample. A sample inside C code (sqlite3 itself, say) counts for the Python
    function that called it.
    """
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    own_package: dict[str, int] = {}
    inclusive_package: dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = [_frame(f) for f in stack.split(";") if " (" in f]
        if not frames:
            continue
        own[frames[-1][0]] = own.get(frames[-1][0], 0) + n
        own_package[frames[-1][1]] = own_package.get(frames[-1][1], 0) + n
        for name in {name for name, _ in frames}:
            inclusive[name] = inclusive.get(name, 0) + n
        for package in {package for _, package in frames}:
            inclusive_package[package] = inclusive_package.get(package, 0) + n
    lines = [f"{total} on-CPU samples\n"]
    for title, table, shown in (
        ("self, by package (where the CPU was)", own_package, 15),
        ("inclusive, by package (on the stack)", inclusive_package, 15),
        ("self, by function", own, count),
        ("inclusive, by function", inclusive, count),
    ):
        lines.append(f"\n{title}:\n")
        for name, n in sorted(table.items(), key=lambda kv: -kv[1])[:shown]:
            lines.append(f"{n / max(1, total):7.1%}  {name}\n")
    return "".join(lines)


def _frame(frame: str) -> tuple[str, str]:
    """``function (path/to/file.py:line)`` as ``function (file within its package)``, and the
    package (the first folder, or the module of a single-file one: ``selectors``)."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    if "site-packages/" in where:
        where = where.split("site-packages/", 1)[1]
    elif where.startswith(str(ROOT) + "/"):
        where = where.removeprefix(str(ROOT) + "/")
    else:
        where = re.sub(r"^.*/python3\.\d+/", "", where)
    package = where.split("/", 1)[0].removesuffix(".py")
    return f"{name} ({where})", package
