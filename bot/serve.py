"""Running the bot on its platforms until SIGTERM or SIGINT, then stopping cleanly.

Telegram and Zalo are each served when their token is set, by long polling or by a webhook on
the one web app (which also answers ``GET /healthz`` and serves the files the bot made under
``/f/<token>``). The job runner (charts, exports) runs beside them. On a stop signal, intake
stops first, then messages in flight are finished and their replies sent; what was stored but
not processed is processed at the next start, and a job cut short is run again.
"""

from __future__ import annotations

import asyncio
import fcntl
import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

import structlog
from aiohttp import web

from bot.app import App
from bot.engine.core import Retry
from bot.platforms.dispatch import SendLimits
from bot.platforms.download import DownloadPolicy
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot
from bot.platforms.web import build_web_app
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from storage.db import is_sqlite

log = structlog.get_logger("tuanle.serve")


class AlreadyPolling(RuntimeError):
    """Another process polls this Zalo token; Zalo hands each update to one poller only."""


@contextmanager
def poller_lock(directory: Path, name: str) -> Iterator[None]:
    """Holds an exclusive lock file for the life of the block; refuses a second holder."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f".{name}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyPolling(f"another process is polling {name}") from None
        yield


async def serve(app: App, stop: asyncio.Event | None = None) -> int:
    """Serves every configured platform until ``stop`` is set or a stop signal arrives."""
    settings = app.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    tasks: list[asyncio.Task[None]] = []
    tg, zl = settings.telegram, settings.zalo
    telegram: TelegramAdapter | None = None
    zalo: ZaloAdapter | None = None
    # With SQLite this is the only process sending, so what a killed process had claimed from
    # the outbox is released at once instead of after its lease.
    exclusive = is_sqlite(settings.database.url)
    # A reply whose send failed is tried again after half a second, doubling up to the cap.
    retry = Retry(first=0.5, cap=settings.delivery.max_backoff_seconds)
    if tg.enabled:
        bot = make_bot(tg.token.get_secret_value(), tg.api_base)
        limits = SendLimits(
            tg.messages_per_second,
            chat_burst=tg.per_chat_burst,
            chat_rate=tg.per_chat_per_second,
        )
        sender = TelegramSender(
            bot, max_attempts=tg.max_attempts, limit=limits, artifacts=app.artifacts
        )
        telegram = TelegramAdapter(
            app.engine,
            bot,
            sender=sender,
            fetch_seconds=settings.evidence.fetch_timeout_seconds,
            sweep_seconds=settings.delivery.sweep_seconds,
            exclusive=exclusive,
            retry=retry,
        )
        await telegram.start()
        if tg.mode == "polling":
            tasks.append(asyncio.create_task(telegram.poll()))
    lock_dir = settings.evidence.directory
    polls_zalo = zl.enabled and zl.mode == "polling"
    with poller_lock(lock_dir, "zalo-poller") if polls_zalo else nullcontext():
        if zl.enabled:
            media = DownloadPolicy(
                hosts=tuple(zl.media_hosts),
                allow_http=zl.media_allow_http,
                allow_private=zl.media_allow_private,
                deadline_seconds=settings.evidence.fetch_timeout_seconds,
            )
            client = ZaloClient(zl.token.get_secret_value(), zl.api_base, media=media)
            zalo_sender = ZaloSender(
                client, per_second=zl.messages_per_second, artifacts=app.artifacts
            )
            zalo = ZaloAdapter(
                app.engine,
                client,
                sender=zalo_sender,
                sweep_seconds=settings.delivery.sweep_seconds,
                exclusive=exclusive,
                retry=retry,
            )
            await zalo.start()
            if zl.mode == "polling":
                tasks.append(asyncio.create_task(zalo.poll()))
        tg_secret = tg.webhook_secret.get_secret_value() if tg.mode == "webhook" else ""
        zl_secret = zl.webhook_secret.get_secret_value() if zl.mode == "webhook" else ""
        web_app = build_web_app(
            telegram=telegram if tg_secret else None,
            telegram_secret=tg_secret,
            zalo=zalo if zl_secret else None,
            zalo_secret=zl_secret,
            artifacts=app.artifacts,
        )
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.web.host, settings.web.port)
        await site.start()
        log.info("serving", telegram=bool(telegram), zalo=bool(zalo), port=settings.web.port)
        if telegram is not None and tg_secret:
            await telegram.set_webhook(tg.webhook_url, tg_secret)
        if zalo is not None and zl_secret:
            await zalo.set_webhook(zl.webhook_url, zl_secret)
        # Jobs asked for on the platforms served here (the terminal chat runs its own).
        await app.jobs.start([a.delivery.platform for a in (telegram, zalo) if a is not None])
        # The calendar's reminders, queued through the outbox (one sending process: a lock).
        app.reminders.start()

        await stop.wait()
        log.info("stopping")
        app.engine.stop()  # a message meeting a fault now waits for the next start
        await app.jobs.close()  # a job cut short is pending again for the next start
        await app.reminders.close()  # and the lock is free for another process at once
        for adapter in (telegram, zalo):
            if adapter is not None:
                adapter.stop()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        await runner.cleanup()
        for adapter in (telegram, zalo):
            if adapter is not None:
                await adapter.close()
    return 0
