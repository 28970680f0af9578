"""The wins wall, built by the real CLI from tests/fixtures/collections.

Hand count of the fixture (today = 2026-01-10), wins numbered oldest first:

    #1  2025-12-20  Tidied the desk                          <- first win
    #2  2026-01-01  Walked 2 km by the river  (outdoors; entry: health)
    #3  2026-01-01  Drank enough water        (entry: health)
    #4  2026-01-02  Spoke up at stand-up      (entry: work)
    #5-#7 2026-01-03  Run 1 km (goal run-5k), Cooked dinner (Cooking), Called Mum
        2026-01-04  an entry without wins
    #8  2026-01-05  Run 3 km without stopping (outdoors, goal run-5k)
    #9  2026-01-05  Finished the report       (work)
    #10 2026-01-06  Meditated ten minutes     (calm)          <- 10th win
    #11, #12 2026-01-07  Slept eight hours, Stretched (entry: health)
    #13 2026-01-09  Planted bulbs             (garden)

Entries on 01-01 ... 01-07 make a 7-day streak (streak = "entry"), reached on 01-07.
With streak = "win" the wins-free 01-04 breaks it (3 + 3 days): no milestone; with
streak = "win" and streak_grace = 1, 01-04 and 01-08 are bridged and the 7th counted
day (01,02,03,05,06,07,09) is 01-09.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_journal
from pages_support import COLLECTIONS_TODAY as TODAY
from pages_support import build_site, fixture_copy, page, serve

from journal_site.aggregate.wins import is_win_milestone, win_milestones


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(run_journal, fixture_copy(tmp_path_factory.mktemp("wins")), TODAY)


def card_numbers(node) -> list[int]:
    return [
        int(c.find(cls="win-number").text().lstrip("#").replace(",", ""))
        for c in node.find_all("li", cls="win-card")
    ]


def celebrations(node) -> list[str]:
    return [c.text() for c in node.find_all("li", cls="celebration")]


def test_milestone_numbers():
    firsts = [n for n in range(1, 30_001) if is_win_milestone(n)]
    assert firsts == [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000]


@pytest.mark.parametrize("up_to", [0, 1, 9, 10, 999, 1000, 2499, 2500, 9999, 10000, 123_456])
def test_the_milestones_a_wall_year_is_handed_are_those_of_its_numbers(up_to: int) -> None:
    """A year of the wall knows its milestones by place and number (not from its
    records' numbers, which a page made once for all of them does not know)."""
    assert win_milestones(up_to) == [n for n in range(1, up_to + 1) if is_win_milestone(n)]


def test_wall_shows_the_latest_year_newest_first(public):
    wall = page(public, "wins/")
    assert card_numbers(wall) == list(range(13, 1, -1))
    assert "13 wins so far, 12 wins in 2026" in wall.find("p", cls="lede").text()
    # The same wall has a lasting address, and the year before has its own page.
    assert card_numbers(page(public, "wins/2026/")) == list(range(13, 1, -1))
    assert card_numbers(page(public, "wins/2025/")) == [1]
    years = [a.text() for a in page(public, "wins/").find("nav", cls="year-nav").find_all("a")]
    assert years == ["2026 12", "2025 1"]


def test_card_has_text_date_link_tags_and_goal(public):
    wall = page(public, "wins/")
    cards = {int(c.find(cls="win-number").text()[1:]): c for c in wall.find_all(cls="win-card")}
    walk = cards[2]
    assert walk.find("p", cls="win-text").text() == "Walked 2 km by the river"
    link = walk.find("a")
    assert link.attrs["href"] == "/2026/01/01/"
    assert link.find("time").attrs["datetime"] == "2026-01-01"
    # Win tags first, then the entry's.
    assert [t.text() for t in walk.find_all("a", cls="tag")] == ["#outdoors", "#health"]
    assert walk.attrs["data-tags"] == "outdoors health"
    run = cards[8]
    goal = run.find("p", cls="goal-ref").find("a")
    assert goal.attrs["href"] == "/goals/run-5k/" and goal.text() == "Run 5 km"
    assert cards[6].attrs["data-tags"] == "cooking"  # "Cooking" by its slug


def test_milestones_on_the_day_they_were_reached(public):
    wall = page(public, "wins/")
    months = wall.find_all("section", cls="wall-month")
    assert [m.find("h2").text() for m in months] == ["January 2026"]
    items = [
        i
        for i in months[0].find("ul", cls="wall-cards").find_all("li")
        if {"win-card", "celebration"} & set(i.classes)
    ]
    order = [
        i.find(cls="celebration-title").text()
        if "celebration" in i.classes
        else i.find(cls="win-number").text()
        for i in items
    ]
    # Newest first: the streak reached on 01-07 heads that day; the 10th win heads 01-06.
    assert order == [
        "#13",
        "★ 7 days in a row",
        "#12",
        "#11",
        "★ Your 10th win",
        "#10",
        "#9",
        "#8",
        "#7",
        "#6",
        "#5",
        "#4",
        "#3",
        "#2",
    ]
    streak = wall.find("li", cls="celebration-streak")
    assert streak.find("time").attrs["datetime"] == "2026-01-07"
    tenth = wall.find("li", cls="celebration-wins")
    assert "Meditated ten minutes" in tenth.text()
    assert celebrations(page(public, "wins/2025/")) == [
        "★ Your first win Saturday 20 December 2025: “Tidied the desk”"
    ]


@pytest.mark.parametrize(
    ("toml", "streak_days"),
    [
        ('streak = "win"\n', []),
        ('streak = "win"\nstreak_grace = 1\n', ["2026-01-09"]),
    ],
)
def test_streak_milestones_follow_the_streak_settings(journal, tmp_path, toml, streak_days):
    public = build_site(journal, fixture_copy(tmp_path, toml), TODAY)
    wall = page(public, "wins/")
    found = [
        c.find("time").attrs["datetime"] for c in wall.find_all("li", cls="celebration-streak")
    ]
    assert found == streak_days


def test_filter_without_javascript_leads_to_tag_pages(public):
    wall = page(public, "wins/")
    chips = wall.find("nav", cls="tag-filter").find_all("a", cls="chip")
    by_tag = {c.attrs["data-tag"]: c.attrs["href"] for c in chips}
    assert by_tag[""] == "/wins/"
    assert by_tag["outdoors"] == "/tags/outdoors/"
    assert by_tag["health"] == "/tags/health/"
    # The script is an external file; no page carries inline script or style.
    scripts = wall.find_all("script")
    assert len(scripts) == 1 and scripts[0].attrs["src"].startswith("/static/wins.")
    for node in wall.iter():
        assert "style" not in node.attrs
    assert not wall.find_all("style")


def test_an_empty_journal_has_a_kind_wall(journal, site):
    root = site({"content/2026-01-01.md": "Just a note, no wins today.\n"})
    public = build_site(journal, root, TODAY)
    wall = page(public, "wins/")
    assert not wall.find_all(cls="win-card")
    assert "No wins written yet" in wall.find("p", cls="lede").text()


@pytest.mark.browser
def test_filter_by_tag_in_chromium(public, browser):
    with serve(public) as base:
        context = browser.new_context()
        try:
            tab = context.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(base + "wins/")
            assert tab.locator(".win-card:visible").count() == 12
            tab.click(".tag-filter a.chip[data-tag='outdoors']")
            visible = tab.locator(".win-card:visible .win-text").all_inner_texts()
            assert visible == ["Run 3 km without STOPPING", "Walked 2 km by the river"]
            assert tab.locator(".celebration:visible").count() == 0
            assert "2 wins tagged #outdoors" in tab.locator(".filter-status").inner_text()
            assert tab.url.endswith("/wins/#tag=outdoors")
            # A reload keeps the filter; "all" brings every card back.
            tab.reload()
            assert tab.locator(".win-card:visible").count() == 2
            tab.click(".tag-filter a.chip[data-tag='']")
            assert tab.locator(".win-card:visible").count() == 12
            assert tab.locator(".celebration:visible").count() == 2
            assert errors == []
        finally:
            context.close()


@pytest.mark.parametrize("per_page", [1, 2, 3, 1000])
def test_each_page_of_the_wall_is_the_one_the_whole_wall_splits_into(
    tmp_path: Path, monkeypatch, per_page: int
) -> None:
    """A page of the wall is made from its year's entries alone (pages.wall._wall_view):
    its view is the page that numbering every win, finding the celebrations and
    splitting the whole wall into pages gives, with the same links around it, however
    small the pages are."""
    import datetime as dt

    from journal_site.aggregate import wins
    from journal_site.build import render_site
    from journal_site.config import load_config
    from journal_site.pages import wall

    monkeypatch.setattr(wall, "WINS_PER_PAGE", per_page)
    root = fixture_copy(tmp_path)
    # A week of entries without wins, years back: a year on the wall with a streak
    # milestone and no win.
    for day in range(1, 8):
        (root / "content" / f"2024-03-{day:02d}.md").write_text("---\ntitle: Quiet\n---\nA day.\n")
    model = render_site(load_config(root), today=dt.date.fromisoformat(TODAY)).model
    records = model.win_records
    whole = wins.wall_pages(
        wins.wall_days(records, wins.celebrations(records, model.streak_milestones)), per_page
    )
    assert any(w.year == 2024 and not w.days[0].wins for w in whole)
    pages = wall.wins_pages(model)
    assert [p.url for p in pages] == [
        wins.wall_page_url(whole[0].year),
        "wins/",
        *(wins.wall_page_url(w.year, w.number) for w in whole[1:]),
    ]
    by_url = {wins.wall_page_url(w.year, w.number): (i, w) for i, w in enumerate(whole)}
    for p in pages:
        view = p.context()
        index, expected = by_url[p.url if p.url != "wins/" else pages[0].url]
        wall = view["wall"]
        assert (wall.year, wall.number, wall.count) == (
            expected.year,
            expected.number,
            expected.count,
        )
        assert wall.days == expected.days
        assert view["total_wins"] == len(records) == 13
        assert view["year_wins"] == sum(r.entry.day.year == expected.year for r in records)
        newer = whole[index - 1] if index and whole[index - 1].year == expected.year else None
        older = whole[index + 1] if index + 1 < len(whole) else None
        older = older if older and older.year == expected.year else None
        assert view["newer_url"] == (newer and wins.wall_page_url(newer.year, newer.number))
        assert view["older_url"] == (older and wins.wall_page_url(older.year, older.number))
        shown = {r.entry.source for d in expected.days for r in d.wins}
        assert set(view["urls"]) == shown
