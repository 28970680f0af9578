"""Reviews: the facts of one week, month or year, for the review pages and `journal review`.

A *period* is an ISO week (Monday to Sunday, ``2026-W47``), a calendar month
(``2026-11``) or a calendar year (``2026``). What a review counts follows the streak
rules of DESIGN.md: drafts never count, and neither does anything dated after today,
so a review of the current period ("so far") covers the days up to today.

- *Days written*: days of the period with an entry.
- *Wins*: the proud ones first, then the others, each group oldest first.
- *Setbacks*: oldest first; those without a lesson are still open.
- *Goal steps done*: a step is done in the period when the first win linked to its
  goal with the step's text (the win that ticks it off, see goals.py) falls in it. A
  step ticked ``[x]`` in the goal file carries no date and belongs to no period.
- *Streak at the end*: the run still alive when the period's last day is over (with
  ``streak_grace = g``, up to g missed days at its end keep it alive). For the current
  period it is the streak today, by the site's rule (today is not over yet).
- *Consistency change*: the score when the period ends (today, for the current one)
  less the score at the end of the day before it began; None when the journal had not
  begun by then, as there is nothing to compare with.

The numbers come from ``ReviewBook`` (review_book.py), which sorts the journal by day
once and answers for any period; a page is made from them by ``assemble``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from journal_site.aggregate import streaks
from journal_site.aggregate.periods import Period
from journal_site.model import AnyEntry, Setback, Win


@dataclass(frozen=True, slots=True)
class ReviewWin:
    """A win with the entry it was written in."""

    win: Win
    entry: AnyEntry

    @property
    def proud(self) -> bool:
        return self.win.proud


@dataclass(frozen=True, slots=True)
class ReviewSetback:
    setback: Setback
    entry: AnyEntry


@dataclass(frozen=True, slots=True)
class StepDone:
    """A goal's step ticked off by a win."""

    goal: str
    """The goal's slug."""
    goal_title: str
    step: str
    day: dt.date
    source: str
    """The entry whose win did it."""


@dataclass(frozen=True, slots=True)
class DayMood:
    day: dt.date
    written: bool
    mood: float | None
    """The average mood of the day's entries that give one."""


@dataclass(frozen=True, slots=True)
class Glance:
    """The counts of a stretch of days: what a list of periods and a comparison show."""

    period: Period
    start: dt.date
    """The first day counted (a week inside a month counts only the month's days)."""
    end: dt.date
    entries: int
    days_written: int
    wins: int
    proud: int
    setbacks: int
    lessons: int
    mood_average: float | None


@dataclass(frozen=True, slots=True)
class Review:
    """Everything a review of one period says."""

    period: Period
    today: dt.date | None
    """Today, in the review of the period that holds it; None in any other, so that the
    review of a period that is over stays the same from day to day (and so its page)."""
    so_far: bool
    """The period holds today: it is still going."""
    future: bool
    """The period begins after today."""
    days_counted: int
    """Days of the period up to today (all of them for a period that is over)."""
    entries: tuple[AnyEntry, ...]
    """Its entries, oldest first: no drafts, nothing after today."""
    days_written: int
    wins: tuple[ReviewWin, ...]
    """Proud wins first, then the others, each oldest first."""
    setbacks: tuple[ReviewSetback, ...]
    steps_done: tuple[StepDone, ...]
    goals_completed: tuple[StepDone, ...]
    """For each goal whose last step was done in the period: that step."""
    streak_at_end: int
    longest_run: streaks.Streak | None
    """The longest run of counted days inside the period (cut at its edges)."""
    consistency_start: float | None
    consistency_end: float | None
    moods: tuple[DayMood, ...]
    """Every day of a week or month up to today (none for a year: its months say it)."""
    mood_average: float | None
    """Over the period's entries that give a mood."""
    tags: tuple[tuple[str, int], ...]
    """(tag, entries carrying it, on the entry or one of its wins or setbacks), most first."""
    before: Glance | None
    """The period just before, for the comparison (None before year 1)."""
    parts: tuple[Glance, ...]
    """A month's weeks (their days in the month) or a year's months; none for a week."""

    @property
    def proud(self) -> tuple[ReviewWin, ...]:
        return tuple(w for w in self.wins if w.proud)

    @property
    def lessons(self) -> tuple[ReviewSetback, ...]:
        """Setbacks with what they taught."""
        return tuple(s for s in self.setbacks if s.setback.reframe)

    @property
    def still_open(self) -> tuple[ReviewSetback, ...]:
        """Setbacks without a lesson yet."""
        return tuple(s for s in self.setbacks if not s.setback.reframe)

    @property
    def consistency_change(self) -> float | None:
        if self.consistency_start is None or self.consistency_end is None:
            return None
        return self.consistency_end - self.consistency_start

    @property
    def empty(self) -> bool:
        return not self.entries


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What a review is made from: the period's entries and the numbers that depend on
    the days around it. A review page is keyed by these (small, and the entries count by
    their tokens), and ``assemble`` makes the review from them alone."""

    period: Period
    today: dt.date | None
    """Today when the period holds it, else None (see ``Review.today``)."""
    future: bool
    days_counted: int
    entries: tuple[AnyEntry, ...]
    rule: str
    """The streak rule: which of the entries' days count (see ``counted``)."""
    grace: int
    steps_done: tuple[StepDone, ...]
    goals_completed: tuple[StepDone, ...]
    streak_at_end: int
    consistency_start: float | None
    consistency_end: float | None
    before: Glance | None
    parts: tuple[Glance, ...]

    @property
    def counted(self) -> frozenset[dt.date]:
        """The days of the period that count toward a streak (its entries are all on
        or before today)."""
        return streaks.counted_days(self.entries, self.rule, dt.date.max)  # type: ignore[arg-type]


def assemble(facts: ReviewFacts) -> Review:
    """The review ``facts`` describe."""
    period, entries = facts.period, facts.entries
    wins = [ReviewWin(w, e) for e in entries for w in e.wins]
    longest = None
    for run in streaks.streak_runs(facts.counted, facts.grace):
        if longest is None or run.length >= longest.length:  # ties go to the most recent
            longest = run
    by_day: dict[dt.date, list[AnyEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    days = days_between(period.start, period.start + dt.timedelta(days=facts.days_counted - 1))
    tag_counts: Counter[str] = Counter(t for e in entries for t in e.all_tags())
    return Review(
        period=period,
        today=facts.today,
        so_far=facts.today is not None,
        future=facts.future,
        days_counted=facts.days_counted,
        entries=entries,
        days_written=len(by_day),
        wins=tuple([w for w in wins if w.proud] + [w for w in wins if not w.proud]),
        setbacks=tuple(ReviewSetback(s, e) for e in entries for s in e.setbacks),
        steps_done=facts.steps_done,
        goals_completed=facts.goals_completed,
        streak_at_end=facts.streak_at_end,
        longest_run=longest,
        consistency_start=facts.consistency_start,
        consistency_end=facts.consistency_end,
        moods=tuple(
            DayMood(
                day,
                day in by_day,
                average([e.mood for e in by_day.get(day, ()) if e.mood is not None]),
            )
            for day in (days if period.kind != "year" else ())
        ),
        mood_average=average([e.mood for e in entries if e.mood is not None]),
        tags=tuple(sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))),
        before=facts.before,
        parts=facts.parts,
    )


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last`` (none when ``last`` comes first)."""
    return [first + dt.timedelta(days=i) for i in range(max(0, (last - first).days + 1))]


def average(values: Sequence[int]) -> float | None:
    """The mean of ``values`` (moods), None for none."""
    return sum(values) / len(values) if values else None
