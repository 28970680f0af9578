"""Front-matter fields of entries and goals -> checked values (tags, wins, setbacks,
steps, dates), each problem located at its line. Used by parse.py; no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from journal_site.errors import Problem
from journal_site.model import Setback, Step, Win
from journal_site.text import describe, slugify

_FILE_DATE = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")


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
            unknown = sorted(str(k) for k in item if k not in ("text", "tags", "goal", "proud"))
            if unknown:
                problems.add(
                    key,
                    f"{_label(key)}: unknown key '{unknown[0]}'; expected text, tags, goal, proud",
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
            proud = item.get("proud", False)
            if proud is None:
                proud = False
            if not isinstance(proud, bool):
                problems.add(
                    (*key, "proud"),
                    f"{_label((*key, 'proud'))}: expected true or false, got {describe(proud)}",
                )
                proud = False
        elif isinstance(item, str):
            text, tags, goal_slug, proud = item.strip(), (), None, False
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
        wins.append(Win(text=text, tags=tags, goal=goal_slug, line=line, proud=proud))
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
