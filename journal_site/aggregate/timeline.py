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


def timeline_chunks(count_entries: int, per_page: int) -> list[tuple[int, int, int, int]]:
    """(number, count, start, end) of every timeline page: which of ``count_entries``
    oldest-first entries it holds (``entries[start:end]``); always at least one page.

    Pages are cut from the oldest entry on, so that a new entry changes the first page
    only, not every page after it (which would have every page rendered again and
    uploaded again every day): every page but the first holds ``per_page`` entries, and
    the first, the newest, holds the rest, from ``per_page`` to twice that less one.
    Once every ``per_page`` new entries the first page is full and every page moves
    one page on.
    """
    count = max(1, count_entries // per_page)
    chunks = []
    for number in range(1, count + 1):
        start = (count - number) * per_page
        end = count_entries if number == 1 else start + per_page
        chunks.append((number, count, start, end))
    return chunks


def timeline_number(index: int, count_entries: int, per_page: int) -> int:
    """The number of the timeline page that holds the entry at ``index`` (oldest first)."""
    count = max(1, count_entries // per_page)
    return max(1, count - index // per_page)


def timeline_page(number: int, count: int, chunk: Sequence[Entry]) -> TimelinePage:
    """Page ``number`` of ``count``, holding ``chunk`` (oldest first), newest first."""
    return TimelinePage(number, count, group_by_month(chunk[::-1]))


def timeline_pages(entries: Sequence[Entry], per_page: int) -> tuple[TimelinePage, ...]:
    """Split oldest-first ``entries`` into newest-first pages (see ``timeline_chunks``)."""
    return tuple(
        timeline_page(number, count, entries[start:end])
        for number, count, start, end in timeline_chunks(len(entries), per_page)
    )
