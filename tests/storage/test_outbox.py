"""What the outbox table promises, on SQLite and on PostgreSQL alike.

Messages of one chat are claimed oldest first and never overtake one another; a claim holds
them so a second sender does not send them too; a sent message is not sent again; a reminder's
dedupe key queues it once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.uow import UnitOfWorkFactory
from tests.storage.conftest import Database
from tests.storage.test_contract import a_member, a_school

NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def queue(
    uows: UnitOfWorkFactory,
    chat: str,
    *texts: str,
    at: datetime = NOW,
    step: str | None = None,
    user: str | None = None,
) -> list[int]:
    ids: list[int] = []
    async with uows() as uow:
        for text in texts:
            outbox_id = await uow.outbox.add(
                platform="telegram",
                chat_id=chat,
                user_id=user or chat,
                payload={"text": text},
                kind="reply",
                now=NOW,
                step=step,
                not_before=at,
            )
            assert outbox_id is not None
            ids.append(outbox_id)
        await uow.commit()
    return ids


async def claim(uows: UnitOfWorkFactory, chat: str, now: datetime = NOW) -> list[str]:
    async with uows() as uow:
        rows = await uow.outbox.claim("telegram", chat, now, now + LEASE)
        await uow.commit()
        return [str(row.payload["text"]) for row in rows]


class TestOutboxContract:
    async def test_a_chats_messages_are_claimed_oldest_first_and_only_that_chats(
        self, database: Database
    ) -> None:
        await queue(database.uows, "1", "một", "hai")
        await queue(database.uows, "2", "khác")
        await queue(database.uows, "1", "ba")

        assert await claim(database.uows, "1") == ["một", "hai", "ba"]

    async def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(
        self, database: Database
    ) -> None:
        await queue(database.uows, "1", "một")

        assert await claim(database.uows, "1") == ["một"]
        assert await claim(database.uows, "1") == []
        assert await claim(database.uows, "1", NOW + LEASE) == ["một"]

    async def test_a_later_message_never_overtakes_one_waiting_for_its_retry(
        self, database: Database
    ) -> None:
        first, _second = await queue(database.uows, "1", "một", "hai")
        async with database.uows() as uow:
            await uow.outbox.retry_later(first, "SendFailed: 502", NOW + timedelta(seconds=30))
            await uow.commit()

        assert await claim(database.uows, "1", NOW + timedelta(seconds=5)) == []
        async with database.uows() as uow:
            assert await uow.outbox.due_chats("telegram", NOW + timedelta(seconds=5)) == []
            assert await uow.outbox.due_chats("telegram", NOW + timedelta(seconds=31)) == ["1"]
        assert await claim(database.uows, "1", NOW + timedelta(seconds=31)) == ["một", "hai"]
        async with database.uows() as uow:
            row = await uow.outbox.get(first)
            assert row is not None and row.attempts == 1 and row.last_error == "SendFailed: 502"

    async def test_the_pieces_a_failed_try_sent_are_kept_with_the_message(
        self, database: Database
    ) -> None:
        (first,) = await queue(database.uows, "1", "một")
        async with database.uows() as uow:
            await uow.outbox.retry_later(first, "SendFailed: 502", NOW, pieces_sent=1)
            await uow.commit()
        async with database.uows() as uow:
            await uow.outbox.retry_later(first, "SendFailed: 502", NOW)  # nothing more went
            await uow.commit()
        async with database.uows() as uow:
            (row,) = await uow.outbox.claim("telegram", "1", NOW, NOW + LEASE)
            assert row.payload == {"text": "một", "pieces_sent": 1} and row.attempts == 2

    async def test_two_senders_at_once_never_both_take_a_chats_messages(
        self, database: Database
    ) -> None:
        await queue(database.uows, "1", "một", "hai")

        async with database.uows() as first:
            taken = await first.outbox.claim("telegram", "1", NOW, NOW + LEASE)
            # The second sender asks while the first still holds its transaction open.
            second = asyncio.create_task(claim(database.uows, "1"))
            await asyncio.sleep(0.2)
            await first.commit()
        assert [row.payload["text"] for row in taken] == ["một", "hai"]
        assert await second == []

    async def test_a_sent_message_is_not_claimed_again_and_its_step_is_what_was_seen(
        self, database: Database
    ) -> None:
        (asked,) = await queue(database.uows, "1", "Mục 1.1", step="item:1.1")
        (next_question,) = await queue(database.uows, "1", "Mục 1.2", step="item:1.2")
        async with database.uows() as uow:
            await uow.outbox.mark_sent(asked, NOW)
            await uow.outbox.retry_later(next_question, "SendFailed: 502", NOW)
            await uow.commit()

        assert await claim(database.uows, "1") == ["Mục 1.2"]
        async with database.uows() as uow:
            later = NOW + timedelta(minutes=1)
            assert await uow.outbox.last_sent_step("telegram", "1", later) == "item:1.1"
            earlier = NOW - timedelta(minutes=1)
            assert await uow.outbox.last_sent_step("telegram", "1", earlier) is None

    async def test_a_dedupe_key_queues_a_reminder_once(self, database: Database) -> None:
        async with database.uows() as uow:
            added = [
                await uow.outbox.add(
                    platform="telegram",
                    chat_id="1",
                    user_id="1",
                    payload={"text": "Nhắc báo cáo"},
                    kind="reminder",
                    now=NOW,
                    dedupe_key="2023:THCS-01:deadline",
                )
                for _ in range(2)
            ]
            await uow.commit()
        assert added[0] is not None and added[1] is None
        assert await claim(database.uows, "1") == ["Nhắc báo cáo"]

    async def test_a_person_who_blocked_the_bot_is_marked_and_their_queue_dropped(
        self, database: Database
    ) -> None:
        _campaign, school = await a_school(database.uows)
        await a_member(database.uows, school, "1001")
        (sent,) = await queue(database.uows, "1001", "đã gửi")
        await queue(database.uows, "1001", "chờ", "chờ nữa")
        async with database.uows() as uow:
            await uow.outbox.mark_sent(sent, NOW)
            assert await uow.members.set_unreachable("telegram", "1001", "1001", NOW) == 1
            assert await uow.outbox.skip_chat("telegram", "1001", "unreachable") == 2
            await uow.commit()

        async with database.uows() as uow:
            assert await uow.members.unreachable("telegram", "1001", "1001")
            rows = await uow.outbox.of_chat("telegram", "1001")
            assert [row.status for row in rows] == ["sent", "skipped", "skipped"]
            await uow.members.set_unreachable("telegram", "1001", "1001", None)
            await uow.commit()
        async with database.uows() as uow:
            assert not await uow.members.unreachable("telegram", "1001", "1001")

    async def test_releasing_makes_held_messages_due_at_once(self, database: Database) -> None:
        await queue(database.uows, "1", "một", at=NOW + timedelta(minutes=5))
        assert await claim(database.uows, "1") == []
        async with database.uows() as uow:
            await uow.outbox.release("telegram", NOW)
            await uow.commit()
        assert await claim(database.uows, "1") == ["một"]
