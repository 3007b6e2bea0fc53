"""An admin at the terminal (``tuanle chat``) asks for /status and /export and is told where
each file the bot made lies, to open it there: the jobs run in the terminal chat too."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from handlers import messages as say

FILE_LINE = re.compile(r"📎 (?P<name>\S+): (?P<path>/\S+)")


def _tuanle(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
        check=False,
    )


def test_an_admin_at_the_terminal_gets_the_paths_of_the_chart_and_the_export(
    tmp_path: Path,
) -> None:
    commune = ["units", "add", "XA-01", "Xã Kim Long", "--kind", "commune"]
    assert _tuanle(commune, tmp_path).returncode == 0
    school = ["units", "add", "THCS-01", "Trường THCS Kim Long", "--parent", "XA-01"]
    assert _tuanle(school, tmp_path).returncode == 0
    code = _tuanle(["invite", "XA-01", "--role", "admin"], tmp_path).stdout.split()[0]
    chat = _tuanle(["chat"], tmp_path, stdin=f"/start {code}\n/status\n/export\n")
    assert chat.returncode == 0, chat.stderr
    files = {m["name"]: Path(m["path"]) for m in FILE_LINE.finditer(chat.stdout)}
    assert sorted(name.rsplit(".", 1)[1] for name in files) == [
        "csv",
        "docx",
        "png",
        "xlsx",
        "zip",
    ], chat.stdout
    by_ending = {name.rsplit(".", 1)[1]: path for name, path in files.items()}
    assert by_ending["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for ending in ("xlsx", "docx", "zip"):
        assert zipfile.is_zipfile(io.BytesIO(by_ending[ending].read_bytes())), ending
    assert by_ending["csv"].read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert say.JOB_FAILED not in chat.stdout and "Traceback" not in chat.stdout + chat.stderr
