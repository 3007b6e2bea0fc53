"""The web app: platform webhooks, a health check and the files the bot made, on one server.

A webhook request is answered 2xx only after its update is stored in the inbox; a wrong or
missing secret gets 401 and stores nothing; a body too large or not an update gets 4xx. An empty
Zalo body gets 200: Zalo has been seen posting one (research/zalo.md), and an error would only
make it retry nothing.

``GET /f/<token>`` serves an artifact (a chart, an export) while its token lives: that is how
Zalo, which takes pictures only by URL, gets them, and how its people download documents. An
unknown and an expired token get the same 404; nothing is cached on the way.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.artifacts import ArtifactStore, content_disposition
from bot.platforms import zalo as zalo_platform
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.zalo import ZaloAdapter

log = structlog.get_logger("tuanle.web")

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
TELEGRAM_PATH = "/telegram/webhook"
ZALO_PATH = "/zalo/webhook"
MAX_BODY = 1024 * 1024
FILES_PATH = "/f/{token}"


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def build_web_app(
    *,
    telegram: TelegramAdapter | None = None,
    telegram_secret: str = "",
    zalo: ZaloAdapter | None = None,
    zalo_secret: str = "",
    artifacts: ArtifactStore | None = None,
) -> web.Application:
    """The aiohttp application with the routes of the configured platforms (and files)."""
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/healthz", _health)
    if artifacts is not None:
        app.router.add_get(FILES_PATH, _files_handler(artifacts))  # HEAD too
    if telegram is not None:
        app.router.add_post(TELEGRAM_PATH, _telegram_handler(telegram, telegram_secret))
    if zalo is not None:
        app.router.add_post(ZALO_PATH, _zalo_handler(zalo, zalo_secret))
    return app


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def _files_handler(
    artifacts: ArtifactStore,
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        stored = await artifacts.find(request.match_info["token"])
        path = artifacts.local_path(stored) if stored is not None else None
        if stored is None or path is None or not path.is_file():
            return web.Response(status=404, text="404: Not Found", headers=_PRIVATE)
        headers = {
            **_PRIVATE,
            "Content-Type": stored.mime,
            "Content-Disposition": content_disposition(
                stored.name, inline=stored.mime.startswith("image/")
            ),
        }
        log.info("file", outcome="served", size=stored.size)
        return web.FileResponse(path, headers=headers)

    return handle


# A link is for the person it was sent to: no shared cache keeps it, no browser guesses its type.
_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


Handler = Callable[[web.Request], Awaitable[web.Response]]


def _webhook(
    platform: str,
    header: str,
    secret: str,
    parse: Callable[[Any], Any],
    accept: Callable[[Any], Awaitable[bool]],
    *,
    empty_ok: bool = False,
) -> Handler:
    """A webhook endpoint: secret, size and shape checked, then stored before the 200.

    ``parse`` turns the decoded JSON into what ``accept`` takes, or None (or raises ValueError)
    when the body is not a platform update.
    """

    async def handle(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(header), secret):
            log.warning("webhook", platform=platform, outcome="bad_secret")
            return web.json_response({"ok": False}, status=401)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"ok": False, "error": "too large"}, status=413)
        if empty_ok and not body.strip():
            log.info("webhook", platform=platform, outcome="empty")
            return web.json_response({"ok": True})
        try:
            update = parse(json.loads(body))
        except (ValueError, ValidationError):
            update = None
        if update is None:
            log.warning("webhook", platform=platform, outcome="not_an_update")
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        try:
            await accept(update)
        except Exception:  # not stored: ask the platform to deliver it again
            log.exception("webhook", platform=platform, outcome="not_stored")
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True})

    return handle


def _telegram_handler(adapter: TelegramAdapter, secret: str) -> Handler:
    return _webhook(
        "telegram", TELEGRAM_SECRET_HEADER, secret, Update.model_validate, adapter.accept
    )


def _zalo_handler(adapter: ZaloAdapter, secret: str) -> Handler:
    return _webhook(
        "zalo",
        zalo_platform.SECRET_HEADER,
        secret,
        zalo_platform.unwrap,
        adapter.accept,
        empty_ok=True,
    )
