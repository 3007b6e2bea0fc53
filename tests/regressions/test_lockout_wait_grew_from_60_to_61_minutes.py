"""Right after a lockout for wrong invite codes the bot said "thử lại sau 60 phút", and the
next message, at the same minute, said 61: a whole wait was rounded up by one more minute.
The lockout now names the clock time it ends (Vietnam time) once, and says nothing more until
then, so there is no wait to grow."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat
from tests.conftest import FixedClock


async def test_the_lockout_names_one_end_time_and_keeps_it(
    app: App, invite: str, clock: FixedClock
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-666")
    for attempt in range(5):
        last = (await stranger.send(f"ABCD-EFGH-JKMN-PQR{'STUVW'[attempt]}"))[-1].text
    assert "đến 11:00" in last  # 03:00 UTC is 10:00 in Hà Nội, plus the hour
    clock.advance(minutes=59)
    assert await stranger.send(invite) == []
    clock.advance(minutes=1)
    assert "Đã xác nhận" in (await stranger.send(invite))[0].text
