"""journal.toml -> Config: typed, validated, every problem listed.

Every key has a default, so a site without journal.toml works. Unknown keys and
wrong types are errors naming the key, because a typo in a setting should never be
silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journal_site.errors import JournalError, Problem

CONFIG_NAME = "journal.toml"


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    allow_html: bool = False
    """Pass raw HTML in entries through; off by default, so HTML is shown as text."""
    typographer: bool = False
    """Smart quotes and dashes."""


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    """The site folder (where journal.toml is, or would be)."""
    title: str = "My journal"
    author: str = ""
    timezone: str = ""
    """IANA time-zone name that decides what "today" is; empty means the machine's."""
    base_url: str = "/"
    """Where the site is published; only its path matters for links (e.g. "/journal/")."""
    theme: str = "default"
    output: str = "public"
    """Output folder, relative to the site folder."""
    content: str = "content"
    streak: str = "entry"
    """What makes a day count: "entry" (any entry) or "win" (at least one win)."""
    streak_grace: int = 0
    """Missed days in a row that do not break a streak."""
    per_page: int = 30
    """Entries per timeline page."""
    password_env: str = "JOURNAL_PASSWORD"
    """Name of the environment variable holding the encryption password."""
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    language: str = "en"

    @property
    def content_dir(self) -> Path:
        return self.root / self.content

    @property
    def output_dir(self) -> Path:
        return (self.root / self.output).resolve()

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always starting and ending with "/"."""
        path = self.base_url
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        if not path.startswith("/"):
            path = "/" + path
        return path if path.endswith("/") else path + "/"

    def tzinfo(self) -> ZoneInfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None


_TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "author": str,
    "timezone": str,
    "base_url": str,
    "theme": str,
    "output": str,
    "content": str,
    "streak": str,
    "streak_grace": int,
    "per_page": int,
    "password_env": str,
    "language": str,
}
_MARKDOWN_KEYS: dict[str, type] = {"allow_html": bool, "typographer": bool}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}


def _type_ok(value: Any, expected: type) -> bool:
    # bool is a subclass of int in Python; a setting that wants a number must not take true.
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _line_of(text: str, key: str) -> int:
    """The line where ``key`` is set: ``key =``, ``"key" =``, ``a.key =`` or inside an
    inline table; failing that, the first line that mentions it; failing that, line 1."""
    lines = text.split("\n")
    setting = re.compile(r"""(?:^|[\s{,.])["']?""" + re.escape(key) + r"""["']?\s*=""")
    for number, line in enumerate(lines, start=1):
        if setting.search(line):
            return number
    for number, line in enumerate(lines, start=1):
        if key in line:
            return number
    return 1


def _decode_error_line(text: str, exc: Exception) -> int:
    """tomllib says "(at line 3, column 5)" or "(at end of document)"; Python 3.14 adds lineno."""
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    if match:
        return int(match.group(1))
    return max(1, text.count("\n") + (0 if text.endswith("\n") else 1))


def load_config(root: Path) -> Config:
    """Read ``root/journal.toml`` (if present) into a Config; raise JournalError listing every problem."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.exists():
        return Config(root=root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JournalError.single(CONFIG_NAME, None, "is not UTF-8 text") from exc
    except OSError as exc:
        raise JournalError.single(CONFIG_NAME, None, f"cannot be read: {exc.strerror}") from exc
    return parse_config(root, text)


def parse_config(root: Path, text: str) -> Config:
    """Parse the text of journal.toml; no I/O."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = getattr(exc, "msg", None) or str(exc).split(" (at ")[0]
        line = _decode_error_line(text, exc)
        raise JournalError.single(CONFIG_NAME, line, f"invalid TOML: {message}") from exc
    except (ValueError, RecursionError) as exc:  # a number too long to convert; deep nesting
        raise JournalError.single(
            CONFIG_NAME, 1, f"invalid TOML: a value could not be read ({exc})"
        ) from exc

    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def problem(key: str, message: str) -> None:
        problems.append(Problem(CONFIG_NAME, _line_of(text, key.rpartition(".")[2]), message))

    for key, value in data.items():
        if key == "markdown":
            if not isinstance(value, dict):
                problem(key, "'markdown' must be a table ([markdown])")
                continue
            md: dict[str, Any] = {}
            for md_key, md_value in value.items():
                expected = _MARKDOWN_KEYS.get(md_key)
                if expected is None:
                    known = ", ".join(sorted(_MARKDOWN_KEYS))
                    problem(md_key, f"unknown key 'markdown.{md_key}'; known keys: {known}")
                elif not _type_ok(md_value, expected):
                    problem(
                        md_key,
                        f"'markdown.{md_key}' must be {_TYPE_NAMES[expected]}, got {md_value!r}",
                    )
                else:
                    md[md_key] = md_value
            values["markdown"] = MarkdownOptions(**md)
            continue
        expected = _TOP_KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted([*_TOP_KEYS, "markdown"]))
            problem(key, f"unknown key '{key}'; known keys: {known}")
        elif not _type_ok(value, expected):
            problem(key, f"'{key}' must be {_TYPE_NAMES[expected]}, got {value!r}")
        else:
            values[key] = value

    if "streak" in values and values["streak"] not in ("entry", "win"):
        problem("streak", f'\'streak\' must be "entry" or "win", got {values["streak"]!r}')
    if values.get("streak_grace", 0) < 0:
        problem("streak_grace", "'streak_grace' must be 0 or more")
    if "per_page" in values and values["per_page"] < 1:
        problem("per_page", "'per_page' must be 1 or more")
    if values.get("timezone"):
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError, OSError):
            problem(
                "timezone",
                f"unknown time zone {values['timezone']!r}; expected an IANA name "
                'such as "Europe/London"',
            )
    for key in ("output", "content"):
        if key in values and (not values[key].strip() or "\0" in values[key]):
            problem(key, f"'{key}' must name a folder")
    if problems:
        raise JournalError(problems)
    return Config(root=root, **values)


def resolve_today(
    config: Config, override: dt.date | None = None, now: dt.datetime | None = None
) -> dt.date:
    """ "Today" for streaks: ``--today`` if given, else the date now in the configured time zone.

    ``now`` (an aware instant; default: the clock) lets tests pick the moment. Only the
    instant is converted, never a local midnight built, so days on which midnight does
    not exist (a DST change at 00:00, as in Santiago or Havana) need no special case.
    """
    if override is not None:
        return override
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(config.tzinfo()).date()
