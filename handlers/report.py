"""The report walk: one unit's report, filled one answer at a time by any of its reporters.

Steps (the conversation's ``step``):

| step        | on an answer                            | next                               |
|-------------|-----------------------------------------|------------------------------------|
| menu        | "tiếp tục"                              | the saved question                 |
| <question>  | a valid answer: stored at once          | the next question that applies     |
| <question>  | quay lại / bỏ qua / xem lại / hủy       | previous / next / review / menu    |
| photos      | a photo or PDF (at any step, in fact)   | stays, or the next question at max |
| review      | "gửi báo cáo"                           | submitted (receipt)                |
| review      | "sửa 1.3"                               | that question, then back to review |
| submitted   | "sửa báo cáo" before the deadline       | review                             |

A bad answer never changes anything: it gets a correction and the same question again.
The words that move around the walk (quay lại, xem lại, gửi báo cáo, sửa báo cáo, …) are
entries of the command table (``handlers/commands.py``), each at the places of the walk where
it applies (``Place``); this module reads the answers and says what a word does.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from bot.domain.campaign import Deadline
from bot.domain.chat import ALBUM_ACK, ALBUM_KEEP, ALBUM_ROLE, Reply
from bot.domain.units import level_of
from bot.evidence import EvidenceRefused
from handlers import amend, nominations, review, rows
from handlers import messages as say
from handlers.common import (
    Context,
    Outcome,
    Upload,
    fold,
    match_choice,
    refusal_text,
)
from handlers.questions import READINGS_KEY, Correction, Unclear, ask, read_answer, read_reading
from handlers.walk import (
    PHOTOS_KEY,
    REVIEW_STEP,
    Kind,
    Question,
    find,
    has_stored_value,
    next_after,
    plan,
    previous_before,
    unanswered,
)
from storage.models import Evidence, Report

# A reply about one photo of an album that is sent whatever the album's later photos bring.
_KEEP = {ALBUM_ROLE: ALBUM_KEEP}

MENU_STEP = "menu"
SUBMITTED_STEP = "submitted"
KEEP_WORDS = frozenset({"giu nguyen", "giu", "giu nhu cu", "nhu cu", "keep", "/keep"})


class Place(StrEnum):
    """Where in the walk a person stands, as the command table tells places apart."""

    QUESTION = "question"  # at one question of the walk
    MENU = "menu"  # paused, or not started
    REVIEW = "review"  # at the summary, before submitting
    SUBMITTED = "submitted"  # the report is sent


class ReportFlow:
    """The steps of the walk for one message; built per message, holds no state of its own."""

    def __init__(self, ctx: Context, report: Report, answers: dict[str, int | str | None]):
        self.ctx = ctx
        self.report = report
        self.answers = answers
        self.questions = plan(ctx.campaign.form)

    # Entry ------------------------------------------------------------------------------------

    def place(self) -> Place:
        """Where the person stands, for the command table."""
        step = self.ctx.conversation.step
        sent = self.report.status in {"submitted", "reopened"}  # reopened: until "sửa báo cáo"
        if step == SUBMITTED_STEP or (sent and step != REVIEW_STEP):
            return Place.SUBMITTED
        if step == REVIEW_STEP:
            return Place.REVIEW
        if step in {MENU_STEP, "start"} or not self._is_question(step):
            return Place.MENU
        return Place.QUESTION

    def standing(self) -> Question:
        """The question the person stands at (at ``Place.QUESTION``)."""
        return self.questions[find(self.questions, self.ctx.conversation.step)]

    async def respond(self, text: str | None) -> Outcome:
        """A file, or a text that is no command here: an answer, or the place shown again."""
        if self.ctx.upload is not None:
            return await self.receive_file(self.ctx.upload)
        if text is None:
            return Outcome([Reply(say.UNKNOWN_MESSAGE), *(await self.current_question())])
        place = self.place()
        if place is Place.SUBMITTED:
            return Outcome([self.submitted_reply()], step=SUBMITTED_STEP)
        if place is Place.REVIEW:
            return await review.show(self, [Reply(say.REVIEW_HOW_TO_EDIT)])
        if place is Place.MENU:
            return Outcome([Reply(say.MENU, choices=(say.CONTINUE,), actions=(say.REVIEW,))])
        return await self.answer(self.standing(), text)

    def _is_question(self, step: str) -> bool:
        return any(q.key == step for q in self.questions)

    # The walk ---------------------------------------------------------------------------------

    async def answer(self, question: Question, text: str) -> Outcome:
        """Stores the answer to ``question`` and asks the next one; a bad answer is re-asked."""
        if (picked := await self.pick_reading(question, text)) is not None:
            return picked
        if question.kind is Kind.NOMINATIONS:  # one nomination a message, or "xong"
            return await nominations.answer(self, question, text)
        if question.kind is not Kind.PHOTOS and fold(text) in KEEP_WORDS:
            if not has_stored_value(question, self.answers):  # nothing to keep: say so
                return Outcome([Reply(say.KEEP_NOTHING), await self.ask(question)])
            return await self.advance(question)  # the stored value stays as it is
        if question.kind is Kind.NARRATIVE and match_choice(
            text, (say.SKIP_ALL,), by_number=False
        ):
            return await nominations.skip_narratives(self)
        if question.kind is Kind.PHOTOS:
            return await self.photos_text(question, text)
        if (several := await rows.answer_rows(self, question, text)) is not None:
            return several  # "1.1: 3/120; 1.2: 2/80": the rows named, all or none
        try:
            values = read_answer(self.ctx.campaign, question, text)
        except Unclear as unclear:  # asked once, never guessed; kept until the next message
            return Outcome([unclear.reply], data={**self.ctx.data, READINGS_KEY: unclear.pending})
        except Correction as correction:
            return Outcome([Reply(correction.message), await self.ask(question)])
        for key, value in values.values.items():
            await self.store(key, value)
        if question.kind is Kind.OPENING:
            await self.ctx.uow.reports.set_opening(self.report, values.opening)
        return await self.advance(question)

    async def pick_reading(self, question: Question, text: str) -> Outcome | None:
        """Stores the reading chosen after an unclear answer; None when no reading is chosen.

        The readings kept in the data are dropped by any message, so a later "1" is never
        taken for a choice that is no longer on the screen.
        """
        if READINGS_KEY not in self.ctx.data:
            return None
        pending = self.ctx.data[READINGS_KEY]
        self.ctx.conversation.data = {k: v for k, v in self.ctx.data.items() if k != READINGS_KEY}
        try:
            values = read_reading(question, pending, text)
        except Correction as correction:
            return Outcome([Reply(correction.message), await self.ask(question)])
        if values is None:
            return None
        for key, value in values.values.items():
            await self.store(key, value)
        return await self.advance(question)

    async def store(self, key: str, value: int | str | None) -> None:
        """Stores one value (None clears it); the engine commits the message's transaction."""
        if value is None and self.answers.get(key) is None:
            return
        await self.ctx.uow.reports.set_answer(
            self.report,
            key,
            value_int=value if isinstance(value, int) else None,
            value_text=value if isinstance(value, str) else None,
            member_id=self.ctx.member.id if self.ctx.member else None,
            inbox_id=self.ctx.inbox_id,
            now=self.ctx.now,
        )
        self.answers[key] = value
        if self.report.status == "submitted":
            self.report.status = "draft"

    async def advance(self, question: Question, prefix: list[Reply] | None = None) -> Outcome:
        """Moves past ``question``: to the review when editing from it or at the end."""
        if self.ctx.data.get("return_to_review"):
            return await review.show(self, prefix)
        following = next_after(self.questions, question.key, self.answers)
        if following is None:
            return await review.show(self, prefix)
        return await self.go_to(following, prefix)

    async def go_back(self, question: Question) -> Outcome:
        previous = previous_before(self.questions, question.key, self.answers)
        if previous is None:
            return Outcome([Reply(say.FIRST_QUESTION), await self.ask(question)])
        return await self.go_to(previous)

    async def go_to(self, question: Question, prefix: list[Reply] | None = None) -> Outcome:
        data = {**self.ctx.data, "cursor": question.key, "return_to_review": False}
        return Outcome([*(prefix or []), await self.ask(question)], step=question.key, data=data)

    def pause(self, question: Question) -> Outcome:
        data = {**self.ctx.data, "cursor": question.key, "return_to_review": False}
        return Outcome([Reply(say.PAUSED, choices=(say.CONTINUE,))], step=MENU_STEP, data=data)

    async def ask(self, question: Question) -> Reply:
        if question.kind is Kind.NOMINATIONS:  # shows the list so far
            return await nominations.ask(self)
        if question.kind is not Kind.PHOTOS:  # only the photo question shows the count
            return self._with_stored(question, ask(self.ctx.campaign, question))
        photos = len(await self.ctx.uow.reports.evidence(self.report.id))
        return ask(self.ctx.campaign, question, photos)

    def _with_stored(self, question: Question, reply: Reply) -> Reply:
        """A question asked again shows what its row holds and offers to keep it."""
        if not has_stored_value(question, self.answers):
            return reply
        stored = say.STORED_VALUE.format(value=amend.row_text(question, self.answers))
        return replace(reply, text=f"{reply.text}\n{stored}", actions=(say.KEEP, *reply.actions))

    async def current_question(self) -> list[Reply]:
        """The question the person stands at, asked again."""
        step = self.ctx.conversation.step
        if step == REVIEW_STEP:
            return (await review.show(self)).replies
        if self._is_question(step):
            return [await self.ask(self.questions[find(self.questions, step)])]
        if step == SUBMITTED_STEP:
            return [self.submitted_reply()]
        return [Reply(say.MENU, choices=(say.CONTINUE,), actions=(say.REVIEW,))]

    async def resume(self) -> Outcome:
        """After a pause: the first question still unanswered, else the photos, else the review.

        Not the question last stood at: after an edit from the review that is a row already
        answered, and the walk from there would ask answered rows again.
        """
        missing = unanswered(self.questions, self.answers)
        if missing:
            return await self.go_to(missing[0])
        photos = len(await self.ctx.uow.reports.evidence(self.report.id))
        if photos < self.ctx.campaign.evidence.min_photos:
            return await self.go_to(self.questions[find(self.questions, PHOTOS_KEY)])
        return await review.show(self)

    def cursor_question(self) -> Question:
        """The question the person last stood at, or the first one."""
        cursor = self.ctx.data.get("cursor")
        if isinstance(cursor, str) and self._is_question(cursor):
            return self.questions[find(self.questions, cursor)]
        return self.questions[0]

    # Evidence ---------------------------------------------------------------------------------

    async def receive_file(self, upload: Upload | EvidenceRefused) -> Outcome:
        """Attaches a photo or PDF to the report, at whatever step it arrives."""
        here = await self.current_question()
        if isinstance(upload, EvidenceRefused):
            return Outcome([Reply(refusal_text(upload), meta=dict(_KEEP)), *here])
        if self.report.status == "submitted":
            return Outcome([Reply(say.ALREADY_SUBMITTED.format(reference=self.report.reference))])
        rule = self.ctx.campaign.evidence
        existing = await self.ctx.uow.reports.evidence(self.report.id)
        if any(e.sha256 == upload.prepared.sha256 for e in existing):
            return Outcome([Reply(say.PHOTO_DUPLICATE, meta=dict(_KEEP)), *here])
        if len(existing) >= rule.max_photos:
            return Outcome([Reply(say.PHOTO_FULL.format(max=rule.max_photos)), *here])
        prepared = upload.prepared
        await self.ctx.uow.reports.add_evidence(
            Evidence(
                report_id=self.report.id,
                sha256=prepared.sha256,
                stored_key=upload.stored_key,
                mime=prepared.mime,
                size=prepared.size,
                stored_sha256=prepared.stored_sha256,
                stored_size=prepared.stored_size,
                width=prepared.width,
                height=prepared.height,
                member_id=self.ctx.member.id if self.ctx.member else None,
                created_at=self.ctx.now,
            )
        )
        have = len(existing) + 1
        template = say.PDF_RECEIVED if prepared.mime == "application/pdf" else say.PHOTO_RECEIVED
        text = template.format(have=have, max=rule.max_photos)
        if have < rule.min_photos:
            text += say.PHOTO_NEED_MORE.format(need=rule.min_photos - have)
        step = self.ctx.conversation.step
        if rule.min_photos <= have < rule.max_photos:
            text += say.PHOTO_ENOUGH if step == PHOTOS_KEY else say.PHOTO_ENOUGH_ELSEWHERE
        ack = Reply(text, meta={ALBUM_ROLE: ALBUM_ACK})  # in an album, the last one is sent
        if step == PHOTOS_KEY and have >= rule.max_photos:
            return await self.advance(self.questions[find(self.questions, step)], [ack])
        return Outcome([ack, *(await self.current_question())])

    async def photos_text(self, question: Question, text: str) -> Outcome:
        """At the photo step, text is "xong" (done) or "xóa ảnh" (start the photos again)."""
        rule = self.ctx.campaign.evidence
        existing = await self.ctx.uow.reports.evidence(self.report.id)
        folded = fold(text)
        if folded in say.PHOTO_CLEAR_WORDS:
            for evidence in existing:
                await self.ctx.uow.reports.remove_evidence(evidence)
            cleared = say.PHOTOS_CLEARED.format(
                count=len(existing), min=rule.min_photos, max=rule.max_photos
            )
            return Outcome([Reply(cleared), await self.ask(question)])
        done = match_choice(text, (say.DONE_PHOTOS,)) or folded in {"xong", "du", "du anh", "ok"}
        if done and len(existing) >= rule.min_photos:
            return await self.advance(question)
        reply = say.PHOTO_NOT_ENOUGH.format(min=rule.min_photos, have=len(existing))
        return Outcome([Reply(reply), await self.ask(question)])

    # Deadlines and submission -----------------------------------------------------------------

    def deadline(self) -> Deadline | None:
        """The deadline of the person's unit in this campaign, if its plan sets one."""
        if self.ctx.unit is None:
            return None
        return self.ctx.campaign.deadline_for(level_of(self.ctx.unit.kind))

    def deadline_text(self) -> str | None:
        deadline = self.deadline()
        return deadline.before.strftime("%d/%m/%Y") if deadline else None

    def late(self) -> bool:
        """True once the unit's deadline has passed (a late draft may still be submitted)."""
        deadline = self.deadline()
        return deadline is not None and self.ctx.today >= deadline.before

    def locked_reply(self) -> Reply | None:
        """Refuses to reopen a submitted report after the deadline; only an admin may."""
        deadline = self.deadline()
        if deadline is None or not self.late() or self.report.status == "reopened":
            return None
        return Reply(
            say.LOCKED_AFTER_DEADLINE.format(deadline=deadline.before.strftime("%d/%m/%Y"))
        )

    def submitted_reply(self) -> Reply:
        if self.report.status == "reopened":  # by an admin: what to change, again
            unit = self.ctx.unit.name if self.ctx.unit else ""
            note = self.report.reopen_note or say.REOPEN_NO_NOTE
            text = say.REOPENED_BY_ADMIN.format(unit=unit, note=note)
            return Reply(text, choices=(say.EDIT,), actions=(say.REVIEW,))
        return Reply(
            say.ALREADY_SUBMITTED.format(reference=self.report.reference),
            choices=(say.EDIT,),
            actions=(say.REVIEW,),
        )

    async def review_submitted(self) -> Outcome:
        """The summary of the report as sent; the person stays where they are."""
        shown = await review.show(self, submitted=True)
        return replace(shown, step=SUBMITTED_STEP)

    async def edit_submitted(self, what: str = "") -> Outcome:
        """Opens the sent report for editing, before the deadline (or, once an admin reopened
        it, whatever the deadline): at the review, or at row ``what`` when one is named
        ("sửa 1.1", as an admin's note asks), then back to the review."""
        if locked := self.locked_reply():
            return Outcome([locked], step=SUBMITTED_STEP)
        self.report.status = "draft"
        self.ctx.uow.audit.record(
            self._actor(), "report.edit", {"report": self.report.id}, self.ctx.now
        )
        opened = Reply(say.REOPENED_FOR_EDIT)
        if fold(what) in {"", "bao cao"}:
            return await review.show(self, [opened])
        row = await review.edit_item(self, what)
        return replace(row, replies=[opened, *row.replies])

    def _actor(self) -> str:
        member = self.ctx.member
        return f"member:{member.id}" if member else "system"
