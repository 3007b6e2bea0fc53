"""The unit of work: one session, one transaction, repositories as attributes.

``async with uow:`` opens a session; nothing is written until ``await uow.commit()``; leaving
the block rolls back whatever was not committed. One unit of work per incoming message, never
shared between tasks.

A unit of work opened with ``read_only=True`` only reads: on SQLite it begins a deferred
transaction, which waits for no writer (WAL readers see the last commit), and it cannot commit.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import READ_ONLY
from storage.repositories import (
    Artifacts,
    Audit,
    Campaigns,
    Conversations,
    Inbox,
    Invites,
    Jobs,
    Members,
    Nominations,
    Outbox,
    Reminders,
    Reports,
    Rollups,
    Units,
)


class UnitOfWork:
    """A transaction over the repositories."""

    campaigns: Campaigns
    units: Units
    invites: Invites
    members: Members
    reports: Reports
    conversations: Conversations
    inbox: Inbox
    outbox: Outbox
    audit: Audit
    nominations: Nominations
    artifacts: Artifacts
    jobs: Jobs
    rollups: Rollups
    reminders: Reminders

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self.read_only = read_only

    async def __aenter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; make a fresh one per message")
        session = self._sessions()
        self._session = session
        self.campaigns = Campaigns(session)
        self.units = Units(session)
        self.invites = Invites(session)
        self.members = Members(session)
        self.reports = Reports(session)
        self.conversations = Conversations(session)
        self.inbox = Inbox(session)
        self.outbox = Outbox(session)
        self.audit = Audit(session)
        self.nominations = Nominations(session)
        self.artifacts = Artifacts(session)
        self.jobs = Jobs(session)
        self.rollups = Rollups(session)
        self.reminders = Reminders(session)
        if self.read_only:  # the transaction begins now, marked for storage.db's BEGIN
            marked: dict[str, bool] = {READ_ONLY: True}
            await session.connection(execution_options=marked)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed; unlike rollback() it leaves the loaded
        # objects readable (detached), so a caller may use what it read after the block.
        session = self.session
        self._session = None
        await session.close()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'async with' block")
        return self._session

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit; open one to write")
        await self.session.commit()


class UnitOfWorkFactory:
    """Makes a fresh unit of work for each message."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self._sessions, read_only=read_only)
