"""The one table of what a typed word or command does, who may use it, and where.

Like python-telegram-bot's conversationbot example: each entry names the words that trigger
it (compared folded: case, diacritics and extra spaces do not matter), the role it needs, the
places of the walk where it applies, and the function it runs. Anything that is no command at
the place the person stands is an answer, read by the walk (``handlers/report.py``).

Authorization happens in one place, ``run``: by the sender's membership as the database holds
it (``handlers.roles.access_of``), never by the chat or by what a button claims. Someone
without the role gets a polite refusal and nothing else happens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.chat import Choice, Reply
from handlers import admin, calendar_admin, review
from handlers import messages as say
from handlers.common import (
    BACK,
    CANCEL,
    HELP,
    NAVIGATION,
    REVIEW,
    SKIP,
    Context,
    Outcome,
    clean_text,
    fold,
    match_choice,
)
from handlers.report import Place, ReportFlow
from handlers.roles import Request, Role, access_of

ANYWHERE = frozenset(Place)


@dataclass(frozen=True, slots=True)
class Call(Request):
    """A command as it is run, with the walk of the sender's unit (None without one)."""

    flow: ReportFlow | None = None

    @property
    def walk(self) -> ReportFlow:
        if self.flow is None:  # the table gives walk commands only to members at a place
            raise RuntimeError("a walk command without a walk")
        return self.flow


Run = Callable[[Call], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Command:
    """One entry of the table."""

    name: str
    words: frozenset[str]  # folded: "/status", "xem lai"
    needs: Role
    run: Run
    at: frozenset[Place] = ANYWHERE
    choice: Choice | None = None  # the button that stands for it, matched by label or key
    numbered: bool = False  # its button is the only one shown: "1" picks it too
    takes_arguments: bool = False  # "/invite THCS-01 admin": the first word triggers it
    help: str | None = None  # its line in /help (admin commands)


# The walk ---------------------------------------------------------------------------------------


async def _help(call: Call) -> Outcome:
    """How to answer, with the admin commands for an admin; then where the person stands
    (a superadmin bound to no unit stands nowhere: the admin commands only)."""
    parts = [say.HELP] if call.flow is not None else []
    if call.access.is_admin:
        helps = [command.help for command in COMMANDS if command.help]
        parts.append("\n".join([say.ADMIN_HELP_TITLE, *helps]))
    here = await call.flow.current_question() if call.flow is not None else []
    return Outcome([Reply("\n\n".join(parts)), *here])


async def _start(call: Call) -> Outcome:
    """/start again: which unit the person reports for, and the question they stand at."""
    ctx = call.ctx
    if call.flow is None:  # a superadmin bound to no unit: what they can do
        return await _help(call)
    unit = ctx.unit.name if ctx.unit else ""
    return Outcome(
        [Reply(say.ALREADY_MEMBER.format(unit=unit)), *(await call.walk.current_question())],
        data=ctx.data,  # the question is shown plain: a later "1" is not a reading's number
    )


async def _back(call: Call) -> Outcome:
    return await call.walk.go_back(call.walk.standing())


async def _skip(call: Call) -> Outcome:
    return await call.walk.advance(call.walk.standing())


async def _pause(call: Call) -> Outcome:
    return call.walk.pause(call.walk.standing())


async def _pause_review(call: Call) -> Outcome:
    return call.walk.pause(call.walk.cursor_question())


async def _review(call: Call) -> Outcome:
    return await review.show(call.walk)


async def _back_from_review(call: Call) -> Outcome:
    return await call.walk.go_to(call.walk.questions[-1])


async def _continue(call: Call) -> Outcome:
    return await call.walk.resume()


async def _submit(call: Call) -> Outcome:
    return await review.submit(call.walk)


async def _edit_row(call: Call) -> Outcome:
    return await review.edit_item(call.walk, call.arguments)


async def _review_submitted(call: Call) -> Outcome:
    return await call.walk.review_submitted()


async def _edit_submitted(call: Call) -> Outcome:
    return await call.walk.edit_submitted(call.arguments)


QUESTION, MENU, AT_REVIEW, SUBMITTED = Place.QUESTION, Place.MENU, Place.REVIEW, Place.SUBMITTED

COMMANDS: tuple[Command, ...] = (
    # Anyone.
    Command("start", frozenset({"/start"}), Role.STRANGER, _start),
    Command("help", NAVIGATION[HELP], Role.STRANGER, _help),
    # The report walk: anyone bound to a unit (a reporter, or an admin filing their own unit's).
    Command("back", NAVIGATION[BACK], Role.REPORTER, _back, frozenset({QUESTION})),
    Command("back", NAVIGATION[BACK], Role.REPORTER, _back_from_review, frozenset({AT_REVIEW})),
    Command("skip", NAVIGATION[SKIP], Role.REPORTER, _skip, frozenset({QUESTION})),
    Command("pause", NAVIGATION[CANCEL], Role.REPORTER, _pause, frozenset({QUESTION})),
    Command("pause", NAVIGATION[CANCEL], Role.REPORTER, _pause_review, frozenset({AT_REVIEW})),
    Command("review", NAVIGATION[REVIEW], Role.REPORTER, _review, frozenset({QUESTION, MENU})),
    Command(
        "review", NAVIGATION[REVIEW], Role.REPORTER, _review_submitted, frozenset({SUBMITTED})
    ),
    Command(
        "continue",
        frozenset({"tiep tuc", "/baocao", "bao cao", "continue", "/continue", "lam tiep"}),
        Role.REPORTER,
        _continue,
        frozenset({MENU}),
        choice=say.CONTINUE,
        numbered=True,
    ),
    Command(
        "submit",
        frozenset({"gui", "gui bao cao", "nop", "nop bao cao", "submit", "/submit"}),
        Role.REPORTER,
        _submit,
        frozenset({AT_REVIEW}),
        choice=say.SUBMIT,
        numbered=True,
    ),
    Command(
        "edit_row",
        frozenset({"sua", "/sua", "edit"}),
        Role.REPORTER,
        _edit_row,
        frozenset({AT_REVIEW}),
        takes_arguments=True,
    ),
    Command(
        "edit_report",
        frozenset({"sua bao cao", "sua", "/sua", "edit", "mo lai"}),
        Role.REPORTER,
        _edit_submitted,
        frozenset({SUBMITTED}),
        choice=say.EDIT,
        numbered=True,
        takes_arguments=True,  # "sửa 1.1": opens the report and goes to that row at once
    ),
    # Admins, over their unit's subtree (a superadmin: every unit).
    Command(
        "status",
        frozenset({"/status", "/tinhhinh", "tinh hinh"}),
        Role.ADMIN,
        admin.status,
        takes_arguments=True,
        help=say.ADMIN_HELP_STATUS,
    ),
    Command(
        "export",
        frozenset({"/export", "/xuat", "xuat bao cao"}),
        Role.ADMIN,
        admin.export,
        takes_arguments=True,
        help=say.ADMIN_HELP_EXPORT,
    ),
    Command(
        "invite",
        frozenset({"/invite", "/moi"}),
        Role.ADMIN,
        admin.invite,
        takes_arguments=True,
        help=say.ADMIN_HELP_INVITE,
    ),
    Command(
        "revoke",
        frozenset({"/revoke", "/thuhoi"}),
        Role.ADMIN,
        admin.revoke,
        takes_arguments=True,
        help=say.ADMIN_HELP_REVOKE,
    ),
    Command(
        "reopen",
        frozenset({"/reopen", "/molai"}),
        Role.ADMIN,
        admin.reopen,
        takes_arguments=True,
        help=say.ADMIN_HELP_REOPEN,
    ),
    Command(
        "sign_off",
        frozenset({"/nop_tong_hop", "/noptonghop", "nop tong hop"}),
        Role.ADMIN,
        admin.sign_off,
        takes_arguments=True,
        help=say.ADMIN_HELP_SIGN_OFF,
    ),
    Command(
        "calendar",
        frozenset({"/calendar", "/lich", "lich nhac"}),
        Role.ADMIN,
        calendar_admin.calendar,
        takes_arguments=True,
        help=say.ADMIN_HELP_CALENDAR,
    ),
    Command(
        "remind",
        frozenset({"/remind", "/nhac"}),
        Role.ADMIN,
        calendar_admin.remind,
        takes_arguments=True,
        help=say.ADMIN_HELP_REMIND,
    ),
    Command(
        "announce",
        frozenset({"/announce", "/thongbao"}),
        Role.ADMIN,
        calendar_admin.announce,
        takes_arguments=True,
        help=say.ADMIN_HELP_ANNOUNCE,
    ),
)


def find(text: str | None, place: Place | None) -> tuple[Command, str] | None:
    """The command ``text`` asks for where the person stands, with what followed its word.

    ``place`` None (someone not in a walk, or a message read before the walk): only the
    commands that apply anywhere.
    """
    if text is None:
        return None
    folded = fold(text)
    first, _, rest = text.strip().partition(" ")
    head = fold(first).split("@", 1)[0]  # Telegram's "/status@TuanLeBot" in a group
    for command in COMMANDS:
        if place is None and command.at != ANYWHERE:
            continue
        if place is not None and place not in command.at:
            continue
        if folded in command.words:  # the whole text first: "sửa báo cáo" is not "sửa" + row
            return command, ""
        if command.takes_arguments and head in command.words:
            return command, clean_text(rest)
        if command.choice is not None and match_choice(
            text, (command.choice,), by_number=command.numbered
        ):
            return command, ""
    return None


def before_walk(ctx: Context, text: str | None) -> tuple[Command, str] | None:
    """The command read before anything else: an admin command (the sender may have no
    unit, and it must never be taken for an answer), or /start and /help from a superadmin
    bound to no unit."""
    found = find(text, None)
    if found is None:
        return None
    if found[0].needs is Role.ADMIN or (ctx.member is None and access_of(ctx).is_admin):
        return found
    return None


async def run(
    ctx: Context, command: Command, arguments: str, *, flow: ReportFlow | None
) -> Outcome:
    """Runs the command if the sender's role allows it; a polite refusal otherwise."""
    access = access_of(ctx)
    if access.role < command.needs:
        if ctx.member is not None:  # a member reaching for more than their role: on record
            detail = {"command": command.name}
            ctx.uow.audit.record(access.actor, "command.refused", detail, ctx.now)
        return Outcome([Reply(say.ADMIN_ONLY if command.needs is Role.ADMIN else say.ASK_INVITE)])
    return await command.run(Call(ctx, access, arguments, flow))
