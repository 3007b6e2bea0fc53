"""Every reply reaches the teacher: the outbox against the fake Telegram and Zalo servers.

A reply is a row of the outbox from the moment the answer is stored. These tests break the
sending side: the platform answers 502 and the bot is killed (kill -9) before it could deliver;
the platform keeps failing for a while; the person blocked the bot; one chat is being held back
by the rate limits while another person writes.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build
from bot.config import load_settings
from bot.domain.chat import Reply
from bot.platforms.dispatch import SendLimits
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from storage.models import AnswerChange, AuditEntry, Member
from tests.conftest import add_unit
from tests.conversation.helpers import stored_answers, stored_report
from tests.e2e.adapters import polling_telegram
from tests.e2e.bot_process import free_port, start_bot, write_config
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

TEACHER = 5151
OTHER = 5252
ZALO_TEACHER = "a1b2c3d4e5f60718293a4b5c"
ZALO_SECRET = "zalo-outbox-test-secret-0123456789"


def _texts(sent: list[str], needle: str) -> list[str]:
    return [text for text in sent if needle in text]


async def _answers_once(app: App) -> dict[str, int]:
    """How often each answer was stored, for the answers stored more than once."""
    async with app.uows() as uow:
        per_key = await uow.session.execute(
            select(AnswerChange.key, func.count()).group_by(AnswerChange.key)
        )
        return {key: n for key, n in per_key.all() if n != 1}


# -- a reply whose send failed, then kill -9 -------------------------------------------------


async def test_telegram_a_reply_that_failed_to_send_arrives_after_kill_9_and_restart(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg:
        table = f'[telegram]\ntoken = "{tg.token}"\napi_base = "{tg.base_url}"\n[web]\nport = 0'
        config = write_config(tmp_path, table)
        settings = load_settings(config)
        app = await build(settings)
        code = await add_unit(app)
        await app.close()

        def texts() -> list[str]:
            return [m.text for m in tg.messages_to(TEACHER)]

        def send_calls() -> int:
            return sum(1 for name, _ in tg.calls if name == "sendMessage")

        process = await start_bot(config)
        try:
            tg.send_text(TEACHER, f"/start {code}")
            await tg.wait_for(lambda: bool(_texts(texts(), "Lễ khai mạc")), timeout=30)
            tg.fail_next("sendMessage", status=502, times=10_000)
            tried = send_calls()
            tg.send_text(TEACHER, "02/10")
            await tg.wait_for(lambda: send_calls() > tried, timeout=30)  # tried, and refused
            process.send_signal(signal.SIGKILL)
            await process.wait()
            assert _texts(texts(), "Mục 1/11") == []

            tg.recover("sendMessage")
            process = await start_bot(config)
            await tg.wait_for(lambda: bool(_texts(texts(), "Mục 1/11")), timeout=30)
            tg.send_text(TEACHER, "không")
            await tg.wait_for(lambda: bool(_texts(texts(), "Mục 2/11")), timeout=30)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

        assert 1 <= len(_texts(texts(), "Mục 1/11")) <= 2  # at least once, at most one repeat
        app = await build(settings)
        try:
            answers = await stored_answers(app, await stored_report(app))
            assert (answers["opening:held"], answers["run:1"]) == (1, 0)
            assert await _answers_once(app) == {}
        finally:
            await app.close()


async def test_zalo_a_reply_that_failed_to_send_arrives_after_kill_9_and_restart(
    tmp_path: Path,
) -> None:
    async with FakeZalo() as zl:
        port = free_port()
        table = (
            f'[zalo]\ntoken = "{zl.token}"\napi_base = "{zl.base_url}"\nmode = "webhook"\n'
            f'webhook_url = "http://127.0.0.1:{port}/zalo/webhook"\n'
            f'webhook_secret = "{ZALO_SECRET}"\n[web]\nport = {port}'
        )
        config = write_config(tmp_path, table)
        settings = load_settings(config)
        app = await build(settings)
        code = await add_unit(app)
        await app.close()

        def texts() -> list[str]:
            return [m.text for m in zl.messages_to(ZALO_TEACHER)]

        def send_calls() -> int:
            return sum(1 for name, _ in zl.calls if name == "sendMessage")

        process = await start_bot(config)
        try:
            await zl.wait_for(lambda: zl.webhook is not None, timeout=30)
            zl.send_text(ZALO_TEACHER, code)
            await zl.wait_for(lambda: bool(_texts(texts(), "Lễ khai mạc")), timeout=30)
            zl.fail_next("sendMessage", error_code=502, times=10_000)
            tried = send_calls()
            zl.send_text(ZALO_TEACHER, "02/10")
            await zl.wait_for(lambda: send_calls() > tried, timeout=30)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            assert _texts(texts(), "Mục 1/11") == []

            zl.recover("sendMessage")
            process = await start_bot(config)
            # A restart on a loaded machine takes a while; what is checked is that it arrives.
            await zl.wait_for(lambda: bool(_texts(texts(), "Mục 1/11")), timeout=60)
            zl.send_text(ZALO_TEACHER, "không")
            await zl.wait_for(lambda: bool(_texts(texts(), "Mục 2/11")), timeout=60)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

        assert 1 <= len(_texts(texts(), "Mục 1/11")) <= 2
        app = await build(settings)
        try:
            answers = await stored_answers(app, await stored_report(app))
            assert (answers["opening:held"], answers["run:1"]) == (1, 0)
            assert await _answers_once(app) == {}
        finally:
            await app.close()


# -- in one process: failures that last, blocked people, fairness -----------------------------


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def _telegram(
    app: App, tg: FakeTelegram, limits: SendLimits | None = None
) -> AsyncIterator[TelegramAdapter]:
    async with polling_telegram(app, tg, limits or SendLimits(1000, chat_rate=None)) as adapter:
        yield adapter


@pytest.fixture
async def telegram(app: App, tg: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    async for adapter in _telegram(app, tg):
        yield adapter


@pytest.fixture
async def telegram_with_telegrams_limits(
    app: App, tg: FakeTelegram
) -> AsyncIterator[TelegramAdapter]:
    async for adapter in _telegram(app, tg, SendLimits()):  # 30/s, a chat: 3 at once, then 1/s
        yield adapter


@pytest.fixture
async def telegram_with_a_slow_chat_rate(
    app: App, tg: FakeTelegram
) -> AsyncIterator[TelegramAdapter]:
    # Telegram's burst of three, then one message every 10 s (not 1 s): the fourth is far
    # enough away that another person's first reply comes before it whatever the load.
    async for adapter in _telegram(app, tg, SendLimits(chat_rate=1 / 10)):
        yield adapter


async def _first_reply(tg: FakeTelegram, user: int, text: str) -> None:
    before = len(tg.messages_to(user))
    tg.send_text(user, text)
    await tg.wait_for(lambda: len(tg.messages_to(user)) > before, timeout=15)


async def test_telegram_sends_that_keep_failing_stay_queued_and_go_out_in_order(
    app: App, tg: FakeTelegram, telegram: TelegramAdapter
) -> None:
    await _first_reply(tg, TEACHER, "xin chào")
    tg.fail_next("sendMessage", status=502, times=10_000)
    tried = len(tg.calls)
    for n in (1, 2, 3):
        await app.engine.enqueue("telegram", str(TEACHER), Reply(f"Thông báo {n}"))
    await tg.wait_for(
        lambda: sum(1 for name, _ in tg.calls[tried:] if name == "sendMessage") >= 3, timeout=15
    )
    failed = [params["text"] for name, params in tg.calls[tried:] if name == "sendMessage"]
    assert set(failed) == {"Thông báo 1"}  # the later ones wait behind the first

    tg.recover("sendMessage")
    await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) >= 4, timeout=30)
    await asyncio.sleep(0.5)
    assert [m.text for m in tg.messages_to(TEACHER)][1:] == [
        "Thông báo 1",
        "Thông báo 2",
        "Thông báo 3",
    ]


async def test_zalo_sends_that_keep_failing_stay_queued_and_go_out_in_order(app: App) -> None:
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url)
        sender = ZaloSender(client, per_second=1000)
        adapter = ZaloAdapter(app.engine, client, sender=sender, sweep_seconds=0.2)
        await adapter.start()
        try:
            zl.fail_next("sendMessage", error_code=500, times=10_000)
            for n in (1, 2, 3):
                await app.engine.enqueue("zalo", ZALO_TEACHER, Reply(f"Thông báo {n}"))
            await zl.wait_for(
                lambda: sum(1 for name, _ in zl.calls if name == "sendMessage") >= 3, timeout=15
            )
            tried = {params["text"] for name, params in zl.calls if name == "sendMessage"}
            assert tried == {"Thông báo 1"}
            zl.recover("sendMessage")
            await zl.wait_for(lambda: len(zl.messages_to(ZALO_TEACHER)) >= 3, timeout=30)
            await asyncio.sleep(0.5)
            assert [m.text for m in zl.messages_to(ZALO_TEACHER)] == [
                "Thông báo 1",
                "Thông báo 2",
                "Thông báo 3",
            ]
        finally:
            await adapter.close()


async def test_a_person_who_blocked_the_bot_gets_nothing_more_until_they_write_again(
    app: App, tg: FakeTelegram, telegram: TelegramAdapter
) -> None:
    await _first_reply(tg, TEACHER, f"/start {await add_unit(app)}")
    await tg.wait_for(lambda: telegram.dispatcher.idle)
    tg.block(TEACHER)
    tg.send_text(TEACHER, "02/10")

    async def unreachable() -> bool:
        async with app.uows() as uow:
            member = await uow.members.find("telegram", str(TEACHER))
            return member is not None and member.unreachable_at is not None

    for _ in range(300):
        if await unreachable() and telegram.dispatcher.idle:
            break
        await asyncio.sleep(0.05)
    assert await unreachable()
    tried = sum(1 for name, _ in tg.calls if name == "sendMessage")
    await app.engine.enqueue("telegram", str(TEACHER), Reply("Nhắc: còn 2 ngày"), user_id=None)
    await telegram.delivery.sweep()
    await asyncio.sleep(0.5)
    assert sum(1 for name, _ in tg.calls if name == "sendMessage") == tried  # not attempted

    tg.blocked.discard(TEACHER)  # unblocked, and the teacher writes again: answered at once
    await _first_reply(tg, TEACHER, "xem lại")
    assert not await unreachable()
    assert all("Nhắc" not in m.text for m in tg.messages_to(TEACHER))
    async with app.uows() as uow:
        audit = await uow.session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "member.unreachable")
        )
        assert audit.scalar_one() == 1
        members = await uow.session.execute(select(Member.unreachable_at))
        assert members.scalars().all() == [None]


async def test_a_chat_held_back_by_its_rate_never_delays_another_persons_first_reply(
    app: App, tg: FakeTelegram, telegram_with_a_slow_chat_rate: TelegramAdapter
) -> None:
    await _first_reply(tg, TEACHER, "xin chào")
    for n in range(1, 4):
        await app.engine.enqueue("telegram", str(TEACHER), Reply(f"Thông báo {n}"))
    # The reply took one of the burst of three: two notices go at once, the rest wait.
    await tg.wait_for(lambda: len(tg.messages_to(TEACHER)) >= 3, timeout=15)

    await _first_reply(tg, OTHER, "xin chào")

    teacher = [m.text for m in tg.messages_to(TEACHER)]
    assert "Thông báo 2" in teacher and "Thông báo 3" not in teacher  # still held back


async def test_a_chat_paused_by_a_429_never_delays_another_persons_first_reply(
    app: App, tg: FakeTelegram, telegram_with_telegrams_limits: TelegramAdapter
) -> None:
    await _first_reply(tg, TEACHER, "xin chào")
    # A pause far longer than anything else here takes, even on a loaded machine: the other
    # person's reply must come while the paused chat still waits, whatever the load.
    tg.fail_next("sendMessage", status=429, retry_after=120)
    calls_before = len(tg.calls)
    await app.engine.enqueue("telegram", str(TEACHER), Reply("Thông báo"))
    # The notice's send was tried (and answered 429), not merely the earlier reply's.
    await tg.wait_for(lambda: any(name == "sendMessage" for name, _ in tg.calls[calls_before:]))

    await _first_reply(tg, OTHER, "xin chào")

    assert all(m.text != "Thông báo" for m in tg.messages_to(TEACHER))  # still paused
    async with app.uows() as uow:
        waiting = [
            row
            for row in await uow.outbox.of_chat("telegram", str(TEACHER))
            if row.payload["text"] == "Thông báo"
        ]
    assert [(row.status, row.attempts) for row in waiting] == [("pending", 1)]  # kept, not lost
