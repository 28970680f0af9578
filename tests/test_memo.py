"""A model's memo (pages/memo.py ``Memo``): what ``journal serve`` makes of an entry
for one model is handed to the next while the entry is the same object (its file
unchanged), so that the records are the same objects and their digests are carried
(engine/keys.py); an entry read again gets records made anew."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from journal_site.aggregate.lessons import all_lessons
from journal_site.aggregate.wins import numbered_wins
from journal_site.model import EntrySummary, Setback, Win
from journal_site.pages import Memo


def _entry(number: int, wins: int = 2, setbacks: int = 1) -> EntrySummary:
    return EntrySummary(
        source=f"2026-01-{number:02d}.md",
        day=dt.date(2026, 1, number),
        time=None,
        title=f"Day {number}",
        title_is_default=False,
        tags=("health",) if number % 2 else (),
        mood=None,
        wins=tuple(Win(f"win {number}.{i}", tags=("work",) * (i % 2)) for i in range(wins)),
        setbacks=tuple(Setback(f"setback {number}.{i}", "a lesson") for i in range(setbacks)),
        draft=False,
        slug=str(number),
    )


def test_the_same_entry_gets_the_same_value_until_a_model_no_longer_asks() -> None:
    memo, entry = Memo(), _entry(1)
    made = memo.of("wins", entry, 1, lambda: ("made", 1))
    assert memo.of("wins", entry, 1, lambda: ("made", 2)) is made
    memo.turn()  # the next model
    assert memo.of("wins", entry, 1, lambda: ("made", 3)) is made
    assert memo.of("wins", entry, 2, lambda: ("made", 4)) == ("made", 4)  # another number
    twin = dataclasses.replace(entry)  # equal, but read again: not the same object
    made_twin = memo.of("wins", twin, 1, lambda: ("made", 5))
    assert made_twin == ("made", 5)
    memo.turn()
    memo.turn()  # a model that asked for nothing (a build stopped early) forgets nothing
    assert memo.of("wins", twin, 1, lambda: ("made", 6)) is made_twin  # asked for alone
    memo.turn()
    assert memo.of("wins", entry, 1, lambda: ("made", 7)) == ("made", 7)  # forgotten


@given(
    counts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8),
    changed=st.integers(0, 7),
    added=st.integers(0, 2),
)
def test_records_through_the_memo_are_those_made_without_it(
    counts: list[tuple[int, int]], changed: int, added: int
) -> None:
    """Two models in a row, the second with one entry read again with more wins (which
    moves the number of every later win): the wins and lessons made through the memo
    equal those made without it, and an unchanged entry's records are the same objects
    as long as their numbers are."""
    memo = Memo()
    entries = [_entry(n + 1, w, s) for n, (w, s) in enumerate(counts)]
    first_wins = numbered_wins(entries, of=memo.of)
    first_lessons = all_lessons(entries, memo.of)
    assert first_wins == numbered_wins(entries)
    assert first_lessons == all_lessons(entries)

    memo.turn()
    changed %= len(entries)
    w, s = counts[changed]
    entries[changed] = _entry(changed + 1, w + added, s)
    wins = numbered_wins(entries, of=memo.of)
    lessons = all_lessons(entries, memo.of)
    assert wins == numbered_wins(entries)
    assert lessons == all_lessons(entries)
    before = {(id(r.entry), r.index): r for r in first_wins}
    for record in wins:
        kept = before.get((id(record.entry), record.index))
        if kept is not None and kept.number == record.number:
            assert kept is record
    before_lessons = {id(lesson.setback): lesson for lesson in first_lessons}
    for lesson in lessons:
        if lesson.entry is not entries[changed]:
            assert before_lessons[id(lesson.setback)] is lesson
