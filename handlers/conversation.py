"""The entry of every message into the conversation: joining, then the report walk.

In order: a stranger locked out for wrong codes gets silence; an admin command (read before
anything else, so it is never taken for an answer, and a superadmin needs no unit) goes to the
command table; a stranger's message is a code, a greeting or /start; a member's message is,
after the checks below, a command of the table at the place of the walk where they stand, or
else an answer. Every command, and who may use it, is in ``handlers/commands.py``.

A pressed button is read as the answer it stands for only when it belongs to the step the
person stands at now; an older button gets a polite word and the current question. Who may
answer is decided by the sender's membership, never by what a button claims. Edited and
forwarded messages, and answers to a question whose successor was not delivered yet, are read
by ``handlers.amend`` against the question they were meant for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.chat import Reply, parse_button
from bot.domain.invites import looks_like_code
from bot.domain.numbers import format_count
from handlers import amend, commands
from handlers import messages as say
from handlers.common import MAX_TEXT, Context, Outcome, clean_text
from handlers.join import invite_in, join, locked_until, welcome
from handlers.report import ReportFlow
from handlers.roles import Role, access_of
from handlers.walk import unanswered

# A stranger who sends no code is answered this often an hour at most.
GREETINGS_PER_HOUR = 5
GREETING_WINDOW = timedelta(hours=1)


async def respond(ctx: Context) -> Outcome:
    """Answers one message."""
    text = ctx.message.text
    stale = False
    if ctx.message.button is not None:
        parsed = parse_button(ctx.message.button)
        stale = parsed is None or parsed[0] != ctx.conversation.version
        text = None if parsed is None else parsed[1]
    wants_join = text is not None and invite_in(text) is not None
    if ctx.member is None and locked_until(ctx) is not None:
        return Outcome()  # told once until when; silence until then
    message = ctx.message
    typed = message.button is None and message.edit_of is None and not message.forwarded
    if typed and ctx.upload is None and (asked := commands.before_walk(ctx, text)) is not None:
        ctx.conversation.data = amend.without_pending(ctx.data)  # a choice offered is dropped
        return _limited(ctx, await commands.run(ctx, *asked, flow=None))
    if ctx.member is None:
        if ctx.message.edit_of is not None:  # a forwarded code still joins: it is the code
            return Outcome([Reply(say.EDIT_BEFORE_JOINING)])
        if wants_join and text is not None:
            return await _join_then_start(ctx, text)
        if text is not None and text.strip().lower().startswith("/start"):
            return _greet(ctx, welcome(ctx))
        if ctx.upload is not None or text is None:
            return _greet(ctx, Reply(say.ASK_INVITE))
        if not looks_like_code(text):  # a greeting, not a guess: never counted as a try
            return _greet(ctx, welcome(ctx))
        return await join(ctx, text)
    starts = text is not None and text.strip().lower().startswith("/start")
    if wants_join and starts and ctx.message.edit_of is None and text is not None:
        if locked_until(ctx) is not None:
            return Outcome()  # a member's guesses are locked out like anyone's
        return await _join_then_start(ctx, text)
    flow = await open_flow(ctx)
    dropped = amend.without_pending(ctx.data)  # a choice offered is dropped by any message
    if stale:
        return Outcome([Reply(say.STALE_BUTTON), *(await flow.current_question())], data=dropped)
    if text is not None and len(text) > MAX_TEXT and len(clean_text(text)) > MAX_TEXT:
        # No answer at any step is longer than the longest free text: refused before parsing.
        length, limit = format_count(len(clean_text(text))), format_count(MAX_TEXT)
        too_long = say.MESSAGE_TOO_LONG.format(length=length, limit=limit)
        return Outcome([Reply(too_long), *(await flow.current_question())], data=dropped)
    if (amended := await amend.respond(flow, text)) is not None:
        return amended
    if ctx.upload is None and (asked := commands.find(text, flow.place())) is not None:
        ctx.conversation.data = amend.without_pending(ctx.data)  # a command drops a choice
        return await commands.run(ctx, *asked, flow=flow)
    return await flow.respond(text)


def _limited(ctx: Context, outcome: Outcome) -> Outcome:
    """Replies to someone the bot does not know (a refusal, most likely) are rate-limited like
    greetings; a configured superadmin is known without a unit."""
    known = ctx.member is not None or access_of(ctx).role is Role.SUPERADMIN
    if known or not outcome.replies:
        return outcome
    return _greet(ctx, outcome.replies[0])


def _greet(ctx: Context, reply: Reply) -> Outcome:
    """Answers a stranger who sent no code, a few times an hour: then silence, so a thousand
    greetings never queue a thousand welcomes (they are not guesses, so no lockout either)."""
    window = ctx.now - GREETING_WINDOW
    recent = [
        stamp
        for stamp in ctx.data.get("greetings", [])
        if isinstance(stamp, str) and datetime.fromisoformat(stamp) > window
    ]
    if len(recent) >= GREETINGS_PER_HOUR:
        return Outcome()
    data = {**ctx.data, "greetings": [*recent, ctx.now.isoformat()]}
    return Outcome([reply], data=data)


async def open_flow(ctx: Context) -> ReportFlow:
    """The walk over the member's unit's report, created as a draft the first time."""
    if ctx.unit is None:
        raise RuntimeError("a member without a unit")
    report = await ctx.uow.reports.open_for(ctx.campaign_id, ctx.unit.id, ctx.now)
    stored = await ctx.uow.reports.answers(report.id)
    answers = {
        key: a.value_int if a.value_int is not None else a.value_text for key, a in stored.items()
    }
    return ReportFlow(ctx, report, answers)


async def _join_then_start(ctx: Context, text: str) -> Outcome:
    joined = await join(ctx, text)
    if joined.replies:  # a wrong code or a lockout, counted against a member too
        if ctx.member is None:
            return joined
        flow = await open_flow(ctx)
        return Outcome([*joined.replies, *(await flow.current_question())], data=joined.data)
    if ctx.member is None or ctx.unit is None:
        return joined
    flow = await open_flow(ctx)
    deadline = flow.deadline()
    deadline_line = (
        say.DEADLINE_LINE.format(date=deadline.before.strftime("%d/%m/%Y"), to=deadline.to)
        if deadline
        else ""
    )
    campaign = ctx.campaign
    opening = flow.report.opening_date or campaign.opening_day  # the unit's own day, once said
    greeting = Reply(
        say.JOINED.format(
            unit=ctx.unit.name,
            year=campaign.year,
            theme=campaign.theme,
            start=campaign.week_start.strftime("%d/%m/%Y"),
            end=campaign.week_end.strftime("%d/%m/%Y"),
            opening=opening.strftime("%d/%m/%Y"),
            deadline=deadline_line,
        )
    )
    hello = [greeting]
    if ctx.member.role == "admin":  # the admin commands, before their own unit's walk
        hello.append(Reply(say.ADMIN_JOINED.format(unit=ctx.unit.name)))
    if flow.report.status == "submitted":
        return Outcome([*hello, flow.submitted_reply()], step="submitted", data=joined.data)
    missing = unanswered(flow.questions, flow.answers)
    first = missing[0] if missing else flow.questions[0]
    outcome = await flow.go_to(first, hello)
    return outcome
