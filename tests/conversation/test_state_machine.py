"""A fuzzed teacher (reliability §7 item 10): random valid and hostile answers, navigation,
photos, stale buttons, duplicate deliveries and restarts, checked after every message against a
model of what the teacher validly answered.

Hypothesis drives the conversation from synchronous rules, so each example owns an event loop
and a fresh SQLite database in a temporary directory; a restart closes the app and builds a new
one on the same database and evidence directory, as a redeployed bot would.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.domain.chat import Choice, Incoming, Reply
from bot.domain.form import Group, Measure, MeasureKind
from bot.domain.numbers import format_count
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.nominations import MAX_NOMINATIONS
from handlers.walk import NOMINATIONS_DONE_KEY, Kind, Question, answer_key, find, plan
from storage.models import Conversation, InboxMessage, Report
from tests.conftest import FixedClock, add_unit, photo
from tests.conversation.helpers import stored_answers, stored_report

T = TypeVar("T")
StoredValue = int | str | None

USER = "tg-1001"
NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)  # inside the 2023 reporting window
MAX_RESTARTS = 3  # per example: a build migrates the database, the slowest step by far
SUBMITTED_PREFIX = say.ALREADY_SUBMITTED.split("{")[0]
LOCKED_PREFIX = say.INVITE_LOCKED.split("{")[0]
WRONG_PREFIX = say.INVITE_WRONG.split("{")[0]
INVITE_MAX_USES = 20  # as tests.conftest.add_unit creates the invite
NOT_QUESTIONS = frozenset({"start", "menu", "review", "submitted"})
OPENING_FIRST, OPENING_LAST = date(2023, 9, 2), date(2023, 11, 7)  # the week ± 30 days

# Refused wherever a number, a date or a yes/no is asked (and ignored at the other steps).
NUMBER_HOSTILE = (
    "1,5",
    "-3",
    "１２",
    "١٢",
    "1e9",
    "",
    "😀",
    "x" * 5000,
    "\u202e12",
    "NaN",
    "2**63",
    "1_000",
    "12\x00",
    "99999999/1",
    "tiếp tục",
)
# Refused where free text is asked: nothing left once cleaned, or too long.
TEXT_HOSTILE = ("", "   ", "\u202e", "\u200b\u200b", "y" * 5000, "z" * 1001)

TEXT_ALPHABET = (
    "abcdeghiklmnopqrstuvxyàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợ"
    "ùúủũụưứừửữựỳýỷỹỵĐ0123456789 ,.;:!()-“”😀"
)
_UNIT_WORDS = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")


@dataclass(frozen=True)
class Answer:
    """What the teacher sends (typed text, or the label of a button on the question) and the
    values it must store (None clears a value stored before)."""

    values: Mapping[str, StoredValue]
    text: str | None = None
    press: str | None = None


@dataclass(frozen=True)
class Snapshot:
    step: str
    version: int
    answers: dict[str, StoredValue]
    photos: list[str]
    status: str
    revision: int
    inbox_problems: list[str]
    nominations: list[str]  # the names, in the order listed


# What a valid answer to each kind of question looks like ---------------------------------------


def _text_answers(key: str) -> st.SearchStrategy[Answer]:
    typed = st.text(TEXT_ALPHABET, max_size=30).map(lambda s: f"Kết quả {s}".strip())
    return st.one_of(
        typed.map(lambda t: Answer({key: t}, text=t)),
        typed.map(lambda t: Answer({key: t}, text=f"\u202e{t}  ")),  # the override is removed
        st.just(Answer({key: "a" * 1000}, text="a" * 1000)),  # exactly the limit
    )


def _count_text(n: int, measure: Measure) -> st.SearchStrategy[str]:
    forms = [str(n), format_count(n)]
    if _UNIT_WORDS.fullmatch(measure.unit):
        forms.append(f"{format_count(n)} {measure.unit}")
    return st.sampled_from(forms)


def _count_answers(key: str, measure: Measure) -> st.SearchStrategy[Answer]:
    return st.integers(0, measure.maximum).flatmap(
        lambda n: _count_text(n, measure).map(lambda t: Answer({key: n}, text=t))
    )


def _money_answers(key: str, measure: Measure) -> st.SearchStrategy[Answer]:
    millions = st.integers(0, 999)
    return st.one_of(
        millions.map(lambda m: Answer({key: m * 1_000_000}, text=f"{m} triệu")),
        millions.map(lambda m: Answer({key: m * 1_000_000 + 500_000}, text=f"{m},5 triệu")),
        st.integers(0, measure.maximum).map(
            lambda n: Answer({key: n}, text=f"{format_count(n)} đồng")
        ),
        st.integers(0, measure.maximum).map(lambda n: Answer({key: n}, text=str(n))),
    )


def _pair_answers(
    keys: tuple[str, str], first: Measure, second: Measure
) -> st.SearchStrategy[Answer]:
    def written(a: int, b: int) -> st.SearchStrategy[Answer]:
        forms = (f"{a}/{b}", f"{format_count(a)}/{format_count(b)}", f"{a} / {b}")
        return st.sampled_from(forms).map(lambda t: Answer({keys[0]: a, keys[1]: b}, text=t))

    return st.tuples(st.integers(0, first.maximum), st.integers(0, second.maximum)).flatmap(
        lambda ab: written(*ab)
    )


def _item_answers(question: Question) -> st.SearchStrategy[Answer]:
    item = question.item
    assert item is not None
    keys = tuple(answer_key(item.code, m.key) for m in item.measures)
    measures = item.measures
    if measures[0].kind is MeasureKind.TEXT:
        return _text_answers(keys[0])
    zero = {key: 0 for key in keys}
    nothing = st.sampled_from(("0", "không")).map(lambda t: Answer(zero, text=t))
    if len(measures) == 2:
        typed = _pair_answers((keys[0], keys[1]), measures[0], measures[1])
    elif measures[0].kind is MeasureKind.MONEY:
        typed = _money_answers(keys[0], measures[0])
    else:
        typed = _count_answers(keys[0], measures[0])
    return st.one_of(nothing, typed)


def _run_answers(group: Group) -> st.SearchStrategy[Answer]:
    run, pick = f"run:{group.number}", f"pick:{group.number}"
    rows = [item.code for item in group.asked_items]
    yes = {run: 1, pick: None}
    no = {run: 0, pick: None}

    def picked(chosen: list[str], short: bool, separator: str) -> Answer:
        tokens = [code.removeprefix(f"{group.number}.") if short else code for code in chosen]
        if len(tokens) == 1 and tokens[0] in {"1", "2"}:
            tokens = chosen  # a lone "1" or "2" is the number of a choice, not of a row
        ordered = [code for code in rows if code in chosen]
        value = None if len(ordered) == len(rows) else ",".join(ordered)
        return Answer({run: 1, pick: value}, text=separator.join(tokens))

    return st.one_of(
        st.sampled_from(("có", "Có, tất cả", "1", "ok")).map(lambda t: Answer(yes, text=t)),
        st.sampled_from(("không", "2", "0", "k")).map(lambda t: Answer(no, text=t)),
        st.sampled_from((say.ALL.label, say.NO.label)).map(
            lambda label: Answer(yes if label == say.ALL.label else no, press=label)
        ),
        st.builds(
            picked,
            st.lists(st.sampled_from(rows), min_size=1, max_size=len(rows) + 1),
            st.booleans(),
            st.sampled_from((", ", " ", ";")),
        ),
    )


def _opening_answers() -> st.SearchStrategy[Answer]:
    default: dict[str, StoredValue] = {"opening:held": 1, "opening:date": "2023-10-02"}
    none: dict[str, StoredValue] = {"opening:held": 0, "opening:date": None}

    def on(day: date, form: str) -> Answer:
        text = form.format(d=day.day, m=day.month, year=day.year)
        return Answer({"opening:held": 1, "opening:date": day.isoformat()}, text=text)

    forms = ("{d}/{m}", "{d:02d}/{m:02d}/{year}", "{d}.{m}", "ngày {d}/{m}", "có, {d}/{m}")
    return st.one_of(
        st.sampled_from(("1", "có", "Có, ngày 02/10")).map(lambda t: Answer(default, text=t)),
        st.sampled_from(("2", "không", "Không tổ chức")).map(lambda t: Answer(none, text=t)),
        st.sampled_from(("Có, ngày 02/10", "Không tổ chức")).map(
            lambda label: Answer(default if label.startswith("Có") else none, press=label)
        ),
        st.builds(on, st.dates(OPENING_FIRST, OPENING_LAST), st.sampled_from(forms)),
    )


def answers_for(question: Question) -> st.SearchStrategy[Answer]:
    """Valid answers to ``question`` with what each stores (photos are sent by their own rule)."""
    if question.kind is Kind.OPENING:
        return _opening_answers()
    if question.kind is Kind.RUN and question.group is not None:
        return _run_answers(question.group)
    if question.kind is Kind.ITEM:
        return _item_answers(question)
    if question.kind is Kind.NARRATIVE:
        return _text_answers(question.key)  # stored under the question's own key
    if question.kind is Kind.NOMINATIONS:  # none to propose: the optional step is answered
        done = {NOMINATIONS_DONE_KEY: 1}
        return st.sampled_from(
            (
                Answer(done, text="không"),
                Answer(done, text="Xong"),
                Answer(done, press=say.NOMINATIONS_NONE.label),
            )
        )
    raise ValueError(question.key)


def hostile_for(step: str, question: Question | None) -> tuple[str, ...]:
    """The corpus entries that must be refused (or ignored) at this step."""
    if step == "menu":  # where "tiếp tục" is the answer
        return tuple(t for t in NUMBER_HOSTILE + TEXT_HOSTILE if t != "tiếp tục")
    if question is None or question.kind is Kind.PHOTOS:
        return NUMBER_HOSTILE + TEXT_HOSTILE
    if question.kind is Kind.NARRATIVE or (
        question.item is not None and question.item.measures[0].kind is MeasureKind.TEXT
    ):
        return TEXT_HOSTILE
    if question.kind is Kind.RUN:  # "1,5" is a fine pick of rows 1 and 5 of a large group
        return tuple(t for t in NUMBER_HOSTILE if t != "1,5")
    return NUMBER_HOSTILE


# The machine ------------------------------------------------------------------------------------


# Sized by the suite's Hypothesis profile (tests/conftest.py): an example is a whole walk with a
# database and restarts, so it runs a tenth of the profile's examples: "fast" tries 5 walks of
# 30 messages, "long" (CI) 30 walks of 40, the strength it always had.
@settings(max_examples=max(1, settings.default.max_examples // 10), deadline=None)
class ConversationMachine(RuleBasedStateMachine):
    """One teacher of one unit, talking to a bot that may restart between any two messages."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = tempfile.TemporaryDirectory()
        root = Path(self.directory.name)
        self.settings: Settings = load_settings(
            None,
            database={
                "url": f"sqlite+aiosqlite:///{root / 'tuanle.sqlite3'}",
                "sqlite_synchronous": "NORMAL",
            },
            evidence={"directory": root / "evidence"},
            campaign={"year": 2023},
        )
        self.clock = FixedClock(NOW)
        self.app: App | None = None
        self.app = self.run(build(self.settings, clock=self.clock))
        self.invite = self.run(add_unit(self.app))
        self.chat = self.app_chat()
        self.delivered: list[Incoming] = []
        self.shown: list[Reply] = []
        self.questions = plan(self.app.engine.campaign.form)
        self.keys = frozenset(q.key for q in self.questions)
        rule = self.app.engine.campaign.evidence
        self.photos_min, self.photos_max = rule.min_photos, rule.max_photos
        # The model: what the teacher validly answered, and the photos the report keeps.
        self.model: dict[str, StoredValue] = {}
        self.photos: list[str] = []
        self.nominations: list[str] = []
        self.submissions = 0
        self.submitted = False
        self.invite_uses, self.join_failures = 1, 0
        self.check(self.run(self.chat.send(f"/start {self.invite}")))
        self.report = self.run(stored_report(self.app))
        self.restarts = 0
        self.now = self.run(self.snapshot())

    def teardown(self) -> None:
        try:
            if self.app is not None:
                self.run(self.app.close())
        finally:
            self.loop.close()
            self.directory.cleanup()

    # Plumbing -------------------------------------------------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def app_chat(self) -> MemoryChat:
        assert self.app is not None
        return MemoryChat(self.app.engine, user_id=USER, user_name="Cô Lan")

    async def snapshot(self) -> Snapshot:
        assert self.app is not None
        async with self.app.uows() as uow:  # one transaction: a consistent view, and quicker
            stored = await uow.reports.answers(self.report.id)
            conversation = (
                await uow.session.execute(select(Conversation).where(Conversation.user_id == USER))
            ).scalar_one()
            evidence = await uow.reports.evidence(self.report.id)
            report = await uow.session.get(Report, self.report.id)
            assert report is not None
            nominations = await uow.nominations.of_report(self.report.id)
            unfinished = await uow.session.execute(
                select(
                    InboxMessage.external_id, InboxMessage.status, InboxMessage.last_error
                ).where((InboxMessage.status != "done") | InboxMessage.last_error.is_not(None))
            )
            return Snapshot(
                conversation.step,
                conversation.version,
                {
                    k: a.value_int if a.value_int is not None else a.value_text
                    for k, a in stored.items()
                },
                [e.sha256 for e in evidence],
                report.status,
                report.revision,
                [f"{m.external_id}: {m.status} {m.last_error}" for m in unfinished],
                [n.name for n in nominations],
            )

    def check(self, replies: list[Reply]) -> list[Reply]:
        """Every message gets a reply, each with text, and never the internal-error apology."""
        assert replies, "a message got no reply"
        for reply in replies:
            assert reply.text.strip(), reply
            assert reply.text != say.INTERNAL_ERROR
        self.delivered.append(self.chat.sent[-1])
        self.shown.extend(replies)
        return replies

    def refresh(self) -> Snapshot:
        before, self.now = self.now, self.run(self.snapshot())
        # Which parts of the walk the examples reach (pytest --hypothesis-show-statistics).
        event(f"reached {self.now.step.split(':')[0]}")
        return before

    def question(self) -> Question | None:
        step = self.now.step
        return self.questions[find(self.questions, step)] if step in self.keys else None

    def at_question(self) -> bool:
        question = self.question()
        return question is not None and question.kind is not Kind.PHOTOS

    def remember(self, values: Mapping[str, StoredValue]) -> None:
        """A stored answer replaces the one before; clearing an absent value stores nothing."""
        for key, value in values.items():
            if value is None and self.model.get(key) is None:
                continue
            self.model[key] = value

    def send(self, text: str) -> list[Reply]:
        return self.check(self.run(self.chat.send(text)))

    def press(self, key_or_label: str, reply: Reply) -> list[Reply]:
        return self.check(self.run(self.chat.press(key_or_label, reply)))

    def current_reply(self) -> Reply | None:
        """The last reply shown, if its buttons still belong to the current step."""
        if self.shown and self.shown[-1].version == self.now.version:
            return self.shown[-1]
        return None

    # Rules ----------------------------------------------------------------------------------

    @initialize(data=st.data(), ahead=st.integers(0, 25), brisk=st.booleans())
    def walk_ahead(self, data: st.DataObject, ahead: int, brisk: bool) -> None:
        """Starts the example somewhere along the walk: valid answers (a brisk teacher says no
        to every group, to get further), and photos at the photo step, so that forty random
        steps also reach the late questions, the review and the receipt."""
        for _ in range(ahead):
            question = self.question()
            if question is None:
                return
            if brisk and question.kind is Kind.RUN:
                self.send("không")
                self.remember({question.key: 0, question.key.replace("run:", "pick:"): None})
                self.refresh()
            elif question.kind is not Kind.PHOTOS:
                self.answer_validly(data, 1)
            elif len(self.photos) < self.photos_max and data.draw(st.booleans(), "photo"):
                self.send_photo(data.draw(st.integers(0, 5), "seed"))
            else:
                self.finish_or_clear_photos("xong")

    @precondition(lambda self: self.at_question())
    @rule(data=st.data(), times=st.integers(1, 6))
    def answer_validly(self, data: st.DataObject, times: int) -> None:
        """Answers the current question (and maybe the next few) with a valid answer."""
        for _ in range(times):
            question = self.question()
            if question is None or question.kind is Kind.PHOTOS:
                return
            answer = data.draw(answers_for(question), label=question.key)
            shown = self.current_reply()
            labels = {c.label for c in shown.choices} if shown else set()
            if answer.press is not None and shown is not None and answer.press in labels:
                self.press(answer.press, shown)
            else:
                self.send(answer.text or answer.press or "")
            self.remember(answer.values)
            before = self.refresh()
            assert self.now.step != before.step, f"{question.key} was asked again"

    @precondition(lambda self: self.now.step == "photos")
    @rule(action=st.sampled_from(("xong", "done button", "xóa ảnh")))
    def finish_or_clear_photos(self, action: str) -> None:
        """At the photo step: done (moves on once there are enough) or start the photos again."""
        shown = self.current_reply()
        if action == "done button" and shown and say.DONE_PHOTOS in shown.choices:
            self.press(say.DONE_PHOTOS.label, shown)
        else:
            self.send("xong" if action == "done button" else action)
        if action == "xóa ảnh":
            self.photos.clear()
        before = self.refresh()
        if action != "xóa ảnh" and len(self.photos) >= self.photos_min:
            assert self.now.step != "photos"
        else:
            assert self.now.step == before.step

    @rule(data=st.data())
    def answer_badly(self, data: st.DataObject) -> None:
        """A hostile answer gets a correction, changes nothing and keeps the step."""
        text = data.draw(st.sampled_from(hostile_for(self.now.step, self.question())))
        replies = self.send(text)
        before = self.refresh()
        assert self.now.step == before.step
        assert self.now.answers == before.answers
        if self.at_question():
            assert len(replies) >= 2 and replies[0].text != replies[-1].text

    @rule(
        word=st.sampled_from(("quay lại", "bỏ qua", "xem lại", "hủy", "/help", "QUAY LAI", "xl")),
        by_button=st.booleans(),
    )
    def navigate(self, word: str, by_button: bool) -> None:
        """Back, skip, review, cancel or help, typed or pressed: no answer changes."""
        shown = self.current_reply()
        keys = {"quay lại": "back", "bỏ qua": "skip", "xem lại": "review", "hủy": "cancel"}
        key = keys.get(word)
        buttons = {c.key for c in shown.actions} if shown else set()
        if by_button and shown is not None and key in buttons:
            self.press(key, shown)
        else:
            self.send(word)
        self.refresh()

    @precondition(lambda self: self.now.step == "menu")
    @rule(by_button=st.booleans())
    def resume(self, by_button: bool) -> None:
        """ "Tiếp tục" from the pause menu goes to the first unanswered question, or to the
        review when nothing is missing."""
        shown = self.current_reply()
        if by_button and shown is not None and say.CONTINUE in shown.choices:
            replies = self.press(say.CONTINUE.key, shown)
        else:
            replies = self.send("tiếp tục")
        self.refresh()
        assert self.now.step in self.keys | {"review"}
        if self.now.step == "review":
            assert say.REVIEW_MISSING.split("{")[0] not in replies[-1].text

    @precondition(lambda self: self.now.step == "nominations")
    @rule(number=st.integers(1, 24), collective=st.booleans())
    def propose(self, number: int, collective: bool) -> None:
        """One commendation nomination a message: listed at once and the step kept; the same
        name again, or a 21st, is refused and changes nothing."""
        name = f"Lớp {number}A" if collective else f"Nguyễn Văn {chr(ord('A') + number)}"
        kind = "tập thể" if collective else "cá nhân"
        self.send(f"{name} - {kind} - tổ chức {number} buổi đọc sách")
        if name not in self.nominations and len(self.nominations) < MAX_NOMINATIONS:
            self.nominations.append(name)
        before = self.refresh()
        assert self.now.step == before.step and self.now.answers == before.answers

    @precondition(lambda self: self.now.step == "nominations" and bool(self.nominations))
    @rule(data=st.data())
    def remove_a_nomination(self, data: st.DataObject) -> None:
        """ "xóa 2" removes the second nomination listed; the step is kept."""
        number = data.draw(st.integers(1, len(self.nominations)), "number")
        self.send(f"xóa {number}")
        del self.nominations[number - 1]
        before = self.refresh()
        assert self.now.step == before.step

    @precondition(lambda self: self.now.step.startswith("narr:"))
    @rule()
    def skip_the_narratives(self) -> None:
        """ "Bỏ qua phần đánh giá" at any narrative question goes to the commendation
        nominations, or to the review once they are answered."""
        shown = self.current_reply()
        if shown is not None and say.SKIP_ALL in shown.actions:
            self.press(say.SKIP_ALL.key, shown)
        else:
            self.send(say.SKIP_ALL.label)
        self.refresh()
        assert self.now.step == ("review" if NOMINATIONS_DONE_KEY in self.model else "nominations")

    @precondition(lambda self: self.now.step == "review")
    @rule(what=st.sampled_from(("1.1", "1.13", "2", "5.3", "9.2", "10.1", "11", "1", "4", "10")))
    def edit_from_review(self, what: str) -> None:
        """ "Sửa 1.3" at the review goes to that row, "sửa 1" to the group's yes/no question; a
        row of a group the unit did not run is refused with a word on what to edit instead."""
        replies = self.send(f"sửa {what}")
        self.refresh()
        keys = (f"item:{what}", f"run:{what}")
        question = next(self.questions[find(self.questions, k)] for k in keys if k in self.keys)
        if self.applies(question):
            assert self.now.step == question.key, replies[0].text
        else:
            assert self.now.step == "review" and "sửa câu" in replies[0].text

    @precondition(lambda self: self.now.step == "review")
    @rule(what=st.sampled_from(("khai mạc", "ảnh", "99", "1.99", "")))
    def edit_something_else(self, what: str) -> None:
        """The opening and the photos can be edited too; an unknown row is named back."""
        self.send(f"sửa {what}")
        self.refresh()
        expected = {"khai mạc": "opening", "ảnh": "photos"}.get(what, "review")
        assert self.now.step == expected

    @precondition(lambda self: self.now.step == "review")
    @rule(by_button=st.booleans())
    def submit(self, by_button: bool) -> None:
        """Submitting gives a receipt once there are enough photos, else asks for them."""
        shown = self.current_reply()
        if by_button and shown is not None and say.SUBMIT in shown.choices:
            replies = self.press(say.SUBMIT.key, shown)
        else:
            replies = self.send("gửi báo cáo")
        self.refresh()
        if len(self.photos) >= self.photos_min:
            self.submitted = True
            self.submissions += 1
            assert self.now.step == "submitted" and "Số tiếp nhận" in replies[-1].text
        else:
            assert self.now.step == "photos"

    @precondition(lambda self: self.now.step == "submitted")
    @rule(by_button=st.booleans())
    def edit_the_submitted_report(self, by_button: bool) -> None:
        """Before the deadline a submitted report opens again at the review."""
        shown = self.current_reply()
        if by_button and shown is not None and say.EDIT in shown.choices:
            self.press(say.EDIT.key, shown)
        else:
            self.send("sửa báo cáo")
        self.submitted = False
        self.refresh()
        assert self.now.step == "review"

    @rule(seed=st.integers(0, 5))
    def send_photo(self, seed: int) -> None:
        """A photo at any step: kept up to the maximum, the same photo never twice."""
        data = photo(seed)
        digest = hashlib.sha256(data).hexdigest()
        replies = self.check(self.run(self.chat.send_file(data)))
        if self.submitted:
            assert replies[0].text.startswith(SUBMITTED_PREFIX)
        elif digest in self.photos:
            assert replies[0].text == say.PHOTO_DUPLICATE
        elif len(self.photos) >= self.photos_max:
            assert replies[0].text == say.PHOTO_FULL.format(max=self.photos_max)
        else:
            self.photos.append(digest)
            assert f"{len(self.photos)}/{self.photos_max}" in replies[0].text
        self.refresh()

    @rule(code=st.sampled_from(("", "the invite", "ABCD-EFGH-JKMN-PQRS")))
    def start(self, code: str) -> None:
        """/start, alone or with a code: the teacher stays in the unit's walk; the right code
        greets again, a wrong one is refused and counted, and too many lock joining out."""
        right = code == "the invite"
        text = f"/start {self.invite if right else code}".strip()
        limit = self.settings.invites.max_failures_per_hour
        if code and self.join_failures >= limit:  # told once until when, then silence
            assert self.run(self.chat.send(text)) == []
            self.delivered.append(self.chat.sent[-1])
            self.refresh()
            return
        replies = self.send(text)
        self.refresh()
        if not code:
            assert replies[0].text.startswith(say.ALREADY_MEMBER.split("“")[0])
            return
        usable = right and self.invite_uses < INVITE_MAX_USES
        if usable:
            self.invite_uses += 1
            self.join_failures = 0
            assert replies[0].text.startswith(say.JOINED.split("“")[0])
        else:
            self.join_failures += 1
            locked = self.join_failures >= limit
            assert replies[0].text.startswith(LOCKED_PREFIX if locked else WRONG_PREFIX)

    @precondition(lambda self: bool(self.stale_replies()))
    @rule(data=st.data())
    def press_a_stale_button(self, data: st.DataObject) -> None:
        """A button from an earlier step is refused politely and changes nothing."""
        old = data.draw(st.sampled_from(self.stale_replies()))
        button: Choice = data.draw(st.sampled_from((*old.choices, *old.actions)))
        replies = self.press(button.key, old)
        assert replies[0].text == say.STALE_BUTTON
        before = self.refresh()
        assert (self.now.step, self.now.answers) == (before.step, before.answers)

    @rule(
        data=st.sampled_from(("next", "", "x", "1:", ":all", "-1:all", "１:all", "7:" + "k" * 65))
    )
    def press_a_forged_button(self, data: str) -> None:
        """Button data no reply ever carried (malformed, or of a step still to come) is refused
        like a stale button."""
        forged = f"{self.now.version + 1}:default" if data == "next" else data
        incoming = Incoming("memory", uuid.uuid4().hex, USER, USER, button=forged)
        replies = self.check(self.run(self.chat.deliver(incoming)))
        assert replies[0].text == say.STALE_BUTTON
        before = self.refresh()
        assert (self.now.step, self.now.answers) == (before.step, before.answers)

    @rule()
    def send_a_sticker(self) -> None:
        """A message with neither text nor a file (a sticker, a location) changes nothing."""
        incoming = Incoming("memory", uuid.uuid4().hex, USER, USER)
        replies = self.check(self.run(self.chat.deliver(incoming)))
        before = self.refresh()
        assert (self.now.step, self.now.answers) == (before.step, before.answers)
        assert replies[0].text == say.UNKNOWN_MESSAGE

    def stale_replies(self) -> list[Reply]:
        return [r for r in self.shown if (r.choices or r.actions) and r.version < self.now.version]

    @precondition(lambda self: bool(self.delivered))
    @rule(data=st.data())
    def deliver_again(self, data: st.DataObject) -> None:
        """A message delivered a second time (same message id) is dropped without a reply."""
        incoming = data.draw(st.sampled_from(self.delivered))
        assert self.run(self.chat.deliver(incoming)) == []
        before = self.refresh()
        assert before == self.now

    @precondition(lambda self: self.restarts < MAX_RESTARTS)
    @rule()
    def restart(self) -> None:
        """The bot restarts: the walk, the answers and the photos are all still there."""
        assert self.app is not None
        self.restarts += 1
        self.run(self.app.close())
        self.app = None
        self.app = self.run(build(self.settings, clock=self.clock))
        self.chat = self.app_chat()
        before = self.refresh()
        assert before == self.now
        assert self.run(stored_answers(self.app, self.report)) == self.model

    # Invariants -----------------------------------------------------------------------------

    @invariant()
    def the_step_is_one_the_walk_knows(self) -> None:
        assert self.now.step in NOT_QUESTIONS or self.now.step in self.keys, self.now.step

    @invariant()
    def the_database_holds_exactly_the_valid_answers(self) -> None:
        assert self.now.answers == self.model

    @invariant()
    def the_database_holds_exactly_the_accepted_photos(self) -> None:
        assert self.now.photos == self.photos

    @invariant()
    def the_database_holds_exactly_the_nominations_listed(self) -> None:
        assert self.now.nominations == self.nominations

    @invariant()
    def the_report_is_submitted_exactly_when_the_teacher_submitted_it(self) -> None:
        assert self.now.status == ("submitted" if self.submitted else "draft")
        assert self.now.revision == self.submissions

    @invariant()
    def no_message_failed(self) -> None:
        assert not self.now.inbox_problems

    @invariant()
    def the_question_asked_applies_to_the_answers_so_far(self) -> None:
        question = self.question()
        assert question is None or self.applies(question), question.key

    def applies(self, question: Question) -> bool:
        """A row of a yes/no group is asked only once the unit said it ran that row."""
        group = question.group
        if question.item is None or group is None or not group.ask_if_run:
            return True
        chosen = self.model.get(f"pick:{group.number}")
        return self.model.get(f"run:{group.number}") == 1 and (
            not chosen or question.item.code in str(chosen).split(",")
        )


TestConversationMachine = ConversationMachine.TestCase
