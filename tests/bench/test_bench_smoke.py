"""The benchmark command runs end to end: one teacher against each bot, a table written.

No figure is checked (timing belongs in bench/, never in a test): only that the command a
reader is told to run finishes and writes the rush table with both bots' rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_command_walks_one_teacher_against_both_bots_and_writes_the_table(
    tmp_path: Path,
) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            "rush",
            "--k",
            "1",
            "--cap",
            "5",
            "--repeat",
            "1",
            "--no-busy-retry",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = out.read_text(encoding="utf-8")
    assert "## Deadline rush" in results
    assert "| teachers at once | echo bot, messages/s | this bot, messages/s |" in results
    assert "| 1 | echo |" in results and "| 1 | this bot |" in results
    assert "Machine:" in results
