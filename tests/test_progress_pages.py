"""/ and /stats/ built from tests/fixtures/progress show the right numbers and heatmap cells.

The fixture and its hand counts are described in test_stats_cli.py; today is Thursday
2026-11-26 and nothing is written today.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES

SVG = "{http://www.w3.org/2000/svg}"


class _Text(HTMLParser):
    """Visible text of a page, whitespace collapsed; SVG <title> tooltips left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("title", "script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("title", "script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def heatmap_svgs(html: str) -> list[ET.Element]:
    """Every heatmap SVG in a page, parsed as XML (so it must be well-formed)."""
    return [
        ET.fromstring(m.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
        for m in re.finditer(r'<svg class="heatmap-svg".*?</svg>', html, re.S)
    ]


def cells(svg: ET.Element) -> dict[str, tuple[str, str | None, str]]:
    """day -> (class, link or None, tooltip) for every cell of a heatmap."""
    out = {}
    for parent in svg.iter():
        for child in parent:
            if child.tag == f"{SVG}rect" and child.get("data-day"):
                link = parent.get("href") if parent.tag == f"{SVG}a" else None
                title = child.find(f"{SVG}title")
                out[child.get("data-day")] = (child.get("class"), link, title.text)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from conftest import run_journal

    root = tmp_path_factory.mktemp("progress") / "site"
    shutil.copytree(FIXTURES / "progress", root)
    result = run_journal("build", "--today", "2026-11-26", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "public"


def test_no_inline_styles(built):
    for page in ("index.html", "stats/index.html"):
        html = (built / page).read_text(encoding="utf-8")
        assert "style=" not in html and "<style" not in html and "<script" not in html


def test_stats_page_numbers(built):
    text = text_of((built / "stats" / "index.html").read_text(encoding="utf-8"))
    assert "you have written 10 entries on 9 days and noted 12 wins" in text
    assert "3 days in a row" in text and "Since Monday 23 November 2026" in text
    assert "Longest streak: 3 days (Monday 23 November 2026 – Wednesday 25 November 2026)" in text
    assert "24% consistency" in text  # 23.9, see test_stats_cli
    assert "a day's weight halves every 14 days back" in text
    # Per-year summaries (the text alternatives of the heatmaps). 2026 runs to the 27th:
    # days 10 11 12 14 23 24 25 27; wins 1+2+0+1+1+4+1+1.
    assert "In 2026 you wrote on 8 days and noted 11 wins; longest streak 3 days." in text
    assert "In 2025 you wrote on 1 day and noted 1 win; longest streak 1 day." in text
    # Wins per week: the week of Monday 23 November holds 1 + 3 + 1 + 1 = 6 wins (not
    # the future one on the 27th); the year's 52 weeks hold every win up to today
    # except 2025-11-26, which is 53 weeks back.
    assert "Monday 23 November 2026 6" in text
    assert "10 wins in the last 52 weeks" in text
    # Mood spans a year, so it is monthly: Nov 2025 = 3.0 (1 entry); Nov 2026 =
    # (2 + 4 + 3 + 5) / 4 = 3.5.
    assert "November 2026 3.5 4" in text and "November 2025 3.0 1" in text
    # Wins and setbacks by month: November 2026 up to today: 10 wins, 2 setbacks = 5.0.
    assert "November 2026 10 2 5.0" in text
    assert "November 2025 1 0 no setbacks" in text


def test_stats_heatmap_cells_match_the_days(built):
    html = (built / "stats" / "index.html").read_text(encoding="utf-8")
    svgs = heatmap_svgs(html)
    assert len(svgs) == 2  # 2026 first, then 2025
    year_2026, year_2025 = cells(svgs[0]), cells(svgs[1])
    # Every day of 2025 has a cell; 2026 stops at the last entry (the 27th, after today).
    assert len(year_2025) == 365 and min(year_2025) == "2025-01-01"
    assert len(year_2026) == (dt.date(2026, 11, 27) - dt.date(2026, 1, 1)).days + 1
    # Non-zero win days over the journal: [1, 1, 1, 1, 1, 1, 2, 4] -> quartiles (nearest
    # rank) 1, 1, 1: one win is level 1, anything more is level 4.
    assert year_2026["2026-11-10"] == (
        "heat heat-1 has-entry",
        "/2026/11/10/",
        "Tuesday 10 November 2026: 1 win",
    )
    assert year_2026["2026-11-11"][:2] == ("heat heat-4 has-entry", "/2026/11/11/")
    assert year_2026["2026-11-12"] == (
        "heat heat-0 has-entry",
        "/2026/11/12/",
        "Thursday 12 November 2026: written, no wins listed",
    )
    assert year_2026["2026-11-13"] == (
        "heat heat-0",
        None,
        "Friday 13 November 2026: nothing written",
    )
    assert year_2026["2026-11-24"] == (
        "heat heat-4 has-entry",
        "/2026/11/24/",
        "Tuesday 24 November 2026: 4 wins (2 entries)",
    )
    # The draft's day is an empty day.
    assert year_2026["2026-11-20"] == (
        "heat heat-0",
        None,
        "Friday 20 November 2026: nothing written",
    )
    linked = sorted(day for day, (_, link, _) in {**year_2025, **year_2026}.items() if link)
    assert linked == [
        "2025-11-26",
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
        "2026-11-14",
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-27",
    ]
    for day, (_, link, _) in year_2026.items():
        if link:  # each link is that day's entry page, which exists
            assert link == "/" + day.replace("-", "/") + "/"
            assert (built / link.strip("/") / "index.html").is_file()


def test_home_page(built):
    html = (built / "index.html").read_text(encoding="utf-8")
    text = text_of(html)
    assert "3 days in a row" in text and "Today is still open" in text
    # The last 365 days run from 2025-11-27 to today: 2025-11-26 and the 27th fall outside.
    assert (
        "In the last 365 days you wrote on 7 days and noted 10 wins; longest streak 3 days."
        in text
    )
    (svg,) = heatmap_svgs(html)
    days = cells(svg)
    assert min(days) == "2025-11-27" and max(days) == "2026-11-26" and len(days) == 365
    # This week (from Monday 23 November): six wins, newest first; not the draft's, not the future's.
    week = html.split('id="week-title"')[1].split("</section>")[0]
    wins = re.findall(r'<li class="win"><a href="[^"]*">([^<]*)</a>', week)
    assert wins == [
        "Walked at lunch",
        "Answered the emails",
        "Tidied the desk",
        "Booked the dentist",
        "Finished the slides",
        "Meditated",
    ]
    # A year ago today: the snow walk of 2025-11-26.
    year_ago = html.split('id="year-ago-title"')[1].split("</section>")[0]
    assert "First snow walk" in year_ago and "Wednesday 26 November 2025" in year_ago


def test_home_kind_word_when_streak_is_zero(tmp_path, journal):
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "progress", root)
    result = journal("build", "--today", "2026-12-02", cwd=root)
    assert result.returncode == 0, result.stderr
    text = text_of((root / "public" / "index.html").read_text(encoding="utf-8"))
    assert "No streak running right now" in text
    assert "a gap is data, not a verdict" in text
    assert "You have written on 0 days this month" in text
    assert "your consistency is" in text
