"""The wins wall: a page for each year with wins (more for a very big year), and /wins/.

Each page's view is made when it is rendered, from a ``WallYear``: the year's entries,
the number of its first win and its streak milestones, which name it (see
``wins_pages``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from journal_site.aggregate.wins import (
    Celebration,
    WallPage,
    WallYear,
    WallYearPage,
    wall_page_url,
    win_milestones,
)
from journal_site.late_number import WinNumber
from journal_site.model import Entry
from journal_site.pages import Deferred, Page, SiteModel
from journal_site.pages.card_links import card_links, card_links_of

WINS_PER_PAGE = 1000
"""Most wins on one page of a year of the wall; years are split only beyond this."""


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number:,}{suffix}"


def celebration_title(celebration: Celebration) -> str:
    if celebration.kind == "streak":
        return f"{celebration.count:,} days in a row"
    if celebration.count == 1:
        return "Your first win"
    return f"Your {ordinal(celebration.count)} win"


def _page_tags(
    page: WallPage | WallYearPage, slugs: Mapping[str, str]
) -> list[tuple[str, str, int]]:
    """(tag, slug, wins on this page) for the filter, most used first."""
    counts: Counter[str] = Counter(t for d in page.days for r in d.wins for t in r.tags)
    return [
        (tag, slugs[tag], n) for tag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def wins_pages(model: SiteModel) -> list[Page]:
    """The wins wall: a page for each year with wins or streak milestones, newest first
    (more for a year of over ``WINS_PER_PAGE`` wins), and /wins/ showing the latest.

    A page's view is made when it is rendered, from its year's entries and what the
    wall counts around them (``_wall_view``): those name the page, so planning the wall
    digests a few hundred entry summaries a year, each by its token, rather than every
    win record, day and celebration of the wall."""
    by_year: dict[int, list[Entry]] = {}
    for entry in model.entries:  # oldest first, as wins are numbered
        by_year.setdefault(entry.day.year, []).append(entry)
    streaks: dict[int, list[tuple[int, dt.date]]] = {}
    # streak_milestones follows journal.toml's `streak` rule and `streak_grace`.
    for length, day in model.streak_milestones:
        streaks.setdefault(day.year, []).append((length, day))
    wins_by_year = {year: sum(len(e.wins) for e in es) for year, es in by_year.items()}
    years = sorted({y for y, n in wins_by_year.items() if n} | set(streaks), reverse=True)
    if not years:
        empty = WallPage(year=model.today.year, number=1, count=1, days=())
        view = {
            **card_links(model),
            "wall": empty,
            "total_wins": 0,
            "year_wins": 0,
            "years": [],
            "filters": [],
            "newer_url": None,
            "older_url": None,
            "celebrate": celebration_title,
        }
        return [Page("wins/", "wins.html", view, "the wins wall", "wins/")]
    total = sum(wins_by_year.values())
    year_links = tuple((y, wall_page_url(y), wins_by_year.get(y, 0)) for y in years)
    first, before = {}, 1
    for year in sorted(by_year):
        first[year], before = before, before + wins_by_year[year]
    urls, slugs, titles = model.urls, model.tag_slugs, model.goal_titles
    milestones = win_milestones(total)
    result: list[Page] = []
    for year in years:
        entries = tuple(by_year.get(year, ()))
        # The year's first number is a win's number: its days (a partial) are made once
        # for all of them (engine/late.py), and know its milestones by their places.
        low, high = first[year], first[year] + wins_by_year.get(year, 0)
        wall_year = WallYear(
            year,
            entries,
            WinNumber(low),
            tuple(streaks.get(year, ())),
            WINS_PER_PAGE,
            tuple((n - low, n) for n in milestones if low <= n < high),
            model.memo.of,
        )
        shown_urls = {e.source: urls[e.source] for e in entries if e.wins and e.source in urls}
        for number in range(1, wall_year.page_count + 1):
            args = (wall_year, number, total, year_links, shown_urls, slugs, titles)
            view = Deferred(_wall_view, args)
            url = wall_page_url(year, number)
            result.append(Page(url, "wins.html", view, "the wins wall", "wins/"))
            if year == years[0] and number == 1:
                # /wins/ shows the latest year; /wins/<year>/ stays its lasting address.
                result.append(Page("wins/", "wins.html", view, "the wins wall", "wins/"))
    return result


def _wall_view(
    wall_year: WallYear,
    number: int,
    total: int,
    year_links: tuple[tuple[int, str, int], ...],
    urls: Mapping[str, str],
    slugs: Mapping[str, str],
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """The view of page ``number`` of a year of the wall, from the year, the count of
    every win, every year's link and count, and the URLs, tag slugs and goal titles its
    wins may show. ``wall`` is the year's page as what it is made of (``WallYearPage``),
    so that the partial showing its days is named without walking them."""
    pages = wall_year.pages
    page = pages[number - 1]
    newer = pages[number - 2] if number > 1 else None
    older = pages[number] if number < len(pages) else None
    shown = [r for d in page.days for r in d.wins]
    shown += [c.win for d in page.days for c in d.celebrations if c.win is not None]
    return {
        **card_links_of(urls, slugs, titles, shown),
        "wall": WallYearPage(wall_year, number),
        "total_wins": total,
        "year_wins": len(wall_year.records),
        "years": list(year_links),
        "filters": _page_tags(page, slugs),
        "newer_url": wall_page_url(newer.year, newer.number) if newer else None,
        "older_url": wall_page_url(older.year, older.number) if older else None,
        "celebrate": celebration_title,
    }
