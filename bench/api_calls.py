"""Micro-benchmark of one Bot API call through aiogram, as the bot makes it (not a test).

    .venv/bin/python -m bench.api_calls [--calls 1000] [--repeat 5] [--churn 2000] [--plain]

Starts the fake Bot API server on loopback (tests/fakes/telegram.py) and times a loop of
``sendMessage`` calls through the bot's own aiogram ``Bot`` (``bot.platforms.telegram.make_bot``),
one after another: wall time and CPU time of this process (client and fake server both run in
it, so the figures are for comparison only), the best of ``--repeat`` loops. ``--plain`` uses
aiogram's own ``AiohttpSession`` instead of ours, to compare the two in one run.

Between two calls the loop makes ``--churn`` small objects in reference cycles and drops them,
as the bot's database and conversation work does between two sends: the garbage collector then
runs about as often as in the bot, and that is what frees aiogram's ``Response[...]`` classes
(pydantic keeps them only weakly). The count of those classes built during the loops is read
from pydantic's generic-class cache (observed, not changed). Also times ``check_response``
alone (aiogram's parsing of one answer, no network).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakSet, WeakValueDictionary

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.methods import SendMessage  # noqa: E402
from pydantic._internal import _generics  # noqa: E402

from bot.platforms.telegram import make_bot  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

CHAT = 4242
ANSWER = (
    '{"ok":true,"result":{"message_id":1,"date":1700000000,'
    '"chat":{"id":4242,"type":"private","first_name":"Lan"},'
    '"from":{"id":1,"is_bot":true,"first_name":"bot"},"text":"Mục 1/11"}}'
)


class _Counting(WeakValueDictionary[Any, Any]):
    """pydantic's cache of built generic classes, counting the classes put in it (pydantic
    files each class under two keys)."""

    built = 0
    _seen: ClassVar[WeakSet[Any]] = WeakSet()

    def __setitem__(self, key: Any, value: Any) -> None:
        if value not in _Counting._seen:
            _Counting._seen.add(value)
            _Counting.built += 1
        super().__setitem__(key, value)


def _count_builds() -> None:
    counting = _Counting()
    counting.update(_generics._GENERIC_TYPES_CACHE)
    _generics._GENERIC_TYPES_CACHE = counting


def _churn(objects: int) -> None:
    """Makes and drops ``objects`` small objects in cycles (a message's worth of ORM work)."""
    for _ in range(objects // 2):
        a: list[Any] = []
        b = [a]
        a.append(b)


async def calls(calls: int, repeat: int, plain: bool, churn: int = 2000) -> dict[str, Any]:
    """The best loop of ``calls`` sendMessage calls: wall and CPU ms per call."""
    _count_builds()
    async with FakeTelegram() as fake:
        fake.known_chats_only = False
        if plain:
            session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
            bot = Bot(fake.token, session=session)
        else:
            bot = make_bot(fake.token, fake.base_url)
        try:
            await bot.send_message(CHAT, "warm-up")
            best_wall = best_cpu = float("inf")
            builds = _Counting.built
            for _ in range(repeat):
                fake.sent.clear()
                fake.calls.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                for n in range(calls):
                    await bot.send_message(CHAT, f"Mục {n}/11")
                    _churn(churn)
                best_wall = min(best_wall, time.perf_counter() - wall)
                best_cpu = min(best_cpu, time.process_time() - cpu)
            builds = _Counting.built - builds
            parse = check_response_cost(bot, calls)
        finally:
            await bot.session.close()
    return {
        "session": "aiogram's AiohttpSession" if plain else "ours (make_bot)",
        "calls": calls,
        "churn": churn,
        "classes_built_per_1000_calls": round(builds * 1000 / (calls * repeat), 1),
        "wall_ms_per_call": round(best_wall * 1000 / calls, 3),
        "cpu_ms_per_call": round(best_cpu * 1000 / calls, 3),
        "check_response_us": round(parse * 1e6, 1),
    }


def check_response_cost(bot: Bot, calls: int) -> float:
    """Seconds of one ``check_response`` (aiogram's answer parsing), the best of a few loops."""
    method = SendMessage(chat_id=CHAT, text="x")
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            bot.session.check_response(bot, method, 200, ANSWER)
        best = min(best, (time.perf_counter() - started) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--churn", type=int, default=2000, help="objects dropped per call")
    parser.add_argument("--plain", action="store_true", help="aiogram's session, not ours")
    args = parser.parse_args()
    result = asyncio.run(calls(args.calls, args.repeat, args.plain, args.churn))
    for key, value in result.items():
        print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
