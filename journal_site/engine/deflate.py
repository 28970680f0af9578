"""Pages as the store keeps them: compressed with zlib, many at a time on two threads."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable

ZLIB_THREADS_FROM = 256
"""Pages inflated or deflated at once from this many on are split between two threads
(zlib lets go of the interpreter while it works): a deploy reads thousands of pages, a
cold build keeps thousands, 35-40 MB either way."""

_Rows = list[tuple[str, bytes]]


def _by_halves(rows: _Rows, work: Callable[[_Rows], _Rows]) -> _Rows:
    """``work`` on ``rows``, on two threads (a half each) when there are many."""
    if len(rows) < ZLIB_THREADS_FROM:
        return work(rows)
    from concurrent.futures import ThreadPoolExecutor

    half = len(rows) // 2
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(work, rows[half:])
        return work(rows[:half]) + later.result()


def inflated(rows: _Rows) -> _Rows:
    """(key, page) for each (key, compressed page), leaving out any that is damaged."""

    def inflate(part: _Rows) -> _Rows:
        out = []
        for key, data in part:
            with contextlib.suppress(zlib.error):
                out.append((key, zlib.decompress(data)))
        return out

    return _by_halves(rows, inflate)


def deflated(rows: _Rows) -> _Rows:
    """(key, compressed page) for each (key, page)."""
    return _by_halves(rows, lambda part: [(key, zlib.compress(data, 1)) for key, data in part])
