"""The admins' long requests, run by the job runner: the /status picture and the /export files.

``/status`` and ``/export`` (handlers/admin.py) queue them in the transaction of their reply:
kind ``status_chart`` with ``{"unit_id"}``, kind ``export`` with ``{"unit_id", "year"}``. The
handler checked the unit lies in the admin's area when it queued the job; the job checks again
when it runs (``still_allowed``), since a membership revoked in between (or a superadmin removed
from the settings) must not still receive the area's files. The composition root registers both
(``register``). This module sits above handlers in the layers (it says things in the catalogue's
words) and below the composition root; the drawing and the files are bot/charts.py and
bot/export/, which know nothing of chats.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Final

from bot.charts import ChartWords, status_chart
from bot.config import Settings
from bot.domain.campaign import Campaign
from bot.domain.chat import Reply
from bot.domain.loader import default_data_dir, load_campaigns
from bot.domain.rollup import Subtree
from bot.domain.units import UNIT_KINDS, level_of
from bot.export.bundle import Bundle, Stage, build_bundle, file_stem
from bot.export.load import load_subtree
from handlers import messages as say
from handlers.roles import still_reaches

if TYPE_CHECKING:  # the terminal's ``tuanle export`` uses this module without the job runner
    from bot.engine.jobs import JobContext, JobRunner

STATUS_CHART: Final = "status_chart"
EXPORT: Final = "export"


def register(runner: JobRunner) -> None:
    """Gives the runner the two admin jobs."""
    runner.register(STATUS_CHART, status_chart_job)
    runner.register(EXPORT, export_job)


async def status_chart_job(ctx: JobContext) -> None:
    """Draws the area's progress picture and sends it as a photo with a one-line caption."""
    now = ctx.now()
    if not await still_allowed(ctx):
        return
    async with ctx.uows() as uow:
        subtree = await load_subtree(
            uow, ctx.campaign, ctx.campaign_id, int(ctx.params["unit_id"]), now
        )
    png = await asyncio.to_thread(
        status_chart,
        subtree,
        today=now.astimezone(ctx.zone).date(),
        deadline=chart_deadline(subtree),
        words=ChartWords(**say.CHART_WORDS),
        zone=ctx.zone,
    )
    photo = await ctx.artifact(png, f"{file_stem(subtree)}_tien-do.png", "image/png", "photo")
    caption = say.CHART_CAPTION.format(name=subtree.root.name, time=now.astimezone(ctx.zone))
    await ctx.send(Reply(caption, files=(photo,)))


async def export_job(ctx: JobContext) -> None:
    """Writes the area's four files for the year asked, telling progress, and sends them in one
    message with the counts they hold."""
    if not await still_allowed(ctx):
        return
    year = ctx.params.get("year")
    campaign = campaign_for(ctx.settings, ctx.campaign, int(year) if year else None)
    campaign_id = ctx.campaign_id
    if campaign.year != ctx.campaign.year:
        async with ctx.uows() as uow:
            row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
            await uow.commit()
        campaign_id = row.id

    async def progress(stage: Stage) -> None:
        await ctx.progress(stage.percent, stage_text(stage))

    bundle = await build_bundle(
        ctx.uows,
        ctx.files,
        campaign,
        campaign_id,
        int(ctx.params["unit_id"]),
        ctx.workdir,
        ctx.now(),
        progress,
    )
    files = tuple(
        [await ctx.artifact(file.path, file.path.name, file.mime) for file in bundle.files]
    )
    summary = bundle_summary(bundle)
    text = say.EXPORT_DONE.format(year=campaign.year, name=bundle.area, summary=summary)
    await ctx.send(Reply(text, files=files))


async def still_allowed(ctx: JobContext) -> bool:
    """True when the person who asked may still reach the job's unit now: a superadmin in the
    settings, or an admin whose membership stands and whose area holds the unit. Otherwise they
    are told what an admin naming a unit outside their area is told, and the refusal is audited."""
    job = ctx.job
    unit_id = int(ctx.params["unit_id"])
    async with ctx.uows() as uow:
        member = await uow.members.get(job.member_id) if job.member_id is not None else None
        sender = f"{job.platform}:{job.user_id}"
        if await still_reaches(uow, sender, member, ctx.settings.admin.superadmins, unit_id):
            return True
        unit = await uow.units.get(unit_id)
        actor = f"member:{job.member_id}" if job.member_id else sender
        detail = {"command": job.kind, "unit": unit.code, "job": job.id}
        uow.audit.record(actor, "admin.refused", detail, ctx.now())
        await uow.commit()
    await ctx.send(Reply(say.ADMIN_NO_SUCH_UNIT.format(code=unit.code)))
    return False


def bundle_summary(bundle: Bundle) -> str:
    """The counts said with the files: units submitted, evidence files, nominations."""
    return say.EXPORT_SUMMARY.format(
        submitted=bundle.submitted,
        units=bundle.units,
        evidence=bundle.evidence,
        nominations=bundle.nominations,
    )


def stage_text(stage: Stage) -> str:
    """What the export is doing, in the catalogue's words."""
    return say.EXPORT_STEPS[stage.step].format(done=stage.done, total=stage.total)


def campaign_for(settings: Settings, current: Campaign, year: int | None) -> Campaign:
    """The campaign of ``year`` from the data files (the running one when None or the same);
    LookupError naming the years known when there is none."""
    if year is None or year == current.year:
        return current
    campaigns = load_campaigns(settings.campaign.data_dir or default_data_dir())
    if year not in campaigns:
        known = ", ".join(str(y) for y in sorted(campaigns))
        raise LookupError(say.CLI_NO_CAMPAIGN_YEAR.format(year=year, known=known))
    return campaigns[year]


def chart_deadline(subtree: Subtree) -> date | None:
    """The day the units under the admin must report before: the level of the root's children
    (a commune's schools), or the root's own level when it has none (a school)."""
    children = subtree.children(subtree.root.id)
    kind = children[0].kind if children else subtree.root.kind
    if kind not in UNIT_KINDS:
        return None
    deadline = subtree.campaign.deadline_for(level_of(kind))
    return deadline.before if deadline else None
