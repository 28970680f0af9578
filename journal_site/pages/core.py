"""The pages every journal has: home, the timeline, and one page per entry.

These are the pages that show entries' bodies. Each is planned with a ``Deferred``
view: a maker and the values it is made from, bodies asked for by ``Body`` (and the
URLs a body links to by ``Links``), so that the engine names a page by those values
and makes its view only when it has to render it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.aggregate.recall import wins_to_recall
from journal_site.aggregate.timeline import timeline_chunks, timeline_page, timeline_url
from journal_site.model import Entry, EntrySummary
from journal_site.pages import Body, Deferred, Earlier, EntryCard, Links, Page, SiteModel, Unit
from journal_site.render import resolve_entry_links


@dataclass(frozen=True, slots=True)
class RecalledWin:
    """An earlier win shown on the page of an entry with a setback ("You have been here
    before"): all the page shows of it, so that it is all the page is keyed by."""

    text: str
    day: dt.date
    url: str
    """The page of the win's entry."""


ENTRY_BLOCK = 64
"""Entry pages planned as one unit: a new entry plans again only the last block's."""


def _recalled(earlier: Earlier, index: int) -> tuple[RecalledWin, ...]:
    """The earlier wins the page of ``earlier.entries[index]`` recalls (see
    aggregate/recall.py)."""
    urls = earlier.urls
    return tuple(
        RecalledWin(win.text, entry.day, urls[entry.source])
        for entry, win in wins_to_recall(earlier.entries, earlier.index, index)  # type: ignore[arg-type]
    )


def _earlier(model: SiteModel, position: int) -> Earlier:
    # The index of wins by tag pays once many pages are planned; a page made alone (the
    # entry just saved) walks back from its entry instead, to the same wins.
    tagged = model.__dict__.get("wins_by_tag")
    return Earlier(model.entries, position, model.urls, tagged)


def entry_units(model: SiteModel) -> Iterator[Unit]:
    """The entry pages, ``ENTRY_BLOCK`` at a time: each block made from the entries up to
    the one after its last (the entries before a page are those it recalls wins from),
    the tag slugs, the goal titles and the settings pages show; or, narrower, from the
    entries it shows and the wins it recalls (``_entry_block``)."""
    model.wins_by_tag  # noqa: B018 (made once for every page, see _earlier)
    count = len(model.entries)
    for start in range(0, count, ENTRY_BLOCK):
        stop = min(start + ENTRY_BLOCK, count)
        # The last entry the block reads: the next of its last page, if there is one.
        inputs = (_earlier(model, min(stop, count - 1)), start, stop, *_entry_settings(model))
        yield Unit(_entry_pages_of, inputs, functools.partial(_entry_block, *inputs))


def _entry_settings(model: SiteModel) -> tuple[Mapping[str, str], Mapping[str, str], str, str]:
    config = model.config
    return model.tag_slugs, model.goal_titles, config.base_path, config.content


def _entry_block(
    earlier: Earlier,
    start: int,
    stop: int,
    tag_slugs: Mapping[str, str],
    goal_titles: Mapping[str, str],
    base_path: str,
    content: str,
) -> Unit:
    """The block of entry pages ``start`` to ``stop`` as what its pages show: the
    entries from the one before the first to the one after the last (when ``earlier``
    holds it), their URLs, the wins each page recalls, and the slugs and goal titles
    of its own entries' tags and wins. A win added to an old entry changes every later
    block's ``Earlier``, and only the few blocks that show it or recall it; a new tag
    elsewhere changes every block's tag slugs, and none of these."""
    entries, urls = earlier.entries, earlier.urls
    first, last = max(start - 1, 0), min(stop, earlier.position)
    shown = entries[first : last + 1]
    shown_urls = {e.source: urls[e.source] for e in shown if e.source in urls}
    recalled = tuple(_recalled(earlier, index) for index in range(start, stop))
    # Of the tag slugs and goal titles, those of the entries whose pages these are.
    own = entries[start:stop]
    slugs = {tag: tag_slugs[tag] for entry in own for tag in entry.all_tags()}
    titles = {w.goal: goal_titles[w.goal] for entry in own for w in entry.wins if w.goal}
    settings = (slugs, titles, base_path, content)
    return Unit(_entry_pages_shown, (shown, first, shown_urls, recalled, (start, stop), settings))


def _entry_pages_of(*inputs: Any) -> Sequence[Page]:
    """The pages of a block as ``entry_units`` names it (``_entry_block``'s inputs),
    made through its narrower form: the two forms cannot make different pages."""
    return _entry_block(*inputs).pages()


def _entry_pages_shown(
    shown: tuple[EntrySummary, ...],
    first: int,
    urls: Mapping[str, str],
    recalled: tuple[tuple[RecalledWin, ...], ...],
    span: tuple[int, int],
    settings: tuple[Mapping[str, str], Mapping[str, str], str, str],
) -> list[Page]:
    """The pages ``span`` (start, stop) of the entries ``shown`` (the entries from index
    ``first`` on, the next of the last page included when there is one); ``settings``:
    tag slugs, goal titles, base path and content folder, as ``_entry_settings``."""
    start, stop = span
    return [
        _entry_page(
            shown[index - first],
            shown[index - first - 1] if index else None,
            shown[index - first + 1] if index - first + 1 < len(shown) else None,
            urls,
            recalled[index - start],
            *settings,
        )
        for index in range(start, stop)
    ]


def entry_pages(model: SiteModel) -> Iterator[Page]:
    """A page per entry, between its neighbours (whose pages it links by title); one
    with a setback also recalls earlier wins (``_recalled``). One block at a time:
    a build asked to stop need not wait for 4,000."""
    for unit in entry_units(model):
        yield from unit.pages()


def entry_page_at(model: SiteModel, path: str) -> Page:
    """The page ``entry_pages`` lists at output ``path`` (".../index.html"), alone."""
    url = path.removesuffix("index.html")
    for index, entry in enumerate(model.entries):
        if model.urls.get(entry.source) == url:
            return entry_page(model, index)
    raise KeyError(path)


def entry_page(model: SiteModel, index: int) -> Page:
    """The page of ``model.entries[index]``."""
    entries = model.entries
    earlier = _earlier(model, min(index + 1, len(entries) - 1))
    return _entry_page(
        entries[index],
        entries[index - 1] if index else None,
        entries[index + 1] if index + 1 < len(entries) else None,
        model.urls,
        _recalled(earlier, index),
        *_entry_settings(model),
    )


def _entry_page(
    entry: EntrySummary,
    previous: EntrySummary | None,
    following: EntrySummary | None,
    urls: Mapping[str, str],
    recalled: tuple[RecalledWin, ...],
    tag_slugs: Mapping[str, str],
    goal_titles: Mapping[str, str],
    base_path: str,
    content: str,
) -> Page:
    """The page of ``entry``, between ``previous`` and ``following`` (the next entry,
    if there is one)."""
    source = entry.source

    def card(neighbour: EntrySummary) -> EntryCard:
        return EntryCard(entry=neighbour, url=urls.get(neighbour.source))

    args = (
        Body(source),
        None if previous is None else card(previous),
        None if following is None else card(following),
        {tag: tag_slugs[tag] for tag in entry.all_tags()},
        {w.goal: goal_titles[w.goal] for w in entry.wins if w.goal},
        Links(source),
        base_path,
        recalled,
    )
    return Page(
        urls[source], "entry.html", Deferred(entry_view, args), f"{content}/{source}", "timeline/"
    )


def entry_view(
    entry: Entry,
    previous: EntryCard | None,
    following: EntryCard | None,
    tag_slugs: Mapping[str, str],
    goal_titles: Mapping[str, str],
    links: Mapping[str, str | None],
    base_path: str,
    recalled: Sequence[RecalledWin],
) -> dict[str, Any]:
    """The view of ``entry``'s page; its neighbours are cards of their summaries."""
    return {
        "entry": entry,
        "body": resolve_entry_links(entry.body_html, links, base_path),
        "previous": previous,
        "next": following,
        "tag_slugs": tag_slugs,
        "goal_titles": goal_titles,
        "recalled_wins": recalled,
    }


def _urls_of(model: SiteModel, entries: Sequence[EntrySummary]) -> dict[str, str]:
    return {e.source: model.urls[e.source] for e in entries}


def timeline_page_list(model: SiteModel) -> list[Page]:
    entries = model.entries
    pages = []
    for number, count, start, end in timeline_chunks(len(entries), model.config.per_page):
        chunk = entries[start:end]
        args = (number, count, tuple(Body(e.source) for e in chunk), _urls_of(model, chunk))
        pages.append(
            Page(
                url=timeline_url(number),
                template="timeline.html",
                view=Deferred(_timeline_view, args),
                origin="the timeline",
                section="timeline/",
            )
        )
    return pages


def _timeline_view(
    number: int, count: int, chunk: Sequence[Entry], urls: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "timeline": timeline_page(number, count, chunk),
        "cards": {e.source: EntryCard(e, urls[e.source]) for e in chunk},
        "previous_url": timeline_url(number - 1) if number > 1 else None,
        "next_url": timeline_url(number + 1) if number < count else None,
    }


def home_entries(
    model: SiteModel,
) -> tuple[list[EntrySummary], list[EntrySummary], list[EntrySummary]]:
    """The entries home shows: the latest six, this week's (their wins) and those of a
    year ago today, each list newest first."""
    from journal_site.aggregate.stats import week_start, year_ago

    entries = model.entries
    today = model.today
    monday = week_start(today)
    a_year_ago = year_ago(today)
    latest = list(reversed(entries[-6:]))
    week = [e for e in reversed(entries) if not e.draft and monday <= e.day <= today]
    return latest, week, [e for e in entries if e.day == a_year_ago]


def home_summary(model: SiteModel) -> dict[str, Any]:
    """What home shows besides its entries: all of it read from the entries' summaries."""
    from journal_site.aggregate.stats import week_start, year_ago
    from journal_site.charts import heatmap_legend
    from journal_site.pages.progress import last_year_heatmap, streak_view
    from journal_site.pages.reviews import week_review_link

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
        "week_review": week_review_link(model),
    }


def home_page(model: SiteModel) -> list[Page]:
    """Home: its entries (bodies and all) beside a summary of the whole journal."""
    lists = home_entries(model)
    bodies = tuple(tuple(Body(e.source) for e in entries) for entries in lists)
    urls = _urls_of(model, [e for entries in lists for e in entries])
    args = (home_summary(model), *bodies, urls)
    return [Page("", "home.html", Deferred(_home_view, args), "the home page", "")]


def _home_view(
    summary: Mapping[str, Any],
    latest: Sequence[Entry],
    week: Sequence[Entry],
    a_year_ago: Sequence[Entry],
    urls: Mapping[str, str],
) -> dict[str, Any]:
    return {
        **summary,
        "latest": [EntryCard(e, urls[e.source]) for e in latest],
        "week_wins": [(win, EntryCard(e, urls[e.source])) for e in week for win in e.wins],
        "year_ago": [EntryCard(e, urls[e.source]) for e in a_year_ago],
    }
