"""The database tables, as SQLAlchemy 2 typed models with portable column types.

Every timestamp is stored in UTC with its zone. The same models serve SQLite and PostgreSQL;
Alembic migrations in ``storage/migrations`` create them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite hands back naive values, so zone them here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = UTCDateTime()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: Timestamp}


class CampaignRow(Base):
    """A campaign known to the database; its content lives in the campaign data file."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    theme: Mapped[str] = mapped_column(Text)
    form_code: Mapped[str] = mapped_column(String(64))


class Unit(Base):
    """A reporting unit in the tree school → commune → district → province."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime]
    # A phone number or an e-mail address, as the admin typed it (revision 0004).
    contact: Mapped[str | None] = mapped_column(String(255))


class Invite(Base):
    """An invite code that binds whoever sends it to a unit; only its hash is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Member(Base):
    """A person on one platform, bound to a unit with a role."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime]
    # Set when the platform said the person blocked the bot (403); cleared when they write again.
    unreachable_at: Mapped[datetime | None]


class Report(Base):
    """One unit's report for one campaign: draft → submitted → reopened → submitted."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    opening_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Set by an admin's /reopen (revision 0005): what to change, who asked (told when the report
    # is submitted again), when. Kept after the new submission, for the record.
    reopen_note: Mapped[str | None] = mapped_column(Text)
    reopened_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    reopened_at: Mapped[datetime | None]


class Answer(Base):
    """The current value of one measure of one row (or one yes/no, one text) of a report."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("report_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    key: Mapped[str] = mapped_column(String(64))  # "1.3:people", "run:5", "opening:held"
    value_int: Mapped[int | None] = mapped_column(BigInteger)
    value_text: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    updated_at: Mapped[datetime]


class Nomination(Base):
    """A collective or a person a unit proposes for commendation (seed 003), one line each."""

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "collective" or "individual"
    name: Mapped[str] = mapped_column(String(255))
    achievement: Mapped[str] = mapped_column(Text)  # one line of what was achieved
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]


class AnswerChange(Base):
    """Every change to an answer, kept: who, when, what."""

    __tablename__ = "answer_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    value_int: Mapped[int | None] = mapped_column(BigInteger)
    value_text: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    at: Mapped[datetime]


class Evidence(Base):
    """A photo or PDF attached to a report, stored content-addressed."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("report_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes as received
    stored_key: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)  # of the bytes as received
    # The file kept differs from the upload (an image is re-encoded without metadata); NULL on
    # rows stored before migration 0003.
    stored_sha256: Mapped[str | None] = mapped_column(String(64))
    stored_size: Mapped[int | None] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]


class Conversation(Base):
    """Where one person on one platform is in the conversation, committed with each answer."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class InboxMessage(Base):
    """An incoming message, stored before it is acknowledged and processed once from here."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index("ix_inbox_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to send, written in the transaction that decided it and sent from here."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat_pending", "platform", "chat_id", "status", "id"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # The person's latest sent message (the question they saw), on every typed answer.
        Index("ix_outbox_person_sent", "platform", "user_id", "status", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))  # None: a broadcast to a chat
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Reply, Reply.to_payload()
    step: Mapped[str | None] = mapped_column(String(64))  # the conversation step it shows
    version: Mapped[int] = mapped_column(Integer, default=0)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    kind: Mapped[str] = mapped_column(String(16))  # reply, notice; later reminder, broadcast…
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not before then: a backoff after a failure, or a claim while a sender holds it.
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Artifact(Base):
    """A file the bot made for a person (a chart, an export), kept under an unguessable token.

    Telegram receives the bytes; Zalo receives a link ``[web] public_url/f/<token>`` that the
    web app serves until ``expires_at``.
    """

    __tablename__ = "artifacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    stored_key: Mapped[str] = mapped_column(String(255))  # where the file store keeps it
    name: Mapped[str] = mapped_column(String(255))  # the file name shown: made by us, safe
    mime: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Job(Base):
    """Long work asked for in a chat (an export, a chart), done outside the conversation.

    The handler that accepts the request adds the row in its transaction; a runner claims it
    (``lease_until``), reports progress through the outbox and sends the result the same way.
    A job whose runner died is claimed again once its lease passed.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "export", "status_chart"
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    platform: Mapped[str] = mapped_column(String(16))  # where the result goes
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(16))  # pending, running, done, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]


class Rollup(Base):
    """An area's signed-off roll-up, sent upward by its admin (a commune to the province).

    ``totals`` holds every measure of every row of the form summed over the area, keyed like
    answers ("1.3:people"); ``counted`` lists the codes of the units whose reports it counts.
    Each new sign-off is a new revision; the upper level sees the newest beside the live sum.
    """

    __tablename__ = "rollups"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    counted: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"units": ["TH01", ...]}
    note: Mapped[str | None] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    submitted_at: Mapped[datetime]


class ReminderLog(Base):
    """What became of one planned reminder for one member: queued, skipped or dropped.

    Written in the transaction that queues the outbox rows (whose dedupe keys hash the same
    three values), so a broadcast cut short resumes with the members not yet here, and a
    member here is never sent the reminder again.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("campaign_year", "reminder_key", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_year: Mapped[int] = mapped_column(Integer)
    reminder_key: Mapped[str] = mapped_column(String(128))  # Reminder.key, "announce:<id>"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(24))  # queued, skipped_unreachable, dropped_late
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    at: Mapped[datetime]


class AuditEntry(Base):
    """An append-only record of submissions, reopenings, exports and role changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
