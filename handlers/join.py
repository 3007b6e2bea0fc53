"""Joining a unit with its invite code (``/start CODE`` or the code typed alone).

Codes expire and are limited in uses; wrong guesses are counted per person and locked out for
an hour after a few, so a code cannot be found by trying. Every wrong code is an audit row and a
log line carrying a hash prefix of what was typed, never the text itself (it may be a near miss
of a real code). A locked-out person is told once until when, then gets no reply at all until
then: 1,000 guesses must not queue 1,000 replies to that chat.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import structlog

from bot.domain.chat import Reply
from bot.domain.invites import new_code, normalize_code
from handlers import messages as say
from handlers.common import Context, Outcome, clean_text
from storage.models import Unit
from storage.uow import UnitOfWork

FAILURE_WINDOW = timedelta(hours=1)
ROLES = ("reporter", "admin")
HASH_PREFIX = 12  # hex digits of sha256 kept: enough to tell guesses apart, not to read them

log = structlog.get_logger("tuanle.join")


def invite_in(text: str) -> str | None:
    """The invite code a message carries: "/start CODE", or the code alone."""
    words = text.strip().split(maxsplit=1)
    if words and words[0].lower() == "/start":
        return normalize_code(words[1]) if len(words) > 1 else None
    return normalize_code(text)


def welcome(ctx: Context) -> Reply:
    return Reply(say.WELCOME.format(year=ctx.campaign.year, theme=ctx.campaign.theme))


async def join(ctx: Context, text: str) -> Outcome:
    """Binds the sender to the unit of the code; counts a wrong code against the sender."""
    if locked_until(ctx) is not None:
        _log_attempt(ctx, text, "locked")
        return Outcome()
    failures = _recent_failures(ctx)
    limit = ctx.policy.max_join_failures_per_hour
    code = invite_in(text)
    invite = await ctx.uow.invites.usable(code, ctx.now) if code else None
    if invite is None:
        failures.append(ctx.now)
        data = {**ctx.data, "join_failures": [f.isoformat() for f in failures]}
        digest = _log_attempt(ctx, code or text, "wrong")
        ctx.uow.audit.record(_actor(ctx), "invite.wrong", {"code_sha256_prefix": digest}, ctx.now)
        if len(failures) >= limit:
            until = min(failures) + FAILURE_WINDOW
            ctx.uow.audit.record(
                _actor(ctx), "invite.locked", {"until": until.isoformat()}, ctx.now
            )
            when = until.astimezone(ctx.zone).strftime("%H:%M")
            return Outcome([Reply(say.INVITE_LOCKED.format(until=when))], data=data)
        left = limit - len(failures)
        return Outcome([Reply(say.INVITE_WRONG.format(left=left))], data=data)
    invite.uses += 1
    unit = await ctx.uow.units.get(invite.unit_id)
    message = ctx.message
    name = clean_text(message.user_name)[:255] if message.user_name else None
    ctx.member = await ctx.uow.members.bind(
        message.platform, message.user_id, message.chat_id, name, unit, invite.role, ctx.now
    )
    ctx.unit = unit
    ctx.uow.audit.record(
        _actor(ctx),
        "member.join",
        {"unit": unit.code, "role": invite.role, "invite": invite.id},
        ctx.now,
    )
    ctx.conversation.data = {
        k: v for k, v in ctx.data.items() if k not in {"join_failures", "greetings"}
    }
    return Outcome(data=ctx.conversation.data)


def locked_until(ctx: Context) -> datetime | None:
    """When the sender may try a code again, while too many wrong codes lock them out."""
    failures = _recent_failures(ctx)
    if len(failures) < ctx.policy.max_join_failures_per_hour:
        return None
    return min(failures) + FAILURE_WINDOW


def _recent_failures(ctx: Context) -> list[datetime]:
    kept: list[datetime] = []
    for stamp in ctx.data.get("join_failures", []):
        when = datetime.fromisoformat(stamp)
        if ctx.now - when < FAILURE_WINDOW:
            kept.append(when)
    return kept


def _actor(ctx: Context) -> str:
    return f"{ctx.message.platform}:{ctx.message.user_id}"


def _log_attempt(ctx: Context, typed: str, outcome: str) -> str:
    """Logs a refused code by a hash prefix of what was typed; returns that prefix."""
    raw = typed.strip().encode("utf-8", "surrogatepass")  # a lone surrogate must not raise
    digest = hashlib.sha256(raw).hexdigest()[:HASH_PREFIX]
    log.warning(
        "invite",
        outcome=outcome,
        platform=ctx.message.platform,
        user=ctx.message.user_id,
        code_sha256_prefix=digest,
    )
    return digest


async def create_invite(
    uow: UnitOfWork, unit: Unit, role: str, valid_days: int, max_uses: int, now: datetime
) -> str:
    """A fresh invite code for ``unit`` made at the command line; show it once."""
    return await issue_invite(
        uow, unit, role, now + timedelta(days=valid_days), max_uses, now, actor="cli"
    )


async def issue_invite(
    uow: UnitOfWork,
    unit: Unit,
    role: str,
    expires_at: datetime,
    max_uses: int,
    now: datetime,
    *,
    actor: str,
) -> str:
    """A fresh invite code for ``unit``, audited under ``actor``; only its hash is stored, so
    the code is shown once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    code = new_code()
    await uow.invites.add(code, unit, role, expires_at, max_uses, now)
    detail = {"unit": unit.code, "role": role, "max_uses": max_uses}
    uow.audit.record(actor, "invite.create", detail, now)
    return code
