"""Who the sender is to the bot, and which units they may act on.

Three roles, all read from what the bot itself holds about the sender (never from the chat or a
button): a **reporter** files their unit's report; an **admin** (a membership with role
"admin") administers their unit and every unit under it, at any depth, and may also file their
own unit's report; a **superadmin** ("platform:user_id" in ``[admin] superadmins``) administers
every unit, as the command line does, whether or not they joined a unit.

An admin naming a unit outside their subtree is told the same as for a unit that does not
exist (so codes cannot be probed) and the attempt is audited.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import IntEnum

from handlers.common import Context
from storage.models import Member, Unit
from storage.uow import UnitOfWork


class Role(IntEnum):
    """What a sender may do; a higher role may do all a lower one may."""

    STRANGER = 0
    REPORTER = 1
    ADMIN = 2
    SUPERADMIN = 3


@dataclass(frozen=True, slots=True)
class Access:
    """The sender's role and the unit whose subtree they administer (None: every unit)."""

    role: Role
    root: Unit | None
    actor: str  # as the audit log names them

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN


@dataclass(frozen=True, slots=True)
class Request:
    """A command as its function reads it: the context, who asks, what followed the word."""

    ctx: Context
    access: Access
    arguments: str  # the text after the command word, cleaned ("THCS-01 admin", a note)


def access_of(ctx: Context) -> Access:
    """The sender's access, from their membership (and the configured superadmins)."""
    message = ctx.message
    sender = f"{message.platform}:{message.user_id}"
    member = ctx.member
    actor = f"member:{member.id}" if member is not None else sender
    if sender in ctx.policy.superadmins:
        return Access(Role.SUPERADMIN, None, f"superadmin:{sender}")
    if member is None or ctx.unit is None:
        return Access(Role.STRANGER, None, actor)
    if member.role == "admin":
        return Access(Role.ADMIN, ctx.unit, actor)
    return Access(Role.REPORTER, ctx.unit, actor)


async def within(ctx: Context, access: Access, unit: Unit) -> bool:
    """True when the sender may act on ``unit``: it lies in the subtree they administer."""
    if access.role is Role.SUPERADMIN:
        return True
    if access.role is not Role.ADMIN or access.root is None:
        return False
    return await ctx.uow.units.within(access.root.id, unit.id)


async def still_reaches(
    uow: UnitOfWork, sender: str, member: Member | None, superadmins: Collection[str], unit_id: int
) -> bool:
    """True when a person who asked earlier (a job, a reopened report) may act on the unit now:
    a superadmin, or an admin whose membership stands and whose subtree holds the unit. A
    membership revoked, or bound since to another unit or role, reaches nothing it did."""
    if sender in superadmins:
        return True
    if member is None or member.role != "admin":
        return False
    return await uow.units.within(member.unit_id, unit_id)


async def home(ctx: Context, access: Access) -> Unit | None:
    """The unit an admin command is about when none is named: the admin's own unit; for a
    superadmin, the top of the tree when there is one top (else they must name a unit)."""
    if access.role is Role.ADMIN:
        return access.root
    if access.role is Role.SUPERADMIN:
        tops = await ctx.uow.units.tops()
        return tops[0] if len(tops) == 1 else None
    return None


async def named_unit(ctx: Context, access: Access, code: str, command: str) -> Unit | None:
    """The unit with this code if the sender may act on it; None (audited when the unit
    exists outside their subtree) otherwise."""
    unit = await ctx.uow.units.by_code(code) or await ctx.uow.units.by_code(code.upper())
    if unit is None:
        return None
    if await within(ctx, access, unit):
        return unit
    ctx.uow.audit.record(
        access.actor,
        "admin.refused",
        {"command": command, "unit": unit.code, "root": access.root.code if access.root else None},
        ctx.now,
    )
    return None
