"""Files the bot makes reach people: Telegram gets the bytes as a document or a photo, Zalo gets
a picture by its link and a document as a line with its link, served by the bot's web app until
the link expires. Against the fake Telegram and Zalo servers and the real web app."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import aiohttp
import openpyxl
from aiohttp import web

from bot.app import App
from bot.artifacts import ArtifactStore
from bot.domain.chat import Reply
from bot.engine.core import Retry
from bot.engine.jobs import JobContext, JobRunner
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from bot.platforms.web import build_web_app
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from handlers import messages as say
from tests.conftest import FixedClock
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

TEACHER = 6161
ZALO_ADMIN = "f0e1d2c3b4a5968778695a4b"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE = b"PK\x03\x04 an official table"
CHART = b"\x89PNG\r\n\x1a\n a chart"
QUICK = Retry(first=0.05, cap=0.1)


@asynccontextmanager
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        tg.known_chats_only = False
        bot = make_bot(tg.token, tg.base_url)
        sender = TelegramSender(bot, artifacts=app.artifacts)
        adapter = TelegramAdapter(app.engine, bot, sender=sender, sweep_seconds=0.2, retry=QUICK)
        await adapter.start()
        try:
            yield tg
        finally:
            await adapter.close()


@asynccontextmanager
async def web_app(artifacts: ArtifactStore) -> AsyncIterator[str]:
    """The bot's web app on a free port; its address becomes the artifacts' public URL."""
    runner = web.AppRunner(build_web_app(artifacts=artifacts), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    artifacts.public_url = base
    try:
        yield base
    finally:
        await runner.cleanup()


@asynccontextmanager
async def zalo(artifacts: ArtifactStore, app: App) -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url)
        sender = ZaloSender(client, per_second=1000, artifacts=artifacts)
        adapter = ZaloAdapter(app.engine, client, sender=sender, sweep_seconds=0.2, retry=QUICK)
        await adapter.start()
        try:
            yield zl
        finally:
            await adapter.close()


async def test_telegram_gets_the_text_then_the_document_and_the_photo_as_uploads(
    app: App,
) -> None:
    table = await app.artifacts.put(TABLE, "Tổng hợp xã Kim Long 2023.xlsx", XLSX)
    chart = await app.artifacts.put(CHART, "bieu-do.png", "image/png", kind="photo")
    async with telegram(app) as tg:
        await app.engine.enqueue("telegram", str(TEACHER), Reply("Tệp", files=(table, chart)))
        await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) == 3)
        text, document, photo = tg.messages_to(TEACHER)
    assert (text.method, text.text) == ("sendMessage", "Tệp")
    assert (document.method, document.document, document.file_name) == (
        "sendDocument",
        TABLE,
        "Tổng hợp xã Kim Long 2023.xlsx",
    )
    assert (photo.method, photo.photo) == ("sendPhoto", CHART)


async def test_telegram_a_file_that_failed_is_sent_again_without_the_text_before_it(
    app: App,
) -> None:
    table = await app.artifacts.put(TABLE, "tong-hop.xlsx", XLSX)
    chart = await app.artifacts.put(CHART, "bieu-do.png", "image/png", kind="photo")
    async with telegram(app) as tg:
        tg.fail_next("sendDocument", status=500)
        await app.engine.enqueue("telegram", str(TEACHER), Reply("Tệp", files=(table, chart)))
        await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) == 3, timeout=15)
        tries = [name for name, _ in tg.calls if name.startswith("send")]
        sent = [(m.method, m.text) for m in tg.messages_to(TEACHER)]
    assert tries == ["sendMessage", "sendDocument", "sendDocument", "sendPhoto"]
    assert sent == [("sendMessage", "Tệp"), ("sendDocument", ""), ("sendPhoto", "")]


async def test_zalo_gets_a_picture_by_its_link_and_a_document_as_a_link_the_web_app_serves(
    app: App, clock: FixedClock
) -> None:
    artifacts = ArtifactStore(app.uows, app.files, clock, valid_hours=2, zone=app.zone)
    table = await artifacts.put(TABLE, "Tổng hợp Đà Nẵng.xlsx", XLSX)
    chart = await artifacts.put(CHART, "bieu-do.png", "image/png", kind="photo")
    async with web_app(artifacts) as base, zalo(artifacts, app) as zl:
        await app.engine.enqueue("zalo", ZALO_ADMIN, Reply("Tệp", files=(chart, table)))
        await zl.wait_for(lambda: len(zl.messages_to(ZALO_ADMIN)) == 3)
        text, picture, line = zl.messages_to(ZALO_ADMIN)
        assert (text.method, text.text) == ("sendMessage", "Tệp")
        assert picture.method == "sendPhoto" and picture.photo == f"{base}/f/{chart.token}"
        link = f"{base}/f/{table.token}"
        until = (clock.now() + timedelta(hours=2)).astimezone(app.zone)
        expires = say.FILE_EXPIRES_AT.format(time=until)
        assert (line.method, line.text) == (
            "sendMessage",
            say.FILE_LINK.format(name="Tổng hợp Đà Nẵng.xlsx", link=link, expires=expires),
        )
        async with aiohttp.ClientSession() as http:
            async with http.get(picture.photo or "") as response:
                assert response.status == 200 and await response.read() == CHART
                assert response.headers["Content-Type"] == "image/png"
                assert response.headers["Cache-Control"] == "private, no-store"
                assert response.headers["X-Content-Type-Options"] == "nosniff"
            async with http.get(link) as response:
                assert response.status == 200 and await response.read() == TABLE
                assert response.headers["Content-Type"] == XLSX
                disposition = response.headers["Content-Disposition"]
                assert disposition.startswith("attachment;")
                named = re.search(r"filename\*=UTF-8''(\S+)", disposition)
                assert named and unquote(named[1]) == "Tổng hợp Đà Nẵng.xlsx"
                assert 'filename="Tong hop Da Nang.xlsx"' in disposition
            async with http.head(link) as response:
                assert response.status == 200
            async with http.post(link) as response:
                assert response.status == 405
            async with http.get(f"{base}/f/{table.token[:-1]}x") as wrong:
                assert wrong.status == 404
                unknown = await wrong.read()
            clock.advance(hours=2, seconds=1)  # the links' time is up
            for url in (link, picture.photo or ""):
                async with http.get(url) as response:
                    assert response.status == 404 and await response.read() == unknown


async def test_zalo_without_a_public_address_is_told_where_the_file_is_never_a_broken_link(
    app: App,
) -> None:
    assert not app.artifacts.public_url
    chart = await app.artifacts.put(CHART, "bieu-do.png", "image/png", kind="photo")
    async with zalo(app.artifacts, app) as zl:
        await app.engine.enqueue("zalo", ZALO_ADMIN, Reply("Biểu đồ", files=(chart,)))
        await zl.wait_for(lambda: len(zl.messages_to(ZALO_ADMIN)) == 2)
        sent = [(m.method, m.text) for m in zl.messages_to(ZALO_ADMIN)]
    assert sent == [
        ("sendMessage", "Biểu đồ"),
        ("sendMessage", say.FILE_AT_SERVER.format(name="bieu-do.png")),
    ]


async def test_a_job_s_table_reaches_telegram_as_a_workbook_and_its_chart_reaches_zalo_by_link(
    app: App, clock: FixedClock
) -> None:
    async def export(ctx: JobContext) -> None:
        book = openpyxl.Workbook()
        sheet = book.worksheets[0]
        sheet["A1"] = "Tổng hợp số liệu"
        sheet["B2"] = 42
        path = ctx.workdir / "tong-hop.xlsx"
        book.save(path)
        table = await ctx.artifact(path, "Tổng hợp.xlsx", XLSX)
        chart = await ctx.artifact(CHART, "bieu-do.png", "image/png", kind="photo")
        await ctx.send(Reply("Tệp", files=(table, chart)))

    jobs = JobRunner(app.uows, app.engine, app.artifacts, app.files, app.settings, clock=clock)
    jobs.register("export", export)
    async with web_app(app.artifacts), telegram(app) as tg, zalo(app.artifacts, app) as zl:
        async with app.uows() as uow:
            for platform, chat in (("telegram", str(TEACHER)), ("zalo", ZALO_ADMIN)):
                await uow.jobs.add(
                    kind="export",
                    params={},
                    platform=platform,
                    chat_id=chat,
                    user_id=chat,
                    member_id=None,
                    now=clock.now(),
                )
            await uow.commit()
        await jobs.start()
        try:
            await jobs.run_due()
            await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) == 3)
            await zl.wait_for(lambda: len(zl.messages_to(ZALO_ADMIN)) == 3)
        finally:
            await jobs.close()
        _, document, photo = tg.messages_to(TEACHER)
        assert document.file_name == "Tổng hợp.xlsx" and photo.photo == CHART
        opened = openpyxl.load_workbook(io.BytesIO(document.document or b"")).worksheets[0]
        assert (opened["A1"].value, opened["B2"].value) == (
            "Tổng hợp số liệu",
            42,
        )
        *_, picture = zl.messages_to(ZALO_ADMIN)
        async with aiohttp.ClientSession() as http, http.get(picture.photo or "") as response:
            assert response.status == 200 and await response.read() == CHART


async def test_telegram_a_file_over_the_upload_limit_goes_as_its_link_or_is_named(
    app: App, tmp_path: Path
) -> None:
    big = tmp_path / "minh-chung.zip"
    with big.open("wb") as handle:  # just over Telegram's 50 MB for uploads from bots
        handle.truncate(50 * 1024 * 1024 + 1)
    evidence = await app.artifacts.put(big, "Minh chứng.zip", "application/zip")
    async with telegram(app) as tg:
        await app.engine.enqueue("telegram", str(TEACHER), Reply("", files=(evidence,)))
        await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) == 1)
        async with web_app(app.artifacts) as base:
            await app.engine.enqueue("telegram", str(TEACHER), Reply("", files=(evidence,)))
            await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) == 2)
    named, linked = tg.messages_to(TEACHER)
    assert (named.method, named.text) == (
        "sendMessage",
        say.FILE_TOO_LARGE_HERE.format(name="Minh chứng.zip", size=50),
    )
    assert linked.method == "sendMessage" and f"{base}/f/{evidence.token}" in linked.text
    assert not any(name == "sendDocument" for name, _ in tg.calls)
