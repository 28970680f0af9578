"""The make stage: each output's bytes, from what is known or made now.

An output whose key the output folder already holds comes as a ``Kept`` reference
(its bytes fetched only if the writer finds the file missing or changed); one whose
key this engine holds in memory, or the store has, comes from there; the rest are
rendered, the pages of the sources just changed first, each handed on as soon as it is
made. A build asked to stop raises ``Cancelled`` between two outputs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from journal_site.engine import Cancelled
from journal_site.engine.ahead import CompiledAhead
from journal_site.engine.plan import Planned
from journal_site.engine.refs import References
from journal_site.engine.store import Store
from journal_site.pages import SiteFile
from journal_site.render import Renderer
from journal_site.writer import Kept


def make_one(item: Planned, renderer: Renderer, resolve: Callable[[Any], Any]) -> bytes:
    """One output's bytes, made now."""
    made = item.made()
    if isinstance(made, SiteFile):
        return made.data(resolve)
    late = renderer.late  # a page made once for all its win numbers (late.py)?
    if late is not None:
        data = late.make(made, renderer, resolve)
        if data is not None:
            return data
    return renderer.render(made, made.context(resolve)).encode("utf-8")


MIN_APART_PAGES = 8
"""From this many outputs to make, in a build that nothing can stop, they are made here
and in a forked helper at the same time (see ``Maker._make_apart``)."""


def make_first(
    planned: list[Planned],
    key: Callable[[Planned], str],
    render: Callable[[], Renderer],
    refs: References,
    on_output: Callable[[str, bytes], None],
) -> dict[str, bytes]:
    """Make ``planned`` (the pages of the entries just saved) one by one, each handed to
    ``on_output`` as soon as it is made; what was made, by key."""
    made = {}
    for item in planned:
        data = make_one(item, render(), refs.resolve)
        on_output(item.path, data)
        made[key(item)] = data
    return made


class Maker:
    """Makes the outputs of one build."""

    def __init__(
        self,
        render: Callable[[], Renderer],
        refs: References,
        store: Store | None,
        card_templates: Collection[str] = (),
    ) -> None:
        self.render = render
        """The build's renderer, made when first needed."""
        self.refs = refs
        self.store = store
        self.card_templates = card_templates
        """The templates that may render win cards (engine/templates.py)."""

    def take_known(
        self,
        planned: list[Planned],
        keys: Mapping[str, str],
        kept: Mapping[str, str],
        known: Mapping[str, bytes],
    ) -> tuple[dict[str, bytes | Kept], list[Planned]]:
        """(the outputs known by key, the outputs to make)."""
        data: dict[str, bytes | Kept] = {}
        missing: list[Planned] = []
        fetch: list[Planned] = []
        for item in planned:
            key = keys.get(item.path)
            if key is None:
                missing.append(item)
            elif kept.get(item.path) == key:
                data[item.path] = Kept(key, self._fetcher(item, key))
            elif key in known:
                data[item.path] = known[key]
            else:
                fetch.append(item)
        found = self.store.pages(keys[p.path] for p in fetch) if fetch and self.store else {}
        for item in fetch:
            hit = found.get(keys[item.path])
            if hit is None:
                missing.append(item)
            else:
                data[item.path] = hit
        return data, missing

    def _fetcher(self, item: Planned, key: str) -> Callable[[], bytes]:
        """The bytes of a kept output, should the writer need them after all."""

        def fetch() -> bytes:
            if self.store is not None:
                hit = self.store.pages([key]).get(key)
                if hit is not None:
                    return hit
            return make_one(item, self.render(), self.refs.resolve)

        return fetch

    def make(
        self,
        missing: list[Planned],
        first: Collection[str],
        cancel: Callable[[], bool] | None,
        on_output: Callable[[str, bytes], None] | None,
    ) -> dict[str, bytes]:
        """Make ``missing``; outputs whose origin is in ``first`` before the others.
        Over all cores when there are many and nothing waits for them one by one (a
        few dozen gain nothing there: each process compiles the templates it uses, and
        pages that show the same win cards make them in both)."""
        from journal_site.parallel import MIN_PARALLEL_PAGES

        if not missing:
            return {}
        missing.sort(key=lambda p: p.origin not in first)
        renderer = self.render()
        resolve = self.refs.resolve
        helped = None
        if not first and len(missing) >= MIN_PARALLEL_PAGES:
            helped = self._make_queued(missing, renderer, resolve)
        elif not first and cancel is None and len(missing) >= MIN_APART_PAGES:
            helped = self._make_apart(missing, renderer, resolve)
        if helped is not None:
            if on_output is not None:
                for path, value in helped.items():
                    on_output(path, value)
            return helped
        made: dict[str, bytes] = {}
        for item in missing:
            if cancel is not None and cancel():
                raise Cancelled
            made[item.path] = make_one(item, renderer, resolve)
            if on_output is not None:
                on_output(item.path, made[item.path])
        return made

    def _make_queued(
        self, missing: list[Planned], renderer: Renderer, resolve: Callable[[Any], Any]
    ) -> dict[str, bytes]:
        """Every output over all cores: forked helpers and this process take them from
        one queue (parallel.render_many)."""
        from journal_site.parallel import render_many

        with _helped(renderer):
            data, cards = render_many(
                lambda i: make_one(missing[i], renderer, resolve),
                len(missing),
                renderer.fragments.take_new,
            )
        for made_there in cards:
            renderer.fragments.update(made_there)
        return {p.path: d for p, d in zip(missing, data, strict=True)}

    def _make_apart(
        self, missing: list[Planned], renderer: Renderer, resolve: Callable[[Any], Any]
    ) -> dict[str, bytes] | None:
        """The outputs made here and in a forked helper at the same time: this process
        starts with the pages that may show win cards, the helper with the others, and
        each goes on with what the other has not taken, so a card is made once, where
        the pages that show it are, unless the helper runs out of its own (None: no
        helper to share with)."""
        from journal_site.parallel import made_from_both_ends, worker_count

        if worker_count() < 2:
            return None
        cards = self.card_templates
        here = [p for p in missing if p.template is not None and p.template in cards]
        there = [p for p in missing if p.template is None or p.template not in cards]
        order = here + there
        with _helped(renderer):
            data, cards_made = made_from_both_ends(
                lambda i: make_one(order[i], renderer, resolve),
                len(order),
                renderer.fragments.take_new,
            )
        renderer.fragments.update(cards_made)
        return {item.path: value for item, value in zip(order, data, strict=True)}


@contextlib.contextmanager
def _helped(renderer: Renderer) -> Iterator[None]:
    """Around making outputs with forked helpers, which cannot be told to stop: the
    build runs to its end, and the helpers inherit the templates made ahead so far
    (engine/ahead.py). Each reads the win cards its pages ask for from the store
    through a connection of its own (store.py)."""
    ahead = renderer.env.bytecode_cache
    if isinstance(ahead, CompiledAhead):
        # What has come of the templates, for the helpers to inherit: each process then
        # compiles the Python source of the templates of its own pages alone.
        ahead.ready()
    held, renderer.fingerprinter.cancel = renderer.fingerprinter.cancel, None
    try:
        yield
    finally:
        renderer.fingerprinter.cancel = held
