"""Footprint: start to ready, resident memory idle, and with many teachers mid-walk (not a test).

Start to ready: from spawning the process until it has set its webhook with the fake Bot API
and answers HTTP (this bot: ``GET /healthz`` 200; the echo bot: its webhook path answers). This
bot starts on a database migrated and seeded beforehand, as a restart in production does.
Idle: the resident memory (VmRSS) a few seconds after ready. Mid-walk: one teacher walks half
the report through the bot (the join and 20 answers); her member, conversation, report and
answers are then copied in the database to the other ``teachers`` - 1 units (as if each had
walked as far); then every one of them sends her next answer at once, through the bot, so that
the process has served each person; the memory once every reply is in. The echo bot gets the
same last messages. For this part the per-chat pace and the bot's send limit are lifted (the
memory held per person is the question, not the pace).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    Database,
    TimedTelegram,
    echo_command,
    free_port,
    our_command,
    our_config,
    rss_mb,
    seed_units,
    spawn,
    stop,
    wait_ready,
)
from bench.rush import FIRST_TEACHER, Step, Teacher, whole_report

IDLE_SECONDS = 3.0
HALF_WAY = 20  # answers after the join: about half of the walk's 46 messages


async def run(bot: str, teachers: int) -> dict[str, Any]:
    """One start of ``bot`` ("echo" or "ours"): ready time, idle memory, memory mid-walk
    (``teachers`` = 0 skips the walk)."""
    directory = Path(tempfile.mkdtemp(prefix=f"tuanle-footprint-{bot}-"))
    database = Database("sqlite", directory)
    process = None
    try:
        async with TimedTelegram() as fake:
            port = free_port()
            codes = [f"ECHO{n:05d}" for n in range(teachers)]
            if bot == "ours":
                config = our_config(
                    directory, fake, port, database.url, spacing=False, send_rate=1000
                )
                codes = await seed_units(config, max(1, teachers))
                command = our_command(config)
                url = f"http://127.0.0.1:{port}/healthz"
            else:
                command = echo_command(fake, port)
                url = f"http://127.0.0.1:{port}/telegram/webhook"
            process = await spawn(*command, log=directory / "process.log")
            ready = await wait_ready(process, fake, url, log=directory / "process.log")
            await asyncio.sleep(IDLE_SECONDS)
            result: dict[str, Any] = {"ready_s": round(ready, 2), "idle_mb": rss_mb(process.pid)}
            if teachers:
                walk = whole_report()
                if bot == "ours":
                    first = Teacher(
                        fake,
                        FIRST_TEACHER,
                        [Step("text", f"/start {codes[0]}"), *walk[:HALF_WAY]],
                        True,
                        time.monotonic() + 3600,
                    )
                    await first.walk()
                    if first.error:
                        raise RuntimeError(f"the first teacher's walk broke: {first.error}")
                    await copy_walk(database.url, FIRST_TEACHER, teachers)
                walkers = [
                    Teacher(fake, FIRST_TEACHER + n, [walk[HALF_WAY]], bot == "ours", 1e12)
                    for n in range(teachers)
                ]
                started = time.monotonic()
                await asyncio.gather(*(w.walk() for w in walkers))
                await asyncio.sleep(1.0)
                result["walk_s"] = round(time.monotonic() - started, 1)
                result["mid_walk_mb"] = rss_mb(process.pid)
                result["teachers"] = teachers
                result["walks_done"] = sum(1 for w in walkers if len(w.timings) == len(w.steps))
                result["errors"] = [w.error for w in walkers if w.error][:3]
            await stop(process)
            return result
    finally:
        if process is not None:
            await stop(process)
        shutil.rmtree(directory, ignore_errors=True)


async def copy_walk(url: str, user_id: int, teachers: int) -> None:
    """Copies one teacher's member, conversation, report and answers to the other units
    (BENCH-00001 on), as teachers ``user_id + n`` who walked as far as she did."""
    from sqlalchemy import insert, select

    from storage.db import create_engine
    from storage.models import Answer, Conversation, Member, Report, Unit

    engine = create_engine(url)
    person_0 = str(user_id)
    try:
        async with engine.begin() as db:
            member = (
                (await db.execute(select(Member).where(Member.user_id == str(user_id))))
                .mappings()
                .one()
            )
            talk = (
                (await db.execute(select(Conversation).where(Conversation.user_id == person_0)))
                .mappings()
                .one()
            )
            report = (
                (await db.execute(select(Report).where(Report.unit_id == member["unit_id"])))
                .mappings()
                .one()
            )
            answers = (
                (await db.execute(select(Answer).where(Answer.report_id == report["id"])))
                .mappings()
                .all()
            )
            units = dict((await db.execute(select(Unit.code, Unit.id))).tuples().all())
            for n in range(1, teachers):
                unit = units[f"BENCH-{n:05d}"]
                person = str(user_id + n)
                new_member = await db.execute(
                    insert(Member).values(
                        {**_row(member), "user_id": person, "chat_id": person, "unit_id": unit}
                    )
                )
                member_id = new_member.inserted_primary_key[0]
                await db.execute(insert(Conversation).values({**_row(talk), "user_id": person}))
                new_report = await db.execute(
                    insert(Report).values({**_row(report), "unit_id": unit})
                )
                report_id = new_report.inserted_primary_key[0]
                if answers:
                    await db.execute(
                        insert(Answer),
                        [
                            {**_row(a), "report_id": report_id, "member_id": member_id}
                            for a in answers
                        ],
                    )
    finally:
        await engine.dispose()


def _row(row: Any) -> dict[str, Any]:
    """A row's columns without its id (the copy gets a new one)."""
    return {key: value for key, value in dict(row).items() if key != "id"}
