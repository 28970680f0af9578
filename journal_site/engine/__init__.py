"""One build engine for ``journal build``, ``journal serve`` and a deploy (see site.py)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator


class Cancelled(Exception):
    """The build was asked to stop (a newer change overtook it)."""


def check(cancel: Callable[[], bool]) -> None:
    """Raise ``Cancelled`` if the build was asked to stop."""
    if cancel():
        raise Cancelled


@contextlib.contextmanager
def cycle_collection_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector: a build makes many objects that live until it ends
    and few cycles, so the collector would walk every entry again and again for nothing.
    ``freeze`` sets all that aside (``gc.freeze``) before the collector runs again: for
    a process about to end, or one that keeps most of it (``journal serve``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


class Clock:
    """Milliseconds each stage took, into a build's stats (for benchmarks)."""

    def __init__(self, stats: dict[str, int]) -> None:
        self.stats = stats
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stats[name] = round((now - self.last) * 1000)
        self.last = now
