"""The admin commands in the chat, over a province of two communes: /status, /export, /invite,
/revoke and /reopen, as an admin, a superadmin and a reporter see them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build
from bot.config import Settings, load_settings
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.join import create_invite
from storage.models import AuditEntry, Invite, Job, Member, Report, Rollup
from tests.conftest import FixedClock, photo
from tests.conversation.helpers import stored_answers, stored_report, walk_answers
from tests.e2e.bot_process import write_config

SUPER = "memory:root-1"
NOW = datetime(2023, 10, 9, 3, 0, tzinfo=UTC)  # the clock fixture's time
# code, name, kind, parent, contact
TREE = (
    ("T", "Sở GD&ĐT Thừa Thiên Huế", "province", None, None),
    ("X1", "UBND xã Kim Long", "commune", "T", "0234 111 111"),
    ("X2", "UBND xã Hương Sơ", "commune", "T", None),
    ("X1-A", "Trường THCS Kim Long", "school", "X1", "0905 222 333"),
    ("X1-B", "TTHTCĐ Kim Long", "centre", "X1", None),
    ("X2-A", "Trường TH Hương Sơ", "school", "X2", "hs@example.vn"),
)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        None,
        database={"url": database_url},
        evidence={"directory": tmp_path / "evidence"},
        campaign={"year": 2023},
        admin={"superadmins": [SUPER]},
    )


@pytest.fixture
async def tree(app: App, clock: FixedClock) -> None:
    async with app.uows() as uow:
        for code, name, kind, parent, contact in TREE:
            above = await uow.units.by_code(parent) if parent else None
            await uow.units.add(code, name, kind, above, clock.now(), contact)
        await uow.commit()


async def joined(app: App, unit: str, role: str, user: str, name: str) -> MemoryChat:
    """A person who joined ``unit`` with an invite of ``role``."""
    async with app.uows() as uow:
        found = await uow.units.by_code(unit)
        assert found is not None
        code = await create_invite(uow, found, role, 30, 20, NOW)
        await uow.commit()
    person = MemoryChat(app.engine, user_id=user, user_name=name)
    await person.send(f"/start {code}")
    return person


async def set_status(app: App, unit: str, status: str) -> None:
    """The unit's report in ``status`` (as if its reporters had got that far)."""
    campaign = app.engine.campaign
    async with app.uows() as uow:
        row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
        found = await uow.units.by_code(unit)
        assert found is not None
        report = await uow.reports.open_for(row.id, found.id, NOW)
        report.status = status
        await uow.commit()


async def rows(app: App, model: type[object]) -> list[object]:
    async with app.uows() as uow:
        return list((await uow.session.execute(select(model))).scalars())


async def audited(app: App, action: str) -> list[AuditEntry]:
    return [
        e for e in await rows(app, AuditEntry) if isinstance(e, AuditEntry) and e.action == action
    ]


async def jobs(app: App) -> list[Job]:
    return [j for j in await rows(app, Job) if isinstance(j, Job)]


async def file_report(teacher: MemoryChat) -> None:
    """The whole walk, two photos, the optional parts skipped, then submitted."""
    script, _ = walk_answers(teacher.engine.campaign, run_every_group=False)
    for answer in script:
        await teacher.send(answer)
    for seed in (1, 2):
        await teacher.send_file(photo(seed))
    await teacher.send("xong")
    for _ in range(6):
        if say.SUBMIT in teacher.last_reply().choices:
            break
        await teacher.send("bỏ qua")
    await teacher.send("gửi báo cáo")
    assert "Số tiếp nhận" in teacher.last_reply().text


# /status -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_a_commune_admin_sees_the_status_of_its_own_units_only(app: App) -> None:
    admin = await joined(app, "X1", "admin", "tg-2001", "Chị Hoa")
    said = [reply.text for reply in admin.replies]
    assert say.ADMIN_JOINED.format(unit="UBND xã Kim Long") in said  # then the commune's walk
    await set_status(app, "X1-A", "submitted")
    await set_status(app, "X2-A", "draft")
    await admin.send("/status")
    text = admin.last_reply().text
    assert text.startswith(say.STATUS_TITLE.format(unit="UBND xã Kim Long", year=2023))
    assert "Đã gửi 1/3 đơn vị" in text  # the commune itself and its two units
    assert "Trường THCS Kim Long: đã gửi 1/1" in text
    assert "TTHTCĐ Kim Long (X1-B) — chưa bắt đầu; liên hệ: chưa có; hạn: trước" in text
    assert "UBND xã Kim Long (X1) — đang làm; liên hệ: 0234 111 111" in text
    assert "Hương Sơ" not in text and "X2" not in text
    assert [(j.kind, j.params) for j in await jobs(app)] == [
        ("status_chart", {"unit_id": (await unit_id(app, "X1"))})
    ]
    await admin.send("/help")  # the usual help, then the admin commands
    assert say.HELP in admin.replies[-2].text
    assert say.ADMIN_HELP_TITLE in admin.replies[-2].text
    assert say.ADMIN_HELP_SIGN_OFF in admin.replies[-2].text


async def unit_id(app: App, code: str) -> int:
    async with app.uows() as uow:
        found = await uow.units.by_code(code)
        assert found is not None
        return found.id


@pytest.mark.usefixtures("tree")
async def test_a_long_list_of_missing_units_is_cut_and_counted(
    app: App, clock: FixedClock
) -> None:
    async with app.uows() as uow:
        commune = await uow.units.by_code("X2")
        for n in range(45):
            await uow.units.add(
                f"X2-S{n:02d}", f"Trường số {n:02d}", "school", commune, clock.now()
            )
        await uow.commit()
    admin = await joined(app, "X2", "admin", "tg-2002", "Anh Minh")
    await admin.send("/status")
    text = admin.last_reply().text
    assert say.STATUS_MISSING_TITLE.format(count=47) in text
    assert say.STATUS_MORE.format(count=27) in text  # 20 listed of the 47 missing
    assert say.STATUS_MORE.format(count=16) in text  # 30 of the 46 child units on a line
    assert len(text) < 4096  # one Telegram message


@pytest.mark.usefixtures("tree")
async def test_a_superadmin_without_a_unit_administers_the_whole_tree(app: App) -> None:
    root = MemoryChat(app.engine, user_id="root-1")
    await root.send("/help")
    assert root.last_reply().text.startswith(say.ADMIN_HELP_TITLE)  # no walk: no walk help
    assert say.ADMIN_HELP_STATUS in root.last_reply().text
    await root.send("/status")
    text = root.last_reply().text
    assert "Đã gửi 0/6 đơn vị" in text and "Hương Sơ" in text and "Kim Long" in text
    assert "(T) — chưa bắt đầu; liên hệ: chưa có; hạn: chưa quy định" in text  # no province's
    await root.send("/status X2")
    assert "Kim Long" not in root.last_reply().text


# /export -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_export_is_queued_once_while_it_is_being_prepared(app: App) -> None:
    admin = await joined(app, "X1", "admin", "tg-2003", "Chị Hoa")
    await admin.send("/export")
    assert admin.last_reply().text == say.ADMIN_EXPORT_QUEUED.format(
        unit="UBND xã Kim Long", year=2023
    )
    await admin.send("/export 2023")  # a double tap
    assert admin.last_reply().text == say.ADMIN_EXPORT_PENDING.format(
        unit="UBND xã Kim Long", year=2023
    )
    exports = [j for j in await jobs(app) if j.kind == "export"]
    assert [j.params for j in exports] == [{"unit_id": await unit_id(app, "X1"), "year": 2023}]
    await admin.send("/export 2019")
    assert admin.last_reply().text == say.ADMIN_EXPORT_NO_YEAR.format(year=2019)
    await admin.send("/export X1-A")
    assert admin.last_reply().text == say.ADMIN_EXPORT_QUEUED.format(
        unit="Trường THCS Kim Long", year=2023
    )
    await admin.send("/export X2")
    assert admin.last_reply().text == say.ADMIN_NO_SUCH_UNIT.format(code="X2")
    assert len([j for j in await jobs(app) if j.kind == "export"]) == 2
    refused = await audited(app, "admin.refused")
    assert [e.detail["unit"] for e in refused] == ["X2"]


@pytest.mark.usefixtures("tree")
async def test_an_admin_revoked_after_asking_receives_no_files_when_the_job_runs(app: App) -> None:
    province = await joined(app, "T", "admin", "tg-2020", "Ông Bình")
    commune = await joined(app, "X1", "admin", "tg-2021", "Chị Hoa")
    await commune.send("/export")
    await commune.send("/status")
    await province.send("/revoke X1")
    assert "1. Chị Hoa" in province.last_reply().text
    await province.send("/revoke X1 1")
    await commune.flush()
    told = len(commune.replies)

    await app.jobs.start(["memory"])
    try:
        await app.jobs.run_due()
    finally:
        await app.jobs.close()

    later = await commune.flush()
    assert [reply.text for reply in later] == [say.ADMIN_NO_SUCH_UNIT.format(code="X1")] * 2
    assert all(not reply.files for reply in commune.replies[told:])
    refused = await audited(app, "admin.refused")
    assert sorted(e.detail["command"] for e in refused) == ["export", "status_chart"]


@pytest.mark.usefixtures("tree")
async def test_the_links_to_an_admins_files_stop_working_when_they_are_revoked(app: App) -> None:
    province = await joined(app, "T", "admin", "tg-2022", "Ông Bình")
    commune = await joined(app, "X1", "admin", "tg-2023", "Chị Hoa")
    await commune.send("/export")
    await app.jobs.start(["memory"])
    try:
        await app.jobs.run_due()
    finally:
        await app.jobs.close()
    (done,) = [reply for reply in await commune.flush() if reply.files]
    tokens = [file.token for file in done.files]
    assert all([await app.artifacts.find(token) for token in tokens])

    await province.send("/revoke X1 1")

    assert [await app.artifacts.find(token) for token in tokens] == [None] * 4
    (revoked,) = await audited(app, "member.revoke")
    assert revoked.detail["links"] == 4


# /invite -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_an_admin_invites_a_reporter_and_a_single_use_admin(
    app: App, clock: FixedClock
) -> None:
    admin = await joined(app, "X1", "admin", "tg-2004", "Chị Hoa")
    await admin.send("/invite x1-a")
    made = admin.last_reply().text
    assert made.startswith("Mã mời người báo cáo cho đơn vị “Trường THCS Kim Long”")
    code = made.splitlines()[1]
    teacher = MemoryChat(app.engine, user_id="tg-3001", user_name="Cô Lan")
    await teacher.send(code)
    assert "Trường THCS Kim Long" in teacher.replies[0].text

    await admin.send("/invite X1-B admin")
    made = admin.last_reply().text
    assert "dùng được cho tối đa 1 người" in made
    code = made.splitlines()[1]
    async with app.uows() as uow:
        invite = (
            await uow.session.execute(select(Invite).where(Invite.role == "admin"))
        ).scalars()
        newest = max(invite, key=lambda i: i.id)
        assert newest.expires_at == clock.now() + timedelta(hours=48)
    first = MemoryChat(app.engine, user_id="tg-3002")
    await first.send(code)
    second = MemoryChat(app.engine, user_id="tg-3003")
    await second.send(code)
    assert say.INVITE_WRONG.split("{")[0] in second.last_reply().text  # used up
    await first.send("/status")
    assert first.last_reply().text.startswith(
        say.STATUS_TITLE.format(unit="TTHTCĐ Kim Long", year=2023)
    )


@pytest.mark.usefixtures("tree")
async def test_an_invite_outside_the_subtree_is_refused_and_logged(app: App) -> None:
    admin = await joined(app, "X1", "admin", "tg-2005", "Chị Hoa")
    before = len(await rows(app, Invite))
    for text in ("/invite X2-A", "/invite T admin", "/invite NOPE"):
        await admin.send(text)
        code = text.split()[1]
        assert admin.last_reply().text == say.ADMIN_NO_SUCH_UNIT.format(code=code)
    assert len(await rows(app, Invite)) == before
    assert [e.detail["unit"] for e in await audited(app, "admin.refused")] == ["X2-A", "T"]


# /revoke -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_revoke_lists_then_ends_a_membership_and_an_invite(app: App) -> None:
    admin = await joined(app, "X1", "admin", "tg-2006", "Chị Hoa")
    teacher = await joined(app, "X1-A", "reporter", "tg-3004", "Cô Lan")
    await admin.send("/revoke X1-A")
    listed = admin.last_reply().text
    assert "1. Cô Lan — người báo cáo (memory)" in listed
    assert "2. Mã mời người báo cáo — đã dùng 1/20" in listed
    await admin.send("/revoke X1-A 1")
    assert admin.last_reply().text == say.ADMIN_REVOKED_MEMBER.format(
        name="Cô Lan", unit="Trường THCS Kim Long"
    )
    await teacher.flush()
    assert teacher.last_reply().text == say.ADMIN_MEMBERSHIP_ENDED.format(
        unit="Trường THCS Kim Long"
    )
    await teacher.send("3/10")  # a stranger again: the answer is not stored
    assert "mã mời" in teacher.last_reply().text
    await admin.send("/revoke X1-A 1")  # the invite is first now
    assert admin.last_reply().text == say.ADMIN_REVOKED_INVITE.format(unit="Trường THCS Kim Long")
    await admin.send("/revoke X1-A")
    assert admin.last_reply().text == say.ADMIN_REVOKE_NOTHING.format(unit="Trường THCS Kim Long")
    assert len(await audited(app, "member.revoke")) == 1
    assert len(await audited(app, "invite.revoke")) == 1


@pytest.mark.usefixtures("tree")
async def test_an_admin_cannot_revoke_their_own_membership(app: App) -> None:
    admin = await joined(app, "X1", "admin", "tg-2007", "Chị Hoa")
    await admin.send("/revoke X1 1")
    assert admin.last_reply().text == say.ADMIN_REVOKE_SELF
    async with app.uows() as uow:
        me = await uow.members.find("memory", "tg-2007")
        assert me is not None and me.role == "admin"


# /reopen -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_reopen_tells_the_reporters_and_the_admin_hears_of_the_new_submission(
    app: App, clock: FixedClock
) -> None:
    admin = await joined(app, "X1", "admin", "tg-2008", "Chị Hoa")
    teacher = await joined(app, "X1-A", "reporter", "tg-3005", "Cô Lan")
    colleague = await joined(app, "X1-A", "reporter", "tg-3006", "Thầy Nam")
    await admin.send("/reopen X1-A Mục 1.3 thiếu số người")
    assert admin.last_reply().text == say.ADMIN_REOPEN_NOT_SUBMITTED.format(
        unit="Trường THCS Kim Long"
    )
    await file_report(teacher)
    clock.advance(hours=2)
    await admin.send("/reopen X1-A Mục 1.3 thiếu số người")
    assert admin.last_reply().text == say.ADMIN_REOPENED.format(
        unit="Trường THCS Kim Long", told=2
    )
    told = say.REOPENED_BY_ADMIN.format(unit="Trường THCS Kim Long", note="Mục 1.3 thiếu số người")
    for reporter in (teacher, colleague):
        await reporter.flush()
        assert reporter.last_reply().text == told
    async with app.uows() as uow:
        school = await uow.units.by_code("X1-A")
        assert school is not None
        found = await uow.session.execute(select(Report).where(Report.unit_id == school.id))
        report = found.scalars().one()
        reopener = await uow.members.find("memory", "tg-2008")
        assert report.status == "reopened" and report.reopen_note == "Mục 1.3 thiếu số người"
        assert reopener is not None and report.reopened_by == reopener.id
        assert report.reopened_at == clock.now()

    await colleague.send("sửa báo cáo")
    assert say.REOPENED_FOR_EDIT in colleague.replies[-2].text
    await colleague.send("sửa 1.1")
    await colleague.send("7/300")
    await colleague.send("gửi báo cáo")
    assert "Số tiếp nhận" in colleague.last_reply().text
    await admin.flush()
    assert admin.last_reply().text.startswith("Đơn vị “Trường THCS Kim Long” đã gửi lại báo cáo")
    assert "Mục 1.3 thiếu số người" in admin.last_reply().text
    assert len(await audited(app, "report.reopen")) == 1


@pytest.mark.usefixtures("tree")
async def test_a_reopened_report_goes_straight_to_the_row_the_note_names(
    app: App, clock: FixedClock
) -> None:
    admin = await joined(app, "X1", "admin", "tg-2009", "Chị Hoa")
    teacher = await joined(app, "X1-A", "reporter", "tg-3007", "Cô Lan")
    await file_report(teacher)
    clock.advance(hours=2)
    await admin.send("/reopen X1-A Mục 1.1 thiếu số người")
    await teacher.flush()

    await teacher.send("sửa 1.1")  # as the note says, without "sửa báo cáo" first

    assert teacher.replies[-2].text == say.REOPENED_FOR_EDIT
    assert "1.1" in teacher.last_reply().text  # the row's question, not the notice again
    await teacher.send("7/300")
    assert say.SUBMIT.label in [c.label for c in teacher.last_reply().choices]  # the review
    await teacher.send("gửi báo cáo")
    assert "Số tiếp nhận" in teacher.last_reply().text


@pytest.mark.usefixtures("tree")
async def test_an_admin_moved_to_another_area_hears_nothing_of_a_report_they_reopened(
    app: App, clock: FixedClock
) -> None:
    province = await joined(app, "T", "admin", "tg-2030", "Ông Bình")
    admin = await joined(app, "X1", "admin", "tg-2031", "Chị Hoa")
    teacher = await joined(app, "X1-A", "reporter", "tg-3030", "Cô Lan")
    await file_report(teacher)
    clock.advance(hours=2)
    await admin.send("/reopen X1-A Mục 1.1 thiếu số người")
    await province.send("/revoke X1 1")
    assert province.last_reply().text == say.ADMIN_REVOKED_MEMBER.format(
        name="Chị Hoa", unit="UBND xã Kim Long"
    )
    await joined(app, "X2-A", "reporter", "tg-2031", "Chị Hoa")  # now she reports elsewhere
    await admin.flush()
    heard = len(admin.replies)

    await teacher.flush()
    await teacher.send("sửa 1.1")
    await teacher.send("7/300")
    await teacher.send("gửi báo cáo")
    assert "Số tiếp nhận" in teacher.last_reply().text

    await admin.flush()
    assert not [r.text for r in admin.replies[heard:] if "Trường THCS Kim Long" in r.text]


# Reporters and strangers -------------------------------------------------------------------------

ADMIN_TEXTS = (
    "/status",
    "/export",
    "/invite X1-A",
    "/revoke X1-A",
    "/reopen X1-A sửa",
    "/status X1",
)


@pytest.mark.usefixtures("tree")
async def test_a_reporter_reaching_an_admin_command_is_refused_and_nothing_happens(
    app: App,
) -> None:
    teacher = await joined(app, "X1-A", "reporter", "tg-3007", "Cô Lan")
    question = teacher.last_reply().text
    invites = len(await rows(app, Invite))
    for text in ADMIN_TEXTS:
        replies = await teacher.send(text)
        assert [r.text for r in replies] == [say.ADMIN_ONLY]
    assert await jobs(app) == []
    assert len(await rows(app, Invite)) == invites
    assert len(await audited(app, "command.refused")) == len(ADMIN_TEXTS)
    await teacher.send("/help")
    assert say.ADMIN_HELP_TITLE not in teacher.replies[-2].text
    assert teacher.last_reply().text == question  # the walk goes on where it was


@pytest.mark.usefixtures("tree")
async def test_a_stranger_reaching_an_admin_command_is_refused_a_few_times_an_hour(
    app: App,
) -> None:
    stranger = MemoryChat(app.engine, user_id="tg-6666")
    for _ in range(8):
        await stranger.send("/status")
    assert [r.text for r in stranger.replies] == [say.ADMIN_ONLY] * 5
    async with app.uows() as uow:
        assert (await uow.session.execute(select(Member))).first() is None


# /nop_tong_hop -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("tree")
async def test_a_commune_signs_off_its_roll_up_and_the_province_is_told(app: App) -> None:
    province = await joined(app, "T", "admin", "tg-2010", "Ông Bình")
    commune = await joined(app, "X1", "admin", "tg-2011", "Chị Hoa")
    await commune.send("/nop_tong_hop")
    assert commune.last_reply().text == say.ROLLUP_NOTHING_SUBMITTED.format(
        unit="UBND xã Kim Long"
    )
    teacher = await joined(app, "X1-A", "reporter", "tg-3010", "Cô Lan")
    await file_report(teacher)
    _, expected = walk_answers(app.engine.campaign, run_every_group=False)
    await commune.send("/nop_tong_hop Đã kiểm tra số liệu")
    assert commune.last_reply().text.startswith(
        "Đã chốt số liệu tổng hợp của “UBND xã Kim Long” (lần 1, gồm 1 báo cáo đã gửi)"
    )
    await province.flush()
    assert province.last_reply().text.startswith("“UBND xã Kim Long” đã chốt")
    assert "Ghi chú: Đã kiểm tra số liệu" in province.last_reply().text
    await commune.send("/nop_tong_hop")
    signed = [r for r in await rows(app, Rollup) if isinstance(r, Rollup)]
    assert [r.revision for r in signed] == [1, 2]
    assert signed[0].counted == {"units": ["X1-A"]}
    numbers = {k: v for k, v in expected.items() if isinstance(v, int) and ":" in k}
    row_numbers = {k: v for k, v in numbers.items() if k in signed[0].totals}
    assert row_numbers and all(signed[0].totals[k] == v for k, v in row_numbers.items())
    assert len(await audited(app, "rollup.submit")) == 2
    await province.send("/status")  # the live sums beside what each commune signed off
    assert "UBND xã Kim Long: đã gửi 1/3" in province.last_reply().text
    assert say.STATUS_SIGNED.format(revision=2) in province.last_reply().text
    await province.send("/nop_tong_hop")  # the top of the tree has no one above
    assert province.last_reply().text == say.ROLLUP_NO_PARENT


# The command line has the same reach ------------------------------------------------------------


def tuanle(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tuanle`` as the admin at the server runs it."""
    command = [sys.executable, "-m", "bot", "--config", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)


async def test_the_command_line_invites_admins_briefly_reopens_with_a_note_and_revokes(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, "")
    tuanle(config, "units", "add", "X1", "UBND xã Kim Long", "--kind", "commune")
    tuanle(config, "units", "add", "X1-A", "Trường THCS Kim Long", "--parent", "X1")
    made = tuanle(config, "invite", "X1", "--role", "admin")
    assert made.stderr.strip() == say.CLI_INVITE_MADE_HOURS.format(
        unit="UBND xã Kim Long", role="quản trị", hours=48, uses=1
    )
    app = await build(load_settings(config), clock=FixedClock(NOW))
    try:
        await joined(app, "X1-A", "reporter", "tg-3020", "Cô Lan")
        await set_status(app, "X1-A", "submitted")
    finally:
        await app.close()
    reopened = tuanle(config, "reports", "reopen", "X1-A", "--note", "Mục 1.3 thiếu số người")
    assert reopened.stdout.strip() == say.CLI_REOPENED.format(code="X1-A")
    app = await build(load_settings(config), clock=FixedClock(NOW))
    try:
        teacher = MemoryChat(app.engine, user_id="tg-3020")
        await teacher.flush()
        assert teacher.last_reply().text == say.REOPENED_BY_ADMIN.format(
            unit="Trường THCS Kim Long", note="Mục 1.3 thiếu số người"
        )
        await teacher.send("sửa báo cáo")
        assert say.REOPENED_FOR_EDIT in teacher.replies[-2].text
    finally:
        await app.close()
    listed = tuanle(config, "revoke", "X1-A").stdout
    assert "1. Cô Lan — người báo cáo (memory)" in listed
    assert say.CLI_REVOKE_HOW.format(code="X1-A") in listed
    revoked = tuanle(config, "revoke", "X1-A", "1").stdout
    assert revoked.strip() == say.ADMIN_REVOKED_MEMBER.format(
        name="Cô Lan", unit="Trường THCS Kim Long"
    )
    app = await build(load_settings(config), clock=FixedClock(NOW))
    try:
        teacher = MemoryChat(app.engine, user_id="tg-3020")
        await teacher.flush()
        assert teacher.last_reply().text == say.ADMIN_MEMBERSHIP_ENDED.format(
            unit="Trường THCS Kim Long"
        )
    finally:
        await app.close()


async def test_a_superadmin_over_several_trees_is_asked_to_name_one(app: App) -> None:
    root = MemoryChat(app.engine, user_id="root-1")
    await root.send("/status")
    assert root.last_reply().text == say.ADMIN_NO_UNITS
    async with app.uows() as uow:
        for code in ("HUE", "DN"):
            await uow.units.add(code, f"Sở GD&ĐT {code}", "province", None, NOW)
        await uow.commit()
    await root.send("/export")
    assert root.last_reply().text == say.ADMIN_NAME_A_UNIT.format(example="DN", codes="DN, HUE")
    await root.send("/status hue")
    assert root.last_reply().text.startswith(
        say.STATUS_TITLE.format(unit="Sở GD&ĐT HUE", year=2023)
    )


@pytest.mark.usefixtures("tree")
async def test_an_admin_command_drops_a_choice_offered_in_the_walk(app: App) -> None:
    """An admin filing their own unit's report asks /status in between: a "1" afterwards is
    no longer the choice among the readings offered before."""
    admin = await joined(app, "X1", "admin", "tg-2012", "Chị Hoa")
    await admin.press("Có, ngày 02/10")
    await admin.press("Có, tất cả")
    await admin.send("1 200")  # reads two ways at a pair row: she is asked which
    assert admin.last_reply().choices
    await admin.send("/status")
    await admin.send("1")  # an answer to row 1.1 now, and a pair needs two numbers
    answers = await stored_answers(app, await stored_report(app, "X1"))
    assert not any(key.startswith("1.1:") for key in answers)
