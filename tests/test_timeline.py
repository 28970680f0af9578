"""Timeline pages: newest first, cut from the oldest entry on, so a new entry changes
the first page only."""

from __future__ import annotations

import datetime as dt

from journal_site.aggregate.timeline import timeline_number, timeline_pages
from journal_site.model import Entry

PER_PAGE = 7


def _entries(count: int) -> list[Entry]:
    first = dt.date(2025, 12, 20)  # across a new year: month groups split pages too
    return [
        Entry(
            source=f"e{n}.md",
            day=first + dt.timedelta(days=n),
            time=None,
            title=f"Entry {n}",
            title_is_default=False,
            tags=(),
            mood=None,
            wins=(),
            setbacks=(),
            draft=False,
            body_html="",
            text="",
            slug="",
        )
        for n in range(count)
    ]


def _sources(count: int) -> list[list[str]]:
    pages = timeline_pages(_entries(count), PER_PAGE)
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.count == len(pages) for p in pages)
    return [[e.source for g in p.months for e in g.entries] for p in pages]


def test_every_entry_once_newest_first_in_full_pages_but_the_first() -> None:
    for count in range(0, 60):
        pages = _sources(count)
        listed = [source for page in pages for source in page]
        assert listed == [f"e{n}.md" for n in reversed(range(count))]
        assert len(pages) == max(1, count // PER_PAGE)
        assert all(len(page) == PER_PAGE for page in pages[1:])
        if count >= PER_PAGE:
            assert PER_PAGE <= len(pages[0]) < 2 * PER_PAGE


def test_a_new_entry_changes_the_first_page_only_until_it_is_full() -> None:
    moved = []
    for count in range(1, 60):
        before, after = _sources(count - 1), _sources(count)
        if after[1:] != before[1:]:
            moved.append(count)
        assert after[0][0] == f"e{count - 1}.md"  # the new entry leads the first page
    # Every page moves on only when the first page overflows: at 14, 21, 28 ... entries.
    assert moved == list(range(2 * PER_PAGE, 60, PER_PAGE))


def test_timeline_number_names_the_page_that_lists_the_entry() -> None:
    for count in range(0, 60):
        for number, page in enumerate(_sources(count), start=1):
            for source in page:
                index = int(source[1:-3])
                assert timeline_number(index, count, PER_PAGE) == number
