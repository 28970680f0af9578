"""The plan stage: every output of the site with the digest of what it is made from.

A page's *inputs* name what its template receives: the view, or for a ``Deferred``
view its maker and arguments (see keys.py); a file's, its maker and arguments. Bodies
are in the arguments only as ``Body`` and ``Links`` references, so the inputs are the
digest of everything else (the *skeleton*) combined with each reference's token.

Every builder is a pure function of the model, which holds no bodies, so while the
model's digest holds, a builder would plan the same pages with the same skeletons and
references: its plan is then taken from the last build (``held``), and only the
references' tokens are looked up again. A body edit plans nothing: it changes one
token, and with it the inputs of exactly the outputs that asked for that body. A
view is made again, by running its builder once, only for a page to be rendered.

When the model changed, a builder of ``UNITS`` (the entry and review pages) is planned
unit by unit: a unit declares what its pages are made from (pages/__init__.py), and a
unit whose inputs have the digest they had in the last build keeps that build's plans.
A new entry for today so plans again the last block of entry pages and this year's
review pages, not 4,000 and 800.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.engine import check
from journal_site.engine.keys import Fingerprinter, Ref, Unnameable, combine
from journal_site.errors import JournalError, Problem
from journal_site.pages import (
    Deferred,
    Page,
    PageBuilder,
    SiteFile,
    SiteModel,
    Unit,
    collections,
    core,
    progress,
    reviews,
)


def builders() -> list[PageBuilder]:
    """Every page builder, in the order their pages are listed."""
    return [
        core.home_page,
        core.timeline_page_list,
        core.entry_pages,
        progress.stats_page,
        *collections.SUMMARY_BUILDERS,
        *reviews.REVIEW_BUILDERS,
        collections.search_page,
    ]


def plan_files(model: SiteModel) -> list[SiteFile]:
    """Every file of the site that is not a page (the search index)."""
    return [f for builder in collections.FILE_BUILDERS for f in builder(model)]


ONE_OUTPUT: dict[Callable[..., Any], Callable[[SiteModel, str], Page | SiteFile]] = {
    core.entry_pages: core.entry_page_at,
    reviews.review_pages: reviews.review_page_at,
}
"""Builders of many outputs that can make one of them alone, by its path: what a held
plan asks for when one entry's page is needed (a body edit), instead of all 4,000."""

UNITS: dict[Callable[..., Any], Callable[[SiteModel], Iterable[Unit]]] = {
    core.entry_pages: core.entry_units,
    reviews.review_pages: reviews.review_units,
}
"""Builders whose pages are declared as units (pages/__init__.py), and the units: when
the model changed, such a builder is planned unit by unit, and a page whose inputs have
the digest they had in the last build keeps that build's plan, unmade."""


class _Replan:
    """Runs a builder again, once, when an output planned from a held plan is needed
    (or makes just that output, for a builder of ``ONE_OUTPUT``)."""

    def __init__(self, builder: Callable[[SiteModel], Any], model: SiteModel) -> None:
        self.builder = builder
        self.model = model
        self.made: dict[str, Page | SiteFile] | None = None
        self.one = ONE_OUTPUT.get(builder)
        self.asked = 0

    def get(self, path: str) -> Page | SiteFile:
        if self.one is not None and self.made is None and self.asked < 8:
            self.asked += 1
            return self.one(self.model, path)
        if self.made is None:
            self.made = {}
            for item in self.builder(self.model):
                key = item.path if isinstance(item, SiteFile) else item.url + "index.html"
                self.made[key] = item
        return self.made[path]


@dataclass(frozen=True, slots=True)
class Planned:
    """One output, the digest of its inputs (None: it cannot be named, so it is always
    made, never cached), and what makes it: a page, a file, or a held plan's builder."""

    path: str
    inputs: str | None
    origin: str
    template: str | None
    """The page's template (None for a file)."""
    item: Page | SiteFile | _UnitPages | None = None
    replan: _Replan | None = None

    def made(self) -> Page | SiteFile:
        """The page or file itself (made from its unit, or by running its builder again
        for a held plan)."""
        item = self.item
        if isinstance(item, _UnitPages):
            return item.get(self.path)
        if item is not None:
            return item
        assert self.replan is not None
        return self.replan.get(self.path)


def _skeleton(fingerprinter: Fingerprinter, *values: Any) -> tuple[str | None, tuple[Ref, ...]]:
    try:
        return fingerprinter.inputs(*values)
    except Unnameable:
        return None, ()


def _page_skeleton(fingerprinter: Fingerprinter, page: Page) -> tuple[str | None, tuple[Ref, ...]]:
    """A page's skeleton: its address, template and what its view is made from."""
    view = page.view
    named = (view.make, view.args) if isinstance(view, Deferred) else view
    return _skeleton(fingerprinter, page.url, page.template, page.section, named)


def _name(builder: Callable[..., Any]) -> str:
    return f"{builder.__module__}.{builder.__qualname__}"


PLANNED_BESIDE = (
    core.entry_pages,
    reviews.review_pages,
    collections.tag_pages,
    collections.lessons_page,
    collections.goal_pages,
)
"""The builders a second process plans, in this order, when a build has the cores and
cannot be asked to stop: those of most pages (an entry's, a period's review), most of
which keep their plans, then those of pages a new entry seldom changes (a page planned
there is made again here to be rendered). This process plans the others (the pages
that any change makes again, such as the wins wall), then any of these that the second
process has not taken yet."""
MIN_PLANNED_BESIDE = 1000
"""Fewer entries than this: plan everything here (a fork of a big build costs ~10 ms)."""


def plan(
    model: SiteModel,
    digest: str,
    fingerprinter: Fingerprinter,
    held: Mapping[str, tuple[str, str]],
    ref_token: Callable[[Ref], str],
    site_builders: Sequence[Callable[[SiteModel], Iterable[Page | SiteFile]]],
    cancel: Callable[[], bool] | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> tuple[list[Planned], dict[str, tuple[str, str]], dict[str, int]]:
    """Every page and file of the site that ``site_builders`` make (for the whole site:
    ``builders()`` and ``plan_files``); URL collisions are an error naming both sources.

    ``digest`` is the model's (see keys.py). Returns the outputs, the plans to hold for
    the next build (builder name -> (that digest, its outputs as JSON)), and counts:
    how many builders' plans came from ``held`` whole (``plans_reused``), and how many
    outputs were planned anew, not taken from a held plan (``pages_planned``). Raises ``Cancelled`` (between builders, and
    every few dozen outputs) once ``cancel`` says so. A build that cannot be asked to
    stop (no ``cancel``) shares the builders with a second process, on a big journal
    (see ``PLANNED_BESIDE``); while this one waits for it, it calls ``meanwhile`` (a
    step of other work) until that returns False.
    """
    by_builder: dict[str, list[Planned]] = {}
    plans: dict[str, tuple[str, str]] = {}
    counts = {"plans_reused": 0, "pages_planned": 0}
    stop = cancel or (lambda: False)

    def inputs(skeleton: str | None, refs: Any) -> str | None:
        return None if skeleton is None else combine(skeleton, [ref_token(tuple(r)) for r in refs])

    def from_rows(builder: Callable[..., Any], text: str) -> list[Planned]:
        replan = _Replan(builder, model)
        return [
            Planned(row[0], inputs(row[3], row[4]), row[1], row[2], replan=replan)
            for row in json.loads(text)
        ]

    todo = []
    for builder in site_builders:
        name = _name(builder)
        kept = held.get(name)
        if kept is not None and kept[0] == digest:
            by_builder[name] = from_rows(builder, kept[1])
            plans[name] = kept
            counts["plans_reused"] += 1
        else:
            todo.append(builder)
    # This process's order: the listed order, the builders of PLANNED_BESIDE last, in
    # the reverse of the order a second process takes them in.
    beside = [builder for builder in PLANNED_BESIDE if builder in todo]
    order = [builder for builder in todo if builder not in beside] + beside[::-1]
    elsewhere = None
    if cancel is None and len(model.entries) >= MIN_PLANNED_BESIDE and beside:
        elsewhere = _Beside(model, fingerprinter, order, len(beside), held)
    try:
        for place, builder in enumerate(order):
            if elsewhere is not None and not elsewhere.take(place):
                continue
            check(stop)
            name = _name(builder)
            made: list[Planned] = []
            rows: list[list[Any]] = []
            for count, (row, item) in enumerate(_rows(model, fingerprinter, builder, held), 1):
                if count % 64 == 0:
                    check(stop)
                made.append(Planned(row[0], inputs(row[3], row[4]), row[1], row[2], item))
                rows.append(row)
                counts["pages_planned"] += not isinstance(item, _UnitPages)
            by_builder[name] = made
            if all(row[3] is not None for row in rows):
                plans[name] = (digest, json.dumps(rows))
    except BaseException:
        if elsewhere is not None:
            elsewhere.close()
        raise
    if elsewhere is not None:
        done = {name for name in by_builder}
        left = [b for b in order if _name(b) not in done]
        for builder, (text, named, anew) in elsewhere.results(left, meanwhile).items():
            counts["pages_planned"] += anew
            name = _name(builder)
            by_builder[name] = from_rows(builder, text)
            if named:
                plans[name] = (digest, text)
    out = [item for builder in site_builders for item in by_builder[_name(builder)]]
    _check_collisions(out)
    return out, plans, counts


def _rows(
    model: SiteModel,
    fingerprinter: Fingerprinter,
    builder: Callable[..., Any],
    held: Mapping[str, tuple[str, str]],
) -> Iterator[tuple[list[Any], Page | SiteFile | _UnitPages]]:
    """Each output of ``builder``: its plan's row, and the output (or its unit's pages,
    made when asked, when the row is the held plan's for a unit whose inputs have the
    same digest: see ``UNITS``)."""
    units = UNITS.get(builder)
    if units is None:
        for item in builder(model):
            yield _row(fingerprinter, item), item
        return
    kept = held.get(_name(builder))
    before: dict[str, list[list[Any]]] = {}
    if kept is not None:
        with contextlib.suppress(ValueError, TypeError, IndexError):
            for row in json.loads(kept[1]):
                if row[5] is not None:
                    before.setdefault(row[5], []).append(row)
    for unit in units(model):
        key = _skeleton(fingerprinter, unit.make, unit.inputs)[0]
        rows = before.get(key) if key is not None else None
        if rows is not None:
            pages = _UnitPages(unit)
            for row in rows:
                yield row, pages
        else:
            for page in unit.pages():
                yield [*_row(fingerprinter, page), key], page


class _UnitPages:
    """The pages of a unit whose plans were held, made when one is asked for."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.made: dict[str, Page] | None = None

    def get(self, path: str) -> Page:
        if self.made is None:
            self.made = {page.url + "index.html": page for page in self.unit.pages()}
        return self.made[path]


def _row(fingerprinter: Fingerprinter, item: Page | SiteFile) -> list[Any]:
    """An output's plan as a held plan keeps it: path, origin, template, skeleton, refs
    (and for a unit's page, the digest of the unit's inputs: see ``_rows``)."""
    if isinstance(item, SiteFile):
        skeleton, refs = _skeleton(fingerprinter, item.path, item.make, item.args)
        return [item.path, item.origin, None, skeleton, refs]
    skeleton, refs = _page_skeleton(fingerprinter, item)
    return [item.url + "index.html", item.origin, item.template, skeleton, refs]


def _plan_rows(
    model: SiteModel,
    fingerprinter: Fingerprinter,
    builders: Iterable[Callable[..., Any]],
    held: Mapping[str, tuple[str, str]],
) -> list[tuple[str, bool, int]]:
    """Each builder's rows as JSON, whether every output could be named, and how many
    were planned anew."""
    done = []
    for builder in builders:
        rows, anew = [], 0
        for row, item in _rows(model, fingerprinter, builder, held):
            rows.append(row)
            anew += not isinstance(item, _UnitPages)
        done.append((json.dumps(rows), all(row[3] is not None for row in rows), anew))
    return done


class _Beside:
    """A forked process (it inherits the model and the fingerprinter) that plans the last
    ``beside`` builders of ``order`` while this one plans others: each takes a builder
    from ``Claims`` before planning it, this one in ``order``, the other from the end.
    What it could not plan (no process, or it failed) is planned here, where its error
    is the build's."""

    def __init__(
        self,
        model: SiteModel,
        fingerprinter: Fingerprinter,
        order: list[Callable[..., Any]],
        beside: int,
        held: Mapping[str, tuple[str, str]],
    ) -> None:
        from journal_site.parallel import Claims, Forked, worker_count

        self._job = (model, fingerprinter, held)
        self._claims: Claims | None = None
        self._helper: Forked | None = None
        if worker_count() < 2:
            return
        claims = self._claims = Claims(len(order))

        def plan_there() -> bytes:
            done = []
            for place in reversed(range(len(order) - beside, len(order))):
                if claims.take(place):
                    done.append(
                        (place, *_plan_rows(model, fingerprinter, [order[place]], held)[0])
                    )
            return json.dumps(done).encode()

        self._order = order
        self._helper = Forked(plan_there)

    def take(self, place: int) -> bool:
        """Whether this process may plan ``order[place]`` (the other has not taken it)."""
        return self._claims is None or self._claims.take(place)

    def close(self) -> None:
        """Stop the process: its work is not wanted."""
        if self._helper is not None:
            self._helper.close()
        if self._claims is not None:
            self._claims.close()

    def results(
        self, left: list[Callable[..., Any]], meanwhile: Callable[[], bool] | None = None
    ) -> dict[Callable[..., Any], tuple[str, bool, int]]:
        """What ``_plan_rows`` gives for each builder of ``left`` (those this process did
        not plan); ``meanwhile`` is called until it returns False or the rows are there."""
        got: dict[Callable[..., Any], tuple[str, bool, int]] = {}
        helper = self._helper
        if helper is not None:
            while meanwhile is not None and not helper.ready():
                try:
                    busy = meanwhile()
                except Exception:  # work done ahead: the stage it is for does it again
                    busy = False
                if not busy:
                    break
            data = helper.result()
            with contextlib.suppress(ValueError, TypeError, IndexError):
                for place, text, named, anew in json.loads(data or b""):
                    got[self._order[place]] = (str(text), bool(named), int(anew))
        self.close()
        missing = [builder for builder in left if builder not in got]
        model, fingerprinter, held = self._job
        got.update(zip(missing, _plan_rows(model, fingerprinter, missing, held), strict=True))
        return {builder: got[builder] for builder in left}


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
    where = {entry.source: index for index, entry in enumerate(model.entries)}
    out = []
    for source in sources:
        if source in where:
            page = core.entry_page(model, where[source])
            skeleton, refs = _page_skeleton(fingerprinter, page)
            if skeleton is not None:
                inputs = combine(skeleton, [ref_token(r) for r in refs])
                out.append(
                    Planned(page.url + "index.html", inputs, page.origin, page.template, page)
                )
    return out
