"""Lessons: every setback with its reframe, grouped by tag, newest first.

A setback is filed under each of its own tags and its entry's tags, so it can appear
in more than one group; a setback with no tag at all goes in a last, untagged group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from journal_site.model import Entry, Setback


@dataclass(frozen=True, slots=True)
class Lesson:
    setback: Setback
    entry: Entry
    tags: tuple[str, ...]
    """The setback's own tags, then its entry's, each once."""


@dataclass(frozen=True, slots=True)
class LessonGroup:
    tag: str | None
    """None for the group of setbacks with no tag."""
    lessons: tuple[Lesson, ...]
    """Newest first."""

    @property
    def with_reframe(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.setback.reframe)


def all_lessons(entries: Sequence[Entry], of: Of | None = None) -> tuple[Lesson, ...]:
    """Every setback, newest first (within one entry, in the order written); ``of`` (a
    model's ``Memo.of``) gives an entry's lessons made for the last model when the entry
    is the same."""
    out: list[Lesson] = []
    for entry in reversed(entries):
        if not entry.setbacks:
            continue
        if of is None:
            out.extend(_entry_lessons(entry))
        else:
            out.extend(of("lessons", entry, None, lambda e=entry: _entry_lessons(e)))
    return tuple(out)


def _entry_lessons(entry: Entry) -> tuple[Lesson, ...]:
    return tuple(
        Lesson(setback, entry, tuple(dict.fromkeys((*setback.tags, *entry.tags))))
        for setback in entry.setbacks
    )


Of = Callable[[str, Entry, None, Callable[[], tuple[Lesson, ...]]], tuple[Lesson, ...]]
"""What the lessons of one entry are made through: a model's ``Memo.of``."""


def lessons_by_tag(lessons: Sequence[Lesson]) -> tuple[LessonGroup, ...]:
    """Groups by tag, largest first then by name; the untagged group last."""
    groups: dict[str, list[Lesson]] = {}
    untagged: list[Lesson] = []
    for lesson in lessons:
        if not lesson.tags:
            untagged.append(lesson)
        for tag in lesson.tags:
            groups.setdefault(tag, []).append(lesson)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold()))
    result = [LessonGroup(tag, tuple(items)) for tag, items in ordered]
    if untagged:
        result.append(LessonGroup(None, tuple(untagged)))
    return tuple(result)
