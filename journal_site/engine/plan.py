"""The plan stage: every output of the site with the digest of what it is made from.

A page's *inputs* digest names what its template receives: the view, or for a
``Deferred`` view its maker and arguments (see keys.py); a file's names its maker
and arguments. The page's key (see site.py) adds the templates and site settings.

A builder that receives ``model.summaries`` (see pages/__init__.py) is a pure function
of that model, so while the model's digest holds, the builder would plan the same pages
with the same inputs: its plan is then taken from the last build (``held``), and a view
is made again, by running the builder once, only if one of its pages must be rendered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journal_site.engine.keys import Fingerprinter, Unnameable
from journal_site.errors import JournalError, Problem
from journal_site.pages import (
    Deferred,
    Page,
    PageBuilder,
    SiteFile,
    SiteModel,
    builders,
    plan_files,
)


@dataclass(frozen=True, slots=True)
class Planned:
    """One output and the digest of its inputs (None: it cannot be named, so it is
    always made, never cached)."""

    path: str
    inputs: str | None
    page: Page | None = None
    file: SiteFile | None = None


class _Replan:
    """Runs a builder again, once, when a page planned from a held plan needs its view."""

    def __init__(self, builder: PageBuilder, model: SiteModel) -> None:
        self.builder = builder
        self.model = model
        self.views: dict[str, Page] | None = None

    def view(self, url: str) -> Mapping[str, Any]:
        if self.views is None:
            self.views = {page.url: page for page in self.builder(self.model)}
        return self.views[url].context()


def page_inputs(page: Page, fingerprinter: Fingerprinter) -> str | None:
    view = page.view
    named = (view.make, view.args) if isinstance(view, Deferred) else view
    try:
        return fingerprinter.digest(page.url, page.template, page.section, named)
    except Unnameable:
        return None


def _name(builder: PageBuilder) -> str:
    return f"{builder.__module__}.{builder.__qualname__}"


def plan(
    model: SiteModel,
    fingerprinter: Fingerprinter,
    held: Mapping[str, tuple[str, str]],
) -> tuple[list[Planned], dict[str, tuple[str, str]], int]:
    """Every page and file of the site; URL collisions are an error naming both sources.

    Returns the outputs, the plans to hold for the next build (builder name -> (model
    digest, its pages as JSON)), and how many builders' plans were taken from ``held``.
    """
    out: list[Planned] = []
    plans: dict[str, tuple[str, str]] = {}
    reused = 0
    summaries_digest: str | None = None
    for builder, on_summaries in builders():
        if not on_summaries:
            out.extend(
                Planned(p.url + "index.html", page_inputs(p, fingerprinter), p)
                for p in builder(model)
            )
            continue
        if summaries_digest is None:
            summaries_digest = fingerprinter.digest(model.summaries)
        name = _name(builder)
        kept = held.get(name)
        if kept is not None and kept[0] == summaries_digest:
            replan = _Replan(builder, model.summaries)
            for url, template, origin, section, inputs in json.loads(kept[1]):
                page = Page(url, template, Deferred(replan.view, (url,)), origin, section)
                out.append(Planned(url + "index.html", inputs, page))
            plans[name] = kept
            reused += 1
            continue
        rows = []
        for page in builder(model.summaries):
            inputs = page_inputs(page, fingerprinter)
            out.append(Planned(page.url + "index.html", inputs, page))
            rows.append([page.url, page.template, page.origin, page.section, inputs])
        if all(row[4] is not None for row in rows):
            plans[name] = (summaries_digest, json.dumps(rows))
    for file in plan_files(model):
        try:
            inputs: str | None = fingerprinter.digest(file.path, file.make, file.args)
        except Unnameable:
            inputs = None
        out.append(Planned(file.path, inputs, file=file))
    _check_collisions(out)
    return out, plans, reused


def _check_collisions(planned: list[Planned]) -> None:
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for item in planned:
        origin = item.page.origin if item.page is not None else item.file.origin  # type: ignore[union-attr]
        if item.path in seen:
            url = item.path.removesuffix("index.html")
            problems.append(
                Problem(origin, None, f"its page /{url} is also made by {seen[item.path]}")
            )
            continue
        seen[item.path] = origin
    if problems:
        raise JournalError(problems)
