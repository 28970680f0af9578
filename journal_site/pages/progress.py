"""Progress made visible: the stats page, and the heatmap and streak views home shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import Markup

from journal_site import charts
from journal_site.aggregate import stats
from journal_site.aggregate.heatmap import Heatmap, build_heatmap
from journal_site.aggregate.streaks import HALF_LIFE_DAYS
from journal_site.pages import Deferred, Page, SiteModel

CONSISTENCY_FORMULA = (
    "Consistency is the share of days you wrote since your first entry, with recent "
    f"days weighing more: a day's weight halves every {HALF_LIFE_DAYS} days back, so a "
    "missed day lowers the score a little and never resets it."
)
"""The formula in one sentence, for the stats page (the exact maths is in aggregate/streaks.py)."""


@dataclass(frozen=True, slots=True)
class HeatmapView:
    heatmap: Heatmap
    svg: Markup
    caption_id: str


@dataclass(frozen=True)
class HeatmapOf:
    """A heatmap as what it is drawn from: its span, label and key, the end of its grid,
    the journal's colour scale and streak grace, the base path, and each day of the
    span as (wins, entries, link, whether it counts). It is drawn when first read
    (``heatmap``, ``svg``), from these alone, so a page or partial handed it is named
    by these (engine/keys.py digests a record's fields, not what it derives)."""

    start: dt.date
    end: dt.date
    label: str
    key: str
    grid_end: dt.date | None
    thresholds: tuple[int, ...]
    grace: int
    base_path: str
    days: tuple[tuple[int | None, int | None, str | None, bool], ...]

    @cached_property
    def drawn(self) -> HeatmapView:
        wins: dict[dt.date, int] = {}
        entries: dict[dt.date, int] = {}
        urls: dict[dt.date, str] = {}
        counted: list[dt.date] = []
        for offset, (won, written, url, counts) in enumerate(self.days):
            day = self.start + dt.timedelta(days=offset)
            if won is not None:
                wins[day] = won
            if written is not None:
                entries[day] = written
            if url is not None:
                urls[day] = url
            if counts:
                counted.append(day)
        heatmap = build_heatmap(
            self.start,
            self.end,
            self.label,
            wins_by_day=wins,
            entries_by_day=entries,
            day_urls=urls,
            # One scale for the whole journal, so a colour means the same in every year.
            thresholds=self.thresholds,
            counted=counted,
            grace=self.grace,
            grid_end=self.grid_end,
        )
        caption_id = f"heatmap-{self.key}-caption"
        return HeatmapView(heatmap, charts.heatmap_svg(heatmap, self.base_path), caption_id)

    @property
    def heatmap(self) -> Heatmap:
        return self.drawn.heatmap

    @property
    def svg(self) -> Markup:
        return self.drawn.svg

    @property
    def caption_id(self) -> str:
        return self.drawn.caption_id


def heatmap_view(
    model: SiteModel,
    start: dt.date,
    end: dt.date,
    label: str,
    key: str,
    grid_end: dt.date | None = None,
) -> HeatmapOf:
    """A heatmap of ``start`` to ``end``, drawn when first read; the same one again
    (drawn once) while everything it is drawn from stays the same (see ``HeatmapOf``)."""
    wins, entries, urls = model.wins_by_day, model.entries_by_day, model.day_urls
    counted, one_day = model.counted_days, dt.timedelta(days=1)
    days = []
    day = start
    while day <= end:
        days.append((wins.get(day), entries.get(day), urls.get(day), day in counted))
        day += one_day
    made = HeatmapOf(
        start,
        end,
        label,
        key,
        grid_end,
        model.heatmap_thresholds,
        model.config.streak_grace,
        model.config.base_path,
        tuple(days),
    )
    return model.memo.get(made, lambda: made)  # type: ignore[return-value]


def last_year_heatmap(model: SiteModel) -> HeatmapOf:
    """The 365 days ending today, for the home page."""
    start = model.today - dt.timedelta(days=364)
    return heatmap_view(model, start, model.today, "the last 365 days", "recent")


def year_heatmaps(model: SiteModel) -> list[HeatmapOf]:
    """One heatmap per year with entries, newest first; this year stops at today (or at
    the last entry, when one is dated after today)."""
    return [heatmap_view(model, *span) for span in year_spans(model)]


def year_spans(model: SiteModel) -> list[tuple[dt.date, dt.date, str, str, dt.date]]:
    """What each of ``year_heatmaps`` is drawn for: first and last day, label, key and
    the end of its grid."""
    days = [e.day for e in model.entries if not e.draft]
    if not days:
        return []
    last = max(max(days), model.today)
    spans = []
    for year in range(last.year, min(days).year - 1, -1):
        end = min(dt.date(year, 12, 31), last)
        spans.append((dt.date(year, 1, 1), end, str(year), str(year), dt.date(year, 12, 31)))
    return spans


def streak_view(model: SiteModel) -> dict[str, Any]:
    """The streak facts home and stats both show, with the kind words for a zero."""
    today = model.today
    month_start = today.replace(day=1)
    written_this_month = len(
        {e.day for e in model.entries if not e.draft and month_start <= e.day <= today}
    )
    return {
        "summary": model.streak_summary,
        "consistency": model.consistency,
        "rule": model.config.streak,
        "grace": model.config.streak_grace,
        "written_this_month": written_this_month,
        "written_today": today in model.counted_days,
    }


def stats_page(model: SiteModel) -> list[Page]:
    """/stats/: made from what it counts of the entries, the streak facts and the year
    heatmaps, which name it (``_stats_view``'s arguments): a win reworded or a title
    changed leaves it as it was."""
    entries, today = model.entries, model.today
    counts = (
        stats.totals(entries),
        stats.wins_per_week(entries, today),
        stats.mood_trend(entries, today),
        stats.outcomes_by_month(entries, today),
    )
    return [
        Page(
            url="stats/",
            template="stats.html",
            view=Deferred(_stats_view, (*counts, streak_view(model), year_heatmaps(model))),
            origin="the stats page",
            section="stats/",
        )
    ]


def _stats_view(
    totals: stats.Totals,
    weeks: tuple[stats.WeekWins, ...],
    mood: tuple[str, tuple[stats.MoodPoint, ...]],
    months: tuple[stats.MonthOutcome, ...],
    streak: dict[str, Any],
    heatmaps: list[HeatmapOf],
) -> dict[str, Any]:
    mood_unit, mood_points = mood
    widest = max((m.wins + m.setbacks for m in months), default=0)
    view = {
        "totals": totals,
        "streak": streak,
        "formula": CONSISTENCY_FORMULA,
        "heatmaps": heatmaps,
        "legend": charts.heatmap_legend(),
        "weeks": weeks,
        "weeks_total": sum(w.wins for w in weeks),
        "weeks_svg": charts.wins_per_week_svg(weeks, "wins-week-caption"),
        "mood_unit": mood_unit,
        "mood_points": mood_points,
        "mood_svg": charts.mood_svg(mood_points, mood_unit, "mood-caption"),
        "months": [(m, charts.outcome_bar_svg(m.wins, m.setbacks, widest)) for m in months],
    }
    return view
