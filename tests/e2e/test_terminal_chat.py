"""The terminal chat as a newcomer uses it: a real ``tuanle chat`` process, answers piped in,
photos given as file paths, and then ``tuanle reports show`` reads back what was stored."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.domain.loader import load_campaigns
from tests.conftest import photo
from tests.conversation.helpers import walk_answers


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


def test_a_newcomer_files_the_whole_2023_report_in_the_terminal_chat(tmp_path: Path) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    photos = []
    for seed in (1, 2, 3):
        path = tmp_path / f"anh {seed}.jpg"
        path.write_bytes(photo(seed))
        photos.append(path)
    script, expected = walk_answers(load_campaigns()[2023], run_every_group=True)
    lines = [*script, f"/anh '{photos[0]}'", str(photos[1]), f"/anh '{photos[2]}'"]
    lines += ["Tổ chức tốt.", "bỏ qua", "bỏ qua", "1"]  # "1": the numbered "Gửi báo cáo"
    chat = _tuanle(["chat"], tmp_path, "\n".join(lines) + "\n")
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert "Đơn vị dùng thử" in out and "Lễ khai mạc" in out
    assert "1. Có, ngày 02/10" in out and "Gõ số 1 hoặc 2 để chọn." in out
    assert "Đã nhận ảnh minh chứng 3/3" in out
    assert "Số tiếp nhận: TL23-" in out
    assert "Traceback" not in out + chat.stderr

    shown = _tuanle(["reports", "show", "DEMO-THCS"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "năm 2023: đã gửi (số tiếp nhận TL23-" in shown.stdout
    for key, value in expected.items():
        assert f"  {key} = {value!r}" in shown.stdout, key
    # The computed rows are shown and marked: group 1 adds up its rows, and the demo school
    # held its opening ceremony, so it counts once in 7.2 (schools) and not in 7.1 (districts).
    classes = sum(v for k, v in expected.items() if re.fullmatch(r"1\.\d+:quantity", k))
    assert classes > 0
    assert f"  1:quantity = {classes}  (tự tính)" in shown.stdout
    assert "  7.2:quantity = 1  (tự tính)" in shown.stdout
    assert "  7.1:quantity = 0  (tự tính)" in shown.stdout
    assert shown.stdout.count("minh chứng image/jpeg") == 3
    assert len(list((tmp_path / "data" / "evidence").rglob("*.jpg"))) == 3


def test_the_chat_resumes_where_the_teacher_stopped(tmp_path: Path) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    first = _tuanle(["chat"], tmp_path, "02/10\nkhông\n")
    assert "Mục 2/11" in first.stdout
    second = _tuanle(["chat"], tmp_path, "25\n")
    assert "Mục 3/11" in second.stdout
    shown = _tuanle(["reports", "show", "DEMO-THCS"], tmp_path)
    assert "  2:quantity = 25" in shown.stdout


def test_units_and_invites_are_managed_from_the_command_line(tmp_path: Path) -> None:
    commune = _tuanle(["units", "add", "XA-01", "UBND xã Hòa Bình", "--kind", "commune"], tmp_path)
    assert commune.returncode == 0, commune.stderr
    added = _tuanle(
        ["units", "add", "TH-01", "Trường Tiểu học Hòa Bình", "--parent", "XA-01"], tmp_path
    )
    assert added.returncode == 0, added.stderr
    listed = _tuanle(["units", "list"], tmp_path).stdout
    assert "TH-01\tschool\tXA-01\tTrường Tiểu học Hòa Bình" in listed
    invite = _tuanle(["invite", "TH-01"], tmp_path)
    code = invite.stdout.strip()
    assert len(code) == 19 and code.count("-") == 3
    missing = _tuanle(["invite", "NOPE"], tmp_path)
    assert missing.returncode == 2 and "không có đơn vị NOPE" in missing.stderr


def test_a_bad_setting_stops_the_start_with_the_key_named(tmp_path: Path) -> None:
    (tmp_path / "tuanle.toml").write_text('[database]\nurl = "mysql://x"\n')
    result = _tuanle(["chat"], tmp_path)
    assert result.returncode == 2
    assert "database.url" in result.stderr
