"""What the win cards and entry links of a page need, and nothing more."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from journal_site.aggregate.wins import WinRecord
from journal_site.model import Entry
from journal_site.pages import SiteModel


def card_links(
    model: SiteModel,
    records: Iterable[WinRecord] = (),
    entries: Iterable[Entry] = (),
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    """What win cards and entry links need (``urls``, ``slugs``, ``goal_titles``), for
    the wins, entries and tags a page shows and nothing else: a new entry elsewhere in
    the journal then leaves the page's view, and so its rendering, as it was. An entry
    without a page (on a share site) is not in ``urls``: templates show it unlinked."""
    return card_links_of(model.urls, model.tag_slugs, model.goal_titles, records, entries, tags)


def card_links_of(
    all_urls: Mapping[str, str],
    all_slugs: Mapping[str, str],
    all_titles: Mapping[str, str],
    records: Iterable[WinRecord] = (),
    entries: Iterable[Entry] = (),
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    """``card_links`` from the site's URLs, tag slugs and goal titles (or those of a part)."""
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
