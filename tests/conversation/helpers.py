"""Scripted answers for a whole walk, and reading back what the database holds."""

from __future__ import annotations

from bot.app import App
from bot.domain.campaign import Campaign
from bot.domain.form import Item, MeasureKind
from handlers import messages as say
from handlers.walk import Kind, answer_key, plan
from storage.models import Report

StoredValue = int | str | None


def walk_answers(
    campaign: Campaign, *, run_every_group: bool
) -> tuple[list[str], dict[str, StoredValue]]:
    """The texts a teacher sends for the questions before the photos, and what they store.

    When ``run_every_group`` is false, groups alternate between not run and run with every
    other row picked.
    """
    script: list[str] = ["3/10"]
    expected: dict[str, StoredValue] = {"opening:held": 1, "opening:date": "2023-10-03"}
    groups_seen = 0
    runs: dict[str, tuple[str, ...]] = {}
    for question in plan(campaign.form):
        group = question.group
        if question.kind is Kind.RUN and group is not None:
            rows = tuple(item.code for item in group.asked_items)
            if run_every_group:
                runs[group.number] = rows
                script.append("Có")
            elif groups_seen % 2 == 1:
                runs[group.number] = ()
                script.append("không")
            else:  # the unit ran every other row of this group
                runs[group.number] = rows[::2]
                script.append(", ".join(runs[group.number]))
                if len(rows[::2]) < len(rows):
                    expected[f"pick:{group.number}"] = ",".join(rows[::2])
            groups_seen += 1
            expected[question.key] = int(bool(runs[group.number]))
        elif question.kind is Kind.ITEM and question.item is not None and group:
            if group.ask_if_run and question.item.code not in runs[group.number]:
                continue
            item = question.item
            n = sum(ord(c) for c in item.code) % 17 + 1
            measures = item.measures
            if len(measures) == 2:
                by_words = f"{n} {measures[0].unit}, {n * 1000 + 5} {measures[1].unit}"
                script.append(by_words if n % 2 else f"{n}/{n * 1000 + 5}")
                expected[answer_key(item.code, measures[0].key)] = n
                expected[answer_key(item.code, measures[1].key)] = n * 1000 + 5
            elif measures[0].kind is MeasureKind.MONEY:
                script.append(f"{n},5 triệu")
                expected[answer_key(item.code, measures[0].key)] = n * 1_000_000 + 500_000
            elif measures[0].kind is MeasureKind.TEXT:
                script.append("Trưng bày sách “Tự học trong kỷ nguyên số”")
                expected[answer_key(item.code, "text")] = (
                    "Trưng bày sách “Tự học trong kỷ nguyên số”"
                )
            else:
                script.append(f"{n * 100:,}".replace(",", "."))
                expected[answer_key(item.code, measures[0].key)] = n * 100
    return script, expected


# Six of the eleven groups not run by the half-run unit of the compact script: four answered
# "Không" at their yes/no, two (asked directly) answered 0.
NOT_RUN_GROUPS = frozenset({"2", "4", "6", "8", "9", "10"})


def compact_walk_answers(
    campaign: Campaign, *, not_run: frozenset[str] = frozenset(), joiner: str | None = None
) -> tuple[list[str], dict[str, StoredValue]]:
    """Like ``walk_answers``, but each group filed in one message: "có, 1.1: 3/120; 1.2: …".

    Groups in ``not_run`` are answered "Không" (or 0 when asked directly); every other group
    is run in full, its rows given with their numbers at the group's yes/no (one row a line in
    odd groups, separated by ";" in even ones; by ``joiner`` in all when given, as where a
    line is a message).
    """
    script: list[str] = ["3/10"]
    expected: dict[str, StoredValue] = {"opening:held": 1, "opening:date": "2023-10-03"}
    for group in campaign.form.groups:
        asked = group.asked_items
        if not asked:
            continue
        if group.ask_if_run:
            expected[f"run:{group.number}"] = int(group.number not in not_run)
            if group.number in not_run:
                script.append("Không")
                continue
            parts = []
            for item in asked:
                text, stored = _row_answer(item)
                parts.append(f"{item.code}: {text}")
                expected |= stored
            between = joiner or ("\n" if int(group.number) % 2 else "; ")
            script.append("Có, " + between.join(parts))
            continue
        for item in asked:  # asked directly: one message a row, as before
            text, stored = _row_answer(item)
            if group.number in not_run:
                text = "0"
                stored = {key: 0 for key in stored}
            script.append(text)
            expected |= stored
    return script, expected


def _row_answer(item: Item) -> tuple[str, dict[str, StoredValue]]:
    """The answer ``walk_answers`` gives a row, and what it stores."""
    n = sum(ord(c) for c in item.code) % 17 + 1
    measures = item.measures
    if len(measures) == 2:
        by_words = f"{n} {measures[0].unit}, {n * 1000 + 5} {measures[1].unit}"
        return by_words if n % 2 else f"{n}/{n * 1000 + 5}", {
            answer_key(item.code, measures[0].key): n,
            answer_key(item.code, measures[1].key): n * 1000 + 5,
        }
    key = answer_key(item.code, measures[0].key)
    if measures[0].kind is MeasureKind.MONEY:
        return f"{n},5 triệu", {key: n * 1_000_000 + 500_000}
    if measures[0].kind is MeasureKind.TEXT:
        text = "Trưng bày sách “Tự học trong kỷ nguyên số”"
        return text, {key: text}
    return f"{n * 100:,}".replace(",", "."), {key: n * 100}


async def stored_report(app: App, unit_code: str = "THCS-01") -> Report:
    async with app.uows() as uow:
        unit = await uow.units.by_code(unit_code)
        assert unit is not None
        campaign = app.engine.campaign
        row = await uow.campaigns.ensure(campaign.year, campaign.theme, campaign.form.code)
        report = await uow.reports.find(row.id, unit.id)
        assert report is not None
        return report


async def stored_answers(app: App, report: Report) -> dict[str, StoredValue]:
    async with app.uows() as uow:
        answers = await uow.reports.answers(report.id)
    return {
        key: a.value_int if a.value_int is not None else a.value_text for key, a in answers.items()
    }


def already_recorded(row: str, value: str) -> str:
    """The word that a row already holds this value (a repeated answer), as the bot says it."""
    text = say.ANSWER_ALREADY_RECORDED.format(row=row, value=value)
    return text[:1].upper() + text[1:]
