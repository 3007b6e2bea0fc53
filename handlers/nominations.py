"""The commendation nominations: one optional step after the narrative questions.

Seed 003 asks every school, commune and centre to send, with its report, "danh sách đề nghị khen
thưởng tập thể, cá nhân". A teacher types them on a phone, one a message: a name, collective or
individual, one line of achievement ("Nguyễn Văn A - cá nhân - tổ chức 5 lớp tin học…"). Each
is stored in ``nominations`` as it arrives, like every other answer, and the list so far is
shown after each. "xong" (or "không", "Không có") ends the step and stores the marker answer
``nominations:done``, so a resumed walk never asks again; "xóa 2" removes one. "bỏ qua" leaves
the step for later, as at any question: it never blocks submitting, and a resumed walk comes
back to it.

The kind is read from the words typed; without them it is guessed from the name only when the
name says it ("Tổ Ngữ văn", "Trường …", "Cô Lan", "Nguyễn Văn A"), and otherwise asked once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.domain.chat import Reply
from handlers import messages as say
from handlers.common import Outcome, clean_text, fold, match_choice
from handlers.questions import NAV_ACTIONS
from handlers.walk import NOMINATIONS_DONE_KEY, NOMINATIONS_KEY, Question, find
from storage.models import Nomination, Report
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from handlers.report import ReportFlow

MAX_NOMINATIONS = 20
MAX_NAME = 255  # the column's width
MAX_ACHIEVEMENT = 500  # one line of achievement, not a report
SHOWN_ACHIEVEMENT = 100  # in the chat's lists; the export and ``reports show`` give it whole
PENDING_KEY = "nomination"  # conversation data: the nomination whose kind was asked

COLLECTIVE, INDIVIDUAL = "collective", "individual"
KIND_CHOICES = (say.NOMINATION_COLLECTIVE, say.NOMINATION_INDIVIDUAL)
_KIND_WORDS = {
    "tap the": COLLECTIVE,
    "tapthe": COLLECTIVE,
    "ca nhan": INDIVIDUAL,
    "canhan": INDIVIDUAL,
}
DONE_WORDS = frozenset(
    {"xong", "xong roi", "het", "du", "da du", "khong", "ko", "k", "khong co", "no", "done"}
    | {"giu nguyen", "thoi", "khong de nghi", "khong co de nghi"}
)

# Between the parts of a nomination: a dash with a space on one side at least (never the one
# in "GDNN-GDTX"), an en or em dash, a colon, a semicolon, a bar or a new line; commas only
# when there is none of these.
_SEPARATOR = re.compile(r"\s+-+\s*|\s*-+\s+|\s*[–—:;|\n]\s*")
_COMMA = re.compile(r"\s*,\s*")
_KIND_IN_BRACKETS = re.compile(r"(?i)[(\[]\s*(tập thể|cá nhân|tap the|ca nhan)\s*[)\]]")
# Without any separator: "Nguyễn Văn A cá nhân tổ chức …" is split around the kind's words.
_KIND_INLINE = re.compile(
    r"(?i)\s+(?=(?:cá nhân|tập thể|ca nhan|tap the)(?:\s|$))"
    r"|(?<=cá nhân|tập thể|ca nhan|tap the)\s+"
)
# "sửa khen thưởng" at the review, folded.
EDIT_WORDS = frozenset({"khen thuong", "de nghi khen thuong", "de nghi", "nominations"})
_REMOVE = re.compile(r"^(?:xoa|bo|huy)(?: de nghi)?(?: so)? ?(\d{1,4})\.?$")
_CLEAR = re.compile(r"^xoa (?:het|tat ca|ca danh sach|danh sach|het danh sach)$")

# What a name begins with when it names a collective, or a person. A person is also a name
# of two to six words that begins with a common family name. "Tô" (a family name) and "Tổ" (a
# subject group) differ only by their marks: typed without marks, such a name is asked.
_COLLECTIVE = re.compile(
    r"(?i)^(?:tổ|trường|lớp|khối|câu lạc bộ|clb|chi đoàn|đoàn|liên đội|chi đội|chi bộ|"
    r"công đoàn|nhóm|ban|hội|trung tâm|thư viện|văn phòng|phòng|ủy ban|ubnd|xã|phường|thôn|"
    r"khu phố|gia đình|dòng họ|đội|tập thể|bộ phận|cao đẳng|học viện|thcs|thpt|tiểu học|"
    r"mầm non|đơn vị)(?=[\s,.]|$)"
)
_PERSON = re.compile(
    r"(?i)^(?:ông|bà|thầy|cô|anh|chị|em|cháu|bác|cụ|đồng chí|đ/c|giáo viên|gv|học sinh|hs|"
    r"nghệ nhân|nhà giáo)(?=[\s,.]|$)"
)
_FAMILY_NAME = re.compile(
    r"(?i)^(?:nguyễn|trần|lê|phạm|hoàng|huỳnh|phan|vũ|võ|đặng|bùi|đỗ|hồ|ngô|dương|lý|đinh|"
    r"trịnh|mai|trương|lâm|hà|lương|cao|tạ|đào|chu|quách|kiều|lưu|thái|tô|tăng|triệu|hứa|"
    r"nghiêm|vương|lại|phùng|mạc|thân|châu|khúc|nông|tống|đoàn|vi|la|lò|lục|đàm|giang|hàn|"
    r"khổng|doãn|bạch|thạch|kim)\s"
)
# The same words without their marks, for a name typed without them.
_COLLECTIVE_BARE = re.compile(fold(_COLLECTIVE.pattern))
_PERSON_BARE = re.compile(fold(_PERSON.pattern))
_FAMILY_NAME_BARE = re.compile(fold(_FAMILY_NAME.pattern))


class Unreadable(Exception):
    """The text is not a nomination; ``message`` tells the person what to send instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Draft:
    """A nomination as read from one message, not stored yet (its kind may be unknown)."""

    name: str
    kind: str | None
    achievement: str


# Asking ---------------------------------------------------------------------------------------


async def ask(flow: ReportFlow) -> Reply:
    """The step's question: the kind of a nomination when it was just asked, else the example
    when the list is empty, else the list so far."""
    if (asked := _pending(flow)) is not None:
        return _kind_question(asked)
    return question_reply(await flow.ctx.uow.nominations.of_report(flow.report.id))


def question_reply(listed: Sequence[Nomination], before: str | None = None) -> Reply:
    """The step's question for ``listed``, after the line ``before`` (what was just done)."""
    if not listed:
        text, choices = say.ASK_NOMINATIONS, (say.NOMINATIONS_NONE,)
    else:
        more = say.NOMINATIONS_NEXT if len(listed) < MAX_NOMINATIONS else say.NOMINATIONS_NEXT_FULL
        text = f"{listing(listed)}\n{more.format(max=MAX_NOMINATIONS, last=len(listed))}"
        choices = (say.NOMINATIONS_DONE,)
    if before:
        text = f"{before}\n{text}"
    return Reply(text, choices=choices, actions=NAV_ACTIONS)


def listing(listed: Sequence[Nomination]) -> str:
    """ "Danh sách đề nghị khen thưởng (2/20):" and one numbered line each."""
    return say.NOMINATIONS_LIST.format(
        count=len(listed), max=MAX_NOMINATIONS, lines="\n".join(lines(listed, SHOWN_ACHIEVEMENT))
    )


def lines(listed: Sequence[Nomination], width: int | None = None) -> list[str]:
    """ "1. Tổ Ngữ văn (tập thể): tổ chức …", the achievement cut to ``width`` when given."""
    return [
        say.NOMINATION_LINE.format(
            number=number,
            name=nomination.name,
            kind=say.NOMINATION_KINDS.get(nomination.kind, nomination.kind),
            achievement=_clip(nomination.achievement, width),
        )
        for number, nomination in enumerate(listed, start=1)
    ]


def _clip(text: str, width: int | None) -> str:
    """The text cut to ``width`` characters with an ellipsis (whole when ``width`` is None)."""
    if width is None or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"


async def summary_lines(
    uow: UnitOfWork, report: Report, answers: Mapping[str, int | str | None]
) -> list[str]:
    """The review's lines: how many, then each; or that there are none, or no answer yet."""
    listed = await uow.nominations.of_report(report.id)
    if listed:
        head = say.REVIEW_NOMINATIONS.format(count=len(listed))
        return [head, *lines(listed, SHOWN_ACHIEVEMENT), say.REVIEW_NOMINATIONS_EDIT]
    if NOMINATIONS_DONE_KEY in answers:
        return [say.REVIEW_NOMINATIONS_NONE]
    return [say.REVIEW_NOMINATIONS_MISSING, say.REVIEW_NOMINATIONS_EDIT]


async def receipt_text(uow: UnitOfWork, report: Report) -> str:
    """The receipt's paragraph on the nominations sent with the report ("" when none)."""
    listed = await uow.nominations.of_report(report.id)
    if not listed:
        return ""
    shown = "\n".join(lines(listed, SHOWN_ACHIEVEMENT))
    return "\n" + say.RECEIPT_NOMINATIONS.format(count=len(listed), lines=shown)


async def skip_narratives(flow: ReportFlow) -> Outcome:
    """ "Bỏ qua phần đánh giá": on to the nominations, or to the review once they are answered
    (or when the narrative was being edited from the review)."""
    question = flow.questions[find(flow.questions, NOMINATIONS_KEY)]
    if NOMINATIONS_DONE_KEY in flow.answers or flow.ctx.data.get("return_to_review"):
        return await flow.advance(question)
    return await flow.go_to(question)


# Answering ------------------------------------------------------------------------------------


async def answer(flow: ReportFlow, question: Question, text: str) -> Outcome:
    """Reads one message at the step: a nomination, "xong", "xóa 2", or the kind asked.

    The words that move around the walk (quay lại, bỏ qua, xem lại, tạm dừng) are commands
    and never reach here.
    """
    asked = _pending(flow)
    flow.ctx.conversation.data = _without_pending(flow.ctx.data)  # any message drops it
    listed = await flow.ctx.uow.nominations.of_report(flow.report.id)
    prefix: list[Reply] = []
    if asked is not None:
        choice = match_choice(text, KIND_CHOICES)
        if (kind := choice.key if choice else _kind_word(text)) is not None:
            return await _add(flow, listed, asked, kind)
        prefix.append(Reply(say.NOMINATION_KIND_DROPPED.format(name=asked.name)))
    folded = fold(text)
    shown = question_reply(listed)
    if folded in DONE_WORDS or match_choice(text, shown.choices):
        return await finish(flow, question, prefix)
    if removal := _REMOVE.match(folded):
        return await _remove(flow, listed, int(removal.group(1)), prefix)
    if _CLEAR.match(folded):
        return await _clear(flow, listed, prefix)
    try:
        draft = read(text)
    except Unreadable as unreadable:
        return Outcome([*prefix, Reply(unreadable.message), shown])
    if len(listed) >= MAX_NOMINATIONS:
        return Outcome([*prefix, Reply(say.NOMINATIONS_FULL.format(max=MAX_NOMINATIONS)), shown])
    for number, nomination in enumerate(listed, start=1):
        if fold(nomination.name) == fold(draft.name):  # sent twice on a slow line
            twice = say.NOMINATION_TWICE.format(name=nomination.name, number=number)
            return Outcome([*prefix, Reply(twice), shown])
    kind = draft.kind or guess_kind(draft.name)
    if kind is None:  # asked once; the next message picks it, or drops it
        pending = {
            "name": draft.name,
            "achievement": draft.achievement,
            "version": flow.ctx.conversation.version,
        }
        return Outcome(
            [*prefix, _kind_question(draft)], data={**flow.ctx.data, PENDING_KEY: pending}
        )
    return await _add(flow, listed, draft, kind, prefix)


async def answer_seen(flow: ReportFlow, text: str) -> Outcome | None:
    """A nomination typed while the reply after the list was still unsent, so that the list
    is the last thing the person saw (``Context.seen_step``): stored as it was meant, with a
    word, then the question the person stands at. None when the text is no nomination whose
    kind is clear, or the list is full: the place the person stands reads it then."""
    try:
        draft = read(text)
    except Unreadable:
        return None
    listed = await flow.ctx.uow.nominations.of_report(flow.report.id)
    kind = draft.kind or guess_kind(draft.name)
    if kind is None or len(listed) >= MAX_NOMINATIONS:
        return None
    for number, nomination in enumerate(listed, start=1):
        if fold(nomination.name) == fold(draft.name):  # the same one again: a repeat
            twice = say.NOMINATION_TWICE.format(name=nomination.name, number=number)
            return Outcome([Reply(twice), *(await flow.current_question())])
    await _store(flow, draft, kind)
    saved = say.NOMINATION_SAVED.format(
        number=len(listed) + 1, name=draft.name, kind=say.NOMINATION_KINDS[kind]
    )
    return Outcome([Reply(saved), *(await flow.current_question())])


async def finish(flow: ReportFlow, question: Question, prefix: list[Reply]) -> Outcome:
    """Ends the step: the marker answer is stored (once), and the walk moves on."""
    if flow.answers.get(NOMINATIONS_DONE_KEY) != 1:
        await flow.store(NOMINATIONS_DONE_KEY, 1)
    return await flow.advance(question, prefix)


def _kind_question(draft: Draft) -> Reply:
    return Reply(
        say.NOMINATION_ASK_KIND.format(name=draft.name), choices=KIND_CHOICES, actions=NAV_ACTIONS
    )


def _pending(flow: ReportFlow) -> Draft | None:
    """The nomination whose kind was asked, while that question is still the one on screen.

    The conversation's version changes whenever its step does, so a kind asked before the
    person went elsewhere and came back is never answered by a later "1".
    """
    pending = flow.ctx.data.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("version") != flow.ctx.conversation.version:
        return None
    name, achievement = pending.get("name"), pending.get("achievement")
    if not isinstance(name, str) or not isinstance(achievement, str):
        return None
    return Draft(name, None, achievement)


def _without_pending(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != PENDING_KEY}


async def _add(
    flow: ReportFlow,
    listed: list[Nomination],
    draft: Draft,
    kind: str,
    prefix: Sequence[Reply] = (),
) -> Outcome:
    """Stores the nomination and shows the list with it."""
    listed = [*listed, await _store(flow, draft, kind)]
    saved = say.NOMINATION_SAVED.format(
        number=len(listed), name=draft.name, kind=say.NOMINATION_KINDS[kind]
    )
    return Outcome([*prefix, question_reply(listed, saved)])


async def _store(flow: ReportFlow, draft: Draft, kind: str) -> Nomination:
    """Stores one nomination with who sent it and when; the report counts as edited."""
    ctx = flow.ctx
    nomination = await ctx.uow.nominations.add(
        Nomination(
            report_id=flow.report.id,
            kind=kind,
            name=draft.name,
            achievement=draft.achievement,
            member_id=ctx.member.id if ctx.member else None,
            created_at=ctx.now,
        )
    )
    _edited(flow)
    return nomination


async def _remove(
    flow: ReportFlow, listed: list[Nomination], number: int, prefix: list[Reply]
) -> Outcome:
    if not listed:
        return Outcome([*prefix, Reply(say.NOMINATIONS_EMPTY), question_reply(listed)])
    if not 1 <= number <= len(listed):
        missing = say.NOMINATION_NO_SUCH.format(number=number, count=len(listed))
        return Outcome([*prefix, Reply(missing), question_reply(listed)])
    nomination = listed[number - 1]
    await flow.ctx.uow.nominations.remove(nomination)
    _audit(flow, [nomination])
    _edited(flow)
    removed = say.NOMINATION_REMOVED.format(number=number, name=nomination.name)
    return Outcome([*prefix, question_reply(listed[: number - 1] + listed[number:], removed)])


async def _clear(flow: ReportFlow, listed: list[Nomination], prefix: list[Reply]) -> Outcome:
    if not listed:
        return Outcome([*prefix, Reply(say.NOMINATIONS_EMPTY), question_reply(listed)])
    for nomination in listed:
        await flow.ctx.uow.nominations.remove(nomination)
    _audit(flow, listed)
    _edited(flow)
    cleared = say.NOMINATIONS_CLEARED.format(count=len(listed))
    return Outcome([*prefix, question_reply([], cleared)])


def _audit(flow: ReportFlow, removed: Sequence[Nomination]) -> None:
    """A removal leaves no row behind, so the audit log keeps who removed what."""
    flow.ctx.uow.audit.record(
        flow._actor(),
        "nomination.remove",
        {"report": flow.report.id, "names": [n.name for n in removed]},
        flow.ctx.now,
    )


def _edited(flow: ReportFlow) -> None:
    """A change to the list is an edit of the report: a submitted one returns to draft."""
    flow.report.updated_at = flow.ctx.now
    if flow.report.status == "submitted":
        flow.report.status = "draft"


# Reading --------------------------------------------------------------------------------------


def read(text: str) -> Draft:
    """The name, the kind if typed, and the achievement of one nomination; raises Unreadable."""
    cleaned = _KIND_IN_BRACKETS.sub(r" - \1 - ", clean_text(text))
    pieces = _pieces(cleaned, _SEPARATOR)
    if len(pieces) < 2:
        pieces = _pieces(cleaned, _COMMA)
    if len(pieces) < 2:
        pieces = _pieces(cleaned, _KIND_INLINE)
    kinds = [i for i, (start, end) in enumerate(pieces) if fold(cleaned[start:end]) in _KIND_WORDS]
    kind: str | None = None
    if kinds and kinds[0] > 0:  # "name - kind - achievement": the name may hold separators
        at = kinds[0]
        kind = _KIND_WORDS[fold(cleaned[slice(*pieces[at])])]
        name = cleaned[pieces[0][0] : pieces[at - 1][1]]
        rest = pieces[at + 1 :]
    elif kinds:  # "cá nhân: name - achievement"
        kind = _KIND_WORDS[fold(cleaned[slice(*pieces[0])])]
        name = cleaned[slice(*pieces[1])] if len(pieces) > 1 else ""
        rest = pieces[2:]
    else:
        name = cleaned[slice(*pieces[0])] if pieces else ""
        rest = pieces[1:]
    achievement = " ".join(cleaned[rest[0][0] :].split()) if rest else ""
    name = " ".join(name.split()).strip(" .,;:")
    if not any(c.isalpha() for c in name):
        raise Unreadable(say.NOMINATION_NO_NAME if rest else say.NOMINATION_UNREAD)
    if not any(c.isalpha() for c in achievement):
        raise Unreadable(say.NOMINATION_UNREAD)
    if len(name) > MAX_NAME:
        raise Unreadable(say.NOMINATION_NAME_TOO_LONG.format(length=len(name), limit=MAX_NAME))
    if len(achievement) > MAX_ACHIEVEMENT:
        raise Unreadable(
            say.NOMINATION_ACHIEVEMENT_TOO_LONG.format(
                length=len(achievement), limit=MAX_ACHIEVEMENT
            )
        )
    return Draft(name, kind, achievement)


def _pieces(text: str, separator: re.Pattern[str]) -> list[tuple[int, int]]:
    """The spans of the non-blank parts of ``text`` between separators."""
    spans: list[tuple[int, int]] = []
    start = 0
    for found in separator.finditer(text):
        if text[start : found.start()].strip():
            spans.append((start, found.start()))
        start = max(start, found.end())
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _kind_word(text: str) -> str | None:
    return _KIND_WORDS.get(fold(text).rstrip("."))


def guess_kind(name: str) -> str | None:
    """ "collective" or "individual" when the name says which, else None (ask)."""
    words = name.split()
    bare = fold(name) == " ".join(name.lower().split())  # typed without marks
    text = fold(name) if bare else name
    collective_re, person_re, family_re = (
        (_COLLECTIVE_BARE, _PERSON_BARE, _FAMILY_NAME_BARE)
        if bare
        else (_COLLECTIVE, _PERSON, _FAMILY_NAME)
    )
    collective = collective_re.match(text) is not None
    named = 2 <= len(words) <= 6 and all(w.isalpha() for w in words)
    person = person_re.match(text) is not None or (named and family_re.match(text) is not None)
    if collective != person:
        return COLLECTIVE if collective else INDIVIDUAL
    return None
