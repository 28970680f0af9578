"""Win cards and partials kept between pages and builds (fragments.py): a partial lives
while a page shows it, in the memory of ``journal serve`` as in the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from markupsafe import Markup

from journal_site.build import render_site
from journal_site.config import load_config
from journal_site.engine.late import SLOT as LATE_SLOT
from journal_site.engine.late import SLOT_SUFFIX as LATE_SUFFIX
from journal_site.engine.site import Engine
from journal_site.fragments import PARTIAL_PREFIX, Fragments, card_key

TODAY = dt.date(2026, 11, 25)
ENTRY = """\
---
title: {title}
tags: [work]
wins:
  - {win}
---
A day.
"""


def test_a_partial_no_page_shows_is_forgotten_and_a_card_is_kept() -> None:
    fragments = Fragments()
    fragments.add("c1", Markup("<li>card</li>"))
    for key in ("pA", "pB", "pC"):
        fragments.add(key, Markup(f"<ul>{key}</ul>"))
    fragments.use("wins/2025/index.html", "partials/days.html#1", "pA")
    fragments.use("wins/2026/index.html", "partials/days.html#1", "pB")
    fragments.use("wins/2026/index.html", "partials/days.html#1", "pC")  # B replaced
    fragments.use("wins/2024/index.html", "partials/days.html#1", "pA")
    fragments.retain({"wins/2025/index.html", "wins/2026/index.html"})
    assert fragments.get("c1") == "<li>card</li>"
    assert fragments.get("pA") == "<ul>pA</ul>" and fragments.get("pC") == "<ul>pC</ul>"
    assert fragments.get("pB") is None
    assert [page for page, _ in fragments.uses.values()] == [
        "wins/2025/index.html",
        "wins/2026/index.html",
    ]


def test_a_kept_fragment_is_read_once_when_first_asked_for() -> None:
    kept = {"c1": "<li>kept</li>"}
    asked: list[str] = []

    def read(key: str) -> str | None:
        asked.append(key)
        return kept.get(key)

    fragments = Fragments(read)
    assert fragments.get("c1") == "<li>kept</li>" and fragments.get("c1") == "<li>kept</li>"
    assert fragments.get("c2") is None
    fragments.add("c2", Markup("<li>made</li>"))
    assert fragments.get("c2") == "<li>made</li>"
    assert asked == ["c1", "c2"]
    assert fragments.take_new() == ({"c2": "<li>made</li>"}, {})


def test_a_card_made_for_a_place_replaces_the_one_held_there() -> None:
    """Two cards of one win (renumbered in between) share a place: the later one is
    held, the earlier forgotten, here as in the store. Other places and partials stay."""
    old = card_key(("a.md", 0, "a/", (), None, None), "1" * 8)
    new = card_key(("a.md", 0, "a/", (), None, None), "2" * 8)
    other = card_key(("a.md", 1, "a/", (), None, None), "1" * 8)
    assert old != new and old.split(".")[0] == new.split(".")[0] != other.split(".")[0]
    kept = {old: "<li>#1</li>"}
    fragments = Fragments(kept.get)
    assert fragments.get(old) == "<li>#1</li>"
    fragments.add(other, Markup("<li>other</li>"))
    fragments.add(PARTIAL_PREFIX + "x", Markup("<ul>x</ul>"))
    fragments.add(new, Markup("<li>#2</li>"))
    assert fragments.get(new) == "<li>#2</li>" and fragments.get(other) == "<li>other</li>"
    assert old not in fragments._made
    assert set(fragments.take_new()[0]) == {other, PARTIAL_PREFIX + "x", new}


def test_what_a_helper_made_is_known_here_and_sent_on_to_the_store() -> None:
    """A forked helper's ``take_new`` comes back as JSON (lists for tuples)."""
    helper = Fragments()
    helper.add(PARTIAL_PREFIX + "x", Markup("<ul>x</ul>"))
    helper.use("wins/index.html", "partials/days.html#1", PARTIAL_PREFIX + "x")
    made, uses = helper.take_new()
    assert helper.take_new() == ({}, {})
    here = Fragments()
    here.update((made, {slot: list(use) for slot, use in uses.items()}))
    assert here.get(PARTIAL_PREFIX + "x") == "<ul>x</ul>"
    assert here.take_new() == (
        made,
        {"wins/index.html\0partials/days.html#1": ("wins/index.html", PARTIAL_PREFIX + "x")},
    )


def test_serve_keeps_only_the_partials_its_pages_show_however_many_saves(
    tmp_path: Path,
) -> None:
    """Every save of a win makes its year's part of the wall anew; the engine that
    ``journal serve`` holds forgets the one it replaces, and its site stays a clean
    build's."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "2025-06-01.md").write_text(ENTRY.format(title="Last year", win="Ran"))
    engine = Engine(load_config(tmp_path), today=TODAY, keep=True)
    for n in range(6):
        (content / "2026-11-01.md").write_text(ENTRY.format(title="Day", win=f"Ran {n} km"))
        result = engine.build()
    renderer = engine._renderer_held[1]  # type: ignore[index]
    partials = {k for k in renderer.fragments._made if k.startswith(PARTIAL_PREFIX)}
    shown = {key for _, key in renderer.fragments.uses.values()}
    assert partials == shown
    by_page: dict[str, set[str]] = {}
    late: dict[str, str] = {}  # a page made once for all its win numbers (engine/late.py)
    late_days: dict[str, str] = {}  # a year's days, likewise
    for slot, (page, key) in renderer.fragments.uses.items():
        if slot.endswith("\0" + LATE_SLOT):
            late[page] = key
        elif slot.endswith(LATE_SUFFIX):
            late_days[page] = key
        else:
            by_page.setdefault(page, set()).add(key)
    # The tag's pages are made once for all their numbers, one text each; each year's
    # days of the wall too, kept also with the numbers they show (where /wins/ finds
    # this year's).
    assert set(late) == {p for p in result.output.files if p.startswith("tags/work/")}
    assert set(late_days) == {"wins/2025/index.html", "wins/2026/index.html"}
    # Each year of the wall (2026's shown on /wins/ too) and each year's heatmap.
    assert len(by_page.pop("wins/2025/index.html") | by_page.pop("wins/2026/index.html")) == 2
    assert by_page.pop("wins/index.html") <= partials
    assert len(by_page.pop("stats/index.html")) == 2 and not by_page
    clean = render_site(load_config(tmp_path), today=TODAY)
    assert {p: d for p, d in result.output.files.items() if isinstance(d, bytes)} == {
        p: d for p, d in clean.output.files.items() if isinstance(d, bytes)
    }
