"""Periods a review covers: an ISO week, a calendar month or a calendar year.

A week runs Monday to Sunday and is named by its ISO year (``2026-W01`` begins on
Monday 29 December 2025); a month is ``2026-11``; a year ``2026``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("week", "month", "year")
_ONE_DAY = dt.timedelta(days=1)
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_EXAMPLES = {"week": "2026-W47", "month": "2026-11", "year": "2026"}


@dataclass(frozen=True, slots=True)
class Period:
    """A week, month or year: its kind and its first and last day."""

    kind: str
    """"week", "month" or "year"."""
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        """Its name: ``2026-W47``, ``2026-11`` or ``2026`` (the year of an ISO week is
        the ISO year: 2026-W01 begins on Monday 29 December 2025)."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.year:04d}"

    @property
    def title(self) -> str:
        """How a person says it: "Week 47 of 2026", "November 2026", "2026"."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year}"
        if self.kind == "month":
            return f"{self.start:%B} {self.start.year}"
        return str(self.start.year)

    @property
    def span(self) -> str:
        """Its days in words: "16–22 November 2026", "29 December 2025 – 4 January 2026"."""
        start, end = self.start, self.end
        if start.year != end.year:
            return f"{start.day} {start:%B} {start.year} – {end.day} {end:%B} {end.year}"
        if start.month != end.month:
            return f"{start.day} {start:%B} – {end.day} {end:%B} {end.year}"
        return f"{start.day}–{end.day} {end:%B} {end.year}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period | None:
        """The period of the same kind just before (None before year 1)."""
        if self.start == dt.date.min:
            return None
        return period_of(self.kind, self.start - _ONE_DAY)

    def next(self) -> Period | None:
        """The period of the same kind just after (None after year 9999)."""
        if self.end == dt.date.max:
            return None
        return period_of(self.kind, self.end + _ONE_DAY)


def period_of(kind: str, day: dt.date) -> Period:
    """The week, month or year that ``day`` falls in."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        # The first ISO week of year 1 starts on 1 January 0001 (a Monday); the last
        # of 9999 ends on 31 December 9999 (a Friday): a week is cut at the calendar's ends.
        end = dt.date.max if dt.date.max - start < dt.timedelta(days=6) else start + 6 * _ONE_DAY
        return Period("week", start, end)
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period("month", day.replace(day=1), day.replace(day=last))
    if kind == "year":
        return Period("year", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"a period is a week, a month or a year, not {kind!r}")


def parse_period(kind: str, text: str) -> Period:
    """The period named ``text`` (``2026-W47``, ``2026-11``, ``2026``); ValueError with
    a message that says what was expected."""
    if kind not in KINDS:
        raise ValueError(f"a period is a week, a month or a year, not {kind!r}")
    expected = {
        "week": f"an ISO week like {_EXAMPLES['week']}",
        "month": f"a month like {_EXAMPLES['month']}",
        "year": f"a year like {_EXAMPLES['year']}",
    }[kind]
    shown = text if len(text) <= 40 else text[:37] + "..."
    match = {"week": _WEEK, "month": _MONTH, "year": _YEAR}[kind].match(text.strip())
    if not match:
        raise ValueError(f"expected {expected}, got {shown!r}")
    year = int(match.group(1))
    if year < 1:
        raise ValueError(f"expected {expected} (years start at 0001), got {shown!r}")
    if kind == "year":
        return period_of("year", dt.date(year, 1, 1))
    number = int(match.group(2))
    if kind == "month":
        if not 1 <= number <= 12:
            raise ValueError(f"expected {expected} (months 01 to 12), got {shown!r}")
        return period_of("month", dt.date(year, number, 1))
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        weeks = dt.date(year, 12, 28).isocalendar()[1]  # 28 December is in the last week
        raise ValueError(
            f"expected {expected}: {year} has weeks W01 to W{weeks}, got {shown!r}"
        ) from None
    return period_of("week", monday)


def review_url(period: Period) -> str:
    """Site-relative URL of the period's review page."""
    return f"reviews/{period.key}/"
