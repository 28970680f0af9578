"""The load stage: content/ -> parsed entries and goals, each named by a token.

A file is read only when its size or time differ from what was last seen, and parsed
only when its bytes have no parse in memory or in the store. Every entry comes with
two tokens (see keys.py): the digest of its whole canonical JSON, and that of its
summary's, so that an edit to a body changes the first alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from journal_site.config import Config
from journal_site.engine import codec
from journal_site.engine.store import Store
from journal_site.errors import JournalError, Problem
from journal_site.model import Asset, Entry, EntrySummary, Goal
from journal_site.scan import link_warnings, scan_content

Stat = tuple[int, int, str]
"""A content file's (size, mtime_ns, content digest)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One file's parse, as the engine keeps it between builds."""

    item: Entry | Goal
    summary: EntrySummary | None
    token: str
    """The digest of the whole parse (an entry's head and body, or a goal)."""
    summary_token: str | None
    record: tuple[str, ...] | None
    """An entry's search fields (see aggregate/search.py)."""


def decode_parsed(kind: str, head: str, body: str | None, record: str | None) -> Parsed:
    """A parse from the store's data; ``ValueError`` when it is not what it should be."""
    import json

    if kind == "goal":
        goal = codec.decode_goal(head)
        return Parsed(goal, None, codec.token(head), None, None)
    if kind != "entry" or body is None or record is None:
        raise ValueError(f"not a parse: {kind!r}")
    summary = codec.decode_summary(head)
    full, summary_token = codec.entry_tokens(head, body)
    fields = json.loads(record)
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValueError("not a search record")
    return Parsed(codec.with_body(summary, body), summary, full, summary_token, tuple(fields))


@dataclass(slots=True)
class Sources:
    """Every file under content/ as this build sees it."""

    entries: list[Entry] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    parsed: dict[str, Parsed] = field(default_factory=dict)
    """source -> its parse, for every entry and goal."""
    stats: dict[str, Stat] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    new_parses: list[tuple[str, str, str, str | None, str | None]] = field(default_factory=list)
    """Rows for the store: parses made by this build."""
    parsed_count: int = 0


def scan(config: Config) -> tuple[list[tuple[str, str, os.stat_result]], list[tuple[str, str]]]:
    """Every content file with its stat, and the links left out (see scan.py)."""
    if not config.content_dir.is_dir():
        raise JournalError.single(
            config.content, None, "no content folder: create it and put entries (*.md) in it"
        )
    skipped: list[tuple[str, str]] = []
    return scan_content(config.content_dir, skipped), skipped


def load(
    config: Config,
    scanned: list[tuple[str, str, os.stat_result]],
    skipped: list[tuple[str, str]],
    known: dict[str, Stat],
    memory: dict[str, Parsed],
    store: Store | None,
) -> Sources:
    """Parse what changed, take the rest from ``memory`` (digest -> parse) or the store;
    raise JournalError listing every problem of every file."""
    from journal_site.parallel import content_digest, parse_many

    out = Sources(warnings=link_warnings(config.content, skipped))
    digests: dict[str, str] = {}
    fulls = {source: full for source, full, _ in scanned}
    infos = {source: info for source, _, info in scanned}
    to_parse: list[tuple[str, str]] = []
    for source, full, info in scanned:
        if not source.lower().endswith(".md"):
            out.assets.append(Asset(source=source))
            continue
        seen = known.get(source)
        if seen is not None and seen[:2] == (info.st_size, info.st_mtime_ns):
            digest = seen[2]
        else:
            try:  # touched, or new to this store: its bytes say whether it changed
                digest = content_digest(source, Path(full).read_bytes())
            except OSError:
                to_parse.append((source, full))
                continue
        digests[source] = digest
        out.stats[source] = (info.st_size, info.st_mtime_ns, digest)

    wanted = {d for d in digests.values() if d not in memory}
    stored = store.parsed(wanted) if store is not None and wanted else {}
    for source, digest in digests.items():
        held = memory.get(digest)
        if held is None and digest in stored:
            try:
                held = memory[digest] = decode_parsed(*stored[digest])
            except (ValueError, TypeError, KeyError, IndexError):
                held = None  # a record that does not read is parsed again
        if held is None:
            to_parse.append((source, fulls[source]))
        else:
            out.parsed[source] = held

    problems: list[Problem] = []
    for source, digest, row, found in parse_many(config, to_parse):
        if row is None:
            problems.extend(found)
            continue
        held = memory[digest] = decode_parsed(*row)
        out.parsed[source] = held
        out.new_parses.append((digest, *row))
        info = infos[source]
        out.stats[source] = (info.st_size, info.st_mtime_ns, digest)
    out.parsed_count = len(to_parse)
    if problems:
        raise JournalError(problems)
    for held in out.parsed.values():
        if isinstance(held.item, Entry):
            out.entries.append(held.item)
        else:
            out.goals.append(held.item)
    return out
