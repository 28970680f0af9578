"""The review book's glances (aggregate/review_book.py): the counts of any span of days,
read from running totals, equal the counts made by walking the span's entries."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from journal_site.aggregate.periods import period_of
from journal_site.aggregate.review_book import ReviewBook
from journal_site.aggregate.reviews import average
from journal_site.model import EntrySummary, Setback, Win
from journal_site.pages import Memo

FIRST = dt.date(2025, 12, 20)
"""The journals below span the turn of a year: weeks that cross it, a short first month."""
DAYS = 60


@st.composite
def entries(draw: st.DrawFn) -> list[EntrySummary]:
    made = []
    for number in range(draw(st.integers(0, 40))):
        day = FIRST + dt.timedelta(days=draw(st.integers(0, DAYS - 1)))
        wins = tuple(
            Win(f"win {i}", proud=draw(st.booleans())) for i in range(draw(st.integers(0, 3)))
        )
        setbacks = tuple(
            Setback(f"setback {i}", reframe=draw(st.sampled_from(["", "a lesson"])))
            for i in range(draw(st.integers(0, 2)))
        )
        made.append(
            EntrySummary(
                source=f"{day.isoformat()}-{number}.md",
                day=day,
                time=None,
                title=f"Entry {number}",
                title_is_default=False,
                tags=(),
                mood=draw(st.none() | st.integers(1, 5)),
                wins=wins,
                setbacks=setbacks,
                draft=draw(st.booleans()) and draw(st.booleans()),
                slug=str(number),
            )
        )
    return sorted(made, key=lambda e: e.sort_key)


def counted_by_walking(
    journal: list[EntrySummary], today: dt.date, first: dt.date, last: dt.date
) -> tuple[object, ...]:
    """What a glance counts, from the entries of the days from ``first`` to ``last``
    (none after today, no drafts), walked one by one."""
    shown = [e for e in journal if not e.draft and e.day <= today and first <= e.day <= last]
    wins = [w for e in shown for w in e.wins]
    setbacks = [s for e in shown for s in e.setbacks]
    return (
        len(shown),
        len({e.day for e in shown}),
        len(wins),
        sum(1 for w in wins if w.proud),
        len(setbacks),
        sum(1 for s in setbacks if s.reframe),
        average([e.mood for e in shown if e.mood is not None]),
    )


@settings(max_examples=150, deadline=None)
@given(
    journal=entries(),
    today_offset=st.integers(0, DAYS + 5),
    kind=st.sampled_from(["week", "month", "year"]),
    day_offset=st.integers(-10, DAYS + 10),
    start_offset=st.none() | st.integers(0, 6),
    length=st.none() | st.integers(0, 40),
)
def test_a_glance_counts_what_its_days_hold(
    journal, today_offset, kind, day_offset, start_offset, length
):
    today = FIRST + dt.timedelta(days=today_offset)
    book = ReviewBook(journal, (), today)
    period = period_of(kind, FIRST + dt.timedelta(days=day_offset))
    start = None if start_offset is None else period.start + dt.timedelta(days=start_offset)
    end = None if length is None else (start or period.start) + dt.timedelta(days=length)
    glance = book.glance(period, start, end)

    first, last = start or period.start, min(end or period.end, today)
    assert (glance.start, glance.end) == (first, end or period.end)
    assert (
        glance.entries,
        glance.days_written,
        glance.wins,
        glance.proud,
        glance.setbacks,
        glance.lessons,
        glance.mood_average,
    ) == counted_by_walking(journal, today, first, last)


@settings(max_examples=60, deadline=None)
@given(journal=entries(), changed=st.integers(0, 39), today_offset=st.integers(0, DAYS + 5))
def test_a_glance_whose_counts_held_is_the_same_object_in_the_next_book(
    journal, changed, today_offset
):
    """Books made one after the other through one memo (as ``journal serve`` makes
    them): after an entry's wins change, every glance equals a book's made alone, and
    a glance whose days the change did not touch is the last book's object."""
    today = FIRST + dt.timedelta(days=today_offset)
    memo = Memo()
    before = ReviewBook(journal, (), today, equal=memo.equal)
    periods = [p for kind in ("week", "month", "year") for p in before.periods(kind)]
    glances = {p: before.glance(p) for p in periods}
    if journal:
        at = changed % len(journal)
        journal = [*journal]
        journal[at] = dataclasses.replace(journal[at], wins=(*journal[at].wins, Win("one more")))
    memo.turn()
    after = ReviewBook(journal, (), today, equal=memo.equal)
    alone = ReviewBook(journal, (), today)
    for period in periods:
        glance = after.glance(period)
        assert glance == alone.glance(period)
        if not journal or not period.start <= journal[at].day <= period.end:
            assert glance is glances[period]
        elif not journal[at].draft and journal[at].day <= today:  # the change counts
            assert glance.wins == glances[period].wins + 1
