"""What every conversation shares: the context a step gets, the outcome it returns, and how
an answer is matched to a choice or to a navigation word whatever the case and diacritics."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import ReminderRules
from bot.domain.campaign import Campaign
from bot.domain.chat import Choice, Incoming, Reply
from bot.evidence import EvidenceRefused, PreparedFile
from handlers import messages as say
from storage.models import Conversation, Member, Unit
from storage.uow import UnitOfWork

MAX_TEXT = 1000  # longest free text kept; longer is refused, never cut silently
MAX_CHOICE_TEXT = 200  # longer than any choice's label or number


@dataclass(frozen=True, slots=True)
class Upload:
    """A file that arrived with the message, already fetched, inspected and stored."""

    prepared: PreparedFile
    stored_key: str


@dataclass(frozen=True, slots=True)
class Policy:
    """The knobs the conversation reads from the settings."""

    invite_valid_days: int = 30
    invite_max_uses: int = 20
    max_join_failures_per_hour: int = 5
    admin_invite_valid_hours: int = 48  # an admin invite grants a subtree: short-lived
    admin_invite_max_uses: int = 1
    superadmins: frozenset[str] = frozenset()  # "platform:user_id": every unit
    # [reminders]: /calendar shows the plan by these rules (frozen, so one default is safe).
    reminders: ReminderRules = field(default_factory=ReminderRules)


@dataclass
class Context:
    """Everything one step may read or change while one message is processed."""

    uow: UnitOfWork
    campaign: Campaign
    campaign_id: int
    conversation: Conversation
    member: Member | None
    unit: Unit | None
    message: Incoming
    inbox_id: int
    now: datetime
    zone: ZoneInfo
    policy: Policy
    upload: Upload | EvidenceRefused | None = None
    seen_step: str | None = None  # the step of the last question delivered, if not the current

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to another person, decided by this step (a reporter told of a reopening, an
    admin told of a new submission); queued in the outbox in the same transaction."""

    platform: str
    chat_id: str
    user_id: str | None
    reply: Reply
    dedupe_key: str | None = None


@dataclass
class Outcome:
    """What a step decided: the replies to send and where the conversation goes next."""

    replies: list[Reply] = field(default_factory=list)
    step: str | None = None  # None: stay where it is
    data: dict[str, Any] | None = None  # None: keep the data as it is
    notices: list[Notice] = field(default_factory=list)  # to other people


def refusal_text(refusal: EvidenceRefused) -> str:
    """What the teacher reads about a file the bot will not keep."""
    return say.EVIDENCE_REFUSALS[refusal.text].format(**refusal.params)


def fold(text: str) -> str:
    """Lowercase, without diacritics, spaces collapsed: "  Quay LẠI " -> "quay lai"."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").split())


def clean_text(text: str) -> str:
    """NFC text with control and bidi-override characters removed and spaces trimmed."""
    normalized = unicodedata.normalize("NFC", text)
    kept = (
        c
        for c in normalized
        if c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    return "".join(kept).strip()


BACK, SKIP, REVIEW, CANCEL, HELP = "back", "skip", "review", "cancel", "help"

NAVIGATION: dict[str, frozenset[str]] = {
    BACK: frozenset({"quay lai", "ql", "back", "/back", "lui", "tro lai", "cau truoc"}),
    SKIP: frozenset({"bo qua", "bq", "skip", "/skip", "de sau"}),
    REVIEW: frozenset({"xem lai", "xl", "review", "/review", "tom tat"}),
    CANCEL: frozenset({"huy", "/cancel", "cancel", "dung", "tam dung", "/huy"}),
    HELP: frozenset({"/help", "help", "tro giup", "huong dan", "?"}),
}


def navigation_word(text: str) -> str | None:
    """The navigation a typed text asks for (back, skip, review, cancel, help), if any."""
    folded = fold(text)
    for action, words in NAVIGATION.items():
        if folded in words:
            return action
    return None


def match_choice(
    text: str, choices: tuple[Choice, ...], *, by_number: bool = True
) -> Choice | None:
    """The choice a typed answer means: its number, its label or its key, any case or accents.

    Actions (the ways around a question) are not numbered where they are shown, so they are
    matched with ``by_number=False``: a "1" typed as an answer must never mean an action.
    """
    folded = fold(text).rstrip(".")
    if len(folded) > MAX_CHOICE_TEXT:  # no choice is this long; int() refuses huge digit runs
        return None
    if by_number and folded.isascii() and folded.isdigit():
        index = int(folded) - 1
        return choices[index] if 0 <= index < len(choices) else None
    for choice in choices:
        if folded in {fold(choice.label), fold(choice.key)}:
            return choice
    return None
