"""``tuanle calendar remind`` and ``tuanle calendar announce``: /remind and /announce from the
command line, run as an admin runs them (a subprocess on the same database), with the counts the
chat gives, asking before sending and refusing to send unasked without a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import AuditEntry, OutboxMessage, ReminderLog
from tests.calendar.test_sending import JOINED, a_commune


def tuanle(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as an admin types it, with no terminal on its input."""
    command = [sys.executable, "-m", "bot", "--config", str(config), *args]
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120, stdin=subprocess.DEVNULL
    )


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "tuanle.toml"
    path.write_text(
        f'[database]\nurl = "{database_url}"\n[campaign]\nyear = 2023\n'
        f'[log]\nfile = "{tmp_path / "log.txt"}"\n'
        f'[evidence]\ndirectory = "{tmp_path / "evidence"}"\n',
        encoding="utf-8",
    )
    return path


async def notices(app: App) -> dict[str, list[str]]:
    """The messages queued by the commands, by the person they go to."""
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "notice").order_by(OutboxMessage.id)
        )
        by_user: dict[str, list[str]] = {}
        for row in rows.scalars():
            by_user.setdefault(row.user_id or "", []).append(row.payload["text"])
        return by_user


async def test_remind_without_yes_and_without_a_terminal_shows_the_count_and_sends_nothing(
    app: App, config: Path
) -> None:
    await a_commune(app)  # THCS-02: thay-binh, and co-hoa who blocked the bot

    shown = tuanle(config, "calendar", "remind")

    assert shown.returncode == 1, shown.stderr
    assert "Sẽ nhắc 2 đơn vị chưa gửi báo cáo thuộc UBND xã Kim Long: 2 người nhận." in (
        shown.stdout
    )
    assert "1 người đã chặn bot" in shown.stdout
    assert "chưa nhập mục nào" in shown.stdout  # an example of what they would read
    assert "--yes" in shown.stderr
    assert await notices(app) == {}


async def test_remind_with_yes_reminds_the_units_still_missing_once_each(
    app: App, config: Path
) -> None:
    units = await a_commune(app)
    async with app.uows() as uow:
        report = await uow.reports.open_for(app.engine.campaign_id, units.school, JOINED)
        report.status = "submitted"
        await uow.commit()

    done = tuanle(config, "calendar", "remind", "THCS-02", "--yes")

    assert done.returncode == 0, done.stderr
    assert "Đã gửi lời nhắc tới 1 người của 1 đơn vị." in done.stdout
    got = await notices(app)
    assert list(got) == ["thay-binh"] and "Trường THCS Kim Hoa" in got["thay-binh"][0]
    async with app.uows() as uow:
        lines = (await uow.session.execute(select(ReminderLog.status))).scalars().all()
        audit = (await uow.session.execute(select(AuditEntry.action))).scalars().all()
    assert sorted(lines) == ["queued", "skipped_unreachable"]  # co-hoa is counted apart
    assert "calendar.remind" in audit


async def test_announce_to_a_unit_with_yes_reaches_its_members_only(
    app: App, config: Path
) -> None:
    await a_commune(app)

    done = tuanle(config, "calendar", "announce", "Họp lúc 14h", "--unit", "THCS-01", "--yes")

    assert done.returncode == 0, done.stderr
    assert "Đã gửi thông báo tới 1 người." in done.stdout
    got = await notices(app)
    assert list(got) == ["co-lan"] and "Họp lúc 14h" in got["co-lan"][0]
    unknown = tuanle(config, "calendar", "announce", "Họp", "--unit", "KHONG-CO", "--yes")
    assert unknown.returncode == 2 and "KHONG-CO" in unknown.stderr


async def test_at_a_terminal_it_asks_and_sends_only_on_yes(app: App, config: Path) -> None:
    await a_commune(app)

    declined = at_terminal(config, "n\n", "calendar", "announce", "Họp lúc 14h")
    assert "Thông báo sau sẽ gửi tới 3 người" in declined and "Chưa gửi gì." in declined
    assert await notices(app) == {}

    accepted = at_terminal(config, "y\n", "calendar", "announce", "Họp lúc 14h")
    assert "Đã gửi thông báo tới 3 người." in accepted
    assert sorted(await notices(app)) == ["admin-xa", "co-lan", "thay-binh"]


def at_terminal(config: Path, answer: str, *args: str) -> str:
    """Runs the command with a terminal on its input, typing ``answer``; what it printed."""
    command = [sys.executable, "-m", "bot", "--config", str(config), *args]
    leader, follower = pty.openpty()
    try:
        os.write(leader, answer.encode())
        ran = subprocess.run(
            command, stdin=follower, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        os.close(leader)
        os.close(follower)
    return ran.stdout + ran.stderr
