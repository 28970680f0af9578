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
from collections.abc import Callable, Iterator
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
    everything (the model, compiled templates) and ends with ``os._exit``. ``work`` may
    return its bytes in parts (a list), sent one after the other: a render helper's
    share of a cold build is tens of MB, which joining would hold twice.

    ``result()`` is None when no process could be started, or it failed: the caller
    then does the work itself, so that an error is raised, with its message, here.

    A ``work`` that yields its parts (a generator) sends each as soon as it is made, and
    ``take_in()`` reads them here on a thread meanwhile: a render helper then holds none
    of the pages it has made, and this process gets each as it comes."""

    def __init__(self, work: Callable[[], bytes | list[bytes] | Iterator[bytes]]) -> None:
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
                    if isinstance(data, bytes | list):
                        parts = [data] if isinstance(data, bytes) else data
                        out.write(sum(len(part) for part in parts).to_bytes(8, "little"))
                        for part in parts:
                            out.write(part)
                    else:  # each part down the pipe as soon as it is made (``take_in``)
                        for part in data:
                            out.write(len(part).to_bytes(8, "little"))
                            out.write(part)
                        out.write(_END)
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
        """What ``work`` returned (its parts joined), waiting for it; None if the
        process failed."""
        if self._pipe is None:
            return None
        try:
            with os.fdopen(self._pipe, "rb", closefd=False) as pipe:
                head = pipe.read(8)
                size = int.from_bytes(head, "little")
                data = pipe.read(size) if len(head) == 8 else b""
                whole = len(head) == 8 and len(data) == size and not pipe.read(1)
        except (OSError, MemoryError):
            whole = False
        finally:
            self.close()
        return data if whole else None

    def take_in(self) -> Callable[[], tuple[list[bytes], bool]]:
        """Read what a yielding ``work`` sends, on a thread, as it comes; the function
        returned waits for the end and gives the parts and whether they are all there
        (False: the process failed after sending the parts given, or none could start)."""
        import threading

        parts: list[bytes] = []
        whole = [False]
        # The thread owns the pipe from now on, and closes it: a ``close()`` that stops
        # the process (a failed build) cannot close it under a read.
        pipe_fd, self._pipe = self._pipe, None

        def run() -> None:
            if pipe_fd is None:
                return
            with (
                contextlib.suppress(OSError, ValueError, MemoryError),
                os.fdopen(pipe_fd, "rb") as pipe,
            ):
                while len(head := pipe.read(8)) == 8:
                    if head == _END:
                        whole[0] = not pipe.read(1)
                        return
                    size = int.from_bytes(head, "little")
                    part = pipe.read(size)
                    if len(part) != size:
                        return
                    parts.append(part)

        thread = threading.Thread(target=run, name="journal-take-in", daemon=True)
        thread.start()

        def taken() -> tuple[list[bytes], bool]:
            thread.join()
            self.close()
            return parts, whole[0]

        return taken

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


def _share(
    make: Callable[[int], bytes], count: int, chunk: int, tickets: int
) -> Iterator[tuple[int, bytes]]:
    """Make outputs ``chunk`` at a time, taking the first of the next chunk from the
    ``tickets`` pipe that all processes read until it is empty: (number, bytes) of each
    output as it is made."""
    while len(ticket := os.read(tickets, 4)) == 4:
        first = int.from_bytes(ticket, "little")
        for number in range(first, min(first + chunk, count)):
            yield number, make(number)


_END = b"\xff" * 8
"""After the last part a yielding helper sends (no part is that long)."""

_EXTRA = (1 << 63).to_bytes(8, "little")
"""Stands for an output's number before a helper's by-products (``collect()``)."""


def _sent(made: Iterator[tuple[int, bytes]], collect: Callable[[], Any] | None) -> Iterator[bytes]:
    """A helper's share of a render, for the pipe as it is made: each output's number,
    then the output; last, ``collect()``'s JSON."""
    for number, data in made:
        yield number.to_bytes(8, "little")
        yield data
    yield _EXTRA
    yield json.dumps(collect() if collect is not None else None).encode()


def _received(
    helpers: list[Callable[[], tuple[list[bytes], bool]]], made: list[bytes | None]
) -> list[Any]:
    """Put each output the helpers sent in its place in ``made``; the by-products of
    each helper that sent all of its share. What a helper sent before it failed is
    kept, and the rest of its share is made here."""
    extras = []
    for taken in helpers:
        parts, whole = taken()
        for at in range(0, len(parts) - 1, 2):
            if parts[at] == _EXTRA:
                if whole:
                    with contextlib.suppress(ValueError):
                        extras.append(json.loads(parts[at + 1]))
                continue
            number = int.from_bytes(parts[at], "little")
            if len(parts[at]) == 8 and number < len(made):
                made[number] = parts[at + 1]
    return extras


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

    def from_the_end() -> Iterator[tuple[int, bytes]]:
        assert claims is not None
        for number in reversed(range(count)):
            if not claims.take(number):
                break
            yield number, make(number)

    helper = Forked(lambda: _sent(from_the_end(), collect)) if claims is not None else None
    taken = helper.take_in() if helper is not None else None
    made: list[bytes | None] = [None] * count
    extras: list[Any] = []
    try:
        for number in range(count):
            if claims is not None and not claims.take(number):
                break
            made[number] = make(number)
        extras = _received([taken] if taken is not None else [], made)
    finally:
        if helper is not None:
            helper.close()
        if claims is not None:
            claims.close()
    extra = extras[0] if extras else None
    return [make(i) if data is None else data for i, data in enumerate(made)], extra


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

        def helper() -> Iterator[bytes]:
            gc.enable()  # a helper renders for long: its garbage is collected
            return _sent(_share(make, count, chunk, reader), collect)

        helpers = [Forked(helper) for _ in range(workers - 1)]
        made: list[bytes | None] = [None] * count
        try:
            takers = [h.take_in() for h in helpers]
            for number, data in _share(make, count, chunk, reader):
                made[number] = data
            extras = [extra for extra in _received(takers, made) if extra is not None]
        finally:
            for h in helpers:
                h.close()
    finally:
        os.close(reader)
    return [make(i) if data is None else data for i, data in enumerate(made)], extras
