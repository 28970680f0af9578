"""Pages compressed as the store keeps them (engine/deflate.py)."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from journal_site.engine.deflate import (
    FRAGMENT_DEFLATED_FROM,
    ZLIB_THREADS_FROM,
    deflated,
    inflated,
    packed,
    unpacked,
)
from journal_site.engine.store import STORE_NAME, Store
from journal_site.fragments import LATE_PREFIX, PARTIAL_PREFIX


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


def test_a_text_made_once_for_all_its_numbers_is_kept_compressed(tmp_path: Path) -> None:
    """Through a real store: a card and a partial come back as the text they were, a
    page's text with stand-ins for its win numbers (surrogates and markers in it)
    compressed in the file and whole when read."""
    card = "<li>card \ue000,\ue001</li>"
    page = "<li>a win \ud800 \ue000\ue0020+1\ue001</li>\n" * (FRAGMENT_DEFLATED_FROM // 20)
    store = Store(tmp_path / "cache", "version")
    uses = {"p\0late": ("p", LATE_PREFIX + "page"), "p\0days": ("p", PARTIAL_PREFIX + "1")}
    days = page.replace("\ud800", "")  # kept as text: no surrogate
    made = {"c1.x": card, LATE_PREFIX + "page": page, PARTIAL_PREFIX + "1": days}
    store.save_fragments("scope", made, uses, ("p",))  # a partial no page uses is dropped
    again = Store(tmp_path / "cache", "version")
    assert again.fragment("scope", "c1.x") == card
    assert again.fragment("scope", LATE_PREFIX + "page") == page
    with sqlite3.connect(tmp_path / "cache" / STORE_NAME) as db:
        kept = dict(db.execute("SELECT key, data FROM fragments"))
    assert kept["c1.x"] == card and kept[PARTIAL_PREFIX + "1"] == days
    assert isinstance(kept[LATE_PREFIX + "page"], bytes)
    assert len(kept[LATE_PREFIX + "page"]) < len(page) // 5
    assert unpacked(b"not deflated") is None and packed("short") == "short"
