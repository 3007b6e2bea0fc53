"""Roles over a subtree, as a property: whatever the tree and wherever an admin sits in it, no
admin ever sees or acts on a unit outside their subtree, and acts on every unit inside it.

Hypothesis draws a tree (each unit's parent among the units before it) and the admin's unit;
every example grows a fresh tree beside the others in one database and one running bot (codes
carry the example's number); the admin, a new person each time, joins with an admin invite and
tries /status, /invite, /export and /reopen on units inside and outside their subtree.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App, build
from bot.config import load_settings
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.join import create_invite
from storage.models import AuditEntry, Invite, Job, Report
from tests.conftest import FixedClock

T = TypeVar("T")
NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)
_examples = itertools.count()


@dataclass(frozen=True)
class Drawn:
    parents: list[int | None]  # index of an earlier unit; None for the root
    sent: list[bool]  # whether the unit's report is submitted (else a draft)
    admin_at: int  # the admin's unit
    target: int  # the unit the admin names


@st.composite
def trees(draw: st.DrawFn) -> Drawn:
    size = draw(st.integers(min_value=2, max_value=9))
    parents: list[int | None] = [None]
    for index in range(1, size):
        parents.append(draw(st.integers(min_value=0, max_value=index - 1)))
    sent = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    admin_at = draw(st.integers(min_value=0, max_value=size - 1))
    target = draw(st.integers(min_value=0, max_value=size - 1))
    return Drawn(parents, sent, admin_at, target)


def kind_of(parents: list[int | None], index: int) -> str:
    parent = parents[index]
    if parent is None:
        return "province"
    return "commune" if parents[parent] is None else "school"


def named(text: str, name: str) -> bool:
    return re.search(re.escape(name) + r"(?![\d.])", text) is not None


def under(parents: list[int | None], root: int) -> set[int]:
    """The unit ``root`` and every unit below it, computed apart from the bot."""
    inside = {root}
    for index, parent in enumerate(parents):  # parents come before their children
        if parent is not None and parent in inside:
            inside.add(index)
    return inside


def test_no_admin_sees_or_acts_on_a_unit_outside_their_subtree(
    database_url: str, tmp_path: Path
) -> None:
    config = load_settings(
        None,
        database={"url": database_url, "sqlite_synchronous": "NORMAL"},  # many small commits
        evidence={"directory": tmp_path / "evidence"},
        campaign={"year": 2023},
    )
    loop = asyncio.new_event_loop()
    app = loop.run_until_complete(build(config, clock=FixedClock(NOW)))
    try:

        @given(drawn=trees())
        def admins_stay_inside(drawn: Drawn) -> None:
            loop.run_until_complete(_example(app, drawn))

        admins_stay_inside()
    finally:
        loop.run_until_complete(app.close())
        loop.close()


async def _example(app: App, drawn: Drawn) -> None:
    parents, admin_at, target = drawn.parents, drawn.admin_at, drawn.target
    n = next(_examples)
    codes = [f"E{n}-U{index}" for index in range(len(parents))]
    names = [f"Unit {n}.{index}" for index in range(len(parents))]
    inside = under(parents, admin_at)
    async with app.uows() as uow:
        units = []
        for index, parent in enumerate(parents):
            kind = kind_of(parents, index)
            above = units[parent] if parent is not None else None
            units.append(await uow.units.add(codes[index], names[index], kind, above, NOW))
        campaign = app.engine.campaign
        row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
        for unit, sent in zip(units, drawn.sent, strict=True):
            report = await uow.reports.open_for(row.id, unit.id, NOW)
            report.status = "submitted" if sent else "draft"
            report.submitted_at = NOW if sent else None
        code = await create_invite(uow, units[admin_at], "admin", 1, 1, NOW)
        await uow.commit()
    admin = MemoryChat(app.engine, user_id=f"admin-{n}")
    await admin.send(code)

    await admin.send("/status")
    status = admin.last_reply().text
    for index, name in enumerate(names):
        if named(status, name):
            assert index in inside, name  # never a unit outside
        missing = index in inside and not drawn.sent[index]
        assert not missing or named(status, name), name  # every missing one inside

    before = await _counts(app)
    shown = codes[target]
    tried = (f"/status {shown}", f"/invite {shown}", f"/export {shown}", f"/reopen {shown} x")
    for text in tried:
        await admin.send(text)
        refused = admin.last_reply().text == say.ADMIN_NO_SUCH_UNIT.format(code=shown)
        assert refused == (target not in inside), text
    after = await _counts(app)
    acted = int(target in inside)
    assert after["invites"] - before["invites"] == acted
    assert after["exports"] - before["exports"] == acted
    assert after["reopened"] - before["reopened"] == acted * drawn.sent[target]
    assert after["refusals"] - before["refusals"] == len(tried) * (1 - acted)


async def _counts(app: App) -> dict[str, int]:
    async with app.uows() as uow:
        session = uow.session

        async def count(statement: Any) -> int:
            return int((await session.execute(statement)).scalar_one())

        return {
            "invites": await count(select(func.count(Invite.id))),
            "exports": await count(select(func.count(Job.id)).where(Job.kind == "export")),
            "reopened": await count(
                select(func.count(Report.id)).where(Report.status == "reopened")
            ),
            "refusals": await count(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "admin.refused")
            ),
        }
