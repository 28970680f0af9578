"""The calendar heatmap: one cell per day, coloured by that day's wins.

Weeks are columns (starting on Monday) and weekdays rows. Colour levels come from
the journal's own days: the quartiles of the win counts of days with at least one
win, so a light writer (one win a day) and a heavy one (ten) both see contrast.
Pure: the SVG is drawn from these values in ``journal_site/charts.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from journal_site.aggregate.stats import week_start
from journal_site.aggregate.streaks import streak_runs

LEVELS = 4
"""Levels for days with wins (1..4); level 0 is a day without a win."""


def level_thresholds(wins_per_day: Iterable[int]) -> tuple[int, ...]:
    """The upper bounds of levels 1..3: the 25th, 50th and 75th percentiles (nearest
    rank) of the days that have at least one win. Empty when no day has a win."""
    values = sorted(n for n in wins_per_day if n > 0)
    if not values:
        return ()
    # Nearest-rank percentile: the smallest value with at least p% of values at or below it.
    return tuple(values[max(0, -(-len(values) * q // LEVELS) - 1)] for q in range(1, LEVELS))


def level(wins: int, thresholds: tuple[int, ...]) -> int:
    """0 for no win; otherwise 1 + how many thresholds ``wins`` is above (so 1..4)."""
    if wins <= 0:
        return 0
    return 1 + sum(1 for bound in thresholds if wins > bound)


@dataclass(frozen=True, slots=True)
class HeatCell:
    day: dt.date
    wins: int
    entries: int
    level: int
    url: str | None
    """The day's (first) entry page, or None on a day without an entry."""
    column: int
    """The week, counted from the heatmap's first week."""
    row: int
    """The weekday: 0 Monday ... 6 Sunday."""


@dataclass(frozen=True, slots=True)
class Heatmap:
    start: dt.date
    end: dt.date
    label: str
    """What the span is called in sentences ("2026", "the last 365 days")."""
    cells: tuple[HeatCell, ...]
    weeks: int
    """Number of columns."""
    months: tuple[tuple[int, dt.date], ...]
    """(column, first day of month) for each month that starts in the span."""
    days_written: int
    wins: int
    longest_streak: int
    """Longest run of counted days inside the span (a run is cut at its edges)."""

    def summary(self) -> str:
        """The text alternative: the whole year in one sentence."""
        days = f"{self.days_written:,} {'day' if self.days_written == 1 else 'days'}"
        wins = f"{self.wins:,} {'win' if self.wins == 1 else 'wins'}"
        streak = f"{self.longest_streak:,} {'day' if self.longest_streak == 1 else 'days'}"
        head = f"In {self.label} you wrote on {days} and noted {wins}"
        if not self.days_written:
            return f"{head}. Nothing written yet in this stretch, and that is fine."
        return f"{head}; longest streak {streak}."


def build_heatmap(
    start: dt.date,
    end: dt.date,
    label: str,
    wins_by_day: Mapping[dt.date, int],
    entries_by_day: Mapping[dt.date, int],
    day_urls: Mapping[dt.date, str],
    thresholds: tuple[int, ...],
    counted: Iterable[dt.date],
    grace: int = 0,
    grid_end: dt.date | None = None,
) -> Heatmap:
    """A heatmap of every day from ``start`` to ``end`` (inclusive).

    ``thresholds`` come from the whole journal (``level_thresholds``), so one colour
    means the same in every year. ``counted`` are the streak's counted days.
    ``grid_end`` (default ``end``) sets how many week columns the grid has, so this
    year's heatmap is as wide as last year's even though it stops at today.
    """
    first_monday = week_start(start)
    cells: list[HeatCell] = []
    months: list[tuple[int, dt.date]] = []
    day = start
    while day <= end:
        column = (day - first_monday).days // 7
        if day.day == 1 or day == start:
            months.append((column, day.replace(day=1)))
        wins = wins_by_day.get(day, 0)
        cells.append(
            HeatCell(
                day=day,
                wins=wins,
                entries=entries_by_day.get(day, 0),
                level=level(wins, thresholds),
                url=day_urls.get(day),
                column=column,
                row=day.weekday(),
            )
        )
        day += dt.timedelta(days=1)
    # The span's first month label is dropped when it starts late in the month, so it
    # does not overlap the next month's label.
    if len(months) > 1 and start.day != 1 and months[1][0] - months[0][0] < 3:
        months.pop(0)
    inside = [d for d in counted if start <= d <= end]
    longest = max((run.length for run in streak_runs(inside, grace)), default=0)
    return Heatmap(
        start=start,
        end=end,
        label=label,
        cells=tuple(cells),
        weeks=(max(end, grid_end or end) - first_monday).days // 7 + 1,
        months=tuple(months),
        days_written=sum(1 for c in cells if c.entries),
        wins=sum(c.wins for c in cells),
        longest_streak=longest,
    )
