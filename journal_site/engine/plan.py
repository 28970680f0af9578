"""The plan stage: every output of the site with the digest of what it is made from.

A page's *inputs* name what its template receives: the view, or for a ``Deferred``
view its maker and arguments (see keys.py); a file's, its maker and arguments. Bodies
are in the arguments only as ``Body`` and ``Links`` references, so the inputs are the
digest of everything else (the *skeleton*) combined with each reference's token.

Every builder is a pure function of the model, which holds no bodies, so while the
model's digest holds, a builder would plan the same pages with the same skeletons and
references: its plan is then taken from the last build (``held``), and only the
references' tokens are looked up again. A body edit plans nothing: it changes one
token, and with it the inputs of exactly the outputs that asked for that body. Such an
output is made from its view as the store keeps it (views.py) while the build has
made no model (model_of.py), else by running its builder once.

When the model changed, a builder of ``rows.UNITS`` (the entry and review pages) is planned
unit by unit: a unit declares what its pages are made from (pages/__init__.py), and a
unit whose inputs have the digest they had in the last build keeps that build's plans.
A new entry for today so plans again the last block of entry pages and this year's
review pages, not 4,000 and 800.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.engine import check
from journal_site.engine.beside import MIN_PLANNED_BESIDE, PLANNED_BESIDE, Beside
from journal_site.engine.held import HeldPlan
from journal_site.engine.keys import Fingerprinter, Ref, combine, key_start
from journal_site.engine.rows import UnitPages, builder_name, page_skeleton, rows_of
from journal_site.engine.selection import CORE, ENTRY_PAGES, REVIEW_PAGES, REVIEWS, Named
from journal_site.engine.views import HeldViews, view_of
from journal_site.errors import JournalError, Problem
from journal_site.pages import Page, SiteFile, SiteModel

ONE_OUTPUT: dict[Callable[..., Any], Callable[[SiteModel, str], Page | SiteFile]] = {
    ENTRY_PAGES: Named(CORE, "entry_page_at"),
    REVIEW_PAGES: Named(REVIEWS, "review_page_at"),
}
"""Builders of many outputs that can make one of them alone, by its path: what a held
plan asks for when one entry's page is needed (a body edit), instead of all 4,000."""


def last_inputs(
    last: Mapping[str, str], changed: Collection[str], base_key: str, closures: Mapping[str, str]
) -> Callable[[list[Any]], str | None]:
    """For a row of a held plan, the inputs its output had in the last build, read from
    its key there (``last``: path -> key, the output folder's manifest), when no source
    it refers to has changed since (``changed``) and that key starts as this build's
    would (rendering.output_key); else None, and they are named again. A body edit so
    names the inputs of the few outputs that show that body, not of all 5,000."""
    starts: dict[str | None, str] = {}

    def held(row: list[Any]) -> str | None:
        key = last.get(row[0])
        if key is None:
            return None
        for _, source in row[4]:
            if source in changed:
                return None
        start = starts.get(row[2])
        if start is None:
            start = starts[row[2]] = key_start(base_key, closures, row[2])
        return key[len(start) :] if key.startswith(start) else None

    return held


class _Replan:
    """Makes an output planned from a held plan, when it is needed: from its view kept
    in the store (views.py), else by running its builder again, once (or making just
    that output, for a builder of ``ONE_OUTPUT``), which makes the model if no one has."""

    def __init__(
        self,
        builder: Callable[[SiteModel], Any],
        model: Callable[[], SiteModel],
        views: HeldViews | None,
    ) -> None:
        self.builder = builder
        self.model = model
        self.views = views
        self.made: dict[str, Page | SiteFile] | None = None
        self.one = ONE_OUTPUT.get(builder)
        self.asked = 0

    def get(self, path: str, skeleton: str | None) -> Page | SiteFile:
        if self.made is None and self.views is not None:
            kept = self.views.get(skeleton, path)
            if kept is not None:
                return kept
        if self.one is not None and self.made is None and self.asked < 8:
            self.asked += 1
            return self.one(self.model(), path)
        if self.made is None:
            self.made = {}
            for item in self.builder(self.model()):
                self.made[item.path] = item
        return self.made[path]


@dataclass(slots=True, eq=False)
class Planned:
    """One output, the digest of its inputs (None: it cannot be named, so it is always
    made, never cached), and what makes it: a page, a file, or a held plan's builder.
    Not changed once made; not frozen, as a build makes one for each of its 5,000
    outputs, and a frozen dataclass sets each field through ``object.__setattr__``
    (13 ms against 5 ms for 5,000, at the plan of every build that changes anything)."""

    path: str
    inputs: str | None
    origin: str
    template: str | None
    """The page's template (None for a file)."""
    item: Page | SiteFile | UnitPages | None = None
    replan: _Replan | None = None
    skeleton: str | None = None

    def made(self) -> Page | SiteFile:
        """The page or file itself (made from its unit, or by running its builder again
        for a held plan)."""
        item = self.item
        if isinstance(item, UnitPages):
            return item.get(self.path)
        if item is not None:
            return item
        assert self.replan is not None
        return self.replan.get(self.path, self.skeleton)


def plan(
    model: Callable[[], SiteModel],
    digest: str,
    fingerprinter: Fingerprinter,
    held: Mapping[str, HeldPlan],
    ref_token: Callable[[Ref], str],
    site_builders: Sequence[Callable[[SiteModel], Iterable[Page | SiteFile]]],
    cancel: Callable[[], bool] | None = None,
    meanwhile: Callable[[], bool] | None = None,
    views: HeldViews | None = None,
    held_inputs: Callable[[list[Any]], str | None] = lambda row: None,
) -> tuple[list[Planned], dict[str, HeldPlan], dict[str, int], list[tuple[str, str]]]:
    """Every page and file of the site that ``site_builders`` make (for the whole site:
    ``builders()`` and ``plan_files``); URL collisions are an error naming both sources.

    ``model`` makes the model (once), asked for only if a builder must run. ``digest``
    is the model's (see keys.py). Returns the outputs, the plans to hold for the next
    build (builder name -> (that digest, its outputs as JSON)), the views to keep of the
    outputs planned anew that show bodies ((skeleton, typed JSON), see views.py: an
    output of a held plan is made from its view, if ``views`` has it), and counts:
    how many builders' plans came from ``held`` whole (``plans_reused``), and how many
    outputs were planned anew, not taken from a held plan (``pages_planned``). Raises
    ``Cancelled`` (between builders, and every few dozen outputs) once ``cancel`` says
    so. A build that cannot be asked to stop (no ``cancel``) shares the builders with a
    second process, on a big journal (see ``PLANNED_BESIDE``); while this one waits for
    it, it calls ``meanwhile`` (a step of other work) until that returns False.
    ``held_inputs``: the inputs a row of a held plan had in the last build, when they
    are known to hold still (no source it refers to changed), else None.
    """
    by_builder: dict[str, list[Planned]] = {}
    plans: dict[str, HeldPlan] = {}
    counts = {"plans_reused": 0, "pages_planned": 0}
    stop = cancel or (lambda: False)

    def inputs(skeleton: str | None, refs: Any) -> str | None:
        return None if skeleton is None else combine(skeleton, [ref_token(tuple(r)) for r in refs])

    def from_rows(builder: Callable[..., Any], kept: HeldPlan, last: bool) -> list[Planned]:
        replan = _Replan(builder, model, views)
        return [
            Planned(
                row[0],
                (last and held_inputs(row)) or inputs(row[3], row[4]),
                row[1],
                row[2],
                replan=replan,
                skeleton=row[3],
            )
            for row in kept.rows()
        ]

    kept_views: list[tuple[str, str]] = []

    todo = []
    for builder in site_builders:
        name = builder_name(builder)
        kept = held.get(name)
        reused = None
        if kept is not None and kept.digest == digest:
            with contextlib.suppress(ValueError, TypeError, IndexError):  # not a plan
                reused = from_rows(builder, kept, last=True)
        if reused is not None and kept is not None:
            by_builder[name] = reused
            plans[name] = kept
            counts["plans_reused"] += 1
        else:
            todo.append(builder)
    # This process's order: the listed order, the builders of PLANNED_BESIDE last, in
    # the reverse of the order a second process takes them in.
    known = views.kept() if views is not None and todo else frozenset()
    beside = [builder for builder in PLANNED_BESIDE if builder in todo]
    order = [builder for builder in todo if builder not in beside] + beside[::-1]
    elsewhere = None
    if cancel is None and beside and len(model().entries) >= MIN_PLANNED_BESIDE:
        for builder in order:  # imported once, not again by each process
            if isinstance(builder, Named):
                builder.function()
        elsewhere = Beside(model(), fingerprinter, order, len(beside), held, known)
    try:
        for place, builder in enumerate(order):
            if elsewhere is not None and not elsewhere.take(place):
                continue
            check(stop)
            name = builder_name(builder)
            made: list[Planned] = []
            rows: list[list[Any]] = []
            planned_rows = rows_of(model(), fingerprinter, builder, held)
            for count, (row, item) in enumerate(planned_rows, 1):
                if count % 64 == 0:
                    check(stop)
                made.append(
                    Planned(row[0], inputs(row[3], row[4]), row[1], row[2], item, skeleton=row[3])
                )
                rows.append(row)
                if not isinstance(item, UnitPages):
                    counts["pages_planned"] += 1
                    kept_views.extend(view_of(fingerprinter, row, item, known))
            by_builder[name] = made
            if all(row[3] is not None for row in rows):
                plans[name] = HeldPlan(digest, rows=rows)
    except BaseException:
        if elsewhere is not None:
            elsewhere.close()
        raise
    if elsewhere is not None:
        left = [b for b in order if builder_name(b) not in by_builder]
        for builder, (text, named, anew, there_views) in elsewhere.results(
            left, meanwhile
        ).items():
            counts["pages_planned"] += anew
            kept_views.extend(there_views)
            name = builder_name(builder)
            there = HeldPlan(digest, text=text)
            by_builder[name] = from_rows(builder, there, last=False)
            if named:
                plans[name] = there
    out = [item for builder in site_builders for item in by_builder[builder_name(builder)]]
    _check_collisions(out)
    return out, plans, counts, kept_views


def _check_collisions(planned: list[Planned]) -> None:
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for item in planned:
        if item.path in seen:
            url = item.path.removesuffix("index.html")
            problems.append(
                Problem(item.origin, None, f"its page /{url} is also made by {seen[item.path]}")
            )
            continue
        seen[item.path] = item.origin
    if problems:
        raise JournalError(problems)


def plan_entry_pages(
    model: SiteModel,
    sources: Collection[str],
    fingerprinter: Fingerprinter,
    ref_token: Callable[[Ref], str],
) -> list[Planned]:
    """The pages of the entries at ``sources`` alone, as ``plan`` plans them: what a
    build makes first, before planning the rest, when a writer waits for them."""
    from journal_site.pages import core

    where = {entry.source: index for index, entry in enumerate(model.entries)}
    out = []
    for source in sources:
        if source in where:
            page = core.entry_page(model, where[source])
            skeleton, refs = page_skeleton(fingerprinter, page)
            if skeleton is not None:
                inputs = combine(skeleton, [ref_token(r) for r in refs])
                out.append(Planned(page.path, inputs, page.origin, page.template, page))
    return out
