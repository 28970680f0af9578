"""Pages that gather entries across time: the wins wall, lessons, tags, goals and search.

Each builder is a pure function of the ``SiteModel``; the aggregates they share
(numbered wins, tag slugs, goal progress) are cached properties of the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.aggregate.goals import GoalProgress, days_left, goal_url
from journal_site.aggregate.lessons import Lesson, LessonGroup, all_lessons, lessons_by_tag
from journal_site.aggregate.search import INDEX_PATH, search_index, shard
from journal_site.aggregate.tags import TagInfo, tag_url
from journal_site.aggregate.wins import entry_wins
from journal_site.late_number import WinNumber, takes_win_numbers
from journal_site.model import Entry
from journal_site.pages import Deferred, EntryCard, Page, Record, SiteFile, SiteModel, wall
from journal_site.pages.card_links import card_links, card_links_of
from journal_site.render import entry_links, resolve_entry_links

LESSONS_PER_GROUP = 40
"""Lessons a tag shows on /lessons/; a larger group gets a page of its own as well."""
TAG_WINS_PER_PAGE = 400
TAG_ENTRIES_PER_PAGE = 400


# -- Lessons ---------------------------------------------------------------------------


def lessons_group_url(group: LessonGroup, slugs: dict[str, str]) -> str:
    return f"lessons/tag/{slugs[group.tag]}/" if group.tag else "lessons/untagged/"


def _lessons_shown(
    model: SiteModel, lessons: Sequence[Lesson], tags: Sequence[str]
) -> dict[str, Any]:
    shown = card_links(model, entries=[lesson.entry for lesson in lessons], tags=tags)
    return {"urls": shown["urls"], "slugs": shown["slugs"]}


def lessons_page(model: SiteModel) -> list[Page]:
    """/lessons/ with every tag's newest lessons; a tag with more has its own full page,
    so the page stays small in a journal of thousands of setbacks."""
    lessons = all_lessons(model.entries, model.memo.of)
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
    """A tag's pages, each a view made when it is rendered (``_tag_view``) from what the
    page shows: the entries its wins come from, each by its token with the number of
    its first win, and the entries it lists. Planning them digests those, not every win
    record and card; a page whose wins and entries are as they were keeps its key."""
    count = max(
        1,
        math.ceil(len(tag.wins) / TAG_WINS_PER_PAGE),
        math.ceil(len(tag.entries) / TAG_ENTRIES_PER_PAGE),
    )
    base = tag_url(tag.slug)
    summary = TagSummary(tag.name, tag.slug, len(tag.entries), len(tag.wins), tag.setbacks)
    records, total = tag.wins, len(tag.wins)  # oldest first; a page shows newest first
    newest = tag.entries[::-1]
    all_urls = model.urls
    pages = []
    for n in range(1, count + 1):
        # The page's wins are records[start:stop], from a run of entries.
        start = max(0, total - n * TAG_WINS_PER_PAGE)
        stop = max(start, total - (n - 1) * TAG_WINS_PER_PAGE)
        run: list[Entry] = []
        for record in records[start:stop]:
            if not run or record.entry is not run[-1]:
                run.append(record.entry)
        skip = 0  # wins of the run's first entry on the page after this one
        while start - skip > 0 and run and records[start - skip - 1].entry is run[0]:
            skip += 1
        listed = newest[(n - 1) * TAG_ENTRIES_PER_PAGE : n * TAG_ENTRIES_PER_PAGE]
        urls = {e.source: all_urls[e.source] for e in (*run, *listed) if e.source in all_urls}
        wins = (tuple(run), tuple(firsts[e.source] for e in run), skip, stop - start)
        args = (summary, *wins, listed, n, count, urls, model.tag_slugs, model.goal_titles)
        pages.append(
            Page(
                _tag_page_url(base, n),
                "tag.html",
                Deferred(_tag_view, args),
                f"the tag {tag.name!r}",
                "tags/",
            )
        )
    return pages


def _tag_page_url(base: str, n: int) -> str:
    return base if n == 1 else f"{base}page/{n}/"


@takes_win_numbers
def _tag_view(
    tag: TagSummary,
    run: tuple[Entry, ...],
    numbers: tuple[int, ...],
    skip: int,
    take: int,
    listed: tuple[Entry, ...],
    n: int,
    count: int,
    urls: Mapping[str, str],
    slugs: Mapping[str, str],
    titles: Mapping[str, str],
) -> dict[str, Any]:
    """Page ``n`` of a tag: its wins are ``take`` of those that carry the tag (their own
    or their entry's) in ``run`` (entries oldest first, with the number of each one's
    first win), after the first ``skip``, newest first; it lists ``listed``."""
    wins = [
        record
        for entry, first in zip(run, numbers, strict=True)
        for record in entry_wins(entry, first)
        if tag.name in record.tags
    ]
    shown = wins[skip : skip + take][::-1]
    return {
        **card_links_of(urls, slugs, titles, shown),
        "tag": tag,
        "wins": shown,
        "entries": [EntryCard(entry, urls.get(entry.source)) for entry in listed],
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
    # The number of each entry's first win (wins are numbered oldest first), marked as
    # a win's number: a page is made once for all of them (engine/late.py).
    firsts: dict[str, int] = {}
    number = 1
    for entry in model.entries:
        firsts[entry.source] = WinNumber(number)
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
        view = {**card_links(model, shown), **goal}
        pages.append(Page(goal["page_url"], "goal.html", view, origin, "goals/"))
    return pages


# -- Search ----------------------------------------------------------------------------


def search_page(model: SiteModel) -> list[Page]:
    view = {"index_path": INDEX_PATH, "entry_count": len(model.entries)}
    return [Page("search/", "search.html", view, "the search page", "search/")]


def search_files(model: SiteModel) -> list[SiteFile]:
    """The search index: a shard asks for its entries' search fields (``Record``), which
    are made of their bodies."""
    files = []
    for path, make, args in search_index(model.entries, model.urls):
        if make is shard:
            entries, urls = args
            args = (tuple(Record(e.source) for e in entries), urls)  # type: ignore[attr-defined]
        files.append(SiteFile(path, make, args, "the search index"))
    return files


SUMMARY_BUILDERS: Sequence = (wall.wins_pages, lessons_page, tag_pages, goal_pages)
"""Builders of pages that show entries' summaries only."""
FILE_BUILDERS: Sequence = (search_files,)
