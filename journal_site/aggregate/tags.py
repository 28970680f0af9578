"""Tags: one slug per tag, counts, and each tag's entries and wins.

A tag's *entries* are the entries that list it in their own ``tags``; its *wins* are
the wins of those entries plus every win that carries the tag itself, each once (the
counting DESIGN.md gives for ``journal stats --json``). A tag that only setbacks
carry still has a page, for its lessons.

Two different spellings that would share a slug ("Self care" and "self-care") would
share a page, so they are an error naming both and a file where each appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journal_site.aggregate.wins import WinRecord
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
    first_seen: dict[str, tuple[str, int | None]] = {}
    for entry in entries:
        where = f"{content}/{entry.source}"
        for tag in entry.tags:
            first_seen.setdefault(tag, (where, None))
        for item in (*entry.wins, *entry.setbacks):
            for tag in item.tags:
                first_seen.setdefault(tag, (where, item.line))
    slugs: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for tag, (path, line) in first_seen.items():
        slug = slugify(tag)
        other = owner.get(slug)
        if other is not None:
            other_path, other_line = first_seen[other]
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
    return slugs


def tag_index(
    entries: Sequence[Entry], wins: Sequence[WinRecord], slugs: dict[str, str]
) -> tuple[TagInfo, ...]:
    """Every tag with its entries and wins, most used first (then by name)."""
    tagged_entries: dict[str, list[Entry]] = {tag: [] for tag in slugs}
    related: dict[str, list[Entry]] = {tag: [] for tag in slugs}
    setbacks: dict[str, int] = dict.fromkeys(slugs, 0)
    for entry in entries:
        for tag in entry.tags:
            tagged_entries[tag].append(entry)
        for tag in entry.all_tags():
            related[tag].append(entry)
        for setback in entry.setbacks:
            for tag in dict.fromkeys((*setback.tags, *entry.tags)):
                setbacks[tag] += 1
    tag_wins: dict[str, list[WinRecord]] = {tag: [] for tag in slugs}
    for record in wins:
        # record.tags is the win's tags plus its entry's tags, each once: exactly the rule.
        for tag in record.tags:
            tag_wins[tag].append(record)
    infos = [
        TagInfo(
            name=tag,
            slug=slug,
            entries=tuple(tagged_entries[tag]),
            wins=tuple(tag_wins[tag]),
            setbacks=setbacks[tag],
            related=tuple(related[tag]),
        )
        for tag, slug in slugs.items()
    ]
    infos.sort(key=lambda t: (-(len(t.entries) + len(t.wins)), t.name.casefold()))
    return tuple(infos)
