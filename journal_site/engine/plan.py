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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
}
"""Builders of many outputs that can make one of them alone, by its path: what a held
plan asks for when one entry's page is needed (a body edit), instead of all 4,000."""


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
    item: Page | SiteFile | None = None
    replan: _Replan | None = None

    def made(self) -> Page | SiteFile:
        """The page or file itself (running its builder again for a held plan)."""
        if self.item is not None:
            return self.item
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


def plan(
    model: SiteModel,
    digest: str,
    fingerprinter: Fingerprinter,
    held: Mapping[str, tuple[str, str]],
    ref_token: Callable[[Ref], str],
    site_builders: Sequence[Callable[[SiteModel], Iterable[Page | SiteFile]]],
    cancel: Callable[[], bool] = lambda: False,
) -> tuple[list[Planned], dict[str, tuple[str, str]], int]:
    """Every page and file of the site that ``site_builders`` make (for the whole site:
    ``builders()`` and ``plan_files``); URL collisions are an error naming both sources.

    ``digest`` is the model's (see keys.py). Returns the outputs, the plans to hold for
    the next build (builder name -> (that digest, its outputs as JSON)), and how many
    builders' plans came from ``held``. Raises ``Cancelled`` (between builders, and
    every few dozen outputs) once ``cancel`` says so.
    """
    out: list[Planned] = []
    plans: dict[str, tuple[str, str]] = {}
    reused = 0

    def inputs(skeleton: str | None, refs: Any) -> str | None:
        return None if skeleton is None else combine(skeleton, [ref_token(tuple(r)) for r in refs])

    for builder in site_builders:
        check(cancel)
        name = _name(builder)
        kept = held.get(name)
        if kept is not None and kept[0] == digest:
            replan = _Replan(builder, model)
            for path, origin, template, skeleton, refs in json.loads(kept[1]):
                out.append(Planned(path, inputs(skeleton, refs), origin, template, replan=replan))
            plans[name] = kept
            reused += 1
            continue
        rows: list[list[Any]] = []
        for count, item in enumerate(builder(model), 1):
            if count % 64 == 0:
                check(cancel)
            if isinstance(item, SiteFile):
                path, template = item.path, None
                skeleton, refs = _skeleton(fingerprinter, path, item.make, item.args)
            else:
                path, template = item.url + "index.html", item.template
                skeleton, refs = _page_skeleton(fingerprinter, item)
            out.append(Planned(path, inputs(skeleton, refs), item.origin, template, item))
            rows.append([path, item.origin, template, skeleton, refs])
        if all(row[3] is not None for row in rows):
            plans[name] = (digest, json.dumps(rows))
    _check_collisions(out)
    return out, plans, reused


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
