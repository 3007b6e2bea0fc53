"""Zalo intake rules at start: the webhook is registered every time with the current secret (a
changed secret used to be skipped, and every delivery after it refused), and polling warns that
an update Zalo has handed out is lost if the bot dies before storing it."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from bot.app import App
from bot.platforms.zalo import ZaloAdapter, ZaloClient
from tests.e2e.test_zalo import LOOPBACK_MEDIA
from tests.fakes.zalo import FakeZalo


async def test_a_changed_webhook_secret_is_registered_at_the_next_start(app: App) -> None:
    async with FakeZalo() as zl:
        url = "https://bot.truong.edu.vn/zalo/webhook"
        for secret in ("old-secret-0123456789", "new-secret-9876543210"):
            adapter = ZaloAdapter(app.engine, ZaloClient(zl.token, zl.base_url))
            await adapter.start()
            await adapter.set_webhook(url, secret)  # same URL, another secret
            await adapter.close()
            assert zl.webhook is not None
            assert (zl.webhook["url"], zl.webhook["secret_token"]) == (url, secret)
        assert [n for n, _ in zl.calls].count("setWebhook") == 2


async def test_polling_zalo_warns_that_a_crash_can_lose_an_update(app: App) -> None:
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url, media=LOOPBACK_MEDIA)
        adapter = ZaloAdapter(app.engine, client)
        await adapter.start()
        with capture_logs() as events:
            task = asyncio.create_task(adapter.poll(poll_seconds=1))
            await zl.wait_for(lambda: any(n == "getUpdates" for n, _ in zl.calls), timeout=10)
            adapter.stop()
            await task
        await adapter.close()
    warnings = [e for e in events if e["log_level"] == "warning" and e["event"] == "polling"]
    assert len(warnings) == 1
    assert "webhook" in warnings[0]["note"]
