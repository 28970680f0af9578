"""Pages made once for all the win numbers they show, the numbers put in as they are
written (late_number.py has the stand-ins and the proof).

A win added in the middle of the journal moves the number of every later win on by
one, and with it every tag page that shows a later win: the pages are the same but
for the numbers. A builder marks the numbers in a page's arguments as ``WinNumber``;
such a page, when it has to be made, is taken (or made, then kept) under the digest
of its arguments with a stand-in (``PageHole``) in place of each number, and each
marker in it is replaced by its number. The output's own key still names the
numbers (plan.py), so the file is written again when they move; only the rendering
is saved.

A ``partial(...)`` whose values hold win numbers is made so too, on a page rendered
with its numbers: a year of the wall (``WallYear``, by its first number) keeps its
days when a win before it moves their numbers, though the page around them shows the
count of every win, which moved too.

A page (or partial) is made so only when its view's maker says its arguments may
hold numbers (``takes_win_numbers``; a partial's values are always looked through),
its template and every template it may read pass ``streams_only``
(engine/templates.py), its arguments hold nothing but values this module can copy
with stand-ins in them (``blinded``), and the render touched the stand-ins only as
late_number.py allows (otherwise ``HoleTouched``, or a marker missing or too many):
in any other case it is rendered with its numbers, as every other page is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import types
from collections.abc import Callable, Collection
from typing import Any

from markupsafe import Markup

from journal_site.engine import Cancelled
from journal_site.engine.keys import Ref, combine
from journal_site.fragments import LATE_PREFIX
from journal_site.late_number import PageHole, Sheet, WinNumber, fill_page
from journal_site.model import Entry, EntrySummary, Goal, Setback, Win
from journal_site.pages import Body, Deferred, Links, Page, Record
from journal_site.render import Renderer

LATE = "a page made once for all its win numbers"
"""Digested first in such a page's key: no other fragment's digest starts with it."""
SLOT = "numbers-late#1"
"""The page's use of its text, as fragments.py counts a partial's (kept while used)."""
SLOT_SUFFIX = "~numbers-late"
"""After a partial's slot: its use of the partial's text with stand-ins."""
LEAVES = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        Markup,
        dt.date,
        dt.datetime,
        dt.timedelta,
        Entry,
        EntrySummary,
        Goal,
        Win,
        Setback,
        Body,
        Links,
        Record,
    }
)
"""Values that hold no ``WinNumber``: taken as they are."""


class Unblindable(Exception):
    """Arguments holding a value that ``blinded`` cannot copy."""


def blinded(args: Any, sheet: Sheet) -> Any:
    """``args`` with a stand-in in place of each ``WinNumber`` (its number put in
    ``sheet.numbers``, at the stand-in's place), copied where they hold one: tuples,
    lists, dicts and frozen dataclasses are gone through (a field that is not part of
    the value's identity set to its default), the values of ``LEAVES`` and module-level
    functions kept; anything else raises ``Unblindable``."""
    seen: dict[int, tuple[object, object]] = {}

    def walk(value: Any) -> Any:
        kind = type(value)
        if kind is WinNumber:
            hole = PageHole(sheet, len(sheet.numbers))
            sheet.numbers.append(int(value))
            return hole
        if kind in LEAVES:
            return value
        held = seen.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        out: Any
        if kind is tuple or kind is list:
            items = [item if type(item) in LEAVES else walk(item) for item in value]
            out = value if all(map(operator.is_, items, value)) else kind(items)
        elif kind is dict:
            if not all(type(key) in LEAVES for key in value):
                raise Unblindable(f"a key of a {kind.__qualname__}")
            values = [item if type(item) in LEAVES else walk(item) for item in value.values()]
            same = all(map(operator.is_, values, value.values()))
            out = value if same else dict(zip(value, values, strict=True))
        elif dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            changed = {}
            for field in dataclasses.fields(kind):
                old = getattr(value, field.name)
                # A field that is not part of what the value is (keys.py names none
                # such) is a means to make it, as a memo: left out of the copy.
                new = walk(old) if field.compare else field.default
                if new is dataclasses.MISSING:
                    raise Unblindable(f"{kind.__qualname__}.{field.name}")
                if new is not old:
                    if not field.init:
                        raise Unblindable(f"{kind.__qualname__}.{field.name}")
                    changed[field.name] = new
            out = dataclasses.replace(value, **changed) if changed else value
        elif kind is types.FunctionType and "<" not in value.__qualname__:
            out = value
        else:
            raise Unblindable(f"a {kind.__qualname__}")
        seen[id(value)] = (value, out)
        return out

    return walk(args)


class LatePages:
    """What makes pages and partials once for all their win numbers in one build: the
    templates that may be (``streams_only`` for each template of their closure), and
    each reference's token (a page's key names the bodies it shows, as its own key
    does)."""

    def __init__(self, templates: Collection[str], token: Callable[[Ref], str]) -> None:
        self.templates = frozenset(templates)
        self.token = token
        self.filled: list[str] = []
        """What this process made from a kept text: pages (their paths) and partials
        (the page's path, ``#`` and the partial's slot)."""
        self.rendered: list[str] = []
        """What this process rendered with stand-ins, and kept (named as ``filled``)."""

    def make(self, page: Page, renderer: Renderer, resolve: Callable[[Any], Any]) -> bytes | None:
        """The page's bytes, from its text with stand-ins (kept or made now); None when
        it cannot be made so (it is then rendered with its numbers)."""
        view = page.view
        if (
            page.template not in self.templates
            or not isinstance(view, Deferred)
            or not getattr(view.make, "win_numbers", False)
        ):
            return None
        sheet = Sheet()
        try:
            args = blinded(view.args, sheet)
            if not sheet.numbers:
                return None
            skeleton, refs = renderer.fingerprinter.inputs(
                LATE, page.url, page.template, page.section, view.make, args
            )
        except Cancelled:
            raise
        except Exception:  # Unblindable, Unnameable, a copy that refused a stand-in
            return None
        key = LATE_PREFIX + combine(skeleton, [self.token(ref) for ref in refs])
        stand_in = dataclasses.replace(page, view=Deferred(view.make, args))
        text = self._text(
            renderer,
            key,
            sheet,
            page.path,
            lambda: renderer.render(stand_in, stand_in.context(resolve)),
        )
        if text is None:
            return None
        renderer.fragments.use(page.path, SLOT, key)
        return fill_page(text, sheet.numbers).encode("utf-8")

    def partial(
        self, renderer: Renderer, name: str, values: dict[str, Any], page: str, slot: str
    ) -> Markup | None:
        """``partial(name, **values)`` on a page rendered with its numbers, not kept
        with these numbers (render.py keeps what this returns under them), from its text
        with stand-ins (kept or made now), when ``values`` hold win numbers (a year of the
        wall: its days stay the same when a win before them moves their numbers); None
        when it cannot be made so."""
        if name not in self.templates:
            return None
        sheet = Sheet()
        try:
            blind = blinded(values, sheet)
            if not sheet.numbers:
                return None
            key = LATE_PREFIX + renderer.fingerprinter.digest(LATE, name, blind)
        except Cancelled:
            raise
        except Exception:  # Unblindable, Unnameable, a copy that refused a stand-in
            return None
        text = self._text(
            renderer,
            key,
            sheet,
            f"{page}#{slot}",
            lambda: renderer.env.get_template(name).render(blind),
        )
        if text is None:
            return None
        renderer.fragments.use(page, slot + SLOT_SUFFIX, key)
        return Markup(fill_page(text, sheet.numbers))

    def _text(
        self, renderer: Renderer, key: str, sheet: Sheet, name: str, render: Callable[[], str]
    ) -> Markup | None:
        """The text kept under ``key``, or made now by ``render`` with the stand-ins of
        ``sheet`` and kept; None when it cannot be made so."""
        text = renderer.fragments.get(key)
        if text is not None:
            self.filled.append(name)
            return text
        renderer.sheet = sheet
        try:
            made = render()
        except Cancelled:
            raise
        except Exception:  # HoleTouched, or an error the numbers meet too (reported there)
            return None
        finally:
            renderer.sheet = None
        if not sheet.holds(made, sheet.printed):
            return None
        text = Markup(made)
        renderer.fragments.add(key, text)
        self.rendered.append(name)
        return text
