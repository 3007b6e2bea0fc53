"""The Zalo adapter's translation, without a server: events in, the same Incoming as Telegram."""

from __future__ import annotations

from bot.platforms.zalo import normalize, unwrap

EVENT = {
    "event_name": "message.image.received",
    "message": {
        "message_id": "m1a2b3c4d5e6f7081920",
        "date": 1789033572455,
        "chat": {"id": "a1b2c3d4e5f60718293a", "chat_type": "PRIVATE"},
        "from": {"id": "a1b2c3d4e5f60718293a", "display_name": "Cô Hoa", "is_bot": False},
        "photo_url": "https://photo-stal-1.zdn.vn/x.jpg",
        "caption": "Lễ khai mạc",
        "message_type": "CHAT_PHOTO",
    },
}


def test_a_live_image_event_becomes_a_photo_with_its_time_read_in_milliseconds() -> None:
    incoming = normalize(EVENT)
    assert incoming is not None and incoming.attachment is not None
    assert incoming.attachment.ref == "https://photo-stal-1.zdn.vn/x.jpg"
    assert incoming.sent_at == "2026-09-10T09:46:12.455000+00:00"
    assert incoming.user_name == "Cô Hoa" and incoming.text is None


def test_the_wrapped_body_of_the_docs_and_the_flat_live_one_read_the_same() -> None:
    assert unwrap({"ok": True, "result": EVENT}) == unwrap(EVENT) == EVENT
    assert unwrap({"ok": True}) is None and unwrap([]) is None and unwrap("x") is None


def test_the_legacy_photo_field_and_group_chats() -> None:
    legacy = {**EVENT, "message": {**EVENT["message"], "photo_url": None, "photo": "https://p/y"}}
    incoming = normalize(legacy)
    assert incoming is not None and incoming.attachment is not None
    assert incoming.attachment.ref == "https://p/y"
    group = {**EVENT, "message": {**EVENT["message"], "chat": {"id": "g", "chat_type": "GROUP"}}}
    assert normalize(group) is None
