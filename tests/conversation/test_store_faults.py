"""The evidence store failing under a photo: a disk or path fault is a handler's failure, set
aside after three tries with the person told, so their next message is answered; a network
blip of the store is waited out, and a slow photo retried after it gets one "please wait"."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import App
from bot.domain.chat import Attachment
from bot.engine import Engine, EvidenceLimits
from bot.engine.core import Retry
from bot.platforms.memory import MemoryChat, MemoryFiles
from handlers import messages as say
from storage.files import LocalFileStore
from tests.conftest import FixedClock, photo

FAST_RETRY = Retry(first=0.01, cap=0.05)


class SlowFiles(MemoryFiles):
    """A platform's file server that answers after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        await asyncio.sleep(self.seconds)
        return photo(7)


class BlippingStore(LocalFileStore):
    """A network-mounted store whose first write is cut off, as a dropped NFS link is."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.writes = 0

    async def put(self, data: bytes, *, sha256: str, extension: str) -> str:
        self.writes += 1
        if self.writes == 1:
            raise ConnectionResetError(104, "Connection reset by peer")
        return await super().put(data, sha256=sha256, extension=extension)


async def _teacher(engine: Engine, invite: str) -> MemoryChat:
    await engine.start()
    teacher = MemoryChat(engine, user_id="tg-3131")
    await teacher.send(f"/start {invite}")
    return teacher


async def test_an_evidence_directory_under_a_file_sets_the_photo_aside_and_the_next_is_answered(
    app: App, clock: FixedClock, invite: str, tmp_path: Path
) -> None:
    (tmp_path / "not-a-directory").write_bytes(b"a file where the evidence folder should be")
    store = LocalFileStore(tmp_path / "not-a-directory" / "evidence")
    engine = Engine(app.uows, app.engine.campaign, store, clock=clock, retry=FAST_RETRY)
    teacher = await _teacher(engine, invite)

    replies = await asyncio.wait_for(teacher.send_file(photo(3), kind="photo"), timeout=60)

    assert [r.text for r in replies] == [say.INTERNAL_ERROR]
    again = await asyncio.wait_for(teacher.send("3/10"), timeout=60)
    assert again and say.INTERNAL_ERROR not in [r.text for r in again]
    async with app.uows() as uow:
        assert await uow.inbox.pending(teacher.platform, limit=10) == []


async def test_a_store_network_blip_is_waited_out_and_a_slow_photo_gets_one_please_wait(
    app: App, clock: FixedClock, invite: str, tmp_path: Path
) -> None:
    store = BlippingStore(tmp_path / "evidence")
    limits = EvidenceLimits(slow_notice_after=0.2, fetch_timeout=5.0)
    engine = Engine(
        app.uows, app.engine.campaign, store, clock=clock, limits=limits, retry=FAST_RETRY
    )
    teacher = await _teacher(engine, invite)
    teacher.files = SlowFiles(0.5)

    replies = await asyncio.wait_for(teacher.send_file(b"not read", kind="photo"), timeout=60)

    texts = [r.text for r in replies]
    assert store.writes == 2  # fetched twice, stored on the second try
    assert say.INTERNAL_ERROR not in texts
    assert texts.count(say.FILE_SLOW) == 1
    assert any("Đã nhận ảnh minh chứng 1/" in t for t in texts)
