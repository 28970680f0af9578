"""The load stage: content/ -> parsed entries and goals, each named by a token.

A file is read only when its size or time differ from what was last seen, and parsed
only when its bytes have no parse in memory or in the store. Every entry comes with
two tokens (see keys.py): the digest of its whole canonical JSON, and that of its
summary's, so that an edit to a body changes the first alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from journal_site.config import Config
from journal_site.engine import codec
from journal_site.engine.parsing import ParsedRow, ParserAhead
from journal_site.engine.store import Store
from journal_site.errors import JournalError, Problem
from journal_site.model import Asset, Entry, EntrySummary, Goal
from journal_site.scan import RACY_NS, Scan, link_warnings, scan_folder

Stat = tuple[int, int, str]
"""A content file's (size, mtime_ns, content digest)."""


class Parsed:
    """One file's parse, as the engine keeps it between builds: an entry's tokens and
    links at once, its summary when first asked for (a build whose model is the last
    one's asks for none: see model_of.py), its body and search fields only
    when asked for (the store then reads them); or a goal."""

    __slots__ = (
        "_entry",
        "_head",
        "_named",
        "_rest",
        "_stored",
        "_summary",
        "goal",
        "links",
        "summary_token",
        "token",
    )

    def __init__(
        self,
        kind: str,
        head: str,
        links: str | None,
        token: str,
        summary_token: str | None,
        rest: tuple[str, str] | None = None,
        stored: tuple[Store, str] | None = None,
    ) -> None:
        import json

        self.token = token
        """The digest of the whole parse (an entry's head and body, or a goal)."""
        self.summary_token = summary_token
        self.goal: Goal | None = None
        self._summary: EntrySummary | None = None
        self._head: str | None = None
        self.links: tuple[str, ...] = ()
        self._rest = rest
        """(body JSON, search record JSON), once known."""
        self._stored = stored
        """The store holding the rest, and the parse's digest there."""
        self._entry: Entry | None = None
        self._named: dict[int, tuple[object, str]] | None = None
        if kind == "goal":
            self.goal = codec.decode_goal(head)
            return
        if kind != "entry" or links is None or summary_token is None:
            raise ValueError(f"not a parse: {kind!r}")
        self._head = head
        if links == "[]":  # most entries link to no other
            return
        targets = json.loads(links)
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ValueError("not a list of links")
        self.links = tuple(targets)

    @property
    def summary(self) -> EntrySummary | None:
        """An entry's summary (decoded on first use; ValueError if it does not read), or
        None for a goal."""
        if self._summary is None and self._head is not None:
            self._summary = codec.decode_summary(self._head)
            self._head = None
        return self._summary

    def named(self) -> dict[int, tuple[object, str]]:
        """The values of this parse that keys name by token (see keys.py), by ``id``:
        the goal, or the entry's summary and each of its wins and setbacks (named by the
        summary's token and their place in it). Made once per parse, not per build."""
        if self._named is None:
            value = self.summary or self.goal
            token = self.summary_token or self.token
            named: dict[int, tuple[object, str]] = {id(value): (value, token)}
            if self.summary is not None:
                for index, win in enumerate(self.summary.wins):
                    named[id(win)] = (win, f"{token}.w{index}")
                for index, setback in enumerate(self.summary.setbacks):
                    named[id(setback)] = (setback, f"{token}.s{index}")
            self._named = named
        return self._named

    def _body_and_record(self) -> tuple[str, str]:
        if self._rest is None:
            rest = self._stored[0].body(self._stored[1]) if self._stored is not None else None
            if rest is None:
                raise JournalError.single(
                    self.summary.source if self.summary else "?",
                    None,
                    "its parse is gone from the build cache; build again",
                )
            self._rest = rest
        return self._rest

    def entry(self) -> Entry:
        """The entry with its body (read and decoded on first use)."""
        if self._entry is None:
            assert self.summary is not None
            self._entry = codec.with_body(self.summary, self._body_and_record()[0])
        return self._entry

    def record(self) -> tuple[str, ...]:
        """The entry's search fields (see aggregate/search.py)."""
        import json

        fields = json.loads(self._body_and_record()[1])
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ValueError("not a search record")
        return tuple(fields)


def from_row(row: ParsedRow) -> Parsed:
    """A parse just made (see parsing.encode_parsed)."""
    kind, head, body, record, links = row
    if kind == "goal":
        return Parsed(kind, head, None, codec.token(head), None)
    assert body is not None and record is not None
    token, summary_token = codec.entry_tokens(head, body)
    return Parsed(kind, head, links, token, summary_token, rest=(body, record))


@dataclass(slots=True)
class Sources:
    """Every file under content/ as this build sees it."""

    goals: list[Goal] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    parsed: dict[str, Parsed] = field(default_factory=dict)
    """source -> its parse, for every entry and goal."""
    stats: dict[str, Stat] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    new_parses: list[tuple] = field(default_factory=list)
    """Rows for the store: parses made by this build."""
    parsed_count: int = 0
    read_count: int = 0
    """Files read to learn whether their bytes changed (their size or time did)."""
    files: dict[str, str] = field(default_factory=dict)
    """source -> its full path."""
    changed: set[str] = field(default_factory=set)
    """The files whose bytes are not those of the stats the load was handed (new ones
    too): every other file's parse, and so its tokens, are those of the last build."""

    def entries(self, config: Config) -> list[EntrySummary]:
        """Every entry's summary, decoded now; one the store holds that does not read
        (a damaged store) is parsed again from its file."""
        out, again = [], []
        for source, held in self.parsed.items():
            if held.summary_token is None:
                continue
            try:
                out.append(held.summary)
            except (ValueError, TypeError, KeyError, IndexError):
                again.append((source, self.files[source]))
        if again:
            from journal_site.engine.parsing import parse_many

            for source, digest, row, found in parse_many(config, again):
                if row is None:
                    raise JournalError(list(found))
                out.append(self.took(source, digest, row).summary)
        return out

    def took(self, source: str, digest: str, row: ParsedRow) -> Parsed:
        """The parse of ``source`` just made (``row``, of bytes of ``digest``): this
        build's, and one for the store to keep."""
        held = self.parsed[source] = from_row(row)
        self.new_parses.append((digest, *row, held.token, held.summary_token))
        return held


def scan(config: Config) -> Scan:
    """Every content file with its stat, and the links left out (see scan.py)."""
    if not config.content_dir.is_dir():
        raise JournalError.single(
            config.content, None, "no content folder: create it and put entries (*.md) in it"
        )
    return scan_folder(config.content_dir)


def load(
    config: Config,
    scanned: list[tuple[str, str, os.stat_result]],
    skipped: list[tuple[str, str]],
    known: dict[str, Stat],
    memory: dict[str, Parsed],
    store: Store | None,
    beside: bool = False,
    ahead: ParserAhead | None = None,
) -> Sources:
    """Parse what changed, take the rest from ``memory`` (digest -> parse) or the store;
    raise JournalError listing every problem of every file. ``beside``: a few files may
    be parsed by a forked process, ``ahead`` when given (``parsing.parse_started``)."""
    from journal_site.engine.parsing import (
        content_digest,
        parse_many,
        parse_settings,
        parse_started,
    )

    settings = parse_settings(config)
    racy_after = time.time_ns() - RACY_NS

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
                with open(full, "rb") as handle:  # a deploy reads every file: no Path each
                    digest = content_digest(settings, source, handle.read())
                out.read_count += 1
            except OSError:
                to_parse.append((source, full))
                out.changed.add(source)
                continue
            if seen is None or seen[2] != digest:
                out.changed.add(source)
        digests[source] = digest
        out.stats[source] = _stat(info, digest, racy_after)

    wanted = {d for d in digests.values() if d not in memory}
    stored = store.parsed(wanted) if store is not None and wanted else {}
    for source, digest in digests.items():
        if digest not in memory and digest not in stored:
            to_parse.append((source, fulls[source]))
    # What is new is parsed (beside this process, when it may) while the parses held
    # are decoded here.
    parsing = parse_started(config, to_parse, beside, ahead)
    again: list[tuple[str, str]] = []
    for source, digest in digests.items():
        held = memory.get(digest)
        if held is None and digest in stored:
            try:
                held = memory[digest] = Parsed(*stored[digest], stored=(store, digest))
            except (ValueError, TypeError, KeyError, IndexError):
                again.append((source, fulls[source]))  # a record that does not read
                continue
        if held is not None:
            out.parsed[source] = held
    to_parse.extend(again)

    problems: list[Problem] = []
    for source, digest, row, found in [*parsing(), *parse_many(config, again)]:
        if row is None:
            problems.extend(found)
            continue
        memory[digest] = out.took(source, digest, row)
        out.stats[source] = _stat(infos[source], digest, racy_after)
    out.parsed_count = len(to_parse)
    if problems:
        raise JournalError(problems)
    out.goals = [held.goal for held in out.parsed.values() if held.goal is not None]
    out.files = fulls
    return out


def _stat(info: os.stat_result, digest: str, racy_after: int) -> Stat:
    """What is kept of a file; a file changed too recently to be vouched for by its
    time is kept with no time, so that the next build reads it again (as git does)."""
    mtime = info.st_mtime_ns if info.st_mtime_ns < racy_after else -1
    return (info.st_size, mtime, digest)


def read_rest(parses: Iterable[Parsed]) -> None:
    """Read the bodies and search records of ``parses`` that are still in the store, with
    one query (not one each: a search shard asks for a year of them)."""
    wanted: dict[Store, dict[str, Parsed]] = {}
    for parse in parses:
        if parse._rest is None and parse._stored is not None:
            store, digest = parse._stored
            wanted.setdefault(store, {})[digest] = parse
    for store, by_digest in wanted.items():
        for digest, rest in store.bodies(by_digest).items():
            by_digest[digest]._rest = rest
