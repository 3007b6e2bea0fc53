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
from bot.domain.chat import Incoming, button_data
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from tests.conversation.helpers import stored_answers, stored_report, walk_answers

# The counts after the hot-path work (bench/notes/hotpath.md: 14 and 9), with one to spare.
TEXT_STATEMENTS = 15
BUTTON_STATEMENTS = 10
TRANSACTIONS = 2  # the inbox row committed before the platform is acknowledged, then the rest


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
