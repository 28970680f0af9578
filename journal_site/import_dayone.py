"""``journal import dayone FILE``: Day One's JSON export (a file, or the zip it
downloads as) -> planned entries and the photos they show, its escaped Markdown
cleaned. Pure: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.import_common import (
    PHOTOS_DIR,
    PlannedEntry,
    _Draft,
    _entries,
    _export_tags,
    _name_entries,
    _problem,
    parse_json,
)
from journal_site.text import describe

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MOMENT = re.compile(r"!\[([^\]]*)\]\(dayone-moment:/{1,2}(?:(\w+)/)?([A-Za-z0-9-]+)\)")
_HEADING_TITLE = re.compile(r"^\s*#{1,6}[ \t]+(.+?)[ \t#]*$")


def _keep_escape(char: str, before: str, after: str) -> bool:
    """Whether ``\\char`` between ``before`` and ``after`` still means something in CommonMark."""
    at_start = before.strip(" \t>") == ""
    if char in ".)":
        return bool(re.fullmatch(r"[ \t>]*\d{1,9}", before)) and (after[:1] in ("", " ", "\t"))
    if char in "-+":
        rest = after.replace(" ", "").replace("\\", "")
        return at_start and (after[:1] in ("", " ", "\t") or (char == "-" and set(rest) <= {"-"}))
    if char == "=":
        return at_start
    if char == "#":
        return at_start and after[:1] in ("", " ", "\t", "#", "\\")
    if char == ">":
        return at_start
    if char == "!":
        return after.startswith(("[", "\\["))
    if char == "(":
        return before.endswith("]")
    if char == "_":
        return not (before[-1:].isalnum() and after[:1].isalnum())
    if char == "~":
        return before.endswith("~") or after.startswith(("~", "\\~"))
    if char == "&":
        return bool(re.match(r"#?\w+;", after))
    # Emphasis, code, brackets, HTML, tables and the backslash itself: keep what was escaped.
    return char in "*`[]\\<|"


def _unescape_line(line: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "`":
            run = len(line) - len(line[i:].lstrip("`"))
            ticks = line[i : i + run]
            close = line.find(ticks, i + run)
            if close >= 0:  # a code span: copied as it is
                out.append(line[i : close + run])
                i = close + run
                continue
            out.append(ticks)
            i += run
            continue
        if char == "\\" and i + 1 < len(line) and _ESCAPED.match(line, i):
            escaped = line[i + 1]
            if _keep_escape(escaped, "".join(out), line[i + 2 :]):
                out.append(line[i : i + 2])
            else:
                out.append(escaped)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def clean_dayone_markdown(text: str) -> str:
    """Day One escapes most punctuation (``3\\.5 km\\!``); drop escapes that change nothing.

    An escape is kept where it still matters: a number that is not a list (``1\\. ``),
    a line that is not a heading or bullet, ``\\*`` and ``\\_`` that are not emphasis,
    brackets that are not a link. Code blocks and code spans are left alone.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    fence = ""
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        if "\\" in line:
            lines[index] = _unescape_line(line)
    return "\n".join(lines)


def _dayone_when(
    item: dict[str, Any], where: str, shown: str, fallback: dt.tzinfo
) -> dt.datetime | Problem:
    created = item.get("creationDate")
    if not isinstance(created, str):
        return _problem(
            shown,
            f"{where}.creationDate: expected a date-time like 2024-01-05T03:02:50Z, got {describe(created)}",
        )
    try:
        moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return _problem(
            shown,
            f"{where}.creationDate: expected a date-time like 2024-01-05T03:02:50Z, got {describe(created)}",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone: dt.tzinfo = fallback
    name = item.get("timeZone")
    if isinstance(name, str) and name:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = fallback
    # The day an entry counts for is the day where it was written.
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def plan_dayone(
    data: Any, shown: str, photos: Collection[str], fallback: dt.tzinfo = dt.UTC
) -> list[PlannedEntry]:
    """Day One's JSON export: {"metadata": ..., "entries": [{creationDate, text, tags, ...}]}.

    Photos are ``photos/<md5>.<type>`` beside the JSON file (``photos`` names those the
    export holds); the text refers to them as ``![](dayone-moment://<identifier>)``.
    """
    return _name_entries(dayone_drafts(data, shown, photos, fallback), "#")


def dayone_drafts(
    data: Any, shown: str, photos: Collection[str], fallback: dt.tzinfo
) -> list[_Draft]:
    """The entries of one Day One journal, not yet named; JournalError listing every problem."""
    problems: list[Problem] = []
    drafts: list[_Draft] = []
    example = 'Journal.json with {"entries": [...]}'
    for where, item in _entries(data, shown, "Day One", example, problems):
        when = _dayone_when(item, where, shown, fallback)
        if isinstance(when, Problem):
            problems.append(when)
            continue
        text = item.get("text") or ""
        if not isinstance(text, str):
            problems.append(_problem(shown, f"{where}.text: expected text, got {describe(text)}"))
            continue
        tags = _export_tags(item, where, shown, "#")
        if isinstance(tags, Problem):
            problems.append(tags)
            continue
        photos_by_id: dict[str, tuple[str, str]] = {}
        for photo in item.get("photos") or []:
            if isinstance(photo, dict) and isinstance(photo.get("identifier"), str):
                md5 = str(photo.get("md5") or photo["identifier"])
                kind = str(photo.get("type") or "jpeg")
                photos_by_id[photo["identifier"]] = (md5, kind)
        copies: list[tuple[str, str]] = []
        missing: list[str] = []

        def moment(
            match: re.Match[str], photos_by_id=photos_by_id, copies=copies, missing=missing
        ) -> str:
            alt, kind, identifier = match.group(1), match.group(2), match.group(3)
            if kind not in (None, "photo") or identifier not in photos_by_id:
                what = kind or "attachment"
                missing.append(f"{what} {identifier}")
                return f"*({what} from Day One not imported)*"
            md5, ext = photos_by_id[identifier]
            name = f"{md5}.{ext}"
            if name in photos:
                copies.append((name, name))
            else:  # the link stays: copying the photo to content/photos/ later shows it
                missing.append(f"{PHOTOS_DIR}/{name}")
            return f"![{alt}](../{PHOTOS_DIR}/{name})"

        text = _MOMENT.sub(moment, clean_dayone_markdown(text))
        title = ""
        first, _, rest = text.lstrip("\n").partition("\n")
        heading = _HEADING_TITLE.match(first)
        if heading:
            title, text = heading.group(1).strip(), rest
        drafts.append(
            _Draft(
                when=when,
                title=title,
                tags=tuple(tags),
                body=text,
                photos=tuple(copies),
                missing=tuple(missing),
            )
        )
    if problems:
        raise JournalError(problems)
    return drafts


def _fallback_zone(config: Config) -> dt.tzinfo:
    # Day One records each entry's time zone; for the rare one without, this machine's.
    return config.tzinfo() or dt.datetime.now().astimezone().tzinfo or dt.UTC


def _plan_dayone_zip(
    archive: zipfile.ZipFile, shown: str, config: Config
) -> tuple[list[PlannedEntry], Callable[[str], bytes]]:
    """Day One's export as it downloads: a zip of one JSON file per journal and photos/."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    photos = {
        posixpath.basename(m.filename): m.filename
        for m in members
        if posixpath.basename(posixpath.dirname(m.filename)) == PHOTOS_DIR
    }
    journals = [
        m.filename
        for m in members
        if m.filename.lower().endswith(".json") and PHOTOS_DIR + "/" not in m.filename
    ]
    if not journals:
        raise JournalError.single(
            shown,
            None,
            "holds no .json file; expected Day One's JSON export (a zip with Journal.json)",
        )
    drafts: list[_Draft] = []
    problems: list[Problem] = []
    for name in sorted(journals):
        where = f"{shown}:{name}"
        try:
            data = parse_json(archive.read(name), where)
            drafts.extend(dayone_drafts(data, where, photos.keys(), _fallback_zone(config)))
        except JournalError as exc:
            problems.extend(exc.problems)
    if problems:
        raise JournalError(problems)
    return _name_entries(drafts, "#"), lambda n: archive.read(photos[n])
