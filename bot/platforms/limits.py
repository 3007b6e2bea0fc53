"""The sending pace: the bot's budget of messages a second, served in order, and each chat's.

Telegram allows a bot about 30 messages a second, and a chat a short burst, then about one a
second; going faster earns 429 with ``retry_after``. ``SendLimits`` keeps under both:

- The bot's budget is a sliding window: at most ``per_second`` sends in any second (plus a small
  margin for the time between our clock and the platform's), the times of the last sends kept;
  bulk sends are spread evenly within it, conversational ones may come in a burst. A token
  bucket of one second's worth let a whole second's sends out at once, then a second's more as
  it refilled: twice the limit within one second, which a platform counting a sliding second
  refuses. The window meets both readings of "30 a second".
- Senders waiting for the budget stand in one queue, served in order by one pacing task: each
  waiter is woken once, when its turn comes, so a thousand chats waiting cost no more than one.
  Conversational replies (to a message the person just sent) go ahead of the bulk (reminders,
  announcements): ``wait(..., urgent=True)``, or every send to a chat ``hurry`` marked.
- A chat's pace is a token bucket (a burst, then a rate) that holds back bulk sends only: a
  reply to a person who is writing goes at once, paced by the person herself (its sends still
  count, so a reminder after it waits). A 429 pauses the chat (or the bot) for ``retry_after``,
  replies included.

Per-chat state is forgotten once the chat is back at rest (a full bucket, no pause, no waiter),
so memory does not grow with every person ever sent to. The clock and the sleep are arguments,
so the pace is tested on a virtual clock.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Our clock and the platform's see a send a little apart (the request's way there, the event
# loop's delays); each second's window is kept this much longer.
MARGIN_SECONDS = 0.03
# Per-chat entries are swept for chats back at rest when the map has grown past this, or
# when the last sweep is this old.
PRUNE_AT = 1024
PRUNE_EVERY_SECONDS = 60.0


@dataclass(slots=True)
class _Stamp:
    """When one send went: set when its turn was given, moved to when the sender went on."""

    at: float


class _Window:
    """At most ``count`` sends in any ``span`` seconds, and a pause after a bot-wide 429.

    Bulk sends are also spread evenly (``span / count`` apart): a whole second's worth at once
    reaches the platform spread by its own queueing, the first of them late, and the send a
    window later (not delayed so) would then be counted within the same second.
    """

    def __init__(self, count: int, span: float) -> None:
        self.count = count
        self.span = span
        self.gap = span / count
        self.sent: deque[_Stamp] = deque()
        self.paused_until = 0.0
        # When the next bulk send is due on an even schedule; one woken late lets the next
        # catch up by a gap, so the lateness of the event loop does not add up.
        self.next_bulk = 0.0

    def delay(self, now: float, urgent: bool) -> float:
        """Seconds until one more send may go (a conversational one may go in a burst)."""
        wait = self.paused_until - now
        if len(self.sent) >= self.count:
            wait = max(wait, self.sent[0].at + self.span - now)
        if not urgent:
            wait = max(wait, self.next_bulk - self.gap - now)
        return max(0.0, wait)

    def take(self, now: float) -> _Stamp:
        self.next_bulk = max(self.next_bulk, now) + self.gap
        stamp = _Stamp(now)
        self.sent.append(stamp)
        if len(self.sent) > self.count:
            self.sent.popleft()
        return stamp


@dataclass(slots=True)
class _Chat:
    """One chat's pace: a token bucket for bulk sends, a 429 pause, and who waits for it."""

    rate: float
    burst: float
    tokens: float
    stamp: float
    paused_until: float = 0.0
    hurried: int = 0  # conversations in progress: their sends go first, without the bucket
    users: int = 0  # sends waiting or going now
    waiter: _Waiter | None = None  # a bulk send queued for the bot's budget
    wake: asyncio.Future[None] | None = None  # a bulk send waiting for the chat's bucket

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def delay(self, now: float, urgent: bool) -> float:
        """Seconds until a send to this chat may go: a pause for all, the bucket for bulk."""
        self.refill(now)
        wait = self.paused_until - now
        if not urgent and self.tokens < 1:
            wait = max(wait, (1 - self.tokens) / self.rate)
        return max(0.0, wait)

    def at_rest(self, now: float) -> bool:
        self.refill(now)
        return (
            self.users == 0
            and self.hurried == 0
            and self.tokens >= self.burst
            and self.paused_until <= now
        )


@dataclass(slots=True)
class _Waiter:
    """A send waiting in the bot's queue; ``future`` gets its stamp when its turn comes."""

    future: asyncio.Future[_Stamp]
    chat: _Chat | None
    urgent: bool = False
    promoted: bool = field(default=False)


class SendLimits:
    """The bot's budget, served in order (conversations first), and each chat's pace.

    Args:
        per_second: sends a second for the whole bot.
        chat_burst: sends a chat may get at once before its rate applies.
        chat_rate: sends a second to one chat, after the burst; None: no per-chat pace.
        margin: seconds added to each second's window (see ``MARGIN_SECONDS``).
        clock, sleep: the time, for tests on a virtual clock.
    """

    def __init__(
        self,
        per_second: float = 30.0,
        *,
        chat_burst: float = 3.0,
        chat_rate: float | None = 1.0,
        margin: float = MARGIN_SECONDS,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        count = max(1, int(per_second))
        self.per_second = per_second
        self._bot = _Window(count, count / per_second + margin)
        self._chat_burst = max(1.0, chat_burst)
        self._chat_rate = chat_rate
        self._clock = clock
        self._sleep = sleep
        self._urgent: deque[_Waiter] = deque()
        self._bulk: deque[_Waiter] = deque()
        self._pacer: asyncio.Task[None] | None = None
        self._chats: dict[str, _Chat] = {}
        self._prune_at = PRUNE_AT
        self._pruned = clock()

    # -- what senders call -----------------------------------------------------------------

    async def wait(self, chat_id: str | None, *, urgent: bool = False) -> None:
        """Waits for this chat's turn, then the bot's; ``None`` for a send to no chat.

        ``urgent``: a reply to a message the person just sent (also implied while the chat is
        ``hurry`` marked): ahead of the bulk, and not held back by the chat's bucket.
        """
        chat = self._chat(chat_id) if chat_id is not None else None
        if chat is None:
            await self._bot_turn(None, urgent)
            return
        chat.users += 1
        try:
            await self._chat_turn(chat, urgent)
            await self._bot_turn(chat, urgent or chat.hurried > 0)
            chat.refill(self._clock())
            chat.tokens = max(0.0, chat.tokens - 1)
        finally:
            chat.users -= 1

    async def paused(self) -> None:
        """Waits out a bot-wide pause (a 429) without taking a send: for requests that are no
        message to a chat (a file lookup, a button's acknowledgement, commands)."""
        while (delay := self._bot.paused_until - self._clock()) > 0:
            await self._sleep(delay)

    def pause(self, chat_id: str | None, seconds: float) -> None:
        """Nothing to this chat (or, with ``None``, from the bot) for ``seconds``: a 429."""
        until = self._clock() + seconds
        if chat_id is None:
            self._bot.paused_until = max(self._bot.paused_until, until)
        else:
            chat = self._chat(chat_id)
            chat.paused_until = max(chat.paused_until, until)

    def hurry(self, chat_id: str) -> None:
        """A conversation with this chat is going on: its sends go first until ``calm``.

        A bulk send to the chat already waiting is moved ahead as well, since the replies are
        behind it in the chat's order.
        """
        chat = self._chat(chat_id)
        chat.hurried += 1
        waiter = chat.waiter
        if waiter is not None and not waiter.future.done() and not waiter.promoted:
            waiter.promoted = True
            self._urgent.append(waiter)  # its place in the bulk queue is skipped when reached
        if chat.wake is not None and not chat.wake.done():
            chat.wake.set_result(None)

    def calm(self, chat_id: str) -> None:
        """The conversation's sends are done (one ``calm`` for each ``hurry``)."""
        chat = self._chats.get(chat_id)
        if chat is not None and chat.hurried > 0:
            chat.hurried -= 1

    @property
    def window_seconds(self) -> float:
        """The span in which at most ``per_second`` sends go (a second, plus the margin)."""
        return self._bot.span

    @property
    def chats(self) -> int:
        """How many chats the limits remember (those not back at rest, and a few more)."""
        return len(self._chats)

    @property
    def waiting(self) -> int:
        """Sends queued for the bot's budget (counted one by one: for tests and reports)."""
        return len({id(w) for w in (*self._urgent, *self._bulk) if not w.future.done()})

    # -- inside ---------------------------------------------------------------------------

    def _chat(self, chat_id: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            now = self._clock()
            if len(self._chats) >= self._prune_at or now - self._pruned >= PRUNE_EVERY_SECONDS:
                self._prune(now)
            rate = self._chat_rate if self._chat_rate is not None else 1e9
            burst = self._chat_burst
            chat = self._chats[chat_id] = _Chat(rate, burst, burst, self._clock())
        return chat

    def _prune(self, now: float) -> None:
        """Forgets the chats back at rest; the next sweep waits until the map doubles."""
        self._chats = {k: c for k, c in self._chats.items() if not c.at_rest(now)}
        self._prune_at = max(PRUNE_AT, 2 * len(self._chats))
        self._pruned = now

    async def _chat_turn(self, chat: _Chat, urgent: bool) -> None:
        """Waits for the chat's pace; a ``hurry`` cuts a bulk wait short."""
        loop = asyncio.get_running_loop()
        while (delay := chat.delay(self._clock(), urgent or chat.hurried > 0)) > 0:
            wake = chat.wake = loop.create_future()
            sleeper = asyncio.ensure_future(self._sleep(delay))
            try:
                await asyncio.wait((sleeper, wake), return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                if chat.wake is wake:
                    chat.wake = None

    async def _bot_turn(self, chat: _Chat | None, urgent: bool) -> None:
        """Takes a send from the bot's budget: at once when free and nobody waits, else in
        the queue (conversations first), woken once by the pacer."""
        now = self._clock()
        if self._next() is None and self._bot.delay(now, urgent) <= 0:
            self._bot.take(now)
            return
        waiter = _Waiter(asyncio.get_running_loop().create_future(), chat, urgent)
        (self._urgent if urgent else self._bulk).append(waiter)
        if chat is not None and not urgent:
            chat.waiter = waiter
        if self._pacer is None or self._pacer.done():
            self._pacer = asyncio.create_task(self._pace())
        try:
            stamp = await waiter.future
        except asyncio.CancelledError:
            if self._next() is None and self._pacer is not None:
                self._pacer.cancel()  # nobody left to pace for: not a task asleep at exit
            raise
        finally:
            if chat is not None and chat.waiter is waiter:
                chat.waiter = None
        # The window counts from when the sender went on, not from when it was woken.
        stamp.at = max(stamp.at, self._clock())

    def _next(self) -> _Waiter | None:
        """The first waiter still waiting, conversations first; those gone are dropped."""
        for queue in (self._urgent, self._bulk):
            while queue and queue[0].future.done():
                queue.popleft()
            if queue:
                return queue[0]
        return None

    async def _pace(self) -> None:
        """Gives the bot's sends out in order, one at a time, as the window allows."""
        while (waiter := self._next()) is not None:
            delay = self._bot.delay(self._clock(), waiter.urgent or waiter.promoted)
            if delay > 0:
                await self._sleep(delay)
                continue
            (self._urgent if self._urgent and self._urgent[0] is waiter else self._bulk).popleft()
            waiter.future.set_result(self._bot.take(self._clock()))
