"""The review pages, built for real from the journal of review_support.py, and a week
review printed by Chromium on one A4 and one Letter page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pages_support import build_site, page, serve
from review_support import FILES, TODAY

WEEKS = ["2026-W01", "2026-W44", "2026-W45", "2026-W53"]
MONTHS = ["2025-12", "2026-01", "2026-10", "2026-11", "2026-12", "2027-01"]
YEARS = ["2025", "2026", "2027"]


@pytest.fixture
def public(journal, site) -> Path:
    return build_site(journal, site(FILES), TODAY)


def test_a_review_page_for_every_period_with_an_entry(public):
    made = sorted(p.parent.name for p in (public / "reviews").glob("*/index.html"))
    assert made == sorted(WEEKS + MONTHS + YEARS)
    # Not for the week of the entry dated after today, nor for the draft's alone.
    assert not (public / "reviews" / "2027-W01").exists()


def test_the_reviews_index_lists_periods_with_their_counts(public):
    index = page(public, "reviews/")
    links = {a.attrs["href"]: a for a in index.find_all("a") if "/reviews/2" in a.attrs["href"]}
    assert set(links) == {f"/reviews/{key}/" for key in WEEKS + MONTHS + YEARS}
    rows = {
        li.find("a").attrs["href"]: li.text()
        for li in index.find_all("li")
        if li.find_all("a") and "/reviews/2" in li.find("a").attrs["href"]
    }
    assert rows["/reviews/2026-W44/"] == (
        "Week 44 of 2026 26 October – 1 November 2026 · 4 entries · 4/7 days · 5 wins"
    )
    assert rows["/reviews/2026-W53/"].startswith("Week 53 of 2026 so far ")
    assert "3 entries · 3/7 days · 3 wins" in rows["/reviews/2026-W53/"]
    assert rows["/reviews/2026-10/"] == "October 2026 3 entries · 3 days · 4 wins"
    assert rows["/reviews/2027-01/"] == "January 2027 so far 1 entry · 1 day · 1 win"
    years = {h.find("a").attrs["href"]: h.text() for h in index.find_all("h2")}
    assert years == {
        "/reviews/2027/": "2027 in review so far",
        "/reviews/2026/": "2026 in review",
        "/reviews/2025/": "2025 in review",
    }
    # A week is listed under the year it is named by: 2026-W01 began in 2025.
    section_2026 = next(
        s for s in index.find_all("section") if s.find("h2").text().startswith("2026")
    )
    assert "/reviews/2026-W01/" in [a.attrs["href"] for a in section_2026.find_all("a")]


def test_a_week_review_page(public):
    week = page(public, "reviews/2026-W44/")
    assert week.find("h1").text() == "Week 44 of 2026"
    assert "so far" not in week.find("h1").text()
    assert week.find(cls="review-span").text() == "26 October – 1 November 2026"
    counts = {d.find("dt").text(): d.find("dd").text() for d in week.find("dl").find_all("div")}
    assert counts["Days written"] == "4 of 7"
    assert counts["Wins"] == "5"
    assert counts["Proud wins"] == "2"
    assert counts["Lessons from setbacks"] == "1 of 1"
    assert counts["Streak at the week’s end"] == "2 days"
    assert counts["Mood"] == "2.0 of 5"
    wins = week.find("ul", cls="review-wins").find_all("li")
    assert [w.find(cls="review-win-text").text() for w in wins] == [
        "Introduced myself to the coach",
        "Stayed for the chat afterwards",
        "Run 1 km",
        "Went to the running club",
        "Slept eight hours",
    ]
    assert ["is-proud" in w.classes for w in wins] == [True, True, False, False, False]
    assert [w.find_all(cls="badge-proud") != [] for w in wins] == [True, True, False, False, False]
    assert wins[0].find("a").attrs["href"] == "/2026/10/31/"
    assert "Five minutes is enough" in week.find(cls="review-setbacks").text()
    assert (
        week.find(cls="review-steps").text() == "Goal steps done ✓ Run more: Run 1 km Mon 26 Oct"
    )
    days = [li.text() for li in week.find("ol", cls="mood-days").find_all("li")]
    assert days[0].startswith("Mon 2") and days[2].startswith("Wed –")
    # A week of two months and one year links up to both months and the year.
    up = [a.attrs["href"] for a in week.find(cls="review-up").find_all("a")]
    assert up == ["/reviews/2026-10/", "/reviews/2026-11/", "/reviews/2026/"]
    pager = {
        a.attrs.get("rel"): a.attrs["href"]
        for a in week.find("nav", cls="review-pager").find_all("a")
    }
    assert pager["prev"] == "/reviews/2026-W01/" and pager["next"] == "/reviews/2026-W45/"
    assert "Nothing was written the week before" in week.find(cls="review-summary").text()


def test_still_open_setbacks_and_a_week_across_new_year(public):
    week = page(public, "reviews/2026-W01/")
    assert week.find(cls="review-span").text() == "29 December 2025 – 4 January 2026"
    still_open = week.find("ul", cls="still-open").text()
    assert still_open == "Snapped at my brother Fri 2 Jan"
    assert "no lesson written yet, and that is fine" in week.find(cls="still-open-title").text()
    up = [a.attrs["href"] for a in week.find(cls="review-up").find_all("a")]
    assert up == ["/reviews/2025-12/", "/reviews/2026-01/", "/reviews/2025/", "/reviews/2026/"]
    # The draft's win is in no review.
    assert "A draft’s win" not in week.text() and "A draft's win" not in week.text()


def test_the_current_period_is_so_far_and_home_links_to_it(public):
    week = page(public, "reviews/2026-W53/")
    assert week.find("h1").text() == "Week 53 of 2026 so far"
    counts = {d.find("dt").text(): d.find("dd").text() for d in week.find("dl").find_all("div")}
    assert counts["Days written"] == "3 of 6"
    assert "Goal reached" in week.find(cls="review-steps").text()
    assert "From the future" not in week.text()
    for url in ("reviews/2027-01/", "reviews/2027/"):
        assert "so far" in page(public, url).find("h1").text()
    assert "so far" not in page(public, "reviews/2026-12/").find("h1").text()
    home = page(public, "")
    [link] = [a for a in home.find_all("a") if a.attrs["href"] == "/reviews/2026-W53/"]
    assert link.text() == "This week’s review, so far →"
    nav = [a.text() for a in home.find("nav", cls="site-nav").find_all("a")]
    assert "Reviews" in nav


def test_a_month_and_a_year_in_review(public):
    month = page(public, "reviews/2026-10/")
    weeks = [
        [cell.text() for cell in row.iter() if cell.tag in ("th", "td")]
        for row in month.find("table").find_all("tr")[1:]
    ]
    # From the first week with an entry; 26 Oct - 1 Nov counts October's days only.
    assert weeks == [["26–31 Oct", "3", "4 (2 proud)", "0", "2.0"]]
    assert month.find("svg", cls="heatmap-svg")
    assert "In October 2026 you wrote on 3 days" in month.find("figcaption").text()
    year = page(public, "reviews/2026/")
    counts = {d.find("dt").text(): d.find("dd").text() for d in year.find("dl").find_all("div")}
    assert counts["Days written"] == "8 of 365"
    assert counts["Longest streak"] == "3 days"  # 31 October to 2 November
    assert counts["Goals reached"] == "1 · 2 steps"
    proud = [
        li.find(cls="review-win-text").text()
        for li in year.find("ul", cls="review-wins").find_all("li")
    ]
    assert proud == ["Introduced myself to the coach", "Stayed for the chat afterwards"]
    months = [row.find("th").text() for row in year.find("table").find_all("tr")[1:]]
    assert months[0] == "January" and months[-1] == "December" and len(months) == 12
    assert (
        "Run more" in year.find("section", cls="review-section").text()
        or "Run more" in year.text()
    )


def test_proud_wins_stand_out_on_the_wins_wall(public):
    wall = page(public, "wins/2026/")
    cards = {c.find(cls="win-text").text(): c for c in wall.find_all("li", cls="win-card")}
    assert "is-proud" in cards["Introduced myself to the coach"].classes
    assert cards["Introduced myself to the coach"].find(cls="badge-proud").text() == "★ Proud"
    assert "is-proud" not in cards["Went to the running club"].classes
    entry = page(public, "2026/10/31/")
    marked = [li.text() for li in entry.find_all("li", cls="is-proud")]
    assert marked == [
        "★ Proud Introduced myself to the coach",
        "★ Proud Stayed for the chat afterwards #social",
    ]


# -- printing -----------------------------------------------------------------------------

BUSY_WEEK = {
    "journal.toml": 'title = "Print test journal"\n',
    "content/goals/run.md": "---\ntitle: Run 5 km\nsteps: [Run 3 km without stopping]\n---\n",
}
WIN_TEXTS = [
    "Spoke up in the planning meeting about the release date",
    "Ran 3 km without stopping",
    "Cooked a proper dinner instead of ordering in",
    "Called mum back the same day",
    "Finished the chapter I had been avoiding for a week",
    "Asked a question in the all-hands without rehearsing it ten times",
    "Went to bed before eleven",
    "Said thank you to the new colleague for her help",
    "Tidied the desk and kept it tidy until Friday",
    "Sent the difficult email before lunch",
    "Walked to work in the rain and enjoyed it",
    "Drank water instead of a third coffee",
    "Wrote three lines in the journal on a flat day",
    "Booked the dentist appointment I kept putting off",
    "Stretched for ten minutes after the run",
    "Told Sam the idea was good and meant it",
    "Read twenty pages before sleeping",
    "Left the laptop closed all Saturday",
    "Helped a neighbour carry the shopping upstairs",
    "Said no to an extra project, kindly and clearly",
]
SETBACKS = [
    ("Snapped at Priya over something small", "I was hungry; eat lunch before the 2 pm meeting"),
    ("Skipped the Thursday run", "Shoes by the door the night before"),
    ("Scrolled in bed until half past midnight", "The phone charges in the kitchen"),
    ("Rewrote a two-line message for an hour", ""),
    ("Cancelled on Alex at the last minute", "Say no earlier, when I first feel it"),
]


def busy_week_files() -> dict[str, str]:
    """A week (2026-W47) with 20 wins (two proud, one a goal step) and 5 setbacks."""
    files = dict(BUSY_WEEK)
    for day in range(7):
        wins = WIN_TEXTS[day * 3 : day * 3 + 3] if day < 6 else WIN_TEXTS[18:]
        lines = ["---", f"mood: {3 + day % 3}", "tags: [work, health]", "wins:"]
        for text in wins:
            lines.append(f"  - text: {text}")
            if text == "Ran 3 km without stopping":
                lines += ["    goal: run", "    proud: true"]
            if text.startswith("Said no"):
                lines.append("    proud: true")
        if day < 5:
            text, reframe = SETBACKS[day]
            lines += ["setbacks:", f"  - text: {text}"]
            if reframe:
                lines.append(f"    reframe: {reframe}")
        files[f"content/2026-11-{16 + day}.md"] = "\n".join([*lines, "---", ""])
    files["content/2026-11-13.md"] = "---\nwins: [The week before]\n---\n"
    return files


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF: its page objects (``/Type /Page``, not the ``/Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_busy_week_prints_on_one_a4_and_one_letter_page(browser, journal, site, scheme):
    root = site(busy_week_files())
    public = build_site(journal, root, "2026-11-30")
    week = page(public, "reviews/2026-W47/")
    assert len(week.find("ul", cls="review-wins").find_all("li")) == 20
    assert len(week.find(cls="review-setbacks").find_all("li")) == 5
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    try:
        tab = context.new_page()
        with serve(public) as base:
            tab.goto(base + "reviews/2026-W47/")
            tab.emulate_media(media="print", color_scheme=scheme)
            looks = tab.evaluate(
                """() => ({
                    background: getComputedStyle(document.body).backgroundColor,
                    ink: getComputedStyle(document.body).color,
                    nav: getComputedStyle(document.querySelector('.site-nav')).display,
                    pager: getComputedStyle(document.querySelector('.review-pager')).display,
                    underlined: [...document.querySelectorAll('main a')].filter(
                        (a) => getComputedStyle(a).textDecorationLine !== 'none').length,
                    links: document.querySelectorAll('main a').length,
                })"""
            )
            a4 = tab.pdf(format="A4")
            letter = tab.pdf(format="Letter")
            # On small paper the same page takes several: the counting is not fooled.
            small = tab.pdf(width="100mm", height="100mm")
    finally:
        context.close()
    # Paper is white whatever the screen's scheme; no navigation; links read as text.
    assert looks["background"] == "rgb(255, 255, 255)"
    assert looks["ink"] == "rgb(0, 0, 0)"
    assert looks["nav"] == "none" and looks["pager"] == "none"
    assert looks["links"] > 20 and looks["underlined"] == 0
    assert pdf_pages(a4) == 1
    assert pdf_pages(letter) == 1
    assert pdf_pages(small) > 2
