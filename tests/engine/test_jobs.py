"""The job runner: long work asked for in a chat runs beside the conversations, tells the person
how far it got only when it takes a while, sends its files once even when it runs again, and
says once, in Vietnamese, when it failed for good."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.app import App
from bot.domain.chat import Reply
from bot.engine.core import Retry
from bot.engine.jobs import JobContext, JobRunner
from bot.platforms.memory import MemoryChat
from handlers import messages as say
from handlers.join import create_invite
from storage.models import Job
from tests.conftest import FixedClock

ADMIN = "admin-7"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def runner(app: App, clock: FixedClock, **options: Any) -> JobRunner:
    """A runner that claims only when told (no sweep in the test's time) and retries at once."""
    defaults: dict[str, Any] = {
        "clock": clock,
        "sweep_seconds": 3600,
        "retry": Retry(first=0.01, cap=0.02),
    }
    return JobRunner(
        app.uows, app.engine, app.artifacts, app.files, app.settings, **(defaults | options)
    )


async def queue_job(
    app: App, kind: str, params: dict[str, Any] | None = None, *, platform: str = "memory"
) -> int:
    async with app.uows() as uow:
        job_id = await uow.jobs.add(
            kind=kind,
            params=params or {},
            platform=platform,
            chat_id=ADMIN,
            user_id=ADMIN,
            member_id=None,
            now=datetime.now(UTC),
        )
        await uow.commit()
    assert job_id is not None
    return job_id


async def job_row(app: App, job_id: int) -> Job:
    async with app.uows() as uow:
        row = await uow.jobs.get(job_id)
        assert row is not None
        return row


def admin_chat(app: App) -> MemoryChat:
    return MemoryChat(app.engine, user_id=ADMIN, artifacts=app.artifacts)


async def test_a_job_sends_its_file_and_the_admin_can_open_it(app: App, clock: FixedClock) -> None:
    async def export(ctx: JobContext) -> None:
        path = ctx.workdir / "table.xlsx"
        path.write_bytes(b"PK\x03\x04 the table for " + str(ctx.params["unit"]).encode())
        document = await ctx.artifact(path, "TuanLe2023_THCS-01_tong-hop.xlsx", XLSX)
        await ctx.send(Reply("Báo cáo tổng hợp", files=(document,)))

    jobs = runner(app, clock)
    jobs.register("export", export)
    await jobs.start()
    try:
        job_id = await queue_job(app, "export", {"unit": "THCS-01"})
        await jobs.run_due()
    finally:
        await jobs.close()
    admin = admin_chat(app)
    (reply,) = await admin.flush()
    (document,) = reply.files
    assert (reply.text, document.name, document.kind) == (
        "Báo cáo tổng hợp",
        "TuanLe2023_THCS-01_tong-hop.xlsx",
        "document",
    )
    assert admin.sender.paths[document.token].read_bytes() == b"PK\x03\x04 the table for THCS-01"
    row = await job_row(app, job_id)
    assert (row.status, row.progress, row.attempts) == ("done", 100, 1)


async def test_a_quick_job_sends_no_progress_and_a_slow_one_at_most_every_few_seconds(
    app: App, clock: FixedClock
) -> None:
    async def steps(ctx: JobContext) -> None:
        for percent in range(0, 100, 10):
            await ctx.progress(percent, "Đang tổng hợp")
        await ctx.send(Reply("Xong"))

    quick = runner(app, clock)  # every step well within the first 3 seconds
    quick.register("chart", steps)
    await quick.start()
    await queue_job(app, "chart")
    await quick.run_due()
    await quick.close()
    admin = admin_chat(app)
    assert [r.text for r in await admin.flush()] == ["Xong"]

    # A job already past the quiet start: the first step is told, the next within the same
    # few seconds are not.
    slow = runner(app, clock, progress_after=0.0, progress_every=3600.0)
    slow.register("chart", steps)
    await slow.start()
    await queue_job(app, "chart")
    await slow.run_due()
    await slow.close()
    told = [r.text for r in await admin.flush()]
    assert told == [say.JOB_PROGRESS.format(percent=0, text="Đang tổng hợp"), "Xong"]


async def test_a_job_run_again_after_a_failure_sends_nothing_twice(
    app: App, clock: FixedClock
) -> None:
    runs: list[int] = []

    async def flaky(ctx: JobContext) -> None:
        runs.append(ctx.job.attempts)
        chart = await ctx.artifact(b"\x89PNG chart", "bieu-do.png", "image/png", kind="photo")
        await ctx.send(Reply("Biểu đồ tiến độ", files=(chart,)))
        if len(runs) == 1:
            raise OSError("the disk hiccuped after the chart was queued")
        await ctx.send(Reply("Hết"))

    jobs = runner(app, clock)
    jobs.register("chart", flaky)
    await jobs.start()
    job_id = await queue_job(app, "chart")
    await jobs.run_due()
    for _ in range(200):  # the second try waits out its short pause
        if (await job_row(app, job_id)).status == "done":
            break
        await jobs.run_due()
        await asyncio.sleep(0.01)
    await jobs.close()
    assert runs == [1, 2]
    received = await admin_chat(app).flush()
    assert [r.text for r in received] == ["Biểu đồ tiến độ", "Hết"]
    assert len(received[0].files) == 1


async def test_a_job_that_fails_three_times_tells_the_person_once(
    app: App, clock: FixedClock
) -> None:
    async def broken(ctx: JobContext) -> None:
        raise ValueError("token=123456:SECRET in a message that must not reach the person")

    jobs = runner(app, clock)
    jobs.register("export", broken)
    await jobs.start()
    job_id = await queue_job(app, "export")
    for _ in range(300):
        if (await job_row(app, job_id)).status == "failed":
            break
        await jobs.run_due()
        await asyncio.sleep(0.01)
    await jobs.run_due()
    await jobs.close()
    row = await job_row(app, job_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert [r.text for r in await admin_chat(app).flush()] == [say.JOB_FAILED]


async def test_a_job_left_running_by_a_killed_process_runs_at_the_next_start(
    app: App, clock: FixedClock
) -> None:
    job_id = await queue_job(app, "export")
    async with app.uows() as uow:  # as a process killed in the middle of it left it
        lease = datetime.now(UTC) + timedelta(minutes=5)
        await uow.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="running", attempts=1, lease_until=lease)
        )
        await uow.commit()
    done: list[int] = []

    async def export(ctx: JobContext) -> None:
        done.append(ctx.job.attempts)

    waiting = runner(app, clock)  # PostgreSQL: another process may hold it; its lease decides
    waiting.register("export", export)
    await waiting.start()
    await waiting.run_due()
    await waiting.close()
    assert done == []
    restarted = runner(app, clock, exclusive=True)  # SQLite: the only process, so it was us
    restarted.register("export", export)
    await restarted.start()
    await restarted.run_due()
    await restarted.close()
    assert done == [2]
    assert (await job_row(app, job_id)).status == "done"


async def test_a_job_whose_lease_ran_out_is_taken_by_another_runner(
    app: App, clock: FixedClock
) -> None:
    job_id = await queue_job(app, "export")
    async with app.uows() as uow:
        gone = datetime.now(UTC) - timedelta(seconds=1)
        await uow.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="running", attempts=1, lease_until=gone)
        )
        await uow.commit()
    done: list[int] = []

    async def export(ctx: JobContext) -> None:
        done.append(ctx.job.id)

    jobs = runner(app, clock)
    jobs.register("export", export)
    await jobs.start()
    await jobs.run_due()
    await jobs.close()
    assert done == [job_id]


async def test_a_long_job_blocks_nobody_and_only_its_kinds_and_platforms_are_taken(
    app: App, clock: FixedClock, invite: str
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def long_export(ctx: JobContext) -> None:
        started.set()
        await release.wait()

    jobs = runner(app, clock, exclusive=True)
    jobs.register("export", long_export)
    elsewhere = await queue_job(app, "export", platform="telegram")  # the bot process's
    await jobs.start(["memory"])
    other = await queue_job(app, "not_here")
    await queue_job(app, "export")
    await jobs.fill()
    await asyncio.wait_for(started.wait(), timeout=10)
    teacher = MemoryChat(app.engine, user_id="tg-1001", user_name="Cô Lan")
    replies = await teacher.send(f"/start {invite}")  # answered while the export runs
    assert replies and not jobs.idle
    release.set()
    await jobs.drain()
    await jobs.close()
    assert (await job_row(app, other)).status == "pending"
    assert (await job_row(app, elsewhere)).status == "pending"


async def test_a_job_queued_by_a_handler_starts_at_once_and_sends_to_its_chat(
    app: App, clock: FixedClock
) -> None:
    now = datetime.now(UTC)
    async with app.uows() as uow:
        unit = await uow.units.add("XA-01", "Xã Kim Long", "commune", None, now)
        code = await create_invite(uow, unit, "admin", 1, 1, now)
        await uow.commit()
    drawn: list[dict[str, Any]] = []

    async def chart(ctx: JobContext) -> None:
        drawn.append(ctx.params)
        picture = await ctx.artifact(b"\x89PNG chart", "tien-do.png", "image/png", kind="photo")
        await ctx.send(Reply("Biểu đồ", files=(picture,)))

    jobs = runner(app, clock)  # its sweep is an hour away: only the engine's hint can start it
    jobs.register("status_chart", chart)
    app.engine.on_job_queued(jobs.wake)
    await jobs.start()
    try:
        admin = admin_chat(app)
        await admin.send(f"/start {code}")
        await admin.send("/status")
        for _ in range(1000):
            if drawn and jobs.idle:
                break
            await asyncio.sleep(0.01)
    finally:
        await jobs.close()
    assert drawn == [{"unit_id": unit.id}]
    await admin.flush()  # the picture may also have come with the answer to /status
    (reply,) = [r for r in admin.replies if r.files]
    assert reply.text == "Biểu đồ" and admin.sender.paths[reply.files[0].token].is_file()
