"""The composition root: the one place that builds the database, the file store and the engine.

Tests call ``build`` with their own settings (a temporary database, a fixed clock); the CLI calls
it with the settings it read. Nothing here runs at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import admin_jobs
from bot.artifacts import ArtifactStore
from bot.config import Settings
from bot.domain.campaign import Campaign
from bot.domain.loader import default_data_dir, load_campaigns
from bot.engine import Clock, Engine, SystemClock
from bot.engine.core import EvidenceLimits, Retry
from bot.engine.jobs import JobRunner
from bot.engine.reminders import ReminderSender, lock_for
from bot.redact import Redactor
from handlers import messages as say
from handlers.common import Policy
from storage.db import SqliteTuning, create_engine, is_sqlite, session_factory
from storage.files import LocalFileStore
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory


@dataclass
class App:
    """Everything a running bot holds; ``close`` releases it."""

    settings: Settings
    database: AsyncEngine
    uows: UnitOfWorkFactory
    engine: Engine
    files: LocalFileStore
    zone: ZoneInfo
    artifacts: ArtifactStore  # files made for people: charts, exports
    jobs: JobRunner  # started by ``serve`` and the terminal chat, not by ``build``
    reminders: ReminderSender  # the calendar's sender, ticking once ``serve`` starts it

    async def close(self) -> None:
        await self.reminders.close()
        await self.jobs.close()
        await self.database.dispose()


def choose_campaign(settings: Settings) -> Campaign:
    """The campaign of the configured year, or the newest one in the data files."""
    campaigns = load_campaigns(settings.campaign.data_dir or default_data_dir())
    if not campaigns:
        raise LookupError(say.CLI_NO_CAMPAIGNS)
    year = settings.campaign.year or max(campaigns)
    if year not in campaigns:
        known = ", ".join(str(y) for y in sorted(campaigns))
        raise LookupError(say.CLI_NO_CAMPAIGN_YEAR.format(year=year, known=known))
    return campaigns[year]


# SQLAlchemy's default pool keeps 5 connections (and opens up to 10 more under load).
POOL_SIZE = 5


def _transactions_at_once(url: str) -> int:
    """How many transactions may run at once: SQLite writes one at a time; PostgreSQL's pool."""
    return 2 if is_sqlite(url) else POOL_SIZE


async def build(settings: Settings, *, clock: Clock | None = None) -> App:
    """Opens the database (migrating it), the file store, and the engine for the campaign."""
    campaign = choose_campaign(settings)
    tuning = SqliteTuning(
        busy_timeout_ms=settings.database.busy_timeout_ms,
        synchronous=settings.database.sqlite_synchronous,
    )
    database = create_engine(settings.database.url, tuning)
    try:
        await upgrade(database)
        uows = UnitOfWorkFactory(session_factory(database))
        files = LocalFileStore(settings.evidence.directory)
        zone = ZoneInfo(settings.campaign.timezone)
        policy = Policy(
            invite_valid_days=settings.invites.valid_days,
            invite_max_uses=settings.invites.max_uses,
            max_join_failures_per_hour=settings.invites.max_failures_per_hour,
            admin_invite_valid_hours=settings.invites.admin_valid_hours,
            admin_invite_max_uses=settings.invites.admin_max_uses,
            superadmins=frozenset(settings.admin.superadmins),
            reminders=settings.reminders.rules(),
        )
        limits = EvidenceLimits(
            max_bytes=settings.evidence.max_file_bytes,
            max_pixels=settings.evidence.max_pixels,
            fetch_timeout=settings.evidence.fetch_timeout_seconds,
        )
        delivery = settings.delivery
        engine = Engine(
            uows,
            campaign,
            files,
            clock=clock,
            zone=zone,
            policy=policy,
            limits=limits,
            concurrency=_transactions_at_once(settings.database.url),
            retry=Retry(cap=delivery.max_backoff_seconds),
            outbox_lease_seconds=delivery.lease_seconds,
            redact=Redactor.from_settings(settings),
        )
        await engine.start()
        artifacts = ArtifactStore(
            uows,
            files,
            clock or SystemClock(),
            valid_hours=settings.web.link_valid_hours,
            public_url=settings.web.public_url,
            zone=zone,
        )
        jobs = JobRunner(
            uows,
            engine,
            artifacts,
            files,
            settings,
            clock=clock,
            zone=zone,
            lease_seconds=delivery.lease_seconds,
            sweep_seconds=delivery.sweep_seconds,
            # With SQLite this is the only process running jobs: a killed one's restart at once.
            exclusive=is_sqlite(settings.database.url),
            redact=Redactor.from_settings(settings),
        )
        engine.on_job_queued(jobs.wake)
        admin_jobs.register(jobs)  # /status's chart, /export's files
        reminders = ReminderSender(
            uows,
            campaign,
            settings.reminders.rules(),
            zone,
            clock or SystemClock(),
            engine.outbox,
            lock_for(database),
        )
    except BaseException:
        await database.dispose()
        raise
    return App(settings, database, uows, engine, files, zone, artifacts, jobs, reminders)
