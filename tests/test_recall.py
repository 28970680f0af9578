""" "You have been here before": the earlier wins an entry page with a setback recalls.

The journal below, by day (a win's tags are its own and its entry's):

    02-20 [health]        Stretched for ten minutes
    03-01 [work]          Gave the demo (work); Ran 2 km (health, work)
    03-02 [home]          Fixed the tap (home); Went for a swim (health, home)
    03-03 [health] draft  Draft win (health)
    03-05 [health]        Walked 5 km (health)
    03-06 08:00 [health]  Morning yoga (health): the same day as the next, not earlier
    03-06 [work]          setback tagged health; win Cooked dinner (work)
    03-07 [work]          untagged setback; win Tidied the desk (work)
    03-08 []              setback tagged garden; no win anywhere carries garden
    03-09 [health]        no setback

03-06's setback is tagged health: the latest three earlier entries with a health win
are 03-05, 03-02 and 03-01 (the draft and the same-day morning left out, 02-20 a
fourth), and of 03-01 its first health win, "Ran 2 km". 03-07's setback has no tag,
and no earlier win shares one with it, so its entry's tag work decides: 03-06, 03-01
(its first work win, "Gave the demo"). 03-08 has neither: no section.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import run_journal, tree, write_files
from hypothesis import given, settings
from hypothesis import strategies as st
from pages_support import build_site, page

from journal_site.aggregate.recall import index_wins_by_tag, wins_to_recall
from journal_site.model import EntrySummary, Setback, Win

TODAY = "2026-03-10"
SETBACK_URL = "2026/03/06/evening/"
"""The page of 2026-03-06.md: the second entry that day."""

JOURNAL = {
    "content/2026-02-20.md": "---\ntags: [health]\nwins: [Stretched for ten minutes]\n---\n",
    "content/2026-03-01.md": """\
        ---
        tags: [work]
        wins:
          - Gave the demo
          - text: Ran 2 km
            tags: [health]
        ---
        """,
    "content/2026-03-02.md": """\
        ---
        tags: [home]
        wins:
          - Fixed the tap
          - text: Went for a swim
            tags: [health]
        ---
        """,
    "content/2026-03-03.md": "---\ntags: [health]\ndraft: true\nwins: [Draft win]\n---\n",
    "content/2026-03-05.md": "---\ntags: [health]\nwins: [Walked 5 km]\n---\n",
    "content/2026-03-06-morning.md": """\
        ---
        date: 2026-03-06 08:00
        tags: [health]
        wins: [Morning yoga]
        ---
        """,
    "content/2026-03-06.md": """\
        ---
        date: 2026-03-06 20:00
        slug: evening
        tags: [work]
        wins: [Cooked dinner]
        setbacks:
          - text: Skipped the run
            tags: [health]
            reframe: Shoes by the door
        ---
        """,
    "content/2026-03-07.md": """\
        ---
        tags: [work]
        wins: [Tidied the desk]
        setbacks:
          - Missed the stand-up
        ---
        """,
    "content/2026-03-08.md": """\
        ---
        setbacks:
          - text: The frost got the tulips
            tags: [garden]
        ---
        """,
    "content/2026-03-09.md": "---\ntags: [health]\nwins: [Slept eight hours]\n---\n",
}


def recalled(public: Path, url: str) -> list[tuple[str, str, str]] | None:
    """(text, link, day) of each recalled win on the page at ``url``; None without the section."""
    sections = page(public, url).find_all("section", cls="been-here")
    if not sections:
        return None
    (section,) = sections
    assert section.find("h2").text() == "You have been here before"
    return [
        (li.find("a").text(), li.find("a").attrs["href"], li.find("time").attrs["datetime"])
        for li in section.find_all("li")
    ]


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    return write_files(tmp_path_factory.mktemp("recall") / "site", JOURNAL)


@pytest.fixture(scope="module")
def public(site_root) -> Path:
    return build_site(run_journal, site_root, TODAY)


def test_setback_tag_picks_the_latest_earlier_entries(public):
    # The morning of the same day (/2026/03/06/) comes first in the timeline, yet is not
    # "before"; the draft and the fourth entry back (02-20) are left out.
    assert recalled(public, SETBACK_URL) == [
        ("Walked 5 km", "/2026/03/05/", "2026-03-05"),
        ("Went for a swim", "/2026/03/02/", "2026-03-02"),
        ("Ran 2 km", "/2026/03/01/", "2026-03-01"),
    ]


def test_the_entry_tags_when_no_win_shares_the_setbacks_tag(public):
    shown = recalled(public, "2026/03/07/")
    assert shown is not None
    texts = [text for text, _, _ in shown]
    assert texts == ["Cooked dinner", "Gave the demo"]
    assert shown[0][1] == "/" + SETBACK_URL
    assert "Tidied the desk" not in texts  # the day's own win is not "before"


def test_no_section_without_a_match_or_without_a_setback(public):
    assert recalled(public, "2026/03/08/") is None  # a setback, but nothing shares a tag
    assert recalled(public, "2026/03/09/") is None  # health wins galore, but no setback
    assert recalled(public, "2026/03/05/") is None


def test_each_recalled_win_links_to_its_entry_page(public):
    for url in (SETBACK_URL, "2026/03/07/"):
        shown = recalled(public, url)
        assert shown
        for text, link, day in shown:
            target = page(public, link.strip("/") + "/")
            wins = target.find("section", cls="wins").find_all("li")
            assert text in [str(li.children[0]).strip() for li in wins]  # before its tags
            assert day in [t.attrs["datetime"][:10] for t in target.find_all("time")]


def test_drafts_are_never_recalled_even_when_shown(site_root, tmp_path):
    root = tmp_path / "with-drafts"
    shutil.copytree(site_root, root, ignore=shutil.ignore_patterns("public", ".journal-cache"))
    public = build_site(run_journal, root, TODAY, "--drafts")
    assert "Draft win" in page(public, "2026/03/03/").text()  # the draft is built ...
    shown = recalled(public, SETBACK_URL)
    assert shown is not None and "Draft win" not in [t for t, _, _ in shown]  # ... not recalled


def test_editing_an_earlier_win_updates_the_later_page_incrementally(site_root, tmp_path):
    root = tmp_path / "incremental"
    shutil.copytree(site_root, root, ignore=shutil.ignore_patterns("public", ".journal-cache"))
    public = build_site(run_journal, root, TODAY)
    (root / "content/2026-03-05.md").write_text(
        "---\ntags: [health]\nwins: [Walked 6 km in the rain]\n---\n", encoding="utf-8"
    )
    build_site(run_journal, root, TODAY)  # incremental: the store from the first build is kept
    assert (root / ".journal-cache").is_dir()
    texts = [text for text, _, _ in recalled(public, SETBACK_URL) or []]
    assert texts[0] == "Walked 6 km in the rain" and "Walked 5 km" not in texts
    # And the whole incremental output is what a clean build of the edited journal makes.
    clean_root = tmp_path / "clean"
    shutil.copytree(root, clean_root, ignore=shutil.ignore_patterns("public", ".journal-cache"))
    assert tree(public) == tree(build_site(run_journal, clean_root, TODAY))


# -- the index against a plain scan ------------------------------------------------------

TAG_POOL = ("a", "b", "c")


def _scan(entries: list[EntrySummary], position: int, limit: int = 3) -> list[tuple[str, str]]:
    """The rule, written as a scan of every win: what the index must agree with."""
    entry = entries[position]
    if not entry.setbacks:
        return []

    def pick(tags: set[str]) -> list[tuple[str, str]]:
        chosen = []
        for earlier in reversed(entries[:position]):
            if earlier.draft or earlier.day >= entry.day:
                continue
            for win in earlier.wins:
                if tags & {*win.tags, *earlier.tags}:
                    chosen.append((earlier.source, win.text))
                    break
        return chosen[:limit]

    return pick({t for s in entry.setbacks for t in s.tags}) or pick(set(entry.tags))


tags_st = st.lists(st.sampled_from(TAG_POOL), unique=True, max_size=2).map(tuple)
entry_st = st.tuples(
    st.integers(0, 6),  # day offset
    tags_st,
    st.lists(tags_st, max_size=3),  # wins, by their own tags
    st.lists(tags_st, max_size=2),  # setbacks, by their tags
    st.booleans(),  # draft
)


@settings(max_examples=300, deadline=None)
@given(st.lists(entry_st, max_size=12))
def test_the_index_chooses_what_a_scan_of_every_win_chooses(specs):
    entries = []
    for n, (offset, tags, wins, setbacks, draft) in enumerate(specs):
        entries.append(
            EntrySummary(
                source=f"{n:02d}.md",
                day=dt.date(2026, 1, 1) + dt.timedelta(days=offset),
                time=None,
                title=f"Entry {n}",
                title_is_default=False,
                tags=tags,
                mood=None,
                wins=tuple(Win(f"win {n}.{i}", t) for i, t in enumerate(wins)),
                setbacks=tuple(
                    Setback(f"setback {n}.{i}", tags=t) for i, t in enumerate(setbacks)
                ),
                draft=draft,
                slug=f"e{n}",
            )
        )
    entries.sort(key=lambda e: e.sort_key)
    index = index_wins_by_tag(entries)
    for position in range(len(entries)):
        chosen = [(e.source, w.text) for e, w in wins_to_recall(entries, index, position)]
        assert chosen == _scan(entries, position)
        # A page made alone walks back without the index, to the same wins.
        alone = [(e.source, w.text) for e, w in wins_to_recall(entries, None, position)]
        assert alone == chosen
