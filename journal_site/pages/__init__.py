"""The pages of the site: which exist, and what each template receives.

``plan_pages(model)`` asks every builder listed in ``_builders()`` for its pages. A
builder is a pure function of the ``SiteModel``; aggregates that several builders
share are cached properties of the model, so each is computed once per build.

Only an entry's own page, the timeline, home and the search index show an entry's
body. Every other builder (``HEAD_BUILDERS``) gets ``model.heads``, the model with
bodiless entries, and every aggregate is computed there: a rebuild after a body edit
takes those builders' pages from the last build's plan (``PlanMemo``) instead of
planning them again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.model import Entry, Goal

_T = TypeVar("_T")

if TYPE_CHECKING:
    from journal_site.aggregate import streaks
    from journal_site.aggregate.goals import GoalProgress
    from journal_site.aggregate.tags import TagInfo
    from journal_site.aggregate.wins import WinRecord


def _on_heads(method: Callable[[SiteModel], _T]) -> cached_property[_T]:
    """An aggregate that reads no entry's body: computed on the model's ``heads`` and
    shared, so that the full model and its heads hold the same value."""

    @functools.wraps(method)
    def aggregate(self: SiteModel) -> _T:
        heads = self.heads
        return method(self) if heads is self else getattr(heads, method.__name__)

    return cached_property(aggregate)


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
    digest: str | None = None
    """The page's fingerprint, when already known: a page of ``HEAD_BUILDERS`` planned
    again from an earlier build's plan (see ``PlanMemo``)."""

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
    tokens: dict[int, tuple[object, bytes]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``id(value) -> (value, token)``: a token that determines an entry (or one of its
    wins or setbacks) entirely, from its file's digest; empty when not known. Making
    ``heads`` adds the heads' tokens here."""
    head_tokens: Mapping[int, bytes] = field(default_factory=dict, compare=False, repr=False)
    """``id(entry) -> token`` of the entry's head (see ``heads``), from its parse."""
    bodiless: bool = False
    """True for the model ``heads`` makes, whose entries have no bodies."""

    def card(self, entry: Entry) -> EntryCard:
        return EntryCard(entry=entry, url=self.urls[entry.source])

    @cached_property
    def heads(self) -> SiteModel:
        """This model with every entry replaced by its head (``Entry.head()``, no body).

        Only an entry's own page, the timeline, home and the search index show a body.
        The other pages are planned from this model (see ``HEAD_BUILDERS``), so nothing
        they hold, and nothing their templates can read, changes when only a body does:
        a plan of them stays valid while ``heads_digest`` does. Aggregates that read no
        body are computed here once and shared with the full model.
        """
        if self.bodiless:
            return self
        heads = []
        tokens = self.tokens
        head_tokens = self.head_tokens
        for entry in self.entries:
            head = entry.head()
            heads.append(head)
            token = head_tokens.get(id(entry))
            if token is not None:
                tokens[id(head)] = (head, token)
        return SiteModel(
            config=self.config,
            today=self.today,
            entries=tuple(heads),
            urls=self.urls,
            goals=self.goals,
            tokens=tokens,
            bodiless=True,
        )

    @cached_property
    def heads_digest(self) -> str | None:
        """A digest of everything the pages planned from ``heads`` are made of: settings,
        today, every head (its token) with its URL, every goal (its file's token). None
        when a token is missing (a model not made by a builder's build)."""
        from journal_site.fingerprint import tokens_and_urls

        urls = self.urls
        items = (*self.heads.entries, *self.goals)  # a goal has no URL here: ""
        named = tokens_and_urls(items, self.tokens, lambda source: urls.get(source, ""))
        if named is None:
            return None
        # repr: canonical for bytes and strings, so no two lists read the same.
        text = repr((self.config, self.today, named))
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20)
        if not self.bodiless:
            # The heads are the heads of the heads: the same digest, not worked out again.
            self.heads.__dict__.setdefault("heads_digest", digest.hexdigest())
        return digest.hexdigest()

    # Streak aggregates, shared by home, stats and the wins wall. Drafts never count,
    # even when a preview shows them, and neither do days after `today`.
    @_on_heads
    def counted_days(self) -> frozenset[dt.date]:
        """Days that count toward streaks under the journal's ``streak`` rule."""
        from journal_site.aggregate import streaks  # imported when used: a patch needs none

        return streaks.counted_days(self.entries, self.config.streak, self.today)

    @_on_heads
    def first_day(self) -> dt.date | None:
        """The first day with a non-draft entry, on or before today (None when there is none)."""
        return min(
            (e.day for e in self.entries if not e.draft and e.day <= self.today), default=None
        )

    @_on_heads
    def streak_runs(self) -> tuple[streaks.Streak, ...]:
        from journal_site.aggregate import streaks

        return streaks.streak_runs(self.counted_days, self.config.streak_grace)

    @_on_heads
    def streak_summary(self) -> streaks.StreakSummary:
        from journal_site.aggregate import streaks

        return streaks.summarize(self.counted_days, self.today, self.config.streak_grace)

    @_on_heads
    def streak_milestones(self) -> tuple[tuple[int, dt.date], ...]:
        """(7/30/100/365, the day reached) for every run that reached it."""
        from journal_site.aggregate import streaks

        return streaks.streak_milestones(self.counted_days, self.config.streak_grace)

    @_on_heads
    def consistency(self) -> float:
        """The consistency score today, 0-100 (see aggregate/streaks.py for the formula)."""
        from journal_site.aggregate import streaks

        return streaks.consistency(self.counted_days, self.today, self.first_day)

    @_on_heads
    def wins_by_day(self) -> dict[dt.date, int]:
        """Wins per day over non-draft entries (0 for a day written without a win)."""
        from journal_site.aggregate import stats

        return stats.wins_by_day(self.entries)

    @_on_heads
    def heatmap_thresholds(self) -> tuple[int, ...]:
        """One colour scale for every heatmap of the journal (see heatmap.level_thresholds)."""
        from journal_site.aggregate.heatmap import level_thresholds

        return level_thresholds(self.wins_by_day.values())

    @_on_heads
    def entries_by_day(self) -> dict[dt.date, int]:
        """Non-draft entries per day."""
        counts: dict[dt.date, int] = {}
        for e in self.entries:
            if not e.draft:
                counts[e.day] = counts.get(e.day, 0) + 1
        return counts

    @_on_heads
    def day_urls(self) -> dict[dt.date, str]:
        """Each day's first non-draft entry page: where a heatmap cell links."""
        urls: dict[dt.date, str] = {}
        for e in self.entries:
            if not e.draft:
                urls.setdefault(e.day, self.urls[e.source])
        return urls

    @_on_heads
    def win_records(self) -> tuple[WinRecord, ...]:
        """Every win, numbered oldest first."""
        from journal_site.aggregate.wins import numbered_wins

        return numbered_wins(self.entries)

    @_on_heads
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

    @_on_heads
    def tag_slugs(self) -> dict[str, str]:
        """Tag -> slug; raises JournalError when two tags share a slug."""
        from journal_site.aggregate.tags import tag_slugs

        return tag_slugs(self.entries, self.config.content)

    @_on_heads
    def tag_infos(self) -> tuple[TagInfo, ...]:
        from journal_site.aggregate.tags import tag_index

        return tag_index(self.entries, self.win_records, self.tag_slugs)

    @_on_heads
    def goal_progress(self) -> tuple[GoalProgress, ...]:
        """Raises JournalError when a win names a goal that does not exist."""
        from journal_site.aggregate.goals import goal_progress

        return goal_progress(self.goals, self.win_records, self.config.content)


class _NoHeads:
    """The heads of a ``kept_model``: any aggregate it was not given fails loudly."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"a kept model knows no {name}: pass it to kept_model")


def kept_model(
    config: Config,
    today: dt.date,
    urls: Mapping[str, str],
    tokens: dict[int, tuple[object, bytes]],
    **aggregates: object,
) -> SiteModel:
    """A model holding no entries, with the URLs and ``aggregates`` (cached properties,
    such as ``tag_slugs``) a build computed: for pages made again from what that build
    kept (see incremental.SiteBuilder.patch), each given the entries it shows. Reading
    an aggregate not given raises instead of computing it over no entries."""
    model = SiteModel(config=config, today=today, entries=(), urls=urls, tokens=tokens)
    # cached_property values live in the instance's __dict__, read before the property.
    model.__dict__.update(aggregates, heads=_NoHeads())
    return model


PageBuilder = Callable[[SiteModel], Sequence[Page]]


def _builders() -> list[tuple[PageBuilder, bool]]:
    """Every page builder, and whether it is one of ``HEAD_BUILDERS``."""
    from journal_site.pages import collections, core, progress

    return [
        (core.home_page, False),
        (core.timeline_page_list, False),
        (core.entry_pages, False),
        (progress.stats_page, True),
        *((builder, True) for builder in collections.HEAD_BUILDERS),
        (collections.search_page, False),
    ]


PlannedPage = tuple[str, str, str, str, str]
"""What a plan remembers of a page: URL, template, origin, section, fingerprint."""


@dataclass
class PlanMemo:
    """What the builders that read no body (``HEAD_BUILDERS``) planned in an earlier
    build, so that a build whose heads are those of that build does not plan again.

    A builder is a pure function of its model, and the model it gets (``heads``) is
    named in full by ``heads_digest``: while the digest holds, its pages are the same
    URLs with the same views, so their fingerprints hold too. Views are made again only
    for pages that are rendered (which the page cache makes rare).
    """

    previous: Mapping[str, tuple[str, tuple[PlannedPage, ...]]]
    """Builder name -> (heads digest, its pages) from the last successful build."""
    fingerprint: Callable[[Page], str | None]
    """A page's fingerprint as the build takes it (None: it has none)."""
    current: dict[str, tuple[str, tuple[PlannedPage, ...]]] = field(default_factory=dict)
    """What this build planned, to keep for the next when it succeeds."""


class _Replan:
    """Runs a builder again, once, when a page planned from a memo needs its view."""

    def __init__(self, builder: PageBuilder, model: SiteModel) -> None:
        self.builder = builder
        self.model = model
        self.pages: dict[str, Page] | None = None

    def view(self, url: str) -> Mapping[str, Any]:
        if self.pages is None:
            self.pages = {page.url: page for page in self.builder(self.model)}
        return self.pages[url].context()


def _plan_heads(builder: PageBuilder, model: SiteModel, memo: PlanMemo | None) -> list[Page]:
    """The pages of a builder of ``HEAD_BUILDERS``, from the memo when it still holds."""
    heads = model.heads
    digest = model.heads_digest if memo is not None else None
    if memo is None or digest is None:
        return list(builder(heads))
    name = f"{builder.__module__}.{builder.__qualname__}"
    held = memo.previous.get(name)
    if held is not None and held[0] == digest:
        replan = _Replan(builder, heads)
        memo.current[name] = held
        return [
            Page(url, template, functools.partial(replan.view, url), origin, section, digest=fp)
            for url, template, origin, section, fp in held[1]
        ]
    pages = list(builder(heads))
    planned = []
    for page in pages:
        fingerprint = memo.fingerprint(page)
        if fingerprint is None:
            return pages  # not remembered: planned again next time
        planned.append((page.url, page.template, page.origin, page.section, fingerprint))
    memo.current[name] = (digest, tuple(planned))
    return [dataclasses.replace(page, digest=p[4]) for page, p in zip(pages, planned, strict=True)]


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A file of the site that is not a page (a search index ...)."""

    path: str
    make: Callable[[], bytes]
    """Makes the file's bytes: called only when they are needed (see ``key``)."""
    origin: str
    key: str | None = None
    """When set, a string that, with the package's code, determines the bytes: a build
    whose output folder holds the file made under the same key and code does not make
    it again."""


def plan_files(model: SiteModel) -> list[SiteFile]:
    """Every non-page file that builders make from the model."""
    from journal_site.pages import collections

    return [f for builder in collections.FILE_BUILDERS for f in builder(model)]


def plan_pages(model: SiteModel, memo: PlanMemo | None = None) -> list[Page]:
    """Every page of the site, each with its view (or a key, or a known fingerprint);
    URL collisions are an error naming both sources."""
    pages: list[Page] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for builder, on_heads in _builders():
        planned = _plan_heads(builder, model, memo) if on_heads else builder(model)
        for page in planned:
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
