"""Parsing content files for the engine: in this process, over a pool of workers, or in
one forked process beside this one (see ``parse_started``), which ``journal build``
starts before it imports the engine, to load the parsers meanwhile (``ParserAhead``).

Parsing goes out in a few large pieces (lists of files), not file by file, so that
pickling stays a small part of the cost. A parse travels as the store keeps it
(``ParsedRow``: JSON text, see codec.py).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.errors import JournalError, Problem, plain_problems, problems_from_plain
from journal_site.parallel import Forked, can_fork, worker_count

if TYPE_CHECKING:
    from journal_site.config import Config
    from journal_site.model import Entry, Goal

MIN_PARALLEL_FILES = 400
"""Fewer files to parse than this: parse in this process. Starting two workers costs
about 40 ms, parsing an entry about 1 ms, so a pool pays off from a few hundred files."""

CHUNKS_PER_WORKER = 3
"""A few chunks per worker even out uneven chunks without much pickling."""


def _chunks(count: int, workers: int) -> list[range]:
    pieces = max(1, min(count, workers * CHUNKS_PER_WORKER))
    size, extra = divmod(count, pieces)
    ranges, start = [], 0
    for index in range(pieces):
        end = start + size + (1 if index < extra else 0)
        ranges.append(range(start, end))
        start = end
    return ranges


ParsedRow = tuple[str, str, str | None, str | None, str | None]
"""A parse as the store keeps it: (kind, head JSON, body JSON, search record JSON,
link targets JSON); see engine/codec.py and engine/sources.py."""
ParsedFile = tuple[str, str, ParsedRow | None, tuple[Problem, ...]]
"""(source, content digest, the parse or None, problems)."""


def parse_settings(config: Config) -> bytes:
    """The settings a parse depends on besides its file: Markdown options, the base path
    (links and images) and the content folder's name (error messages)."""
    return repr((config.markdown, config.base_path, config.content)).encode()


def content_digest(settings: bytes, source: str, raw: bytes) -> str:
    """What names a file's parse: the parse settings, its path (the date and slug may
    come from it) and its bytes."""
    digest = hashlib.blake2b(settings, digest_size=16)
    digest.update(b"\0" + source.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(raw)
    return digest.hexdigest()


def encode_parsed(item: Entry | Goal) -> ParsedRow:
    """A parsed Entry or Goal as the store keeps it, its search record made here, on all
    cores, rather than in the main process."""
    from journal_site.aggregate.search import entry_fields
    from journal_site.engine import codec
    from journal_site.model import Entry
    from journal_site.render import link_targets

    if isinstance(item, Entry):
        head, body = codec.encode_entry(item)
        links = codec.dump(link_targets(item.body_html))
        return "entry", head, body, codec.dump(entry_fields(item)), links
    return "goal", codec.encode_goal(item), None, None, None


def parse_files(config: Config, files: Sequence[tuple[str, str]]) -> list[ParsedFile]:
    """Read and parse Markdown files into the store's form (see ``encode_parsed``)."""
    from journal_site.loader import decode, is_goal
    from journal_site.parse import parse_entry, parse_goal, too_big

    out: list[ParsedFile] = []
    settings = parse_settings(config)
    for source, full in files:
        path = f"{config.content}/{source}"
        try:
            try:
                if (error := too_big(path, os.stat(full).st_size)) is not None:
                    raise error
                raw = Path(full).read_bytes()
            except OSError as exc:
                raise JournalError.single(path, None, f"cannot be read: {exc.strerror}") from exc
            digest = content_digest(settings, source, raw)
            parse = parse_goal if is_goal(source) else parse_entry
            item = parse(
                source,
                decode(raw, path),
                config.markdown,
                base_path=config.base_path,
                content=config.content,
            )
        except JournalError as exc:
            out.append((source, "", None, exc.problems))
            continue
        out.append((source, digest, encode_parsed(item), ()))
    return out


def _parse_chunk(job: tuple[Config, Sequence[tuple[str, str]]]) -> list[ParsedFile]:
    return parse_files(*job)


def parse_many(config: Config, files: Sequence[tuple[str, str]]) -> list[ParsedFile]:
    """``parse_files`` over all cores when there are enough files, in order."""
    workers = worker_count()
    if len(files) < MIN_PARALLEL_FILES or workers < 2 or not can_fork():
        return parse_files(config, files)
    import multiprocessing

    jobs = [(config, [files[i] for i in chunk]) for chunk in _chunks(len(files), workers)]
    # A worker collects cycles even when the build paused that (it parses, and its
    # Markdown parser's state is cyclic garbage; see engine.site.cycle_collection_paused).
    with multiprocessing.get_context("fork").Pool(workers, initializer=gc.enable) as pool:
        results = pool.map(_parse_chunk, jobs, chunksize=1)
    return [item for chunk in results for item in chunk]


def parse_started(
    config: Config,
    files: Sequence[tuple[str, str]],
    beside: bool = True,
    ahead: ParserAhead | None = None,
) -> Callable[[], list[ParsedFile]]:
    """Start ``parse_many``; the function returned waits for its result. A few files,
    on a machine with a core to spare and when ``beside`` allows it, are parsed by a
    forked copy of this process while this one goes on (the caller decodes the parses
    it holds meanwhile), which also spares this one the import of the YAML and Markdown
    parsers: by ``ahead``, which has them loaded already, when given; many go to
    ``parse_many``'s pool when waited for. ``ahead`` is used up either way."""
    few = beside and 0 < len(files) < MIN_PARALLEL_FILES and worker_count() >= 2
    if ahead is not None:
        if few:
            return _waited(config, files, ahead.send(files))
        ahead.close()
    if not files:
        return list
    if not few:
        return lambda: parse_many(config, files)
    return _waited(config, files, Forked(lambda: _parsed_here(config, files)))


class ParserAhead:
    """A forked copy of this process that loads the parsers (YAML, Markdown, the search
    fields) at once, while this one goes on loading the engine, and then parses the
    files it is sent (``send``): the file or two of an everyday build are parsed while
    this process decodes the parses it holds, rather than after an import that takes
    longer than that decoding. ``close`` ends it unused."""

    def __init__(self, config: Config) -> None:
        self._asked: int | None = None
        try:
            reader, self._asked = os.pipe()
        except OSError:
            self._helper: Forked | None = None
            return

        def work() -> bytes:
            _load_parsers(config)
            # The request says how long it is: a process forked later may hold the
            # writing end open as well, so its end is not the end of the pipe.
            with os.fdopen(reader, "rb") as asked:
                size = int.from_bytes(asked.read(8), "little")
                files = json.loads(asked.read(size) or b"[]")
            return _parsed_here(config, [(str(s), str(f)) for s, f in files])

        self._helper = Forked(work)
        os.close(reader)

    def send(self, files: Sequence[tuple[str, str]]) -> Forked | None:
        """Have the process parse ``files``: what it sends back (see ``Forked``)."""
        helper, self._helper = self._helper, None
        if self._asked is not None:
            request = json.dumps([list(f) for f in files]).encode()
            with contextlib.suppress(OSError), os.fdopen(self._asked, "wb") as asked:
                asked.write(len(request).to_bytes(8, "little") + request)
            self._asked = None
        return helper

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()
            self._helper = None
        if self._asked is not None:
            with contextlib.suppress(OSError):
                os.close(self._asked)
            self._asked = None


def parser_ahead(config: Config) -> ParserAhead | None:
    """A ``ParserAhead``, if this machine has a core to spare for it."""
    if worker_count() < 2 or not hasattr(os, "fork"):
        return None
    return ParserAhead(config)


def _load_parsers(config: Config) -> None:
    """Import and set up what parsing needs, by parsing a small entry of these settings."""
    from journal_site.parse import parse_entry

    with contextlib.suppress(JournalError):
        text = "---\ntitle: A day\nwins: [One]\n---\nA *walk*, [a link](x.md).\n"
        sample = parse_entry(
            "2000-01-01.md",
            text,
            config.markdown,
            base_path=config.base_path,
            content=config.content,
        )
        encode_parsed(sample)


def _parsed_here(config: Config, files: Sequence[tuple[str, str]]) -> bytes:
    """``parse_files``, as a forked process sends it back."""
    done = parse_files(config, files)
    return json.dumps([[s, d, row, plain_problems(found)] for s, d, row, found in done]).encode()


def _waited(
    config: Config, files: Sequence[tuple[str, str]], helper: Forked | None
) -> Callable[[], list[ParsedFile]]:
    """What waits for the parse of ``files`` by ``helper``: its result, or (when it sent
    none that reads) the files parsed here, where an error is raised with its message."""

    def wait() -> list[ParsedFile]:
        data = helper.result() if helper is not None else None
        with contextlib.suppress(ValueError, TypeError):
            done = [
                (str(s), str(d), None if row is None else _row(row), problems_from_plain(found))
                for s, d, row, found in json.loads(data or b"")
            ]
            if [item[0] for item in done] == [source for source, _ in files]:
                return done
        return parse_files(config, files)

    return wait


def _row(row: list[str | None]) -> ParsedRow:
    kind, head, body, record, links = row
    if not isinstance(kind, str) or not isinstance(head, str):
        raise TypeError("not a parse")
    return kind, head, body, record, links
