"""The reminder sender as the app builds it, for the calendar tests: one way to make it."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.domain.campaign import Campaign
from bot.engine.clock import Clock
from bot.engine.reminders import ReminderSender, lock_for


def sender_for(
    app: App, clock: Clock, campaign: Campaign | None = None, **options: Any
) -> ReminderSender:
    """A sender on the app's database, rules and outbox, with its own lock (a process of its
    own); ``campaign`` stands for the campaign's file as edited before a restart."""
    return ReminderSender(
        app.uows,
        campaign or app.engine.campaign,
        app.settings.reminders.rules(),
        app.zone,
        clock,
        app.engine.outbox,
        lock_for(app.database),
        **options,
    )
