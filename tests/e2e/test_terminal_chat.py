"""The terminal chat as a newcomer uses it: a real ``tuanle chat`` process, answers piped in or
typed on a pseudo-terminal (Ctrl-C, Ctrl-D), photos given as file paths however they are
written, and then ``tuanle reports show`` reads back what was stored."""

from __future__ import annotations

import os
import re
import select
import shlex
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from bot.domain.loader import load_campaigns
from bot.platforms.console import find_file
from handlers import messages as say
from tests.conftest import photo
from tests.conversation.helpers import walk_answers

# Words of English that a crash or a library would print; the chat says none of them.
ENGLISH = ("Traceback", "Error", "quotation", "No such file", "KeyboardInterrupt")


def _tuanle(
    args: list[str], cwd: Path, stdin: str = "", home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
    if home is not None:
        env["HOME"] = str(home)
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
    # "không": no commendation nominations; "1": the numbered "Gửi báo cáo".
    lines += ["Tổ chức tốt.", "bỏ qua", "bỏ qua", "không", "1"]
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


def test_any_file_name_is_sent_and_a_missing_one_gets_a_note_in_vietnamese(
    tmp_path: Path,
) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    home = tmp_path / "nhà"
    (home / "Ảnh").mkdir(parents=True)
    apostrophe = tmp_path / "anh cô Lan's.jpg"
    quoted = home / "Ảnh" / 'ảnh "đẹp" nhất.jpg'
    both = tmp_path / "lễ 'khai mạc' \"2023\".jpg"
    for seed, path in enumerate((apostrophe, quoted, both), start=1):
        path.write_bytes(photo(seed))
    lines = [
        f"/anh {apostrophe}",  # unquoted: the apostrophe and the spaces are the name's
        '/ảnh ~/Ảnh/ảnh "đẹp" nhất.jpg',  # at home, with double quotes in the name
        shlex.quote(str(both)),  # a bare path, quoted as a terminal pastes a dropped file
        f"/anh {tmp_path}/không có.jpg",
        f"/anh '{tmp_path}/còn thiếu dấu nháy.jpg",
        f"/anh {tmp_path}",
        "/anh",
        "02/10",
    ]
    # A script saved with a byte-order mark, as Windows' Notepad does, and a stray NUL.
    script = "\ufeff" + "\n".join(lines).replace("02/10", "02/\x0010") + "\n"
    chat = _tuanle(["chat"], tmp_path, script, home=home)
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    for have in (1, 2, 3):
        assert say.PHOTO_RECEIVED.format(have=have, max=3) in out
    assert say.CHAT_NO_FILE.format(path=f"{tmp_path}/không có.jpg") in out
    assert say.CHAT_NO_FILE.format(path=f"'{tmp_path}/còn thiếu dấu nháy.jpg") in out
    assert say.CHAT_NOT_A_FILE.format(path=tmp_path) in out
    assert say.CHAT_FILE_USAGE in out
    # The chat went on after every bad name: the next answer was read and stored.
    assert "Mục 1/11" in out.split("02/10")[-1]
    assert out.rstrip().endswith(say.CHAT_BYE)
    assert not [word for word in ENGLISH if word in out + chat.stderr]
    shown = _tuanle(["reports", "show", "DEMO-THCS"], tmp_path)
    assert shown.stdout.count("minh chứng image/jpeg") == 3
    assert "  opening:date = '2023-10-02'" in shown.stdout


def test_a_file_is_found_however_its_name_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / "Ảnh tuần lễ"
    folder.mkdir()
    target = folder / "it's ảnh 1.jpg"
    target.write_bytes(b"x")
    nfd = folder / unicodedata.normalize("NFD", "Lễ khai mạc.jpg")
    nfd.write_bytes(b"x")
    written = {
        str(target): target,
        f'"{target}"': target,
        f"'{target}'": target,
        f"“{target}”": target,
        shlex.quote(str(target)): target,
        str(target).replace(" ", "\\ ").replace("'", "\\'"): target,
        "~/Ảnh tuần lễ/it's ảnh 1.jpg": target,
        "file://" + str(target).replace(" ", "%20").replace("'", "%27"): target,
        str(folder / "Lễ khai mạc.jpg"): nfd,  # typed composed, stored decomposed
    }
    for text, expected in written.items():
        assert find_file(text) == expected, text
    # Not files, and nothing raises: a folder, a missing name, an answer with a slash, a name
    # too long for the system, a NUL, an unclosed quote.
    for text in (str(folder), str(folder / "không.jpg"), "3/120", "a/" + "b" * 300, "x\0/y", "'a"):
        assert find_file(text) is None, text


class _Terminal:
    """``tuanle chat`` on a pseudo-terminal of its own, so ^C and ^D act as typed by a person."""

    # The child takes the terminal as its controlling one (so ^C signals it), then becomes
    # the chat: done in a fresh interpreter, never by forking this multi-threaded one.
    TAKE_TERMINAL = (
        "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "os.execv(sys.executable, [sys.executable, '-m', 'bot', 'chat'])"
    )

    def __init__(self, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}
        env.update(LANG="C.UTF-8", TERM="dumb")
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.TAKE_TERMINAL],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: str, *, after: str = "", within: float = 60.0) -> None:
        """Reads the screen until ``text`` appears (after ``after``); fails past ``within`` s."""
        deadline = time.monotonic() + within
        while after.encode() not in self.seen or text.encode() not in self._since(after):
            assert self._read(deadline - time.monotonic()), f"{text!r} never shown: {self.screen}"

    def _since(self, after: str) -> bytes:
        return self.seen.rpartition(after.encode())[2] if after else self.seen

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def exit_code(self, within: float = 30.0) -> int:
        """The exit code; a chat still running after ``within`` seconds is a failure."""
        try:
            code = self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the chat did not leave: {self.screen}")
        while self._read(1.0):
            pass
        return code

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the chat ended and closed the terminal
            return False
        self.seen += chunk
        return bool(chunk)

    @property
    def screen(self) -> str:
        return self.seen.decode(errors="replace").replace("\r\n", "\n")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


@pytest.mark.parametrize(("key", "code"), [("nửa dòng\x03", 130), ("\x04", 0)])
def test_ctrl_c_and_ctrl_d_leave_at_once_and_keep_the_answers(
    tmp_path: Path, key: str, code: int
) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    terminal = _Terminal(tmp_path)
    try:
        terminal.wait_for(say.CHAT_PROMPT)
        terminal.type("02/10\n")
        terminal.wait_for("Mục 1/11")
        terminal.type("không\n")
        terminal.wait_for(say.CHAT_PROMPT, after="Mục 2/11")
        terminal.type(key)  # at the prompt, waiting for a line: left without an Enter
        assert terminal.exit_code() == code
        screen = terminal.screen
    finally:
        terminal.close()
    assert screen.rstrip().endswith(say.CHAT_BYE)
    assert not [word for word in ENGLISH if word in screen]
    # A second start shows where the teacher stopped, before anything is typed.
    again = _tuanle(["chat"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Trường THCS Thực hành (dùng thử)" in again.stdout
    assert "Mục 2/11" in again.stdout
    if code:  # after a Ctrl-C, the answers themselves are read back too
        shown = _tuanle(["reports", "show", "DEMO-THCS"], tmp_path).stdout
        assert "  opening:date = '2023-10-02'" in shown and "  run:1 = 0" in shown


def test_a_choice_offered_before_leaving_is_not_read_from_a_number_after_the_restart(
    tmp_path: Path,
) -> None:
    (tmp_path / "tuanle.toml").write_text("[campaign]\nyear = 2023\n")
    first = _tuanle(["chat"], tmp_path, "02/10\n1.1\n1 200\n")
    assert "1. 1 lớp, 200 người" in first.stdout  # asked which reading, then the chat ends
    # The restart shows the plain question, so a "1" is an answer to it, not reading 1.
    again = _tuanle(["chat"], tmp_path, "1\n")
    assert "1. 1 lớp, 200 người" not in again.stdout
    # Nothing was stored: the same question is asked again after the "1" (an answer moves on).
    assert again.stdout.split(say.CHAT_PROMPT + "1")[-1].count("Mục 1/11 · 1.1") == 1
