"""A win's number put into its card when the card is shown (late_number.py): the card
is made once for all the numbers a win takes, only where its template provably does
nothing with the number but print it, and every site is what a clean build makes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, run_journal, tree

from journal_site.fragments import PARTIAL_PREFIX
from journal_site.late_number import (
    CLOSE,
    OPEN,
    SEP,
    Hole,
    HoleTouched,
    PageHole,
    Sheet,
    complete,
    fill,
    fill_page,
    finalize,
    prints_number_only,
    streams_only,
)
from journal_site.render import template_environment

THEME_CARD = REPO / "themes" / "default" / "templates" / "partials" / "win_card.html"
ENV = template_environment([])

PRINTED_ONLY = [
    "{{ rec.number }}",
    '<span title="win {{ rec.number }}">#{{ "{:,}".format(rec.number) }}</span>',
    "{% for t in rec.tags %}{{ t }} {{ rec.number }}{% endfor %}",
    "{% if rec.win.proud %}{{ rec.number }}{% else %}{{ rec.entry.title }}{% endif %}",
    "{{ rec.win.text }} (no number at all)",
]
USES_THE_NUMBER = [
    "{{ rec.number + 1 }}",
    "{% if rec.number > 100 %}big{% endif %}",
    "{{ rec.number is even }}",
    "{{ rec.number|string|length }}",
    "{{ '%d' % rec.number }}",
    '{{ "{0!s:>8}".format(rec.number) }}',
    "{{ rec }}",
    "{{ rec['number'] }}",
    "{{ rec.__class__ }}",
    "{% set r = rec %}{{ r.number }}",
    "{% with n = rec.number %}{{ n }}{% endwith %}",
    "{% set shown %}{{ rec.number }}{% endset %}{{ shown|length }}",
    "{% filter truncate(12) %}{{ rec.number }} {{ rec.win.text }}{% endfilter %}",
    "{% macro m() %}{{ rec.number }}{% endmacro %}{{ m()|length }}",
    '{% include "partials/other.html" %}',
    "{{ self }}",
    "{% for rec in [rec] %}{{ rec.number }}{% endfor %}",
    "{{ rec.number",  # not a template at all
]


def test_the_default_card_prints_the_number_and_does_nothing_else_with_it() -> None:
    assert prints_number_only(ENV, THEME_CARD.read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", PRINTED_ONLY)
def test_a_template_that_only_prints_the_number_may_have_it_put_in_late(source: str) -> None:
    assert prints_number_only(ENV, source)


@pytest.mark.parametrize("source", USES_THE_NUMBER)
def test_a_template_that_could_depend_on_the_number_is_made_with_it(source: str) -> None:
    assert not prints_number_only(ENV, source)


def test_the_stand_in_prints_as_a_marker_and_refuses_any_other_use() -> None:
    hole = Hole()
    text = f"#{hole:,} of {hole}"
    assert text == f"#{OPEN},{CLOSE} of {OPEN}{CLOSE}" and hole.printed == 2
    assert complete(text, hole)
    assert fill(text, 1234567) == "#1,234,567 of 1234567"
    for use in (
        lambda: hole + 1,
        lambda: hole > 3,
        lambda: hole == 3,
        lambda: bool(hole),
        lambda: int(hole),
        lambda: hash(hole),
        lambda: repr(hole),
        lambda: f"{hole:>8}",  # escaping would change the format's text
    ):
        with pytest.raises(HoleTouched):
            use()
    with pytest.raises(ValueError):
        f"{hole:.2}"  # no number takes it: the card is made with the number and fails
    assert not complete(f"{OPEN}{hole}", hole)  # a stray marker character


CARD_OVERRIDE = """\
<li class="card">{{ rec.win.text }} · {{ rec.entry.title }}\
{% if rec.number is even %} (even){% endif %} #{{ rec.number }}</li>
"""


def entry(title: str, wins: list[str]) -> str:
    listed = "".join(f'  - "{win}"\n' for win in wins)
    return f"---\ntitle: {title}\ntags: [work]\nwins:\n{listed}---\nA day.\n"


def journal_files(root: Path) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    for day in range(1, 9):
        wins = [f"Win {day}a", f"Win {day}b"] if day % 2 else [f"Win {day}"]
        (content / f"2026-11-0{day}.md").write_text(entry(f"Day {day}", wins), encoding="utf-8")


def cards_kept(root: Path) -> list[str]:
    """The win cards the store keeps (not the partials, whose keys start with "p")."""
    store = sqlite3.connect(root / ".journal-cache" / "store.sqlite")
    try:
        rows = store.execute("SELECT key, data FROM fragments")
        return [data for key, data in rows if not key.startswith(PARTIAL_PREFIX)]
    finally:
        store.close()


def built(root: Path) -> dict[str, bytes]:
    done = run_journal("build", "--today", "2026-11-09", cwd=root)
    assert done.returncode == 0, done.stderr
    return tree(root / "public")


def clean_build(root: Path, tmp: Path) -> dict[str, bytes]:
    fresh = tmp / "clean"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".journal-cache", "public"))
    return built(fresh)


@pytest.mark.parametrize("override", [None, CARD_OVERRIDE], ids=["default card", "override"])
def test_renumbered_wins_build_as_a_clean_build_does(tmp_path: Path, override: str | None) -> None:
    root = tmp_path / "site"
    journal_files(root)
    if override is not None:
        (root / "templates" / "partials").mkdir(parents=True)
        (root / "templates" / "partials" / "win_card.html").write_text(override)
    built(root)
    kept = cards_kept(root)
    late = [card for card in kept if OPEN in card]
    if override is None:  # every card of the default theme holds the marker, no number
        assert len(late) == len(kept) == 12
    else:  # the override's output depends on the number: no card is made without it
        assert not late and any("(even)" in card for card in kept)
    # A win in the second entry: every later win's number moves on by one.
    second = root / "content" / "2026-11-02.md"
    second.write_text(entry("Day 2", ["Win 2", "A win added"]), encoding="utf-8")
    after = built(root)
    assert after == clean_build(root, tmp_path)
    wall = after["wins/index.html"].decode()
    assert OPEN not in wall and CLOSE not in wall
    # Numbers 1..13 shown once each on the wall, the newest first.
    assert "#13" in wall and "#14" not in wall
    if override is None:
        assert len(cards_kept(root)) == len(kept) + 1  # one new card, none made again


def test_a_win_holding_the_marker_characters_is_made_with_its_number(tmp_path: Path) -> None:
    root = tmp_path / "site"
    journal_files(root)
    odd = root / "content" / "2026-11-03.md"
    odd.write_text(entry("Day 3", [f"Private {OPEN}{CLOSE} marks"]), encoding="utf-8")
    first = built(root)
    page = first["wins/index.html"].decode()
    assert f"Private {OPEN}{CLOSE} marks" in page  # the win's own text, as written
    assert first == clean_build(root, tmp_path)
    (root / "content" / "2026-11-01.md").write_text(
        entry("Day 1", ["Win 1a", "Win 1b", "Win 1c"]), encoding="utf-8"
    )
    assert built(root) == clean_build(root, tmp_path)


def test_a_format_escaping_would_change_makes_every_card_with_its_number(tmp_path: Path) -> None:
    """The syntax allows it, the stand-in refuses it when printed: the cards are made
    with their numbers (none is kept with a marker), and the site is a clean build's."""
    padded = '<li class="card">{{ rec.win.text }} <b>{{ "{:>6}".format(rec.number) }}</b></li>\n'
    assert prints_number_only(ENV, padded)
    root = tmp_path / "site"
    journal_files(root)
    (root / "templates" / "partials").mkdir(parents=True)
    (root / "templates" / "partials" / "win_card.html").write_text(padded)
    built(root)
    (root / "content" / "2026-11-02.md").write_text(
        entry("Day 2", ["Win 2", "A win added"]), encoding="utf-8"
    )
    after = built(root)
    assert after == clean_build(root, tmp_path)
    assert "<b>    13</b>" in after["wins/index.html"].decode()
    kept = cards_kept(root)
    assert kept and not any(OPEN in card for card in kept)


# -- whole pages: stand-ins for the numbers in a page's arguments ------------------------

STREAMS = [
    "{% for rec in wins %}{{ win_card(rec) }}{% endfor %}",
    "{{ rec.number }} {{ rec.number + 1 }}",
    '{% set ns = namespace(n=0) %}{% include "x.html" %}{{ partial("y.html", a=1) }}',
    "{% extends 'base.html' %}{% block content %}{{ rec.number }}{% endblock %}",
]
READS_BACK = [
    "{% set n %}{{ rec.number }}{% endset %}{{ n | length }}",
    "{% macro m(r) %}{{ r.number }}{% endmacro %}{{ m(rec) }}",
    "{% filter upper %}{{ rec.number }}{% endfilter %}",
    "{% call x() %}{{ rec.number }}{% endcall %}",
    "{{ win_card(rec) | length }}",
    "{% set card = win_card(rec) %}{{ card }}",
    "{% set f = partial %}{{ f('y.html') }}",
    "{% block a %}{{ rec.number }}{% endblock %}{{ self.a() | length }}",
    "{% extends 'base.html' %}{% block a %}{{ super() | length }}{% endblock %}",
    "{% for x in xs recursive %}{{ loop(x.children) | length }}{% endfor %}",
    '{% from "m.html" import m %}{{ m() }}',
    "{{ rec.number is integer }}",
    "{{ rec.number is sameas other }}",
    "{{ rec.__class__ }}",
    "{{ rec['__class__'] }}",
    "{{ rec | attr('number') }}",
]


@pytest.mark.parametrize("source", STREAMS)
def test_a_template_that_prints_straight_to_the_page_streams(source: str) -> None:
    assert streams_only(ENV, source)


@pytest.mark.parametrize("source", READS_BACK)
def test_a_template_that_could_read_what_it_printed_does_not(source: str) -> None:
    assert not streams_only(ENV, source)


def test_a_page_stand_in_can_be_added_to_and_printed_and_nothing_else() -> None:
    sheet = Sheet()
    sheet.numbers[:] = [1234, 7]
    hole = PageHole(sheet, 0)
    moved = 3 + (hole + 5) - 2
    assert finalize(moved) == f"{OPEN}{SEP}0+6{CLOSE}" and sheet.printed == 1
    assert finalize(PageHole(sheet, 1, -1)) == f"{OPEN}{SEP}1-1{CLOSE}"
    assert finalize(12) == 12 and finalize("x") == "x"
    text = f"a {finalize(moved)} b {PageHole(sheet, 1).marker(',')} c"
    assert fill_page(text, sheet.numbers) == "a 1240 b 7 c"
    for use in (
        str,
        repr,
        bool,
        int,
        hash,
        len,
        iter,
        lambda h: f"{h}",
        lambda h: h == 1,
        lambda h: h < 1,
        lambda h: h * 2,
        lambda h: h + 1.0,
        lambda h: h + hole,
        lambda h: 5 - h,
        lambda h: h.real,
        lambda h: hasattr(h, "__html__"),
        lambda h: h.marker("<"),
    ):
        with pytest.raises(HoleTouched):
            use(hole)
    assert not callable(hole)


def test_a_page_holds_only_the_markers_its_stand_ins_printed() -> None:
    sheet = Sheet()
    sheet.numbers.append(3)
    printed = PageHole(sheet, 0).marker()
    assert sheet.holds(f"<p>{printed}</p>", sheet.printed)
    assert not sheet.holds(f"<p>{printed}{printed}</p>", sheet.printed)
    assert not sheet.holds(f"<p>{printed}{SEP}</p>", sheet.printed)
    assert not sheet.holds("<p>none</p>", sheet.printed)


def test_a_card_put_into_a_page_carries_the_pages_marker() -> None:
    sheet = Sheet()
    sheet.numbers.append(41)
    hole = Hole()
    card = f"<li>#{format(hole, ',')} ({hole})</li>"
    page = fill(card, PageHole(sheet, 0, 2))
    assert sheet.printed == 2 and fill_page(page, sheet.numbers) == "<li>#43 (43)</li>"
