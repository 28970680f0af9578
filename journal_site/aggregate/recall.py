"""Earlier wins to recall ("You have been here before") on the page of an entry with a setback.

A hard day is easier to carry beside proof that similar days have been got through
before. For an entry with a setback, the wins to recall are earlier wins, from non-draft
entries dated before its day, that share a tag with one of its setbacks; when no
earlier win does, those that share a tag with the entry itself. A win's tags are its
own and its entry's (as on the wins wall and the tag pages).

At most three are shown, each from a different entry: three days that went well say
"you got through this before" better than three wins of one good day. The entries are
the most recent ones with such a win, newest first (by day, then their order within a
day), and of each the first such win as written.

Wins are indexed by tag once per model (``index_wins_by_tag``), so each entry's choice
costs a binary search and a few steps per tag, not a pass over every win. One page
alone (the page of an entry just saved, shown before the rest of the site is planned)
walks back from its entry instead (``scan_back``), which gives the same wins.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from journal_site.model import AnyEntry, Win

RECALLED_WINS = 3
"""How many earlier wins an entry page shows at most."""

WinAt = tuple[int, int]
"""A win by place: (index of its entry in the sorted entries, index in the entry's wins)."""


@dataclass(frozen=True, slots=True)
class TaggedWins:
    """The wins carrying one tag, oldest first."""

    days: tuple[dt.date, ...]
    """The day of each win, for a binary search by day."""
    places: tuple[WinAt, ...]


def index_wins_by_tag(entries: Sequence[AnyEntry]) -> dict[str, TaggedWins]:
    """Tag -> the wins that carry it (own tags or their entry's), drafts left out.

    ``entries`` are sorted (``Entry.sort_key``), so each tag's wins come out oldest first.
    """
    return index_wins_by_tag_since(entries, None, 0)[0]


def index_wins_by_tag_since(
    entries: Sequence[AnyEntry], state: dict[str, TaggedWins] | None, same: int
) -> tuple[dict[str, TaggedWins], dict[str, TaggedWins]]:
    """``index_wins_by_tag``, taking up ``state`` (what this gave for entries whose
    first ``same`` are these, see ``Memo.fold``): each tag's wins are kept up to those
    entries and go on from there; a tag that nothing after them touches keeps its
    ``TaggedWins``, the same object (tags in no particular order). Returns the index
    twice: as the value, and as the state for the next model."""
    if state is None:
        state, same = {}, 0
    days: dict[str, list[dt.date]] = {}
    places: dict[str, list[WinAt]] = {}
    index: dict[str, TaggedWins] = {}
    for tag, tagged in state.items():
        cut = bisect.bisect_left(tagged.places, (same,))  # the first place at or after it
        if cut == len(tagged.places):
            index[tag] = tagged
        elif cut:
            days[tag], places[tag] = list(tagged.days[:cut]), list(tagged.places[:cut])
    for entry_index in range(same, len(entries)):
        entry = entries[entry_index]
        if entry.draft or not entry.wins:
            continue
        day = entry.day
        for win_index, win in enumerate(entry.wins):
            tags = dict.fromkeys((*win.tags, *entry.tags)) if win.tags else entry.tags
            for tag in tags:
                if tag not in days:
                    tagged = index.pop(tag, None)
                    days[tag] = list(tagged.days) if tagged is not None else []
                    places[tag] = list(tagged.places) if tagged is not None else []
                days[tag].append(day)
                places[tag].append((entry_index, win_index))
    for tag in days:
        index[tag] = TaggedWins(tuple(days[tag]), tuple(places[tag]))
    return index, index  # the index is the state the next model takes up


def latest_wins_before(
    index: Mapping[str, TaggedWins], tags: Iterable[str], day: dt.date, limit: int
) -> list[WinAt]:
    """Wins dated before ``day`` that carry any of ``tags``: the first such win of each
    of the ``limit`` most recent entries that have one, most recent entry first."""
    found: dict[int, int] = {}  # entry index -> its first matching win
    for tag in tags:
        tagged = index.get(tag)
        if tagged is None:
            continue
        # Walk back to this tag's ``limit`` latest entries, every matching win of each:
        # the overall latest entries are among each tag's own latest ones.
        seen: set[int] = set()
        at = bisect.bisect_left(tagged.days, day) - 1
        while at >= 0:
            entry_index, win_index = tagged.places[at]
            if entry_index not in seen:
                if len(seen) == limit:
                    break
                seen.add(entry_index)
            found[entry_index] = min(win_index, found.get(entry_index, win_index))
            at -= 1
    latest = sorted(found, reverse=True)[:limit]
    return [(entry_index, found[entry_index]) for entry_index in latest]


def scan_back(
    entries: Sequence[AnyEntry], tags: Iterable[str], position: int, limit: int
) -> list[WinAt]:
    """What ``latest_wins_before`` finds for the entry at ``position``, by walking back
    from it without an index: the first win carrying one of ``tags`` of each of the
    ``limit`` most recent earlier entries that have one."""
    wanted = set(tags)
    day = entries[position].day
    found: list[WinAt] = []
    at = position - 1
    while at >= 0 and len(found) < limit and wanted:
        entry = entries[at]
        if entry.day < day and not entry.draft:
            for win_index, win in enumerate(entry.wins):
                if not wanted.isdisjoint(win.tags) or not wanted.isdisjoint(entry.tags):
                    found.append((at, win_index))
                    break
        at -= 1
    return found


def wins_to_recall(
    entries: Sequence[AnyEntry],
    index: Mapping[str, TaggedWins] | None,
    position: int,
    limit: int = RECALLED_WINS,
) -> tuple[tuple[AnyEntry, Win], ...]:
    """The earlier wins the page of ``entries[position]`` recalls, most recent first, as
    (entry, win); none when the entry has no setback. Without ``index``, found by
    walking back (``scan_back``)."""
    entry = entries[position]
    if not entry.setbacks:
        return ()

    def latest(tags: Iterable[str]) -> list[WinAt]:
        if index is None:
            return scan_back(entries, tags, position, limit)
        return latest_wins_before(index, tags, entry.day, limit)

    places = latest(dict.fromkeys(tag for s in entry.setbacks for tag in s.tags))
    if not places:
        places = latest(entry.tags)
    return tuple((entries[e], entries[e].wins[w]) for e, w in places)
