"""Tags: the index, each tag's page, and slugs that collide.

Hand count of tests/fixtures/collections (see test_wins.py for every win). A tag's
entries list it in their own tags; its wins are those entries' wins plus wins that
carry the tag themselves; its setbacks likewise:

    health    entries 01-01, 01-07        wins 2 + 2 = 4     setbacks 2
    work      entry 01-02                 wins 1 + 1 (01-05, win-tagged) = 2   setbacks 1
    outdoors  no entry                    wins #2, #8 = 2
    calm, Cooking, garden                 one win each
    family    only a setback carries it   setbacks 1
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_journal
from pages_support import COLLECTIONS_TODAY as TODAY
from pages_support import build_site, fixture_copy, page

from journal_site.aggregate.tags import tag_slugs
from journal_site.errors import JournalError
from journal_site.parse import parse_entry


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(run_journal, fixture_copy(tmp_path_factory.mktemp("tags")), TODAY)


def test_tag_index_counts(public):
    rows = page(public, "tags/").find("table", cls="tag-table").find("tbody").find_all("tr")
    table = [[cell.text() for cell in row.find_all() if cell.tag in ("th", "td")] for row in rows]
    # Most used (entries + wins) first, then by name regardless of case.
    assert table == [
        ["#health", "2", "4", "2"],
        ["#work", "1", "2", "1"],
        ["#outdoors", "0", "2", "0"],
        ["#calm", "0", "1", "0"],
        ["#Cooking", "0", "1", "0"],
        ["#garden", "0", "1", "0"],
        ["#family", "0", "0", "1"],
    ]
    links = [r.find("a").attrs["href"] for r in rows]
    assert links[4] == "/tags/cooking/"


def test_tag_page_lists_its_wins_and_entries(public):
    health = page(public, "tags/health/")
    assert health.find("h1").text() == "#health"
    wins = [c.find("p", cls="win-text").text() for c in health.find_all("li", cls="win-card")]
    assert wins == [
        "Stretched",
        "Slept eight hours",
        "Drank enough water",
        "Walked 2 km by the river",
    ]
    entries = health.find("ul", cls="entry-list").find_all("a")
    assert [(a.text(), a.attrs["href"]) for a in entries] == [
        ("A full week", "/2026/01/07/"),
        ("New year walk", "/2026/01/01/"),
    ]
    work = page(public, "tags/work/")
    assert [c.find("p", cls="win-text").text() for c in work.find_all("li", cls="win-card")] == [
        "Finished the report",
        "Spoke up at stand-up",
    ]
    # A tag only a setback carries still has a page, pointing to its lessons.
    family = page(public, "tags/family/")
    assert not family.find_all("li", cls="win-card")
    assert family.find("a", href="/lessons/#lessons-family")


def test_slugs_are_lower_case_and_url_safe():
    entry = parse_entry(
        "2026-01-01.md",
        "---\ntags: [Self Care, 'Ärger/Wut', 'a.b', 🌱]\n---\n",
    )
    slugs = tag_slugs([entry])
    assert slugs == {
        "Self Care": "self-care",
        "Ärger/Wut": "ärger-wut",
        "a.b": "a-b",
        "🌱": "u1f331",
    }


def test_two_tags_sharing_a_slug_is_an_error_naming_both(journal, site):
    root = site(
        {
            "content/2026-01-01.md": "---\ntags: [Self care]\n---\nA.\n",
            "content/2026-01-02.md": (
                "---\nwins:\n  - text: Rested\n    tags: [self-care]\n---\nB.\n"
            ),
        }
    )
    for command in ("build", "check"):
        result = journal(command, "--today", TODAY, cwd=root)
        assert result.returncode == 1, result.stdout
        assert (
            "content/2026-01-02.md:3: tag 'self-care' and tag 'Self care' "
            "(in content/2026-01-01.md) would share the page /tags/self-care/"
        ) in result.stderr
        assert "Traceback" not in result.stderr
    assert not (root / "public").exists()


def test_collisions_are_all_listed_at_once():
    entries = [
        parse_entry("2026-01-01.md", "---\ntags: [Work, Self care]\n---\n"),
        parse_entry("2026-01-02.md", "---\ntags: [work, self-care]\n---\n"),
    ]
    with pytest.raises(JournalError) as caught:
        tag_slugs(entries)
    assert [p.message.split(" would")[0] for p in caught.value.problems] == [
        "tag 'work' and tag 'Work' (in content/2026-01-01.md)",
        "tag 'self-care' and tag 'Self care' (in content/2026-01-01.md)",
    ]


@pytest.mark.parametrize("per_page", [1, 2, 400])
def test_each_page_of_a_tag_shows_the_wins_and_entries_the_whole_tag_splits_into(
    tmp_path: Path, monkeypatch, per_page: int
) -> None:
    """A tag's page is made from the entries where the tag appears and the number of
    each one's first win (pages.collections._tag_view): it shows the slice of the tag's
    wins (numbered over the whole journal) and entries, newest first, that the tag's
    index of every win gives, however small the pages are."""
    import datetime as dt

    from journal_site.build import render_site
    from journal_site.config import load_config
    from journal_site.pages import collections

    monkeypatch.setattr(collections, "TAG_WINS_PER_PAGE", per_page)
    monkeypatch.setattr(collections, "TAG_ENTRIES_PER_PAGE", per_page + 1)
    model = render_site(
        load_config(fixture_copy(tmp_path)), today=dt.date.fromisoformat(TODAY)
    ).model
    pages = {p.url: p for p in collections.tag_pages(model)}
    for tag in model.tag_infos:
        wins, entries = tag.wins[::-1], tag.entries[::-1]
        count = max(1, -(-len(wins) // per_page), -(-len(entries) // (per_page + 1)))
        for n in range(1, count + 1):
            url = f"tags/{tag.slug}/" + ("" if n == 1 else f"page/{n}/")
            view = pages.pop(url).context()
            assert view["wins"] == list(wins[(n - 1) * per_page : n * per_page])
            cards = entries[(n - 1) * (per_page + 1) : n * (per_page + 1)]
            assert view["entries"] == [model.card(e) for e in cards]
            assert (view["number"], view["count"]) == (n, count)
            assert view["tag"].wins == len(tag.wins) and view["tag"].entries == len(tag.entries)
            assert set(view["urls"]) == {r.entry.source for r in view["wins"]}
    assert set(pages) == {"tags/"}
