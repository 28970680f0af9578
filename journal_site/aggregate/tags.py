"""Tags: one slug per tag, counts, and each tag's entries and wins.

A tag's *entries* are the entries that list it in their own ``tags``; its *wins* are
the wins of those entries plus every win that carries the tag itself, each once (the
counting DESIGN.md gives for ``journal stats --json``). A tag that only setbacks
carry still has a page, for its lessons.

Two different spellings that would share a slug ("Self care" and "self-care") would
share a page, so they are an error naming both and a file where each appears.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.aggregate.wins import WinRecord, wins_in
from journal_site.errors import JournalError, Problem
from journal_site.model import Entry
from journal_site.text import slugify


@dataclass(frozen=True, slots=True)
class TagInfo:
    name: str
    slug: str
    entries: tuple[Entry, ...]
    """Entries listing the tag in their own tags, oldest first."""
    wins: tuple[WinRecord, ...]
    """Wins of those entries plus wins carrying the tag themselves, oldest first."""
    setbacks: int
    """Setbacks filed under the tag (their own tags or their entry's)."""
    related: tuple[Entry, ...]
    """Every entry where the tag appears at all (entry, win or setback), oldest first."""


def tag_url(slug: str) -> str:
    return f"tags/{slug}/"


def tag_slugs(entries: Sequence[Entry], content: str = "content") -> dict[str, str]:
    """Tag -> slug for every tag used anywhere; JournalError when two tags share a slug."""
    return tag_slugs_since(entries, None, 0, content)[0]


SlugState = tuple[dict[str, tuple[str, int | None, int]], dict[str, str]]
"""What ``tag_slugs_since`` leaves for the next model: where each tag is first seen
(the file, the line, the entry's place), in that order, and the slugs."""


def tag_slugs_since(
    entries: Sequence[Entry], state: SlugState | None, same: int, content: str = "content"
) -> tuple[dict[str, str], SlugState]:
    """``tag_slugs``, taking up ``state`` (what this left for entries whose first
    ``same`` are these, see ``Memo.fold``): the tags first seen in those are kept, and
    slugs equal to the last ones are the same dict."""
    first_seen: dict[str, tuple[str, int | None, int]] = {}
    if state is None:
        same = 0
    else:
        first_seen = {tag: seen for tag, seen in state[0].items() if seen[2] < same}
    for position in range(same, len(entries)):
        entry = entries[position]
        where = f"{content}/{entry.source}"
        for tag in entry.tags:
            first_seen.setdefault(tag, (where, None, position))
        for item in (*entry.wins, *entry.setbacks):
            for tag in item.tags:
                first_seen.setdefault(tag, (where, item.line, position))
    slugs: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for tag, (path, line, _) in first_seen.items():
        slug = slugify(tag)
        other = owner.get(slug)
        if other is not None:
            other_path, other_line, _ = first_seen[other]
            other_where = other_path if other_line is None else f"{other_path}:{other_line}"
            problems.append(
                Problem(
                    path,
                    line,
                    f"tag {tag!r} and tag {other!r} (in {other_where}) would share the page "
                    f"/tags/{slug}/; spell them the same way",
                )
            )
            continue
        owner[slug] = tag
        slugs[tag] = slug
    if problems:
        raise JournalError(problems)
    if state is not None and list(slugs.items()) == list(state[1].items()):  # and in order
        slugs = state[1]
    return slugs, (first_seen, slugs)


def tag_index(
    entries: Sequence[Entry], wins: Sequence[WinRecord], slugs: dict[str, str]
) -> tuple[TagInfo, ...]:
    """Every tag with its entries and wins, most used first (then by name); ``wins``
    are the records of ``entries``, numbered from 1 (``numbered_wins``)."""
    return tag_index_since(entries, None, 0, wins, slugs)[0]


TagState = tuple[dict[str, TagInfo], dict[str, tuple[list[int], list[int], list[int]]]]
"""What ``tag_index_since`` leaves for the next model: each tag's info, and where
(which entry) each item of its entries, related entries and setbacks comes from."""


def tag_index_since(
    entries: Sequence[Entry],
    state: TagState | None,
    same: int,
    wins: Sequence[WinRecord],
    slugs: dict[str, str],
) -> tuple[tuple[TagInfo, ...], TagState]:
    """``tag_index``, taking up ``state`` (what this left for entries whose first
    ``same`` are these, see ``Memo.fold``): each tag's lists are kept up to those
    entries and go on from there, and a tag that nothing after them touches keeps its
    info, the same object."""
    infos, places = state if state is not None else ({}, {})
    if state is None:
        same = 0
    kept = wins_in(entries[:same])
    number = operator.attrgetter("number")
    # A tag's lists up to the entries kept: where its entries, related entries and
    # setbacks come from, those entries, and its wins; made when the tag is touched.
    lists: dict[str, tuple[list[Any], ...]] = {}

    def touch(tag: str) -> tuple[list[Any], ...]:
        held = lists.get(tag)
        if held is None:
            info = infos.get(tag)
            if info is None:
                held = lists[tag] = ([], [], [], [], [], [])
                return held
            at, related_at, setbacks_at = places[tag]
            cut = bisect.bisect_left(at, same)
            related_cut = bisect.bisect_left(related_at, same)
            wins_cut = bisect.bisect_right(info.wins, kept, key=number)
            held = lists[tag] = (
                at[:cut],
                list(info.entries[:cut]),
                related_at[:related_cut],
                list(info.related[:related_cut]),
                setbacks_at[: bisect.bisect_left(setbacks_at, same)],
                list(info.wins[:wins_cut]),
            )
        return held

    for tag, info in infos.items():  # what reaches past the entries kept is cut back
        at, related_at, setbacks_at = places[tag]
        if (
            (at and at[-1] >= same)
            or (related_at and related_at[-1] >= same)
            or (setbacks_at and setbacks_at[-1] >= same)
            or (info.wins and info.wins[-1].number > kept)
        ):
            touch(tag)
    for position in range(same, len(entries)):
        entry = entries[position]
        for tag in entry.tags:
            held = touch(tag)
            held[0].append(position)
            held[1].append(entry)
        for tag in entry.all_tags():
            held = touch(tag)
            held[2].append(position)
            held[3].append(entry)
        for setback in entry.setbacks:
            for tag in dict.fromkeys((*setback.tags, *entry.tags)):
                touch(tag)[4].append(position)
    for record in wins[kept:]:
        # record.tags is the win's tags plus its entry's tags, each once: exactly the rule.
        for tag in record.tags:
            touch(tag)[5].append(record)
    made: dict[str, TagInfo] = {}
    made_places = {}
    for tag, slug in slugs.items():
        held = lists.get(tag)
        info = infos.get(tag)
        if held is None and info is not None and info.slug == slug:
            made[tag], made_places[tag] = info, places[tag]
            continue
        held = held or ([], [], [], [], [], [])
        made[tag] = TagInfo(
            name=tag,
            slug=slug,
            entries=tuple(held[1]),
            wins=tuple(held[5]),
            setbacks=len(held[4]),
            related=tuple(held[3]),
        )
        made_places[tag] = (held[0], held[2], held[4])
    ordered = sorted(
        made.values(), key=lambda t: (-(len(t.entries) + len(t.wins)), t.name.casefold())
    )
    return tuple(ordered), (made, made_places)
