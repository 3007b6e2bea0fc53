"""The ``tuanle`` command: run the bot, chat in the terminal, manage units and invites."""

from __future__ import annotations

import argparse
import asyncio
import errno
import re
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from bot import calendar_view, logs
from bot.admin_jobs import bundle_summary, campaign_for, stage_text
from bot.app import App, build
from bot.config import ConfigError, Settings, load_settings
from bot.domain.loader import DataFileError
from bot.domain.units import UNIT_KINDS
from bot.export.bundle import Stage, build_bundle
from bot.platforms.console import PLATFORM, ConsoleChat
from bot.redact import Redactor
from bot.reports import describe, reopen
from bot.terminal_progress import ProgressBar
from bot.units_import import ImportRefused, import_units
from bot.unreachable import DatabaseUnreachable, describe_unreachable, unreachable_reason
from handlers import messages as say
from handlers.admin import end, revocable, revocable_text
from handlers.calendar_admin import (
    Broadcast,
    announce_counts,
    announcing,
    remind_counts,
    reminding,
    settle,
)
from handlers.common import fold
from handlers.join import ROLES, create_invite, issue_invite
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import Unit
from storage.uow import UnitOfWork

DEMO_UNIT = ("DEMO-THCS", say.CHAT_DEMO_UNIT, "school")
CHAT_LOG = Path("data/tuanle.log")
EXPORT_DIR = Path("exports")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(say.CLI_ERROR.format(error=error), file=sys.stderr)
        return 2
    command: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]] = getattr(
        args, "func", run
    )
    try:
        return asyncio.run(command(settings, args))
    except DataFileError as error:
        print(say.CLI_ERROR.format(error=data_file_error(error)), file=sys.stderr)
        return 2
    except DatabaseUnreachable as error:
        print(say.CLI_ERROR.format(error=error), file=sys.stderr)
        return 2
    except (LookupError, ValueError) as error:
        print(say.CLI_ERROR.format(error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, say.CLI_USAGE if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Vietnamese: its titles, its help line and its error messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(formatter_class=_Formatter, add_help=False)
        super().__init__(*args, **kwargs)
        self._positionals.title = say.CLI_ARGUMENTS
        self._optionals.title = say.CLI_OPTIONS
        self.add_argument("-h", "--help", action="help", help=say.CLI_HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, say.CLI_ERROR.format(error=_vietnamese(message)) + "\n")


def data_file_error(error: DataFileError) -> str:
    """Where a data file is wrong and why, in the catalogue's words."""
    problem = say.DATA_FILE_PROBLEMS[error.reason].format(**error.params)
    if error.params.get("suggestion"):
        problem += say.DATA_FILE_SUGGESTION.format(suggestion=error.params["suggestion"])
    place = {"path": error.path, "line": error.line, "field": error.field}
    return say.DATA_FILE_ERROR.format(**place, problem=problem)


def _vietnamese(message: str) -> str:
    for pattern, template in say.CLI_ARGPARSE:
        if found := re.match(pattern, message):
            return template.format(*found.groups())
    return say.CLI_UNKNOWN_PROBLEM.format(error=message)


def _meanings(names: dict[str, str]) -> str:
    """The values an option takes, each with what it means: "school (trường học), ..."."""
    return ", ".join(f"{value} ({meaning})" for value, meaning in names.items())


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tuanle", description=say.CLI_DESCRIPTION)
    parser.add_argument("--config", type=Path, metavar=say.CLI_META_FILE, help=say.CLI_CONFIG)
    sub = parser.add_subparsers(
        metavar=say.CLI_META_COMMAND, title=say.CLI_COMMANDS, parser_class=_Parser
    )

    sub.add_parser("run", help=say.CLI_RUN).set_defaults(func=run)
    chat_parser = sub.add_parser("chat", help=say.CLI_CHAT)
    chat_parser.add_argument("--user", metavar=say.CLI_META_USER, help=say.CLI_CHAT_USER)
    chat_parser.set_defaults(func=chat)

    db = sub.add_parser("db", help=say.CLI_DB).add_subparsers(
        metavar=say.CLI_META_TASK, required=True, parser_class=_Parser
    )
    db.add_parser("upgrade", help=say.CLI_DB_UPGRADE).set_defaults(func=db_upgrade)

    units = sub.add_parser("units", help=say.CLI_UNITS).add_subparsers(
        metavar=say.CLI_META_TASK, required=True, parser_class=_Parser
    )
    add = units.add_parser("add", help=say.CLI_UNITS_ADD)
    add.add_argument("code", metavar=say.CLI_META_CODE, help=say.CLI_UNIT_CODE)
    add.add_argument("name", metavar=say.CLI_META_NAME, help=say.CLI_UNIT_NAME)
    add.add_argument(
        "--kind",
        choices=sorted(UNIT_KINDS),
        default="school",
        metavar=say.CLI_META_KIND,
        help=say.CLI_UNIT_KIND.format(kinds=_meanings(say.UNIT_KIND_NAMES)),
    )
    add.add_argument("--parent", metavar=say.CLI_META_CODE, help=say.CLI_UNIT_PARENT)
    add.set_defaults(func=units_add)
    units.add_parser("list", help=say.CLI_UNITS_LIST).set_defaults(func=units_list)
    load = units.add_parser("import", help=say.CLI_UNITS_IMPORT)
    load.add_argument("file", type=Path, metavar=say.CLI_META_FILE, help=say.CLI_IMPORT_FILE)
    load.set_defaults(func=units_import)

    invite = sub.add_parser("invite", help=say.CLI_INVITE)
    invite.add_argument("unit", metavar=say.CLI_META_UNIT, help=say.CLI_UNIT_CODE)
    invite.add_argument(
        "--role",
        choices=ROLES,
        default="reporter",
        metavar=say.CLI_META_ROLE,
        help=say.CLI_INVITE_ROLE.format(roles=_meanings(say.ROLE_NAMES)),
    )
    invite.add_argument("--days", type=int, metavar=say.CLI_META_DAYS, help=say.CLI_INVITE_DAYS)
    invite.add_argument("--uses", type=int, metavar=say.CLI_META_NUMBER, help=say.CLI_INVITE_USES)
    invite.set_defaults(func=invite_create)
    revoke = sub.add_parser("revoke", help=say.CLI_REVOKE)
    revoke.add_argument("unit", metavar=say.CLI_META_UNIT, help=say.CLI_UNIT_CODE)
    revoke.add_argument(
        "number", type=int, nargs="?", metavar=say.CLI_META_NUMBER, help=say.CLI_REVOKE_NUMBER
    )
    revoke.set_defaults(func=revoke_entry)

    reports = sub.add_parser("reports", help=say.CLI_REPORTS).add_subparsers(
        metavar=say.CLI_META_TASK, required=True, parser_class=_Parser
    )
    show = reports.add_parser("show", help=say.CLI_REPORTS_SHOW)
    show.add_argument("unit", metavar=say.CLI_META_UNIT, help=say.CLI_UNIT_CODE)
    show.set_defaults(func=reports_show)
    reopen = reports.add_parser("reopen", help=say.CLI_REPORTS_REOPEN)
    reopen.add_argument("unit", metavar=say.CLI_META_UNIT, help=say.CLI_UNIT_CODE)
    reopen.add_argument("--note", metavar=say.CLI_META_NOTE, help=say.CLI_REOPEN_NOTE)
    reopen.set_defaults(func=reports_reopen)

    export = sub.add_parser("export", help=say.CLI_EXPORT)
    export.add_argument("unit", metavar=say.CLI_META_UNIT, help=say.CLI_UNIT_CODE)
    export.add_argument("--year", type=int, metavar=say.CLI_META_YEAR, help=say.CLI_EXPORT_YEAR)
    export.add_argument(
        "--out", type=Path, default=EXPORT_DIR, metavar=say.CLI_META_DIR, help=say.CLI_EXPORT_OUT
    )
    export.set_defaults(func=export_area)

    calendar = sub.add_parser("calendar", help=say.CLI_CALENDAR).add_subparsers(
        metavar=say.CLI_META_TASK, required=True, parser_class=_Parser
    )
    plan = calendar.add_parser("show", help=say.CLI_CALENDAR_SHOW)
    plan.add_argument("--year", type=int, metavar=say.CLI_META_YEAR, help=say.CLI_CALENDAR_YEAR)
    plan.add_argument("--unit", metavar=say.CLI_META_UNIT, help=say.CLI_CALENDAR_UNIT)
    plan.set_defaults(func=calendar_show)
    rehearsal = calendar.add_parser("simulate", help=say.CLI_CALENDAR_SIMULATE)
    rehearsal.add_argument(
        "--from",
        dest="first",
        type=_day,
        required=True,
        metavar=say.CLI_META_DATE,
        help=say.CLI_SIM_FROM,
    )
    rehearsal.add_argument(
        "--to",
        dest="last",
        type=_day,
        required=True,
        metavar=say.CLI_META_DATE,
        help=say.CLI_SIM_TO,
    )
    rehearsal.add_argument(
        "--speed", type=_speed, default=3600.0, metavar=say.CLI_META_SPEED, help=say.CLI_SIM_SPEED
    )
    rehearsal.set_defaults(func=calendar_simulate)
    reminding = calendar.add_parser("remind", help=say.CLI_CALENDAR_REMIND)
    reminding.add_argument(
        "unit", nargs="?", metavar=say.CLI_META_UNIT, help=say.CLI_CALENDAR_AREA
    )
    reminding.add_argument("--yes", action="store_true", help=say.CLI_CALENDAR_YES)
    reminding.set_defaults(func=calendar_remind)
    announcing = calendar.add_parser("announce", help=say.CLI_CALENDAR_ANNOUNCE)
    announcing.add_argument("text", metavar=say.CLI_META_TEXT, help=say.CLI_CALENDAR_TEXT)
    announcing.add_argument("--unit", metavar=say.CLI_META_UNIT, help=say.CLI_CALENDAR_AREA)
    announcing.add_argument("--yes", action="store_true", help=say.CLI_CALENDAR_YES)
    announcing.set_defaults(func=calendar_announce)
    return parser


def _day(value: str) -> date:
    """ "01/10/2023" as people write it, or "2023-10-01"."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(say.SIM_BAD_DATE.format(value=value))


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise argparse.ArgumentTypeError(say.SIM_BAD_SPEED.format(value=value))
    return speed


async def _unit(uow: UnitOfWork, code: str) -> Unit:
    """The unit with this code; LookupError, said in Vietnamese, when there is none."""
    unit = await uow.units.by_code(code)
    if unit is None:
        raise LookupError(say.CLI_NO_UNIT.format(code=code))
    return unit


def _now() -> datetime:
    return datetime.now(UTC)


def _database_fault(settings: Settings, error: Exception) -> DatabaseUnreachable | None:
    """The admin's one line when ``error`` means the database cannot be reached."""
    reason = unreachable_reason(error)
    if reason is None:
        return None
    return DatabaseUnreachable(describe_unreachable(settings.database.url, reason))


async def _open(settings: Settings) -> App:
    """The app on the configured database; DatabaseUnreachable when it cannot be reached."""
    try:
        return await build(settings)
    except Exception as error:
        if (fault := _database_fault(settings, error)) is None:
            raise
        raise fault from None  # the driver's traceback tells the admin nothing more


def _redactor(settings: Settings) -> Redactor:
    """Masks every secret of these settings in the log."""
    return Redactor.from_settings(settings)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Runs the platforms that have a token; with none, the terminal chat."""
    if not (settings.telegram.enabled or settings.zalo.enabled):
        return await chat(settings, args)
    # Imported here: the platform libraries take seconds to load, and only this command needs them.
    from bot.serve import AlreadyPolling, serve

    logs.configure(settings.log.level, settings.log.format, settings.log.file, _redactor(settings))
    app = await _open(settings)
    try:
        return await serve(app)
    except AlreadyPolling:
        print(say.CLI_ERROR.format(error=say.CLI_ALREADY_POLLING), file=sys.stderr)
        return 2
    finally:
        await app.close()


async def chat(settings: Settings, args: argparse.Namespace) -> int:
    """The terminal chat, on the configured database, with a demo unit when it has none."""
    file = settings.log.file or CHAT_LOG
    logs.configure(settings.log.level, settings.log.format, file, _redactor(settings))
    app = await _open(settings)
    try:
        console = ConsoleChat(
            app.engine, user_id=getattr(args, "user", None), artifacts=app.artifacts
        )
        await app.jobs.start([PLATFORM])  # this admin's /status and /export run here too
        campaign = app.engine.campaign
        console.note(say.CHAT_BANNER.format(year=campaign.year))
        resumed = await console.resume_pending()
        code = (
            await _demo_invite(app, console.chat.user_id) if settings.console.demo_unit else None
        )
        if code is not None:
            console.note(say.CHAT_DEMO.format(unit=DEMO_UNIT[1], code=code))
            console.show(await console.chat.send(f"/start {code}"))
        elif not resumed:  # replies just resumed end with the current question already
            await console.show_where()
        try:
            await console.run()
            await _finish_jobs(app, console)
        finally:  # end of input, /thoat or Ctrl-C (which then exits with 130)
            console.goodbye()
    finally:
        await app.close()
    return 0


async def _finish_jobs(app: App, console: ConsoleChat) -> None:
    """At the end of input, lets the jobs asked for finish and shows what they sent (a script
    piping ``/export`` gets its files); Ctrl-C leaves at once, the jobs left for the next start."""
    await app.jobs.run_due()
    await console.settle()
    console.show(await console.chat.flush())


async def _demo_invite(app: App, user_id: str) -> str | None:
    """An invite to the demo unit when the console user has no unit and no real unit exists."""
    async with app.uows() as uow:
        if await uow.members.find(PLATFORM, user_id) is not None:
            return None
        demo = await uow.units.by_code(DEMO_UNIT[0])
        if demo is None:
            if await uow.units.count() > 0:
                return None
            demo = await uow.units.add(*DEMO_UNIT, parent=None, now=_now())
        code = await create_invite(uow, demo, "reporter", 1, 1, _now())
        await uow.commit()
    return code


async def db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    database = create_engine(settings.database.url)
    try:
        await upgrade(database)
    except Exception as error:
        if (fault := _database_fault(settings, error)) is None:
            raise
        raise fault from None
    finally:
        await database.dispose()
    print(say.CLI_DB_UP_TO_DATE)
    return 0


async def _with_app(settings: Settings, work: Callable[[App], Awaitable[int]]) -> int:
    logs.configure(settings.log.level, settings.log.format, settings.log.file, _redactor(settings))
    app = await _open(settings)
    try:
        return await work(app)
    finally:
        await app.close()


async def units_add(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        async with app.uows() as uow:
            if await uow.units.by_code(args.code) is not None:
                raise ValueError(say.CLI_UNIT_EXISTS.format(code=args.code))
            parent = await uow.units.by_code(args.parent) if args.parent else None
            if args.parent and parent is None:
                raise LookupError(say.CLI_NO_PARENT.format(code=args.parent))
            await uow.units.add(args.code, args.name, args.kind, parent, _now())
            await uow.commit()
        kind = say.UNIT_KIND_NAMES.get(args.kind, args.kind)
        print(say.CLI_UNIT_ADDED.format(code=args.code, name=args.name, kind=kind))
        return 0

    return await _with_app(settings, work)


async def units_list(settings: Settings, _args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        async with app.uows() as uow:
            units = await uow.units.all()
            by_id = {unit.id: unit for unit in units}
            for unit in units:
                parent = by_id[unit.parent_id].code if unit.parent_id in by_id else "-"
                print(f"{unit.code}\t{unit.kind}\t{parent}\t{unit.name}")
        return 0

    return await _with_app(settings, work)


async def units_import(settings: Settings, args: argparse.Namespace) -> int:
    """Imports the units of a CSV or XLSX file, all or none; 1 when the file has problems."""
    try:
        data = args.file.read_bytes()
    except FileNotFoundError as error:
        raise LookupError(say.IMPORT_NO_FILE.format(path=args.file)) from error
    except OSError as error:
        raise ValueError(say.IMPORT_CANNOT_READ.format(path=args.file)) from error

    async def work(app: App) -> int:
        try:
            outcome = await import_units(app.uows, data, _now())
        except ImportRefused as refused:
            for problem in refused.problems:
                print(problem, file=sys.stderr)
            print(say.IMPORT_REFUSED.format(count=len(refused.problems)), file=sys.stderr)
            return 1
        for row in outcome.added:
            kind = say.UNIT_KIND_NAMES.get(row.kind, row.kind)
            print(say.IMPORT_ADDED.format(code=row.code, name=row.name, kind=kind))
        for row, changes in outcome.updated:
            said = "; ".join(
                say.IMPORT_CHANGE.format(
                    field=say.IMPORT_FIELDS[change.field],
                    old=change.old or say.IMPORT_NOTHING,
                    new=change.new or say.IMPORT_NOTHING,
                )
                for change in changes
            )
            print(say.IMPORT_UPDATED.format(code=row.code, changes=said))
        counts = (len(outcome.added), len(outcome.updated), outcome.unchanged)
        print(say.IMPORT_SUMMARY.format(added=counts[0], updated=counts[1], unchanged=counts[2]))
        return 0

    return await _with_app(settings, work)


async def invite_create(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        async with app.uows() as uow:
            unit = await _unit(uow, args.unit)
            role = say.ROLE_NAMES.get(args.role, args.role)
            if args.role == "admin" and args.days is None:  # a subtree: short-lived by default
                hours = settings.invites.admin_valid_hours
                uses = args.uses or settings.invites.admin_max_uses
                expires = _now() + timedelta(hours=hours)
                made = say.CLI_INVITE_MADE_HOURS.format(
                    unit=unit.name, role=role, hours=hours, uses=uses
                )
            else:
                days = args.days or settings.invites.valid_days
                uses = args.uses or settings.invites.max_uses
                expires = _now() + timedelta(days=days)
                made = say.CLI_INVITE_MADE.format(unit=unit.name, role=role, days=days, uses=uses)
            code = await issue_invite(uow, unit, args.role, expires, uses, _now(), actor="cli")
            await uow.commit()
        print(code)
        print(made, file=sys.stderr)
        return 0

    return await _with_app(settings, work)


async def revoke_entry(settings: Settings, args: argparse.Namespace) -> int:
    """Lists a unit's members and open invites, or ends the one numbered (as /revoke does)."""

    async def work(app: App) -> int:
        async with app.uows() as uow:
            unit = await _unit(uow, args.unit)
            entries = await revocable(uow, unit, _now())
            if args.number is None:
                how = say.CLI_REVOKE_HOW.format(code=unit.code)
                print(revocable_text(unit, entries, app.zone, how))
                return 0
            if not 1 <= args.number <= len(entries):
                raise LookupError(
                    say.ADMIN_REVOKE_NO_NUMBER.format(number=args.number, unit=unit.code)
                )
            said, notice = await end(uow, unit, entries[args.number - 1], "cli", _now())
            await uow.commit()
        if notice is not None:
            await app.engine.enqueue(
                notice.platform, notice.chat_id, notice.reply, user_id=notice.user_id
            )
        print(said)
        return 0

    return await _with_app(settings, work)


async def reports_show(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        print(await describe(app, args.unit))
        return 0

    return await _with_app(settings, work)


async def reports_reopen(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        print(await reopen(app, args.unit, _now(), args.note))
        return 0

    return await _with_app(settings, work)


async def export_area(settings: Settings, args: argparse.Namespace) -> int:
    """Writes a unit's export (its whole area) into ``--out``; the paths on stdout, progress and
    the counts on stderr."""

    async def work(app: App) -> int:
        campaign = campaign_for(settings, app.engine.campaign, args.year)
        async with app.uows() as uow:
            unit = await _unit(uow, args.unit)
            row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
            detail = {"unit": unit.code, "year": campaign.year, "out": str(args.out)}
            uow.audit.record("cli", "export", detail, _now())
            await uow.commit()
        bar = ProgressBar(sys.stderr)

        def progress(stage: Stage) -> None:
            bar.show(stage.percent, stage_text(stage))

        try:
            bundle = await build_bundle(
                app.uows, app.files, campaign, row.id, unit.id, args.out, _now(), progress
            )
        except OSError as error:  # --out is a file, read-only, or the disk is full
            name = errno.errorcode.get(error.errno or 0, "")
            reason = say.CLI_EXPORT_REASONS.get(name) or error.strerror or name
            raise ValueError(
                say.CLI_EXPORT_CANNOT_WRITE.format(path=args.out, reason=reason)
            ) from error
        finally:
            bar.close()
        for file in bundle.files:
            print(file.path)
        print(bundle_summary(bundle), file=sys.stderr)
        return 0

    return await _with_app(settings, work)


async def calendar_simulate(settings: Settings, args: argparse.Namespace) -> int:
    """Runs the bot on a fast clock from one day to another: the calendar rehearsed."""
    # Imported here: the platform libraries take seconds to load, and only this command needs them.
    from bot.calendar_simulate import simulate

    if args.last < args.first:
        print(say.CLI_ERROR.format(error=say.SIM_BAD_RANGE), file=sys.stderr)
        return 2
    logs.configure(settings.log.level, settings.log.format, settings.log.file, _redactor(settings))
    return await simulate(settings, args.first, args.last, args.speed, print)


async def calendar_show(settings: Settings, args: argparse.Namespace) -> int:
    """Prints the reminder plan of the campaign, unit by unit, in Vietnam time."""

    async def work(app: App) -> int:
        print(await calendar_view.show(app, args.year, args.unit, _now()))
        return 0

    return await _with_app(settings, work)


# ``tuanle calendar remind`` and ``announce``: /remind and /announce with a superadmin's reach.

YES_WORDS = frozenset({"y", "yes", "c", "co", "gui", "ok", "dong y"})


async def calendar_remind(settings: Settings, args: argparse.Namespace) -> int:
    """/remind from the command line: the units of the area still missing, each told what its
    report lacks; asks first unless ``--yes``."""

    async def work(app: App) -> int:
        async def count(uow: UnitOfWork) -> Broadcast:
            root = await _area(uow, args.unit, "remind")
            campaign, campaign_id = app.engine.campaign, app.engine.campaign_id
            return await reminding(uow, campaign, campaign_id, root, _now())

        def preview(broadcast: Broadcast) -> list[str]:
            example = next(iter(broadcast.texts.values()))
            return [remind_counts(broadcast), "", say.CLI_CALENDAR_EXAMPLE, example]

        def done(broadcast: Broadcast, people: int) -> str:
            return say.REMIND_SENT.format(people=people, units=broadcast.units)

        return await _broadcast(app, "remind", args.yes, count, preview, done, say.REMIND_NOBODY)

    return await _with_app(settings, work)


async def calendar_announce(settings: Settings, args: argparse.Namespace) -> int:
    """/announce from the command line: the text to every member of the area; asks first
    unless ``--yes``."""
    text = args.text.strip()
    if not text:
        raise ValueError(say.CLI_CALENDAR_NO_TEXT)

    async def work(app: App) -> int:
        async def count(uow: UnitOfWork) -> Broadcast:
            return await announcing(uow, await _area(uow, args.unit, "announce"), text)

        def preview(broadcast: Broadcast) -> list[str]:
            return [announce_counts(broadcast), "", next(iter(broadcast.texts.values()))]

        def done(_broadcast: Broadcast, people: int) -> str:
            return say.ANNOUNCE_SENT.format(people=people)

        return await _broadcast(
            app, "announce", args.yes, count, preview, done, say.ANNOUNCE_NOBODY
        )

    return await _with_app(settings, work)


async def _area(uow: UnitOfWork, code: str | None, command: str) -> Unit:
    """The unit named, or the top of the tree when there is one (the command line reaches
    every unit, as a superadmin does)."""
    if code is not None:
        return await _unit(uow, code)
    tops = await uow.units.tops()
    if len(tops) == 1:
        return tops[0]
    if not tops:
        raise LookupError(say.ADMIN_NO_UNITS)
    codes = ", ".join(top.code for top in tops)
    raise LookupError(say.CLI_CALENDAR_NAME_A_UNIT.format(codes=codes, command=command))


async def _broadcast(
    app: App,
    kind: str,
    yes: bool,
    count: Callable[[UnitOfWork], Awaitable[Broadcast]],
    preview: Callable[[Broadcast], list[str]],
    done: Callable[[Broadcast, int], str],
    nobody: str,
) -> int:
    """Shows who would receive it and what; on --yes (or "y" at a terminal) counts again and
    queues the messages with their log lines in one transaction, as the chat's "có" does."""
    async with app.uows() as uow:
        broadcast = await count(uow)
    if not broadcast.reachable:
        print(nobody.format(area=broadcast.area.name))
        return 0
    if not yes:
        print("\n".join(preview(broadcast)))
        if not sys.stdin.isatty():
            print(say.CLI_ERROR.format(error=say.CLI_CALENDAR_NEEDS_YES), file=sys.stderr)
            return 1
        if fold(await asyncio.to_thread(input, say.CLI_CALENDAR_ASK)) not in YES_WORDS:
            print(say.CLI_CALENDAR_NOT_SENT)
            return 1
    now = _now()
    outbox = app.engine.outbox
    async with app.uows() as uow:
        broadcast = await count(uow)  # the chat's "có" counts again too
        key = f"{kind}:cli:{now:%Y%m%dT%H%M%S%f}"
        notices = await settle(uow, app.engine.campaign.year, key, broadcast, now)
        for notice in notices:
            await uow.outbox.add(
                platform=notice.platform,
                chat_id=notice.chat_id,
                user_id=notice.user_id,
                payload=notice.reply.to_payload(),
                kind="notice",
                now=now,
                version=notice.reply.version,
                dedupe_key=notice.dedupe_key,
                not_before=outbox.due_after(),
            )
        detail = {"unit": broadcast.area.code, "people": len(notices), "key": key}
        uow.audit.record("cli", f"calendar.{kind}", detail, now)
        await uow.commit()
    print(done(broadcast, len(notices)))
    print(say.CLI_CALENDAR_QUEUED, file=sys.stderr)
    return 0
