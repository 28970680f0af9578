"""What the importers (import_jrnl.py, import_dayone.py) share: reading an export's
JSON, its entries and tags, and turning read entries into planned files named by
date and time (``PlannedEntry``). Pure: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal_site import conventions
from journal_site.entry_text import entry_text
from journal_site.errors import JournalError, Problem
from journal_site.text import describe, slugify

PHOTOS_DIR = "photos"
"""Where imported photos go, under content/ (one folder for all, named by checksum)."""


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    target: str
    """Path of the new entry relative to content/."""
    text: str
    label: str
    """How the entry is named in messages: its date, time and title."""
    photos: tuple[tuple[str, str], ...] = ()
    """(file name in the export's photos/, path relative to content/) for each photo to copy."""
    missing: tuple[str, ...] = ()
    """Photos the entry refers to that the export folder does not hold."""


@dataclass(frozen=True, slots=True)
class _Draft:
    """One entry read from an export, before it has a file name."""

    when: dt.datetime
    title: str
    tags: tuple[str, ...]
    body: str
    photos: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()


def _problem(file: str, message: str, line: int | None = None) -> Problem:
    return Problem(file, line, message)


def read_json(path: Path, shown: str) -> Any:
    """Parse a JSON file; a JournalError naming the file and line when it is not JSON."""
    return parse_json(path.read_bytes(), shown)


def parse_json(raw: bytes, shown: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise JournalError.single(
            shown, line, "is not UTF-8 text; expected a JSON export"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JournalError.single(
            shown,
            exc.lineno,
            f"is not valid JSON: {exc.msg} (column {exc.colno}); expected the export file itself",
        ) from exc


def _entries(
    data: Any, shown: str, app: str, example: str, problems: list[Problem]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``entries[i]``, entry) for every entry object of an export; one that is not an
    object is added to ``problems``. The export itself not being one: JournalError."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        got = (
            describe(data) if not isinstance(data, dict) else "an object without an 'entries' list"
        )
        raise JournalError.single(shown, None, f"expected a {app} export ({example}), got {got}")
    for index, item in enumerate(data["entries"]):
        where = f"entries[{index}]"
        if isinstance(item, dict):
            yield where, item
        else:
            problems.append(
                _problem(shown, f"{where}: expected an entry object, got {describe(item)}")
            )


def _export_tags(
    item: dict[str, Any], where: str, shown: str, symbols: str = "@#"
) -> list[str] | Problem:
    """An exported entry's tags, cleaned, with ``starred`` added for a starred entry."""
    tags = _text_list(item.get("tags"))
    if tags is None:
        return _problem(
            shown, f"{where}.tags: expected a list of tags, got {describe(item.get('tags'))}"
        )
    tags = _clean_tags(tags, symbols)
    if item.get("starred") is True and "starred" not in tags:
        tags.append("starred")
    return tags


def _text_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _clean_tags(tags: list[str], symbols: str = "@#") -> list[str]:
    out: dict[str, None] = {}
    for tag in tags:
        tag = tag.strip().lstrip(symbols).strip()
        if tag:
            out[tag] = None
    return list(out)


def _lift(title: str, body: str, symbols: str) -> tuple[str, str, list[Any], list[Any]]:
    """Apply the win/setback conventions to a title line and a body."""
    lifted_title = conventions.lift(title, 1, symbols)
    if lifted_title.wins or lifted_title.setbacks:
        lifted_item = (lifted_title.wins or lifted_title.setbacks)[0]
        title = lifted_item.text
    lifted = conventions.lift(body, 1, symbols)
    wins = [*lifted_title.wins, *lifted.wins]
    setbacks = [*lifted_title.setbacks, *lifted.setbacks]
    return title, lifted.body, wins, setbacks


def _name_entries(drafts: list[_Draft], symbols: str) -> list[PlannedEntry]:
    """Deterministic file names: ``YYYY/YYYY-MM-DD-HHMM.md``, ``-2`` for a second at that minute."""
    planned: list[PlannedEntry] = []
    names: dict[str, int] = {}
    slugs: dict[dt.date, set[str]] = {}
    for draft in sorted(drafts, key=lambda d: d.when):
        when = draft.when
        stem = f"{when:%Y-%m-%d-%H%M}"
        count = names.get(stem, 0) + 1
        names[stem] = count
        name = stem if count == 1 else f"{stem}-{count}"
        title, body, wins, setbacks = _lift(draft.title, draft.body, symbols)
        # The loader would take the slug from the title (the name has no letters);
        # a second same-titled entry that day gets its own slug so URLs never collide.
        slug = slugify(title) if title else slugify(name[11:])
        used = slugs.setdefault(when.date(), set())
        explicit = ""
        if slug in used:
            suffix = 2
            while f"{slug}-{suffix}" in used:
                suffix += 1
            explicit = slug = f"{slug}-{suffix}"
        used.add(slug)
        text = entry_text(
            when=when,
            title=title,
            tags=draft.tags,
            wins=wins,
            setbacks=setbacks,
            slug=explicit,
            body=body,
        )
        label = f"{when:%Y-%m-%d %H:%M}" + (f" {title}" if title else "")
        planned.append(
            PlannedEntry(
                target=f"{when:%Y}/{name}.md",
                text=text,
                label=label,
                photos=tuple((src, f"{PHOTOS_DIR}/{dst}") for src, dst in draft.photos),
                missing=draft.missing,
            )
        )
    return planned
