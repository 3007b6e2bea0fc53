"""A Telegram file that cannot be downloaded is a refusal, never an error carrying the file URL:
the URL holds the bot token, and aiohttp quotes it in its errors."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator

import pytest

from bot.domain.chat import Attachment
from bot.engine import FileTooLarge, FileUnavailable
from bot.platforms.telegram import TelegramFetcher, TelegramSender, make_bot
from tests.conftest import photo
from tests.fakes.telegram import FakeTelegram

TOKEN = "7012345678:AAHk3Zq9xTeleSecretPart0123456789abc"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


async def _fetch(tg: FakeTelegram, max_bytes: int = 10**7) -> bytes:
    tg.send_photo(77, photo(3))
    file_id = tg.updates[max(tg.updates)]["message"]["photo"][-1]["file_id"]
    bot = make_bot(tg.token, tg.base_url)
    try:
        fetcher = TelegramFetcher(bot, TelegramSender(bot, max_attempts=1))
        return await fetcher.fetch(Attachment(ref=file_id, kind="photo"), max_bytes)
    finally:
        await bot.session.close()


def _told(error: BaseException) -> str:
    """Everything a log line could say about the error, traceback included."""
    return "".join(traceback.format_exception(error))


@pytest.mark.parametrize(("status", "reason"), [(404, "not_found"), (0, "unreachable")])
async def test_a_file_gone_after_getfile_is_unavailable_and_the_token_is_not_told(
    tg: FakeTelegram, status: int, reason: str
) -> None:
    tg.fail_next_download(status, times=2)  # twice: aiohttp retries a dropped reused connection
    with pytest.raises(FileUnavailable) as caught:
        await _fetch(tg)
    assert caught.value.reason == reason
    assert TOKEN not in _told(caught.value) and "TeleSecretPart" not in _told(caught.value)


async def test_a_file_over_the_cap_is_too_large_and_the_token_is_not_told(
    tg: FakeTelegram,
) -> None:
    with pytest.raises(FileTooLarge) as caught:
        await _fetch(tg, max_bytes=100)
    assert "TeleSecretPart" not in _told(caught.value)


async def test_a_file_that_downloads_is_returned_whole(tg: FakeTelegram) -> None:
    assert await _fetch(tg) == photo(3)
