"""A file named in the terminal chat that is gone (or unreadable) by the time it is read was an
OSError, which the engine took for a passing fault and waited out for good: the person heard
nothing and their next messages queued behind it. It is a refusal with the same question."""

from __future__ import annotations

from pathlib import Path

from bot.domain.chat import Attachment, Incoming
from bot.platforms.memory import MemoryChat
from handlers import messages as say


async def test_a_file_gone_before_it_is_read_is_refused_and_the_question_asked_again(
    chat: MemoryChat, tmp_path: Path
) -> None:
    question = chat.last_reply().text
    gone = Attachment(ref=str(tmp_path / "ảnh đã xóa.jpg"), kind="document", declared_size=900)
    incoming = Incoming(
        platform=chat.platform,
        message_id="gone-1",
        chat_id=chat.chat_id,
        user_id=chat.user_id,
        attachment=gone,
    )
    replies = await chat.deliver(incoming)
    assert [r.text for r in replies] == [say.EVIDENCE_REFUSALS["unavailable"], question]
    assert (await chat.send("02/10"))[-1].text != question  # the walk goes on
