"""kill -9 in the middle of a Zalo report in webhook mode (the production mode): the fake
Zalo server keeps re-posting what was not acknowledged, so the restarted bot resumes at the same
question with nothing lost and nothing doubled."""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build
from bot.config import load_settings
from bot.domain.loader import load_campaigns
from handlers import messages as say
from storage.models import AnswerChange
from tests.conftest import add_unit, photo
from tests.conversation.helpers import stored_answers, stored_report, walk_answers
from tests.e2e.bot_process import free_port, start_bot, write_config
from tests.fakes.zalo import FakeZalo

TEACHER = "f0e1d2c3b4a5968778695a4b"
SECRET = "zalo-kill-test-secret-0123456789"


def _write_config(tmp_path: Path, zl: FakeZalo, port: int, mode: str = "webhook") -> Path:
    return write_config(
        tmp_path,
        f"""[zalo]
token = "{zl.token}"
api_base = "{zl.base_url}"
mode = "{mode}"
webhook_url = "http://127.0.0.1:{port}/zalo/webhook"
webhook_secret = "{SECRET}"
media_allow_http = true
media_allow_private = true
[web]
port = {port}""",
    )


async def _see_question(zl: FakeZalo, before: int) -> None:
    """Waits until a new question is on the teacher's screen: a message ending with the hint
    line of the ways around it (an acknowledgement just before it is not the question), or
    the bot's question which row an answer is for."""
    await zl.wait_for(
        lambda: (
            len(zl.messages_to(TEACHER)) > before
            and (zl.messages_to(TEACHER)[-1].text.rstrip().endswith(")") or _asks_which_row(zl))
        ),
        timeout=30,
    )


def _asks_which_row(zl: FakeZalo) -> bool:
    asked = say.CONFIRM_ROW.split("{text}")[1]
    return asked in zl.messages_to(TEACHER)[-1].text


def _number_of_choice(zl: FakeZalo, template: str) -> str:
    """The number of the numbered line that starts like ``template``."""
    start = template.split("{")[0]
    for line in zl.messages_to(TEACHER)[-1].text.splitlines():
        number, dot, label = line.partition(". ")
        if dot and number.isdigit() and label.startswith(start):
            return number
    raise AssertionError("no such choice on the screen")


async def test_kill_9_mid_walk_on_zalo_loses_nothing_and_resumes(tmp_path: Path) -> None:
    rng = random.Random(20241003)
    async with FakeZalo() as zl:
        config = _write_config(tmp_path, zl, free_port())
        settings = load_settings(config)
        app = await build(settings)
        code = await add_unit(app)
        await app.close()

        script, expected = walk_answers(load_campaigns()[2023], run_every_group=False)
        messages = [code, *script]
        kill_at = set(rng.sample(range(1, len(messages)), 3))
        process = await start_bot(config)
        try:
            await zl.wait_for(lambda: zl.webhook is not None, timeout=30)
            for index, text in enumerate(messages):
                before = len(zl.messages_to(TEACHER))
                zl.send_text(TEACHER, text)
                if index in kill_at:
                    await asyncio.sleep(rng.uniform(0.0, 0.3))
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                    process = await start_bot(config)
                # The teacher answers the question she sees: the next answer waits for it (an
                # answer sent before is read against the question before it, by design).
                await _see_question(zl, before)
                if _asks_which_row(zl):
                    # A kill between Zalo's OK and the "sent" mark: the bot cannot know she saw
                    # the question she answered, so it asks which row her answer is for. She
                    # answered the question on her screen: she types that choice's number.
                    before = len(zl.messages_to(TEACHER))
                    zl.send_text(TEACHER, _number_of_choice(zl, say.ROW_CHOICE_HERE))
                    await _see_question(zl, before)
            for seed in (21, 22):
                zl.send_image(TEACHER, photo(seed))
            zl.send_text(TEACHER, "xong")
            await zl.wait_for(
                lambda: any("Đánh giá 1/3" in m.text for m in zl.messages_to(TEACHER)),
                timeout=60,
            )
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

        app = await build(settings)
        try:
            report = await stored_report(app)
            assert await stored_answers(app, report) == expected
            async with app.uows() as uow:
                per_key = await uow.session.execute(
                    select(AnswerChange.key, func.count()).group_by(AnswerChange.key)
                )
                assert {key: n for key, n in per_key.all() if n != 1} == {}
                assert len(await uow.reports.evidence(report.id)) == 2
        finally:
            await app.close()


async def test_a_second_poller_of_the_same_zalo_token_refuses_to_start(tmp_path: Path) -> None:
    async with FakeZalo() as zl:
        config = _write_config(tmp_path, zl, free_port(), mode="polling")
        first = await start_bot(config)
        try:
            await zl.wait_for(lambda: any(n == "getUpdates" for n, _ in zl.calls), timeout=30)
            config2 = tmp_path / "second.toml"
            config2.write_text(
                config.read_text(encoding="utf-8").replace(
                    f"port = {_port_of(config)}", "port = 0"
                ),
                encoding="utf-8",
            )
            second = await start_bot(config2, stderr=asyncio.subprocess.PIPE)
            _, err = await asyncio.wait_for(second.communicate(), timeout=60)
            assert second.returncode == 2
            assert "một tiến trình khác đang nhận tin Zalo" in err.decode()
            assert first.returncode is None  # the first one goes on
        finally:
            first.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(first.wait(), timeout=30) == 0


def _port_of(config: Path) -> str:
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("port = "):
            return line.removeprefix("port = ")
    raise AssertionError("no port")
