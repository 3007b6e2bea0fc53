"""What one message costs the database, counted (never timed): a typed answer or a pressed
button is stored in one transaction and processed in one more, with a small, fixed number of
statements. A per-message re-select brought back (the conversation or the report "ensured"
again, the answers read once per key, a read-only claim before the real transaction) fails here.

The figures and how they were measured: bench/notes/hotpath.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.domain.chat import Incoming, Reply, button_data
from bot.engine import Engine
from bot.platforms.dispatch import Delivery
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conversation.helpers import stored_answers, stored_report, walk_answers

# The counts after the hot-path work (bench/notes/hotpath.md: 14 and 9), with one to spare.
TEXT_STATEMENTS = 15
BUTTON_STATEMENTS = 10
TRANSACTIONS = 2  # the inbox row committed before the platform is acknowledged, then the rest
# Delivering one reply: the claim, then its "sent" mark; no last claim that finds nothing.
DELIVERY_STATEMENTS = 4
DELIVERY_TRANSACTIONS = 2


def typed(chat: MemoryChat, *, text: str | None = None, button: str | None = None) -> Incoming:
    """A message from the chat's teacher, as the memory adapter would hand it to the engine."""
    return Incoming(
        platform=chat.platform,
        message_id=uuid.uuid4().hex,
        chat_id=chat.chat_id,
        user_id=chat.user_id,
        user_name=chat.user_name,
        text=text,
        button=button,
    )


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextmanager
def counting(database: AsyncEngine) -> Iterator[Tally]:
    """Counts the statements (BEGIN left out) and the transactions begun on the database."""
    tally = Tally()
    engine = database.sync_engine

    def statement(_c: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):
            tally.statements.append(" ".join(sql.split()[:3]))

    def begin(_connection: Any) -> None:
        tally.transactions += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


async def test_a_typed_answer_costs_two_transactions_and_a_few_statements(
    app: App, chat: MemoryChat
) -> None:
    script, expected = walk_answers(app.engine.campaign, run_every_group=True)
    for text in script[:4]:
        await chat.send(text)
    before = await stored_answers(app, await stored_report(app))

    with counting(app.database) as tally:  # a row counted in classes and people: "11/11005"
        await app.engine.handle(typed(chat, text=script[4]), chat.files)

    assert tally.transactions <= TRANSACTIONS, tally
    assert len(tally.statements) <= TEXT_STATEMENTS, "\n".join(tally.statements)
    after = await stored_answers(app, await stored_report(app))
    added = {key: value for key, value in after.items() if key not in before}
    assert len(added) == 2
    assert added == {key: expected[key] for key in added}


async def test_a_pressed_button_costs_two_transactions_and_a_few_statements(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    shown = chat.last_reply()
    back = next(choice for choice in shown.actions if choice.key == "back")

    with counting(app.database) as tally:
        await app.engine.handle(
            typed(chat, button=button_data(shown.version, back.key)), chat.files
        )

    assert tally.transactions <= TRANSACTIONS, tally
    assert len(tally.statements) <= BUTTON_STATEMENTS, "\n".join(tally.statements)
    (reply,) = await chat.flush()
    assert say.ASK_OPENING in reply.text  # back at the opening ceremony's question


async def test_delivering_one_reply_costs_its_claim_and_its_mark(
    app: App, chat: MemoryChat
) -> None:
    await chat.send("3/10")
    shown = chat.last_reply()
    back = next(choice for choice in shown.actions if choice.key == "back")
    await app.engine.handle(typed(chat, button=button_data(shown.version, back.key)), chat.files)

    with counting(app.database) as tally:
        replies = await chat.flush()

    assert len(replies) == 1 and say.ASK_OPENING in replies[0].text, replies
    assert tally.transactions <= DELIVERY_TRANSACTIONS, tally
    assert len(tally.statements) <= DELIVERY_STATEMENTS, "\n".join(tally.statements)


class QueuesWhileSending:
    """The memory platform, where a notice for the same chat is queued while the first
    message is on its way (another teacher's change, a reminder's tick)."""

    def __init__(self, engine: Engine, chat: MemoryChat, notice: str) -> None:
        self.engine, self.chat, self.notice = engine, chat, notice
        self.received: list[str] = []

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        self.received.append(reply.text)
        if len(self.received) == 1:
            await self.engine.enqueue(
                self.chat.platform, chat_id, Reply(self.notice), user_id=self.chat.user_id
            )


NOTICE = "Thầy/cô có một thông báo mới."


async def test_a_message_queued_while_a_reply_is_sent_goes_in_the_same_flush(
    app: App, chat: MemoryChat
) -> None:
    sender = QueuesWhileSending(app.engine, chat, NOTICE)
    delivery = Delivery(chat.platform, app.engine.outbox, sender, sweep_seconds=3600)
    await delivery.start()
    try:
        await app.engine.handle(typed(chat, text="3/10"), chat.files)
        sent = await delivery.flush(chat.chat_id, urgent=True)
        await delivery.drain()
    finally:
        await delivery.close()

    assert [reply.text for reply in sent][-1] == NOTICE
    assert sender.received.count(NOTICE) == 1
    assert len(sender.received) == len(sent)


async def test_a_message_queued_while_a_background_flush_sends_is_not_left_for_the_sweep(
    app: App, chat: MemoryChat
) -> None:
    sender = QueuesWhileSending(app.engine, chat, NOTICE)
    delivery = Delivery(chat.platform, app.engine.outbox, sender, sweep_seconds=3600)
    await delivery.start()
    try:
        await app.engine.enqueue(chat.platform, chat.chat_id, Reply("Nhắc việc: tuần lễ."))
        await delivery.drain()  # the sweep is an hour away: only the flush itself can send it
        assert sender.received == ["Nhắc việc: tuần lễ.", NOTICE]
    finally:
        await delivery.close()
