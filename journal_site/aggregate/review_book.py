"""The journal by day, read once, to review any period of it (see reviews.py for what a
review counts): every review page of the site and ``journal review`` share one book,
so one set of numbers."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from journal_site.aggregate import streaks
from journal_site.aggregate.goals import same_text
from journal_site.aggregate.periods import Period, period_of
from journal_site.aggregate.reviews import (
    Glance,
    Review,
    ReviewFacts,
    StepDone,
    assemble,
    days_between,
)
from journal_site.model import AnyEntry, Goal, Win

_ONE_DAY = dt.timedelta(days=1)

V = TypeVar("V")
Equal = Callable[[str, Hashable, Callable[[], V]], V]
"""How a book makes what is made of exact values alone (a glance, the streaks of the
counted days), by those: a model's ``Memo.equal``."""


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
        equal: Equal | None = None,
    ) -> None:
        """``equal``: what makes a glance, or the streaks of the counted days, by all
        it is made of (a model's ``Memo.equal``), so that the counts of a period a
        change left as they were are the same object as in the last book (and need not
        be digested again), and the streaks of the same days are not worked out again."""
        self.today = today
        self._equal = equal
        self.rule = rule
        self.grace = grace
        kept = sorted(
            (e for e in entries if not e.draft and e.day <= today), key=lambda e: e.sort_key
        )
        self.by_day: dict[dt.date, list[AnyEntry]] = {}
        for entry in kept:
            self.by_day.setdefault(entry.day, []).append(entry)
        self.counted = counted = streaks.counted_days(kept, rule, today)  # type: ignore[arg-type]
        self.first_day = kept[0].day if kept else None
        # The streaks and scores are made of the counted days alone (an edit that leaves
        # them, as most do, finds them made): by the days and the grace, and today.
        days = (counted, grace)
        self.counted_sorted, self.run_start = self._made("book runs", days, lambda: _runs(*days))
        key = (counted, self.first_day, today)
        self.scores = self._made("book scores", key, lambda: _scores(*key))
        self.steps = _steps_done(kept, goals)
        self.finished = _finished(self.steps, goals)
        self._days, self._totals = _running_totals(self.by_day)
        self._periods: dict[str, list[Period]] = {}
        self._glances: dict[tuple[Period, dt.date | None, dt.date | None], Glance] = {}

    def _made(self, kind: str, key: Hashable, make: Callable[[], V]) -> V:
        return make() if self._equal is None else self._equal(kind, key, make)

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
        # The running totals at the first day written in the span and after its last.
        low = bisect.bisect_left(self._days, first)
        high = max(low, bisect.bisect_right(self._days, last))
        before, through = self._totals[low], self._totals[high]
        counts = tuple(b - a for a, b in zip(before, through, strict=True))
        key = (period, first, end or period.end, high - low, counts)  # ints and dates
        return self._made("book glance", key, lambda: _glance_of(key))

    def _entries(self, days: Iterable[dt.date]) -> list[AnyEntry]:
        """The entries of ``days``, in the journal's order."""
        return [e for day in days for e in self.by_day.get(day, ())]

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
        entries = tuple(self._entries(days))
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


def _runs(counted: frozenset[dt.date], grace: int) -> tuple[list[dt.date], dict[dt.date, dt.date]]:
    """The counted days in order, and where the run of each starts (to read a streak at
    any day in O(log n))."""
    ordered = sorted(counted)
    run_start: dict[dt.date, dt.date] = {}
    for run in streaks.streak_runs(counted, grace):
        start = bisect.bisect_left(ordered, run.start)
        stop = bisect.bisect_right(ordered, run.end)
        for day in ordered[start:stop]:
            run_start[day] = run.start
    return ordered, run_start


def _scores(
    counted: frozenset[dt.date], first_day: dt.date | None, today: dt.date
) -> dict[dt.date, float]:
    """The consistency score at the end of each day."""
    return dict(streaks.consistency_series(counted, first_day, today) if counted else ())


def _glance_of(key: tuple[Period, dt.date, dt.date, int, tuple[int, ...]]) -> Glance:
    period, start, end, days_written, counts = key
    entries, wins, proud, setbacks, lessons, moods, mood_sum = counts
    return Glance(
        period=period,
        start=start,
        end=end,
        entries=entries,
        days_written=days_written,
        wins=wins,
        proud=proud,
        setbacks=setbacks,
        lessons=lessons,
        # As ``average`` of the moods: their sum (an int, exact) over their count.
        mood_average=mood_sum / moods if moods else None,
    )


def _running_totals(
    by_day: dict[dt.date, list[AnyEntry]],
) -> tuple[list[dt.date], list[tuple[int, ...]]]:
    """The days written, in order, and before each of them (and after the last) the
    running totals of entries, wins, proud wins, setbacks, lessons, moods given and
    their sum: a span's counts are the difference of two of them."""
    days = sorted(by_day)
    totals = [(0, 0, 0, 0, 0, 0, 0)]
    entries = wins = proud = setbacks = lessons = moods = mood_sum = 0
    for day in days:
        for entry in by_day[day]:
            entries += 1
            if entry.wins:  # most entries have wins, few have setbacks: no call for none
                wins += len(entry.wins)
                for win in entry.wins:
                    proud += win.proud
            if entry.setbacks:
                setbacks += len(entry.setbacks)
                for setback in entry.setbacks:
                    lessons += bool(setback.reframe)
            if entry.mood is not None:
                moods += 1
                mood_sum += entry.mood
        totals.append((entries, wins, proud, setbacks, lessons, moods, mood_sum))
    return days, totals


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
