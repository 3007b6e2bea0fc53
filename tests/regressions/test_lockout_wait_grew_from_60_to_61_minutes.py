"""Right after a lockout for wrong invite codes the bot said "thử lại sau 60 phút", and the
next message, at the same minute, said 61: a whole wait was rounded up by one more minute."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat


async def test_the_lockout_wait_never_grows(app: App, invite: str) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-666")
    for attempt in range(5):
        last = (await stranger.send(f"ABCD-EFGH-JKMN-PQR{'STUVW'[attempt]}"))[-1].text
    assert "60 phút" in last
    assert "60 phút" in (await stranger.send(invite))[-1].text
