"""Files -> Entry / Goal / Asset values. The only code that reads content/.

``load_journal`` walks the content folder, reads and parses every file (with
parse.py's ``parse_entry`` / ``parse_goal``, which do no I/O), and collects every
problem before raising, so a user sees all of them at once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.model import Asset, Entry, EntrySummary, Goal
from journal_site.parse import parse_entry, parse_goal, too_big
from journal_site.scan import link_warnings, scan_content

GOALS_DIR = "goals"


@dataclass(frozen=True, slots=True)
class Journal:
    """Everything read from content/."""

    entries: tuple[Entry, ...] | tuple[EntrySummary, ...]
    """Every entry, drafts included, sorted by day, time and path (summaries, when
    assembled by the engine, which reads bodies only for the pages that show them)."""
    goals: tuple[Goal, ...]
    assets: tuple[Asset, ...]
    warnings: tuple[Problem, ...] = ()


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
