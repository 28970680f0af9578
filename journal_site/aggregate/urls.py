"""Where each entry's page lives: ``YYYY/MM/DD/``, or ``YYYY/MM/DD/<slug>/`` for a later entry that day."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from journal_site.errors import JournalError, Problem
from journal_site.model import Entry


def entry_urls(entries: Sequence[Entry], content: str = "content") -> dict[str, str]:
    """Map each entry's source to its URL path (relative to the site root, ending in "/").

    ``entries`` must be sorted (see ``Entry.sort_key``): the first entry of a day gets
    the day's URL, so adding a second entry later never moves the first one's page.
    Two later entries of one day with the same slug are an error naming both files.
    """
    return entry_urls_since(entries, None, 0, content)[0]


def entry_urls_since(
    entries: Sequence[Entry], state: dict[str, str] | None, same: int, content: str = "content"
) -> tuple[dict[str, str], dict[str, str]]:
    """``entry_urls``, taking up ``state`` (the URLs this gave for entries whose first
    ``same`` are these, one for each entry in their order: see ``Memo.fold``): an
    entry's URL depends on the entries before it alone, so theirs are kept, and the
    same entries give the same dict. Returns the URLs twice: as the value, and as the
    state for the next model."""
    urls: dict[str, str] = {}
    if state is not None:
        if same == len(entries) == len(state):
            return state, state
        urls = dict(itertools.islice(state.items(), same))
    else:
        same = 0
    taken = dict(zip(urls.values(), urls.keys(), strict=True))  # URL -> its source
    problems: list[Problem] = []
    for entry in entries[same:]:
        day = entry.day  # (not strftime, slow for a line run for every entry at every build)
        day_url = f"{day.year}/{day.month:02d}/{day.day:02d}/"
        url = day_url if day_url not in taken else f"{day_url}{entry.slug}/"
        if url in taken:
            problems.append(
                Problem(
                    f"{content}/{entry.source}",
                    None,
                    f"its page /{url} is also the page of {content}/{taken[url]}; "
                    "give one of them another title or a 'slug:'",
                )
            )
            continue
        taken[url] = entry.source
        urls[entry.source] = url
    if problems:
        raise JournalError(problems)
    return urls, urls
