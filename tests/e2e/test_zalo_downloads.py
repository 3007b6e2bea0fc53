"""Hostile photo URLs on Zalo, end to end: the fake Zalo server hands the bot image events whose
`photo_url` points at a second loopback server of ours that misbehaves (HTML instead of a photo,
404, a redirect to a private address, a body that trickles, a redirect loop), and an event of
another kind carrying a photo URL. Each time the teacher gets a refusal and the same question
again, and nothing is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App
from bot.platforms.download import DownloadPolicy
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from handlers.messages import EVIDENCE_REFUSALS
from tests.conftest import add_unit, photo
from tests.conversation.helpers import stored_report
from tests.e2e.test_zalo import TEACHER, ZaloTeacher
from tests.fakes.zalo import FakeZalo

REFUSAL_NOT_SUPPORTED = EVIDENCE_REFUSALS["not_supported"]
REFUSAL_UNAVAILABLE = EVIDENCE_REFUSALS["unavailable"]
REFUSAL_UNAVAILABLE_SLOW = EVIDENCE_REFUSALS["unavailable_slow"]

FIRST_QUESTION = "Lễ khai mạc"
# As in production but for the fake's http on loopback; a short deadline for the slow body.
POLICY = DownloadPolicy(
    hosts=("zdn.vn",), allow_http=True, allow_private=True, deadline_seconds=2.0
)


class Hostile:
    """A loopback media server whose every route misbehaves; counts what it was asked."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.base = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits.append(name)
        if name == "page.jpg":
            return web.Response(
                text="<html><body>Đăng nhập</body></html>", content_type="text/html"
            )
        if name == "to-private.jpg":
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/iam/")
        if name == "loop.jpg":
            raise web.HTTPFound("/media/loop.jpg")
        if name == "slow.jpg":
            response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
            await response.prepare(request)
            data = photo(9)
            for start in range(0, len(data), 16):
                await response.write(data[start : start + 16])
                await asyncio.sleep(1.0)
            return response
        if name == "good.jpg":
            return web.Response(body=photo(4), content_type="image/jpeg")
        raise web.HTTPNotFound()


@pytest.fixture
async def hostile() -> AsyncIterator[Hostile]:
    server = Hostile()
    app = web.Application()
    app.router.add_get("/media/{name}", server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.base = f"http://127.0.0.1:{runner.addresses[0][1]}/media"
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def teacher(app: App) -> AsyncIterator[ZaloTeacher]:
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url, media=POLICY)
        adapter = ZaloAdapter(app.engine, client, sender=ZaloSender(client, per_second=1000))
        await adapter.start()
        task = asyncio.create_task(adapter.poll(poll_seconds=1))
        try:
            person = ZaloTeacher(zl, adapter)
            await person.say(await add_unit(app))
            yield person
        finally:
            adapter.stop()
            await task
            await adapter.close()


async def _send(teacher: ZaloTeacher, event_name: str, url: str) -> list[str]:
    before = len(teacher.zl.messages_to(TEACHER))
    teacher.zl.send_event(event_name, TEACHER, {"photo_url": url, "message_type": "CHAT_PHOTO"})
    await teacher.settle(before)
    return [m.text for m in teacher.zl.messages_to(TEACHER)[before:]]


def _files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".")]


async def _nothing_stored(app: App, directory: Path) -> None:
    async with app.uows() as uow:
        assert await uow.reports.evidence((await stored_report(app)).id) == []
    assert _files_in(directory) == []


@pytest.mark.parametrize(
    ("route", "refusal"),
    [
        ("page.jpg", REFUSAL_NOT_SUPPORTED),  # a login page where the photo should be
        ("missing.jpg", REFUSAL_UNAVAILABLE),
        ("to-private.jpg", REFUSAL_UNAVAILABLE),
        ("loop.jpg", REFUSAL_UNAVAILABLE),
        ("slow.jpg", REFUSAL_UNAVAILABLE_SLOW),
    ],
)
async def test_a_hostile_photo_url_gets_a_refusal_and_the_same_question(
    app: App, teacher: ZaloTeacher, hostile: Hostile, route: str, refusal: str
) -> None:
    replies = await _send(teacher, "message.image.received", f"{hostile.base}/{route}")
    assert replies[0] == refusal
    assert FIRST_QUESTION in replies[-1]
    assert hostile.hits[0] == route
    assert "169.254.169.254" not in " ".join(hostile.hits)
    await _nothing_stored(app, app.settings.evidence.directory)
    # The walk is where it was: the next photo is taken as the first one.
    replies = await _send(teacher, "message.image.received", f"{hostile.base}/good.jpg")
    assert "1/3" in replies[0]


async def test_a_photo_url_in_an_event_that_is_not_an_image_is_never_fetched(
    app: App, teacher: ZaloTeacher, hostile: Hostile
) -> None:
    for kind in ("message.sticker.received", "message.unsupported.received", "message.link"):
        replies = await _send(teacher, kind, f"{hostile.base}/good.jpg")
        assert "chữ, số hoặc ảnh" in replies[0]
        assert FIRST_QUESTION in replies[-1]
    assert hostile.hits == []
    await _nothing_stored(app, app.settings.evidence.directory)
