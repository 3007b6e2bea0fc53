"""A file that takes long to fetch: the person is told once to wait, and a fetch past the
deadline is a refusal with the same question, never an internal error."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.domain.chat import Attachment
from bot.engine import Engine, EvidenceLimits
from bot.platforms.memory import MemoryChat, MemoryFiles
from handlers import messages as say
from tests.conftest import FixedClock, photo

# Scaled down from 5 s and 60 s so the test is quick; the rule is the same.
LIMITS = EvidenceLimits(slow_notice_after=0.2, fetch_timeout=1.0)


class SlowFiles(MemoryFiles):
    """A platform's file server that answers after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        await asyncio.sleep(self.seconds)
        return photo(7)


async def _joined_teacher(app: App, clock: FixedClock, invite: str) -> MemoryChat:
    engine = Engine(app.uows, app.engine.campaign, app.files, clock=clock, limits=LIMITS)
    await engine.start()
    teacher = MemoryChat(engine, user_id="tg-3003")
    await teacher.send(f"/start {invite}")
    return teacher


async def test_a_slow_file_gets_one_please_wait_then_its_acknowledgement(
    app: App, clock: FixedClock, invite: str
) -> None:
    teacher = await _joined_teacher(app, clock, invite)
    teacher.files = SlowFiles(0.5)

    replies = await teacher.send_file(b"not read: the fetcher answers", kind="photo")

    texts = [r.text for r in replies]
    assert texts[0] == say.FILE_SLOW
    assert texts.count(say.FILE_SLOW) == 1
    assert any("Đã nhận ảnh minh chứng 1/" in t for t in texts)


async def test_a_file_past_the_deadline_is_refused_with_the_same_question(
    app: App, clock: FixedClock, invite: str
) -> None:
    teacher = await _joined_teacher(app, clock, invite)
    question = teacher.last_reply().text
    teacher.files = SlowFiles(30)

    replies = await teacher.send_file(b"never arrives", kind="photo")

    texts = [r.text for r in replies]
    assert say.INTERNAL_ERROR not in texts
    assert texts[0] == say.FILE_SLOW
    assert all("Đã nhận ảnh" not in t for t in texts)
    assert texts[-1] == question
