"""Guessing invite codes (issue 9, item 8): every wrong code leaves a trace an admin can read
(an audit row and a log line, hashed, never the code), and a locked-out person is told once
until when, then hears nothing until then."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from structlog.testing import capture_logs

from bot.app import App
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from storage.models import AuditEntry
from tests.conftest import FixedClock, photo

GUESSES = [f"ABCD-EFGH-JKMN-PQR{letter}" for letter in "STUVWXYZ"]


async def _audit(app: App, action: str) -> list[AuditEntry]:
    async with app.uows() as uow:
        rows = await uow.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows.scalars())


async def test_every_wrong_code_is_an_audit_row_and_a_log_line_without_the_code(
    app: App, invite: str
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-666")
    with capture_logs() as logs:
        for guess in GUESSES[:3]:
            await stranger.send(guess)
        await stranger.send("ABCD-EFGH-JKMN-PQR0")  # a near miss: shaped like a code
    rows = await _audit(app, "invite.wrong")
    assert [row.actor for row in rows] == ["memory:tg-666"] * 4
    prefixes = [row.detail["code_sha256_prefix"] for row in rows]
    assert prefixes[0] == hashlib.sha256(GUESSES[0].encode()).hexdigest()[:12]
    assert len(set(prefixes)) == 4
    logged = [e for e in logs if e.get("event") == "invite" and e.get("outcome") == "wrong"]
    assert [e["code_sha256_prefix"] for e in logged] == prefixes
    everything = json.dumps([row.detail for row in rows]) + repr(logs)
    for guess in (*GUESSES[:3], "ABCD-EFGH-JKMN-PQR0", "ABCDEFGHJKMNPQRS"):
        assert guess not in everything


async def test_a_locked_out_stranger_is_told_until_when_once_then_hears_nothing(
    app: App, invite: str, clock: FixedClock
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-666")
    for guess in GUESSES[:4]:
        assert "không đúng" in (await stranger.send(guess))[0].text
        clock.advance(minutes=5)
    locked = await stranger.send(GUESSES[4])
    # The first guess was at 10:00 in Hà Nội: the lockout ends an hour after it.
    assert [r.text for r in locked] == [say.INVITE_LOCKED.format(until="11:00")]
    silent = [
        await stranger.send(GUESSES[5]),
        await stranger.send(invite),
        await stranger.send("/start"),
        await stranger.send_file(photo(1)),
        await stranger.send("?"),
    ]
    assert silent == [[]] * 5
    assert len(await _audit(app, "invite.locked")) == 1
    async with app.uows() as uow:
        assert await uow.members.find("memory", "tg-666") is None
    clock.advance(minutes=40)  # 11:00 in Hà Nội: the first guess is an hour old
    assert "Đã xác nhận" in (await stranger.send(invite))[0].text


async def test_a_locked_out_member_keeps_reporting_but_their_guesses_get_no_reply(
    app: App, chat: MemoryChat
) -> None:
    for guess in GUESSES[:4]:
        await chat.send(f"/start {guess}")
    replies = await chat.send(f"/start {GUESSES[4]}")
    assert "quá nhiều lần" in replies[0].text and "Mục" not in replies[0].text
    assert await chat.send(f"/start {GUESSES[5]}") == []
    assert "Mục 1/11" in (await chat.send("02/10"))[-1].text  # the walk goes on
    assert len(await _audit(app, "invite.wrong")) == 5


async def test_a_greeting_from_a_stranger_gets_the_welcome_and_costs_no_try(
    app: App, invite: str
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-667")
    campaign = app.engine.campaign
    welcome = say.WELCOME.format(year=campaign.year, theme=campaign.theme)
    for greeting in ("xin chào", "alo", "Chào thầy ạ, em muốn báo cáo", "👍", "ok"):
        assert [r.text for r in await stranger.send(greeting)] == [welcome]
    assert await _audit(app, "invite.wrong") == []
    # Shaped like a code, though wrong: counted, with all five tries still to come.
    assert [r.text for r in await stranger.send("ABCD EFGH JKMN PQR1")] == [
        say.INVITE_WRONG.format(left=4)
    ]
    joined = (await stranger.send(invite))[0].text
    assert campaign.theme in joined and "Đã xác nhận" in joined
    assert campaign.opening_day.strftime("%d/%m/%Y") in joined


async def test_a_stranger_who_keeps_greeting_is_answered_a_few_times_an_hour_then_not(
    app: App, clock: FixedClock, invite: str
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-668")
    answered = [bool(await stranger.send(f"alo {n}")) for n in range(8)]
    assert answered == [True] * 5 + [False] * 3  # no flood of welcomes queued to that chat
    assert await _audit(app, "invite.wrong") == []  # greetings are still no guesses
    joined = (await stranger.send(invite))[0].text  # and a code still joins at once
    assert "Đã xác nhận" in joined


async def test_a_quiet_stranger_is_welcomed_again_after_the_hour(
    app: App, clock: FixedClock
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-669")
    for n in range(6):
        await stranger.send(f"xin chào {n}")
    clock.advance(minutes=61)
    assert [r.text for r in await stranger.send("xin chào")] != []
