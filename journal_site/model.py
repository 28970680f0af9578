"""The values a journal is made of. Frozen and slotted: stages pass them on, never change them.

Values refer to each other by key (a goal by its slug, an entry by its source path),
not by object graphs, so that any one of them can be cached or re-read alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


def _reduce_by_fields(value: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a value as a call of its class with every field, in order: loading the
    thousands of cached entries of a rebuild this way is about a third faster than
    restoring slot state field by field."""
    return (type(value), tuple(getattr(value, name) for name in value.__slots__))


@dataclass(frozen=True, slots=True)
class Win:
    __reduce__ = _reduce_by_fields

    text: str
    tags: tuple[str, ...] = ()
    """Tags of this win alone (the entry's tags are not repeated here)."""
    goal: str | None = None
    """Slug of the goal this win is progress on."""
    line: int | None = None
    """Line of the win in its source file, for error messages."""


@dataclass(frozen=True, slots=True)
class Setback:
    __reduce__ = _reduce_by_fields

    text: str
    reframe: str = ""
    """What the setback taught; empty when none is written yet."""
    tags: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    __reduce__ = _reduce_by_fields

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
    body_html: str
    """The body rendered to HTML; links to other entries are left as markers (see markdown.py)."""
    text: str
    """The body as plain text, for search and excerpts."""
    slug: str
    """Used in the URL of a second entry on the same day."""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    """Front-matter keys this tool does not know, handed to templates as they are."""

    @property
    def sort_key(self) -> tuple[dt.date, dt.time, str]:
        return (self.day, self.time or dt.time.min, self.source)

    def head(self) -> Entry:
        """This entry without its body (``body_html`` and ``text`` empty): everything
        its front matter says, which is all that pages other than its own, the timeline
        and home show of it (see ``SiteModel.heads``)."""
        return Entry(
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
            "",
            "",
            self.slug,
            self.extra,
        )

    def all_tags(self) -> tuple[str, ...]:
        """The entry's tags followed by tags that only its wins or setbacks carry."""
        more = [tag for item in (*self.wins, *self.setbacks) for tag in item.tags]
        if not more:
            return self.tags
        return tuple(dict.fromkeys((*self.tags, *more)))


@dataclass(frozen=True, slots=True)
class Step:
    __reduce__ = _reduce_by_fields

    text: str
    done: bool
    """Ticked in the goal file (``[x] ...``); a linked win with the same text also completes it."""


@dataclass(frozen=True, slots=True)
class Goal:
    __reduce__ = _reduce_by_fields

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
    __reduce__ = _reduce_by_fields

    source: str
    """Path relative to the content folder of a non-Markdown file, copied as it is."""
