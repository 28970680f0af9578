"""Streaks and the consistency score: pure functions of counted days and "today".

No I/O and no clock: "today" is always an argument, so a build with ``--today`` is
reproducible and every rule can be tested with hand-worked dates.

Vocabulary
----------
- A *counted day* is a day with at least one non-draft entry (``streak = "entry"``)
  or at least one win (``streak = "win"``); days after today never count.
- A *run* (a ``Streak``) is a maximal sequence of counted days in which no gap of
  missed days is longer than ``grace`` (``streak_grace`` in journal.toml). Missed
  days inside a run keep it alive but do not add to its length.
- The *current* streak is the last run, if it is still alive today. Today is not
  over, so a run that ended yesterday is alive; with grace ``g`` a run is alive when
  the days missed since its last day, not counting today, are at most ``g``. In
  other words: alive when ``(today - run.end).days <= grace + 1``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journal_site.model import Entry

HALF_LIFE_DAYS = 14
"""How many days back a day's weight in the consistency score halves."""

_ONE_DAY = dt.timedelta(days=1)


def counted_days(entries: Sequence[Entry], rule: str, today: dt.date) -> frozenset[dt.date]:
    """The days that count toward streaks: a non-draft entry (``rule="entry"``) or a
    non-draft entry with at least one win (``rule="win"``), on or before ``today``.

    An entry dated after today is usually a typo or a time-zone slip: it is shown on
    the site but must not stretch a streak into the future.
    """
    if rule not in ("entry", "win"):
        raise ValueError(f'streak rule must be "entry" or "win", got {rule!r}')
    return frozenset(
        e.day for e in entries if not e.draft and e.day <= today and (rule == "entry" or e.wins)
    )


@dataclass(frozen=True, slots=True)
class Streak:
    start: dt.date
    """First counted day of the run."""
    end: dt.date
    """Last counted day of the run."""
    length: int
    """Counted days in the run; grace days bridge a run but do not lengthen it."""


@dataclass(frozen=True, slots=True)
class StreakSummary:
    current: int
    """Length of the run still alive today, or 0."""
    current_start: dt.date | None
    longest: int
    """Length of the longest run ever (ties go to the most recent run)."""
    longest_start: dt.date | None
    longest_end: dt.date | None


def _check_grace(grace: int) -> None:
    if grace < 0:
        raise ValueError(f"grace must be 0 or more, got {grace}")


def _runs_of_days(days: Iterable[dt.date], grace: int) -> list[list[dt.date]]:
    """Sorted distinct days split into runs; each run keeps its days for milestones."""
    _check_grace(grace)
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        # A gap of `grace` missed days means the next counted day is grace + 1 days on.
        if runs and (day - runs[-1][-1]).days <= grace + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def streak_runs(days: Iterable[dt.date], grace: int = 0) -> tuple[Streak, ...]:
    """Every maximal run of counted days, oldest first."""
    return tuple(
        Streak(start=run[0], end=run[-1], length=len(run)) for run in _runs_of_days(days, grace)
    )


def summarize(days: Iterable[dt.date], today: dt.date, grace: int = 0) -> StreakSummary:
    """Current and longest streak as DESIGN.md defines them.

    Days after ``today`` are ignored here too, so a caller cannot count the future by
    accident. Current: the last run when ``(today - run.end).days <= grace + 1`` (with
    no grace: it ends today, or yesterday while today has nothing yet). Longest: the
    longest run, the most recent one when several are equally long.
    """
    runs = streak_runs((d for d in days if d <= today), grace)
    current: Streak | None = None
    if runs and (today - runs[-1].end).days <= grace + 1:
        current = runs[-1]
    longest: Streak | None = None
    for run in runs:  # oldest first, so `>=` hands ties to the most recent run
        if longest is None or run.length >= longest.length:
            longest = run
    return StreakSummary(
        current=current.length if current else 0,
        current_start=current.start if current else None,
        longest=longest.length if longest else 0,
        longest_start=longest.start if longest else None,
        longest_end=longest.end if longest else None,
    )


def streak_milestones(
    days: Iterable[dt.date],
    grace: int = 0,
    thresholds: Sequence[int] = (7, 30, 100, 365),
) -> tuple[tuple[int, dt.date], ...]:
    """``(threshold, the day it was reached)`` for every run that reached a threshold.

    A run reaches 7 on its 7th counted day (grace days do not count). Sorted by day,
    then threshold, so the list reads as a history.
    """
    reached: list[tuple[int, dt.date]] = []
    for run in _runs_of_days(days, grace):
        for threshold in thresholds:
            if 0 < threshold <= len(run):
                reached.append((threshold, run[threshold - 1]))
    return tuple(sorted(reached, key=lambda item: (item[1], item[0])))


def _decay(half_life: float) -> float:
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    return 0.5 ** (1 / half_life)


def consistency_series(
    days: Iterable[dt.date],
    first_day: dt.date | None,
    last_day: dt.date,
    half_life: float = HALF_LIFE_DAYS,
) -> tuple[tuple[dt.date, float], ...]:
    """The consistency score (0-100) at the end of every day from ``first_day`` to ``last_day``.

    The score is an exponentially weighted share of counted days since ``first_day``:

        score(n) = 100 * sum(w**k * x[n-k] for k in 0..n) / sum(w**k for k in 0..n)
        w = 0.5 ** (1 / half_life)

    where ``x[i]`` is 1 on a counted day and 0 on a missed one. A day ``half_life``
    days back weighs half as much as the latest day, so a missed day lowers the score
    a little and a run of written days raises it again, but it never resets to zero;
    this is the habit-strength idea of habit trackers such as Loop. Dividing by the sum
    of the weights (not by ``1 / (1 - w)``) keeps a new journal from starting near 0:
    a perfect first week scores 100, not 29.
    """
    if first_day is None or last_day < first_day:
        return ()
    counted = frozenset(days)
    w = _decay(half_life)
    weighted = 0.0  # sum of w**k * x[n-k]
    total = 0.0  # sum of w**k
    series: list[tuple[dt.date, float]] = []
    day = first_day
    while day <= last_day:
        weighted = weighted * w + (1.0 if day in counted else 0.0)
        total = total * w + 1.0
        series.append((day, 100.0 * weighted / total))
        day += _ONE_DAY
    return tuple(series)


def consistency(
    days: Iterable[dt.date],
    today: dt.date,
    first_day: dt.date | None,
    half_life: float = HALF_LIFE_DAYS,
) -> float:
    """The consistency score (0-100) today; see ``consistency_series`` for the formula.

    Today is not over: while today has nothing yet the score is the one at the end of
    yesterday, just as the current streak is. 0.0 for a journal with no counted days.
    """
    counted = frozenset(d for d in days if d <= today)
    if first_day is None or not counted:
        return 0.0
    last_day = today if today in counted else today - _ONE_DAY
    series = consistency_series(counted, first_day, last_day, half_life)
    if not series:
        return 0.0
    score = series[-1][1]
    # Floating-point sums of identical weights can land a hair off; keep 0..100 exact.
    return 100.0 if math.isclose(score, 100.0) else min(max(score, 0.0), 100.0)
