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

import contextlib
import json
import os
import select
import signal
import threading
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
    reviews.review_pages: reviews.review_page_at,
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


PLANNED_BESIDE = (core.entry_pages, reviews.review_pages)
"""The builders of most pages (an entry's, a period's review), planned in a second
process while this one plans the rest, when a build has the cores and cannot be asked
to stop."""
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
) -> tuple[list[Planned], dict[str, tuple[str, str]], int]:
    """Every page and file of the site that ``site_builders`` make (for the whole site:
    ``builders()`` and ``plan_files``); URL collisions are an error naming both sources.

    ``digest`` is the model's (see keys.py). Returns the outputs, the plans to hold for
    the next build (builder name -> (that digest, its outputs as JSON)), and how many
    builders' plans came from ``held``. Raises ``Cancelled`` (between builders, and
    every few dozen outputs) once ``cancel`` says so. A build that cannot be asked to
    stop (no ``cancel``) plans ``PLANNED_BESIDE`` in a second process, on a big journal;
    while this one waits for it, it calls ``meanwhile`` (a step of other work) until
    that returns False.
    """
    by_builder: dict[str, list[Planned]] = {}
    plans: dict[str, tuple[str, str]] = {}
    reused = 0
    stop = cancel or (lambda: False)

    def inputs(skeleton: str | None, refs: Any) -> str | None:
        return None if skeleton is None else combine(skeleton, [ref_token(tuple(r)) for r in refs])

    def from_rows(builder: Callable[..., Any], text: str) -> list[Planned]:
        replan = _Replan(builder, model)
        return [
            Planned(path, inputs(skeleton, refs), origin, template, replan=replan)
            for path, origin, template, skeleton, refs in json.loads(text)
        ]

    todo = []
    for builder in site_builders:
        name = _name(builder)
        kept = held.get(name)
        if kept is not None and kept[0] == digest:
            by_builder[name] = from_rows(builder, kept[1])
            plans[name] = kept
            reused += 1
        else:
            todo.append(builder)
    beside = [b for b in todo if b in PLANNED_BESIDE]
    if cancel is not None or len(model.entries) < MIN_PLANNED_BESIDE:
        beside = []
    elsewhere = _Beside(model, fingerprinter, beside) if beside else None
    try:
        for builder in todo:
            if elsewhere is not None and builder in elsewhere.builders:
                continue
            check(stop)
            name = _name(builder)
            made: list[Planned] = []
            rows: list[list[Any]] = []
            for count, item in enumerate(builder(model), 1):
                if count % 64 == 0:
                    check(stop)
                row = _row(fingerprinter, item)
                made.append(Planned(row[0], inputs(row[3], row[4]), row[1], row[2], item))
                rows.append(row)
            by_builder[name] = made
            if all(row[3] is not None for row in rows):
                plans[name] = (digest, json.dumps(rows))
    except BaseException:
        if elsewhere is not None:
            elsewhere.close()
        raise
    if elsewhere is not None:
        for builder, (text, named) in elsewhere.results(meanwhile).items():
            name = _name(builder)
            by_builder[name] = from_rows(builder, text)
            if named:
                plans[name] = (digest, text)
    out = [item for builder in site_builders for item in by_builder[_name(builder)]]
    _check_collisions(out)
    return out, plans, reused


def _row(fingerprinter: Fingerprinter, item: Page | SiteFile) -> list[Any]:
    """An output's plan as a held plan keeps it: path, origin, template, skeleton, refs."""
    if isinstance(item, SiteFile):
        skeleton, refs = _skeleton(fingerprinter, item.path, item.make, item.args)
        return [item.path, item.origin, None, skeleton, refs]
    skeleton, refs = _page_skeleton(fingerprinter, item)
    return [item.url + "index.html", item.origin, item.template, skeleton, refs]


def _plan_rows(
    model: SiteModel, fingerprinter: Fingerprinter, builders: list[Callable[..., Any]]
) -> list[tuple[str, bool]]:
    """Each builder's rows as JSON, and whether every output could be named."""
    done = []
    for builder in builders:
        rows = [_row(fingerprinter, item) for item in builder(model)]
        done.append((json.dumps(rows), all(row[3] is not None for row in rows)))
    return done


def _reap(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


class _Beside:
    """Builders planned in a forked process (it inherits the model and the
    fingerprinter) while this one plans the others; planned here instead where that
    cannot be done, or failed (the error then comes again, from this process).

    A bare ``fork`` and a pipe: a multiprocessing pool costs more to start and to stop
    than the process has work to do (each about 10 ms)."""

    def __init__(
        self, model: SiteModel, fingerprinter: Fingerprinter, builders: list[Callable[..., Any]]
    ) -> None:
        from journal_site.parallel import worker_count

        self.builders = builders
        self._job = (model, fingerprinter, builders)
        self._pid: int | None = None
        self._pipe: int | None = None
        if worker_count() < 2 or not hasattr(os, "fork"):
            return
        try:
            reader, writer = os.pipe()
            pid = os.fork()
        except OSError:  # no process to be had (a limit): all is planned here
            return
        if pid == 0:  # the planner: its rows down the pipe, then gone
            status = 1
            try:
                os.close(reader)
                data = json.dumps(_plan_rows(*self._job)).encode()
                with os.fdopen(writer, "wb") as out:
                    out.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(writer)
        self._pid, self._pipe = pid, reader

    def close(self) -> None:
        """Stop the process (its work is not wanted, or is done). It is reaped by a
        thread: a process as big as the build takes 10-20 ms to end, which the build
        does not wait for."""
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            threading.Thread(target=_reap, args=(self._pid,), daemon=True).start()
            self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None

    def results(
        self, meanwhile: Callable[[], bool] | None = None
    ) -> dict[Callable[..., Any], tuple[str, bool]]:
        """Each builder's rows as JSON, and whether every output could be named;
        ``meanwhile`` is called until it returns False or the rows are there."""
        done = None
        if self._pipe is not None:
            try:
                while meanwhile is not None and not select.select([self._pipe], [], [], 0)[0]:
                    try:
                        busy = meanwhile()
                    except Exception:  # work done ahead: the stage it is for does it again
                        busy = False
                    if not busy:
                        break
                with os.fdopen(self._pipe, "rb", closefd=False) as pipe:
                    data = pipe.read()
                done = [(str(text), bool(named)) for text, named in json.loads(data)]
            except (OSError, ValueError, TypeError):
                done = None  # planned again below, where its error is the build's
            finally:
                self.close()
        if done is None or len(done) != len(self.builders):
            done = _plan_rows(*self._job)
        return dict(zip(self.builders, done, strict=True))


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
