"""The values a journal is made of. Frozen and slotted: stages pass them on, never change them.

Values refer to each other by key (a goal by its slug, an entry by its source path),
not by object graphs, so that any one of them can be cached or re-read alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Win:
    text: str
    tags: tuple[str, ...] = ()
    """Tags of this win alone (the entry's tags are not repeated here)."""
    goal: str | None = None
    """Slug of the goal this win is progress on."""
    line: int | None = None
    """Line of the win in its source file, for error messages."""
    proud: bool = False
    """A win to celebrate (``proud: true``, or a ``Proud:`` line): first in reviews, marked."""


@dataclass(frozen=True, slots=True)
class Setback:
    text: str
    reframe: str = ""
    """What the setback taught; empty when none is written yet."""
    tags: tuple[str, ...] = ()
    line: int | None = None


class _EntryFacts:
    """What an entry and its summary both say: read from their front-matter fields."""

    __slots__ = ()
    day: dt.date
    time: dt.time | None
    source: str
    tags: tuple[str, ...]
    wins: tuple[Win, ...]
    setbacks: tuple[Setback, ...]

    @property
    def sort_key(self) -> tuple[dt.date, dt.time, str]:
        return (self.day, self.time or dt.time.min, self.source)

    def all_tags(self) -> tuple[str, ...]:
        """The entry's tags followed by tags that only its wins or setbacks carry."""
        more = [tag for item in (*self.wins, *self.setbacks) for tag in item.tags]
        if not more:
            return self.tags
        return tuple(dict.fromkeys((*self.tags, *more)))


@dataclass(frozen=True, slots=True)
class EntrySummary(_EntryFacts):
    """An entry as pages that show no bodies receive it: everything its front matter
    says, and no body. It has no ``body_html`` or ``text``: a template that asks for
    them fails the build (see render.py), and so does any code that reads them."""

    source: str
    """Path of the Markdown file relative to the content folder, with forward slashes."""
    day: dt.date
    """The calendar day the entry counts for."""
    time: dt.time | None
    """Time of day when front matter gives a date-time."""
    title: str
    title_is_default: bool
    """True when no title was written and one was derived from the date."""
    tags: tuple[str, ...]
    mood: int | None
    wins: tuple[Win, ...]
    setbacks: tuple[Setback, ...]
    draft: bool
    slug: str
    """Used in the URL of a second entry on the same day."""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    """Front-matter keys this tool does not know, handed to templates as they are."""
    private: bool = False
    """``private: true``: never in a share build (``journal share``)."""


BODY_FIELDS = ("body_html", "text")
"""What an Entry has and its EntrySummary has not."""

ENTRY_LINK_PREFIX = "journal-entry:"
"""In an entry's ``body_html``, a link to another entry's Markdown file points at this
prefix and that file (markdown.py); the render stage puts the entry's URL in its place."""


@dataclass(frozen=True, slots=True)
class Entry(_EntryFacts):
    """One entry: its front matter (see EntrySummary) and its body."""

    source: str
    day: dt.date
    time: dt.time | None
    title: str
    title_is_default: bool
    tags: tuple[str, ...]
    mood: int | None
    wins: tuple[Win, ...]
    setbacks: tuple[Setback, ...]
    draft: bool
    body_html: str
    """The body rendered to HTML; links to other entries are left as markers (see markdown.py)."""
    text: str
    """The body as plain text, for search and excerpts."""
    slug: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    private: bool = False

    def summary(self) -> EntrySummary:
        """This entry without its body: all that pages other than its own, the timeline
        and home show of it."""
        return EntrySummary(
            self.source,
            self.day,
            self.time,
            self.title,
            self.title_is_default,
            self.tags,
            self.mood,
            self.wins,
            self.setbacks,
            self.draft,
            self.slug,
            self.extra,
            self.private,
        )


AnyEntry = Entry | EntrySummary
"""An entry with or without its body: what aggregates that read no body accept."""


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    done: bool
    """Ticked in the goal file (``[x] ...``); a linked win with the same text also completes it."""


@dataclass(frozen=True, slots=True)
class Goal:
    slug: str
    source: str
    """Path relative to the content folder; empty for a goal implied by wins alone."""
    title: str
    target: dt.date | None
    steps: tuple[Step, ...]
    body_html: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True, slots=True)
class Asset:
    source: str
    """Path relative to the content folder of a non-Markdown file, copied as it is."""
