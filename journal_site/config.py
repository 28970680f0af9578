"""journal.toml -> Config: typed, validated, every problem listed.

Every key has a default, so a site without journal.toml works. Unknown keys and
wrong types are errors naming the key, because a typo in a setting should never be
silently ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journal_site.errors import JournalError, Problem

CONFIG_NAME = "journal.toml"

NO_FOLDER = PurePosixPath("/site-folder")
"""The site folder of the settings pages are made from (``Config.for_pages``): a pure
path, which names no folder of this machine and cannot read or write one."""


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    allow_html: bool = False
    """Pass raw HTML in entries through; off by default, so HTML is shown as text."""
    typographer: bool = False
    """Smart quotes and dashes."""


SHAREABLE_SECTIONS: tuple[str, ...] = ("reviews", "wins", "lessons", "goals", "tags", "stats")
"""Sections a share site may hold: those whose pages show entries' summaries, never a
body (the timeline, entry pages, home and search show bodies, and are never shared).
pages/share.py maps each to its builders."""


@dataclass(frozen=True, slots=True)
class ShareOptions:
    """``[share]``: what ``journal share`` builds for the people the writer chooses."""

    sections: tuple[str, ...] = ("reviews", "wins", "lessons", "goals")
    """Which of ``SHAREABLE_SECTIONS`` the share site holds."""
    private_tags: tuple[str, ...] = ("private",)
    """An entry carrying any of these tags (on itself, a win or a setback) is left out."""
    password_env: str = "JOURNAL_SHARE_PASSWORD"
    """Name of the environment variable holding the share site's password."""
    output: str = "share"
    """Output folder of the share site, relative to the site folder."""


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
    share: ShareOptions = field(default_factory=ShareOptions)

    @property
    def content_dir(self) -> Path:
        return self.root / self.content

    @property
    def output_dir(self) -> Path:
        return (self.root / self.output).resolve()

    @property
    def share_output_dir(self) -> Path:
        return (self.root / self.share.output).resolve()

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

    def for_pages(self) -> Config:
        """These settings as pages are made from them: with ``NO_FOLDER`` for the site
        folder. No page depends on where the journal lies on this machine, so a site
        built in another folder (a deploy with the build store restored there) has the
        same pages under the same keys; and code making a page that reaches for a file
        through these settings fails at once instead of reading one."""
        return dataclasses.replace(self, root=NO_FOLDER)  # type: ignore[arg-type]


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
_SHARE_KEYS: dict[str, type] = {
    "sections": list,
    "private_tags": list,
    "password_env": str,
    "output": str,
}
_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    list: "a list of strings",
}


def _type_ok(value: Any, expected: type) -> bool:
    # bool is a subclass of int in Python; a setting that wants a number must not take true.
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _line_in_table(text: str, table: str, key: str) -> int:
    """The line where ``key`` is set inside ``[table]`` (or as ``table.key``, or in an
    inline table); the key's first setting anywhere when there is no such header."""
    lines = text.split("\n")
    header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]")
    setting = re.compile(r"""^\s*["']?""" + re.escape(key) + r"""["']?\s*=""")
    for start, line in enumerate(lines):
        if header.match(line):
            for number in range(start + 1, len(lines)):
                if lines[number].lstrip().startswith("["):
                    break
                if setting.match(lines[number]):
                    return number + 1
            return start + 1
    return _line_of(text, key)


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
        if key == "share":
            share = _share_options(value, text, problems)
            if share is not None:
                values["share"] = share
            continue
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
            known = ", ".join(sorted([*_TOP_KEYS, "markdown", "share"]))
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
    share = values.get("share", ShareOptions())
    if "share" in values or "share" not in data:
        if share.password_env == values.get("password_env", "JOURNAL_PASSWORD"):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    _line_in_table(text, "share", "password_env"),
                    f"'share.password_env' must name another variable than 'password_env' "
                    f"({share.password_env!r}): the share site needs a password of its own, "
                    "or whoever opens it could open the whole journal",
                )
            )
        if share.output == values.get("output", "public"):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    _line_in_table(text, "share", "output"),
                    f"'share.output' must be another folder than 'output' ({share.output!r}): "
                    "the share site and the journal's site are built apart",
                )
            )
    if problems:
        raise JournalError(problems)
    return Config(root=root, **values)


def _share_options(value: Any, text: str, problems: list[Problem]) -> ShareOptions | None:
    """``[share]`` read and checked; its problems are added to ``problems``."""

    def problem(key: str, message: str) -> None:
        problems.append(Problem(CONFIG_NAME, _line_in_table(text, "share", key), message))

    if not isinstance(value, dict):
        problem("share", "'share' must be a table ([share])")
        return None
    found: dict[str, Any] = {}
    ok = True
    for key, item in value.items():
        expected = _SHARE_KEYS.get(key)
        if expected is None:
            problem(
                key, f"unknown key 'share.{key}'; known keys: {', '.join(sorted(_SHARE_KEYS))}"
            )
            ok = False
        elif not _type_ok(item, expected) or (
            expected is list and not all(isinstance(x, str) for x in item)
        ):
            problem(key, f"'share.{key}' must be {_TYPE_NAMES[expected]}, got {item!r}")
            ok = False
        else:
            found[key] = tuple(dict.fromkeys(item)) if expected is list else item
    sections = found.get("sections")
    if sections is not None:
        expected_names = ", ".join(f'"{name}"' for name in SHAREABLE_SECTIONS)
        unknown = [name for name in sections if name not in SHAREABLE_SECTIONS]
        if unknown:
            problem(
                "sections",
                f"'share.sections': unknown section {', '.join(map(repr, unknown))}; expected "
                f"some of {expected_names} (entry pages, the timeline, home and search hold "
                "entries' text, and are never shared)",
            )
            ok = False
        elif not sections:
            problem("sections", f"'share.sections' is empty; list some of {expected_names}")
            ok = False
    if any(not tag.strip() for tag in found.get("private_tags", ())):
        problem("private_tags", "'share.private_tags' cannot hold an empty tag")
        ok = False
    if "password_env" in found and not found["password_env"].strip():
        problem("password_env", "'share.password_env' must name an environment variable")
        ok = False
    if "output" in found and (not found["output"].strip() or "\0" in found["output"]):
        problem("output", "'share.output' must name a folder")
        ok = False
    return ShareOptions(**found) if ok else None


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
