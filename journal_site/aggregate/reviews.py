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

``ReviewBook`` sorts the journal by day once and then answers for any period, so every
review page of the site and the command share one set of numbers.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journal_site.aggregate import streaks
from journal_site.aggregate.goals import same_text
from journal_site.aggregate.periods import Period, period_of
from journal_site.model import AnyEntry, Goal, Setback, Win

_ONE_DAY = dt.timedelta(days=1)


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
                _mean([e.mood for e in by_day.get(day, ()) if e.mood is not None]),
            )
            for day in (days if period.kind != "year" else ())
        ),
        mood_average=_mean([e.mood for e in entries if e.mood is not None]),
        tags=tuple(sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))),
        before=facts.before,
        parts=facts.parts,
    )


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last`` (none when ``last`` comes first)."""
    return [first + dt.timedelta(days=i) for i in range(max(0, (last - first).days + 1))]


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


class ReviewBook:
    """The journal by day, to review any period of it. Pure: made from entries, goals,
    the streak rule and today; holds no clock and reads no file."""

    def __init__(
        self,
        entries: Iterable[AnyEntry],
        goals: Sequence[Goal],
        today: dt.date,
        rule: str = "entry",
        grace: int = 0,
    ) -> None:
        self.today = today
        self.rule = rule
        self.grace = grace
        kept = sorted(
            (e for e in entries if not e.draft and e.day <= today), key=lambda e: e.sort_key
        )
        self.by_day: dict[dt.date, list[AnyEntry]] = {}
        for entry in kept:
            self.by_day.setdefault(entry.day, []).append(entry)
        self.counted = streaks.counted_days(kept, rule, today)  # type: ignore[arg-type]
        self.counted_sorted = sorted(self.counted)
        self.first_day = kept[0].day if kept else None
        # Where each counted day's run starts, to read a streak at any day in O(log n).
        self.run_start: dict[dt.date, dt.date] = {}
        for run in streaks.streak_runs(self.counted, grace):
            start = bisect.bisect_left(self.counted_sorted, run.start)
            stop = bisect.bisect_right(self.counted_sorted, run.end)
            for day in self.counted_sorted[start:stop]:
                self.run_start[day] = run.start
        self.scores = dict(
            streaks.consistency_series(self.counted, self.first_day, today) if self.counted else ()
        )
        self.steps = _steps_done(kept, goals)
        self.finished = _finished(self.steps, goals)
        self._periods: dict[str, list[Period]] = {}
        self._glances: dict[tuple[Period, dt.date | None, dt.date | None], Glance] = {}

    # -- which periods there are --

    def periods(self, kind: str) -> list[Period]:
        """The periods of ``kind`` with an entry, oldest first."""
        if kind not in self._periods:
            seen: dict[tuple[dt.date, dt.date], Period] = {}
            for day in sorted(self.by_day):
                if not seen or day > next(reversed(seen))[1]:
                    period = period_of(kind, day)
                    seen[period.start, period.end] = period
            self._periods[kind] = list(seen.values())
        return list(self._periods[kind])

    # -- the numbers --

    def glance(
        self, period: Period, start: dt.date | None = None, end: dt.date | None = None
    ) -> Glance:
        """The counts of ``period`` (or of its days from ``start`` to ``end``); one
        object per span, as a week's review and the next one's comparison share it."""
        key = (period, start, end)
        held = self._glances.get(key)
        if held is None:
            held = self._glances[key] = self._glance(period, start, end)
        return held

    def _glance(self, period: Period, start: dt.date | None, end: dt.date | None) -> Glance:
        first, last = start or period.start, min(end or period.end, self.today)
        entries = [e for day in days_between(first, last) for e in self.by_day.get(day, ())]
        wins = [w for e in entries for w in e.wins]
        setbacks = [s for e in entries for s in e.setbacks]
        return Glance(
            period=period,
            start=first,
            end=end or period.end,
            entries=len(entries),
            days_written=len({e.day for e in entries}),
            wins=len(wins),
            proud=sum(1 for w in wins if w.proud),
            setbacks=len(setbacks),
            lessons=sum(1 for s in setbacks if s.reframe),
            mood_average=_mean([e.mood for e in entries if e.mood is not None]),
        )

    def _score(self, day: dt.date) -> float | None:
        """The consistency score at the end of ``day`` (None before the first entry)."""
        if self.first_day is None or day < self.first_day:
            return None
        return self.scores.get(min(day, self.today))

    def _score_before(self, period: Period) -> float | None:
        """The score at the end of the day before ``period`` began."""
        if period.start == dt.date.min:
            return None
        return self._score(period.start - _ONE_DAY)

    def streak_at(self, day: dt.date, over: bool) -> int:
        """The streak alive at ``day``: at its end (``over``), or while it is still
        going (today), when a run that ended the day before is still alive."""
        index = bisect.bisect_right(self.counted_sorted, day) - 1
        if index < 0:
            return 0
        last = self.counted_sorted[index]
        if (day - last).days > self.grace + (0 if over else 1):
            return 0
        start = bisect.bisect_left(self.counted_sorted, self.run_start[last])
        return index - start + 1

    def facts(self, period: Period) -> ReviewFacts:
        """What the review of ``period`` is made from (``assemble`` makes it): its
        entries and the few numbers that depend on the days around it."""
        today = self.today
        so_far = period.contains(today)
        future = period.start > today
        last = min(period.end, today)
        days = days_between(period.start, last)
        entries = tuple(e for day in days for e in self.by_day.get(day, ()))
        steps = tuple(s for s in self.steps if period.start <= s.day <= last)
        if future:
            streak, end_score = 0, None
        elif so_far:
            streak = self.streak_at(today, over=False)
            # Today is not over: until it has an entry, the score is yesterday's.
            end_score = self._score(today if today in self.counted else today - _ONE_DAY)
        else:
            streak = self.streak_at(period.end, over=True)
            end_score = self._score(period.end)
        before = period.previous()
        return ReviewFacts(
            period=period,
            today=today if so_far else None,
            future=future,
            days_counted=len(days),
            entries=entries,
            rule=self.rule,
            grace=self.grace,
            steps_done=steps,
            goals_completed=self._completed(steps),
            streak_at_end=streak,
            consistency_start=None if future else self._score_before(period),
            consistency_end=end_score,
            before=self.glance(before) if before is not None else None,
            parts=self._parts(period),
        )

    def review(self, period: Period) -> Review:
        return assemble(self.facts(period))

    def _parts(self, period: Period) -> tuple[Glance, ...]:
        if period.kind == "week":
            return ()
        kind = "week" if period.kind == "month" else "month"
        parts = []
        day = period.start
        while day <= period.end:
            part = period_of(kind, day)
            parts.append(
                self.glance(part, max(part.start, period.start), min(part.end, period.end))
            )
            if part.end >= period.end:
                break
            day = part.end + _ONE_DAY
        return tuple(parts)

    def _completed(self, steps: Sequence[StepDone]) -> tuple[StepDone, ...]:
        """The last step of each goal that was finished in the period: among ``steps``."""
        return tuple(s for s in steps if s in self.finished)


def _steps_done(entries: Sequence[AnyEntry], goals: Sequence[Goal]) -> list[StepDone]:
    """Every goal step ticked off by a win, with the win's day, oldest first."""
    linked: dict[str, list[tuple[Win, AnyEntry]]] = {}
    for entry in entries:
        for win in entry.wins:
            if win.goal is not None:
                linked.setdefault(win.goal, []).append((win, entry))
    done = []
    for goal in goals:
        for step in goal.steps:
            match = next(
                ((w, e) for w, e in linked.get(goal.slug, ()) if same_text(w.text, step.text)),
                None,
            )
            if match is not None:
                done.append(
                    StepDone(goal.slug, goal.title, step.text, match[1].day, match[1].source)
                )
    done.sort(key=lambda s: s.day)
    return done


def _finished(steps: Sequence[StepDone], goals: Sequence[Goal]) -> frozenset[StepDone]:
    """For every goal whose steps are all done (ticked in its file or by a win), the
    step done last by a win: the day the goal was finished. A goal whose steps are all
    ticked in its file has no such day."""
    by_goal: dict[str, list[StepDone]] = {}
    for step in steps:
        by_goal.setdefault(step.goal, []).append(step)
    finished = set()
    for goal in goals:
        dated = by_goal.get(goal.slug, [])
        done = {s.step for s in dated}
        if dated and all(step.done or step.text in done for step in goal.steps):
            finished.add(max(dated, key=lambda s: s.day))
    return frozenset(finished)
