"""Pages compressed as the store keeps them (engine/deflate.py)."""

from __future__ import annotations

import zlib

import pytest

from journal_site.engine.deflate import ZLIB_THREADS_FROM, deflated, inflated


@pytest.mark.parametrize("count", [0, 5, ZLIB_THREADS_FROM, ZLIB_THREADS_FROM * 3 + 1])
def test_pages_come_back_in_order_under_their_keys(count: int) -> None:
    """Below ``ZLIB_THREADS_FROM`` one thread does the work, from it on two take a half
    each: either way every page comes back whole, in the order given."""
    rows = [(f"page-{n}", f"<p>{n}</p>".encode() * (n % 40 + 1)) for n in range(count)]
    packed = deflated(rows)
    assert [key for key, _ in packed] == [key for key, _ in rows]
    assert all(
        zlib.decompress(data) == page for (_, data), (_, page) in zip(packed, rows, strict=True)
    )
    assert inflated(packed) == rows


def test_a_damaged_page_is_left_out() -> None:
    rows = deflated([(f"page-{n}", b"<p>page</p>" * n) for n in range(ZLIB_THREADS_FROM)])
    rows[7] = ("page-7", b"not deflated")
    back = inflated(rows)
    assert "page-7" not in dict(back) and len(back) == ZLIB_THREADS_FROM - 1
