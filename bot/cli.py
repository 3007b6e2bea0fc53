"""The ``tuanle`` command: run the bot, chat in the terminal, manage units and invites."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import logs
from bot.app import App, build
from bot.config import ConfigError, Settings, load_settings
from bot.domain.loader import DataFileError
from bot.domain.units import UNIT_KINDS
from bot.platforms.console import PLATFORM, ConsoleChat
from bot.redact import Redactor
from bot.reports import describe, reopen
from bot.serve import AlreadyPolling, serve
from handlers.join import ROLES, create_invite
from storage.db import create_engine
from storage.migrate import upgrade

DEMO_UNIT = ("DEMO-THCS", "Trường THCS Thực hành (demo)", "school")
CHAT_LOG = Path("data/tuanle.log")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"tuanle: {error}", file=sys.stderr)
        return 2
    command: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]] = getattr(
        args, "func", run
    )
    try:
        return asyncio.run(command(settings, args))
    except (DataFileError, LookupError, ValueError) as error:
        print(f"tuanle: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuanle", description="Trợ lý báo cáo Tuần lễ hưởng ứng học tập suốt đời"
    )
    parser.add_argument("--config", type=Path, help="TOML settings file (default: tuanle.toml)")
    sub = parser.add_subparsers(metavar="COMMAND")

    sub.add_parser(
        "run", help="run the bot (the terminal chat when no token is set)"
    ).set_defaults(func=run)
    chat_parser = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat_parser.add_argument("--user", help="the chat user's id (default: local-<login>)")
    chat_parser.set_defaults(func=chat)

    db = sub.add_parser("db", help="database").add_subparsers(metavar="ACTION", required=True)
    db.add_parser("upgrade", help="apply the migrations").set_defaults(func=db_upgrade)

    units = sub.add_parser("units", help="reporting units").add_subparsers(
        metavar="ACTION", required=True
    )
    add = units.add_parser("add", help="add a unit")
    add.add_argument("code")
    add.add_argument("name")
    add.add_argument("--kind", choices=sorted(UNIT_KINDS), default="school")
    add.add_argument("--parent", help="the code of the unit it reports to")
    add.set_defaults(func=units_add)
    units.add_parser("list", help="list the units").set_defaults(func=units_list)

    invite = sub.add_parser("invite", help="make an invite code for a unit")
    invite.add_argument("unit", help="the unit's code")
    invite.add_argument("--role", choices=ROLES, default="reporter")
    invite.add_argument("--days", type=int, help="valid for this many days")
    invite.add_argument("--uses", type=int, help="how many people may join with it")
    invite.set_defaults(func=invite_create)

    reports = sub.add_parser("reports", help="reports").add_subparsers(
        metavar="ACTION", required=True
    )
    show = reports.add_parser("show", help="print a unit's report as stored")
    show.add_argument("unit")
    show.set_defaults(func=reports_show)
    reopen = reports.add_parser("reopen", help="reopen a unit's report after its deadline")
    reopen.add_argument("unit")
    reopen.set_defaults(func=reports_reopen)
    return parser


def _now() -> datetime:
    return datetime.now(UTC)


def _redactor(settings: Settings) -> Redactor:
    """Masks every secret of these settings in the log."""
    return Redactor.from_settings(settings)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Runs the platforms that have a token; with none, the terminal chat."""
    if not (settings.telegram.enabled or settings.zalo.enabled):
        return await chat(settings, args)
    logs.configure(settings.log.level, settings.log.format, settings.log.file, _redactor(settings))
    app = await build(settings)
    try:
        return await serve(app)
    except AlreadyPolling as error:
        print(f"tuanle: {error}", file=sys.stderr)
        return 2
    finally:
        await app.close()


async def chat(settings: Settings, args: argparse.Namespace) -> int:
    """The terminal chat, on the configured database, with a demo unit when it has none."""
    file = settings.log.file or CHAT_LOG
    logs.configure(settings.log.level, settings.log.format, file, _redactor(settings))
    app = await build(settings)
    try:
        console = ConsoleChat(app.engine, user_id=getattr(args, "user", None))
        campaign = app.engine.campaign
        console.note(
            f"Tuần lễ hưởng ứng học tập suốt đời {campaign.year} — trò chuyện trong terminal.\n"
            "Gõ câu trả lời rồi Enter; gửi ảnh bằng: /anh đường/dẫn/ảnh.jpg; thoát: /quit."
        )
        await console.resume_pending()
        code = (
            await _demo_invite(app, console.chat.user_id) if settings.console.demo_unit else None
        )
        if code is not None:
            console.note(f"(Đơn vị demo “{DEMO_UNIT[1]}”, mã mời {code})")
            console.show(await console.chat.send(f"/start {code}"))
        await console.run()
    finally:
        await app.close()
    return 0


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
    finally:
        await database.dispose()
    print("database is up to date")
    return 0


async def _with_app(settings: Settings, work: Callable[[App], Awaitable[int]]) -> int:
    logs.configure(settings.log.level, settings.log.format, settings.log.file, _redactor(settings))
    app = await build(settings)
    try:
        return await work(app)
    finally:
        await app.close()


async def units_add(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        async with app.uows() as uow:
            if await uow.units.by_code(args.code) is not None:
                raise ValueError(f"unit {args.code} exists already")
            parent = await uow.units.by_code(args.parent) if args.parent else None
            if args.parent and parent is None:
                raise LookupError(f"no parent unit {args.parent}")
            await uow.units.add(args.code, args.name, args.kind, parent, _now())
            await uow.commit()
        print(f"added {args.code}: {args.name} ({args.kind})")
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


async def invite_create(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        async with app.uows() as uow:
            unit = await uow.units.by_code(args.unit)
            if unit is None:
                raise LookupError(f"no unit {args.unit}")
            days = args.days or settings.invites.valid_days
            uses = args.uses or settings.invites.max_uses
            code = await create_invite(uow, unit, args.role, days, uses, _now())
            await uow.commit()
        print(code)
        print(f"({unit.name}; {args.role}; {days} days; up to {uses} people)", file=sys.stderr)
        return 0

    return await _with_app(settings, work)


async def reports_show(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        print(await describe(app, args.unit))
        return 0

    return await _with_app(settings, work)


async def reports_reopen(settings: Settings, args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        print(await reopen(app, args.unit, _now()))
        return 0

    return await _with_app(settings, work)
