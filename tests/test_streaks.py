"""Streaks and consistency against hand-worked examples, plus a few properties."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_site.aggregate.streaks import (
    HALF_LIFE_DAYS,
    Streak,
    StreakSummary,
    consistency,
    consistency_series,
    counted_days,
    streak_milestones,
    streak_runs,
    summarize,
)
from journal_site.parse import parse_entry

NOV = dt.date(2026, 11, 1)


def nov(*days: int) -> list[dt.date]:
    return [NOV.replace(day=d) for d in days]


def entry(source: str, wins: int = 0, draft: bool = False):
    win_lines = "".join(f"\n  - win {i}" for i in range(wins))
    fm = f"draft: {'true' if draft else 'false'}\n" + (f"wins:{win_lines}\n" if wins else "")
    return parse_entry(source, f"---\n{fm}---\nText.\n")


# --- counted_days -------------------------------------------------------------------


def test_counted_days_entry_rule_merges_two_entries_a_day_and_skips_drafts_and_future():
    entries = [
        entry("2026-11-20.md"),
        entry("2026-11-20-evening.md", wins=1),  # a second entry the same day: still one day
        entry("2026-11-21.md", draft=True),  # a draft never counts
        entry("2026-11-22.md"),
        entry("2026-11-25.md", wins=2),  # after today: shown, but not counted yet
    ]
    assert counted_days(entries, "entry", dt.date(2026, 11, 24)) == frozenset(nov(20, 22))
    # The day it comes, it counts.
    assert counted_days(entries, "entry", dt.date(2026, 11, 25)) == frozenset(nov(20, 22, 25))


def test_counted_days_win_rule_needs_a_win():
    entries = [
        entry("2026-11-20.md"),  # no win
        entry("2026-11-21.md"),  # no win in the morning ...
        entry("2026-11-21-later.md", wins=1),  # ... one in the evening: the day counts
        entry("2026-11-22.md", wins=3),
        entry("2026-11-23.md", wins=1, draft=True),
    ]
    assert counted_days(entries, "win", dt.date(2026, 11, 24)) == frozenset(nov(21, 22))


def test_counted_days_rejects_unknown_rule():
    with pytest.raises(ValueError, match="entry"):
        counted_days([], "wins", NOV)


# --- runs -----------------------------------------------------------------------------


def test_runs_split_at_gaps_oldest_first():
    # 1 2 3 . 5 . . 8 9 (given out of order and with a repeat)
    assert streak_runs(nov(9, 1, 2, 3, 5, 8, 2)) == (
        Streak(NOV.replace(day=1), NOV.replace(day=3), 3),
        Streak(NOV.replace(day=5), NOV.replace(day=5), 1),
        Streak(NOV.replace(day=8), NOV.replace(day=9), 2),
    )


def test_runs_with_grace_bridge_gaps_without_adding_length():
    days = nov(1, 2, 3, 5, 8, 9)
    # grace 1: the single missed day 4 is bridged; the two missed days 6-7 are not.
    assert streak_runs(days, grace=1) == (
        Streak(NOV.replace(day=1), NOV.replace(day=5), 4),
        Streak(NOV.replace(day=8), NOV.replace(day=9), 2),
    )
    # grace 2: everything is one run of six counted days over nine calendar days.
    assert streak_runs(days, grace=2) == (Streak(NOV.replace(day=1), NOV.replace(day=9), 6),)


def test_runs_of_nothing():
    assert streak_runs([]) == ()


# --- summarize ------------------------------------------------------------------------


def test_current_streak_ends_today():
    s = summarize(nov(1, 2, 3, 5, 6, 7), today=NOV.replace(day=7))
    assert (s.current, s.current_start) == (3, NOV.replace(day=5))


def test_today_empty_keeps_yesterdays_streak():
    # Today (the 8th) has nothing yet: the day is not over, the streak 5-7 is alive.
    s = summarize(nov(1, 2, 3, 5, 6, 7), today=NOV.replace(day=8))
    assert (s.current, s.current_start) == (3, NOV.replace(day=5))


def test_yesterday_empty_ends_the_streak():
    # Nothing on the 8th, and today is the 9th: the streak 5-7 is over.
    s = summarize(nov(1, 2, 3, 5, 6, 7), today=NOV.replace(day=9))
    assert (s.current, s.current_start) == (0, None)
    # ... and writing today starts a new one of 1.
    s = summarize(nov(1, 2, 3, 5, 6, 7, 9), today=NOV.replace(day=9))
    assert (s.current, s.current_start) == (1, NOV.replace(day=9))


def test_longest_ties_go_to_the_most_recent_run():
    # Runs 1-3 and 5-7 are both 3 long: the later one is "the" longest.
    s = summarize(nov(1, 2, 3, 5, 6, 7), today=NOV.replace(day=20))
    assert (s.longest, s.longest_start, s.longest_end) == (
        3,
        NOV.replace(day=5),
        NOV.replace(day=7),
    )
    assert s.current == 0


def test_longest_is_the_longest_even_when_older():
    s = summarize(nov(1, 2, 3, 4, 10, 11), today=NOV.replace(day=11))
    assert (s.longest, s.longest_start, s.longest_end) == (
        4,
        NOV.replace(day=1),
        NOV.replace(day=4),
    )
    assert (s.current, s.current_start) == (2, NOV.replace(day=10))


def test_grace_days_keep_the_current_streak_alive():
    days = nov(1, 2, 3, 5)
    # grace 1, today the 7th: missed the 6th (one day, allowed), today not over -> alive.
    s = summarize(days, today=NOV.replace(day=7), grace=1)
    assert (s.current, s.current_start) == (4, NOV.replace(day=1))
    # today the 8th: the 6th and 7th are missed, more than one -> over.
    s = summarize(days, today=NOV.replace(day=8), grace=1)
    assert (s.current, s.longest) == (0, 4)
    # Without grace the run 1-3 is broken by the 4th.
    s = summarize(days, today=NOV.replace(day=5))
    assert (s.current, s.current_start, s.longest, s.longest_start) == (
        1,
        NOV.replace(day=5),
        3,
        NOV.replace(day=1),
    )


def test_one_entry_journal():
    s = summarize(nov(24), today=NOV.replace(day=24))
    assert s == StreakSummary(1, NOV.replace(day=24), 1, NOV.replace(day=24), NOV.replace(day=24))


def test_empty_journal():
    assert summarize([], today=NOV) == StreakSummary(0, None, 0, None, None)


def test_future_days_are_ignored_by_summarize():
    s = summarize(nov(5, 6, 7, 8, 9), today=NOV.replace(day=6))
    assert (s.current, s.longest, s.longest_end) == (2, 2, NOV.replace(day=6))


def test_win_rule_end_to_end():
    entries = [
        entry("2026-11-20.md", wins=1),
        entry("2026-11-21.md"),  # no win: breaks a "win" streak, not an "entry" one
        entry("2026-11-22.md", wins=1),
        entry("2026-11-23.md", wins=2),
    ]
    today = dt.date(2026, 11, 23)
    by_entry = summarize(counted_days(entries, "entry", today), today)
    by_win = summarize(counted_days(entries, "win", today), today)
    assert (by_entry.current, by_entry.current_start) == (4, dt.date(2026, 11, 20))
    assert (by_win.current, by_win.current_start) == (2, dt.date(2026, 11, 22))


# --- milestones -----------------------------------------------------------------------


def test_milestones_on_the_day_reached_for_every_run():
    first = [NOV + dt.timedelta(days=i) for i in range(8)]  # Nov 1-8: reaches 7 on Nov 7
    second = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(31)]  # Dec 1-31
    assert streak_milestones(first + second) == (
        (7, dt.date(2026, 11, 7)),
        (7, dt.date(2026, 12, 7)),
        (30, dt.date(2026, 12, 30)),
    )


def test_milestones_count_counted_days_not_grace_days():
    # 1..6 then 8: with grace 1 the run has 7 counted days, the 7th on the 8th.
    assert streak_milestones(nov(1, 2, 3, 4, 5, 6, 8), grace=1) == ((7, NOV.replace(day=8)),)
    assert streak_milestones(nov(1, 2, 3, 4, 5, 6, 8)) == ()


# --- consistency ----------------------------------------------------------------------

W = 0.5 ** (1 / HALF_LIFE_DAYS)  # a day's weight relative to the day after it


def test_consistency_every_day_is_100():
    assert consistency(nov(1, 2, 3), today=NOV.replace(day=3), first_day=NOV) == 100.0


def test_consistency_one_missed_day_lowers_but_does_not_reset():
    # Days 1 . 3: weights today 1, yesterday W, the day before W**2.
    expected = 100 * (1 + W**2) / (1 + W + W**2)
    score = consistency(nov(1, 3), today=NOV.replace(day=3), first_day=NOV)
    assert score == pytest.approx(expected)
    assert score == pytest.approx(66.69, abs=0.01)  # 1.9057 / (1 + .9517 + .9057)


def test_consistency_waits_for_today_like_the_streak():
    # Today (the 3rd) has nothing yet: the score is the one at the end of the 2nd.
    assert consistency(nov(1, 2), today=NOV.replace(day=3), first_day=NOV) == 100.0
    # The 4th: the 3rd was missed.
    expected = 100 * (W + W**2) / (1 + W + W**2)
    assert consistency(nov(1, 2), today=NOV.replace(day=4), first_day=NOV) == pytest.approx(
        expected
    )


def test_consistency_half_life():
    # Written on day 1 only, then 14 missed days: the one written day weighs W**14 = 1/2
    # of a day today, out of a total weight of sum(W**k, k=0..14).
    total = sum(W**k for k in range(15))
    score = consistency(nov(1), today=NOV.replace(day=16), first_day=NOV)
    assert score == pytest.approx(100 * 0.5 / total)


def test_consistency_empty_and_future():
    assert consistency([], today=NOV, first_day=None) == 0.0
    assert consistency(nov(10), today=NOV.replace(day=5), first_day=NOV) == 0.0


def test_consistency_series_matches_score_each_day():
    days = nov(1, 2, 4, 7, 8)
    series = consistency_series(days, NOV, NOV.replace(day=8))
    assert [d for d, _ in series] == [NOV.replace(day=i) for i in range(1, 9)]
    for day, value in series:
        if day in days:  # on a counted day the score "today" is the series value
            assert consistency(days, today=day, first_day=NOV) == pytest.approx(value)


# --- properties -----------------------------------------------------------------------

day_sets = st.sets(
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 6, 30)), max_size=60
)


@settings(max_examples=150, deadline=None)
@given(
    days=day_sets,
    today=st.dates(dt.date(2025, 1, 1), dt.date(2025, 7, 31)),
    grace=st.integers(0, 3),
)
def test_properties(days, today, grace):
    s = summarize(days, today, grace)
    past = {d for d in days if d <= today}
    runs = streak_runs(past, grace)
    assert s.longest >= s.current >= 0
    assert sum(r.length for r in runs) == len(past)
    for a, b in itertools.pairwise(runs):
        assert (b.start - a.end).days > grace + 1  # disjoint, separated by a real break
    for r in runs:
        assert r.length <= (r.end - r.start).days + 1
    if past:
        assert s.longest == max(r.length for r in runs)
    score = consistency(days, today, min(past) if past else None)
    assert 0.0 <= score <= 100.0
    # More grace never shortens the longest streak.
    assert summarize(days, today, grace + 1).longest >= s.longest
