"""The pages of the site: which exist, and what each template receives.

``plan_pages(model)`` asks every builder listed in ``_builders()`` for its pages. A
builder is a pure function of the ``SiteModel``; aggregates that several builders
share are cached properties of the model, so each is computed once per build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from journal_site.aggregate import stats, streaks
from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.model import Entry, Goal

if TYPE_CHECKING:
    from journal_site.aggregate.goals import GoalProgress
    from journal_site.aggregate.tags import TagInfo
    from journal_site.aggregate.wins import WinRecord


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """Site-relative URL path of the page ("" for home, "timeline/" ...)."""
    template: str
    view: Mapping[str, Any] | Callable[[], Mapping[str, Any]]
    """What the template receives, besides the site-wide globals; or, for a page with a
    ``key``, a function that makes it (only a page that is rendered needs its view)."""
    origin: str
    """What produced the page (a source file or a section name), for collision errors."""
    section: str = ""
    """Which navigation item to mark as current."""
    key: str | None = None
    """When set, a string that determines ``view`` entirely (built from the tokens in
    ``SiteModel.tokens``): the page's fingerprint is taken from it instead of walking the
    view. A builder sets it only for a view it keeps small enough to name in full."""

    def context(self) -> Mapping[str, Any]:
        """The view, made now if it is made on demand."""
        view = self.view
        return view() if callable(view) else view


@dataclass(frozen=True, slots=True)
class EntryCard:
    """An entry as a list shows it: the entry and where its page is."""

    entry: Entry
    url: str

    # For fingerprint.py: the entry's token and the URL determine the card.
    __fingerprint_via__: ClassVar[tuple[str, tuple[str, ...]]] = ("entry", ("url",))


@dataclass(frozen=True)
class SiteModel:
    """Everything the pages are made from, after loading. Not slotted: aggregates are
    ``functools.cached_property`` values, computed on first use and shared by every page."""

    config: Config
    today: dt.date
    entries: tuple[Entry, ...]
    """Published entries (and drafts when shown), oldest first."""
    urls: Mapping[str, str]
    """Entry source -> URL path."""
    goals: tuple[Goal, ...] = ()
    search_records: dict[int, tuple[object, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``id(entry) -> (entry, record)``: per-entry records a builder kept from an earlier
    build (the search index's), so that only changed entries are worked on again."""
    tokens: Mapping[int, tuple[object, bytes]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``id(value) -> (value, token)``: a token that determines an entry (or one of its
    wins or setbacks) entirely, from its file's digest; empty when not known."""

    def card(self, entry: Entry) -> EntryCard:
        return EntryCard(entry=entry, url=self.urls[entry.source])

    # Streak aggregates, shared by home, stats and the wins wall. Drafts never count,
    # even when a preview shows them, and neither do days after `today`.
    @cached_property
    def counted_days(self) -> frozenset[dt.date]:
        """Days that count toward streaks under the journal's ``streak`` rule."""
        return streaks.counted_days(self.entries, self.config.streak, self.today)

    @cached_property
    def first_day(self) -> dt.date | None:
        """The first day with a non-draft entry, on or before today (None when there is none)."""
        return min(
            (e.day for e in self.entries if not e.draft and e.day <= self.today), default=None
        )

    @cached_property
    def streak_runs(self) -> tuple[streaks.Streak, ...]:
        return streaks.streak_runs(self.counted_days, self.config.streak_grace)

    @cached_property
    def streak_summary(self) -> streaks.StreakSummary:
        return streaks.summarize(self.counted_days, self.today, self.config.streak_grace)

    @cached_property
    def streak_milestones(self) -> tuple[tuple[int, dt.date], ...]:
        """(7/30/100/365, the day reached) for every run that reached it."""
        return streaks.streak_milestones(self.counted_days, self.config.streak_grace)

    @cached_property
    def consistency(self) -> float:
        """The consistency score today, 0-100 (see aggregate/streaks.py for the formula)."""
        return streaks.consistency(self.counted_days, self.today, self.first_day)

    @cached_property
    def wins_by_day(self) -> dict[dt.date, int]:
        """Wins per day over non-draft entries (0 for a day written without a win)."""
        return stats.wins_by_day(self.entries)

    @cached_property
    def entries_by_day(self) -> dict[dt.date, int]:
        """Non-draft entries per day."""
        counts: dict[dt.date, int] = {}
        for e in self.entries:
            if not e.draft:
                counts[e.day] = counts.get(e.day, 0) + 1
        return counts

    @cached_property
    def day_urls(self) -> dict[dt.date, str]:
        """Each day's first non-draft entry page: where a heatmap cell links."""
        urls: dict[dt.date, str] = {}
        for e in self.entries:
            if not e.draft:
                urls.setdefault(e.day, self.urls[e.source])
        return urls

    @cached_property
    def win_records(self) -> tuple[WinRecord, ...]:
        """Every win, numbered oldest first."""
        from journal_site.aggregate.wins import numbered_wins

        return numbered_wins(self.entries)

    @cached_property
    def goal_titles(self) -> dict[str, str]:
        """Goal slug -> title, for every goal (implied ones included)."""
        return {p.goal.slug: p.goal.title for p in self.goal_progress}

    @cached_property
    def tag_slugs(self) -> dict[str, str]:
        """Tag -> slug; raises JournalError when two tags share a slug."""
        from journal_site.aggregate.tags import tag_slugs

        return tag_slugs(self.entries, self.config.content)

    @cached_property
    def tag_infos(self) -> tuple[TagInfo, ...]:
        from journal_site.aggregate.tags import tag_index

        return tag_index(self.entries, self.win_records, self.tag_slugs)

    @cached_property
    def goal_progress(self) -> tuple[GoalProgress, ...]:
        """Raises JournalError when a win names a goal that does not exist."""
        from journal_site.aggregate.goals import goal_progress

        return goal_progress(self.goals, self.win_records, self.config.content)


PageBuilder = Callable[[SiteModel], Sequence[Page]]


def _builders() -> list[PageBuilder]:
    from journal_site.pages import collections, core, progress

    return [
        core.home_page,
        core.timeline_page_list,
        core.entry_pages,
        progress.stats_page,
        *collections.BUILDERS,
    ]


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A file of the site that is not a page (a search index ...)."""

    path: str
    data: bytes
    origin: str


def plan_files(model: SiteModel) -> list[SiteFile]:
    """Every non-page file that builders make from the model."""
    from journal_site.pages import collections

    return [f for builder in collections.FILE_BUILDERS for f in builder(model)]


def plan_pages(model: SiteModel) -> list[Page]:
    """Every page of the site, each with its view; URL collisions are an error naming both sources."""
    pages: list[Page] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for builder in _builders():
        for page in builder(model):
            if page.url in seen:
                problems.append(
                    Problem(
                        page.origin, None, f"its page /{page.url} is also made by {seen[page.url]}"
                    )
                )
                continue
            seen[page.url] = page.origin
            pages.append(page)
    if problems:
        raise JournalError(problems)
    return pages
