"""``journal import jrnl|dayone FILE``: entries from another journal app, never overwriting.

Reading an export is pure (``plan_jrnl`` / ``plan_dayone`` turn its parsed JSON into
planned files); ``import_command`` checks every planned entry with the loader, then
writes only files that do not exist yet. File names come from each entry's date and
time (``content/YYYY/YYYY-MM-DD-HHMM.md``), so importing the same export again finds
every file already there and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import posixpath
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journal_site import conventions
from journal_site.config import Config
from journal_site.entry_text import entry_text
from journal_site.errors import JournalError, Problem
from journal_site.loader import parse_entry
from journal_site.text import describe, plural, slugify

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


# --- jrnl -------------------------------------------------------------------------------


def plan_jrnl(data: Any, shown: str) -> list[PlannedEntry]:
    """jrnl's ``--export json``: {"tags": {...}, "entries": [{title, body, date, time, tags, starred}]}."""
    problems: list[Problem] = []
    drafts: list[_Draft] = []
    example = 'jrnl --export json: {"entries": [...]}'
    for where, item in _entries(data, shown, "jrnl", example, problems):
        try:
            day = dt.date.fromisoformat(str(item.get("date", "")))
        except ValueError:
            problems.append(
                _problem(
                    shown,
                    f"{where}.date: expected a date like 2026-11-20, got {describe(item.get('date'))}",
                )
            )
            continue
        time_text = item.get("time") or "00:00"
        try:
            time = dt.time.fromisoformat(str(time_text))
        except ValueError:
            problems.append(
                _problem(
                    shown, f"{where}.time: expected a time like 09:30, got {describe(time_text)}"
                )
            )
            continue
        title, body = item.get("title") or "", item.get("body") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            problems.append(_problem(shown, f"{where}: expected 'title' and 'body' as text"))
            continue
        tags = _export_tags(item, where, shown)
        if isinstance(tags, Problem):
            problems.append(tags)
            continue
        drafts.append(
            _Draft(
                when=dt.datetime.combine(day, time.replace(second=0, microsecond=0)),
                title=title.strip(),
                tags=tuple(tags),
                body=body,
            )
        )
    if problems:
        raise JournalError(problems)
    return _name_entries(drafts, "@#")


# --- Day One ----------------------------------------------------------------------------

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


# --- writing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    written: tuple[tuple[str, str], ...]
    """(path, label) for each entry written."""
    skipped: tuple[tuple[str, str], ...]
    """(path, why) for each entry not written."""
    photos_copied: int
    missing: tuple[tuple[str, str], ...]
    """(entry path, photo) for each photo the export did not hold."""


def check_plan(planned: list[PlannedEntry], config: Config) -> None:
    """Parse every planned entry as the build would; raise JournalError listing every problem."""
    problems: list[Problem] = []
    for entry in planned:
        try:
            parse_entry(entry.target, entry.text, config.markdown, content=config.content)
        except JournalError as exc:
            problems.extend(exc.problems)
    if problems:
        raise JournalError(problems)


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``path`` unless it exists (atomically: never a half-written entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.link(tmp, path)  # fails if the file appeared meanwhile: never overwrite
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
    return True


def apply_plan(
    planned: list[PlannedEntry],
    config: Config,
    dry_run: bool,
    read_photo: Callable[[str], bytes] | None = None,
) -> ImportResult:
    content_dir = config.content_dir
    written: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    missing: list[tuple[str, str]] = []
    copied = 0
    for entry in planned:
        shown = f"{config.content}/{entry.target}"
        missing.extend((shown, m) for m in entry.missing)
        path = content_dir / entry.target
        if path.exists():
            same = path.read_bytes() == entry.text.encode("utf-8")
            why = "already imported" if same else "a file with that name exists; not overwritten"
            skipped.append((shown, why))
            continue
        if not dry_run and not _write_new(path, entry.text.encode("utf-8")):
            skipped.append((shown, "a file with that name exists; not overwritten"))
            continue
        written.append((shown, entry.label))
        for name, rel in entry.photos:
            target = content_dir / rel
            if target.exists():  # named by checksum: the same photo is already there
                continue
            if not dry_run and (read_photo is None or not _write_new(target, read_photo(name))):
                continue
            copied += 1
    return ImportResult(tuple(written), tuple(skipped), copied, tuple(missing))


def report(
    result: ImportResult, planned: list[PlannedEntry], dry_run: bool, out: Callable[[str], None]
) -> None:
    verb = "would write" if dry_run else "wrote"
    for path, label in result.written:
        out(f"  {verb} {path}  ({label})")
    for path, why in result.skipped:
        out(f"  skipped {path}: {why}")
    for path, photo in result.missing:
        out(f"  missing {photo} (in {path}): the export does not hold it")
    parts = [f"{len(result.written)} {'would be written' if dry_run else 'written'}"]
    reasons: dict[str, int] = {}
    for _, why in result.skipped:
        reasons[why] = reasons.get(why, 0) + 1
    skipped = f"{len(result.skipped)} skipped"
    if reasons:
        skipped += " (" + "; ".join(f"{n} {why}" for why, n in reasons.items()) + ")"
    parts.append(skipped)
    if result.photos_copied:
        parts.append(
            f"{plural(result.photos_copied, 'photo')} {'to copy' if dry_run else 'copied'}"
        )
    if result.missing:
        parts.append(f"{plural(len(result.missing), 'photo')} missing")
    count = len(planned)
    out(f"{count} {'entry' if count == 1 else 'entries'}: " + ", ".join(parts) + ".")
    if dry_run:
        out("Dry run: nothing was written.")


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


def import_command(config: Config, args: argparse.Namespace) -> int:
    """``journal import jrnl|dayone FILE [--dry-run]``."""
    file = Path(args.file)
    shown = str(args.file)
    if args.format == "jrnl":
        planned = plan_jrnl(read_json(file, shown), shown)
        check_plan(planned, config)
        result = apply_plan(planned, config, args.dry_run)
    elif zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as archive:
            planned, read_photo = _plan_dayone_zip(archive, shown, config)
            check_plan(planned, config)
            result = apply_plan(planned, config, args.dry_run, read_photo)
    else:
        photo_dir = file.resolve().parent / PHOTOS_DIR
        names = (
            {p.name for p in photo_dir.iterdir() if p.is_file()} if photo_dir.is_dir() else set()
        )
        data = read_json(file, shown)
        planned = plan_dayone(data, shown, names, _fallback_zone(config))
        check_plan(planned, config)
        result = apply_plan(planned, config, args.dry_run, lambda n: (photo_dir / n).read_bytes())
    app = "jrnl" if args.format == "jrnl" else "Day One"
    print(f"Importing {shown} ({app}) into {config.content}/:")
    report(result, planned, args.dry_run, print)
    sys.stdout.flush()
    return 0
