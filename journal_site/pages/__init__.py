"""The pages of the site: which exist, and what each template receives.

A builder (listed in engine/plan.py) is a pure function of the ``SiteModel`` that
returns pages; aggregates that several builders share are cached properties of the
model, so each is computed once per build.

The model holds entries as ``EntrySummary`` values: everything their front matter
says, and no body. A page that shows bodies (an entry's own page, the timeline, home,
the search index) asks for them in its deferred view's arguments, with a ``Body``
reference (and ``Links`` for the URLs a body links to): the engine puts the entry in
its place when it makes the view, and names it by the entry's token. So a builder
cannot read a body, and what a page is made from is always in plain sight: its
arguments (see engine/plan.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.model import Entry, EntrySummary, Goal
from journal_site.pages.memo import Memo

if TYPE_CHECKING:
    from journal_site.aggregate import streaks
    from journal_site.aggregate.goals import GoalProgress
    from journal_site.aggregate.recall import TaggedWins
    from journal_site.aggregate.review_book import ReviewBook
    from journal_site.aggregate.tags import TagInfo
    from journal_site.aggregate.wins import WinRecord
    from journal_site.loader import Journal

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Body:
    """In a deferred view's arguments: the entry at ``source`` with its body."""

    source: str


@dataclass(frozen=True, slots=True)
class Record:
    """In a file's arguments: the search fields of the entry at ``source`` (made with its
    parse from its body, see aggregate/search.py), as ``(source, fields)``."""

    source: str


@dataclass(frozen=True, slots=True)
class Links:
    """In a deferred view's arguments: ``{marker: URL or None}`` for every link to
    another entry in the body of the entry at ``source`` (see render.entry_links)."""

    source: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """A view made only when its page is rendered: ``make(*args)``.

    ``make`` is a module-level function of its arguments alone, so the arguments name
    the view: the engine keys the page by them (see engine/keys.py) and calls ``make``
    only for a page it has to render.
    """

    make: Callable[..., Mapping[str, Any]]
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Unit:
    """Some pages of a builder as their declared inputs: ``make(*inputs)`` makes them
    and reads nothing else (``make`` is a module-level function). The engine names a
    unit by its inputs (engine/keys.py): while they have the digest they had in the
    last build, the plans of its pages are that build's, and ``make`` runs only for a
    page to be rendered."""

    make: Callable[..., Sequence[Page]]
    inputs: tuple[Any, ...]
    narrower: Callable[[], Unit] | None = None
    """The same pages as a unit of inputs that name less of the journal and cost more
    to gather, asked for only when this unit's inputs changed: its pages keep their
    plans while either unit's inputs have the digest they had (a block of entry pages
    by every entry before it, or by the entries around it and the wins it recalls)."""

    def pages(self) -> Sequence[Page]:
        return self.make(*self.inputs)


@dataclass(frozen=True, slots=True, eq=False)
class Earlier:
    """The entries of ``entries`` up to ``position`` (included), and their URLs, which is
    all a holder may read of them. The engine names it by a chain of digests over those
    entries and URLs in order, made once for every position (see engine/keys.py), not
    by walking thousands of entries for every unit that holds one.

    ``index`` is made from all the entries, to look things up in them faster (the wins
    by tag, the review book), and is not named: a holder reads of it only what the
    entries up to ``position`` determine (for the wins by tag, a tested promise), and
    names in its own inputs anything else it reads there (the goals a later entry
    finishes)."""

    entries: tuple[EntrySummary, ...]
    position: int
    urls: Mapping[str, str]
    index: object


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """Site-relative URL path of the page ("" for home, "timeline/" ...)."""
    template: str
    view: Mapping[str, Any] | Deferred
    """What the template receives, besides the site-wide globals."""
    origin: str
    """What produced the page (a source file or a section name), for collision errors."""
    section: str = ""
    """Which navigation item to mark as current."""

    @property
    def path(self) -> str:
        """Where the page is written, in the output folder (as ``SiteFile.path``)."""
        return self.url + "index.html"

    def context(self, resolve: Callable[[Any], Any] | None = None) -> Mapping[str, Any]:
        """The view, made now if it is deferred, with ``resolve`` putting entries and
        links in place of the ``Body`` and ``Links`` references in its arguments."""
        view = self.view
        if not isinstance(view, Deferred):
            return view
        return view.make(*(resolve(view.args) if resolve is not None else view.args))


@dataclass(frozen=True, slots=True)
class EntryCard:
    """An entry as a list shows it: the entry (or its summary) and where its page is."""

    entry: Entry | EntrySummary
    url: str | None
    """None when entries have no pages (a share site)."""


@dataclass(frozen=True)
class SiteModel:
    """Everything the pages are made from, after loading. Not slotted: aggregates are
    ``functools.cached_property`` values, computed on first use and shared by every page."""

    config: Config
    """The settings, with no site folder (``Config.for_pages``)."""
    today: dt.date
    entries: tuple[EntrySummary, ...]
    """Published entries (and drafts when shown), oldest first, without bodies."""
    urls: Mapping[str, str]
    """Entry source -> URL path; empty when entries have no pages (a share site)."""
    goals: tuple[Goal, ...] = ()
    memo: Memo = field(default_factory=Memo, compare=False)
    """Parts of pages kept between builds by everything they are made from (a year's
    heatmap, say): an engine hands each of its models the same one."""

    def card(self, entry: Entry | EntrySummary) -> EntryCard:
        """The entry's card; one object per entry, so that the pages showing it (an
        entry page's neighbours, the timeline, home) share it and it is digested once."""
        cards = self._cards
        held = cards.get(entry.source)
        if held is None or held.entry is not entry:
            held = cards[entry.source] = EntryCard(entry=entry, url=self.urls.get(entry.source))
        return held

    @cached_property
    def _cards(self) -> dict[str, EntryCard]:
        return {}

    # Streak aggregates, shared by home, stats and the wins wall. Drafts never count,
    # even when a preview shows them, and neither do days after `today`.
    @cached_property
    def counted_days(self) -> frozenset[dt.date]:
        """Days that count toward streaks under the journal's ``streak`` rule."""
        from journal_site.aggregate import streaks  # imported when used: a patch needs none

        return streaks.counted_days(self.entries, self.config.streak, self.today)

    @cached_property
    def first_day(self) -> dt.date | None:
        """The first day with a non-draft entry, on or before today (None when there is none)."""
        return min(
            (e.day for e in self.entries if not e.draft and e.day <= self.today), default=None
        )

    # Each made of the counted days (and the grace, today) alone: taken from the last
    # model while those are equal, as after most edits (``Memo.equal``).
    def _equal(self, kind: str, make: Callable[..., V], *key: Hashable) -> V:
        return self.memo.equal(kind, key, lambda: make(*key))

    @cached_property
    def streak_runs(self) -> tuple[streaks.Streak, ...]:
        from journal_site.aggregate import streaks

        return self._equal(
            "streak runs", streaks.streak_runs, self.counted_days, self.config.streak_grace
        )

    @cached_property
    def streak_summary(self) -> streaks.StreakSummary:
        from journal_site.aggregate import streaks

        grace = self.config.streak_grace
        return self._equal(
            "streak summary", streaks.summarize, self.counted_days, self.today, grace
        )

    @cached_property
    def streak_milestones(self) -> tuple[tuple[int, dt.date], ...]:
        """(7/30/100/365, the day reached) for every run that reached it."""
        from journal_site.aggregate import streaks

        grace = self.config.streak_grace
        return self._equal(
            "streak milestones", streaks.streak_milestones, self.counted_days, grace
        )

    @cached_property
    def consistency(self) -> float:
        """The consistency score today, 0-100 (see aggregate/streaks.py for the formula)."""
        from journal_site.aggregate import streaks

        days, today, first = self.counted_days, self.today, self.first_day
        return self._equal("consistency today", streaks.consistency, days, today, first)

    @cached_property
    def wins_by_day(self) -> dict[dt.date, int]:
        """Wins per day over non-draft entries (0 for a day written without a win)."""
        from journal_site.aggregate import stats

        return stats.wins_by_day(self.entries)

    @cached_property
    def heatmap_thresholds(self) -> tuple[int, ...]:
        """One colour scale for every heatmap of the journal (see heatmap.level_thresholds)."""
        from journal_site.aggregate.heatmap import level_thresholds

        return level_thresholds(self.wins_by_day.values())

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
            if not e.draft and e.source in self.urls:
                urls.setdefault(e.day, self.urls[e.source])
        return urls

    @cached_property
    def win_records(self) -> tuple[WinRecord, ...]:
        """Every win, numbered oldest first."""
        from journal_site.aggregate.wins import numbered_wins_since

        return self.memo.fold("wins", self.entries, None, numbered_wins_since, self.memo.of)

    @cached_property
    def wins_by_tag(self) -> dict[str, TaggedWins]:
        """Tag -> the non-draft wins carrying it, oldest first: what entry pages with a
        setback choose the wins they recall from (see aggregate/recall.py)."""
        from journal_site.aggregate.recall import index_wins_by_tag_since

        return self.memo.fold("wins_by_tag", self.entries, None, index_wins_by_tag_since)

    @cached_property
    def goal_titles(self) -> dict[str, str]:
        """Goal slug -> title, for every goal (implied ones included): what
        ``goal_progress`` names, without working out any progress."""
        titles = {goal.slug: goal.title for goal in self.goals}
        if not self.goals:  # no goal files: the goals wins name are implied
            from journal_site.aggregate.goals import implied_goal

            for entry in self.entries:
                for win in entry.wins:
                    if win.goal is not None and win.goal not in titles:
                        titles[win.goal] = implied_goal(win.goal).title
        return titles

    @cached_property
    def tag_slugs(self) -> dict[str, str]:
        """Tag -> slug; raises JournalError when two tags share a slug."""
        from journal_site.aggregate.tags import tag_slugs_since

        content = self.config.content
        return self.memo.fold("slugs", self.entries, content, tag_slugs_since, content)

    @cached_property
    def tag_infos(self) -> tuple[TagInfo, ...]:
        from journal_site.aggregate.tags import tag_index_since

        wins, slugs = self.win_records, self.tag_slugs
        return self.memo.fold("tags", self.entries, None, tag_index_since, wins, slugs)

    @cached_property
    def review_book(self) -> ReviewBook:
        """The journal by day, for the reviews of any week, month or year (drafts and
        days after today left out, as streaks leave them)."""
        from journal_site.aggregate.review_book import ReviewBook

        config = self.config
        return ReviewBook(
            self.entries,
            self.goals,
            self.today,
            config.streak,
            config.streak_grace,
            self.memo.equal,
        )

    @cached_property
    def goal_progress(self) -> tuple[GoalProgress, ...]:
        """Raises JournalError when a win names a goal that does not exist."""
        from journal_site.aggregate.goals import goal_progress

        return goal_progress(self.goals, self.win_records, self.config.content)


def make_model(
    config: Config,
    journal: Journal,
    today: dt.date,
    drafts: bool,
    check: bool = True,
    entry_pages: bool = True,
    memo: Memo | None = None,
) -> SiteModel:
    """The model of the site; with ``check``, raise JournalError for references that do
    not resolve (unknown goals, tags sharing a slug), all at once, so that `journal
    check` reports them too. Without ``entry_pages`` (a share site) no entry has a URL."""
    from journal_site.aggregate.urls import entry_urls_since

    entries = tuple(
        e if isinstance(e, EntrySummary) else e.summary()
        for e in journal.entries
        if drafts or not e.draft
    )
    memo, content = memo if memo is not None else Memo(), config.content
    model = SiteModel(
        config=config.for_pages(),
        today=today,
        entries=entries,
        # An entry's URL depends on the entries before it alone (``Memo.fold``).
        urls=memo.fold("urls", entries, content, entry_urls_since, content) if entry_pages else {},
        goals=journal.goals,
        memo=memo,
    )
    if check:
        check_references(model)
    return model


def check_references(model: SiteModel) -> None:
    """Raise one JournalError with every unknown goal and every pair of tags sharing a slug."""
    problems: list[Problem] = []
    for check in (lambda: model.tag_slugs, lambda: model.goal_progress):
        try:
            check()
        except JournalError as exc:
            problems.extend(exc.problems)
    if problems:
        raise JournalError(problems)


def future_warnings(model: SiteModel) -> list[Problem]:
    """A warning for every entry dated after today."""
    return [
        Problem(
            f"{model.config.content}/{e.source}",
            None,
            f"is dated {e.day.isoformat()}, after today ({model.today.isoformat()}); "
            "it is shown but does not count toward streaks until then",
        )
        for e in model.entries
        if e.day > model.today
    ]


PageBuilder = Callable[[SiteModel], Iterable[Page]]
"""A function of the model giving pages: a list, or a generator when it gives many (the
plan asks between two pages whether a newer change has overtaken the build)."""


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A file of the site that is not a page (a search shard ...): ``make(*args)`` makes
    its bytes, and the arguments name them (as a ``Deferred`` view names a page)."""

    path: str
    make: Callable[..., bytes]
    args: tuple[Any, ...]
    origin: str

    def data(self, resolve: Callable[[Any], Any] | None = None) -> bytes:
        """The file's bytes (``resolve`` as for ``Page.context``, ``Record`` too)."""
        return self.make(*(resolve(self.args) if resolve is not None else self.args))
