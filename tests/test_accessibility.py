"""Every kind of page passes axe-core in a real Chromium, light and dark, wide and narrow.

The journal is written here: two months with wins (some tagged, some on goals), setbacks
with and without a lesson, moods, tags, two goals, two entries on one day and a body that
uses most of Markdown, so that every page type has something on it. "Today" is the 1st
of December, a Tuesday: December starts in the last column of home's heatmap, where its
label used to be cut to "De".

axe-core comes bundled with axe-playwright-python, so nothing is fetched at test time.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import run_journal, write_files
from pages_support import build_site, serve

from journal_site.charts import PITCH

TODAY = dt.date(2026, 12, 1)
FIRST_DAY = dt.date(2026, 10, 1)
TAGS = ("work", "health", "family", "self care")
WIDTHS = (1280, 390)
BLOCKING = {"serious", "critical"}
WEEKDAYS = ("Mon", "Wed", "Fri")

# (name, site URL, a selector that must be on the page before it is checked). Each page
# type is one line; the reviews have a week that is over and one "so far".
PAGES = [
    ("home", "", ".heatmap-svg"),
    ("timeline", "timeline/", ".month"),
    ("timeline-page-2", "timeline/page/2/", ".month"),
    ("entry", "2026/11/30/", ".been-here"),
    ("entry-second-that-day", "2026/11/30/evening/", ".entry"),
    ("wins", "wins/", ".win-card"),
    ("lessons", "lessons/", ".lesson"),
    ("tags", "tags/", ".tag-table"),
    ("tag", "tags/self-care/", "h1"),
    ("goals", "goals/", ".goal-card"),
    ("goal", "goals/run-5k/", ".steps"),
    ("stats", "stats/", ".chart-svg"),
    ("search", "search/", ".search-form"),
    ("search-results", "search/?q=walked", ".search-result"),
    ("reviews", "reviews/", "h1"),
    ("review-week", "reviews/2026-W48/", ".review-wins"),
    ("review-week-so-far", "reviews/2026-W49/", ".badge-so-far"),
    ("review-month", "reviews/2026-11/", ".heatmap-svg"),
    ("review-year", "reviews/2026/", ".heatmap-svg"),
]

BODY = """\
A longer day, written out.

- a list item with **bold** and *emphasis*
- another, with `code`

> A quote I want to keep.

| what | how long |
|------|----------|
| walk | 20 min   |

- [x] a task done
- [ ] a task left

See [the day before](2026-11-29.md) and a footnote.[^1]

[^1]: The footnote.
"""


def entry_text(day: dt.date, n: int) -> str:
    """The entry of ``day``, the ``n``-th day of the journal: a pattern with every field."""
    tags = [TAGS[n % 4]] + ([TAGS[(n + 1) % 4]] if n % 3 == 0 else [])
    wins = [{"text": f"Walked {n % 5 + 1} km", "tags": ["health"], "proud": n % 9 == 4}]
    if n % 2:
        wins.append({"text": f"Spoke up in meeting {n}", "goal": "speak-up"})
    if n % 7 == 3:
        wins.append({"text": "Run 3 km", "goal": "run-5k", "tags": ["health"]})
    front: dict[str, object] = {"tags": tags, "mood": n % 5 + 1, "wins": wins}
    if n % 4 != 1:
        front["title"] = f"Day {n}: small steps"
    if n % 5 == 2 or day == TODAY - dt.timedelta(days=1):
        front["setbacks"] = [
            {"text": f"Skipped the walk on day {n}", "tags": ["health"]},
            {"text": "Snapped at a friend", "reframe": "Eat before hard talks"},
        ]
    body = BODY if day == TODAY - dt.timedelta(days=1) else f"Day {n} went fine.\n"
    return f"---\n{json.dumps(front)}\n---\n{body}"


def journal_files() -> dict[str, str]:
    files = {
        "journal.toml": 'title = "Accessibility test journal"\nauthor = "Sam"\nper_page = 10\n',
        "content/goals/run-5k.md": (
            "---\ntitle: Run 5 km\ntarget: 2027-03-01\n"
            'steps: ["[x] Run 1 km", "Run 3 km", "Run 5 km"]\n---\nWhy: to feel strong.\n'
        ),
        "content/goals/speak-up.md": (
            "---\ntitle: Speak up at work\nsteps: [Ask one question, Share one idea]\n---\n"
        ),
        # A second entry on the 30th, with a time and no title.
        "content/2026-11-30-evening.md": (
            "---\ndate: 2026-11-30 21:15\nmood: 2\nsetbacks:\n"
            "  - text: Could not sleep\n    reframe: Screens off at ten\n---\nTired.\n"
        ),
    }
    day, n = FIRST_DAY, 0
    while day <= TODAY:
        if n % 6 != 5:  # a gap now and then: a missed day is part of every journal
            files[f"content/{day.isoformat()}.md"] = entry_text(day, n)
        day += dt.timedelta(days=1)
        n += 1
    return files


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    root = write_files(tmp_path_factory.mktemp("a11y") / "site", journal_files())
    return build_site(run_journal, root, TODAY.isoformat())


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '')}".replace("\n", " "))
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "url", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_page_passes_axe(public, browser, name, url, ready, scheme):
    axe = Axe()
    with serve(public) as base:
        context = browser.new_context(color_scheme=scheme)
        try:
            tab = context.new_page()
            for width in WIDTHS:
                tab.set_viewport_size({"width": width, "height": 900})
                response = tab.goto(base + url)
                assert response is not None and response.status == 200, url
                tab.wait_for_selector(ready)
                # The scheme really is in force: the page's background follows it.
                dark = tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
                assert dark == (scheme == "dark")
                results = axe.run(tab).response
                blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
                assert not blocking, f"/{url} at {width}px, {scheme}:\n{describe(blocking)}"
        finally:
            context.close()


LABELS_FIT = """svg => {
    const box = svg.viewBox.baseVal;
    return [...svg.querySelectorAll('text')].map(t => {
        const b = t.getBBox();
        return {text: t.textContent, x: b.x, y: b.y, right: b.x + b.width,
                bottom: b.y + b.height, width: box.width, height: box.height};
    });
}"""


@pytest.mark.browser
@pytest.mark.parametrize("url", ["", "stats/"])
def test_chart_labels_fit_inside_their_svg(public, browser, url):
    with serve(public) as base:
        context = browser.new_context()
        try:
            tab = context.new_page()
            tab.goto(base + url)
            svgs = tab.locator(".heatmap-svg, .chart-svg")
            assert svgs.count() >= 1
            for index in range(svgs.count()):
                labels = svgs.nth(index).evaluate(LABELS_FIT)
                assert labels, "a chart without labels"
                for label in labels:
                    assert label["x"] >= 0 and label["y"] >= 0, label
                    assert label["right"] <= label["width"], label
                    assert label["bottom"] <= label["height"], label
            if url == "":
                # The case that was cut: today's month starts in the heatmap's last column
                # (one cell pitch from the right edge), so its label had no room after it.
                labels = svgs.first.evaluate(LABELS_FIT)
                months = [label for label in labels if label["text"] not in WEEKDAYS]
                assert months[-1]["text"] == f"{TODAY:%b}"
                assert months[-1]["right"] > months[-1]["width"] - PITCH
        finally:
            context.close()
