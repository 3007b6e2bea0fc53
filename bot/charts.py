"""The /status picture for admins: progress by child unit, and submissions day by day.

Drawn with matplotlib's object API on the Agg canvas (no screen, no pyplot state shared between
threads), imported inside ``status_chart`` so the bot starts without paying for matplotlib. The
picture is sized for a phone (1200×800 px, big type); DejaVu Sans, matplotlib's own font, has
every Vietnamese letter. Only submitted reports count as submitted, as in the roll-up. Unit
names are drawn as typed: matplotlib would read "$…$" in them as a formula (and fail on a bad
one), so the texts that carry names are drawn with ``parse_math=False``.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from bot.domain.rollup import IN_PROGRESS, NOT_STARTED, SUBMITTED, Subtree, progress_by_child

if TYPE_CHECKING:
    from matplotlib.axes import Axes

VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_BARS: Final = 12  # more child units than this: the ones lagging most, then one "others" bar
LABEL_CHARS: Final = 26  # a longer unit name is cut with "…" so the bars keep their width
TITLE_NAME_CHARS: Final = 44
WIDTH_PX, HEIGHT_PX, DPI = 1200, 800, 100
COLOURS: Final = {SUBMITTED: "#2e7d32", IN_PROGRESS: "#f9a825", NOT_STARTED: "#b0bec5"}
STATES: Final = (SUBMITTED, IN_PROGRESS, NOT_STARTED)
# Today is marked on the timeline up to this long after the campaign's last day of interest.
TODAY_SHOWN_AFTER: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The picture's words, from the catalogue (``handlers.messages.CHART_WORDS``): this module
    sits below handlers in the layers, so the caller hands them in."""

    title: str  # {name} {year} {submitted} {total}
    progress_title: str
    timeline_title: str
    submitted: str
    in_progress: str
    not_started: str
    others: str  # {count}: the child units drawn as one bar
    own_report: str  # {name}: the area's own report
    today: str
    all_units: str  # {count}
    deadline: str  # {day}: "dd/mm"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the left panel: a child unit (its whole subtree) or the others together."""

    label: str
    counts: Counter[str]  # units by progress state

    @property
    def lagging(self) -> int:
        return self.counts[IN_PROGRESS] + self.counts[NOT_STARTED]


def status_chart(
    subtree: Subtree,
    *,
    today: date,
    deadline: date | None,
    words: ChartWords,
    zone: tzinfo = VIETNAM,
) -> bytes:
    """The PNG shown with /status.

    Args:
        today: the admin's day, in ``zone``; marked on the timeline.
        deadline: reports are due before this day (``Deadline.before``); marked when known.
        zone: the day a submission counts on is its local date here.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1.15, 1))
    bars = progress_bars(subtree, words)
    _draw_progress(left, bars, words)
    _draw_timeline(right, subtree, today=today, deadline=deadline, zone=zone, words=words)
    submitted = sum(bar.counts[SUBMITTED] for bar in bars)
    total = sum(sum(bar.counts.values()) for bar in bars)
    title = words.title.format(
        name=_short(subtree.root.name, TITLE_NAME_CHARS),
        year=subtree.campaign.year,
        submitted=submitted,
        total=total,
    )
    # A long name gets smaller type rather than a title cut at the picture's edges.
    figure.suptitle(
        title, fontsize=20 if len(title) <= 64 else 17, fontweight="bold", parse_math=False
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def progress_bars(subtree: Subtree, words: ChartWords) -> list[Bar]:
    """The bars: the root's own report, then each child with every unit under it counted."""
    root = subtree.root
    own = Counter({subtree.progress(root.id): 1})
    lines = progress_by_child(subtree)
    if not lines:
        return [Bar(_short(root.name), own)]
    bars = [
        Bar(
            _short(line.unit.name),
            Counter(
                {
                    SUBMITTED: line.submitted,
                    IN_PROGRESS: line.in_progress,
                    NOT_STARTED: line.not_started,
                }
            ),
        )
        for line in lines
    ]
    if len(bars) > MAX_BARS:
        kept = set(sorted(range(len(bars)), key=lambda i: -bars[i].lagging)[: MAX_BARS - 1])
        rest = [bar for i, bar in enumerate(bars) if i not in kept]
        others = sum((bar.counts for bar in rest), Counter[str]())
        label = words.others.format(count=len(rest))
        bars = [bar for i, bar in enumerate(bars) if i in kept] + [Bar(label, others)]
    return [Bar(words.own_report.format(name=_short(root.name, LABEL_CHARS - 12)), own), *bars]


def _draw_progress(axes: Axes, bars: list[Bar], words: ChartWords) -> None:
    """Stacked horizontal bars in percent of each bar's units (a commune of 30 schools and one
    school side by side), first bar on top, "submitted/total" at the right."""
    positions = list(range(len(bars)))[::-1]
    sizes = [max(1, sum(bar.counts.values())) for bar in bars]
    starts = [0.0] * len(bars)
    names = {SUBMITTED: words.submitted, IN_PROGRESS: words.in_progress}
    names[NOT_STARTED] = words.not_started
    for state in STATES:
        widths = [100 * bar.counts[state] / size for bar, size in zip(bars, sizes, strict=True)]
        axes.barh(positions, widths, left=starts, color=COLOURS[state], label=names[state])
        starts = [s + w for s, w in zip(starts, widths, strict=True)]
    for position, bar in zip(positions, bars, strict=True):
        done = f"{bar.counts[SUBMITTED]}/{sum(bar.counts.values())}"
        axes.text(102, position, done, va="center", fontsize=14)
    labels = [bar.label for bar in bars]  # unit names: "$" is a dollar, never mathtext
    axes.set_yticks(positions, labels, fontsize=14 if len(bars) < 9 else 12, parse_math=False)
    axes.set_xlim(0, 118)
    axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=13)
    axes.set_title(words.progress_title, fontsize=17)
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=13, frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)


def submissions_by_day(subtree: Subtree, zone: tzinfo = VIETNAM) -> Counter[date]:
    """How many reports were submitted on each local day (submitted reports only)."""
    return Counter(
        report.submitted_at.astimezone(zone).date()
        for report in subtree.reports.values()
        if report.progress == SUBMITTED and report.submitted_at is not None
    )


def _draw_timeline(
    axes: Axes,
    subtree: Subtree,
    *,
    today: date,
    deadline: date | None,
    zone: tzinfo,
    words: ChartWords,
) -> None:
    """The cumulative count of submitted reports by day, from the week's start to the deadline.

    Days are drawn as numbers from the first one (matplotlib's date units add nothing here).
    """
    from matplotlib.ticker import MaxNLocator

    per_day = submissions_by_day(subtree, zone)
    first = min([subtree.campaign.week_start, *per_day])
    last = max([subtree.campaign.week_end, *per_day, *([deadline] if deadline else [])])
    # Today is shown while it is near the campaign; a look back months later (or a rehearsal
    # in another year) shows the campaign's weeks, not a year of flat line.
    shows_today = first <= today <= last + TODAY_SHOWN_AFTER
    if shows_today:
        last = max(last, today)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    drawn_until = today if shows_today else last
    running, totals = 0, []
    for day in days[: max(1, (drawn_until - first).days + 1)]:
        running += per_day[day]
        totals.append(running)
    xs = list(range(len(totals)))
    axes.step(xs, totals, where="post", color=COLOURS[SUBMITTED], linewidth=3)
    axes.fill_between(xs, totals, step="post", color=COLOURS[SUBMITTED], alpha=0.2)
    units = len(subtree.units)
    axes.axhline(units, color="#455a64", linestyle=":", linewidth=2)
    axes.text(0, units, words.all_units.format(count=units), va="bottom", fontsize=13)
    if deadline is not None:
        at = (deadline - first).days
        axes.axvline(at, color="#c62828", linestyle="--", linewidth=2.5)
        left_half = at < len(days) / 2  # the label goes where there is room for it
        axes.text(
            at + 0.1 if left_half else at - 0.1,
            units * 0.55,
            words.deadline.format(day=deadline.strftime("%d/%m")),
            ha="left" if left_half else "right",
            va="center",
            color="#c62828",
            fontsize=14,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    if shows_today:
        now = (today - first).days
        axes.axvline(now, color="#1565c0", linewidth=1.5, alpha=0.7)
        axes.text(now, 0, words.today, rotation=90, ha="right", va="bottom", color="#1565c0")
    axes.set_ylim(0, units * 1.12)
    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, -(-len(days) // 8))  # at most eight day labels, legible on a phone
    ticks = list(range(0, len(days), step))
    axes.set_xticks(ticks, [days[n].strftime("%d/%m") for n in ticks], fontsize=13, rotation=30)
    axes.tick_params(axis="y", labelsize=13)
    axes.set_title(words.timeline_title, fontsize=15, wrap=True)
    axes.spines[["top", "right"]].set_visible(False)


def _short(name: str, limit: int = LABEL_CHARS) -> str:
    """The name, cut with "…" past ``limit`` characters."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
