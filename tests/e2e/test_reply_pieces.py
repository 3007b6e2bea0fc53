"""A long reply is sent in pieces; a piece that fails is retried without repeating the earlier
ones. Against the fake Zalo server, where every review is two pieces (2,000 characters each)."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.domain.chat import Reply
from bot.platforms.zalo import ZaloAdapter, ZaloClient, ZaloSender
from tests.fakes.zalo import FakeZalo

ZALO_TEACHER = "a1b2c3d4e5f60718293a4b5c"


async def test_zalo_a_two_piece_reply_whose_second_piece_failed_once_arrives_once(
    app: App,
) -> None:
    lines = [f"Dòng {n:03d}: thầy/cô kiểm tra lại số liệu của mục này." for n in range(60)]
    reply = Reply("\n".join(lines))  # about 3,200 characters: two pieces on Zalo
    async with FakeZalo() as zl:
        client = ZaloClient(zl.token, zl.base_url)
        adapter = ZaloAdapter(
            app.engine, client, sender=ZaloSender(client, per_second=1000), sweep_seconds=0.2
        )
        await adapter.start()
        try:
            zl.fail_next("sendMessage", error_code=500, after=1)  # the 2nd piece, once
            await app.engine.enqueue("zalo", ZALO_TEACHER, reply)
            await zl.wait_for(lambda: len(zl.messages_to(ZALO_TEACHER)) >= 2, timeout=15)
            await asyncio.sleep(0.5)  # a repeated piece would come now
            received = [m.text for m in zl.messages_to(ZALO_TEACHER)]
            assert len(received) == 2, [text[:20] for text in received]
            assert "\n".join(received) == reply.text
            assert received[0].startswith("Dòng 000") and received[1].endswith("mục này.")
            tries = [p["text"][:8] for name, p in zl.calls if name == "sendMessage"]
            assert tries == ["Dòng 000", received[1][:8], received[1][:8]]
        finally:
            await adapter.close()
