"""Parsing content files for the engine: in this process, over a pool of workers, or in
one forked process beside this one (see ``parse_started``).

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
from typing import TYPE_CHECKING, Any

from journal_site.errors import JournalError, Problem
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
    config: Config, files: Sequence[tuple[str, str]], beside: bool = True
) -> Callable[[], list[ParsedFile]]:
    """Start ``parse_many``; the function returned waits for its result. A few files,
    on a machine with a core to spare and when ``beside`` allows it, are parsed by a
    forked copy of this process while this one goes on (the caller decodes the parses
    it holds meanwhile), which also spares this one the import of the YAML and Markdown
    parsers; many go to ``parse_many``'s pool when waited for."""
    if not files:
        return list
    if not beside or len(files) >= MIN_PARALLEL_FILES or worker_count() < 2:
        return lambda: parse_many(config, files)

    def parse_there() -> bytes:
        done = parse_files(config, files)
        return json.dumps(
            [
                [s, d, row, [[p.path, p.line, p.message] for p in found]]
                for s, d, row, found in done
            ]
        ).encode()

    helper = Forked(parse_there)

    def wait() -> list[ParsedFile]:
        data = helper.result()
        with contextlib.suppress(ValueError, TypeError):
            done = [
                (str(s), str(d), None if row is None else _row(row), _problems(found))
                for s, d, row, found in json.loads(data or b"")
            ]
            if [item[0] for item in done] == [source for source, _ in files]:
                return done
        return parse_files(config, files)  # here, where an error is raised with its message

    return wait


def _row(row: list[str | None]) -> ParsedRow:
    kind, head, body, record, links = row
    if not isinstance(kind, str) or not isinstance(head, str):
        raise TypeError("not a parse")
    return kind, head, body, record, links


def _problems(found: list[list[Any]]) -> tuple[Problem, ...]:
    return tuple(Problem(str(path), line, str(message)) for path, line, message in found)
