"""The sending pace, on a virtual clock: what a platform counting our sends would see.

A wave of sends never exceeds the bot's limit in any second, yet comes close to it; those
waiting are served in the order they came, each woken once; a reply to a person who is writing
goes ahead of a reminder wave and is not held back by the chat's pace (a 429 still holds it);
a chat's bulk sends get a burst, then its rate; and the limits forget chats back at rest.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Iterable

from bot.platforms.limits import PRUNE_AT, PRUNE_EVERY_SECONDS, SendLimits


class VirtualTime:
    """A clock that moves only when every task is asleep: to the earliest wake-up asked for."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps = 0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def run(self, work: Iterable[Awaitable[object]]) -> None:
        """Runs the work to its end, moving the clock whenever nothing else can happen."""
        tasks = [asyncio.ensure_future(w) for w in work]
        while not all(task.done() for task in tasks):
            for _ in range(30):  # let every ready task run until it sleeps or ends
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            while self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                if not future.done():  # a sleep given up (cancelled) wakes nobody
                    self.now = max(self.now, at)
                    future.set_result(None)
                    break
        for task in tasks:
            task.result()

    def limits(self, per_second: float = 30.0, **options: float | None) -> SendLimits:
        return SendLimits(per_second, clock=self.clock, sleep=self.sleep, **options)  # type: ignore[arg-type]


async def _send(
    time: VirtualTime,
    limits: SendLimits,
    chat: str,
    log: list[tuple[str, float]],
    *,
    urgent: bool = False,
) -> None:
    await limits.wait(chat, urgent=urgent)
    log.append((chat, time.now))


def _most_in_one_second(times: list[float]) -> int:
    """The most sends any window of one second holds (what a strict platform counts)."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_wave_never_exceeds_the_limit_in_any_second_and_comes_close_to_it() -> None:
    time = VirtualTime()
    limits = time.limits(30)
    log: list[tuple[str, float]] = []

    await time.run(_send(time, limits, f"chat-{n}", log) for n in range(600))

    times = [at for _chat, at in log]
    assert len(times) == 600
    assert _most_in_one_second(times) <= 30
    rate = (len(times) - 1) / (max(times) - min(times))
    assert rate >= 0.95 * 30


async def test_the_waiting_sends_are_served_in_the_order_they_came_each_woken_once() -> None:
    time = VirtualTime()
    limits = time.limits(10)
    log: list[tuple[str, float]] = []

    await time.run(_send(time, limits, f"chat-{n}", log) for n in range(200))

    assert [chat for chat, _at in log] == [f"chat-{n}" for n in range(200)]
    # One pacer sleeps until each next free send: no sleep per waiting chat per send.
    assert time.sleeps <= 200


async def test_a_reply_to_a_person_writing_goes_ahead_of_a_reminder_wave() -> None:
    time = VirtualTime()
    limits = time.limits(30)
    log: list[tuple[str, float]] = []

    async def reply_later() -> None:
        await time.sleep(2.0)  # the wave is well under way: about 200 sends still wait
        await _send(time, limits, "teacher", log, urgent=True)

    wave = [_send(time, limits, f"member-{n}", log) for n in range(300)]
    await time.run([*wave, reply_later()])

    chats = [chat for chat, _at in log]
    reply_at = dict(log)["teacher"]
    assert reply_at - 2.0 <= 1.1  # at the next free send, not after the wave (8 s more)
    assert chats.index("teacher") < chats.index("member-150")


async def test_a_reminder_already_waiting_for_a_chat_moves_ahead_when_its_person_writes() -> None:
    time = VirtualTime()
    limits = time.limits(30)
    log: list[tuple[str, float]] = []

    async def conversation() -> None:
        await time.sleep(1.5)
        limits.hurry("member-250")  # she writes: her queued reminder and the reply go first
        try:
            await _send(time, limits, "member-250+reply", log, urgent=True)
        finally:
            limits.calm("member-250")

    wave = [_send(time, limits, f"member-{n}", log) for n in range(300)]
    await time.run([*wave, conversation()])

    at = dict(log)
    assert at["member-250"] - 1.5 <= 1.1
    assert at["member-250"] < at["member-100"]


async def test_a_chat_gets_bulk_sends_in_a_burst_then_at_its_rate() -> None:
    time = VirtualTime()
    limits = time.limits(30, chat_burst=3, chat_rate=1.0)
    log: list[tuple[str, float]] = []

    async def five() -> None:
        for _ in range(5):
            await _send(time, limits, "teacher", log)

    await time.run([five()])

    times = [at for _chat, at in log]
    assert times[2] < 0.1  # three at once (a bot's bulk sends are spread by 1/30 s)
    assert [round(at, 1) for at in times[3:]] == [1.0, 2.0]


async def test_replies_to_a_person_writing_are_not_held_back_by_the_chats_pace() -> None:
    time = VirtualTime()
    limits = time.limits(30, chat_burst=3, chat_rate=1.0)
    log: list[tuple[str, float]] = []

    async def walk() -> None:
        for _ in range(10):  # ten answers in a row, two replies each, typed at once
            await _send(time, limits, "teacher", log, urgent=True)
            await _send(time, limits, "teacher", log, urgent=True)

    await time.run([walk()])

    assert [at for _chat, at in log] == [0.0] * 20


async def test_a_429_holds_back_even_the_replies_to_that_chat_and_no_other() -> None:
    time = VirtualTime()
    limits = time.limits(30)
    log: list[tuple[str, float]] = []
    limits.pause("teacher", 5.0)

    await time.run(
        [
            _send(time, limits, "teacher", log, urgent=True),
            _send(time, limits, "other", log, urgent=True),
        ]
    )

    assert dict(log) == {"other": 0.0, "teacher": 5.0}


async def test_a_pause_of_the_whole_bot_holds_every_send_but_not_a_file_lookup() -> None:
    time = VirtualTime()
    limits = time.limits(30)
    log: list[tuple[str, float]] = []
    limits.pause(None, 3.0)

    async def lookup() -> None:
        await limits.paused()
        log.append(("getFile", time.now))

    await time.run([_send(time, limits, "teacher", log, urgent=True), lookup()])

    assert dict(log) == {"teacher": 3.0, "getFile": 3.0}


async def test_twenty_thousand_people_sent_to_leave_no_trace_once_at_rest() -> None:
    time = VirtualTime()
    limits = time.limits(1000, chat_burst=3, chat_rate=1.0)
    log: list[tuple[str, float]] = []
    most = 0

    async def everyone() -> None:
        nonlocal most
        for n in range(20_000):  # each answered once, as they write
            await _send(time, limits, f"person-{n}", log, urgent=True)
            most = max(most, limits.chats)

    await time.run([everyone()])
    assert len(log) == 20_000
    assert most <= 2 * PRUNE_AT  # never one entry per person ever seen

    await time.run([time.sleep(PRUNE_EVERY_SECONDS + 1)])
    await time.run([_send(time, limits, "newcomer", log)])
    assert limits.chats == 1
