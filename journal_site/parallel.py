"""All cores on a big build: Markdown parsing and page rendering in a process pool.

Parsing goes out in a few large pieces (lists of files), not file by file, so that
pickling stays a small part of the cost. Rendering relies on ``fork``: the children
inherit the planned pages, take page numbers from a counter they share with this
process, and send back only HTML; each makes its own ``Renderer`` (a Jinja environment
is not shared between processes).
Where ``fork`` is not available, or the job is small, everything runs in this process.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_site.errors import JournalError, Problem

if TYPE_CHECKING:
    from journal_site.config import Config
    from journal_site.model import Entry, Goal

MIN_PARALLEL_FILES = 400
"""Fewer files to parse than this: parse in this process. Starting two workers costs
about 40 ms, parsing an entry about 1 ms, so a pool pays off from a few hundred files."""
MIN_PARALLEL_PAGES = 600
"""Fewer pages to render than this: render in this process (a page takes about 0.4 ms)."""
CHUNKS_PER_WORKER = 3
"""A few chunks per worker even out uneven chunks without much pickling."""


def worker_count() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing  # here: a rebuild that parses nothing never needs it

    return "fork" in multiprocessing.get_all_start_methods()


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


# What forked render workers inherit: set just before the pool starts, cleared after.
_RENDER_JOB: tuple[Callable[[int], bytes], int, Any, Callable[[], Any] | None] | None = None

RENDER_CHUNK = 16
"""Outputs a process takes at a time from the shared queue of a parallel render: small
enough that the processes finish together (an aggregate page costs up to 60 entry
pages), large enough that taking them costs nothing."""

_Rendered = list[tuple[int, list[bytes]]]


def _render_share(worker: bool = False) -> tuple[_Rendered, Any] | tuple[Problem, ...]:
    """Make outputs RENDER_CHUNK at a time, taking the next chunk from the counter all
    processes share until none is left; returns (first output, their bytes) for each
    chunk taken, with what ``collect`` then gives in a worker; or the problems."""
    assert _RENDER_JOB is not None
    make, count, taken, collect = _RENDER_JOB
    done: _Rendered = []
    try:
        while True:
            with taken.get_lock():
                first = taken.value
                taken.value = first + RENDER_CHUNK
            if first >= count:
                break
            last = min(first + RENDER_CHUNK, count)
            done.append((first, [make(i) for i in range(first, last)]))
    except JournalError as exc:
        return exc.problems
    return done, collect() if worker and collect is not None else None


def render_many(
    make: Callable[[int], bytes],
    count: int,
    collect: Callable[[], Any] | None = None,
) -> tuple[list[bytes], list[Any]]:
    """``[make(0), ..., make(count - 1)]``, over all cores when there are enough, and
    what ``collect()`` gives in each process that made some (the worker processes'
    by-products, such as the win cards they rendered).

    With N cores, N - 1 forked workers and this process take outputs from one queue (a
    shared counter), a few at a time, until all are made: pages differ a lot in cost (a
    tag page shows hundreds of cards, an entry page one day), so a fixed share each
    would leave one process waiting for another. This process works too: it would
    otherwise sit waiting, and every worker starts as a copy of it.
    """
    global _RENDER_JOB
    workers = worker_count()
    if count < MIN_PARALLEL_PAGES or workers < 2 or not can_fork():
        return [make(i) for i in range(count)], []
    import multiprocessing

    context = multiprocessing.get_context("fork")
    _RENDER_JOB = (make, count, context.Value("q", 0), collect)
    try:
        with context.Pool(workers - 1, initializer=gc.enable) as pool:
            theirs = pool.map_async(_render_share, [True] * (workers - 1), 1)
            ours = _render_share()
            results: list[Any] = [ours, *theirs.get()]
    finally:
        _RENDER_JOB = None
    problems = [p for share in results if share and isinstance(share[0], Problem) for p in share]
    if problems:
        raise JournalError(problems)
    made: list[bytes] = [b""] * count
    for done, _ in results:
        for first, part in done:
            made[first : first + len(part)] = part
    return made, [extra for _, extra in results[1:]]
