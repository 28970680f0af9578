"""The timeline: entries newest first, split into pages, grouped by month within a page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from journal_site.model import Entry


@dataclass(frozen=True, slots=True)
class MonthGroup:
    month: dt.date
    """The first day of the month."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class TimelinePage:
    number: int
    """1-based page number."""
    count: int
    """How many pages there are in all."""
    months: tuple[MonthGroup, ...]


def timeline_url(number: int) -> str:
    return "timeline/" if number == 1 else f"timeline/page/{number}/"


def group_by_month(entries: Sequence[Entry]) -> tuple[MonthGroup, ...]:
    """Group entries (already in display order) into runs of the same month."""
    groups: list[MonthGroup] = []
    run: list[Entry] = []
    for entry in entries:
        if run and (run[0].day.year, run[0].day.month) != (entry.day.year, entry.day.month):
            groups.append(MonthGroup(run[0].day.replace(day=1), tuple(run)))
            run = []
        run.append(entry)
    if run:
        groups.append(MonthGroup(run[0].day.replace(day=1), tuple(run)))
    return tuple(groups)


def timeline_pages(entries: Sequence[Entry], per_page: int) -> tuple[TimelinePage, ...]:
    """Split oldest-first ``entries`` into newest-first pages of ``per_page``; always at least one page."""
    newest_first = list(reversed(entries))
    chunks = [newest_first[i : i + per_page] for i in range(0, len(newest_first), per_page)] or [
        []
    ]
    return tuple(
        TimelinePage(number=n, count=len(chunks), months=group_by_month(chunk))
        for n, chunk in enumerate(chunks, start=1)
    )
