"""An output's plan as a row (what a held plan keeps), and a builder's rows, each taken
from the last build's plan where the unit it belongs to has inputs of the same digest
(see plan.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from journal_site.engine.held import HeldPlan
from journal_site.engine.keys import Fingerprinter, Ref, Unnameable
from journal_site.engine.selection import CORE, ENTRY_PAGES, REVIEW_PAGES, REVIEWS, Named
from journal_site.pages import Deferred, Page, SiteFile, SiteModel, Unit

UNITS: dict[Callable[..., Any], Callable[[SiteModel], Iterable[Unit]]] = {
    ENTRY_PAGES: Named(CORE, "entry_units"),
    REVIEW_PAGES: Named(REVIEWS, "review_units"),
}
"""Builders whose pages are declared as units (pages/__init__.py), and the units: when
the model changed, such a builder is planned unit by unit, and a page whose inputs have
the digest they had in the last build keeps that build's plan, unmade."""


def skeleton(fingerprinter: Fingerprinter, *values: Any) -> tuple[str | None, tuple[Ref, ...]]:
    """The digest of ``values`` with their references (keys.py); None for values that
    cannot be named (such an output is made every time, never kept)."""
    try:
        return fingerprinter.inputs(*values)
    except Unnameable:
        return None, ()


def page_skeleton(fingerprinter: Fingerprinter, page: Page) -> tuple[str | None, tuple[Ref, ...]]:
    """A page's skeleton: its address, template and what its view is made from."""
    view = page.view
    named = (view.make, view.args) if isinstance(view, Deferred) else view
    return skeleton(fingerprinter, page.url, page.template, page.section, named)


def builder_name(builder: Callable[..., Any]) -> str:
    """What a held plan is kept under: the builder's module and name."""
    if type(builder) is Named:
        return f"{builder.module}.{builder.name}"
    return f"{builder.__module__}.{builder.__qualname__}"


def rows_of(
    model: SiteModel,
    fingerprinter: Fingerprinter,
    builder: Callable[..., Any],
    held: Mapping[str, HeldPlan],
) -> Iterator[tuple[list[Any], Page | SiteFile | UnitPages]]:
    """Each output of ``builder``: its plan's row, and the output (or its unit's pages,
    made when asked, when the row is the held plan's for a unit whose inputs, or whose
    narrower form's inputs, have the same digest: see ``UNITS`` and ``Unit.narrower``)."""
    units = UNITS.get(builder)
    if units is None:
        for item in builder(model):
            yield row_of(fingerprinter, item), item
        return
    kept = held.get(builder_name(builder))
    before: dict[str, list[list[Any]]] = {}
    narrow_before: dict[str, list[list[Any]]] = {}
    if kept is not None:
        with contextlib.suppress(ValueError, TypeError, IndexError):
            for row in kept.rows():
                if row[5] is not None:
                    before.setdefault(row[5], []).append(row)
                if len(row) > 6 and row[6] is not None:
                    narrow_before.setdefault(row[6], []).append(row)
    for unit in units(model):
        key = skeleton(fingerprinter, unit.make, unit.inputs)[0]
        rows = before.get(key) if key is not None else None
        if rows is not None:
            pages = UnitPages(unit)
            for row in rows:
                yield row, pages
            continue
        # Inputs that changed: the unit's narrower form may still be what it was.
        narrow, narrow_key = unit, None
        if unit.narrower is not None:
            narrow = unit.narrower()
            narrow_key = skeleton(fingerprinter, narrow.make, narrow.inputs)[0]
        rows = narrow_before.get(narrow_key) if narrow_key is not None else None
        if rows is not None:
            pages = UnitPages(narrow)
            for row in rows:
                yield [*row[:5], key, narrow_key], pages
        else:
            for page in narrow.pages():
                yield [*row_of(fingerprinter, page), key, narrow_key], page


class UnitPages:
    """The pages of a unit whose plans were held, made when one is asked for."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.made: dict[str, Page] | None = None

    def get(self, path: str) -> Page:
        if self.made is None:
            self.made = {page.path: page for page in self.unit.pages()}
        return self.made[path]


def row_of(fingerprinter: Fingerprinter, item: Page | SiteFile) -> list[Any]:
    """An output's plan as a held plan keeps it: path, origin, template, skeleton, refs
    (and for a unit's page, the digest of the unit's inputs and of its narrower form's:
    see ``rows_of``)."""
    if isinstance(item, SiteFile):
        named, refs = skeleton(fingerprinter, item.path, item.make, item.args)
        return [item.path, item.origin, None, named, refs]
    named, refs = page_skeleton(fingerprinter, item)
    return [item.path, item.origin, item.template, named, refs]
