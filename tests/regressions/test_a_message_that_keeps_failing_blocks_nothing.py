"""A message whose processing keeps failing is set aside after a few tries, the person is told,
and their next message is answered as usual (it must not block the chat)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.platforms.memory import MemoryChat
from storage.models import InboxMessage
from tests.conversation.helpers import stored_answers, stored_report


async def test_a_message_that_keeps_failing_is_set_aside_and_the_next_is_answered(
    app: App, chat: MemoryChat
) -> None:
    async with app.uows() as uow:
        # A payload an older version might have stored: it no longer reads as a message.
        poison = InboxMessage(
            platform="memory",
            external_id="poison-1",
            user_id=chat.user_id,
            chat_id=chat.chat_id,
            payload={"platform": "memory", "from_a_future_version": True},
            status="pending",
            attempts=0,
            received_at=datetime.now(UTC),
        )
        uow.session.add(poison)
        await uow.commit()
    replies = await app.engine.process(poison.id, chat.files)
    assert len(replies) == 1 and "gặp lỗi" in replies[0].text
    async with app.uows() as uow:
        stored = await uow.session.get(InboxMessage, poison.id)
        assert stored is not None and stored.status == "failed" and stored.attempts == 3
        assert stored.last_error and "TypeError" in stored.last_error
    assert await app.engine.pending("memory") == []

    await chat.send("02/10")
    assert "Mục 1/11" in chat.last_reply().text
    assert (await stored_answers(app, await stored_report(app)))["opening:held"] == 1
