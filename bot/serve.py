"""Running the bot on its platforms until SIGTERM or SIGINT, then stopping cleanly.

Telegram is served when its token is set (long polling, or a webhook on the web app). On a stop
signal, intake stops first, then messages in flight are finished and their replies sent; what
was stored but not processed is processed at the next start.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress

import structlog
from aiohttp import web

from bot.app import App
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from bot.platforms.web import build_web_app

log = structlog.get_logger("tuanle.serve")


async def serve(app: App, stop: asyncio.Event | None = None) -> int:
    """Serves every configured platform until ``stop`` is set or a stop signal arrives."""
    settings = app.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    telegram: TelegramAdapter | None = None
    tasks: list[asyncio.Task[None]] = []
    tg = settings.telegram
    if tg.token.get_secret_value():
        bot = make_bot(tg.token.get_secret_value(), tg.api_base)
        sender = TelegramSender(
            bot, max_attempts=tg.max_attempts, on_unreachable=_unreachable(app, "telegram")
        )
        telegram = TelegramAdapter(app.engine, bot, sender=sender)
        await telegram.start()
        if tg.mode == "polling":
            tasks.append(asyncio.create_task(telegram.poll()))
    webhook_secret = tg.webhook_secret.get_secret_value() if tg.mode == "webhook" else ""
    web_app = build_web_app(
        telegram=telegram if webhook_secret else None, telegram_secret=webhook_secret
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.web.host, settings.web.port)
    await site.start()
    log.info("serving", host=settings.web.host, port=settings.web.port, telegram=tg.mode)
    if telegram is not None and webhook_secret:
        await telegram.set_webhook(tg.webhook_url, webhook_secret)

    await stop.wait()
    log.info("stopping")
    if telegram is not None:
        telegram.stop()
    for task in tasks:
        with suppress(asyncio.CancelledError):
            await task
    await runner.cleanup()
    if telegram is not None:
        await telegram.close()
    return 0


def _unreachable(app: App, platform: str) -> Callable[[str], Awaitable[None]]:
    async def record(chat_id: str) -> None:
        await app.engine.record_unreachable(platform, chat_id)

    return record
