"""The Telegram adapter started in the test's own process, polling a fake server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import App
from bot.platforms.dispatch import SendLimits
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from tests.fakes.telegram import FakeTelegram


@asynccontextmanager
async def polling_telegram(
    app: App, tg: FakeTelegram, limits: SendLimits
) -> AsyncIterator[TelegramAdapter]:
    """The bot, started: it sends what the outbox holds from the start, under ``limits``."""
    bot = make_bot(tg.token, tg.base_url)
    sender = TelegramSender(bot, limit=limits)
    adapter = TelegramAdapter(app.engine, bot, sender=sender, sweep_seconds=0.2)
    await adapter.start()
    task = asyncio.create_task(adapter.poll(poll_seconds=1))
    try:
        yield adapter
    finally:
        adapter.stop()
        await task
        await adapter.close()
