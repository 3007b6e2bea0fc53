"""The terminal chat with a group's rows in one line each (issue 10, item 6): a unit that ran
five of the eleven groups files its report in a real ``tuanle chat`` process in at most 30
messages, and ``tuanle reports show`` reads back exactly what was sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.domain.loader import load_campaigns
from tests.conftest import photo
from tests.conversation.helpers import NOT_RUN_GROUPS, compact_walk_answers


def _tuanle(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_half_run_unit_files_group_by_group_in_the_terminal_chat(tmp_path: Path) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    paths = []
    for seed in (1, 2, 3):
        path = tmp_path / f"anh{seed}.jpg"
        path.write_bytes(photo(seed))
        paths.append(path)
    campaign = load_campaigns()[2023]
    # A line is a message in the terminal: a group's rows are separated by ";".
    script, expected = compact_walk_answers(campaign, not_run=NOT_RUN_GROUPS, joiner="; ")
    lines = [*script, *(f"/anh {path}" for path in paths), "bỏ qua phần đánh giá", "không", "1"]
    chat = _tuanle(["chat"], tmp_path, "\n".join(lines) + "\n")
    assert chat.returncode == 0, chat.stderr
    assert "Đã lưu 13 mục: 1.1, 1.2" in chat.stdout
    assert "tổng" in chat.stdout and "(tự tính)" in chat.stdout
    assert "Số tiếp nhận: TL23-" in chat.stdout
    print(f"messages typed in the terminal, six groups not run, rows grouped: {len(lines)}")
    assert len(lines) <= 30, len(lines)

    shown = _tuanle(["reports", "show", "DEMO-THCS"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    for key, value in expected.items():
        assert f"  {key} = {value!r}" in shown.stdout, key
