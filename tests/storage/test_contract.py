"""What the storage promises, checked on SQLite and on PostgreSQL alike.

One contract class; the ``database`` fixture (tests/storage/conftest.py) runs every test once per
backend, each on a fresh database migrated from empty.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import create_engine, session_factory
from storage.migrate import MIGRATIONS, upgrade
from storage.models import (
    AnswerChange,
    Base,
    Conversation,
    Evidence,
    InboxMessage,
    Invite,
    Member,
    Report,
    Unit,
)
from storage.repositories import hash_invite
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.storage.conftest import Database

NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TABLES = {
    "alembic_version",
    "answer_changes",
    "answers",
    "artifacts",
    "audit_log",
    "campaigns",
    "conversations",
    "evidence",
    "inbox",
    "invites",
    "jobs",
    "members",
    "nominations",
    "outbox",
    "reminder_log",
    "reports",
    "rollups",
    "units",
}


async def count(uow: UnitOfWork, model: type[Any]) -> int:
    return int((await uow.session.execute(select(func.count()).select_from(model))).scalar_one())


async def a_school(uows: UnitOfWorkFactory, code: str = "THCS-01") -> tuple[int, Unit]:
    """The 2023 campaign's id and a committed school."""
    async with uows() as uow:
        campaign = await uow.campaigns.ensure(2023, "Học tập suốt đời", "school-2023")
        school = await uow.units.add(code, "Trường THCS Kim Long", "school", None, NOW)
        await uow.commit()
    return campaign.id, school


async def a_member(uows: UnitOfWorkFactory, unit: Unit, user_id: str = "1001") -> Member:
    async with uows() as uow:
        member = await uow.members.bind(
            "telegram", user_id, user_id, "Cô Lan", unit, "reporter", NOW
        )
        await uow.commit()
    return member


async def add_invite(
    uows: UnitOfWorkFactory, unit: Unit, code: str, *, days: int = 30, max_uses: int = 5
) -> None:
    async with uows() as uow:
        await uow.invites.add(code, unit, "reporter", NOW + timedelta(days=days), max_uses, NOW)
        await uow.commit()


async def inbox_add(uow: UnitOfWork, external_id: str, platform: str = "telegram") -> int | None:
    return await uow.inbox.add(platform, external_id, "1001", "1001", {"text": "xin chào"}, NOW)


def evidence_row(report_id: int, sha256: str) -> Evidence:
    return Evidence(
        report_id=report_id,
        sha256=sha256,
        stored_key=f"{sha256[:2]}/{sha256}.jpg",
        mime="image/jpeg",
        size=1234,
        created_at=NOW,
    )


WIDEN_UNIT_NAMES = '''"""widen unit names (SQLite rebuilds the table for this)"""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.alter_column("name", type_=sa.String(300), existing_type=sa.String(255))
'''

FORGET_UNITS = '''"""a careless migration that deletes units members still belong to"""
from alembic import op

revision = "0099"
down_revision = "0007"


def upgrade() -> None:
    op.execute("DELETE FROM units")
'''


def migrations_plus(tmp_path: Path, script: str) -> Path:
    """A copy of our migrations with one more revision after them."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0099_next.py").write_text(script, encoding="utf-8")
    return folder


def schema_drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


class TestStorageContract:
    # -- schema -----------------------------------------------------------------------------

    async def test_migrations_build_every_table_from_an_empty_database(
        self, database: Database
    ) -> None:
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            drift = await connection.run_sync(schema_drift)

        assert tables == TABLES
        assert version.scalars().all() == ["0007"]
        assert drift == [], "the models and the migrations disagree; add a migration"

    async def test_starting_again_on_a_migrated_database_keeps_the_data(
        self, database: Database
    ) -> None:
        await a_school(database.uows)

        await upgrade(database.engine)
        restarted = create_engine(database.url)
        try:
            await upgrade(restarted)
            async with UnitOfWorkFactory(session_factory(restarted))() as uow:
                assert [unit.code for unit in await uow.units.all()] == ["THCS-01"]
                version = await uow.session.execute(
                    text("SELECT version_num FROM alembic_version")
                )
                assert version.scalars().all() == ["0007"]
        finally:
            await restarted.dispose()

    async def test_a_later_migration_that_rebuilds_a_table_keeps_what_points_at_it(
        self, database: Database, tmp_path: Path
    ) -> None:
        campaign, school = await a_school(database.uows)
        member = await a_member(database.uows, school)
        async with database.uows() as uow:
            await uow.reports.open_for(campaign, school.id, NOW)
            await uow.commit()

        await upgrade(database.engine, migrations=migrations_plus(tmp_path, WIDEN_UNIT_NAMES))

        async with database.uows() as uow:
            version = await uow.session.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalars().all() == ["0099"]
            assert [m.id for m in await uow.members.of_unit(school.id)] == [member.id]
            assert await uow.reports.find(campaign, school.id) is not None
            await uow.units.add("X", "x" * 300, "school", None, NOW)
            await uow.commit()
        with pytest.raises(IntegrityError):  # foreign keys are enforced again afterwards
            async with database.uows() as uow:
                uow.session.add(
                    Unit(code="Y", name="Y", kind="school", parent_id=9999, created_at=NOW)
                )
                await uow.commit()

    async def test_a_migration_that_would_orphan_members_changes_nothing(
        self, database: Database, tmp_path: Path
    ) -> None:
        _campaign, school = await a_school(database.uows)
        await a_member(database.uows, school)

        with pytest.raises((IntegrityError, RuntimeError)):
            await upgrade(database.engine, migrations=migrations_plus(tmp_path, FORGET_UNITS))

        async with database.uows() as uow:
            version = await uow.session.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalars().all() == ["0007"]
            assert await uow.units.by_code("THCS-01") is not None

    # -- units ------------------------------------------------------------------------------

    async def test_a_school_sits_under_its_commune_and_district(self, database: Database) -> None:
        async with database.uows() as uow:
            district = await uow.units.add("H-PV", "Huyện Phong Vân", "district", None, NOW)
            commune = await uow.units.add("X-KL", "Xã Kim Long", "commune", district, NOW)
            await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", commune, NOW)
            await uow.commit()

        async with database.uows() as uow:
            school = await uow.units.by_code("THCS-01")
            assert school is not None and school.parent_id is not None
            parent = await uow.units.get(school.parent_id)
            assert parent.parent_id is not None
            grandparent = await uow.units.get(parent.parent_id)
            assert (parent.name, grandparent.name) == ("Xã Kim Long", "Huyện Phong Vân")
            assert grandparent.parent_id is None
            assert await uow.units.count() == 3
            assert [u.code for u in await uow.units.all()] == ["H-PV", "THCS-01", "X-KL"]

    async def test_a_unit_cannot_point_at_a_missing_parent(self, database: Database) -> None:
        with pytest.raises(IntegrityError):
            async with database.uows() as uow:
                uow.session.add(
                    Unit(code="X", name="X", kind="school", parent_id=9999, created_at=NOW)
                )
                await uow.commit()

    async def test_two_units_cannot_share_a_code(self, database: Database) -> None:
        await a_school(database.uows)

        with pytest.raises(IntegrityError):
            async with database.uows() as uow:
                await uow.units.add("THCS-01", "Trường khác", "school", None, NOW)

    async def test_an_unknown_unit_is_reported_as_missing(self, database: Database) -> None:
        async with database.uows() as uow:
            assert await uow.units.by_code("KHONG-CO") is None
            with pytest.raises(LookupError):
                await uow.units.get(9999)

    # -- invites ----------------------------------------------------------------------------

    async def test_an_invite_code_is_stored_only_as_its_hash(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA")

        async with database.uows() as uow:
            rows = (await uow.session.execute(text("SELECT * FROM invites"))).all()
        stored = " ".join(str(value) for row in rows for value in row)
        assert "KL-7Q2M-9XPA" not in stored
        assert hash_invite("KL-7Q2M-9XPA") == hashlib.sha256(b"KL-7Q2M-9XPA").hexdigest()
        assert hash_invite("KL-7Q2M-9XPA") in stored

    async def test_a_fresh_invite_lets_a_teacher_in(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA")

        async with database.uows() as uow:
            invite = await uow.invites.usable("KL-7Q2M-9XPA", NOW)
            assert invite is not None
            assert (invite.unit_id, invite.role) == (school.id, "reporter")
            assert await uow.invites.usable("KL-0000-0000", NOW) is None

    async def test_an_expired_invite_is_refused(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA", days=7)

        async with database.uows() as uow:
            just_before = NOW + timedelta(days=7) - timedelta(seconds=1)
            assert await uow.invites.usable("KL-7Q2M-9XPA", just_before) is not None
            assert await uow.invites.usable("KL-7Q2M-9XPA", NOW + timedelta(days=7)) is None

    async def test_a_used_up_invite_is_refused(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA", max_uses=2)

        for _ in range(2):
            async with database.uows() as uow:
                invite = await uow.invites.usable("KL-7Q2M-9XPA", NOW)
                assert invite is not None
                invite.uses += 1
                await uow.commit()

        async with database.uows() as uow:
            assert await uow.invites.usable("KL-7Q2M-9XPA", NOW) is None

    async def test_a_revoked_invite_is_refused(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA")
        async with database.uows() as uow:
            invite = (await uow.session.execute(select(Invite))).scalar_one()
            invite.revoked_at = NOW
            await uow.commit()

        async with database.uows() as uow:
            assert await uow.invites.usable("KL-7Q2M-9XPA", NOW) is None

    async def test_a_one_use_invite_sent_by_two_people_at_once_admits_one(
        self, database: Database
    ) -> None:
        _campaign, school = await a_school(database.uows)
        await add_invite(database.uows, school, "KL-7Q2M-9XPA", max_uses=1)

        async def join(user_id: str) -> bool:
            async with database.uows() as uow:
                invite = await uow.invites.usable("KL-7Q2M-9XPA", NOW)
                if invite is None:
                    return False
                invite.uses += 1
                await uow.members.bind("zalo", user_id, user_id, None, school, invite.role, NOW)
                await asyncio.sleep(0.1)  # hold the lock while the other one arrives
                await uow.commit()
                return True

        admitted = await asyncio.gather(join("a"), join("b"))

        assert sorted(admitted) == [False, True]
        async with database.uows() as uow:
            assert len(await uow.members.of_unit(school.id)) == 1

    # -- members ----------------------------------------------------------------------------

    async def test_joining_again_moves_the_person_to_the_new_unit(
        self, database: Database
    ) -> None:
        _campaign, first = await a_school(database.uows, "THCS-01")
        _campaign, second = await a_school(database.uows, "THCS-02")
        await a_member(database.uows, first)

        async with database.uows() as uow:
            await uow.members.bind("telegram", "1001", "55", "Cô Lan Anh", second, "lead", NOW)
            await uow.commit()

        async with database.uows() as uow:
            assert await count(uow, Member) == 1
            member = await uow.members.find("telegram", "1001")
            assert member is not None
            assert (member.unit_id, member.role) == (second.id, "lead")
            assert (member.chat_id, member.display_name) == ("55", "Cô Lan Anh")
            assert await uow.members.of_unit(first.id) == []
            assert [m.id for m in await uow.members.of_unit(second.id)] == [member.id]

    async def test_the_same_user_id_on_another_platform_is_another_person(
        self, database: Database
    ) -> None:
        _campaign, school = await a_school(database.uows)
        async with database.uows() as uow:
            await uow.members.bind("telegram", "1001", "1001", None, school, "reporter", NOW)
            await uow.members.bind("zalo", "1001", "1001", None, school, "reporter", NOW)
            await uow.commit()

        async with database.uows() as uow:
            assert len(await uow.members.of_unit(school.id)) == 2
            assert await uow.members.find("console", "1001") is None

    async def test_a_person_cannot_be_stored_twice_on_one_platform(
        self, database: Database
    ) -> None:
        _campaign, school = await a_school(database.uows)
        await a_member(database.uows, school)

        with pytest.raises(IntegrityError):
            async with database.uows() as uow:
                uow.session.add(
                    Member(
                        platform="telegram",
                        user_id="1001",
                        chat_id="1001",
                        unit_id=school.id,
                        role="reporter",
                        joined_at=NOW,
                    )
                )
                await uow.commit()

    # -- reports ----------------------------------------------------------------------------

    async def test_opening_a_report_twice_gives_the_same_draft(self, database: Database) -> None:
        campaign, school = await a_school(database.uows)

        async with database.uows() as uow:
            first = await uow.reports.open_for(campaign, school.id, NOW)
            await uow.commit()
        async with database.uows() as uow:
            again = await uow.reports.open_for(campaign, school.id, NOW + timedelta(hours=1))
            assert await count(uow, Report) == 1

        assert again.id == first.id
        assert (again.status, again.revision) == ("draft", 0)
        assert again.created_at == NOW

    async def test_two_reporters_of_one_school_starting_at_once_share_one_report(
        self, database: Database
    ) -> None:
        campaign, school = await a_school(database.uows)

        async def start() -> int:
            async with database.uows() as uow:
                report = await uow.reports.open_for(campaign, school.id, NOW)
                await asyncio.sleep(0.1)  # the other reporter arrives meanwhile
                await uow.commit()
                return report.id

        ids = await asyncio.gather(start(), start())

        assert ids[0] == ids[1]
        async with database.uows() as uow:
            assert await count(uow, Report) == 1
            assert await uow.reports.find(campaign, school.id) is not None

    async def test_a_corrected_answer_keeps_the_new_value_and_the_whole_history(
        self, database: Database
    ) -> None:
        campaign, school = await a_school(database.uows)
        lan = await a_member(database.uows, school, "1001")
        minh = await a_member(database.uows, school, "1002")
        later = NOW + timedelta(minutes=5)

        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, NOW)
            inbox_id = await inbox_add(uow, "m-1")
            await uow.reports.set_answer(
                report, "1.3:people", value_int=120, member_id=lan.id, inbox_id=inbox_id, now=NOW
            )
            await uow.commit()
        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, later)
            await uow.reports.set_answer(
                report, "1.3:people", value_int=125, member_id=minh.id, inbox_id=None, now=later
            )
            await uow.reports.set_answer(
                report,
                "note",
                value_text="Có ảnh kèm theo",
                member_id=minh.id,
                inbox_id=None,
                now=later,
            )
            await uow.commit()

        async with database.uows() as uow:
            answers = await uow.reports.answers(report.id)
            history = await uow.reports.history(report.id)
            stored = await uow.reports.find(campaign, school.id)
        assert set(answers) == {"1.3:people", "note"}
        assert (answers["1.3:people"].value_int, answers["1.3:people"].member_id) == (125, minh.id)
        assert answers["note"].value_text == "Có ảnh kèm theo"
        assert [(c.key, c.value_int, c.member_id, c.inbox_id, c.at) for c in history] == [
            ("1.3:people", 120, lan.id, inbox_id, NOW),
            ("1.3:people", 125, minh.id, None, later),
            ("note", None, minh.id, None, later),
        ]
        assert stored is not None and stored.updated_at == later

    async def test_a_count_of_a_trillion_dong_survives_the_round_trip(
        self, database: Database
    ) -> None:
        campaign, school = await a_school(database.uows)
        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, NOW)
            await uow.reports.set_answer(
                report, "4:money", value_int=10**12, member_id=None, inbox_id=None, now=NOW
            )
            big = evidence_row(report.id, "a" * 64)
            big.size = 5 * 2**31
            await uow.reports.add_evidence(big)
            await uow.commit()

        async with database.uows() as uow:
            answers = await uow.reports.answers(report.id)
            history = await uow.reports.history(report.id)
            evidence = await uow.reports.evidence(report.id)
        assert answers["4:money"].value_int == 10**12
        assert history[0].value_int == 10**12
        assert evidence[0].size == 5 * 2**31

    async def test_the_opening_date_is_kept(self, database: Database) -> None:
        campaign, school = await a_school(database.uows)
        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, NOW)
            await uow.reports.set_opening(report, date(2023, 10, 2))
            await uow.commit()

        async with database.uows() as uow:
            stored = await uow.reports.find(campaign, school.id)
        assert stored is not None and stored.opening_date == date(2023, 10, 2)

    # -- evidence ---------------------------------------------------------------------------

    async def test_the_same_photo_is_attached_to_a_report_only_once(
        self, database: Database
    ) -> None:
        campaign, school = await a_school(database.uows, "THCS-01")
        _campaign, other = await a_school(database.uows, "THCS-02")
        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, NOW)
            other_report = await uow.reports.open_for(campaign, other.id, NOW)
            await uow.reports.add_evidence(evidence_row(report.id, "b" * 64))
            await uow.reports.add_evidence(evidence_row(other_report.id, "b" * 64))
            await uow.commit()

        with pytest.raises(IntegrityError):
            async with database.uows() as uow:
                await uow.reports.add_evidence(evidence_row(report.id, "b" * 64))

        async with database.uows() as uow:
            assert len(await uow.reports.evidence(report.id)) == 1
            assert len(await uow.reports.evidence(other_report.id)) == 1

    async def test_a_removed_photo_is_gone_from_the_report(self, database: Database) -> None:
        campaign, school = await a_school(database.uows)
        async with database.uows() as uow:
            report = await uow.reports.open_for(campaign, school.id, NOW)
            await uow.reports.add_evidence(evidence_row(report.id, "c" * 64))
            await uow.reports.add_evidence(evidence_row(report.id, "d" * 64))
            await uow.commit()

        async with database.uows() as uow:
            first, _second = await uow.reports.evidence(report.id)
            await uow.reports.remove_evidence(first)
            await uow.commit()

        async with database.uows() as uow:
            assert [e.sha256 for e in await uow.reports.evidence(report.id)] == ["d" * 64]

    # -- conversations and campaigns --------------------------------------------------------

    async def test_a_new_person_starts_at_the_beginning_once(self, database: Database) -> None:
        async def load() -> int:
            async with database.uows() as uow:
                conversation = await uow.conversations.load("telegram", "1001", NOW)
                await asyncio.sleep(0.1)
                await uow.commit()
                return conversation.id

        ids = await asyncio.gather(load(), load())

        assert ids[0] == ids[1]
        async with database.uows() as uow:
            conversation = await uow.conversations.load("telegram", "1001", NOW)
            assert (conversation.step, conversation.data, conversation.version) == ("start", {}, 0)
            assert await count(uow, Conversation) == 1

    async def test_where_a_person_stands_survives_with_vietnamese_text(
        self, database: Database
    ) -> None:
        async with database.uows() as uow:
            conversation = await uow.conversations.load("zalo", "42", NOW)
            conversation.step = "ask_count"
            conversation.data = {"item": "1.3", "ghi chú": "Trường THCS Kim Long", "n": [1, 2]}
            conversation.version += 1
            await uow.commit()

        async with database.uows() as uow:
            again = await uow.conversations.load("zalo", "42", NOW)
        assert again.step == "ask_count"
        assert again.data == {"item": "1.3", "ghi chú": "Trường THCS Kim Long", "n": [1, 2]}
        assert again.version == 1

    async def test_a_campaign_row_is_made_once_and_follows_its_data_file(
        self, database: Database
    ) -> None:
        async with database.uows() as uow:
            first = await uow.campaigns.ensure(2023, "Chủ đề cũ", "school-2023")
            await uow.commit()
        async with database.uows() as uow:
            again = await uow.campaigns.ensure(2023, "Chủ đề mới", "school-2023b")
            await uow.commit()

        async with database.uows() as uow:
            stored = await uow.campaigns.ensure(2023, "Chủ đề mới", "school-2023b")
        assert first.id == again.id == stored.id
        assert (stored.theme, stored.form_code) == ("Chủ đề mới", "school-2023b")

    # -- inbox ------------------------------------------------------------------------------

    async def test_a_message_delivered_twice_is_stored_once(self, database: Database) -> None:
        async with database.uows() as uow:
            first = await inbox_add(uow, "update-7")
            await uow.commit()
        async with database.uows() as uow:
            second = await inbox_add(uow, "update-7")
            other_platform = await inbox_add(uow, "update-7", platform="zalo")
            await uow.commit()

        assert isinstance(first, int)
        assert second is None
        assert isinstance(other_platform, int) and other_platform != first

    async def test_a_message_delivered_twice_at_once_is_stored_once(
        self, database: Database
    ) -> None:
        async def receive() -> int | None:
            async with database.uows() as uow:
                inbox_id = await inbox_add(uow, "update-8")
                await asyncio.sleep(0.1)  # the duplicate arrives before this one commits
                await uow.commit()
                return inbox_id

        results = await asyncio.gather(receive(), receive())

        assert results.count(None) == 1
        async with database.uows() as uow:
            assert await count(uow, InboxMessage) == 1

    async def test_a_processed_message_is_not_processed_again(self, database: Database) -> None:
        async with database.uows() as uow:
            inbox_id = await inbox_add(uow, "update-9")
            await uow.commit()
        assert inbox_id is not None

        async with database.uows() as uow:
            assert await uow.inbox.hold(inbox_id) == NOW
            message = await uow.inbox.get(inbox_id)
            assert message is not None
            assert message.payload == {"text": "xin chào"}
            await uow.inbox.mark_done(inbox_id, NOW + timedelta(seconds=1))
            await uow.commit()

        async with database.uows() as uow:
            assert await uow.inbox.hold(inbox_id) is None
            assert await uow.inbox.pending("telegram") == []
            done = await uow.session.get(InboxMessage, inbox_id)
        assert done is not None
        assert (done.status, done.processed_at) == ("done", NOW + timedelta(seconds=1))

    async def test_a_message_that_keeps_failing_is_set_aside(self, database: Database) -> None:
        async with database.uows() as uow:
            inbox_id = await inbox_add(uow, "update-10")
            await uow.commit()
        assert inbox_id is not None

        verdicts = []
        for attempt in range(3):
            async with database.uows() as uow:
                verdicts.append(await uow.inbox.record_failure(inbox_id, f"lỗi {attempt}", 3))
                await uow.commit()

        assert verdicts == [False, False, True]
        async with database.uows() as uow:
            message = await uow.session.get(InboxMessage, inbox_id)
            assert message is not None
            assert (message.status, message.attempts, message.last_error) == ("failed", 3, "lỗi 2")
            assert await uow.inbox.hold(inbox_id) is None
            assert await uow.inbox.pending("telegram") == []
            assert await uow.inbox.record_failure(9999, "biến mất", 3) is True

    async def test_a_very_long_error_is_cut_short(self, database: Database) -> None:
        async with database.uows() as uow:
            inbox_id = await inbox_add(uow, "update-11")
            assert inbox_id is not None
            await uow.inbox.record_failure(inbox_id, "x" * 10_000, 5)
            await uow.commit()

        async with database.uows() as uow:
            message = await uow.session.get(InboxMessage, inbox_id)
        assert message is not None and message.last_error == "x" * 2000
        assert message.status == "pending"

    async def test_waiting_messages_are_listed_oldest_first_per_platform(
        self, database: Database
    ) -> None:
        async with database.uows() as uow:
            ids = [await inbox_add(uow, f"u-{n}") for n in range(4)]
            await inbox_add(uow, "z-1", platform="zalo")
            await uow.commit()
        async with database.uows() as uow:
            assert await uow.inbox.hold(ids[1] or 0) is not None
            await uow.inbox.mark_done(ids[1] or 0, NOW)
            await uow.inbox.record_failure(ids[2] or 0, "hỏng", 1)
            await uow.commit()

        async with database.uows() as uow:
            pending = await uow.inbox.pending("telegram")
            limited = await uow.inbox.pending("telegram", limit=1)
        assert [m.id for m in pending] == [ids[0], ids[3]]
        assert [m.id for m in limited] == [ids[0]]

    # -- the unit of work -------------------------------------------------------------------

    async def test_nothing_is_saved_without_commit(self, database: Database) -> None:
        async with database.uows() as uow:
            await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, NOW)
            assert await uow.units.count() == 1

        async with database.uows() as uow:
            assert await uow.units.count() == 0

    async def test_a_failure_inside_the_block_saves_nothing(self, database: Database) -> None:
        with pytest.raises(RuntimeError, match="mất điện"):
            async with database.uows() as uow:
                await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, NOW)
                raise RuntimeError("mất điện")

        async with database.uows() as uow:
            assert await uow.units.by_code("THCS-01") is None

    async def test_work_after_a_commit_is_dropped_when_the_block_ends(
        self, database: Database
    ) -> None:
        async with database.uows() as uow:
            await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, NOW)
            await uow.commit()
            await uow.units.add("THCS-02", "Trường THCS Kim Sơn", "school", None, NOW)

        async with database.uows() as uow:
            assert [u.code for u in await uow.units.all()] == ["THCS-01"]

    async def test_what_was_read_stays_readable_after_the_block(self, database: Database) -> None:
        campaign, school = await a_school(database.uows)
        async with database.uows() as uow:
            unit = await uow.units.get(school.id)
            report = await uow.reports.open_for(campaign, school.id, NOW)
            await uow.commit()
        async with database.uows() as uow:
            read_only = await uow.units.by_code("THCS-01")

        assert (unit.name, unit.created_at) == ("Trường THCS Kim Long", NOW)
        assert (report.status, report.updated_at) == ("draft", NOW)
        assert read_only is not None and read_only.kind == "school"

    async def test_a_unit_of_work_is_unusable_outside_its_block(self, database: Database) -> None:
        uow = database.uows()
        with pytest.raises(RuntimeError, match="outside"):
            await uow.commit()
        async with uow:
            with pytest.raises(RuntimeError, match="already open"):
                await uow.__aenter__()
        with pytest.raises(RuntimeError, match="outside"):
            await uow.commit()

    # -- time -------------------------------------------------------------------------------

    async def test_times_come_back_in_utc_whatever_zone_they_were_given_in(
        self, database: Database
    ) -> None:
        hanoi_morning = datetime(2023, 10, 9, 10, 0, 0, 123456, tzinfo=HANOI)
        async with database.uows() as uow:
            campaign = await uow.campaigns.ensure(2023, "Học tập suốt đời", "school-2023")
            await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, hanoi_morning)
            await uow.commit()
        async with database.uows() as uow:
            school = await uow.units.by_code("THCS-01")
            assert school is not None
            await uow.reports.open_for(campaign.id, school.id, hanoi_morning)  # a core insert
            await uow.commit()

        async with database.uows() as uow:
            unit = await uow.units.by_code("THCS-01")
            report = await uow.reports.find(campaign.id, school.id)
        assert unit is not None and report is not None
        for stamp in (unit.created_at, report.created_at, report.updated_at):
            assert stamp == hanoi_morning
            assert stamp.tzinfo is UTC
            assert (stamp.hour, stamp.microsecond) == (3, 123456)

    async def test_times_are_compared_as_instants_not_as_text(self, database: Database) -> None:
        _campaign, school = await a_school(database.uows)
        # 08:00 in Hà Nội is 01:00 UTC: already past at 02:00 UTC.
        expires = datetime(2023, 10, 9, 8, 0, tzinfo=HANOI)
        async with database.uows() as uow:
            await uow.invites.add("KL-7Q2M-9XPA", school, "reporter", expires, 5, NOW)
            await uow.commit()

        async with database.uows() as uow:
            invite = (
                await uow.session.execute(
                    select(Invite).where(Invite.expires_at > datetime(2023, 10, 9, 2, tzinfo=UTC))
                )
            ).scalar_one_or_none()
            earlier = (
                await uow.session.execute(
                    select(Invite).where(Invite.expires_at > datetime(2023, 10, 9, 0, tzinfo=UTC))
                )
            ).scalar_one_or_none()
        assert invite is None
        assert earlier is not None

    async def test_a_time_without_a_zone_is_refused(self, database: Database) -> None:
        naive = datetime(2023, 10, 9, 10, 0)

        with pytest.raises(StatementError, match="naive datetimes are refused"):
            async with database.uows() as uow:
                await uow.units.add("THCS-01", "Trường THCS Kim Long", "school", None, naive)
        with pytest.raises(StatementError, match="naive datetimes are refused"):
            async with database.uows() as uow:
                await inbox_add(uow, "update-12")
                await uow.inbox.add("telegram", "update-13", "1", "1", {}, naive)

        async with database.uows() as uow:
            assert await uow.units.count() == 0
            assert await count(uow, InboxMessage) == 0
            assert await count(uow, AnswerChange) == 0
