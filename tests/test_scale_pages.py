"""A 4,000-entry journal (the generated benchmark corpus) still builds, and no page is huge.

One build, shared by every test here: add checks for new pages as tests below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import make_corpus, run_journal

pytestmark = pytest.mark.slow

PAGE_LIMIT = 2 * 1024 * 1024
"""No single page may be larger than 2 MB (DESIGN/issue 3)."""


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "site"
    make_corpus(root / "content", 4000)
    # The corpus ends on 2026-11-24; build as of the day after, as a reader would.
    result = run_journal("build", "--today", "2026-11-25", cwd=root, timeout=600)
    assert result.returncode == 0, result.stderr
    return root / "public"


def test_every_page_under_the_limit(big_site):
    pages = list(big_site.rglob("*.html"))
    assert len(pages) > 4000  # an entry page each, plus the sections
    sizes = {p.relative_to(big_site).as_posix(): p.stat().st_size for p in pages}
    too_big = {name: size for name, size in sizes.items() if size > PAGE_LIMIT}
    assert not too_big, f"pages over 2 MB: {too_big}"


def test_stats_and_home_have_every_year(big_site):
    stats = (big_site / "stats" / "index.html").read_text(encoding="utf-8")
    # 4,000 entries at about 7 in 8 days reach back into 2015 or 2016.
    years = [y for y in range(2014, 2027) if f"In {y} you wrote on" in stats]
    assert years and years[-1] == 2026 and len(years) >= 11
    home = (big_site / "index.html").read_text(encoding="utf-8")
    assert "In the last 365 days you wrote on" in home


def test_wins_wall_is_split_by_year_and_shows_every_win(big_site):
    total = int(
        re.search(r"([\d,]+) wins so far", (big_site / "wins/index.html").read_text())[1].replace(
            ",", ""
        )
    )
    numbers: list[int] = []
    for path in sorted((big_site / "wins").glob("[0-9]*/**/index.html")):
        html = path.read_text(encoding="utf-8")
        numbers += [
            int(n.replace(",", ""))
            for n in re.findall(r'class="win-number"[^>]*>#([\d,]+)<', html)
        ]
    # Every win is on exactly one year page; no year page is near the limit.
    assert sorted(numbers) == list(range(1, total + 1))
    assert total > 6000
    year_pages = [p.stat().st_size for p in (big_site / "wins").rglob("index.html")]
    assert max(year_pages) < PAGE_LIMIT // 4


def test_search_index_is_small_shards(big_site):
    folder = big_site / "search"
    manifest = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    shards = [folder / name for name in manifest["shards"]]
    entries = sum(len(json.loads(s.read_text(encoding="utf-8"))["e"]) for s in shards)
    assert entries == 4000
    sizes = [s.stat().st_size for s in shards]
    # About 200 KB a year for this corpus (2.3 MB in all): each shard is one quick fetch,
    # and the whole index is under half the size of the Markdown it indexes.
    markdown = sum(p.stat().st_size for p in (big_site.parent / "content").rglob("*.md"))
    assert max(sizes) < 512 * 1024
    assert sum(sizes) < markdown / 2
