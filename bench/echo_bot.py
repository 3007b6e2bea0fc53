"""The baseline of the rush: a bare aiogram 3 bot that echoes every message (not a test).

    .venv/bin/python -m bench.echo_bot --api URL --token T --port P --secret S

An aiogram ``Dispatcher`` behind aiogram's own aiohttp webhook handler, as its documentation
shows it: a text comes back with ``send_message``, a photo with ``send_photo`` and the photo's
``file_id``, a button press is answered (``answer_callback_query``) and its data sent back as a
text. No database, no outbox, no limits: what the same fake Bot API, the same teachers and the
same machine allow a bot that does nothing. It registers its webhook with the fake after its
server listens, as ``tuanle run`` does, and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from contextlib import suppress

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

PATH = "/telegram/webhook"


def dispatcher() -> Dispatcher:
    """The echo: a text as a text, a photo by its file_id, a press as its data."""
    dp = Dispatcher()

    @dp.message(F.photo)
    async def echo_photo(message: Message, bot: Bot) -> None:
        photos = message.photo or []
        await bot.send_photo(message.chat.id, photo=photos[-1].file_id)

    @dp.message()
    async def echo_text(message: Message, bot: Bot) -> None:
        await bot.send_message(message.chat.id, text=message.text or "…")

    @dp.callback_query()
    async def echo_press(query: CallbackQuery, bot: Bot) -> None:
        await bot.answer_callback_query(query.id)
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        await bot.send_message(chat, text=query.data or "…")

    return dp


async def serve(api: str, token: str, port: int, secret: str) -> None:
    """Listens on 127.0.0.1:``port``, sets the webhook, echoes until SIGTERM or SIGINT."""
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dp = dispatcher()
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=PATH)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await bot.set_webhook(f"http://127.0.0.1:{port}{PATH}", secret_token=secret)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="the Bot API's base URL (the fake)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.api, args.token, args.port, args.secret))


if __name__ == "__main__":
    main()
