"""kill -9 at random points of a whole Telegram report: nothing lost, nothing doubled.

The bot runs as a real ``tuanle run`` process against the fake Bot API; the test kills it with
SIGKILL at random moments while the teacher keeps sending, restarts it, and at the end compares
the database with what the teacher sent. A final SIGTERM must stop it cleanly.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import signal
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build
from bot.config import load_settings
from bot.domain.loader import load_campaigns
from handlers import messages as say
from storage.models import AnswerChange, Conversation
from tests.conftest import add_unit, photo
from tests.conversation.helpers import stored_answers, stored_report, walk_answers
from tests.e2e.bot_process import start_bot, write_config
from tests.fakes.telegram import FakeTelegram

TEACHER = 4242
KILLS = 4


def _write_config(tmp_path: Path, tg: FakeTelegram) -> Path:
    return write_config(
        tmp_path, f'[telegram]\ntoken = "{tg.token}"\napi_base = "{tg.base_url}"\n[web]\nport = 0'
    )


async def _see_question(tg: FakeTelegram, before: int) -> None:
    """Waits until a new message with buttons (a question) is on the teacher's screen."""
    await tg.wait_for(
        lambda: (
            len(tg.messages_to(TEACHER)) > before
            and tg.messages_to(TEACHER)[-1].reply_markup is not None
        ),
        timeout=30,
    )


def _asks_which_row(tg: FakeTelegram) -> bool:
    asked = say.CONFIRM_ROW.split("{text}")[1]
    return tg.messages_to(TEACHER)[-1].text.endswith(asked)


def _press_label_starting(tg: FakeTelegram, prefix: str) -> None:
    message = tg.messages_to(TEACHER)[-1]
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    data = next(b["callback_data"] for b in buttons if b["text"].startswith(prefix))
    tg.press_button(TEACHER, message.message_id, data)


async def test_kill_9_at_random_points_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(20231002)
    async with FakeTelegram() as tg:
        config = _write_config(tmp_path, tg)
        settings = load_settings(config)
        app = await build(settings)
        code = await add_unit(app)
        await app.close()

        script, expected = walk_answers(load_campaigns()[2023], run_every_group=True)
        expected["nominations:done"] = 1  # "không": no commendation nominations
        messages = [f"/start {code}", *script]
        kill_at = set(rng.sample(range(1, len(messages)), KILLS))
        process = await start_bot(config)
        try:
            for index, text in enumerate(messages):
                before = len(tg.messages_to(TEACHER))
                tg.send_text(TEACHER, text)
                if index in kill_at:
                    await asyncio.sleep(rng.uniform(0.0, 0.5))
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                    process = await start_bot(config)
                # The teacher answers the question she sees: the next answer waits for it (an
                # answer sent before is read against the question before it, by design).
                # Her screen shows the question once its message (the one with buttons) is in;
                # an acknowledgement sent just before it is not yet the question.
                await _see_question(tg, before)
                if _asks_which_row(tg):
                    # A kill between Telegram's OK and the "sent" mark: the bot cannot know she
                    # saw the question she answered, so it asks which row her answer is for.
                    # She answered the question on her screen: she says so, as anyone would.
                    before = len(tg.messages_to(TEACHER))
                    _press_label_starting(tg, say.ROW_CHOICE_HERE.split("{")[0])
                    await _see_question(tg, before)
            photos = [photo(11), photo(12), photo(13)]
            for data in photos:
                tg.send_photo(TEACHER, data, media_group_id="album-k")
            for text in ("bỏ qua", "bỏ qua", "bỏ qua", "không", "gửi báo cáo"):
                tg.send_text(TEACHER, text)

            app = await build(settings)
            try:
                for _ in range(600):
                    async with app.uows() as uow:
                        step = (
                            await uow.session.execute(
                                select(Conversation.step).where(
                                    Conversation.user_id == str(TEACHER)
                                )
                            )
                        ).scalar_one_or_none()
                    if step == "submitted":
                        break
                    await asyncio.sleep(0.1)
                assert step == "submitted"
                report = await stored_report(app)
                assert await stored_answers(app, report) == expected
                async with app.uows() as uow:
                    per_key = await uow.session.execute(
                        select(AnswerChange.key, func.count()).group_by(AnswerChange.key)
                    )
                    doubled = {key: n for key, n in per_key.all() if n != 1}
                    evidence = await uow.reports.evidence(report.id)
                assert doubled == {}
                assert sorted(e.sha256 for e in evidence) == sorted(
                    hashlib.sha256(p).hexdigest() for p in photos
                )
            finally:
                await app.close()

            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert tg.dropped_pending is False
