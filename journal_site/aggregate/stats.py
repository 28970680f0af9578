"""Counts for `journal stats` and the stats page: totals, tags, wins by week, mood, months.

Pure functions of entries (and the day to stop at). Drafts never count: every
function here skips them, so a preview that shows drafts reports the same numbers
as the published site.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journal_site.model import Entry


def published(entries: Iterable[Entry]) -> list[Entry]:
    return [e for e in entries if not e.draft]


@dataclass(frozen=True, slots=True)
class Totals:
    entries: int
    days: int
    """Distinct days with an entry."""
    wins: int
    setbacks: int
    reframes: int
    """Setbacks with a lesson written."""
    first_day: dt.date | None
    last_day: dt.date | None


def totals(entries: Sequence[Entry]) -> Totals:
    """Counts over every non-draft entry, including any dated after today (they are shown)."""
    kept = published(entries)
    days = {e.day for e in kept}
    return Totals(
        entries=len(kept),
        days=len(days),
        wins=sum(len(e.wins) for e in kept),
        setbacks=sum(len(e.setbacks) for e in kept),
        reframes=sum(1 for e in kept for s in e.setbacks if s.reframe),
        first_day=min(days, default=None),
        last_day=max(days, default=None),
    )


@dataclass(frozen=True, slots=True)
class TagCount:
    entries: int
    """Entries whose own ``tags`` include the tag."""
    wins: int
    """Wins in those entries plus wins tagged with it elsewhere, each win once."""
    setbacks: int
    """Setbacks in those entries plus setbacks tagged with it elsewhere, each once."""


def tag_counts(entries: Sequence[Entry]) -> dict[str, TagCount]:
    """Every tag that appears anywhere (entry, win or setback), sorted by name.

    A win counts once per tag even when both its entry and the win itself carry the tag.
    """
    entry_count: Counter[str] = Counter()
    win_count: Counter[str] = Counter()
    setback_count: Counter[str] = Counter()
    for e in published(entries):
        own = set(e.tags)
        entry_count.update(own)
        for win in e.wins:
            win_count.update(own | set(win.tags))
        for setback in e.setbacks:
            setback_count.update(own | set(setback.tags))
        for tag in e.all_tags():
            entry_count[tag] += 0  # make sure tags only a win or setback carries are listed
    return {
        tag: TagCount(entry_count[tag], win_count[tag], setback_count[tag])
        for tag in sorted(entry_count, key=lambda t: (t.casefold(), t))
    }


def wins_by_day(entries: Iterable[Entry]) -> dict[dt.date, int]:
    """Wins per day over non-draft entries; a day with entries but no wins maps to 0."""
    out: dict[dt.date, int] = {}
    for e in published(entries):
        out[e.day] = out.get(e.day, 0) + len(e.wins)
    return out


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (weeks start on Monday, as ISO 8601 has them)."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class WeekWins:
    start: dt.date
    """The Monday of the week."""
    wins: int


def wins_per_week(
    entries: Iterable[Entry], today: dt.date, weeks: int = 52
) -> tuple[WeekWins, ...]:
    """Wins in each of the last ``weeks`` weeks, oldest first, ending with today's week;
    a journal younger than that starts with the week of its first entry.

    Days after today are left out, like everywhere streaks and charts look at the past.
    """
    kept = [e for e in published(entries) if e.day <= today]
    last = week_start(today)
    first = last - dt.timedelta(weeks=weeks - 1)
    if kept:
        first = max(first, week_start(min(e.day for e in kept)))
    weeks = (last - first).days // 7 + 1
    counts: Counter[dt.date] = Counter()
    for e in kept:
        if first <= e.day:
            counts[week_start(e.day)] += len(e.wins)
    return tuple(
        WeekWins(first + dt.timedelta(weeks=i), counts[first + dt.timedelta(weeks=i)])
        for i in range(weeks)
    )


@dataclass(frozen=True, slots=True)
class MoodPoint:
    start: dt.date
    """First day of the week or month."""
    average: float
    entries: int
    """Entries with a mood in the period."""


def mood_trend(entries: Iterable[Entry], today: dt.date) -> tuple[str, tuple[MoodPoint, ...]]:
    """Average mood per week when the journal spans half a year or less, else per month.

    Returns ``("week" | "month", points)``; periods without any mood are left out, so
    the chart shows a gap rather than a made-up value.
    """
    rated = [e for e in published(entries) if e.mood is not None and e.day <= today]
    if not rated:
        return ("week", ())
    span = (max(e.day for e in rated) - min(e.day for e in rated)).days
    unit = "week" if span <= 183 else "month"
    buckets: defaultdict[dt.date, list[int]] = defaultdict(list)
    for e in rated:
        key = week_start(e.day) if unit == "week" else e.day.replace(day=1)
        buckets[key].append(e.mood or 0)
    points = tuple(
        MoodPoint(start, sum(moods) / len(moods), len(moods))
        for start, moods in sorted(buckets.items())
    )
    return (unit, points)


@dataclass(frozen=True, slots=True)
class MonthOutcome:
    month: dt.date
    """The first day of the month."""
    wins: int
    setbacks: int

    @property
    def ratio(self) -> float | None:
        """Wins per setback; None when the month had no setback."""
        return self.wins / self.setbacks if self.setbacks else None


def outcomes_by_month(entries: Iterable[Entry], today: dt.date) -> tuple[MonthOutcome, ...]:
    """Wins and setbacks in every month from the first entry's to today's, newest first."""
    kept = [e for e in published(entries) if e.day <= today]
    if not kept:
        return ()
    wins: Counter[dt.date] = Counter()
    setbacks: Counter[dt.date] = Counter()
    for e in kept:
        month = e.day.replace(day=1)
        wins[month] += len(e.wins)
        setbacks[month] += len(e.setbacks)
    month = min(e.day for e in kept).replace(day=1)
    end = today.replace(day=1)
    months: list[MonthOutcome] = []
    while month <= end:
        months.append(MonthOutcome(month, wins[month], setbacks[month]))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return tuple(reversed(months))


def year_ago(today: dt.date) -> dt.date:
    """The same calendar day a year before; 29 February falls back to the 28th."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)
