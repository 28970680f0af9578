"""A second process that plans some of the builders while this one plans the others
(a build that has the cores and that nothing can ask to stop)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any

from journal_site.engine.held import HeldPlan
from journal_site.engine.keys import Fingerprinter
from journal_site.engine.rows import UnitPages, rows_of
from journal_site.engine.selection import (
    ENTRY_PAGES,
    HOME_PAGE,
    LESSONS_PAGE,
    REVIEW_PAGES,
    REVIEWS_INDEX,
    SEARCH_PAGE,
    STATS_PAGE,
    TIMELINE_PAGES,
)
from journal_site.engine.views import view_of
from journal_site.pages import SiteModel

PLANNED_BESIDE = (
    ENTRY_PAGES,
    REVIEW_PAGES,
    HOME_PAGE,
    REVIEWS_INDEX,
    LESSONS_PAGE,
    TIMELINE_PAGES,
    SEARCH_PAGE,
    STATS_PAGE,
)
"""The builders a second process plans, in this order, when a build has the cores and
cannot be asked to stop: first those of most pages (an entry's, a period's review),
most of which keep their plans, then those of pages that show no win cards. A page
planned there is planned again where it is rendered, and those pages are rendered by
a forked helper beside the pages with win cards (engine/make.py), so that costs this
process nothing. This process plans the wins wall, the tag and goal pages (the pages
it renders itself), then any of these that the second process has not taken yet.
Measured on a new entry for today: the plan 170-180 ms against 261-284 ms with the
entry and review pages alone, the build 1.01-1.03 s against 1.07-1.13 s."""
MIN_PLANNED_BESIDE = 1000
"""Fewer entries than this: plan everything here (a fork of a big build costs ~10 ms)."""


class Beside:
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
        held: Mapping[str, HeldPlan],
        known: Container[str] = frozenset(),
    ) -> None:
        from journal_site.parallel import Claims, Forked, worker_count

        self._job = (model, fingerprinter, held, known)
        self._claims: Claims | None = None
        self._helper: Forked | None = None
        if worker_count() < 2:
            return
        claims = self._claims = Claims(len(order))

        def plan_there() -> bytes:
            done = []
            for place in reversed(range(len(order) - beside, len(order))):
                if claims.take(place):
                    there = plan_rows(model, fingerprinter, [order[place]], held, known)
                    done.append((place, *there[0]))
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
    ) -> dict[Callable[..., Any], tuple[str, bool, int, list[tuple[str, str]]]]:
        """What ``plan_rows`` gives for each builder of ``left`` (those this process did
        not plan); ``meanwhile`` is called until it returns False or the rows are there."""
        got: dict[Callable[..., Any], tuple[str, bool, int, list[tuple[str, str]]]] = {}
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
                for place, text, named, anew, views in json.loads(data or b""):
                    kept = [(str(skeleton), str(view)) for skeleton, view in views]
                    got[self._order[place]] = (str(text), bool(named), int(anew), kept)
        self.close()
        missing = [builder for builder in left if builder not in got]
        model, fingerprinter, held, known = self._job
        got.update(
            zip(missing, plan_rows(model, fingerprinter, missing, held, known), strict=True)
        )
        return {builder: got[builder] for builder in left}


def plan_rows(
    model: SiteModel,
    fingerprinter: Fingerprinter,
    builders: Iterable[Callable[..., Any]],
    held: Mapping[str, HeldPlan],
    known: Container[str] = frozenset(),
) -> list[tuple[str, bool, int, list[tuple[str, str]]]]:
    """Each builder's rows as JSON, whether every output could be named, how many were
    planned anew, and the views to keep of those (``view_of``)."""
    done = []
    for builder in builders:
        rows: list[list[Any]] = []
        views: list[tuple[str, str]] = []
        anew = 0
        for row, item in rows_of(model, fingerprinter, builder, held):
            rows.append(row)
            if not isinstance(item, UnitPages):
                anew += 1
                views.extend(view_of(fingerprinter, row, item, known))
        done.append((json.dumps(rows), all(row[3] is not None for row in rows), anew, views))
    return done
