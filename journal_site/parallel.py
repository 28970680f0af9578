"""All cores on a build: the processes it forks, and rendering over them.

Rendering relies on ``fork`` (``Forked``): the helpers inherit the planned pages and the
renderer with its compiled templates, take chunks of pages from a queue they share with
this process, and send back only the bytes they made. Where ``fork`` is not available,
or the job is small, everything runs in this process. Parsing over all cores is
engine/parsing.py's.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Callable
from typing import Any

MIN_PARALLEL_PAGES = 600
"""Fewer pages to render than this: render in this process (a page takes about 0.4 ms)."""


def worker_count() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing  # here: a rebuild that parses nothing never needs it

    return "fork" in multiprocessing.get_all_start_methods()


MOST_CHUNKS = 16_384
"""A pipe holds 64 KiB: this many chunk numbers of 4 bytes."""
RENDER_CHUNK = 16
"""Most outputs a process takes at a time from the shared queue of a parallel render:
small enough that the processes finish together (an aggregate page costs up to 60
entry pages), large enough that taking them costs nothing."""


class Forked:
    """A forked copy of this process that runs ``work`` and sends back the bytes it
    returns, down a pipe: a bare ``fork``, as a multiprocessing pool costs more to start
    and to stop (each 10-50 ms) than a rebuild's share of work takes. The copy inherits
    everything (the model, compiled templates) and ends with ``os._exit``.

    ``result()`` is None when no process could be started, or it failed: the caller
    then does the work itself, so that an error is raised, with its message, here."""

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._pid: int | None = None
        self._pipe: int | None = None
        if not hasattr(os, "fork"):
            return
        try:
            reader, writer = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:  # no process to be had (a limit): the caller does the work
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:
            status = 1
            try:
                os.close(reader)
                data = work()
                with os.fdopen(writer, "wb") as out:
                    out.write(len(data).to_bytes(8, "little"))
                    out.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(writer)
        self._pid, self._pipe = pid, reader

    def ready(self) -> bool:
        """Whether the result can be read without waiting (or there is none to wait for)."""
        import select

        return self._pipe is None or bool(select.select([self._pipe], [], [], 0)[0])

    def result(self) -> bytes | None:
        """What ``work`` returned, waiting for it; None if the process failed."""
        if self._pipe is None:
            return None
        try:
            with os.fdopen(self._pipe, "rb", closefd=False) as pipe:
                data = pipe.read()
        except OSError:
            data = b""
        finally:
            self.close()
        size = int.from_bytes(data[:8], "little")
        return data[8:] if len(data) >= 8 and len(data) == size + 8 else None

    def close(self, *, wait: bool = False) -> None:
        """Stop the process (its work is not wanted, or is done); ``wait`` until it has
        ended (it can no longer touch a file)."""
        stop_process(self._pid, self._pipe, wait=wait)
        self._pid = self._pipe = None


class Claims:
    """Jobs that processes share, each done by the first that takes it: one pipe per
    job holding one byte, made before the processes fork. Reading the byte takes the
    job; a read that finds none (the end of an empty pipe) means another took it."""

    def __init__(self, count: int) -> None:
        self._pipes: list[int] = []
        for _ in range(count):
            reader, writer = os.pipe()
            os.write(writer, b"x")
            os.close(writer)
            self._pipes.append(reader)

    def take(self, job: int) -> bool:
        if job >= len(self._pipes):  # closed: the work is over
            return False
        try:
            return os.read(self._pipes[job], 1) == b"x"
        except OSError:
            return False

    def close(self) -> None:
        for reader in self._pipes:
            with contextlib.suppress(OSError):
                os.close(reader)
        self._pipes = []


def stop_process(pid: int | None, pipe: int | None = None, *, wait: bool = False) -> None:
    """Kill a forked process whose work is done or not wanted, and close the end of its
    pipe read here; it is reaped by a thread (or here, with ``wait``): a process as big
    as the build takes 10-20 ms to end, which the build does not wait for."""
    import signal
    import threading

    if pid is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        if wait:
            _reap(pid)
        else:
            threading.Thread(target=_reap, args=(pid,), daemon=True).start()
    if pipe is not None:
        os.close(pipe)


def _reap(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


_Rendered = list[tuple[int, list[bytes]]]


def _render_share(make: Callable[[int], bytes], count: int, chunk: int, tickets: int) -> _Rendered:
    """Make outputs ``chunk`` at a time, taking the first of the next chunk from the
    ``tickets`` pipe that all processes read until it is empty; returns (first output,
    their bytes) for each chunk taken."""
    done: _Rendered = []
    while len(ticket := os.read(tickets, 4)) == 4:
        first = int.from_bytes(ticket, "little")
        done.append((first, [make(i) for i in range(first, min(first + chunk, count))]))
    return done


def _packed(done: _Rendered, extra: Any) -> bytes:
    """A helper's share of a render, for the pipe: a JSON head, then every output."""
    head = json.dumps([[[first, [len(d) for d in part]] for first, part in done], extra])
    encoded = head.encode()
    return b"".join(
        [len(encoded).to_bytes(8, "little"), encoded, *(d for _, p in done for d in p)]
    )


def _unpacked(data: bytes) -> tuple[_Rendered, Any]:
    size = int.from_bytes(data[:8], "little")
    chunks, extra = json.loads(data[8 : 8 + size])
    at, done = 8 + size, []
    for first, lengths in chunks:
        part = []
        for length in lengths:
            part.append(data[at : at + length])
            at += length
        done.append((first, part))
    return done, extra


def made_from_both_ends(
    make: Callable[[int], bytes], count: int, collect: Callable[[], Any] | None = None
) -> tuple[list[bytes], Any]:
    """``[make(0), ..., make(count - 1)]`` in this process and a forked helper: this
    one takes outputs from the first on, the helper from the last back, each taking one
    from ``Claims`` before making it, until they meet; and what ``collect()`` (JSON data)
    gives in the helper (None without one). Put the outputs best made here first: the
    helper reaches them only if this process is still busy. What the helper failed to
    make is made here, where its error is raised."""
    claims = Claims(count) if hasattr(os, "fork") else None

    def from_the_end() -> bytes:
        assert claims is not None
        done = []
        for number in reversed(range(count)):
            if not claims.take(number):
                break
            done.append(make(number))
        return _packed([(count - len(done), done[::-1])], collect() if collect else None)

    helper = Forked(from_the_end) if claims is not None else None
    made: list[bytes | None] = [None] * count
    try:
        for number in range(count):
            if claims is not None and not claims.take(number):
                break
            made[number] = make(number)
        theirs = _unpacked_all([helper.result() if helper is not None else None])
    finally:
        if helper is not None:
            helper.close()
        if claims is not None:
            claims.close()
    extra = None
    for done, collected in theirs:
        extra = collected
        for first, part in done:
            made[first : first + len(part)] = part
    return [make(i) if data is None else data for i, data in enumerate(made)], extra


def _unpacked_all(shares: list[bytes | None]) -> list[tuple[_Rendered, Any]]:
    out = []
    for data in shares:
        if data is not None:
            with contextlib.suppress(ValueError, TypeError, IndexError):
                out.append(_unpacked(data))
    return out


def render_many(
    make: Callable[[int], bytes],
    count: int,
    collect: Callable[[], Any] | None = None,
) -> tuple[list[bytes], list[Any]]:
    """``[make(0), ..., make(count - 1)]``, over all cores from ``MIN_PARALLEL_PAGES``
    outputs on, and what ``collect()`` (JSON data) gives in each helper process (its
    by-products, such as the win cards it rendered).

    With N cores, N - 1 forked helpers and this process take outputs from one queue (a
    pipe of chunk numbers, written before they start), a few at a time, until all are
    made: pages differ a lot in cost (a tag page shows hundreds of cards, an entry page
    one day), so a fixed share each would leave one process waiting for another. This
    process works too: it would otherwise sit waiting, and every helper starts as a copy
    of it. What a helper failed to make is made here, where its error is raised.
    """
    workers = worker_count()
    if count < max(MIN_PARALLEL_PAGES, 2) or workers < 2 or not hasattr(os, "fork"):
        return [make(i) for i in range(count)], []
    chunk = max(1, min(RENDER_CHUNK, count // (workers * 4)), -(-count // MOST_CHUNKS))
    firsts = range(0, count, chunk)
    reader, writer = os.pipe()
    try:
        # Every chunk number is in the pipe before a helper starts (``MOST_CHUNKS``), so
        # a read of 4 bytes takes one number whole, and an empty pipe means all are taken.
        os.write(writer, b"".join(first.to_bytes(4, "little") for first in firsts))
        os.close(writer)

        def helper() -> bytes:
            gc.enable()  # a helper renders for long: its garbage is collected
            done = _render_share(make, count, chunk, reader)
            return _packed(done, collect() if collect is not None else None)

        helpers = [Forked(helper) for _ in range(workers - 1)]
        try:
            ours = _render_share(make, count, chunk, reader)
            theirs = [h.result() for h in helpers]
        finally:
            for h in helpers:
                h.close()
    finally:
        os.close(reader)
    made: list[bytes | None] = [None] * count
    extras = []
    for done, extra in [(ours, None), *_unpacked_all(theirs)]:
        for first, part in done:
            made[first : first + len(part)] = part
        if extra is not None:
            extras.append(extra)
    return [make(i) if data is None else data for i, data in enumerate(made)], extras
