"""``journal import jrnl|dayone FILE``: entries from another journal app, never overwriting.

Reading an export is pure (``plan_jrnl`` in import_jrnl.py / ``plan_dayone`` in
import_dayone.py turn its parsed JSON into planned files); ``import_command`` (here)
checks every planned entry with the parser, then writes only files that do not exist
yet, and reports. File names come from each entry's date and time
(``content/YYYY/YYYY-MM-DD-HHMM.md``), so importing the same export again finds every
file already there and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.import_common import PHOTOS_DIR, PlannedEntry, read_json
from journal_site.import_dayone import _fallback_zone, _plan_dayone_zip, plan_dayone
from journal_site.import_jrnl import plan_jrnl
from journal_site.parse import parse_entry
from journal_site.text import plural


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
