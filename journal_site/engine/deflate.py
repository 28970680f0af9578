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


FRAGMENT_DEFLATED_FROM = 8192
"""A text made once for all its win numbers (store.py keeps those compressed) at least
this long is compressed: a tag page or a year of the wall's days is some hundred KB of
text that compresses tenfold."""


def packed(text: str) -> str | bytes:
    """A text with stand-ins for its win numbers as the store keeps it: a long one
    compressed (bytes)."""
    if len(text) < FRAGMENT_DEFLATED_FROM:
        return text
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpacked(data: str | bytes) -> str | None:
    """A fragment kept by ``packed``; None if it is damaged."""
    if isinstance(data, str):
        return data
    try:
        return zlib.decompress(data).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError):
        return None
