"""Issue #12's "Done when", end to end: the real ``tuanle calendar simulate`` against the fake
Telegram and Zalo servers at once, on its fast clock.

**A September–October.** A commune (UBND xã Kim Long) and three schools on the 2023 campaign
(week 02–08/10, reports before 20/10); TH-03 holds its opening on its own day, 03/10. Teachers
and the commune's two admins on both platforms, bound before the run. The command runs
24/09–20/10 at 57,600 times the real pace (16 simulated hours a second). During it, as
a person would and at points the test observes (never a sleep): Hòa (Telegram, THCS-02) blocks
the bot once she has the opening's eve reminder; Mai (Zalo, THCS-01) fills her report through
the chat once the opening day is reminded, and sends it (``gửi báo cáo``) once the bot has told
her the report is open, mid-October. Each person's reminders are then checked, by kind and in
order, against the plan of the 2023 campaign (``bot/domain/calendar.plan``) for their unit and
role: until Mai's submission with THCS-01 missing, after it with THCS-01 done; Hòa's until she
blocked the bot. Each gets exactly that, once: THCS-01 hears nothing more once it submitted, the
admins get the commune's own deadline reminders and the list of the schools still missing with
their contacts, the command's last line counts what was queued and skipped.

**kill -9 in the middle of a wave.** 320 members (160 on each platform) in four schools are
inserted before the run; the theme announcement of 25/09 goes to all of them, at the bot's own
pace (30 a second on each platform). When the fake servers have received half, the process is
killed with SIGKILL, and the same command is started again: it replays the day from 00:00, the
reminder log keeps the announcement from being queued again, and the outbox sends what was
queued and not yet marked sent.

What the design guarantees, and what this test asserts exactly. Queuing is exactly once: the
reminder log and the outbox rows are written in one transaction, so the restart queues only the
members the killed process had not queued, and nobody twice. Delivery is at least once: a row is
marked sent in a transaction of its own just after the platform answered OK
(``bot/platforms/dispatch.py``'s ``Delivery``, ``bot/engine/outbox.py``), one chat's messages
one at a time, each marked before the chat's next is claimed. Neither the Telegram Bot API nor
Zalo's takes an idempotency key, so a message the platform took before the kill whose mark was
not committed cannot be told from one that never left: the restart sends it again. Per member,
then: a row marked sent at the kill is never sent again; a row queued and not marked is sent
once more (a second copy if the platform had taken the first); a member not queued yet is
queued and sent once; nobody is dropped and nobody gets three. The test reads the outbox as the
kill left it and what the fake servers took (once they have answered every request the dead
process made) and asserts each member's count is exactly that. How many get two depends on how
many sends were in flight when the kill fell: each background worker of ``Delivery`` marks a send
before it sends the next, so at most one per worker (the test holds it to that bound); runs
here repeated 0 or 1 of the 160 taken. It cannot be zero in principle.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.domain.calendar import Kind, Reminder, UnitState, plan
from bot.platforms.dispatch import BACKGROUND_AT_LEAST, BACKGROUND_PER_SEND_A_SECOND
from handlers import messages as say
from storage.models import OutboxMessage, ReminderLog, Report
from tests.calendar.plans import CAMPAIGNS, VIETNAM, local
from tests.conftest import photo
from tests.conversation.helpers import NOT_RUN_GROUPS, compact_walk_answers
from tests.e2e.bot_process import write_config
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

CAMPAIGN = CAMPAIGNS[2023]
JOINED = datetime(2023, 9, 1, tzinfo=UTC)

# The reminders as the catalogue words them: each template a pattern, its {days} captured.
TEMPLATES: dict[Kind, tuple[str, ...]] = {
    Kind.ANNOUNCE: (say.REMIND_ANNOUNCE,),
    Kind.OPENING_EVE: (say.REMIND_OPENING_EVE,),
    Kind.OPENING_DAY: (say.REMIND_OPENING_DAY,),
    Kind.REPORT_OPEN: (say.REMIND_REPORT_OPEN,),
    Kind.DEADLINE: (say.REMIND_DEADLINE, say.REMIND_DEADLINE_DAY),
    Kind.AREA_DEADLINE: (say.REMIND_AREA_DEADLINE, say.REMIND_AREA_DEADLINE_DAY),
    Kind.MISSING_TO_ADMINS: (say.REMIND_MISSING_TO_ADMINS,),
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pieces = [
        re.escape(part) if index % 2 == 0 else (r"(?P<days>\d+)" if part == "days" else ".*?")
        for index, part in enumerate(parts)
    ]
    return re.compile("".join(pieces), re.DOTALL)


PATTERNS = [
    (kind, _pattern(template)) for kind, templates in TEMPLATES.items() for template in templates
]


def reminder_name(text: str) -> str | None:
    """The plan's name of the reminder this text is ("deadline_3d", "announce"), or None for a
    reply in a conversation."""
    names = set()
    for kind, pattern in PATTERNS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        if kind in (Kind.DEADLINE, Kind.AREA_DEADLINE):
            days = found.groupdict().get("days")
            names.add(f"{kind}_{days}d" if days else f"{kind}_day")
        else:
            names.add(str(kind))
    assert len(names) <= 1, (text, names)
    return names.pop() if names else None


def bot_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BOT__")}


async def simulate(config: Path, first: str, last: str, speed: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "calendar",
        "simulate",
        "--from",
        first,
        "--to",
        last,
        "--speed",
        str(speed),
        env=bot_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


class Output:
    """What the command prints, line by line as it comes (and what it says on stderr)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.lines: list[str] = []
        self.errors: list[str] = []
        assert process.stdout is not None and process.stderr is not None
        self._tasks = [
            asyncio.create_task(self._read(process.stdout, self.lines)),
            asyncio.create_task(self._read(process.stderr, self.errors)),
        ]

    @staticmethod
    async def _read(stream: asyncio.StreamReader, into: list[str]) -> None:
        async for raw in stream:
            into.append(raw.decode().rstrip("\n"))

    async def close(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)


def config_for(tmp_path: Path, tg: FakeTelegram, zl: FakeZalo, zalo_rate: int) -> Path:
    return write_config(
        tmp_path,
        f"""[telegram]
token = "{tg.token}"
api_base = "{tg.base_url}"
[zalo]
token = "{zl.token}"
api_base = "{zl.base_url}"
mode = "polling"
messages_per_second = {zalo_rate}
media_allow_http = true
media_allow_private = true
[web]
port = 0""",
    )


# -- A September–October ------------------------------------------------------------------------

ADMIN_TG, LAN, HOA, BINH = 8001, 8002, 8003, 8004
ADMIN_ZL = "ad0000000000000000000001"
MAI, TUAN, THU = "a10000000000000000000002", "a10000000000000000000003", "a10000000000000000000004"
SPEED = 57_600


@dataclass(frozen=True)
class Person:
    platform: str
    user: str
    unit: str
    role: str


PEOPLE = {
    "admin (Telegram)": Person("telegram", str(ADMIN_TG), "XA-KL", "admin"),
    "admin (Zalo)": Person("zalo", ADMIN_ZL, "XA-KL", "admin"),
    "Lan": Person("telegram", str(LAN), "THCS-01", "reporter"),
    "Mai": Person("zalo", MAI, "THCS-01", "reporter"),
    "Hòa": Person("telegram", str(HOA), "THCS-02", "reporter"),
    "Tuấn": Person("zalo", TUAN, "THCS-02", "reporter"),
    "Bình": Person("telegram", str(BINH), "TH-03", "reporter"),
    "Thu": Person("zalo", THU, "TH-03", "reporter"),
}


async def a_commune(app: App) -> dict[str, int]:
    """The commune, its three schools (TH-03 opening on 03/10) and its people; unit ids."""
    async with app.uows() as uow:
        commune = await uow.units.add("XA-KL", "UBND xã Kim Long", "commune", None, JOINED)
        units = {
            "XA-KL": commune,
            "THCS-01": await uow.units.add(
                "THCS-01", "Trường THCS Kim Long", "school", commune, JOINED, "0905 000 111"
            ),
            "THCS-02": await uow.units.add(
                "THCS-02", "Trường THCS Kim Hòa", "school", commune, JOINED, "0905 111 222"
            ),
            "TH-03": await uow.units.add(
                "TH-03", "Trường TH Kim Long", "school", commune, JOINED, "0905 333 444"
            ),
        }
        for name, person in PEOPLE.items():
            await uow.members.bind(
                person.platform,
                person.user,
                person.user,
                name,
                units[person.unit],
                person.role,
                JOINED,
            )
        own = await uow.reports.open_for(app.engine.campaign_id, units["TH-03"].id, JOINED)
        await uow.reports.set_opening(own, date(2023, 10, 3))
        await uow.commit()
        return {code: unit.id for code, unit in units.items()}


def received(tg: FakeTelegram, zl: FakeZalo, person: Person) -> list[str]:
    if person.platform == "telegram":
        return [m.text for m in tg.messages_to(int(person.user)) if m.method == "sendMessage"]
    return [m.text for m in zl.messages_to(person.user)]


def reminders_of(tg: FakeTelegram, zl: FakeZalo, person: Person) -> list[str]:
    """The reminders the person received, by name, in order (conversation replies left out)."""
    names = (reminder_name(text) for text in received(tg, zl, person))
    return [name for name in names if name is not None]


def meant_for(
    reminders: list[Reminder], unit_id: int, role: str, keep: Callable[[Reminder], bool]
) -> list[tuple[datetime, str]]:
    return [
        (r.at, r.name) for r in reminders if r.unit_id == unit_id and role in r.roles and keep(r)
    ]


async def walk(zl: FakeZalo, texts: list[str]) -> None:
    """Mai answers each question once it is on her screen (the question's hint line ends in a
    parenthesis; the photos step ends the walk's questions)."""
    for text in texts:
        before = len(zl.messages_to(MAI))
        zl.send_text(MAI, text)
        await zl.wait_for(
            lambda before=before: (  # type: ignore[misc]
                len(zl.messages_to(MAI)) > before
                and zl.messages_to(MAI)[-1].text.rstrip().endswith(")")
            ),
            timeout=30,
        )


async def test_a_simulated_september_october_on_both_platforms_reminds_each_person_once(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg, FakeZalo() as zl:
        tg.known_chats_only = False  # they wrote to the bot before: Telegram knows their chats
        config = config_for(tmp_path, tg, zl, zalo_rate=20)
        settings = load_settings(config)
        app = await build(settings)
        try:
            ids = await a_commune(app)
        finally:
            await app.close()
        mai, hoa = PEOPLE["Mai"], PEOPLE["Hòa"]
        script, _ = compact_walk_answers(CAMPAIGN, not_run=NOT_RUN_GROUPS)
        script[0] = "2/10"  # THCS-01 held its opening on the campaign's day

        process = await simulate(config, "24/09/2023", "20/10/2023", SPEED)
        output = Output(process)
        try:
            # Hòa blocks the bot once she has the eve reminder (30/09, the Saturday evening).
            await tg.wait_for(lambda: len(reminders_of(tg, zl, hoa)) == 2, timeout=120)
            tg.block(HOA)
            # Mai files her report once the opening day is reminded (02/10, 06:30)...
            await zl.wait_for(lambda: len(reminders_of(tg, zl, mai)) == 3, timeout=120)
            await walk(zl, ["tiếp tục", *script])
            for seed in (1, 2):
                zl.send_image(MAI, photo(seed))
            zl.send_text(MAI, "xong")
            await zl.wait_for(lambda: "Đánh giá 1/3" in received(tg, zl, mai)[-1], timeout=30)
            await walk(zl, ["bỏ qua", "bỏ qua", "bỏ qua"])
            before = len(received(tg, zl, mai))
            zl.send_text(MAI, "không")  # no commendation nominations: the summary follows
            await zl.wait_for(lambda: len(received(tg, zl, mai)) > before, timeout=30)
            # ... and sends it once told the report is open (09/10, after the week's Sunday).
            await zl.wait_for(lambda: len(reminders_of(tg, zl, mai)) == 4, timeout=120)
            zl.send_text(MAI, "gửi báo cáo")
            await zl.wait_for(
                lambda: any("Số tiếp nhận" in t for t in received(tg, zl, mai)), timeout=30
            )
            assert await asyncio.wait_for(process.wait(), timeout=240) == 0, output.errors
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await output.close()

        app = await build(settings)
        try:
            async with app.uows() as uow:
                report = (
                    await uow.session.execute(
                        select(Report).where(Report.unit_id == ids["THCS-01"])
                    )
                ).scalar_one()
        finally:
            await app.close()
        assert report.status == "submitted" and report.submitted_at is not None
        submitted = report.submitted_at.replace(tzinfo=report.submitted_at.tzinfo or UTC)
        # Mid-October, between "the report is open" (09/10) and the first deadline reminder.
        assert local(2023, 10, 9, 19) < submitted < local(2023, 10, 16, 7, 30)

        rules = settings.reminders.rules()
        units = [
            UnitState(ids["XA-KL"], "commune", None),
            UnitState(ids["THCS-01"], "school", ids["XA-KL"], date(2023, 10, 2)),
            UnitState(ids["THCS-02"], "school", ids["XA-KL"]),
            UnitState(ids["TH-03"], "school", ids["XA-KL"], date(2023, 10, 3)),
        ]
        before_it = plan(CAMPAIGN, units, rules, VIETNAM)
        units[1] = UnitState(ids["THCS-01"], "school", ids["XA-KL"], date(2023, 10, 2), True)
        after_it = plan(CAMPAIGN, units, rules, VIETNAM)
        blocked = local(2023, 10, 1)  # between her eve reminder and the opening morning
        queued = skipped = 0
        for name, person in PEOPLE.items():
            unit = ids[person.unit]
            meant = sorted(
                meant_for(before_it, unit, person.role, lambda r: r.at < submitted)
                + meant_for(after_it, unit, person.role, lambda r: r.at >= submitted)
            )
            expected = [kind for _at, kind in meant]
            if person is not mai:  # nobody else talked to the bot: all they got are reminders
                assert len(received(tg, zl, person)) == len(reminders_of(tg, zl, person)), name
            if person is hoa:
                reached = [kind for at, kind in meant if at < blocked]
                assert reminders_of(tg, zl, person) == reached, name
                queued += len(reached) + 1  # the first after the block met a 403
                skipped += len(expected) - len(reached) - 1
            else:
                assert reminders_of(tg, zl, person) == expected, name
                queued += len(expected)

        # What the plan says, spelled out for 2023 (the eve of 02/10 moved off Sunday 01/10,
        # "the report is open" off Sunday 08/10; reports on time until 19/10).
        opening = ["announce", "opening_eve", "opening_day"]
        to_school = [*opening, "report_open", "deadline_3d", "deadline_1d", "deadline_day"]
        assert reminders_of(tg, zl, PEOPLE["Tuấn"]) == to_school
        assert reminders_of(tg, zl, PEOPLE["Thu"]) == to_school  # its own opening day, 03/10
        assert reminders_of(tg, zl, PEOPLE["Lan"]) == [*opening, "report_open"]
        assert reminders_of(tg, zl, mai) == [*opening, "report_open"]
        assert reminders_of(tg, zl, hoa) == ["announce", "opening_eve"]
        to_admins = [*opening, "area_deadline_3d", "area_deadline_1d", "area_deadline_day"]
        for admin in ("admin (Telegram)", "admin (Zalo)"):
            assert reminders_of(tg, zl, PEOPLE[admin]) == [*to_admins, "missing_to_admins"]
            missing = received(tg, zl, PEOPLE[admin])[-1]
            assert "THCS-02 — Trường THCS Kim Hòa (liên hệ: 0905 111 222)" in missing
            assert "TH-03 — Trường TH Kim Long (liên hệ: 0905 333 444)" in missing
            assert "THCS-01" not in missing
        thu = received(tg, zl, PEOPLE["Thu"])
        assert "Lễ khai mạc của đơn vị: ngày 03/10/2023" in thu[0]
        assert "ngày mai (03/10/2023)" in thu[1]
        assert all("chưa nhập mục nào" in text for text in thu[4:])

        last_day = [line for line in output.lines if line.startswith("20/10/2023:")]
        assert last_day == [
            say.SIM_DAY.format(
                day=date(2023, 10, 20), queued=queued, skipped=skipped, dropped=0, failed=0
            )
        ]


# -- kill -9 in the middle of a wave --------------------------------------------------------------

PER_PLATFORM = 160
WAVE_SPEED = 14_400  # 25/09 in six real seconds: the announcement at 07:30, 1.9 s in


@dataclass(frozen=True)
class Member:
    id: int
    platform: str
    chat: str


async def many_members(app: App) -> list[Member]:
    """Four schools, each with 40 teachers on Telegram and 40 on Zalo."""
    members: list[Member] = []
    async with app.uows() as uow:
        for school in range(4):
            unit = await uow.units.add(
                f"TH-{school:02d}", f"Trường TH số {school}", "school", None, JOINED
            )
            for n in range(PER_PLATFORM // 4):
                for platform in ("telegram", "zalo"):
                    chat = (
                        str(900_000 + school * 1000 + n)
                        if platform == "telegram"
                        else f"{school:04d}{n:020d}"
                    )
                    member = await uow.members.bind(
                        platform, chat, chat, f"Thầy/cô {n}", unit, "reporter", JOINED
                    )
                    members.append(Member(member.id, platform, chat))
        await uow.commit()
    return members


def copies(tg: FakeTelegram, zl: FakeZalo, member: Member) -> int:
    """How many times the platform took the announcement for this member."""
    if member.platform == "telegram":
        texts = [m.text for m in tg.messages_to(int(member.chat))]
    else:
        texts = [m.text for m in zl.messages_to(member.chat)]
    return sum(1 for text in texts if reminder_name(text) == "announce")


async def outbox_at_kill(settings: Settings) -> dict[int, str]:
    """Each member's announcement row as the killed process left it, by member id: "sent" or
    "pending" (a member not there was not queued yet)."""
    app = await build(settings)
    try:
        async with app.uows() as uow:
            rows = await uow.session.execute(
                select(ReminderLog.member_id, OutboxMessage.status).join(
                    OutboxMessage, OutboxMessage.id == ReminderLog.outbox_id
                )
            )
            states = list(rows.tuples())
    finally:
        await app.close()
    by_member = dict(states)
    assert len(by_member) == len(states)  # one reminder that day: one row a member at most
    return by_member


async def quiet(tg: FakeTelegram, zl: FakeZalo) -> None:
    """Waits until the fake servers have answered every request the dead process made (its
    last bytes are in their sockets already; a few turns of the loop read them)."""
    seen = -1
    while True:
        await tg.wait_for(lambda: tg.answering == 0 and zl.answering == 0, timeout=30)
        count = len(tg.sent) + len(zl.sent)
        if count == seen:
            return
        seen = count
        for _turn in range(20):
            await asyncio.sleep(0)


async def test_kill_9_mid_wave_drops_nobody_and_repeats_only_what_was_taken_unmarked(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg, FakeZalo() as zl:
        tg.known_chats_only = False
        config = config_for(tmp_path, tg, zl, zalo_rate=30)
        settings = load_settings(config)
        app = await build(settings)
        try:
            members = await many_members(app)
        finally:
            await app.close()

        def taken() -> int:  # every message of this day is the announcement
            sent = [*tg.sent, *zl.sent]
            return sum(1 for message in sent if message.method == "sendMessage")

        process = await simulate(config, "25/09/2023", "25/09/2023", WAVE_SPEED)
        output = Output(process)
        try:
            await tg.wait_for(lambda: taken() >= len(members) // 2, timeout=120)
            process.send_signal(signal.SIGKILL)
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await output.close()
        await quiet(tg, zl)
        at_kill = await outbox_at_kill(settings)
        before = {member.id: copies(tg, zl, member) for member in members}

        again = await simulate(config, "25/09/2023", "25/09/2023", WAVE_SPEED)
        output = Output(again)
        try:
            assert await asyncio.wait_for(again.wait(), timeout=120) == 0, output.errors
        finally:
            if again.returncode is None:
                again.kill()
                await again.wait()
            await output.close()

        sent = {m.id for m in members if at_kill.get(m.id) == "sent"}
        pending = {m.id for m in members if at_kill.get(m.id) == "pending"}
        not_queued = {m.id for m in members if m.id not in at_kill}
        assert sent | pending | not_queued == {m.id for m in members}
        assert 0 < len(sent) < len(members)  # killed in the middle of the wave
        after = {member.id: copies(tg, zl, member) for member in members}
        for member in members:
            if member.id in sent:
                assert before[member.id] == after[member.id] == 1, member  # never again
            elif member.id in pending:
                assert before[member.id] in (0, 1), member
                assert after[member.id] == before[member.id] + 1, member  # sent once more
            else:
                assert before[member.id] == 0 and after[member.id] == 1, member
        app = await build(settings)
        try:
            async with app.uows() as uow:
                logged = await uow.session.execute(
                    select(ReminderLog.member_id, ReminderLog.status, OutboxMessage.status).join(
                        OutboxMessage, OutboxMessage.id == ReminderLog.outbox_id
                    )
                )
                lines = list(logged.tuples())
        finally:
            await app.close()
        # Queued once per member, across the kill: each one line, one outbox row, sent.
        assert sorted(member for member, _, _ in lines) == sorted(m.id for m in members)
        assert {(status, row) for _, status, row in lines} == {("queued", "sent")}
        assert output.lines[-1] == say.SIM_DAY.format(
            day=date(2023, 9, 25), queued=len(members), skipped=0, dropped=0, failed=0
        )
        twice = [m for m in members if after[m.id] == 2]
        # The only repeats: the messages the platform took before the kill whose mark had not
        # been committed; one chat has at most one such message.
        assert {m.id for m in twice} == {m.id for m in members if m.id in pending and before[m.id]}
        # And at most the sends in flight: a background worker marks each send before it sends
        # the next, so each platform's workers hold one unmarked send each at most.
        in_flight = sum(
            max(BACKGROUND_AT_LEAST, math.ceil(rate * BACKGROUND_PER_SEND_A_SECOND))
            for rate in (settings.telegram.messages_per_second, settings.zalo.messages_per_second)
        )
        assert len(twice) <= in_flight
        assert min(after.values()) == 1  # nobody dropped
        print(  # the figures of the run, for the report (pytest -s)
            f"killed at {sum(before.values())} taken of {len(members)}: {len(sent)} marked sent, "
            f"{len(pending)} queued and not marked, {len(not_queued)} not queued yet; "
            f"{len(twice)} received twice"
        )
