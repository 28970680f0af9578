"""A model's memo (pages/memo.py ``Memo``): what ``journal serve`` makes of an entry
for one model is handed to the next while the entry is the same object (its file
unchanged), so that the records are the same objects and their digests are carried
(engine/keys.py); an entry read again gets records made anew."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from journal_site.aggregate import streaks
from journal_site.aggregate.lessons import all_lessons
from journal_site.aggregate.recall import index_wins_by_tag
from journal_site.aggregate.review_book import ReviewBook
from journal_site.aggregate.tags import tag_index, tag_slugs
from journal_site.aggregate.urls import entry_urls
from journal_site.aggregate.wins import numbered_wins
from journal_site.config import Config
from journal_site.loader import Journal
from journal_site.model import EntrySummary, Setback, Win
from journal_site.pages import Memo, SiteModel, make_model
from journal_site.pages.memo import same_prefix


def _summary(
    day: int,
    tags: tuple[str, ...],
    wins: Sequence[Win],
    setbacks: Sequence[Setback],
    draft: bool = False,
) -> EntrySummary:
    """The summary of the entry of 2026-01-``day``."""
    return EntrySummary(
        source=f"2026-01-{day:02d}.md",
        day=dt.date(2026, 1, day),
        time=None,
        title=f"Day {day}",
        title_is_default=False,
        tags=tags,
        mood=None,
        wins=tuple(wins),
        setbacks=tuple(setbacks),
        draft=draft,
        slug=str(day),
    )


def _entry(number: int, wins: int = 2, setbacks: int = 1) -> EntrySummary:
    return _summary(
        number,
        ("health",) if number % 2 else (),
        [Win(f"win {number}.{i}", tags=("work",) * (i % 2)) for i in range(wins)],
        [Setback(f"setback {number}.{i}", "a lesson") for i in range(setbacks)],
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


def test_a_fold_takes_up_the_last_state_from_the_first_entry_that_changed() -> None:
    memo = Memo()
    a, b, c = _entry(1), _entry(2), _entry(3)
    seen: list[tuple[object, int]] = []

    def count(entries: object, state: object, same: int) -> tuple[int, str]:
        seen.append((state, same))
        return same, f"state {len(seen)}"

    memo.fold("kind", (a, b, c), "x", count)
    memo.fold("kind", (a, b, dataclasses.replace(c)), "x", count)  # c read again
    memo.fold("kind", (a, b), "x", count)  # c deleted
    memo.fold("kind", (a, b), "y", count)  # made with something else: from nothing
    memo.fold("other", (a, b), "y", count)  # another kind: its own state
    assert seen == [(None, 0), ("state 1", 2), ("state 2", 2), (None, 0), (None, 0)]
    assert same_prefix((a, b, c), (a, c)) == 1
    assert same_prefix((a, b), (a, b, c)) == same_prefix((a, b, c), (a, b)) == 2
    assert same_prefix((), (a,)) == 0


TAGS = ("work", "health", "Family", "sleep")


@st.composite
def _entries(draw: st.DrawFn, day: int) -> EntrySummary:
    """An entry of 2026-01-``day`` with tags on it, its wins and its setbacks."""
    tags = st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple)
    return _summary(
        day,
        draw(tags),
        [Win(f"win {day}.{i}", tags=draw(tags)) for i in range(draw(st.integers(0, 3)))],
        [
            Setback(f"setback {day}.{i}", "", tags=draw(tags))
            for i in range(draw(st.integers(0, 2)))
        ],
        draft=draw(st.booleans().map(lambda b: b and day % 3 == 0)),
    )


EDITS = st.lists(
    st.tuples(st.sampled_from(["edit", "again", "add", "remove"]), st.integers(1, 28))
)


@given(data=st.data(), days=st.sets(st.integers(1, 28), max_size=14), edits=EDITS)
def test_aggregates_taken_up_from_the_last_model_are_those_made_anew(
    data: st.DataObject, days: set[int], edits: list[tuple[str, int]]
) -> None:
    """Models in a row, each after an edit (an entry changed, read again unchanged,
    added or removed), all with one memo: the numbered wins, the tag index, the wins
    by tag, the URLs, the tag slugs and the streaks taken up from the last model equal
    those made from nothing;
    a tag that nothing after the first changed entry touches keeps its info, the same
    object, and the streaks of the same counted days are the last model's."""
    memo = Memo()
    config = Config(root=Path("journal"))
    today = dt.date(2026, 2, 1)
    by_day = {day: data.draw(_entries(day)) for day in sorted(days)}
    before: SiteModel | None = None
    for kind, day in [("again", 0), *edits[:8]]:
        if kind in ("edit", "add"):
            by_day[day] = data.draw(_entries(day))
        elif kind == "remove":
            by_day.pop(day, None)
        elif kind == "again" and day in by_day:  # equal, read again: another object
            by_day[day] = dataclasses.replace(by_day[day])
        journal = Journal(entries=tuple(by_day[d] for d in sorted(by_day)), goals=(), assets=())
        model = make_model(config, journal, today, drafts=True, check=False, memo=memo)
        fresh = make_model(config, journal, today, drafts=True, check=False)
        entries = model.entries
        wins = numbered_wins(entries)
        assert model.win_records == wins == fresh.win_records
        assert model.tag_infos == tag_index(entries, wins, tag_slugs(entries))
        assert model.wins_by_tag == index_wins_by_tag(entries)
        assert model.urls == entry_urls(entries) == fresh.urls
        assert list(model.tag_slugs.items()) == list(fresh.tag_slugs.items())
        # The review book first: what it makes of the counted days is not the model's.
        book, alone = model.review_book, ReviewBook(entries, (), today, "entry", 0)
        assert (book.run_start, book.scores) == (alone.run_start, alone.scores)
        days, grace = model.counted_days, config.streak_grace
        assert model.streak_runs == streaks.streak_runs(days, grace)
        assert model.streak_summary == streaks.summarize(days, today, grace)
        assert model.streak_milestones == streaks.streak_milestones(days, grace)
        assert model.consistency == streaks.consistency(days, today, model.first_day)
        streak_aggregates = ("streak_runs", "streak_summary", "streak_milestones")
        if before is not None and model.counted_days == before.counted_days:
            # The same days count: their streaks are the last model's, not made again.
            for name in streak_aggregates:
                assert getattr(model, name) is getattr(before, name)
        if before is not None:
            same = same_prefix(entries, before.entries)
            if same == len(entries) == len(before.entries):
                assert model.urls is before.urls
            if list(model.tag_slugs.items()) == list(before.tag_slugs.items()):
                assert model.tag_slugs is before.tag_slugs
            later = {tag for entry in entries[same:] for tag in entry.all_tags()}
            kept = {id(entry) for entry in entries[:same]}
            for info in before.tag_infos:
                if info.name not in later and all(id(e) in kept for e in info.related):
                    assert next(t for t in model.tag_infos if t.name == info.name) is info
        before = model
