"""The wins wall: every win numbered in the order it happened, milestones, pages by year.

Wins are numbered oldest first (entries in ``Entry.sort_key`` order, wins in the order
they are written), so "your 100th win" is the same win in every build. The wall shows
wins newest first (by that number, so a later win of the same day comes first too),
and a day's celebrations come before its wins, as the headline of that day.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from journal_site.model import Entry, Win

WIN_COUNT_MILESTONES_UP_TO_1000 = (1, 10, 50, 100, 250, 500, 1000)

Of = Callable[[str, Entry, int, Callable[[], tuple["WinRecord", ...]]], tuple["WinRecord", ...]]
"""What the wins of one entry are made through: a model's ``Memo.of``."""


@dataclass(frozen=True, slots=True)
class WinRecord:
    """One win with what the wall needs to show it."""

    number: int
    """1 for the first win ever written, counting oldest first."""
    win: Win
    entry: Entry
    tags: tuple[str, ...]
    """The win's own tags, then the entry's tags, each once."""
    index: int = 0
    """Position of the win in its entry's ``wins`` (for messages such as ``wins[1]``)."""


@dataclass(frozen=True, slots=True)
class Celebration:
    """A milestone shown on the wall on the day it was reached."""

    day: dt.date
    kind: str
    """"wins" (the Nth win) or "streak" (an N-day streak)."""
    count: int
    """N: the win's number, or the streak's length in days."""
    win: WinRecord | None = None
    """For a win-count milestone: the win that reached it."""


@dataclass(frozen=True, slots=True)
class WallDay:
    day: dt.date
    celebrations: tuple[Celebration, ...]
    wins: tuple[WinRecord, ...]


@dataclass(frozen=True, slots=True)
class WallPage:
    year: int
    number: int
    """1-based page number within the year."""
    count: int
    """Pages in that year."""
    days: tuple[WallDay, ...]

    @property
    def win_count(self) -> int:
        return sum(len(d.wins) for d in self.days)


def win_tags(win: Win, entry: Entry) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*win.tags, *entry.tags)))


def numbered_wins(
    entries: Iterable[Entry], first: int = 1, of: Of | None = None
) -> tuple[WinRecord, ...]:
    """Every win of ``entries`` (oldest first), numbered from ``first``; ``of`` (a
    model's ``Memo.of``) gives an entry's records made for the last model when the entry
    and its first number are the same."""
    records: list[WinRecord] = []
    for entry in entries:
        if not entry.wins:
            continue
        number = first + len(records)
        if of is None:
            records.extend(entry_wins(entry, number))
        else:
            records.extend(of("wins", entry, number, lambda e=entry, n=number: entry_wins(e, n)))
    return tuple(records)


def wins_in(entries: Sequence[Entry]) -> int:
    """How many wins ``entries`` have: the number of the last of their records, when
    they are the first entries of a journal."""
    return sum(map(len, map(operator.attrgetter("wins"), entries)))


def numbered_wins_since(
    entries: Sequence[Entry], state: tuple[WinRecord, ...] | None, same: int, of: Of | None = None
) -> tuple[tuple[WinRecord, ...], tuple[WinRecord, ...]]:
    """``numbered_wins(entries, of=of)``, taking up ``state`` (the records this gave for
    entries whose first ``same`` are these, see ``Memo.fold``): the records of those
    are kept, and only the entries after them are gone over. Returns the records twice:
    as the value, and as the state for the next model."""
    if state is None:
        made = numbered_wins(entries, of=of)
    else:
        kept = wins_in(entries[:same])
        if same == len(entries) and kept == len(state):
            return state, state  # the same records
        made = state[:kept] + numbered_wins(entries[same:], kept + 1, of)
    return made, made


def entry_wins(entry: Entry, first: int) -> tuple[WinRecord, ...]:
    """The records of ``entry``'s wins, its first numbered ``first``."""
    return tuple(
        WinRecord(first + index, win, entry, win_tags(win, entry), index)
        for index, win in enumerate(entry.wins)
    )


def is_win_milestone(number: int) -> bool:
    """1st, 10th, 50th, 100th, 250th, 500th, 1000th, then 2500, 5000, 10000, 25000 ..."""
    if number in WIN_COUNT_MILESTONES_UP_TO_1000:
        return True
    scale = 1000
    while scale < number:
        if number in (scale * 5 // 2, scale * 5):
            return True
        scale *= 10
    return number == scale


def win_milestones(up_to: int) -> list[int]:
    """Every number ``is_win_milestone`` takes, up to ``up_to``, in order."""
    found = [n for n in WIN_COUNT_MILESTONES_UP_TO_1000 if n <= up_to]
    scale = 1000
    while scale * 5 // 2 <= up_to:
        found.extend(n for n in (scale * 5 // 2, scale * 5, scale * 10) if n <= up_to)
        scale *= 10
    return found


def celebrations(
    wins: Sequence[WinRecord],
    streak_milestones: Iterable[tuple[int, dt.date]] = (),
    milestones: Iterable[tuple[int, int]] | None = None,
) -> tuple[Celebration, ...]:
    """Win-count milestones and streak milestones ``(days, day reached)``, oldest first;
    ``milestones``: the place in ``wins`` and the number of each win-count milestone,
    when known (not read from the wins' numbers, which a page made once for all of
    them does not know, engine/late.py)."""
    if milestones is None:
        milestones = [(i, r.number) for i, r in enumerate(wins) if is_win_milestone(r.number)]
    found = [
        Celebration(day=wins[i].entry.day, kind="wins", count=number, win=wins[i])
        for i, number in milestones
    ]
    found.extend(
        Celebration(day=day, kind="streak", count=days) for days, day in streak_milestones
    )
    # On one day a streak milestone comes before a win count: it is the bigger story.
    found.sort(key=lambda c: (c.day, c.kind != "streak", c.count))
    return tuple(found)


def wall_days(wins: Sequence[WinRecord], milestones: Sequence[Celebration]) -> tuple[WallDay, ...]:
    """Days with wins or celebrations, newest first."""
    by_day: dict[dt.date, tuple[list[Celebration], list[WinRecord]]] = {}
    for record in wins:
        by_day.setdefault(record.entry.day, ([], []))[1].append(record)
    for celebration in milestones:
        by_day.setdefault(celebration.day, ([], []))[0].append(celebration)
    return tuple(
        WallDay(day, tuple(cels), tuple(reversed(recs)))
        for day, (cels, recs) in sorted(by_day.items(), reverse=True)
    )


def page_sizes(counts: Sequence[int], per_page: int = 1000) -> list[int]:
    """How many of a year's days go on each of its pages, given each day's count of
    wins (newest first): one page, or for more than ``per_page`` wins that many pages
    of about equal size (whole days stay together)."""
    total = sum(counts)
    # Even pages: 1,100 wins make two pages of 550, not 1,000 and 100.
    target = math.ceil(total / max(1, math.ceil(total / per_page)))
    sizes = [0]
    wins_on_page = 0
    for count in counts:
        if sizes[-1] and wins_on_page + count > target:
            sizes.append(0)
            wins_on_page = 0
        sizes[-1] += 1
        wins_on_page += count
    return sizes


def wall_pages(days: Sequence[WallDay], per_page: int = 1000) -> tuple[WallPage, ...]:
    """Newest-first days split by year, and a year into pages (see ``page_sizes``).
    Empty when there are no days."""
    years: dict[int, list[WallDay]] = {}
    for day in days:
        years.setdefault(day.day.year, []).append(day)
    pages: list[WallPage] = []
    for year, year_days in years.items():
        sizes = page_sizes([len(d.wins) for d in year_days], per_page)
        start = 0
        for number, size in enumerate(sizes, 1):
            chunk = tuple(year_days[start : start + size])
            pages.append(WallPage(year, number, len(sizes), chunk))
            start += size
    return tuple(pages)


@dataclass(frozen=True)
class WallYear:
    """A year of the wall as what it is made of: the year's entries (oldest first), the
    number of its first win, its streak milestones (days, day reached) and the most wins
    a page shows. Its records and pages are made from these when first asked for, so a
    view or partial handed the year is named by these alone (engine/keys.py digests a
    record's fields, not what it derives from them)."""

    year: int
    entries: tuple[Entry, ...]
    first: int
    streaks: tuple[tuple[int, dt.date], ...]
    per_page: int
    milestones: tuple[tuple[int, int], ...]
    """The place among its wins (oldest first) and the number of each win-count
    milestone."""
    of: Of | None = field(default=None, compare=False, repr=False)
    """What its records are made through (see ``numbered_wins``): not what it is."""

    @cached_property
    def records(self) -> tuple[WinRecord, ...]:
        return numbered_wins(self.entries, self.first, self.of)

    @cached_property
    def pages(self) -> tuple[WallPage, ...]:
        records = self.records
        found = celebrations(records, self.streaks, self.milestones)
        return wall_pages(wall_days(records, found), self.per_page)

    @cached_property
    def page_count(self) -> int:
        """``len(pages)``, from each day's count of wins, without making the records: a
        plan needs the pages' addresses, and makes no view."""
        reached = {day for _, day in self.streaks}  # a day on the wall, with or without wins
        counts = dict.fromkeys(reached, 0)
        for entry in self.entries:
            counts[entry.day] = counts.get(entry.day, 0) + len(entry.wins)
        days = sorted((d for d, n in counts.items() if n or d in reached), reverse=True)
        return len(page_sizes([counts[day] for day in days], self.per_page))


@dataclass(frozen=True)
class WallYearPage:
    """Page ``number`` of a ``WallYear``: a ``WallPage`` made when first read."""

    of: WallYear
    number: int

    @property
    def year(self) -> int:
        return self.of.year

    @property
    def count(self) -> int:
        return self.of.page_count

    @property
    def days(self) -> tuple[WallDay, ...]:
        return self.of.pages[self.number - 1].days

    @property
    def win_count(self) -> int:
        return self.of.pages[self.number - 1].win_count


def wall_page_url(year: int, number: int = 1) -> str:
    return f"wins/{year}/" if number == 1 else f"wins/{year}/page/{number}/"
