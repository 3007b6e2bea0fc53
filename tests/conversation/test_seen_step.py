"""The engine tells a step which question the person last saw, when it is not the current one.

While the reply carrying the next question is unsent (the platform refused it), the person has
only seen the question before; a text they type then is read against that one
(``Context.seen_step``). The handlers decide what to do with it; this checks the engine's part.
"""

from __future__ import annotations

import pytest

from bot.app import App
from bot.domain.chat import Reply
from bot.engine import core
from bot.platforms.dispatch import Delivery, SendFailed
from bot.platforms.memory import MemoryChat
from handlers.common import Context, Outcome
from tests.conftest import FixedClock


class RefusingSender:
    """A platform answering 502 to every send (a hand-written fake of the Sender port)."""

    async def send(self, chat_id: str, reply: Reply, *, skip_pieces: int = 0) -> None:
        raise SendFailed("502 Bad Gateway")


async def test_a_text_typed_while_the_next_question_is_unsent_is_read_against_the_last_seen(
    app: App, chat: MemoryChat, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    respond = core.respond

    async def noting_what_was_seen(ctx: Context) -> Outcome:
        seen.append(ctx.seen_step)
        return await respond(ctx)

    monkeypatch.setattr(core, "respond", noting_what_was_seen)
    async with app.uows() as uow:
        shown = (await uow.conversations.load("memory", chat.user_id, clock.now())).step

    chat.delivery = Delivery("memory", app.engine.outbox, RefusingSender())
    await chat.send("02/10")  # stored; the reply with the next question is refused
    await chat.send("02/10")  # the teacher, hearing nothing, answers again

    assert seen == [None, shown]
