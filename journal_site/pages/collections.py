"""Pages that gather entries across time: the wins wall, lessons, tags, goals and search.

Each builder is a pure function of the ``SiteModel``; the aggregates they share
(numbered wins, tag slugs, goal progress) are cached properties of the model.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.aggregate.goals import GoalProgress, days_left, goal_url
from journal_site.aggregate.lessons import Lesson, LessonGroup, all_lessons, lessons_by_tag
from journal_site.aggregate.search import INDEX_PATH, search_index, shard
from journal_site.aggregate.tags import TagInfo, tag_url
from journal_site.aggregate.wins import (
    Celebration,
    WallPage,
    WallYear,
    WallYearPage,
    WinRecord,
    page_sizes,
    wall_page_url,
    win_tags,
)
from journal_site.model import Entry
from journal_site.pages import Body, Deferred, EntryCard, Page, SiteFile, SiteModel
from journal_site.render import entry_links, resolve_entry_links

WINS_PER_PAGE = 1000
"""Most wins on one page of a year of the wall; years are split only beyond this."""
LESSONS_PER_GROUP = 40
"""Lessons a tag shows on /lessons/; a larger group gets a page of its own as well."""
TAG_WINS_PER_PAGE = 400
TAG_ENTRIES_PER_PAGE = 400


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


def _shown(
    model: SiteModel,
    records: Iterable[WinRecord] = (),
    entries: Iterable[Entry] = (),
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    """What win cards and entry links need (``urls``, ``slugs``, ``goal_titles``), for
    the wins, entries and tags a page shows and nothing else: a new entry elsewhere in
    the journal then leaves the page's view, and so its rendering, as it was. An entry
    without a page (on a share site) is not in ``urls``: templates show it unlinked."""
    return _shown_of(model.urls, model.tag_slugs, model.goal_titles, records, entries, tags)


def _shown_of(
    all_urls: Mapping[str, str],
    all_slugs: Mapping[str, str],
    all_titles: Mapping[str, str],
    records: Iterable[WinRecord] = (),
    entries: Iterable[Entry] = (),
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    """``_shown`` from the site's URLs, tag slugs and goal titles (or those of a part)."""
    urls: dict[str, str] = {}
    slugs: dict[str, str] = {}
    titles: dict[str, str] = {}
    for record in records:
        source = record.entry.source
        if source in all_urls:  # a share site has no entry pages
            urls[source] = all_urls[source]
        for tag in record.tags:
            slugs[tag] = all_slugs[tag]
        goal = record.win.goal
        if goal:
            titles[goal] = all_titles[goal]
    for entry in entries:
        if entry.source in all_urls:
            urls[entry.source] = all_urls[entry.source]
    for tag in tags:
        slugs[tag] = all_slugs[tag]
    return {"urls": urls, "slugs": slugs, "goal_titles": titles}


# -- The wins wall ---------------------------------------------------------------------


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
            **_shown(model),
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
    result: list[Page] = []
    for year in years:
        entries = tuple(by_year.get(year, ()))
        wall_year = WallYear(
            year, entries, first[year], tuple(streaks.get(year, ())), WINS_PER_PAGE
        )
        # Each day of the year on the wall (with wins or a streak milestone), newest
        # first, with its count of wins: how the year splits into pages.
        milestones = {day for _, day in wall_year.streaks}
        counts = dict.fromkeys(milestones, 0)
        for entry in entries:
            counts[entry.day] = counts.get(entry.day, 0) + len(entry.wins)
        days = sorted((d for d, n in counts.items() if n or d in milestones), reverse=True)
        pages = len(page_sizes([counts[day] for day in days], WINS_PER_PAGE))
        shown_urls = {e.source: urls[e.source] for e in entries if e.wins and e.source in urls}
        for number in range(1, pages + 1):
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
        **_shown_of(urls, slugs, titles, shown),
        "wall": WallYearPage(wall_year, number),
        "total_wins": total,
        "year_wins": len(wall_year.records),
        "years": list(year_links),
        "filters": _page_tags(page, slugs),
        "newer_url": wall_page_url(newer.year, newer.number) if newer else None,
        "older_url": wall_page_url(older.year, older.number) if older else None,
        "celebrate": celebration_title,
    }


# -- Lessons ---------------------------------------------------------------------------


def lessons_group_url(group: LessonGroup, slugs: dict[str, str]) -> str:
    return f"lessons/tag/{slugs[group.tag]}/" if group.tag else "lessons/untagged/"


def _lessons_shown(
    model: SiteModel, lessons: Sequence[Lesson], tags: Sequence[str]
) -> dict[str, Any]:
    shown = _shown(model, entries=[lesson.entry for lesson in lessons], tags=tags)
    return {"urls": shown["urls"], "slugs": shown["slugs"]}


def lessons_page(model: SiteModel) -> list[Page]:
    """/lessons/ with every tag's newest lessons; a tag with more has its own full page,
    so the page stays small in a journal of thousands of setbacks."""
    lessons = all_lessons(model.entries)
    groups = lessons_by_tag(lessons)
    more = {
        g.tag: lessons_group_url(g, model.tag_slugs)
        for g in groups
        if len(g.lessons) > LESSONS_PER_GROUP
    }
    shown = [lesson for g in groups for lesson in g.lessons[:LESSONS_PER_GROUP]]
    view = {
        **_lessons_shown(model, shown, [g.tag for g in groups if g.tag]),
        "groups": groups,
        "total": len(lessons),
        "with_reframe": sum(1 for lesson in lessons if lesson.setback.reframe),
        "limit": LESSONS_PER_GROUP,
        "more": more,
    }
    pages = [Page("lessons/", "lessons.html", view, "the lessons page", "lessons/")]
    for group in groups:
        if group.tag in more:
            pages.append(
                Page(
                    more[group.tag],
                    "lessons_group.html",
                    {
                        **_lessons_shown(model, group.lessons, [group.tag] if group.tag else []),
                        "group": group,
                    },
                    "the lessons page",
                    "lessons/",
                )
            )
    return pages


# -- Tags ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TagSummary:
    """What a tag's page says of the tag as a whole: its name and counts, not its lists
    (so that an edit to one of its entries leaves its other pages as they were)."""

    name: str
    slug: str
    entries: int
    wins: int
    setbacks: int


def _tag_pages(model: SiteModel, tag: TagInfo, firsts: Mapping[str, int]) -> list[Page]:
    """A tag's pages, each a view made when it is rendered (``_tag_view``) from the
    entries where the tag appears, each by its token, with the number of its first win:
    planning a tag's pages digests those, not every win record and card they show."""
    count = max(
        1,
        math.ceil(len(tag.wins) / TAG_WINS_PER_PAGE),
        math.ceil(len(tag.entries) / TAG_ENTRIES_PER_PAGE),
    )
    base = tag_url(tag.slug)
    summary = TagSummary(tag.name, tag.slug, len(tag.entries), len(tag.wins), tag.setbacks)
    related = tag.related
    numbers = tuple(firsts[entry.source] for entry in related)
    all_urls = model.urls
    urls = {e.source: all_urls[e.source] for e in related if e.source in all_urls}
    pages = []
    for n in range(1, count + 1):
        args = (summary, tag.entries, related, numbers, n, count, urls)
        view = Deferred(_tag_view, (*args, model.tag_slugs, model.goal_titles))
        pages.append(
            Page(_tag_page_url(base, n), "tag.html", view, f"the tag {tag.name!r}", "tags/")
        )
    return pages


def _tag_page_url(base: str, n: int) -> str:
    return base if n == 1 else f"{base}page/{n}/"


def _tag_view(
    tag: TagSummary,
    entries: tuple[Entry, ...],
    related: tuple[Entry, ...],
    numbers: tuple[int, ...],
    n: int,
    count: int,
    urls: Mapping[str, str],
    slugs: Mapping[str, str],
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """Page ``n`` of a tag: its wins are those of ``related`` (every entry where the
    tag appears, oldest first, with the number of each one's first win) that carry it,
    its own or its entry's; its entries list those of ``entries``, newest first."""
    wins = []
    for entry, first in zip(related, numbers, strict=True):
        for index, win in enumerate(entry.wins):
            tags = win_tags(win, entry)
            if tag.name in tags:
                wins.append(WinRecord(first + index, win, entry, tags, index))
    shown = wins[::-1][(n - 1) * TAG_WINS_PER_PAGE : n * TAG_WINS_PER_PAGE]
    newest = entries[::-1][(n - 1) * TAG_ENTRIES_PER_PAGE : n * TAG_ENTRIES_PER_PAGE]
    return {
        **_shown_of(urls, slugs, titles, shown),
        "tag": tag,
        "wins": shown,
        "entries": [EntryCard(entry, urls.get(entry.source)) for entry in newest],
        "number": n,
        "count": count,
        "newer_url": _tag_page_url(tag_url(tag.slug), n - 1) if n > 1 else None,
        "older_url": _tag_page_url(tag_url(tag.slug), n + 1) if n < count else None,
    }


def _tags_view(model: SiteModel) -> dict[str, Any]:
    return {"tags": model.tag_infos}


def tag_pages(model: SiteModel) -> list[Page]:
    # The index is made of every tag's lists, so of the whole model: named by it.
    pages = [Page("tags/", "tags.html", Deferred(_tags_view, (model,)), "the tags index", "tags/")]
    # The number of each entry's first win (wins are numbered oldest first).
    firsts: dict[str, int] = {}
    number = 1
    for entry in model.entries:
        firsts[entry.source] = number
        number += len(entry.wins)
    for tag in model.tag_infos:
        pages.extend(_tag_pages(model, tag, firsts))
    return pages


# -- Goals -----------------------------------------------------------------------------


def _goal_view(progress: GoalProgress, model: SiteModel) -> dict[str, Any]:
    return {
        "progress": progress,
        "days_left": days_left(progress.goal.target, model.today),
        "page_url": goal_url(progress.goal.slug),
        # Links to entries (Markdown or [[wiki]]) become their pages' URLs, as on entry pages.
        "goal_body": resolve_entry_links(
            progress.goal.body_html,
            entry_links(progress.goal.body_html, model.urls),
            model.config.base_path,
        ),
    }


def goal_pages(model: SiteModel) -> list[Page]:
    goals = [_goal_view(p, model) for p in model.goal_progress]
    pages = [
        Page(
            "goals/",
            "goals.html",
            {"goals": goals, "implied": any(p.implied for p in model.goal_progress)},
            "the goals index",
            "goals/",
        )
    ]
    for goal in goals:
        progress: GoalProgress = goal["progress"]
        origin = (
            f"{model.config.content}/{progress.goal.source}"
            if progress.goal.source
            else f"the goal {progress.goal.slug!r}"
        )
        shown = [*progress.wins, *(s.by_win for s in progress.steps if s.by_win is not None)]
        view = {**_shown(model, shown), **goal}
        pages.append(Page(goal["page_url"], "goal.html", view, origin, "goals/"))
    return pages


# -- Search ----------------------------------------------------------------------------


def search_page(model: SiteModel) -> list[Page]:
    view = {"index_path": INDEX_PATH, "entry_count": len(model.entries)}
    return [Page("search/", "search.html", view, "the search page", "search/")]


def search_files(model: SiteModel) -> list[SiteFile]:
    """The search index: a shard's entries are asked for with their bodies (``Body``),
    which their search fields are made of."""
    files = []
    for path, make, args in search_index(model.entries, model.urls):
        if make is shard:
            entries, urls = args
            args = (tuple(Body(e.source) for e in entries), urls)  # type: ignore[attr-defined]
        files.append(SiteFile(path, make, args, "the search index", memo=model.search_records))
    return files


SUMMARY_BUILDERS: Sequence = (wins_pages, lessons_page, tag_pages, goal_pages)
"""Builders of pages that show entries' summaries only."""
FILE_BUILDERS: Sequence = (search_files,)
