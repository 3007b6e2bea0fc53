"""An incoming message round-trips through its inbox payload, and a payload stored by an older
version (before edits and forwards were read) still reads back, with the new fields' defaults."""

from __future__ import annotations

from bot.domain.chat import Attachment, Incoming


def test_an_edit_and_a_forward_round_trip_through_the_inbox_payload() -> None:
    edit = Incoming(
        "telegram", "e:7:42:1700000000:ab12cd34", "7", "7", text="5/200", edit_of="m:7:42"
    )
    forward = Incoming("telegram", "m:7:43", "7", "7", text="02/10", forwarded=True)
    photo = Incoming("zalo", "z1", "u", "u", attachment=Attachment(ref="https://x", kind="photo"))
    for message in (edit, forward, photo):
        assert Incoming.from_payload(message.to_payload()) == message


def test_a_payload_stored_before_edits_were_read_gets_the_defaults() -> None:
    old = {
        "platform": "telegram",
        "message_id": "m:7:42",
        "chat_id": "7",
        "user_id": "7",
        "user_name": "Lan",
        "text": "3/120",
        "attachment": None,
        "button": None,
        "album": None,
        "sent_at": "2023-10-09T03:00:00+00:00",
    }
    message = Incoming.from_payload(old)
    assert message.text == "3/120"
    assert message.edit_of is None and message.forwarded is False
