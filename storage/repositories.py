"""Named queries over the tables. Repositories add and read; they never commit.

The unit of work (``storage/uow.py``) owns the transaction; a repository only works inside it.
Inserts that may race (two reporters of one unit, a duplicated delivery) go through
``insert … on conflict do nothing`` so both SQLite and PostgreSQL settle them without an error.

The statements every incoming message runs are built once, at import, with bound parameters:
building a SQLAlchemy statement (and its cache key) costs more CPU than SQLite takes to run it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Insert,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Answer,
    AnswerChange,
    Artifact,
    AuditEntry,
    CampaignRow,
    Conversation,
    Evidence,
    InboxMessage,
    Invite,
    Job,
    Member,
    Nomination,
    OutboxMessage,
    ReminderLog,
    Report,
    Rollup,
    Unit,
)

_InsertKey = tuple[str, str, tuple[str, ...], str | None]
_inserts: dict[_InsertKey, Insert] = {}


async def _insert_ignore(
    session: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    conflict: Sequence[str],
    returning: Any = None,
) -> Any:
    """Inserts a row unless one with the same ``conflict`` columns exists.

    With ``returning``, gives that column of the inserted row, or None when nothing was inserted.
    The statement (on the table, the values bound at execution) is built once per call site.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"unsupported database dialect {dialect!r}: use SQLite or PostgreSQL")
    column = None if returning is None else str(returning.key)
    key = (dialect, model.__tablename__, tuple(conflict), column)
    statement = _inserts.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = model.__table__
        statement = insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        if column is not None:
            statement = statement.returning(table.c[column])
        _inserts[key] = statement
    result = await session.execute(statement, values)
    return None if column is None else result.scalar_one_or_none()


# The per-message statements, built once (see the module's docstring). Those that load no
# object are written on the tables (Core): the ORM's bookkeeping would only cost CPU.
_members = cast(Table, Member.__table__)
_outbox = cast(Table, OutboxMessage.__table__)
_MEMBER_WITH_UNIT = (
    select(Member, Unit)
    .join(Unit, Member.unit_id == Unit.id)
    .where(Member.platform == bindparam("platform"), Member.user_id == bindparam("user_id"))
)
_MEMBER_UNREACHABLE_BY_USER = select(_members.c.id).where(
    _members.c.platform == bindparam("platform"),
    _members.c.user_id == bindparam("who"),
    _members.c.unreachable_at.is_not(None),
)
_MEMBER_UNREACHABLE_BY_CHAT = select(_members.c.id).where(
    _members.c.platform == bindparam("platform"),
    _members.c.chat_id == bindparam("who"),
    _members.c.unreachable_at.is_not(None),
)
_REPORT_LOCKED = (
    select(Report)
    .where(Report.campaign_id == bindparam("campaign_id"), Report.unit_id == bindparam("unit_id"))
    .with_for_update()
)
_ANSWERS = select(Answer).where(Answer.report_id == bindparam("report_id"))
_CONVERSATION_LOCKED = (
    select(Conversation)
    .where(
        Conversation.platform == bindparam("platform"),
        Conversation.user_id == bindparam("user_id"),
    )
    .with_for_update()
)
_inbox = cast(Table, InboxMessage.__table__)
_INBOX_HOLD = (
    select(_inbox.c.received_at)
    .where(_inbox.c.id == bindparam("id"), _inbox.c.status == "pending")
    .with_for_update()
)
_INBOX_DONE = (
    update(_inbox)
    .where(_inbox.c.id == bindparam("inbox_id"), _inbox.c.status == "pending")
    .values(status="done", processed_at=bindparam("now"))
)


def _outbox_claim() -> Any:
    """The chat's pending rows not held by another worker (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL), each with the chat's oldest pending id, whoever holds that row."""
    other = aliased(OutboxMessage)
    head = (
        select(func.min(other.id))
        .where(
            other.platform == bindparam("platform"),
            other.chat_id == bindparam("chat_id"),
            other.status == "pending",
        )
        .scalar_subquery()
    )
    return (
        select(OutboxMessage, head)
        .where(
            OutboxMessage.platform == bindparam("platform"),
            OutboxMessage.chat_id == bindparam("chat_id"),
            OutboxMessage.status == "pending",
        )
        .order_by(OutboxMessage.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(of=OutboxMessage, skip_locked=True)
    )


_OUTBOX_CLAIM = _outbox_claim()
_OUTBOX_ADD = insert(_outbox).returning(_outbox.c.id)
_OUTBOX_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("outbox_id"))
    .values(status="sent", sent_at=bindparam("now"), attempts=_outbox.c.attempts + 1)
)
_OUTBOX_LAST_SENT_STEP = (
    select(_outbox.c.step)
    .where(
        _outbox.c.platform == bindparam("platform"),
        _outbox.c.user_id == bindparam("user_id"),
        _outbox.c.status == "sent",
        _outbox.c.step.is_not(None),
        _outbox.c.sent_at <= bindparam("by"),
    )
    .order_by(_outbox.c.sent_at.desc(), _outbox.c.id.desc())
    .limit(1)
)


def hash_invite(code: str) -> str:
    """The stored form of an invite code: its sha256, so a leaked table leaks no codes."""
    return hashlib.sha256(code.encode()).hexdigest()


def units_under(root_id: int) -> Any:
    """The ids of a unit and of every unit under it, at any depth, as a recursive CTE.

    UNION (not UNION ALL) stops on a loop in the parent links instead of running forever.
    """
    tree = select(Unit.id).where(Unit.id == root_id).cte("tree", recursive=True)
    below = aliased(Unit)
    return tree.union(select(below.id).where(below.parent_id == tree.c.id))


class Campaigns:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, year: int, theme: str, form_code: str) -> CampaignRow:
        """The row for this campaign year, created or refreshed from its data file."""
        await _insert_ignore(
            self._session,
            CampaignRow,
            {"year": year, "theme": theme, "form_code": form_code},
            ["year"],
        )
        row = (
            await self._session.execute(select(CampaignRow).where(CampaignRow.year == year))
        ).scalar_one()
        row.theme, row.form_code = theme, form_code
        return row

    async def by_year(self, year: int) -> CampaignRow | None:
        """The campaign of that year if the database knows it (it ran with this bot)."""
        return (
            await self._session.execute(select(CampaignRow).where(CampaignRow.year == year))
        ).scalar_one_or_none()


class Units:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        code: str,
        name: str,
        kind: str,
        parent: Unit | None,
        now: datetime,
        contact: str | None = None,
    ) -> Unit:
        unit = Unit(
            code=code,
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            created_at=now,
            contact=contact,
        )
        self._session.add(unit)
        await self._session.flush()
        return unit

    async def update(
        self, unit: Unit, name: str, kind: str, parent_id: int | None, contact: str | None
    ) -> None:
        """Changes a unit's name, kind, parent and contact; written at the commit."""
        unit.name, unit.kind, unit.parent_id, unit.contact = name, kind, parent_id, contact
        await self._session.flush()

    async def by_code(self, code: str) -> Unit | None:
        return (
            await self._session.execute(select(Unit).where(Unit.code == code))
        ).scalar_one_or_none()

    async def get(self, unit_id: int) -> Unit:
        unit = await self._session.get(Unit, unit_id)
        if unit is None:
            raise LookupError(f"unit {unit_id} does not exist")
        return unit

    async def all(self) -> list[Unit]:
        return list((await self._session.execute(select(Unit).order_by(Unit.code))).scalars())

    async def count(self) -> int:
        return int((await self._session.execute(select(func.count(Unit.id)))).scalar_one())

    async def within(self, root_id: int, unit_id: int) -> bool:
        """True when ``unit_id`` is the unit ``root_id`` or lies under it, at any depth."""
        tree = units_under(root_id)
        found = await self._session.execute(select(tree.c.id).where(tree.c.id == unit_id))
        return found.first() is not None

    async def tops(self) -> list[Unit]:
        """The units with no parent: the roots of the tree (a province, usually one)."""
        rows = await self._session.execute(
            select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)
        )
        return list(rows.scalars())

    async def subtree(self, root_id: int) -> list[Unit]:
        """The unit and every unit under it, one query whatever the depth."""
        tree = units_under(root_id)
        rows = await self._session.execute(select(Unit).where(Unit.id.in_(select(tree.c.id))))
        return list(rows.scalars())


class Invites:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, code: str, unit: Unit, role: str, expires_at: datetime, max_uses: int, now: datetime
    ) -> Invite:
        invite = Invite(
            code_hash=hash_invite(code),
            unit_id=unit.id,
            role=role,
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0,
            created_at=now,
        )
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def usable(self, code: str, now: datetime) -> Invite | None:
        """The invite with this code if it is not expired, revoked or used up; locked."""
        invite = (
            await self._session.execute(
                select(Invite).where(Invite.code_hash == hash_invite(code)).with_for_update()
            )
        ).scalar_one_or_none()
        if invite is None or invite.revoked_at is not None:
            return None
        if invite.expires_at <= now or invite.uses >= invite.max_uses:
            return None
        return invite

    async def open_for(self, unit_id: int, now: datetime) -> list[Invite]:
        """The unit's invites that still let someone join: not revoked, expired or used up."""
        rows = await self._session.execute(
            select(Invite)
            .where(
                Invite.unit_id == unit_id,
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
                Invite.uses < Invite.max_uses,
            )
            .order_by(Invite.id)
        )
        return list(rows.scalars())

    async def revoke(self, invite: Invite, now: datetime) -> None:
        """No one joins with this invite from now on."""
        invite.revoked_at = now
        await self._session.flush()


# A membership an admin revoked keeps its row (answers and evidence name it) under this role;
# the person is a stranger again and may join with a new code.
REVOKED = "revoked"


class Members:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, platform: str, user_id: str) -> Member | None:
        """The person's membership, unless it was revoked."""
        member = await self._find_any(platform, user_id)
        return None if member is None or member.role == REVOKED else member

    async def _find_any(self, platform: str, user_id: str) -> Member | None:
        return (
            await self._session.execute(
                select(Member).where(Member.platform == platform, Member.user_id == user_id)
            )
        ).scalar_one_or_none()

    async def find_with_unit(self, platform: str, user_id: str) -> tuple[Member, Unit] | None:
        """The person's membership (unless revoked) and its unit, in one statement."""
        found = (
            await self._session.execute(
                _MEMBER_WITH_UNIT, {"platform": platform, "user_id": user_id}
            )
        ).first()
        if found is None or found[0].role == REVOKED:
            return None
        return found[0], found[1]

    async def get(self, member_id: int) -> Member | None:
        return await self._session.get(Member, member_id)

    async def revoke(self, member: Member) -> None:
        """Ends the membership; the row stays for the record (who sent which answer)."""
        member.role = REVOKED
        await self._session.flush()

    async def admins_of(self, unit_id: int) -> list[Member]:
        """The admins bound to the unit itself (not those of the units above it)."""
        rows = await self._session.execute(
            select(Member).where(Member.unit_id == unit_id, Member.role == "admin")
        )
        return list(rows.scalars())

    async def bind(
        self,
        platform: str,
        user_id: str,
        chat_id: str,
        display_name: str | None,
        unit: Unit,
        role: str,
        now: datetime,
    ) -> Member:
        """Binds the person to the unit, replacing an earlier (or a revoked) binding here."""
        member = await self._find_any(platform, user_id)
        if member is None:
            member = Member(platform=platform, user_id=user_id, joined_at=now)
            self._session.add(member)
        member.chat_id = chat_id
        member.display_name = display_name
        member.unit_id = unit.id
        member.role = role
        await self._session.flush()
        return member

    async def set_unreachable(
        self, platform: str, user_id: str | None, chat_id: str, when: datetime | None
    ) -> int:
        """Marks (or with ``None`` clears) the person as unreachable; how many rows changed."""
        who = Member.user_id == user_id if user_id is not None else Member.chat_id == chat_id
        result = await self._session.execute(
            update(Member).where(Member.platform == platform, who).values(unreachable_at=when)
        )
        return int(cast(Any, result).rowcount or 0)

    async def unreachable(self, platform: str, user_id: str | None, chat_id: str) -> bool:
        """True when the person (or, for a chat-wide message, the chat) blocked the bot."""
        statement, who = (
            (_MEMBER_UNREACHABLE_BY_USER, user_id)
            if user_id is not None
            else (_MEMBER_UNREACHABLE_BY_CHAT, chat_id)
        )
        found = await self._session.execute(statement, {"platform": platform, "who": who})
        return found.first() is not None

    async def of_unit(self, unit_id: int) -> list[Member]:
        """The unit's members (reporters and admins), revoked ones left out."""
        return list(
            (
                await self._session.execute(
                    select(Member)
                    .where(Member.unit_id == unit_id, Member.role != REVOKED)
                    .order_by(Member.id)
                )
            ).scalars()
        )


def _evidence_info() -> Select[Any]:
    """Evidence rows as the exports and the reminders read them: (report id, stored key, mime,
    size and sha256 of the file as kept, received at, the sender's display name), oldest first."""
    return (
        select(
            Evidence.report_id,
            Evidence.stored_key,
            Evidence.mime,
            func.coalesce(Evidence.stored_size, Evidence.size),
            func.coalesce(Evidence.stored_sha256, Evidence.sha256),
            Evidence.created_at,
            Member.display_name,
        )
        .outerjoin(Member, Evidence.member_id == Member.id)
        .order_by(Evidence.id)
    )


class Reports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # Each report's answers as loaded by ``answers`` in this unit of work, kept up to date
        # by ``set_answer``: a message reads them once. Its transaction holds the report (the
        # write lock on SQLite, the row lock on PostgreSQL), so nobody else changes them.
        self._answers: dict[int, dict[str, Answer]] = {}

    async def open_for(self, campaign_id: int, unit_id: int, now: datetime) -> Report:
        """The unit's report for the campaign, created as a draft the first time; locked."""
        found = await self._locked(campaign_id, unit_id)
        if found is not None:
            return found
        await _insert_ignore(
            self._session,
            Report,
            {
                "campaign_id": campaign_id,
                "unit_id": unit_id,
                "status": "draft",
                "created_at": now,
                "updated_at": now,
                "revision": 0,
            },
            ["campaign_id", "unit_id"],
        )
        created = await self._locked(campaign_id, unit_id)
        if created is None:
            raise LookupError(f"the report of unit {unit_id} was neither found nor created")
        return created

    async def _locked(self, campaign_id: int, unit_id: int) -> Report | None:
        return (
            await self._session.execute(
                _REPORT_LOCKED, {"campaign_id": campaign_id, "unit_id": unit_id}
            )
        ).scalar_one_or_none()

    async def find(self, campaign_id: int, unit_id: int) -> Report | None:
        return (
            await self._session.execute(
                select(Report).where(Report.campaign_id == campaign_id, Report.unit_id == unit_id)
            )
        ).scalar_one_or_none()

    async def reopen(
        self, report: Report, note: str | None, member_id: int | None, now: datetime
    ) -> None:
        """Returns a submitted report to its reporters, with what to change and who asked."""
        report.status = "reopened"
        report.reopen_note, report.reopened_by, report.reopened_at = note, member_id, now
        report.updated_at = now
        await self._session.flush()

    async def answers(self, report_id: int) -> dict[str, Answer]:
        """The report's answers by key; read once in a unit of work."""
        loaded = self._answers.get(report_id)
        if loaded is None:
            rows = await self._session.execute(_ANSWERS, {"report_id": report_id})
            loaded = self._answers[report_id] = {answer.key: answer for answer in rows.scalars()}
        return dict(loaded)

    async def set_answer(
        self,
        report: Report,
        key: str,
        *,
        value_int: int | None = None,
        value_text: str | None = None,
        member_id: int | None,
        inbox_id: int | None,
        now: datetime,
    ) -> None:
        """Stores the current value and appends the change to the history (written at the
        commit, or before the next query)."""
        loaded = self._answers.get(report.id)
        if loaded is not None:
            answer = loaded.get(key)
        else:
            answer = (
                await self._session.execute(
                    select(Answer).where(Answer.report_id == report.id, Answer.key == key)
                )
            ).scalar_one_or_none()
        if answer is None:
            answer = Answer(report_id=report.id, key=key)
            self._session.add(answer)
            if loaded is not None:
                loaded[key] = answer
        answer.value_int, answer.value_text = value_int, value_text
        answer.member_id, answer.updated_at = member_id, now
        self._session.add(
            AnswerChange(
                report_id=report.id,
                key=key,
                value_int=value_int,
                value_text=value_text,
                member_id=member_id,
                inbox_id=inbox_id,
                at=now,
            )
        )
        report.updated_at = now

    async def history(self, report_id: int) -> list[AnswerChange]:
        return list(
            (
                await self._session.execute(
                    select(AnswerChange)
                    .where(AnswerChange.report_id == report_id)
                    .order_by(AnswerChange.id)
                )
            ).scalars()
        )

    async def evidence(self, report_id: int) -> list[Evidence]:
        return list(
            (
                await self._session.execute(
                    select(Evidence).where(Evidence.report_id == report_id).order_by(Evidence.id)
                )
            ).scalars()
        )

    async def add_evidence(self, evidence: Evidence) -> None:
        self._session.add(evidence)
        await self._session.flush()

    async def remove_evidence(self, evidence: Evidence) -> None:
        await self._session.delete(evidence)
        await self._session.flush()

    async def set_opening(self, report: Report, opening: date | None) -> None:
        report.opening_date = opening
        await self._session.flush()

    async def of_subtree(self, campaign_id: int, root_id: int) -> list[Report]:
        """The campaign's reports of the unit and of every unit under it."""
        rows = await self._session.execute(
            select(Report).where(
                Report.campaign_id == campaign_id,
                Report.unit_id.in_(select(units_under(root_id).c.id)),
            )
        )
        return list(rows.scalars())

    async def answers_of_subtree(
        self, campaign_id: int, root_id: int
    ) -> list[tuple[int, str, int | None, str | None]]:
        """(report id, key, number, text) of every answer of those reports, as plain rows."""
        rows = await self._session.execute(
            select(Answer.report_id, Answer.key, Answer.value_int, Answer.value_text)
            .join(Report, Answer.report_id == Report.id)
            .where(
                Report.campaign_id == campaign_id,
                Report.unit_id.in_(select(units_under(root_id).c.id)),
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def evidence_of_subtree(
        self, campaign_id: int, root_id: int
    ) -> list[tuple[int, str, str, int, str, datetime, str | None]]:
        """Every evidence file of those reports: (report id, stored key, mime, size and sha256
        of the file as kept, received at, the sender's display name), oldest first."""
        rows = await self._session.execute(
            _evidence_info()
            .join(Report, Evidence.report_id == Report.id)
            .where(
                Report.campaign_id == campaign_id,
                Report.unit_id.in_(select(units_under(root_id).c.id)),
            )
        )
        return [(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6]) for r in rows]

    async def answers_of_reports(
        self, report_ids: Sequence[int]
    ) -> list[tuple[int, str, int | None, str | None]]:
        """The answers of these reports, as ``answers_of_subtree`` gives them."""
        rows = await self._session.execute(
            select(Answer.report_id, Answer.key, Answer.value_int, Answer.value_text).where(
                Answer.report_id.in_(report_ids)
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def evidence_of_reports(
        self, report_ids: Sequence[int]
    ) -> list[tuple[int, str, str, int, str, datetime, str | None]]:
        """The evidence files of these reports, as ``evidence_of_subtree`` gives them."""
        rows = await self._session.execute(
            _evidence_info().where(Evidence.report_id.in_(report_ids))
        )
        return [(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6]) for r in rows]

    async def changes_by_message(self, platform: str, external_id: str) -> list[AnswerChange]:
        """The answer changes one stored message made, found by its platform's dedupe key."""
        rows = await self._session.execute(
            select(AnswerChange)
            .join(InboxMessage, AnswerChange.inbox_id == InboxMessage.id)
            .where(InboxMessage.platform == platform, InboxMessage.external_id == external_id)
            .order_by(AnswerChange.id)
        )
        return list(rows.scalars())


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, platform: str, user_id: str, now: datetime) -> Conversation:
        """This person's conversation, created empty the first time; locked for the message."""
        found = await self._locked(platform, user_id)
        if found is not None:
            return found
        await _insert_ignore(
            self._session,
            Conversation,
            {
                "platform": platform,
                "user_id": user_id,
                "step": "start",
                "data": {},
                "version": 0,
                "updated_at": now,
            },
            ["platform", "user_id"],
        )
        created = await self._locked(platform, user_id)
        if created is None:
            raise LookupError(f"the conversation of {platform}:{user_id} was not created")
        return created

    async def _locked(self, platform: str, user_id: str) -> Conversation | None:
        return (
            await self._session.execute(
                _CONVERSATION_LOCKED, {"platform": platform, "user_id": user_id}
            )
        ).scalar_one_or_none()


class Inbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        platform: str,
        external_id: str,
        user_id: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> int | None:
        """Stores an incoming message; None when it was stored before (a duplicate)."""
        inserted = await _insert_ignore(
            self._session,
            InboxMessage,
            {
                "platform": platform,
                "external_id": external_id,
                "user_id": user_id,
                "chat_id": chat_id,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "received_at": now,
            },
            ["platform", "external_id"],
            returning=InboxMessage.id,
        )
        return None if inserted is None else int(inserted)

    async def hold(self, inbox_id: int) -> datetime | None:
        """When the message arrived, if it still waits to be processed; locked till the end of
        the transaction (on SQLite, the writer's lock holds it)."""
        found = await self._session.execute(_INBOX_HOLD, {"id": inbox_id})
        return found.scalar_one_or_none()

    async def get(self, inbox_id: int) -> InboxMessage | None:
        return await self._session.get(InboxMessage, inbox_id)

    async def pending(self, platform: str, limit: int = 100) -> list[InboxMessage]:
        return list(
            (
                await self._session.execute(
                    select(InboxMessage)
                    .where(InboxMessage.platform == platform, InboxMessage.status == "pending")
                    .order_by(InboxMessage.id)
                    .limit(limit)
                )
            ).scalars()
        )

    async def record_failure(self, inbox_id: int, error: str, give_up_after: int) -> bool:
        """Counts a failed attempt; True when the message is now set aside for good."""
        message = await self._session.get(InboxMessage, inbox_id, with_for_update=True)
        if message is None:
            return True
        message.attempts += 1
        message.last_error = error[:2000]
        if message.attempts >= give_up_after:
            message.status = "failed"
        await self._session.flush()
        return message.status == "failed"

    async def mark_done(self, inbox_id: int, now: datetime) -> None:
        """Marks a waiting message processed."""
        await self._session.execute(_INBOX_DONE, {"inbox_id": inbox_id, "now": now})


# The key of an outbox row's payload that counts the pieces of a long reply already sent (by a
# try that failed on a later piece); ``Reply.from_payload`` ignores it.
PIECES_SENT = "pieces_sent"


class Outbox:
    """Messages to send: written with the change that caused them, sent in order per chat."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        platform: str,
        chat_id: str,
        user_id: str | None,
        payload: dict[str, Any],
        kind: str,
        now: datetime,
        step: str | None = None,
        version: int = 0,
        inbox_id: int | None = None,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
        status: str = "pending",
    ) -> int | None:
        """Queues one message; its id, or None when ``dedupe_key`` was queued before."""
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "user_id": user_id,
            "payload": payload,
            "step": step,
            "version": version,
            "inbox_id": inbox_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "status": status,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
        }
        if dedupe_key is not None:
            inserted = await _insert_ignore(
                self._session, OutboxMessage, values, ["dedupe_key"], returning=OutboxMessage.id
            )
            return None if inserted is None else int(inserted)
        inserted = await self._session.execute(_OUTBOX_ADD, values)
        return int(inserted.scalar_one())

    async def due_chats(self, platform: str, now: datetime, limit: int = 1000) -> list[str]:
        """Chats of this platform whose oldest pending message is due by ``now``."""
        return [chat for chat, _kind in await self.due_heads(platform, now, limit)]

    async def due_heads(
        self, platform: str, now: datetime, limit: int = 1000
    ) -> list[tuple[str, str]]:
        """``due_chats`` with the kind of each chat's oldest pending message (a "reply" to a
        person's message goes ahead of the bulk, whoever finds it)."""
        other = aliased(OutboxMessage)
        head = (
            select(func.min(other.id))
            .where(
                other.platform == OutboxMessage.platform,
                other.chat_id == OutboxMessage.chat_id,
                other.status == "pending",
            )
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.kind)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.id == head,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return [(str(chat), str(kind)) for chat, kind in rows.all()]

    async def claim(
        self, platform: str, chat_id: str, now: datetime, until: datetime, limit: int = 20
    ) -> list[OutboxMessage]:
        """The chat's oldest pending messages, due by ``now``, held until ``until``; in order.

        Empty when the oldest is not due yet or another worker holds it: later messages of a
        chat never overtake an earlier one. On PostgreSQL the rows are taken with ``FOR UPDATE
        SKIP LOCKED``, so workers sharing the table never send the same row at once.
        """
        # One statement: the rows not held by another worker, and the chat's oldest pending
        # id whoever holds it (a row locked elsewhere is skipped, never overtaken).
        found = (
            await self._session.execute(
                _OUTBOX_CLAIM, {"platform": platform, "chat_id": chat_id, "limit": limit}
            )
        ).all()
        if not found or found[0][0].id != found[0][1]:
            return []
        rows = [row for row, _head in found]
        taken: list[OutboxMessage] = []
        for row in rows:
            if row.next_attempt_at > now:
                break
            row.next_attempt_at = until
            taken.append(row)
        await self._session.flush()
        return taken

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        return await self._session.get(OutboxMessage, outbox_id)

    async def mark_sent(self, outbox_id: int, now: datetime) -> None:
        await self._session.execute(_OUTBOX_MARK_SENT, {"outbox_id": outbox_id, "now": now})

    async def retry_later(
        self, outbox_id: int, error: str, at: datetime, *, pieces_sent: int = 0
    ) -> None:
        """Counts a failed send and keeps the message for another try at ``at``.

        ``pieces_sent`` (when above 0) is noted in the payload: the next try skips those pieces.
        """
        values: dict[str, Any] = {
            "attempts": OutboxMessage.attempts + 1,
            "last_error": error[:2000],
            "next_attempt_at": at,
        }
        if pieces_sent > 0:
            payload = (
                await self._session.execute(
                    select(OutboxMessage.payload).where(OutboxMessage.id == outbox_id)
                )
            ).scalar_one_or_none()
            if payload is not None:
                values["payload"] = {**payload, PIECES_SENT: pieces_sent}
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "pending")
            .values(**values)
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """A send the platform refused for good (a bad request): later messages go on."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(status="failed", attempts=OutboxMessage.attempts + 1, last_error=error[:2000])
        )

    async def skip(self, ids: Sequence[int]) -> None:
        """Marks these pending messages as not to be sent (superseded by a later one)."""
        if ids:
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "pending")
                .values(status="skipped")
            )

    async def skip_chat(self, platform: str, chat_id: str, reason: str) -> int:
        """Marks every pending message of the chat as not to be sent; how many."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.status == "pending",
            )
            .values(status="skipped", last_error=reason)
        )
        return int(cast(Any, result).rowcount or 0)

    async def due_now(self, ids: Sequence[int], now: datetime) -> None:
        """Makes these pending messages due at once (claimed, then not sent)."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "pending")
            .values(next_attempt_at=now)
        )

    async def release(self, platform: str, now: datetime) -> None:
        """Makes every pending message due now: at the start of the only process sending."""
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
        )

    async def last_sent_step(self, platform: str, user_id: str, by: datetime) -> str | None:
        """The step shown by the person's latest message that was sent at or before ``by``."""
        return (
            await self._session.execute(
                _OUTBOX_LAST_SENT_STEP, {"platform": platform, "user_id": user_id, "by": by}
            )
        ).scalar_one_or_none()

    async def of_chat(self, platform: str, chat_id: str) -> list[OutboxMessage]:
        """Every message of the chat, oldest first."""
        return list(
            (
                await self._session.execute(
                    select(OutboxMessage)
                    .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id)
                    .order_by(OutboxMessage.id)
                )
            ).scalars()
        )


class Nominations:
    """The collectives and people a report proposes for commendation."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_report(self, report_id: int) -> list[Nomination]:
        return list(
            (
                await self._session.execute(
                    select(Nomination)
                    .where(Nomination.report_id == report_id)
                    .order_by(Nomination.id)
                )
            ).scalars()
        )

    async def add(self, nomination: Nomination) -> Nomination:
        """Stores one nomination; flushed so its place in the list is known at once."""
        self._session.add(nomination)
        await self._session.flush()
        return nomination

    async def remove(self, nomination: Nomination) -> None:
        await self._session.delete(nomination)
        await self._session.flush()

    async def of_subtree(self, campaign_id: int, root_id: int) -> list[Nomination]:
        """The nominations of the campaign's reports under the unit (itself included)."""
        rows = await self._session.execute(
            select(Nomination)
            .join(Report, Nomination.report_id == Report.id)
            .where(
                Report.campaign_id == campaign_id,
                Report.unit_id.in_(select(units_under(root_id).c.id)),
            )
            .order_by(Nomination.id)
        )
        return list(rows.scalars())


class Artifacts:
    """Files made for people, kept under an unguessable token until they expire."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, artifact: Artifact) -> Artifact:
        self._session.add(artifact)
        await self._session.flush()
        return artifact

    async def by_token(self, token: str, now: datetime) -> Artifact | None:
        """The artifact with this token while it has not expired."""
        return (
            await self._session.execute(
                select(Artifact).where(Artifact.token == token, Artifact.expires_at > now)
            )
        ).scalar_one_or_none()

    async def expire_of_member(self, member_id: int, now: datetime) -> int:
        """Ends now the links of the files made for a member whose membership ends (an export
        of an area they no longer administer); how many were still live."""
        result = await self._session.execute(
            update(Artifact)
            .where(Artifact.member_id == member_id, Artifact.expires_at > now)
            .values(expires_at=now)
        )
        return int(cast(Any, result).rowcount or 0)


class Jobs:
    """Long work asked for in a chat, done by a runner outside the conversation."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.added: list[int] = []  # jobs queued in this unit of work: a hint for the runner

    async def add(
        self,
        *,
        kind: str,
        params: dict[str, Any],
        platform: str,
        chat_id: str,
        user_id: str,
        member_id: int | None,
        now: datetime,
        dedupe_key: str | None = None,
    ) -> int | None:
        """Queues a job; its id, or None when ``dedupe_key`` was queued before."""
        values = {
            "kind": kind,
            "params": params,
            "platform": platform,
            "chat_id": chat_id,
            "user_id": user_id,
            "member_id": member_id,
            "status": "pending",
            "progress": 0,
            "attempts": 0,
            "dedupe_key": dedupe_key,
            "created_at": now,
        }
        if dedupe_key is not None:
            inserted = await _insert_ignore(
                self._session, Job, values, ["dedupe_key"], returning=Job.id
            )
            if inserted is not None:
                self.added.append(int(inserted))
            return None if inserted is None else int(inserted)
        row = Job(**values)
        self._session.add(row)
        await self._session.flush()
        self.added.append(row.id)
        return row.id

    async def get(self, job_id: int) -> Job | None:
        return await self._session.get(Job, job_id)

    async def claim(
        self,
        kinds: Collection[str],
        now: datetime,
        until: datetime,
        stamp: datetime,
        platforms: Collection[str] | None = None,
    ) -> Job | None:
        """The oldest job of these kinds (for these platforms) that is due, held until
        ``until``; its try counted.

        Due: pending past its pause, or running with a lease that ran out (its runner died).
        On PostgreSQL the row is taken ``FOR UPDATE SKIP LOCKED``: two runners never take one.
        """
        if not kinds:
            return None
        due = or_(
            and_(Job.status == "pending", or_(Job.lease_until.is_(None), Job.lease_until <= now)),
            and_(Job.status == "running", Job.lease_until <= now),
        )
        row = (
            await self._session.execute(
                select(Job)
                .where(Job.kind.in_(list(kinds)), due, *_on_platforms(platforms))
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        row.status = "running"
        row.lease_until = until
        row.attempts += 1
        if row.started_at is None:
            row.started_at = stamp
        await self._session.flush()
        return row

    async def renew(self, job_id: int, until: datetime) -> None:
        """Keeps a running job's lease."""
        await self._session.execute(
            update(Job).where(Job.id == job_id, Job.status == "running").values(lease_until=until)
        )

    async def set_progress(self, job_id: int, percent: int) -> None:
        await self._session.execute(update(Job).where(Job.id == job_id).values(progress=percent))

    async def finish(self, job_id: int, now: datetime) -> None:
        await self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="done", progress=100, finished_at=now, lease_until=None)
        )

    async def retry_later(self, job_id: int, error: str, at: datetime) -> None:
        """A try that failed: pending again, not before ``at``."""
        await self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="pending", last_error=error[:2000], lease_until=at)
        )

    async def fail(self, job_id: int, error: str, now: datetime) -> None:
        """Gives up on a job."""
        await self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="failed", last_error=error[:2000], finished_at=now, lease_until=None)
        )

    async def release(self, job_id: int) -> None:
        """A job stopped by its runner's stop: pending at once, the try not counted."""
        await self._session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(status="pending", lease_until=None, attempts=Job.attempts - 1)
        )

    async def release_running(self, platforms: Collection[str] | None = None) -> int:
        """Every running job (of these platforms) pending at once: at the start of the only
        process running them. The try that died with the process stays counted."""
        result = await self._session.execute(
            update(Job)
            .where(Job.status == "running", *_on_platforms(platforms))
            .values(status="pending", lease_until=None)
        )
        return int(cast(Any, result).rowcount or 0)

    async def settled(self, dedupe_prefix: str) -> int:
        """How many jobs whose dedupe key starts so are over (done or failed): a request's
        key carries this count, so it is refused while one is pending and free once it ends."""
        found = await self._session.execute(
            select(func.count(Job.id)).where(
                Job.dedupe_key.startswith(dedupe_prefix, autoescape=True),
                Job.status.not_in(("pending", "running")),
            )
        )
        return int(found.scalar_one())


def _on_platforms(platforms: Collection[str] | None) -> list[Any]:
    """The condition "for one of these platforms" (none: every platform)."""
    return [] if platforms is None else [Job.platform.in_(list(platforms))]


class Rollups:
    """Areas' signed-off roll-ups, newest revision last."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest(self, campaign_id: int, unit_id: int) -> Rollup | None:
        return (
            await self._session.execute(
                select(Rollup)
                .where(Rollup.campaign_id == campaign_id, Rollup.unit_id == unit_id)
                .order_by(Rollup.revision.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def add(self, rollup: Rollup) -> Rollup:
        """Stores a new revision; two sign-offs racing for one revision number: one fails, and
        its message is processed again (the next revision)."""
        self._session.add(rollup)
        await self._session.flush()
        return rollup

    async def newest_in_subtree(self, campaign_id: int, root_id: int) -> list[Rollup]:
        """The newest signed roll-up of each unit under the root (itself included) that has one."""
        newest = (
            select(Rollup.unit_id, func.max(Rollup.revision).label("revision"))
            .where(
                Rollup.campaign_id == campaign_id,
                Rollup.unit_id.in_(select(units_under(root_id).c.id)),
            )
            .group_by(Rollup.unit_id)
            .subquery()
        )
        rows = await self._session.execute(
            select(Rollup)
            .join(
                newest,
                (Rollup.unit_id == newest.c.unit_id) & (Rollup.revision == newest.c.revision),
            )
            .where(Rollup.campaign_id == campaign_id)
        )
        return list(rows.scalars())


class Reminders:
    """The reminder log: which member had which planned reminder queued, skipped or dropped."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def audience(self) -> list[Member]:
        """Every member who may be reminded (revoked ones left out), in the order they joined."""
        rows = await self._session.execute(
            select(Member).where(Member.role != REVOKED).order_by(Member.id)
        )
        return list(rows.scalars())

    async def audience_under(self, root_id: int) -> list[Member]:
        """The members of a unit and of every unit under it (an admin's area), revoked ones
        left out."""
        rows = await self._session.execute(
            select(Member)
            .where(Member.role != REVOKED, Member.unit_id.in_(select(units_under(root_id).c.id)))
            .order_by(Member.id)
        )
        return list(rows.scalars())

    async def done(self, year: int) -> set[tuple[str, int]]:
        """(reminder key, member id) of every member the year's reminders settled already."""
        rows = await self._session.execute(
            select(ReminderLog.reminder_key, ReminderLog.member_id).where(
                ReminderLog.campaign_year == year
            )
        )
        return {(key, member_id) for key, member_id in rows.tuples()}

    async def note(
        self,
        year: int,
        key: str,
        member_id: int,
        status: str,
        at: datetime,
        outbox_id: int | None = None,
    ) -> bool:
        """Records what became of the reminder for the member; False when it was recorded."""
        values = {
            "campaign_year": year,
            "reminder_key": key,
            "member_id": member_id,
            "status": status,
            "outbox_id": outbox_id,
            "at": at,
        }
        conflict = ["campaign_year", "reminder_key", "member_id"]
        inserted = await _insert_ignore(
            self._session, ReminderLog, values, conflict, returning=ReminderLog.id
        )
        return inserted is not None

    async def tally(self, year: int) -> dict[str, dict[str, int]]:
        """Per reminder key, how many members it was queued, skipped or dropped for; and, as
        "failed", how many of the queued ones the platform refused for good."""
        rows = await self._session.execute(
            select(ReminderLog.reminder_key, ReminderLog.status, func.count())
            .where(ReminderLog.campaign_year == year)
            .group_by(ReminderLog.reminder_key, ReminderLog.status)
        )
        tallies: dict[str, dict[str, int]] = {}
        for key, status, count in rows.tuples():
            tallies.setdefault(key, {})[status] = int(count)
        failed = await self._session.execute(
            select(ReminderLog.reminder_key, func.count())
            .join(OutboxMessage, OutboxMessage.id == ReminderLog.outbox_id)
            .where(ReminderLog.campaign_year == year, OutboxMessage.status == "failed")
            .group_by(ReminderLog.reminder_key)
        )
        for key, count in failed.tuples():
            tallies.setdefault(key, {})["failed"] = int(count)
        return tallies


class Audit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(self, actor: str, action: str, detail: dict[str, Any], now: datetime) -> None:
        self._session.add(AuditEntry(at=now, actor=actor, action=action, detail=detail))
