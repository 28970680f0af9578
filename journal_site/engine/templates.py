"""Which template files a page's template may read, and a digest of them.

A page is keyed by the templates it may include as well as by what they receive: its
own template, and every template that one extends, includes or imports, followed to
the end, as found in the source (``jinja2.meta``), each as the theme's layers resolve
its name now. A name given by an expression cannot be followed, so such a template
may read any: it is keyed by all of them. ``win_card(rec)``, which renders
``partials/win_card.html``, counts as an include, and so does ``partial(name, ...)``
with its name written out (with a name given by an expression, it may read any).

An edit to ``stats.html`` therefore makes /stats/ again and nothing else; an edit to
``base.html`` makes every page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import jinja2
import jinja2.meta
from jinja2 import nodes

from journal_site.engine.store import Store
from journal_site.late_number import streams_only
from journal_site.theme import ThemeFiles

GLOBAL_TEMPLATES = {"win_card": "partials/win_card.html"}
"""Functions handed to every template that render a template themselves (render.py)."""
PARTIAL = "partial"
"""The function handed to every template that renders the template it names (render.py):
``partial("partials/x.html", ...)`` counts as an include of that template."""


def _resolve(theme: ThemeFiles, name: str) -> Path | None:
    for folder in theme.template_dirs:
        path = folder / name
        if path.is_file():
            return path
    return None


def _names(theme: ThemeFiles) -> list[str]:
    names: set[str] = set()
    for folder in theme.template_dirs:
        names.update(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(names)


def _references(env: jinja2.Environment, source: str) -> set[str] | None:
    """The templates ``source`` names; None when one is named by an expression."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return None  # reported with its line when the page is rendered
    found: set[str] = set()
    for name in jinja2.meta.find_referenced_templates(tree):
        if name is None:
            return None
        found.add(name)
    named = 0
    for call in tree.find_all(nodes.Call):
        callee, args = call.node, call.args
        if isinstance(callee, nodes.Name) and callee.name == PARTIAL:
            if not (args and isinstance(args[0], nodes.Const) and isinstance(args[0].value, str)):
                return None
            found.add(args[0].value)
            named += 1
    for name in tree.find_all(nodes.Name):
        if name.name in GLOBAL_TEMPLATES:
            found.add(GLOBAL_TEMPLATES[name.name])
        elif name.name == PARTIAL:
            named -= 1
    # ``partial`` used otherwise than called with a name written out (passed on, or
    # set to another name) may render any template.
    return found if named == 0 else None


def closure_digests(theme: ThemeFiles) -> tuple[dict[str, str], list[str], list[str]]:
    """Template name -> a digest of the bytes of every template it may read (itself
    included), as the layers resolve each name now; a name no layer has counts as
    missing, so that adding it changes the digest. And the templates that may render
    the win card partial (those whose closure cannot be followed included), and those
    whose every template streams what it prints (late_number.streams_only: a page of
    theirs may be made once for all its win numbers, engine/late.py)."""
    cards: list[str] = []
    late: list[str] = []
    env = jinja2.Environment()
    every = _names(theme)
    data: dict[str, bytes | None] = {}
    refs: dict[str, set[str] | None] = {}
    streams: dict[str, bool] = {}
    for name in every:
        path = _resolve(theme, name)
        data[name] = path.read_bytes() if path is not None else None
        if name.endswith((".html", ".xml", ".txt", ".j2")) and data[name] is not None:
            source = data[name].decode("utf-8", "replace")  # type: ignore[union-attr]
            refs[name] = _references(env, source)
            streams[name] = streams_only(env, source)
        else:
            refs[name] = set()
            streams[name] = False

    def closure(name: str) -> list[str] | None:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found = refs.get(current, set())
            if found is None:
                return None
            todo.extend(found)
        return sorted(seen)

    digests: dict[str, str] = {}
    everything = hashlib.blake2b(digest_size=20)
    for name in every:
        everything.update(name.encode() + b"\0" + (data[name] or b"\0missing") + b"\0")
    for name in every:
        names = closure(name)
        if names is None or GLOBAL_TEMPLATES["win_card"] in names:
            cards.append(name)
        if names is None:
            digests[name] = everything.hexdigest()
            continue
        # The card's own template is proven apart (late_number.prints_number_only).
        if all(streams.get(n, False) for n in names if n != GLOBAL_TEMPLATES["win_card"]):
            late.append(name)
        digest = hashlib.blake2b(digest_size=20)
        for included in names:
            digest.update(included.encode() + b"\0" + (data.get(included) or b"\0missing") + b"\0")
        digests[name] = digest.hexdigest()
    return digests, cards, late


def held_closure_digests(
    store: Store | None, all_templates: str, theme: ThemeFiles
) -> tuple[dict[str, str], list[str], list[str]]:
    """``closure_digests``, kept in the store under ``all_templates`` (the digest of every
    template): reading them all with Jinja's parser takes longer than a build that
    changed one entry."""
    if store is not None:
        held = store.meta("closures")
        if held is not None:
            with contextlib.suppress(ValueError, TypeError):
                digest, closures, cards, late = json.loads(held)
                if digest == all_templates:
                    return dict(closures), list(cards), list(late)
    closures, cards, late = closure_digests(theme)
    if store is not None:
        store.set_meta({"closures": json.dumps([all_templates, closures, cards, late])})
    return closures, cards, late
