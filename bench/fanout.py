"""Benchmark of one reminder fanned out to 5,000 members through the outbox (not a test).

    .venv/bin/python -m bench.fanout [--members 5000] [--rate 30] [--server window|bucket]
        [--client-rate 30] [--margin 0.03] [--record FILE]

From Python (the ``python -m bench`` command): ``await run(members, server)`` returns the figures.

Builds a migrated SQLite database in a temporary directory: a commune of schools, one teacher
(a Telegram reporter) in each, bulk-inserted. The reminder sender ticks once with its clock at
the 2023 campaign's announcement, which queues the announcement to every member through the
real path (outbox rows and reminder-log lines, a batch a transaction), while the real Telegram
``Delivery`` and ``TelegramSender`` (its default limits: 30 a second per bot, a burst of 3 then
1 a second per chat) send them to a fake Bot API that enforces the limit itself: a
``sendMessage`` beyond ``--rate`` in the last second (``--server window``, the strictest reading
of "about 30 a second"; ``--server bucket``: beyond a token bucket of the same shape as the
sender's) or beyond one a second to a chat is answered 429 with ``retry_after`` 1.
``--client-rate`` and ``--margin`` change the sender's bot budget, to measure a change to
``SendLimits`` before making it.

Prints, and with ``--record FILE`` appends to that Markdown file with the machine and the date
(bench/RESULTS.md is written by ``python -m bench``): the sends accepted per
second from the first to the last (against the limit; target at least 0.95 of it), the chats
that got the reminder twice and those that never got it (targets zero), and the 429s received
(target under 1% of the sends). Targets from issue 12.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bot.app import App, build  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.platforms.limits import MARGIN_SECONDS, SendLimits  # noqa: E402
from bot.platforms.telegram import TelegramAdapter, TelegramSender, make_bot  # noqa: E402
from storage.models import Member, OutboxMessage, Unit  # noqa: E402
from tests.calendar.senders import sender_for  # noqa: E402
from tests.fakes.telegram import ApiError, FakeTelegram, Files, Json  # noqa: E402

JOINED = datetime(2023, 9, 1, tzinfo=UTC)
# The 2023 campaign's announcement is due from 25/09 07:30 (Vietnam); the e2e test ticks then.
ANNOUNCED = datetime(2023, 9, 25, 7, 31, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SCHOOLS_PER_COMMUNE = 100
FIRST_CHAT = 10_000_000
SERVERS = {
    "window": "at most the limit in any sliding second",
    "bucket": "a token bucket of the limit a second, as many at once",
}


class FixedClock:
    """The business clock, held at the announcement (the outbox schedules on real time)."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class RateLimitedTelegram(FakeTelegram):
    """The fake Bot API, enforcing Telegram's send limits: 429 above them.

    A ``sendMessage`` is refused (and not recorded as sent) when one was accepted to the same
    chat in the second before it, or, per bot: with ``server="window"``, when ``rate`` sends
    were accepted in the second before it; with ``server="bucket"``, when a token bucket of
    ``rate`` a second holding at most ``rate`` tokens (the sender's own shape) is empty.
    """

    def __init__(self, rate: int, server: str) -> None:
        super().__init__()
        self.known_chats_only = False  # the members wrote to the bot when they joined
        self.rate = rate
        self.server = server
        self._tokens = float(rate)
        self._stamp = time.monotonic()
        self.refused = 0
        self.refused_chat = 0  # of those, for the chat's limit alone
        self.refused_at: list[float] = []  # seconds after the first accepted send
        self._first: float | None = None
        self.accepted_at: list[float] = []
        self._window: deque[float] = deque()
        self._last_to: dict[int, float] = {}

    async def _call(self, method: str, params: Json, files: Files) -> Any:
        if method.lower() == "sendmessage":
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            self._tokens = min(self.rate, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            chat = int(params.get("chat_id", 0))
            over, too_soon = self._over(now), now - self._last_to.get(chat, -2.0) < 1.0
            if over or too_soon:
                self.refused += 1
                self.refused_at.append(now - self._first if self._first is not None else 0.0)
                self.refused_chat += too_soon and not over
                raise ApiError(429, retry_after=1)
            if self._first is None:
                self._first = now
            self._tokens -= 1
            self._window.append(now)
            self._last_to[chat] = now
            self.accepted_at.append(now)
        return await super()._call(method, params, files)

    def _over(self, now: float) -> bool:
        """Whether one more send now is beyond the bot's limit."""
        if self.server == "bucket":
            return self._tokens < 1
        return len(self._window) >= self.rate


async def add_members(app: App, count: int) -> None:
    """A commune per hundred schools, one reporter each: units and members in bulk."""
    units: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    unit_id = 0
    for c in range(-(-count // SCHOOLS_PER_COMMUNE)):
        unit_id += 1
        commune = unit_id
        units.append(_unit(commune, f"X{c:03d}", f"UBND xã số {c}", "commune", None))
        for s in range(min(SCHOOLS_PER_COMMUNE, count - len(members))):
            unit_id += 1
            units.append(_unit(unit_id, f"X{c:03d}-{s:02d}", f"Trường số {s}", "school", commune))
            chat = str(FIRST_CHAT + len(members))
            members.append(
                {
                    "platform": "telegram",
                    "user_id": chat,
                    "chat_id": chat,
                    "display_name": f"Cô giáo {chat}",
                    "unit_id": unit_id,
                    "role": "reporter",
                    "joined_at": JOINED,
                }
            )
    async with app.uows() as uow:
        await uow.session.execute(insert(Unit), units)
        await uow.session.execute(insert(Member), members)
        await uow.commit()


def _unit(uid: int, code: str, name: str, kind: str, parent: int | None) -> dict[str, Any]:
    return {
        "id": uid,
        "code": code,
        "name": name,
        "kind": kind,
        "parent_id": parent,
        "created_at": JOINED,
        "contact": None,
    }


async def pending(app: App) -> int:
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "pending")
        )
        return int(rows.scalar_one())


async def run(
    members: int = 5000,
    server: str = "window",
    *,
    rate: int = 30,
    client_rate: float | None = None,
    margin: float = MARGIN_SECONDS,
) -> dict[str, Any]:
    """One wave of the reminder to ``members`` against a fake enforcing ``rate`` a second the
    ``server`` way ("window" or "bucket"); the figures (see ``figures``).

    The sender keeps the product's limits (``SendLimits`` with Telegram's defaults);
    ``client_rate`` and ``margin`` change its bot budget, to measure a proposal.
    """
    if server not in SERVERS:
        raise ValueError(f"server: one of {', '.join(SERVERS)}")
    client = SendLimits(client_rate if client_rate is not None else float(rate), margin=margin)
    with tempfile.TemporaryDirectory() as directory:
        return await _run(members, rate, server, client, Path(directory))


async def _run(
    count: int, rate: int, server: str, client: SendLimits, directory: Path
) -> dict[str, Any]:
    """Builds, queues the wave, sends it; the figures."""
    settings = load_settings(
        None,
        database={"url": f"sqlite+aiosqlite:///{directory / 'fanout.db'}"},
        evidence={"directory": directory / "evidence"},
        campaign={"year": 2023},
    )
    clock = FixedClock(ANNOUNCED)
    app = await build(settings, clock=clock)
    try:
        await add_members(app, count)
        async with RateLimitedTelegram(rate, server) as fake:
            bot = make_bot(fake.token, fake.base_url)
            adapter = TelegramAdapter(
                app.engine, bot, sender=TelegramSender(bot, limit=client), exclusive=True
            )
            await adapter.start()
            sender = sender_for(app, clock)
            try:
                started = time.monotonic()
                tally = await sender.tick()
                queued_in = time.monotonic() - started
                # Done is a state of the database (no row pending), which signals nothing.
                while await pending(app) or not adapter.delivery.idle:  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
                done_in = time.monotonic() - started
            finally:
                await sender.close()
                await adapter.close()
            result = figures(fake, count, rate, tally.queued, queued_in, done_in)
            client_note = f"{client.per_second:g} in any second + {margin_of(client):g} s"
            return {"server": server, "client": client_note, **result}
    finally:
        await app.close()


def margin_of(limits: SendLimits) -> float:
    """The margin of the sender's window, in seconds (for the record)."""
    return round(limits.window_seconds - max(1, int(limits.per_second)) / limits.per_second, 3)


def figures(
    fake: RateLimitedTelegram, count: int, rate: int, queued: int, queued_in: float, done: float
) -> dict[str, Any]:
    """What the fake server saw: rate achieved, duplicates, losses, 429s."""
    per_chat = Counter(m.chat_id for m in fake.sent if m.method == "sendMessage")
    expected = {FIRST_CHAT + i for i in range(count)}
    sends = len(fake.accepted_at)
    span = fake.accepted_at[-1] - fake.accepted_at[0] if sends > 1 else 0.0
    achieved = (sends - 1) / span if span > 0 else 0.0
    return {
        "members": count,
        "queued": queued,
        "limit": rate,
        "sent": sends,
        "span_s": round(span, 1),
        "achieved_per_s": round(achieved, 2),
        "ratio": round(achieved / rate, 3),
        "duplicates": sum(1 for n in per_chat.values() if n > 1),
        "losses": len(expected - set(per_chat)),
        "strays": len(set(per_chat) - expected),
        "http_429": fake.refused,
        "http_429_share": round(fake.refused / max(1, sends + fake.refused), 4),
        "http_429_per_chat": fake.refused_chat,
        "http_429_at_s": [round(at, 2) for at in fake.refused_at[:10]],
        "tick_s": round(queued_in, 1),
        "wall_s": round(done, 1),
    }


def record(result: dict[str, Any], path: Path) -> None:
    """Appends the run to the Markdown file ``path`` with the machine and the date."""
    machine = f"{platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
    machine += f"Python {platform.python_version()}, SQLite"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## Reminder fan-out, {result['members']} members ({when})\n",
        f"\nMachine: {machine}. `python -m bench.fanout --members {result['members']}"
        f" --server {result['server']}` (the fake's limit: {SERVERS[result['server']]};"
        f" the sender's bot budget: {result['client']}).\n\n",
        "| figure | value | target |\n|---|---|---|\n",
        f"| queued by one tick | {result['queued']} (tick {result['tick_s']} s) | all |\n",
        f"| sends accepted | {result['sent']} in {result['span_s']} s | |\n",
        f"| achieved / limit | {result['achieved_per_s']} / {result['limit']} a second "
        f"= {result['ratio']} | ≥ 0.95 |\n",
        f"| chats sent twice | {result['duplicates']} | 0 |\n",
        f"| chats never sent | {result['losses']} | 0 |\n",
        f"| 429s received | {result['http_429']} ({result['http_429_share']:.2%} of tries)"
        " | < 1% |\n",
        f"| wall time, tick to last send | {result['wall_s']} s | |\n",
    ]
    with path.open("a", encoding="utf-8") as out:
        out.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=30, help="the fake server's limit a second")
    parser.add_argument(
        "--server",
        choices=["window", "bucket"],
        default="window",
        help="how the fake enforces the limit: a sliding second (strict) or a token bucket",
    )
    parser.add_argument(
        "--client-rate", type=float, default=None, help="the sender's limit (default: --rate)"
    )
    parser.add_argument(
        "--margin", type=float, default=MARGIN_SECONDS, help="seconds added to its window"
    )
    parser.add_argument("--record", type=Path, default=None, help="a Markdown file to append to")
    # Kept so that older command lines still run: printing only is the default now.
    parser.add_argument("--no-record", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    result = asyncio.run(
        run(
            args.members,
            args.server,
            rate=args.rate,
            client_rate=args.client_rate,
            margin=args.margin,
        )
    )
    for key, value in result.items():
        print(f"{key:>16}: {value}")
    if args.record is not None:
        record(result, args.record)


if __name__ == "__main__":
    main()
