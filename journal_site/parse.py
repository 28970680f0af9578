"""Text -> Entry / Goal: ``parse_entry`` and ``parse_goal`` split a file's front
matter from its body, check every field (with fields.py) and render the Markdown.

They do no I/O, so tests (and a cache) can hand them text; loader.py reads the files.
Every problem of a file is collected before raising, so a user sees all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from journal_site import conventions
from journal_site.config import MarkdownOptions
from journal_site.errors import JournalError, Problem
from journal_site.fields import (
    _date_value,
    _Problems,
    _setbacks,
    _steps,
    _string,
    _tags,
    _wins,
    date_from_path,
)
from journal_site.model import Entry, Goal
from journal_site.text import describe, long_date, slugify

_SLUG_OK = re.compile(r"^[\w-]+$")
DEFAULT_MARKDOWN = MarkdownOptions()
_KNOWN_ENTRY_KEYS = {
    "date", "title", "tags", "mood", "wins", "setbacks", "draft", "private", "slug",
}  # fmt: skip
MAX_FILE_BYTES = 2_000_000
"""Largest entry or goal file read (2 MB, some 300,000 words). Far beyond any day's
entry; a bigger file would take the Markdown renderer minutes and gigabytes."""


def too_big(path: str, size: int) -> JournalError | None:
    if size <= MAX_FILE_BYTES:
        return None
    return JournalError.single(
        path,
        1,
        f"is {size:,} bytes; an entry may be at most {MAX_FILE_BYTES:,} bytes "
        "(split it, or keep big files beside it as attachments)",
    )


def _front_matter(
    path: str, text: str
) -> tuple[dict[Any, Any], dict[tuple[str | int, ...], int], int, str, int]:
    """Split and parse a file's front matter: (data, lines, its first line, body, body's first line).

    Raises JournalError for a file too big to read, invalid YAML, or front matter that
    is not a mapping.
    """
    # Imported here: a rebuild whose files are all cached never loads YAML or Markdown.
    from journal_site.frontmatter_yaml import FrontMatterError, load_yaml, split

    if (error := too_big(path, len(text))) is not None:
        raise error
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    try:
        fm, fm_line, body, body_line = split(text)
        data, lines = load_yaml(fm, fm_line) if fm is not None else ({}, {})
    except FrontMatterError as exc:
        raise JournalError.single(path, exc.line, exc.message) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise JournalError.single(
            path,
            fm_line,
            f"front matter must be keys and values (one 'key: value' per line), got {describe(data)}",
        )
    return data, lines, fm_line, body, body_line


def parse_entry(
    source: str,
    text: str,
    options: MarkdownOptions = DEFAULT_MARKDOWN,
    *,
    base_path: str = "/",
    content: str = "content",
) -> Entry:
    """Parse one entry's text; raise JournalError listing every problem in it. No I/O."""
    from journal_site.markdown import render_markdown_tags

    path = f"{content}/{source}"
    data, lines, fm_line, body, body_line = _front_matter(path, text)
    problems = _Problems(path, lines, fm_line or 1)
    for key in data:
        if not isinstance(key, str):
            problems.add((), f"front matter keys must be words, got {describe(key)}")

    file_day, file_day_error, rest = date_from_path(source)
    if file_day_error:
        problems.items.append(Problem(path, None, file_day_error))
    day, time = (None, None)
    if "date" in data:
        day, time = _date_value(data["date"], problems)
        if day and file_day and day != file_day:
            problems.add(
                ("date",),
                f"date: {day.isoformat()} contradicts the file name's date {file_day.isoformat()}; "
                "make them agree or drop one",
            )
    elif file_day:
        day = file_day
    elif not file_day_error:
        problems.items.append(
            Problem(
                path,
                fm_line or 1,
                "no date: expected 'date: YYYY-MM-DD' in front matter "
                "or a file name starting with YYYY-MM-DD",
            )
        )

    title = ""
    if data.get("title") is not None:
        title = _string(data["title"], ("title",), problems, "a title (text)") or ""
    tags = _tags(data.get("tags"), ("tags",), problems)
    mood = data.get("mood")
    if mood is not None and (
        isinstance(mood, bool) or not isinstance(mood, int) or not 1 <= mood <= 5
    ):
        problems.add(
            ("mood",),
            f"mood: expected a whole number from 1 (low) to 5 (high), got {describe(mood)}",
        )
        mood = None
    wins = _wins(data.get("wins"), problems)
    setbacks = _setbacks(data.get("setbacks"), problems)
    body, wins, setbacks = conventions.apply(body, body_line, wins, setbacks)
    draft = _flag(data, "draft", problems)
    private = _flag(data, "private", problems)
    slug = ""
    if data.get("slug") is not None:
        given = _string(data["slug"], ("slug",), problems, "a slug (text)") or ""
        if given and not _SLUG_OK.match(given):
            problems.add(
                ("slug",),
                f"slug: {given!r} may hold only letters, digits and hyphens (no '/', '.' or spaces)",
            )
        slug = slugify(given) if given else ""

    if problems.items or day is None:
        raise JournalError(problems.items)

    html, plain, inline_tags = render_markdown_tags(body, source, options, base_path)
    tags = conventions.merge_tags(tags, inline_tags)
    if not slug:
        if re.search(r"[^\W\d_]", rest):
            slug = slugify(rest)
        elif title:
            slug = slugify(title)
        else:
            slug = slugify(rest) if rest else "entry"
    extra = {k: v for k, v in data.items() if isinstance(k, str) and k not in _KNOWN_ENTRY_KEYS}
    return Entry(
        source=source,
        day=day,
        time=time,
        title=title or long_date(day),
        title_is_default=not title,
        tags=tags,
        mood=mood,
        wins=wins,
        setbacks=setbacks,
        draft=draft,
        body_html=html,
        text=plain,
        slug=slug,
        extra=extra,
        private=private,
    )


def _flag(data: dict[Any, Any], key: str, problems: _Problems) -> bool:
    """A true-or-false key of the front matter (absent or empty: false)."""
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.add((key,), f"{key}: expected true or false, got {describe(value)}")
        return False
    return value


def parse_goal(
    source: str,
    text: str,
    options: MarkdownOptions = DEFAULT_MARKDOWN,
    *,
    base_path: str = "/",
    content: str = "content",
) -> Goal:
    """Parse one goal file (``goals/<slug>.md``); raise JournalError listing every problem."""
    from journal_site.markdown import render_markdown

    path = f"{content}/{source}"
    data, lines, fm_line, body, _ = _front_matter(path, text)
    problems = _Problems(path, lines, fm_line or 1)
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = slugify(stem)
    title = stem.replace("-", " ").capitalize()
    if data.get("title") is not None:
        title = _string(data["title"], ("title",), problems, "a title (text)") or title
    target = data.get("target")
    if target is not None:
        if isinstance(target, str):
            try:
                target = dt.date.fromisoformat(target.strip())
            except ValueError:
                target = None
                problems.add(("target",), "target: expected a date like 2027-03-01")
        elif isinstance(target, dt.datetime):
            target = target.date()
        elif not isinstance(target, dt.date):
            problems.add(
                ("target",), f"target: expected a date like 2027-03-01, got {describe(target)}"
            )
            target = None
    steps = _steps(data.get("steps"), problems)
    if problems.items:
        raise JournalError(problems.items)
    html, _ = render_markdown(body, source, options, base_path)
    extra = {k: v for k, v in data.items() if k not in ("title", "target", "steps")}
    return Goal(
        slug=slug,
        source=source,
        title=title,
        target=target,
        steps=steps,
        body_html=html,
        extra=extra,
    )
