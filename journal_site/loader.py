"""Files -> Entry / Goal / Asset values. The only code that reads content/.

``parse_entry`` and ``parse_goal`` do no I/O, so tests (and a cache) can hand them
text. ``load_journal`` walks the content folder, parses every file, and collects
every problem before raising, so a user sees all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal_site import conventions
from journal_site.config import Config, MarkdownOptions
from journal_site.errors import JournalError, Problem
from journal_site.model import Asset, Entry, EntrySummary, Goal, Setback, Step, Win
from journal_site.scan import link_warnings, scan_content
from journal_site.text import describe, long_date, slugify

GOALS_DIR = "goals"
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")
_SLUG_OK = re.compile(r"^[\w-]+$")
DEFAULT_MARKDOWN = MarkdownOptions()
_KNOWN_ENTRY_KEYS = {"date", "title", "tags", "mood", "wins", "setbacks", "draft", "slug"}
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


@dataclass(frozen=True, slots=True)
class Journal:
    """Everything read from content/."""

    entries: tuple[Entry, ...] | tuple[EntrySummary, ...]
    """Every entry, drafts included, sorted by day, time and path (summaries, when
    assembled by the engine, which reads bodies only for the pages that show them)."""
    goals: tuple[Goal, ...]
    assets: tuple[Asset, ...]
    warnings: tuple[Problem, ...] = ()


class _Problems:
    """Collects the problems of one file, each at a line."""

    def __init__(self, path: str, lines: dict[tuple[str | int, ...], int], default_line: int):
        self.path = path
        self.lines = lines
        self.default_line = default_line
        self.items: list[Problem] = []

    def line(self, *key: str | int) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.default_line

    def add(self, key: tuple[str | int, ...], message: str) -> None:
        self.items.append(Problem(self.path, self.line(*key), message))


def _label(key: tuple[str | int, ...]) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _string(value: Any, key: tuple[str | int, ...], problems: _Problems, what: str) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.add(key, f"{_label(key)}: expected {what}, got {describe(value)}")
    return None


def _tags(value: Any, key: tuple[str | int, ...], problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list):
        problems.add(
            key,
            f"{_label(key)}: expected a list of tags like [work, health], got {describe(value)}",
        )
        return ()
    tags: list[str] = []
    for index, item in enumerate(value):
        text = _string(item, (*key, index), problems, "a tag (text)")
        if text is None:
            continue
        text = text.lstrip("#").strip()
        if not text:
            problems.add((*key, index), f"{_label((*key, index))}: a tag cannot be empty")
        else:
            # One tag whichever Unicode form an editor saved it in (café typed vs pasted).
            text = unicodedata.normalize("NFC", text)
            if text not in tags:
                tags.append(text)
    return tuple(tags)


def _wins(value: Any, problems: _Problems) -> tuple[Win, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(
            ("wins",),
            f"wins: expected a list of wins (one '- ...' line each), got {describe(value)}",
        )
        return ()
    wins: list[Win] = []
    for index, item in enumerate(value):
        key = ("wins", index)
        line = problems.line(*key)
        if isinstance(item, dict):
            unknown = sorted(str(k) for k in item if k not in ("text", "tags", "goal"))
            if unknown:
                problems.add(
                    key, f"{_label(key)}: unknown key '{unknown[0]}'; expected text, tags, goal"
                )
            if "text" not in item:
                problems.add(key, f"{_label(key)}: expected a mapping with 'text', got no 'text'")
                continue
            text = _string(item["text"], (*key, "text"), problems, "text")
            tags = _tags(item.get("tags"), (*key, "tags"), problems)
            goal = item.get("goal")
            goal_slug: str | None = None
            if goal is not None:
                goal_text = _string(goal, (*key, "goal"), problems, "a goal's name (text)")
                if goal_text:
                    goal_slug = slugify(goal_text)
        elif isinstance(item, str):
            text, tags, goal_slug = item.strip(), (), None
        else:
            problems.add(
                key, f"{_label(key)}: expected text or a mapping with 'text', got {describe(item)}"
            )
            continue
        if text is None:
            continue
        if not text:
            problems.add(key, f"{_label(key)}: a win cannot be empty; write what went well")
            continue
        wins.append(Win(text=text, tags=tags, goal=goal_slug, line=line))
    return tuple(wins)


def _setbacks(value: Any, problems: _Problems) -> tuple[Setback, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(
            ("setbacks",), f"setbacks: expected a list of setbacks, got {describe(value)}"
        )
        return ()
    setbacks: list[Setback] = []
    for index, item in enumerate(value):
        key = ("setbacks", index)
        line = problems.line(*key)
        reframe: str | None = ""
        tags: tuple[str, ...] = ()
        if isinstance(item, dict):
            unknown = sorted(str(k) for k in item if k not in ("text", "reframe", "tags"))
            if unknown:
                problems.add(
                    key, f"{_label(key)}: unknown key '{unknown[0]}'; expected text, reframe, tags"
                )
            if "text" not in item:
                problems.add(key, f"{_label(key)}: expected a mapping with 'text', got no 'text'")
                continue
            text = _string(item["text"], (*key, "text"), problems, "text")
            if item.get("reframe") is not None:
                reframe = _string(item["reframe"], (*key, "reframe"), problems, "text")
            tags = _tags(item.get("tags"), (*key, "tags"), problems)
        elif isinstance(item, str):
            text = item.strip()
        else:
            problems.add(
                key,
                f"{_label(key)}: expected text or a mapping with 'text' and 'reframe', got {describe(item)}",
            )
            continue
        if text is None or reframe is None:
            continue
        if not text:
            problems.add(key, f"{_label(key)}: a setback cannot be empty")
            continue
        setbacks.append(Setback(text=text, reframe=reframe, tags=tags, line=line))
    return tuple(setbacks)


def date_from_path(source: str) -> tuple[dt.date | None, str | None, str]:
    """(day, error, rest of the name) from a path such as ``2026/11/25-morning.md``."""
    stem = source.rsplit(".", 1)[0]
    name_start = stem.rfind("/") + 1
    matches = list(_FILE_DATE.finditer(stem))
    if not matches:
        return None, None, stem[name_start:]
    # A file name that starts with a date wins ("2026-11-20-to-2026-11-22.md" is the 20th);
    # otherwise the last date in the path ("2026/11/25-morning.md", "log/2026-11-20.md").
    leading = [m for m in matches if m.start() == name_start and "/" not in m.group(0)]
    match = leading[0] if leading else matches[-1]
    rest = stem[match.end() :].lstrip("-_ ")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day), None, rest
    except ValueError:
        return (
            None,
            f"the file name's date {year:04d}-{month:02d}-{day:02d} is not a real day",
            rest,
        )


def _date_value(value: Any, problems: _Problems) -> tuple[dt.date | None, dt.time | None]:
    if isinstance(value, dt.datetime):
        return value.date(), value.time().replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if len(text) <= 10:
                return moment.date(), None
            return moment.date(), moment.time().replace(tzinfo=None)
    problems.add(
        ("date",),
        f"date: expected a date like 2026-11-24 (or 2026-11-24 07:30), got {describe(value)}",
    )
    return None, None


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
    draft = data.get("draft", False)
    if draft is None:
        draft = False
    if not isinstance(draft, bool):
        problems.add(("draft",), f"draft: expected true or false, got {describe(draft)}")
        draft = False
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
    )


def _steps(value: Any, problems: _Problems) -> tuple[Step, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(("steps",), f"steps: expected a list of small steps, got {describe(value)}")
        return ()
    steps: list[Step] = []
    for index, item in enumerate(value):
        key = ("steps", index)
        done = False
        if isinstance(item, dict):
            text = _string(item.get("text"), (*key, "text"), problems, "the step's text")
            done = item.get("done") is True
        else:
            text = _string(item, key, problems, "a step (text)")
        if text is None:
            continue
        match = re.match(r"^\[([ xX])\]\s*", text)
        if match:
            done = done or match.group(1) in "xX"
            text = text[match.end() :]
        if not text:
            problems.add(key, f"{_label(key)}: a step cannot be empty")
            continue
        steps.append(Step(text=text, done=done))
    return tuple(steps)


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


def decode(raw: bytes, path: str) -> str:
    """Bytes -> text, or a JournalError naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise JournalError.single(
            path, line, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from exc


def walk_content(
    content_dir: Path, skipped: list[tuple[str, str]] | None = None
) -> Iterator[tuple[str, Path]]:
    """Every file under content/ that belongs to the journal: (path relative to content/, path)."""
    for source, full, _ in scan_content(content_dir, skipped):
        yield source, Path(full)


def is_goal(source: str) -> bool:
    return source.startswith(GOALS_DIR + "/") and source.endswith(".md") and source.count("/") == 1


def load_file(config: Config, source: str, full: Path) -> Entry | Goal | Asset:
    """Read and parse one file under content/ (raise JournalError on any problem)."""
    if not source.lower().endswith(".md"):
        return Asset(source=source)
    path = f"{config.content}/{source}"
    try:
        if (error := too_big(path, full.stat().st_size)) is not None:
            raise error  # before reading 50 MB that would be refused anyway
        raw = full.read_bytes()
    except OSError as exc:
        raise JournalError.single(path, None, f"cannot be read: {exc.strerror}") from exc
    text = decode(raw, path)
    parse = parse_goal if is_goal(source) else parse_entry
    return parse(source, text, config.markdown, base_path=config.base_path, content=config.content)


def load_journal(config: Config) -> Journal:
    """Read the whole content folder; raise JournalError listing every problem in every file."""
    content_dir = config.content_dir
    if not content_dir.is_dir():
        raise JournalError.single(
            config.content, None, "no content folder: create it and put entries (*.md) in it"
        )
    loaded: list[Entry | Goal | Asset | JournalError] = []
    skipped: list[tuple[str, str]] = []
    for source, full in walk_content(content_dir, skipped):
        try:
            loaded.append(load_file(config, source, full))
        except JournalError as exc:
            loaded.append(exc)
    return assemble_journal(loaded, link_warnings(config.content, skipped), config.content)


def assemble_journal(
    loaded: Iterable[Entry | EntrySummary | Goal | Asset | JournalError],
    warnings: Iterable[Problem] = (),
    content: str = "content",
) -> Journal:
    """A Journal from every file's parse result (or error); raise JournalError listing every problem."""
    problems: list[Problem] = []
    entries: list[Entry | EntrySummary] = []
    goals: list[Goal] = []
    assets: list[Asset] = []
    seen: dict[str, str] = {}
    for item in loaded:
        if not isinstance(item, JournalError):
            # Two names that differ only in Unicode form (NFC/NFD, e.g. copied from a
            # Mac) would otherwise be the same entry twice.
            same = seen.setdefault(unicodedata.normalize("NFC", item.source), item.source)
            if same != item.source:
                problems.append(
                    Problem(
                        f"{content}/{item.source}",
                        None,
                        f"has the same name as {content}/{same} written in another Unicode "
                        "form (NFC/NFD); keep only one of them",
                    )
                )
                continue
        if isinstance(item, JournalError):
            problems.extend(item.problems)
        elif isinstance(item, Entry | EntrySummary):
            entries.append(item)
        elif isinstance(item, Goal):
            goals.append(item)
        else:
            assets.append(item)
    if problems:
        raise JournalError(problems)
    entries.sort(key=lambda e: e.sort_key)
    goals.sort(key=lambda g: g.slug)
    return Journal(
        entries=tuple(entries), goals=tuple(goals), assets=tuple(assets), warnings=tuple(warnings)
    )
