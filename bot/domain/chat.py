"""What crosses the line between a platform and the conversation: messages in, replies out.

An adapter turns a platform update into an ``Incoming`` and renders each ``Reply`` (Telegram
as buttons, Zalo and the terminal as numbered lines). Both are plain data, JSON-serializable,
so an incoming message can be stored in the inbox before anything else happens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the person sent; every ``declared_*`` value comes from the sender, never trusted."""

    ref: str  # the platform's handle to fetch it: a file id, a URL, a path
    kind: str = "photo"  # "photo" or "document"
    declared_size: int | None = None
    declared_name: str | None = None
    declared_mime: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from one person, normalized."""

    platform: str
    message_id: str  # unique per platform: the dedupe key
    chat_id: str
    user_id: str
    user_name: str | None = None
    text: str | None = None
    attachment: Attachment | None = None
    button: str | None = None  # a pressed button's data, "<version>:<choice key>"
    album: str | None = None  # photos sent together share it (Telegram's media_group_id)
    sent_at: str | None = None  # when the person sent it, ISO 8601 in UTC, as the platform says
    edit_of: str | None = None  # an edit: the dedupe key (``message_id``) of the message edited
    forwarded: bool = False  # forwarded from elsewhere: not the person's own answer

    def to_payload(self) -> dict[str, Any]:
        """The message as JSON-ready data for the inbox."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Incoming:
        """The message back from its inbox payload (a key an older payload lacks: its default)."""
        data = dict(payload)
        attachment = data.pop("attachment", None)
        return cls(**data, attachment=Attachment(**attachment) if attachment else None)


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer the person can pick (``key`` is what the choice means, ``label`` is shown)."""

    key: str
    label: str


# ``Reply.meta[ALBUM_ROLE]`` says what a reply to one photo of an album is, so that the album
# is answered once: an acknowledgement (``ALBUM_ACK``) gives way to a later photo's; an
# explanation about this photo (``ALBUM_KEEP``: refused, or sent before) is always sent; any
# other reply (the question asked again) gives way to the next photo's replies.
ALBUM_ROLE = "album"
ALBUM_ACK = "ack"
ALBUM_KEEP = "keep"


@dataclass(frozen=True, slots=True)
class OutFile:
    """A file sent with a reply: a picture shown in the chat, or a document to download.

    ``token`` names an artifact (``storage.models.Artifact``): its stored bytes and its expiry.
    Telegram receives the bytes; Zalo a picture by its link and a document as a link in text.
    """

    token: str
    name: str  # the file name shown, made by the bot (never a person's text)
    mime: str
    kind: str = "document"  # "photo" or "document"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send back.

    ``choices`` are the answers to the question (numbered in text, buttons on Telegram);
    ``actions`` are the ways around it (back, skip, review, cancel); ``version`` ties buttons to
    the conversation step they were shown at, so a stale button is recognized.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    actions: tuple[Choice, ...] = ()
    version: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    files: tuple[OutFile, ...] = ()  # sent after the text, in order

    def to_payload(self) -> dict[str, Any]:
        """The reply as JSON-ready data for the outbox."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        """The reply back from its outbox payload."""
        return cls(
            text=str(payload["text"]),
            choices=tuple(Choice(**c) for c in payload.get("choices", ())),
            actions=tuple(Choice(**a) for a in payload.get("actions", ())),
            version=int(payload.get("version", 0)),
            meta={str(k): str(v) for k, v in (payload.get("meta") or {}).items()},
            files=tuple(OutFile(**f) for f in payload.get("files", ())),
        )


def button_data(version: int, key: str) -> str:
    """The data a button carries: the step it belongs to and the choice it stands for."""
    return f"{version}:{key}"


def parse_button(data: str) -> tuple[int, str] | None:
    """The (version, key) a button's data claims, or None when it is malformed."""
    version, sep, key = data.partition(":")
    if not sep or not version.isascii() or not version.isdigit() or len(version) > 18:
        return None
    if not key or len(key) > 64:
        return None
    return int(version), key
