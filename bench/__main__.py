"""Every benchmark in one command, written to bench/RESULTS.md (not a test).

    .venv/bin/python -m bench [--quick] [--only rush|footprint|fanout|export] [--repeat N]
        [--k 1,10] [--cap SECONDS] [--profile] [--out bench/RESULTS.md]

The deadline rush (bench/rush.py: this bot and a bare aiogram echo bot, one after the other,
row by row, repeated; medians), the footprint (bench/footprint.py), the reminder fan-out
(bench/fanout.py) and the export (bench/export.py), each figure beside its baseline from the
same run. For every run the CPU the rest of the machine used meanwhile is noted; a run during
which it used more than a quarter of a core is marked busy and run once more (the quieter of
the two is kept, both are listed). ``--quick``: a smoke run of a few minutes (small K, one
repeat, short runs, small fan-out and export). ``--profile``: py-spy samples this bot while the
rush runs (200 a second, on-CPU samples only; on a busy machine a thread waiting for a core
counts as on it); the samples go to bench/profile-<row>-r<N>.txt (py-spy's raw format: collapsed
stacks, which flame graph tools read) and the top functions and packages to
bench/profile-<row>-r<N>-top.txt; a busy run tried again overwrites its first try's. The notes
in bench/notes/*.md are copied into RESULTS.md as they are, under "Profile and fixes: before
and after".
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import footprint, rush
from bench.common import BUSY_CORES, ROOT, RestCpu, machine, quiet_logs

NOTES = ROOT / "bench" / "notes"


@dataclass(frozen=True)
class Row:
    """One line of the rush table."""

    teachers: int
    backend: str = "sqlite"
    spacing: bool = True
    send_rate: float | None = None  # None: the product's 30 a second per bot

    @property
    def label(self) -> str:
        label = str(self.teachers)
        if self.backend == "postgres":
            label += ", PostgreSQL"
        if self.send_rate is not None:
            label += f", send limit {self.send_rate:g}/s per bot"
        if not self.spacing:
            label += ", per-chat spacing off"
        return label

    @property
    def slug(self) -> str:
        slug = f"k{self.teachers}-{self.backend}" + ("" if self.spacing else "-nospacing")
        return slug + (f"-rate{self.send_rate:g}" if self.send_rate is not None else "")


# Issue 13's table; ``--k`` also reaches the rows of ALL_ROWS left out of a full run (time):
# 200 on SQLite, and 50 with both send limits lifted (what the bot itself can do: every reply
# is a send, so the product's 30 a second per bot bounds every row above).
FULL_ROWS = (
    Row(1),
    Row(10),
    Row(50),
    Row(50, spacing=False),
    Row(200, backend="postgres"),
)
ALL_ROWS = (
    *FULL_ROWS[:4],
    Row(50, spacing=False, send_rate=1000),
    Row(200),
    FULL_ROWS[4],
)
QUICK_ROWS = (Row(1), Row(10))


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def _busy(result: dict[str, Any]) -> bool:
    return float(result.get("rest_cores", 0.0)) > BUSY_CORES


BUSY_RETRIES = [1]  # --no-busy-retry sets 0


async def _measured(label: str, make: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Runs ``make()`` (a coroutine factory); once more when the machine was busy meanwhile or
    the run failed. The kept result (the quieter that worked) and every try, for the log."""
    tries: list[dict[str, Any]] = []
    for attempt in range(1 + BUSY_RETRIES[0]):
        try:
            result = await make()
        except Exception as error:  # one broken run is reported; the others still run
            result = {"error": f"{type(error).__name__}: {error}"[:2000]}
            say(f"{label}: FAILED {result['error']}")
        result["busy"] = _busy(result)
        result["try"] = attempt + 1
        tries.append(result)
        say(
            f"{label}: {_summary(result)}; rest of the machine {result.get('rest_cores', 0):.2f}"
            f" cores{' BUSY' if result['busy'] else ''}"
        )
        if not result["busy"] and "error" not in result:
            break
    worked = [t for t in tries if "error" not in t] or tries
    kept = min(worked, key=lambda r: float(r.get("rest_cores", 0.0)))
    return kept, tries


def _summary(result: dict[str, Any]) -> str:
    if "error" in result:
        return "failed: " + result["error"].splitlines()[0][:150].replace("|", "/")
    if "per_second" in result:
        return (
            f"{result['messages']} messages, {result['per_second']}/s, "
            f"p99 first {result['text_first_p99']} ms"
        )
    skip = {"busy", "try", "rest_cores", "own_cores", "measured_s", "teachers", "repeat"}
    shown = [
        f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"
        for key, value in result.items()
        if key not in skip and isinstance(value, int | float) and not isinstance(value, bool)
    ]
    return ", ".join(shown)[:200]


async def _with_cpu(coroutine: Any) -> dict[str, Any]:
    cpu = RestCpu()
    cpu.start()
    result: dict[str, Any] = await coroutine
    return {**result, **await cpu.stop()}


# -- the rush ---------------------------------------------------------------------------------


async def rush_all(
    rows: tuple[Row, ...], repeat: int, cap: float, profile: bool
) -> dict[str, Any]:
    """Every row, the echo bot then this bot, ``repeat`` times over; the runs kept and tried."""
    kept: dict[str, dict[str, list[dict[str, Any]]]] = {
        r.label: {"echo": [], "ours": []} for r in rows
    }
    log: list[dict[str, Any]] = []
    for n in range(repeat):
        for row in rows:
            for bot in ("echo", "ours"):
                out = None
                if profile and bot == "ours":
                    out = ROOT / "bench" / f"profile-{row.slug}-r{n + 1}.txt"
                spec = rush.RushRun(
                    bot,
                    row.teachers,
                    row.backend,
                    row.spacing,
                    cap=cap,
                    profile=out,
                    send_rate=row.send_rate,
                )
                label = f"rush {row.label} {bot} #{n + 1}"
                result, tries = await _measured(label, lambda spec=spec: rush.run(spec))
                kept[row.label][bot].append(result)
                log += [{"what": label, **t} for t in tries]
                if out is not None and out.exists():
                    top = out.with_name(out.stem + "-top.txt")
                    top.write_text(rush.top_functions(out), encoding="utf-8")
                    say(f"profile: {out.relative_to(ROOT)}, top functions {top.relative_to(ROOT)}")
    return {"rows": rows, "kept": kept, "log": log}


def _median(results: list[dict[str, Any]], key: str) -> float:
    """The median of a figure over runs; NaN when no run has it (no photo reached, say)."""
    values = [float(r[key]) for r in results if key in r]
    return statistics.median(values) if values else math.nan


# -- fan-out and export, as their own commands ------------------------------------------------


async def _command(*args: str, tmp: Path | None = None) -> tuple[str, float]:
    """Runs this Python with ``args``; its output and wall time. ``tmp``: its TMPDIR."""
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp is not None else None
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    text = out.decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{text[-2000:]}")
    return text, time.monotonic() - started


async def fanout_run(members: int) -> dict[str, Any]:
    """``python -m bench.fanout --members N --no-record``: its printed figures."""
    text, wall = await _command("-m", "bench.fanout", "--members", str(members), "--no-record")
    figures: dict[str, Any] = {"command": f"python -m bench.fanout --members {members}"}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            figures[key.strip()] = _number(value.strip())
    figures["run_s"] = round(wall, 1)
    return figures


BUILD_EXPORT_DB = (
    "import asyncio, sys; from pathlib import Path; import bench.export as e; "
    "asyncio.run(e.build(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))"
)


def _number(text: str) -> Any:
    """A printed figure as a number when it is one."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


async def export_run(units: int, evidence: int) -> dict[str, Any]:
    """``bench/export.py --units U --evidence E`` on a fresh database: its printed lines.

    The database is built beforehand in a process of its own: export.py would build it in the
    process that then starts each measured step, and on Linux a child's peak memory
    (``ru_maxrss``) starts from its parent's resident memory when it was started.
    """
    with tempfile.TemporaryDirectory(prefix="tuanle-bench-export-") as directory:
        db = Path(directory) / "province.sqlite3"
        await _command("-c", BUILD_EXPORT_DB, str(db), str(units), str(evidence))
        args = ["bench/export.py", "--units", str(units), "--evidence", str(evidence)]
        # export.py leaves its workbooks in a folder of its own under TMPDIR: under ours.
        text, wall = await _command(*args, "--db", str(db), tmp=Path(directory))
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("built")]
    figures: dict[str, Any] = {
        "command": f"python bench/export.py --units {units} --evidence {evidence}",
        "lines": lines,
        "run_s": round(wall, 1),
    }
    for line in lines:
        found = re.search(r"load ([\d.]+) s, write ([\d.]+) s\), peak (\d+) MB", line)
        if found:
            figures["load_s"], figures["write_s"] = float(found[1]), float(found[2])
            figures["peak_mb"] = int(found[3])
        found = re.search(r"same cells, (\w+): ([\d.]+) s .* peak (\d+) MB", line)
        if found:
            figures[f"direct_{found[1]}_s"] = float(found[2])
            figures[f"direct_{found[1]}_peak_mb"] = int(found[3])
    return figures


# -- RESULTS.md -------------------------------------------------------------------------------


def _ms(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _ratio(ours: float, base: float) -> str:
    return f"{ours / base:.3f}" if base else "–"


def rush_section(data: dict[str, Any], cap: float, repeat: int) -> list[str]:
    rows: tuple[Row, ...] = data["rows"]
    kept = data["kept"]
    out = [
        "## Deadline rush\n\n",
        "Each teacher sends the 47 messages of a whole 2023 report (the invite, every count row"
        " with every group run, 3 photos of 640×480, a narrative, 3 button presses) and her next"
        " one when the bot's reply is in (this bot: its next question; the echo bot: the echo)."
        " Webhook POSTs from the fake Bot API (at most 40 at once, one at a time per chat) to a"
        " real process: `tuanle run` (webhook mode, a fresh database per run, the product's send"
        " limits: 30 a second per bot; per chat 3 at once then 1 a second unless the row says"
        " spacing off) or bench/echo_bot.py (aiogram's Dispatcher and webhook handler, echoing)."
        f" Medians of {repeat} run(s) per bot and row, the bots alternating. A run stops sending"
        f" new messages after {cap:g} s; a row marked “capped” counts what was answered by"
        " then. Times are from the start of a message's webhook POST to the reply; first reply"
        " is the first message to the chat after it, last reply the next question.\n\n",
        "| teachers at once | echo bot, messages/s | this bot, messages/s | ratio "
        "| echo p99 | this bot's p99 to first reply (texts, presses) | photos: p99 first reply "
        "| capped |\n",
        "|---|---|---|---|---|---|---|---|\n",
    ]
    for row in rows:
        echo, ours = kept[row.label]["echo"], kept[row.label]["ours"]
        e_rate, o_rate = _median(echo, "per_second"), _median(ours, "per_second")
        capped = "yes" if any(r.get("capped") for r in echo + ours) else "no"
        busy = " (busy)" if any(r.get("busy") for r in echo + ours) else ""
        out.append(
            f"| {row.label}{busy} | {e_rate:,.1f} | {o_rate:,.1f} | {_ratio(o_rate, e_rate)} "
            f"| {_ms(_median(echo, 'text_first_p99'))} "
            f"| {_ms(_median(ours, 'text_first_p99'))} "
            f"| {_ms(_median(ours, 'photo_first_p99'))} | {capped} |\n"
        )
    out += [
        "\nIn detail (medians; texts and presses / photos; first reply → last reply):\n\n",
        "| teachers at once | bot | messages | p50 | p95 | p99 | photos p50 | photos p99 "
        "| walks done | the bot's CPU: cores, ms a message |\n",
        "|---|---|---|---|---|---|---|---|---|---|\n",
    ]
    for row in rows:
        for bot in ("echo", "ours"):
            runs = kept[row.label][bot]
            cells = []
            for share in (50, 95, 99):
                first = _median(runs, f"text_first_p{share}")
                last = _median(runs, f"text_last_p{share}")
                cells.append(f"{_ms(first)} → {_ms(last)}")
            for share in (50, 99):
                first = _median(runs, f"photo_first_p{share}")
                last = _median(runs, f"photo_last_p{share}")
                cells.append(f"{_ms(first)} → {_ms(last)}")
            name = "echo" if bot == "echo" else "this bot"
            out.append(
                f"| {row.label} | {name} | {_median(runs, 'messages'):,.0f} | "
                + " | ".join(cells)
                + f" | {_median(runs, 'walks_done'):.0f} of {row.teachers}"
                f" | {_median(runs, 'bot_cores'):.2f}, {_median(runs, 'cpu_ms_per_message'):.1f}"
                " |\n"
            )
    return out


def targets_section(rush_data: dict[str, Any] | None, fp: dict[str, Any] | None) -> list[str]:
    """Issue 13's targets, and where this run stands."""
    lines = ["## Targets (issue 13)\n\n", "| target | this run | met |\n|---|---|---|\n"]

    def row(label: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        if rush_data is None or label not in rush_data["kept"]:
            return None
        found = rush_data["kept"][label]
        return found["echo"], found["ours"]

    k50 = row("50")
    if k50:
        echo, ours = k50
        ratio = _median(ours, "per_second") / max(1e-9, _median(echo, "per_second"))
        p99 = _median(ours, "text_first_p99")
        lines.append(
            f"| K = 50, SQLite: ≥ 0.5× the echo bot's messages/s | {ratio:.3f}× "
            f"| {'yes' if ratio >= 0.5 else 'no'} |\n"
        )
        lines.append(
            f"| K = 50, SQLite: p99 to first reply < 100 ms (texts, presses) "
            f"| {_ms(p99)} | {'yes' if p99 < 100 else 'no'} |\n"
        )
    k1 = row("1")
    if k1:
        p99 = _median(k1[1], "text_first_p99")
        lines.append(
            f"| one teacher alone: p99 to her reply < 100 ms | {_ms(p99)} "
            f"| {'yes' if p99 < 100 else 'no'} |\n"
        )
    pg = row("200, PostgreSQL")
    if pg and k50:
        ratio = _median(pg[1], "per_second") / max(1e-9, _median(k50[1], "per_second"))
        lines.append(
            f"| PostgreSQL at K = 200 within 0.7× of SQLite at 50 (messages/s) "
            f"| {ratio:.3f}× | {'yes' if ratio >= 0.7 else 'no'} |\n"
        )
    if fp:
        idle = fp["ours"]["idle_mb"] - fp["echo"]["idle_mb"]
        ready = fp["ours"]["ready_s"] - fp["echo"]["ready_s"]
        lines.append(
            f"| idle memory within 20 MB of the echo bot's | {idle:+.0f} MB "
            f"| {'yes' if idle <= 20 else 'no'} |\n"
        )
        lines.append(
            f"| start to ready no slower than the echo bot | {ready:+.2f} s "
            f"| {'yes' if ready <= 0 else 'no'} |\n"
        )
    return lines if len(lines) > 2 else []


async def footprint_all(repeat: int, teachers: int) -> dict[str, Any]:
    """Starts each bot ``repeat`` times (alternating); the memory mid-walk on the first."""
    kept: dict[str, list[dict[str, Any]]] = {"echo": [], "ours": []}
    log: list[dict[str, Any]] = []
    for n in range(repeat):
        for bot in ("echo", "ours"):
            walkers = teachers if n == 0 else 0
            label = f"footprint {bot} #{n + 1}"
            result, tries = await _measured(
                label, lambda bot=bot, w=walkers: _with_cpu(footprint.run(bot, w))
            )
            kept[bot].append(result)
            log += [{"what": label, **t} for t in tries]
    medians = {
        bot: {key: _median(runs, key) for key in ("ready_s", "idle_mb", "mid_walk_mb", "walk_s")}
        | {
            "ready_range": (
                min((r["ready_s"] for r in runs if "ready_s" in r), default=math.nan),
                max((r["ready_s"] for r in runs if "ready_s" in r), default=math.nan),
            ),
            "busy": any(r["busy"] for r in runs),
        }
        for bot, runs in kept.items()
    }
    return {**medians, "teachers": teachers, "repeat": repeat, "log": log}


def footprint_section(fp: dict[str, Any]) -> list[str]:
    echo, ours = fp["echo"], fp["ours"]
    busy = " (busy)" if echo["busy"] or ours["busy"] else ""
    lo_e, hi_e = echo["ready_range"]
    lo_o, hi_o = ours["ready_range"]
    return [
        f"## Footprint{busy}\n\n",
        f"Medians of {fp['repeat']} start(s) of each bot, alternating. Start to ready: spawn"
        " until the webhook is set with the fake and the process answers HTTP (this bot:"
        " `/healthz`, on a migrated database). Idle: resident memory 3 s after ready."
        f" Mid-walk: {fp['teachers']:,} teachers half-way through the report (one walked 20"
        " answers through the bot, her rows copied in the database to the others), each then"
        " sending her next answer at once; the memory once every reply is in (the echo bot"
        " gets the same messages).\n\n",
        "| figure | echo bot | this bot | ratio |\n|---|---|---|---|\n",
        f"| start to ready | {echo['ready_s']:.2f} s ({lo_e:.2f}–{hi_e:.2f}) "
        f"| {ours['ready_s']:.2f} s ({lo_o:.2f}–{hi_o:.2f}) "
        f"| {_ratio(ours['ready_s'], echo['ready_s'])} |\n",
        f"| resident memory, idle | {echo['idle_mb']:.0f} MB | {ours['idle_mb']:.0f} MB "
        f"| {_ratio(ours['idle_mb'], echo['idle_mb'])} |\n",
        f"| resident memory, {fp['teachers']:,} teachers mid-walk | {echo['mid_walk_mb']:.0f} MB "
        f"| {ours['mid_walk_mb']:.0f} MB | {_ratio(ours['mid_walk_mb'], echo['mid_walk_mb'])} |\n",
        f"| their {fp['teachers']:,} messages answered in | {echo['walk_s']:.1f} s "
        f"| {ours['walk_s']:.1f} s | {_ratio(ours['walk_s'], echo['walk_s'])} |\n",
    ]


def _failed(title: str, result: dict[str, Any]) -> list[str]:
    return [f"## {title}\n\n", "The run failed:\n\n```\n", result["error"], "\n```\n"]


def fanout_section(result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return _failed("Reminder fan-out", result)
    busy = " (busy)" if result.get("busy") else ""
    skip = ("command", "busy", "try", "rest_cores", "own_cores", "measured_s")
    keys = [k for k in result if k not in skip]
    lines = [
        f"## Reminder fan-out{busy}\n\n",
        f"`{result['command']}` (bench/fanout.py: one reminder to every member through the"
        " outbox, against a fake Bot API that answers 429 above 30 a second). Baseline: the"
        " limit itself (30 a second; target ≥ 0.95 of it), no duplicates, no losses.\n\n",
        "| figure | value |\n|---|---|\n",
    ]
    lines += [f"| {key} | {result[key]} |\n" for key in keys]
    return lines


def export_section(result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return _failed("Export", result)
    busy = " (busy)" if result.get("busy") else ""
    lines = [
        f"## Export{busy}\n\n",
        f"`{result['command']}` (bench/export.py: the official table of a province's reports"
        " by `load_subtree` + `write_xlsx`, against the same cells written directly with"
        " openpyxl's write-only workbook, each in a fresh process).\n\n",
    ]
    if "load_s" in result and "direct_plain_s" in result:
        whole = result["load_s"] + result["write_s"]
        lines += [
            "| figure | export | direct write, plain | direct write, styled |\n",
            "|---|---|---|---|\n",
            f"| time | {whole:.1f} s (load {result['load_s']:.1f}, write"
            f" {result['write_s']:.1f}) | {result['direct_plain_s']:.1f} s"
            f" | {result.get('direct_styled_s', 0):.1f} s |\n",
            f"| peak memory | {result['peak_mb']} MB | {result['direct_plain_peak_mb']} MB"
            f" | {result.get('direct_styled_peak_mb', 0)} MB |\n",
            f"| write_xlsx ÷ direct styled"
            f" | {_ratio(result['write_s'], result.get('direct_styled_s', 0))} | | |\n\n",
        ]
    lines += ["As printed:\n\n```\n", *[f"{line}\n" for line in result["lines"]], "```\n"]
    return lines


def runs_section(log: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Every run, and the CPU the rest of the machine used meanwhile\n\n",
        f"A run is busy when the rest of the machine used more than {BUSY_CORES:g} of a core"
        " (from /proc/stat, less this benchmark's own process tree); a busy run was run once"
        " more and the quieter kept.\n\n",
        "| run | try | wall | rest of the machine, cores | the bench's tree, cores | busy "
        "| figures |\n|---|---|---|---|---|---|---|\n",
    ]
    for entry in log:
        lines.append(
            f"| {entry['what']} | {entry.get('try', 1)} | {entry.get('measured_s', 0):.1f} s"
            f" | {entry.get('rest_cores', 0):.2f} | {entry.get('own_cores', 0):.2f}"
            f" | {'busy' if entry.get('busy') else ''} | {_summary(entry)} |\n"
        )
    return lines


def notes_section() -> list[str]:
    notes = sorted(NOTES.glob("*.md")) if NOTES.is_dir() else []
    lines = ["## Profile and fixes: before and after\n\n"]
    if not notes:
        return [*lines, "(No notes in bench/notes/ yet.)\n"]
    for note in notes:
        lines += [f"<!-- bench/notes/{note.name} -->\n", note.read_text(encoding="utf-8"), "\n"]
    return lines


def write_results(path: Path, parts: dict[str, Any], argv: list[str], took: float) -> None:
    info = parts["machine"]
    lines = [
        "# Benchmarks\n\n",
        f"Written by `python -m bench {' '.join(argv)}`".rstrip() + f" on"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, in {took / 60:.1f} minutes.\n\n",
        f"Machine: {info['host']}, {info['cores']} cores ({info['cpu']}), {info['memory']},"
        f" {info['os']}; Python {info['python']}, SQLite {info['sqlite']},"
        f" PostgreSQL {info['postgresql']}.\n\n",
    ]
    if parts.get("quick"):
        lines.append(
            "**A quick run** (`--quick`): small sizes, for checking the command;"
            " not figures to quote.\n\n"
        )
    sections: list[list[str]] = []
    if "rush" in parts or "footprint" in parts:
        targets = targets_section(parts.get("rush"), parts.get("footprint"))
        if targets:
            sections.append(targets)
    if "rush" in parts:
        sections.append(rush_section(parts["rush"], parts["cap"], parts["repeat"]))
    if "footprint" in parts:
        sections.append(footprint_section(parts["footprint"]))
    if "fanout" in parts:
        sections.append(fanout_section(parts["fanout"]))
    if "export" in parts:
        sections.append(export_section(parts["export"]))
    sections.append(notes_section())
    sections.append(runs_section(parts["log"]))
    for section in sections:
        lines += ["\n", *section]
    path.write_text("".join(lines), encoding="utf-8")


async def main_async(args: argparse.Namespace, argv: list[str]) -> None:
    started = time.monotonic()
    quick = args.quick
    rows = QUICK_ROWS if quick else FULL_ROWS
    if args.k:
        wanted = {int(k) for k in args.k.split(",")}
        rows = tuple(r for r in ALL_ROWS if r.teachers in wanted)
    repeat = args.repeat or (1 if quick else 3)
    cap = args.cap or (10.0 if quick else 25.0)
    only = args.only
    parts: dict[str, Any] = {"quick": quick, "cap": cap, "repeat": repeat, "log": []}
    say("the machine")
    parts["machine"] = await asyncio.to_thread(machine)
    if only in (None, "rush"):
        parts["rush"] = await rush_all(rows, repeat, cap, args.profile)
        parts["log"] += parts["rush"]["log"]
    if only in (None, "footprint"):
        parts["footprint"] = await footprint_all(min(repeat, 3), 100 if quick else 1000)
        parts["log"] += parts["footprint"]["log"]
    if only in (None, "fanout"):
        members = 500 if quick else 5000
        kept, tries = await _measured(f"fanout {members}", lambda: _with_cpu(fanout_run(members)))
        parts["fanout"] = kept
        parts["log"] += [{"what": f"fanout {members}", **t} for t in tries]
    if only in (None, "export"):
        units, evidence = (1000, 3000) if quick else (10_000, 30_000)
        kept, tries = await _measured(
            f"export {units}", lambda: _with_cpu(export_run(units, evidence))
        )
        parts["export"] = kept
        parts["log"] += [{"what": f"export {units}", **t} for t in tries]
    out = Path(args.out)
    write_results(out, parts, argv, time.monotonic() - started)
    say(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--only", choices=["rush", "footprint", "fanout", "export"])
    parser.add_argument("--repeat", type=int, default=0, help="runs per bot and row (3; 1 quick)")
    parser.add_argument("--k", default="", help="only these rush rows, e.g. 1,50")
    parser.add_argument(
        "--cap", type=float, default=0.0, help="seconds a rush run sends (25; 10 quick)"
    )
    parser.add_argument("--profile", action="store_true", help="this bot under py-spy in the rush")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument(
        "--no-busy-retry", action="store_true", help="mark a busy run, do not run it again"
    )
    args = parser.parse_args()
    if args.no_busy_retry:
        BUSY_RETRIES[0] = 0
    quiet_logs()
    asyncio.run(main_async(args, sys.argv[1:]))


if __name__ == "__main__":
    main()
