"""The pages every journal has: home, the timeline, and one page per entry."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from journal_site.aggregate.stats import week_start, year_ago
from journal_site.aggregate.timeline import timeline_pages, timeline_url
from journal_site.charts import heatmap_legend
from journal_site.markdown import ENTRY_LINK_PREFIX
from journal_site.model import Entry
from journal_site.pages import Page, SiteModel
from journal_site.pages.progress import last_year_heatmap, streak_view
from journal_site.render import resolve_entry_links


def entry_pages(model: SiteModel) -> list[Page]:
    """A page per entry. With tokens (a builder's build), each page is planned as a key
    and a view made only if the page is rendered: these are most of a site's pages,
    and a rebuild after one edit renders three of them."""
    pages = []
    entries = model.entries
    heads = model.heads.entries  # what a page shows of its neighbours
    urls = model.urls
    goal_titles = model.goal_titles
    content = model.config.content
    tokens = model.tokens
    for index, entry in enumerate(entries):
        url = urls[entry.source]
        origin = f"{content}/{entry.source}"
        previous = heads[index - 1] if index > 0 else None
        following = heads[index + 1] if index + 1 < len(entries) else None
        key = _entry_key(entry, previous, following, urls, tokens, goal_titles)
        if key is None:
            view: Any = entry_view(model, entry, previous, following)
        else:
            view = functools.partial(entry_view, model, entry, previous, following)
        pages.append(Page(url, "entry.html", view, origin, "timeline/", key))
    return pages


def _entry_key(
    entry: Entry,
    previous: Entry | None,
    following: Entry | None,
    urls: Mapping[str, str],
    tokens: Mapping[int, tuple[object, bytes]],
    goal_titles: Mapping[str, str],
) -> str | None:
    """What determines an entry page's view (see ``entry_view``), or None without tokens.

    The entry's token names the entry itself, and with it its tags and their slugs (a
    slug is a function of the tag); its neighbours (heads) are named by token and URL; the
    titles of the goals its wins serve are named as they are; a body that links to other
    entries is named with those links resolved.
    """
    parts: list[object] = []
    for item in (entry, previous, following):
        if item is None:
            parts.append(None)
            continue
        hit = tokens.get(id(item))
        if hit is None or hit[0] is not item:
            return None
        parts.append(hit[1])
        if item is not entry:
            parts.append(urls[item.source])
    goals = [(w.goal, goal_titles[w.goal]) for w in entry.wins if w.goal]
    if goals:
        parts.append(goals)
    if ENTRY_LINK_PREFIX in entry.body_html:
        parts.append(resolve_entry_links(entry.body_html, urls, ""))
    return repr(parts)


def entry_view(
    model: SiteModel,
    entry: Entry,
    previous: Entry | None,
    following: Entry | None,
) -> dict[str, Any]:
    """The view of ``entry``'s page; ``previous`` and ``following`` are its neighbours'
    heads (``Entry.head()``): the page shows their titles, not their bodies."""
    slugs = model.tag_slugs
    goal_titles = model.goal_titles
    return {
        "entry": entry,
        "body": resolve_entry_links(entry.body_html, model.urls, model.config.base_path),
        "previous": model.card(previous) if previous else None,
        "next": model.card(following) if following else None,
        # Only what this page shows, so that ``_entry_key`` names all of the view.
        "tag_slugs": {tag: slugs[tag] for tag in entry.all_tags()},
        "goal_titles": {w.goal: goal_titles[w.goal] for w in entry.wins if w.goal},
    }


def timeline_page_list(model: SiteModel) -> list[Page]:
    pages = []
    for tl in timeline_pages(model.entries, model.config.per_page):
        pages.append(
            Page(
                url=timeline_url(tl.number),
                template="timeline.html",
                view={
                    "timeline": tl,
                    "cards": {e.source: model.card(e) for g in tl.months for e in g.entries},
                    "previous_url": timeline_url(tl.number - 1) if tl.number > 1 else None,
                    "next_url": timeline_url(tl.number + 1) if tl.number < tl.count else None,
                },
                origin="the timeline",
                section="timeline/",
            )
        )
    return pages


def home_page(model: SiteModel) -> list[Page]:
    entries = model.entries
    latest = [model.card(e) for e in reversed(entries[-6:])]
    monday = week_start(model.today)
    week_wins = [
        (win, model.card(e))
        for e in reversed(entries)
        if not e.draft and monday <= e.day <= model.today
        for win in e.wins
    ]
    a_year_ago = year_ago(model.today)
    counts = {
        "entries": len(entries),
        "days": len({e.day for e in entries}),
        "wins": sum(len(e.wins) for e in entries),
        "setbacks": sum(len(e.setbacks) for e in entries),
    }
    return [
        Page(
            url="",
            template="home.html",
            view={
                "latest": latest,
                "counts": counts,
                "streak": streak_view(model),
                "week_start": monday,
                "week_wins": week_wins,
                "heatmap": last_year_heatmap(model),
                "legend": heatmap_legend(),
                "year_ago_day": a_year_ago,
                "year_ago": [model.card(e) for e in entries if e.day == a_year_ago],
            },
            origin="the home page",
            section="",
        )
    ]
