"""The pages every journal has: home, the timeline, and one page per entry."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from journal_site.aggregate.timeline import timeline_chunks, timeline_page, timeline_url
from journal_site.fingerprint import tokens_and_urls
from journal_site.markdown import ENTRY_LINK_PREFIX
from journal_site.model import Entry
from journal_site.pages import Page, SiteModel
from journal_site.render import resolve_entry_links


def entry_pages(model: SiteModel) -> list[Page]:
    """A page per entry. With tokens (a builder's build), each page is planned as a key
    and a view made only if the page is rendered: these are most of a site's pages,
    and a rebuild after one edit renders three of them."""
    entries = model.entries
    heads = model.heads.entries  # what a page shows of its neighbours
    last = len(entries) - 1
    return [
        entry_page(
            model,
            entry,
            heads[index - 1] if index > 0 else None,
            heads[index + 1] if index < last else None,
        )
        for index, entry in enumerate(entries)
    ]


def entry_page(
    model: SiteModel, entry: Entry, previous: Entry | None, following: Entry | None
) -> Page:
    """The page of ``entry``, between the heads of its neighbours."""
    key = _entry_key(entry, previous, following, model.urls, model.tokens, model.goal_titles)
    if key is None:
        view: Any = entry_view(model, entry, previous, following)
    else:
        view = functools.partial(entry_view, model, entry, previous, following)
    origin = f"{model.config.content}/{entry.source}"
    return Page(model.urls[entry.source], "entry.html", view, origin, "timeline/", key)


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


def _entries_key(model: SiteModel, *lists: Sequence[Entry]) -> list[object] | None:
    """Each entry of ``lists`` named by its token and URL (None when a token is missing)."""
    named: list[object] = []
    for entries in lists:
        part = tokens_and_urls(entries, model.tokens, model.urls.__getitem__)
        if part is None:
            return None
        named.append(part)
    return named


def timeline_page_list(model: SiteModel) -> list[Page]:
    entries = model.entries
    return [
        timeline_page_of(model, number, count, entries[start:end])
        for number, count, start, end in timeline_chunks(len(entries), model.config.per_page)
    ]


def timeline_page_of(model: SiteModel, number: int, count: int, chunk: Sequence[Entry]) -> Page:
    """Timeline page ``number`` of ``count``, listing ``chunk`` (oldest first). Named by
    its number, the count and its entries (tokens and URLs): everything the view holds."""
    named = _entries_key(model, chunk)
    key = None if named is None else repr((number, count, named))
    view: Any = functools.partial(_timeline_view, model, number, count, chunk)
    return Page(
        url=timeline_url(number),
        template="timeline.html",
        view=view if key is not None else view(),
        origin="the timeline",
        section="timeline/",
        key=key,
    )


def _timeline_view(
    model: SiteModel, number: int, count: int, chunk: Sequence[Entry]
) -> dict[str, Any]:
    tl = timeline_page(number, count, chunk)
    return {
        "timeline": tl,
        "cards": {e.source: model.card(e) for g in tl.months for e in g.entries},
        "previous_url": timeline_url(number - 1) if number > 1 else None,
        "next_url": timeline_url(number + 1) if number < count else None,
    }


def home_entries(model: SiteModel) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """The entries home shows, bodies and all: the latest six, this week's (their
    wins) and those of a year ago today, each list newest first."""
    from journal_site.aggregate.stats import week_start, year_ago

    entries = model.entries
    today = model.today
    monday = week_start(today)
    a_year_ago = year_ago(today)
    latest = list(reversed(entries[-6:]))
    week = [e for e in reversed(entries) if not e.draft and monday <= e.day <= today]
    return latest, week, [e for e in entries if e.day == a_year_ago]


def home_summary(model: SiteModel) -> dict[str, Any]:
    """What home shows besides its entries: all of it read from the entries' heads."""
    # Imported when used: a patch (see incremental.SiteBuilder.patch) takes the summary
    # a build kept.
    from journal_site.aggregate.stats import week_start, year_ago
    from journal_site.charts import heatmap_legend
    from journal_site.pages.progress import last_year_heatmap, streak_view

    entries = model.entries
    return {
        "counts": {
            "entries": len(entries),
            "days": len({e.day for e in entries}),
            "wins": sum(len(e.wins) for e in entries),
            "setbacks": sum(len(e.setbacks) for e in entries),
        },
        "streak": streak_view(model),
        "week_start": week_start(model.today),
        "heatmap": last_year_heatmap(model),
        "legend": heatmap_legend(),
        "year_ago_day": year_ago(model.today),
    }


def home_page_of(
    model: SiteModel,
    lists: tuple[list[Entry], list[Entry], list[Entry]],
    summary: dict[str, Any],
) -> Page:
    """Home, showing ``lists`` (see ``home_entries``) beside ``summary`` (see
    ``home_summary``). Fingerprinted by its view, not keyed: a key would have to name
    every head the summary is made from, and change with any of them, while the
    summary itself rarely does."""
    latest, week, a_year_ago = lists
    view = {
        **summary,
        _HOME_LISTS[0]: [model.card(e) for e in latest],
        _HOME_LISTS[1]: [(win, model.card(e)) for e in week for win in e.wins],
        _HOME_LISTS[2]: [model.card(e) for e in a_year_ago],
    }
    return Page(url="", template="home.html", view=view, origin="the home page", section="")


_HOME_LISTS = ("latest", "week_wins", "year_ago")
"""What home's view holds of entries; the rest of it is the summary."""


def summary_of_home(view: Mapping[str, Any]) -> dict[str, Any]:
    """The summary (see ``home_summary``) in a view of home that ``home_page_of`` made."""
    return {name: value for name, value in view.items() if name not in _HOME_LISTS}


def home_page(model: SiteModel) -> list[Page]:
    return [home_page_of(model, home_entries(model), home_summary(model))]
