"""The Telegram adapter's translation, without a server: updates in, keyboards out."""

from __future__ import annotations

from pathlib import Path

from aiogram.types import Update

from bot.domain.chat import Choice, Reply, parse_button
from bot.platforms.telegram import keyboard, normalize
from bot.platforms.text import split

USER = {"id": 501, "is_bot": False, "first_name": "Lan"}
CHAT = {"id": 501, "type": "private", "first_name": "Lan"}


def _update(**fields: object) -> Update:
    return Update.model_validate({"update_id": 77, **fields})


def test_a_photo_album_member_becomes_the_largest_photo_with_its_album() -> None:
    photo = [
        {"file_id": f"f{n}", "file_unique_id": f"u{n}", "width": w, "height": w, "file_size": s}
        for n, (w, s) in enumerate([(90, 1000), (320, 9000), (1280, 90000)])
    ]
    update = _update(
        message={
            "message_id": 5,
            "date": 0,
            "chat": CHAT,
            "from": USER,
            "photo": photo,
            "media_group_id": "alb-1",
        }
    )
    incoming = normalize(update)
    assert incoming is not None and incoming.attachment is not None
    assert incoming.attachment.ref == "f2" and incoming.attachment.declared_size == 90000
    assert incoming.album == "alb-1" and incoming.message_id == "m:501:5"
    assert incoming.user_id == "501"


def test_a_button_press_carries_the_presser_not_the_chat() -> None:
    update = _update(
        callback_query={
            "id": "cb1",
            "from": {"id": 999, "is_bot": False, "first_name": "Other"},
            "chat_instance": "x",
            "data": "3:yes",
            "message": {"message_id": 9, "date": 0, "chat": CHAT},
        }
    )
    incoming = normalize(update)
    assert incoming is not None
    assert incoming.user_id == "999" and incoming.button == "3:yes"
    assert incoming.message_id == "cb:cb1"


def test_group_chats_and_bots_are_ignored() -> None:
    group = {"id": -100, "type": "group", "title": "Tổ Văn"}
    assert (
        normalize(
            _update(
                message={"message_id": 1, "date": 0, "chat": group, "from": USER, "text": "hi"}
            )
        )
        is None
    )
    bot = {"id": 7, "is_bot": True, "first_name": "B"}
    assert (
        normalize(
            _update(message={"message_id": 1, "date": 0, "chat": CHAT, "from": bot, "text": "hi"})
        )
        is None
    )


def test_choices_become_buttons_that_name_the_step_they_belong_to() -> None:
    reply = Reply(
        "Đơn vị có tổ chức không?",
        choices=(Choice("all", "Có, tất cả"), Choice("no", "Không")),
        actions=(
            Choice("back", "Quay lại"),
            Choice("skip", "Bỏ qua"),
            Choice("review", "Xem lại"),
        ),
        version=12,
    )
    markup = keyboard(reply)
    assert markup is not None
    rows = markup.inline_keyboard
    assert [b.text for b in rows[0]] == ["Có, tất cả"]
    assert [len(r) for r in rows] == [1, 1, 2, 1]
    assert parse_button(rows[0][0].callback_data or "") == (12, "all")
    assert all(len((b.callback_data or "").encode()) <= 64 for r in rows for b in r)


def test_long_texts_are_split_under_the_limit_at_line_breaks() -> None:
    text = "\n".join(f"Dòng {n}: " + "x" * 90 for n in range(120))
    pieces = split(text, 4096)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == text


def test_no_start_path_drops_pending_updates() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in [*root.joinpath("bot").rglob("*.py")]:
        assert "drop_pending_updates=True" not in path.read_text(encoding="utf-8"), path
