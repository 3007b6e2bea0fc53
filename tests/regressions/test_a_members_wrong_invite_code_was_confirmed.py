"""A teacher already in a unit who sent "/start" with a wrong invite code was told "Đã xác
nhận" (confirmed) for the unit, and the wrong guess was not counted, so a member could guess
codes without ever being locked out."""

from __future__ import annotations

from bot.app import App
from bot.platforms.memory import MemoryChat
from tests.conftest import add_unit


async def test_a_members_wrong_code_is_refused_counted_and_locked_out(
    app: App, chat: MemoryChat
) -> None:
    other_unit = await add_unit(app, "THCS-02", "Trường THCS Hương Sơ")
    await chat.send("02/10")
    for attempt in range(4):
        replies = await chat.send(f"/start ABCD-EFGH-JKMN-PQR{'STUV'[attempt]}")
        assert "không đúng" in replies[0].text
        assert "Mục 1/11" in replies[-1].text  # and the question the teacher stands at
    assert "quá nhiều lần" in (await chat.send("/start ABCD-EFGH-JKMN-PQRW"))[0].text
    assert await chat.send(f"/start {other_unit}") == []  # told once; silence until then
    async with app.uows() as uow:
        member = await uow.members.find("memory", "tg-1001")
        assert member is not None
        unit = await uow.units.get(member.unit_id)
    assert unit.code == "THCS-01"
