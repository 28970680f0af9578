"""The engine (engine/site.py) and ``journal build`` on top of it (build.py): repeated
builds report and write only what changed, survive failures and interruptions, and
always make what a clean build makes, byte for byte."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Killed, file_ids, kill_on_second_rename, make_corpus, run_journal, tree

from journal_site.build import build, render_site
from journal_site.config import load_config
from journal_site.engine import Cancelled
from journal_site.engine import site as engine_site
from journal_site.engine import store as engine_store
from journal_site.engine.selection import everything
from journal_site.engine.site import Engine
from journal_site.engine.store import CACHE_DIR_NAME, STORE_NAME, Store, code_version
from journal_site.errors import JournalError

TODAY = dt.date(2026, 11, 25)
ARGS = ("build", "--today", TODAY.isoformat())

ENTRY = """\
---
title: {title}
tags: [work]
wins: [Spoke up]
---
Body of {title}.
"""


def _site(root: Path, days: int = 3) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for day in range(1, days + 1):
        (content / f"2026-11-{day:02d}.md").write_text(ENTRY.format(title=f"Day {day}"))
    return root


def _files(result: engine_site.SiteBuild) -> dict[str, bytes]:
    return {
        path: data.read_bytes() if isinstance(data, Path) else data  # type: ignore[misc]
        for path, data in result.output.files.items()
    }


def _clean(root: Path, into: Path) -> dict[str, bytes]:
    """What a first build of a copy of the site writes, with no store at all."""
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    result = run_journal(*ARGS, cwd=into)
    assert result.returncode == 0, result.stderr
    return tree(into / "public")


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path in after if after[path] != before.get(path)}


# -- the engine, in memory (what `journal serve` holds) ----------------------------------


def test_first_build_reports_everything_then_nothing(tmp_path: Path) -> None:
    engine = Engine(load_config(_site(tmp_path)), today=TODAY, keep=True)
    first = engine.build()
    assert first.changed == frozenset(first.output.files)
    assert "2026/11/02/index.html" in first.changed
    assert not first.removed
    second = engine.build()
    assert second.changed == frozenset() and second.removed == frozenset()
    assert _files(second) == _files(first)
    assert second.stats["files_parsed"] == 0
    assert second.stats["outputs_made"] == 0  # every output kept in memory by its key


def test_edit_and_delete_are_reported(tmp_path: Path) -> None:
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Renamed"))
    edited = engine.build()
    assert edited.stats["files_parsed"] == 1
    assert "2026/11/02/index.html" in edited.changed
    # The neighbours show the edited title in their previous/next links.
    assert {"2026/11/01/index.html", "2026/11/03/index.html"} <= edited.changed
    assert b"Renamed" in _files(edited)["2026/11/02/index.html"]
    assert _files(edited) == _files(render_site(load_config(root), today=TODAY))
    (root / "content" / "2026-11-03.md").unlink()
    deleted = engine.build()
    assert deleted.removed == {"2026/11/03/index.html"}
    assert _files(deleted) == _files(render_site(load_config(root), today=TODAY))


def test_a_failed_build_leaves_the_engine_as_it_was(tmp_path: Path) -> None:
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    first = engine.build()
    entry = root / "content" / "2026-11-02.md"
    good = entry.read_text()
    entry.write_text("---\nmood: eleven\n---\n")
    with pytest.raises(JournalError) as caught:
        engine.build()
    assert "content/2026-11-02.md" in str(caught.value)
    assert engine.last is first
    entry.write_text(good)
    again = engine.build()
    assert again.changed == frozenset()  # compared with the last good build
    assert _files(again) == _files(first)


def test_a_cancelled_build_leaves_the_engine_as_it_was(tmp_path: Path) -> None:
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    first = engine.build()
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Renamed"))
    with pytest.raises(Cancelled):
        engine.build(cancel=lambda: True)
    assert engine.last is first
    after = engine.build()
    assert "2026/11/02/index.html" in after.changed
    assert _files(after) == _files(render_site(load_config(root), today=TODAY))


def test_a_cancelled_build_keeps_what_it_learnt_of_the_files(tmp_path: Path) -> None:
    """Files written just before a build are read again by the next one (their time
    cannot vouch for them yet). A build that a newer save stops has read them by then:
    the one after it does not read them all again (``journal serve`` at an autosaving
    editor's rhythm, where a build seldom finishes)."""
    root = _site(tmp_path, days=6)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    assert engine.build().stats["files_read"] == 6  # new to this engine
    an_hour_ago = dt.datetime.now().timestamp() - 3600
    for path in (root / "content").iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))  # as if written long ago
    with pytest.raises(Cancelled):
        engine.build(cancel=lambda: True)
    after = engine.build()
    assert after.stats["files_read"] == 0
    assert after.stats["files_parsed"] == 0
    assert _files(after) == _files(render_site(load_config(root), today=TODAY))


def test_a_build_stops_wherever_it_is_asked_to_and_the_next_is_whole(tmp_path: Path) -> None:
    """A newer save stops a build within a few dozen steps, in any stage: while it plans
    or digests one big page (not only between two outputs), so that ``journal serve``
    never makes a save wait for the rest of the site. The engine is left as it was."""
    root = _site(tmp_path, days=24)
    engine, twin = (Engine(load_config(root), today=TODAY, keep=True) for _ in range(2))
    first = engine.build()
    twin.build()
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Renamed"))
    asked = 0

    def count() -> bool:
        nonlocal asked
        asked += 1
        return False

    made = twin.build(cancel=count)
    # Asked more often than there are outputs to make: inside the stages too.
    assert asked > made.stats["outputs_made"] + 5
    for stop_at in (1, 2, asked // 4, asked // 2, asked - 1):
        calls = 0

        def cancel(limit: int = stop_at) -> bool:
            nonlocal calls
            calls += 1
            return calls >= limit

        with pytest.raises(Cancelled):
            engine.build(cancel=cancel)
        assert calls == stop_at
        assert engine.last is first
    after = engine.build()
    assert "2026/11/02/index.html" in after.changed
    assert _files(after) == _files(render_site(load_config(root), today=TODAY))
    assert _files(after) == _files(made)


def test_a_heatmap_is_drawn_again_only_when_its_days_change(tmp_path: Path) -> None:
    """The stats page's year heatmaps are kept by everything they are drawn from: after
    an entry written in one year, the other years' are reused, and the page is still
    what a clean build makes."""
    from journal_site.pages.progress import year_heatmaps

    root = tmp_path
    content = root / "content"
    content.mkdir()
    for year in (2024, 2025, 2026):
        (content / f"{year}-03-0{year - 2023}.md").write_text(ENTRY.format(title=f"In {year}"))
    engine = Engine(load_config(root), today=TODAY, keep=True)
    before = {view.heatmap.label: view for view in year_heatmaps(engine.build().model)}
    (content / "2025-06-01.md").write_text(ENTRY.format(title="Later in 2025"))
    edited = engine.build()
    after = {view.heatmap.label: view for view in year_heatmaps(edited.model)}
    assert after["2024"] is before["2024"] and after["2026"] is before["2026"]
    assert after["2025"] is not before["2025"]
    assert (after["2025"].heatmap.days_written, before["2025"].heatmap.days_written) == (2, 1)
    clean = render_site(load_config(root), today=TODAY)
    assert _files(edited)["stats/index.html"] == _files(clean)["stats/index.html"]


def test_the_stats_page_is_made_again_only_when_what_it_counts_changes(tmp_path: Path) -> None:
    """The stats page is named by what it counts, not by the whole journal: a win
    reworded and a title changed leave it as it was (its key the same, so not rendered
    again), a win added makes it again, and it is always what a clean build makes."""
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    first = engine.build()
    entry = root / "content" / "2026-11-02.md"
    entry.write_text(ENTRY.format(title="Renamed").replace("Spoke up", "Spoke up first"))
    reworded = engine.build()
    assert "2026/11/02/index.html" in reworded.changed
    assert "stats/index.html" not in reworded.changed
    assert reworded.keys["stats/index.html"] == first.keys["stats/index.html"]
    clean = render_site(load_config(root), today=TODAY)
    assert _files(reworded)["stats/index.html"] == _files(clean)["stats/index.html"]

    entry.write_text(ENTRY.format(title="Renamed").replace("[Spoke up]", "[Spoke up, Asked]"))
    added = engine.build()
    assert "stats/index.html" in added.changed
    page = _files(added)["stats/index.html"]
    assert b"<dt>Wins</dt><dd>4</dd>" in page
    assert page == _files(render_site(load_config(root), today=TODAY))["stats/index.html"]


def test_pages_planned_in_a_second_process_are_the_same(tmp_path: Path, monkeypatch) -> None:
    """A build that no writer waits for plans the entry and review pages in a forked
    process on a big journal (here: any journal); its site is byte for byte a clean
    build's, after a change to the model too, and its plans serve the next build."""
    from journal_site.engine import make as make_module
    from journal_site.engine import plan as plan_module

    root = _site(tmp_path / "site", days=24)
    monkeypatch.setattr(plan_module, "MIN_PLANNED_BESIDE", 0)
    monkeypatch.setattr(make_module, "MIN_APART_PAGES", 10**6)  # no render helper
    forks = []
    os.register_at_fork(after_in_parent=lambda: forks.append(1))
    build(load_config(root), today=TODAY)
    assert forks  # nothing else forks for 24 entries (see parallel.py)
    assert tree(root / "public") == _clean(root, tmp_path / "clean-1")
    entry = root / "content" / "2026-11-12.md"
    entry.write_text(entry.read_text().replace("[Spoke up]", "[Spoke up, Said no]"))
    build(load_config(root), today=TODAY)
    assert tree(root / "public") == _clean(root, tmp_path / "clean-2")
    (root / "content" / "2026-11-20.md").write_text(ENTRY.format(title="Day 20") + "More.\n")
    store = Store(root / CACHE_DIR_NAME, code_version())
    try:
        body_edit = Engine(load_config(root), today=TODAY, store=store).build()
    finally:
        store.close()
    assert body_edit.stats["plans_reused"] == len(everything().builders)
    assert _files(body_edit) == _files(render_site(load_config(root), today=TODAY))
    # While it waits for the second process, the build compiles the templates; one that
    # does not compile is still reported by the page that uses it, with its line.
    (root / "templates").mkdir()
    (root / "templates" / "tags.html").write_text('{% extends "base.html" %}\n{% if %}\n')
    entry.write_text(entry.read_text().replace("[Spoke up, Said no]", "[Spoke up]"))
    with pytest.raises(JournalError) as caught:
        build(load_config(root), today=TODAY)
    assert "templates/tags.html:2" in str(caught.value)


def test_pages_rendered_by_a_helper_process_are_the_same(tmp_path: Path, monkeypatch) -> None:
    """A build that nothing can stop renders beside a forked helper: from a few pages on
    the pages that may show win cards here and the others there (``MIN_APART_PAGES``),
    from many on over a queue that all processes take from (``MIN_PARALLEL_PAGES``,
    here from a few). Either way the site is a clean build's, and the win cards a
    helper rendered are kept in the store as if this process had made them."""
    from journal_site import parallel
    from journal_site.engine import make as make_module

    forks: list[int] = []
    os.register_at_fork(after_in_parent=lambda: forks.append(1))

    def build_and_cards(root: Path) -> tuple[dict[str, bytes], set[str], int]:
        before = len(forks)
        build(load_config(root), today=TODAY)
        store = Store(root / CACHE_DIR_NAME, code_version())
        try:
            rows = store._read("SELECT key FROM fragments")
        finally:
            store.close()
        return tree(root / "public"), {key for (key,) in rows}, len(forks) - before

    apart = build_and_cards(_site(tmp_path / "apart", days=12))
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 8)
    queued = build_and_cards(_site(tmp_path / "queued", days=12))
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 10**6)
    monkeypatch.setattr(make_module, "MIN_APART_PAGES", 10**6)
    alone = build_and_cards(_site(tmp_path / "alone", days=12))
    # Every build of a new journal forks, when there is a core for it, one process that
    # parses its few files (parsing.parse_started) and one that compiles the templates
    # (engine/ahead.py); a build that renders apart forks one helper more.
    others = 2 if parallel.worker_count() >= 2 else 0
    assert alone[2] == others
    if parallel.worker_count() >= 2:  # one core: every page is made here
        assert apart[2] == others + 1 and queued[2] >= others + 1
    clean = _clean(tmp_path / "alone", tmp_path / "clean")
    assert apart[0] == queued[0] == alone[0] == clean
    assert apart[1] == queued[1] == alone[1] and alone[1]


def test_the_pages_of_a_changed_source_come_first(tmp_path: Path) -> None:
    """``first``: what the live preview shows at once is made before anything else."""
    root = _site(tmp_path, days=6)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    (root / "content" / "2026-11-04.md").write_text(ENTRY.format(title="Now"))
    made: list[str] = []
    result = engine.build(first=["2026-11-04.md"], on_output=lambda path, data: made.append(path))
    assert made[0] == "2026/11/04/index.html"
    assert set(made) <= result.changed
    assert _files(result) == _files(render_site(load_config(root), today=TODAY))


def test_a_template_edit_renders_again_and_parses_nothing(tmp_path: Path) -> None:
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    theme = REPO / "themes" / "default" / "templates"
    (root / "templates").mkdir()
    original = (theme / "entry.html").read_text()
    (root / "templates" / "entry.html").write_text(
        original.replace("</article>", "<p>overridden</p></article>")
    )
    result = engine.build()
    assert result.stats["files_parsed"] == 0
    assert b"overridden" in _files(result)["2026/11/01/index.html"]
    assert _files(result) == _files(render_site(load_config(root), today=TODAY))


def test_a_template_edit_makes_only_the_pages_that_may_read_it(tmp_path: Path) -> None:
    """A page is keyed by the templates its own extends, includes or imports (followed
    to the end) and those the win cards it shows render; nothing else."""
    root = _site(tmp_path)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    theme = REPO / "themes" / "default" / "templates"
    (root / "templates" / "partials").mkdir(parents=True)

    def override(name: str, marker: str) -> set[str]:
        original = (theme / name).read_text()
        (root / "templates" / name).write_text(original + f"{{# {marker} #}}\n")
        made: list[str] = []
        result = engine.build(on_output=lambda path, _: made.append(path))
        assert _files(result) == _files(render_site(load_config(root), today=TODAY))
        return set(made)

    assert override("stats.html", "one") == {"stats/index.html"}
    # The win card is rendered by win_card() on the wins wall, tag and goal pages.
    cards = override("partials/win_card.html", "two")
    assert {"wins/index.html", "wins/2026/index.html", "tags/work/index.html"} <= cards
    assert not any(path.startswith("2026/") for path in cards)
    # A partial named in partial("...") counts as an include: the wins wall's days.
    days = override("partials/wall_days.html", "four")
    assert {"wins/index.html", "wins/2026/index.html"} <= days
    assert not any(path.startswith(("2026/", "tags/")) for path in days)
    # The base layout is read by every page.
    assert len(override("base.html", "three")) == engine.last.pages  # type: ignore[union-attr]


def test_a_partial_named_by_an_expression_may_read_any_template(tmp_path: Path) -> None:
    """``partial`` called with a name it cannot read in the source, or handed on under
    another name, keys its page by every template."""
    from journal_site.engine.templates import closure_digests
    from journal_site.theme import theme_files

    root = _site(tmp_path)
    (root / "templates").mkdir()
    calls = {
        "a.html": '{{ partial("b.html", x=1) }}',
        "b.html": "{{ x }}",
        "c.html": '{% set name = "b.html" %}{{ partial(name, x=1) }}',
        "d.html": "{% set p = partial %}{{ p('b.html') }}",
    }
    for name, text in calls.items():
        (root / "templates" / name).write_text(text)
    before, _, late = closure_digests(theme_files(load_config(root)))
    # A page of a template whose closure cannot be followed is never made late.
    assert "a.html" in late and "c.html" not in late and "d.html" not in late
    (root / "templates" / "stats.html").write_text("changed")
    after = closure_digests(theme_files(load_config(root)))[0]
    assert before["a.html"] == after["a.html"]  # it reads b.html alone
    assert before["c.html"] != after["c.html"] and before["d.html"] != after["d.html"]
    (root / "templates" / "b.html").write_text("{{ x }}!")
    assert closure_digests(theme_files(load_config(root)))[0]["a.html"] != after["a.html"]


def test_a_body_edit_plans_again_only_the_pages_that_show_bodies(tmp_path: Path) -> None:
    root = _site(tmp_path, days=28)
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    (root / "content" / "2026-11-03.md").write_text(ENTRY.format(title="Day 3") + "Quieter.\n")
    result = engine.build()
    # Stats, wins, lessons, tags and goals are made from summaries, which did not change:
    # their plans are the last build's.
    reused = result.stats["plans_reused"]
    assert reused > 0
    assert {"2026/11/03/index.html", "search/2026.json"} <= result.changed
    # The timeline shows the entry's card (its wins, not its body): made again, as its
    # key changed, with the same bytes. Nothing else is.
    assert result.changed <= {"2026/11/03/index.html", "search/2026.json", "timeline/index.html"}
    assert _files(result) == _files(render_site(load_config(root), today=TODAY))
    # A head edit (a win's text) changes the summaries: those builders plan again.
    (root / "content" / "2026-11-03.md").write_text(
        ENTRY.format(title="Day 3").replace("Spoke up", "Asked for help")
    )
    result = engine.build()
    assert result.stats["plans_reused"] < reused
    assert b"Asked for help" in _files(result)["wins/index.html"]
    assert _files(result) == _files(render_site(load_config(root), today=TODAY))


def test_entry_pages_are_planned_again_only_in_the_blocks_whose_inputs_changed(
    tmp_path: Path, monkeypatch
) -> None:
    """Entry pages are planned in blocks (pages.core.ENTRY_BLOCK), each named by the
    entries up to the one after its last page, or, when those changed, by what its
    pages show (the entries around them and the wins they recall): a new last entry
    plans again the last block alone, a win edited in the middle the blocks that show
    its entry or recall the win; the other pages' plans are the last build's, and the
    site is a clean build's."""
    from journal_site.pages import core

    root = _site(tmp_path, days=18)
    content = root / "content"
    whole = _files(render_site(load_config(root), today=TODAY))
    monkeypatch.setattr(core, "ENTRY_BLOCK", 4)
    # How pages are grouped changes nothing they show (a page reads its neighbours
    # across a block's edge).
    assert _files(render_site(load_config(root), today=TODAY)) == whole
    engine = Engine(load_config(root), today=TODAY, keep=True)
    first = engine.build()
    assert first.stats["pages_planned"] == _outputs(first)

    def entry_plans_kept() -> int:
        result = engine.build()
        assert _files(result) == _files(render_site(load_config(root), today=TODAY))
        return _outputs(result) - result.stats["pages_planned"]

    (content / "2026-11-19.md").write_text(ENTRY.format(title="Day 19"))
    assert entry_plans_kept() == 16  # blocks 1-16; 17-19 holds the new one's neighbour
    # Entry 10 is shown by the pages of 9 to 11 (as their neighbour) and no page recalls
    # a win (none has a setback): block 9-12 is planned again, no other.
    (content / "2026-11-10.md").write_text(
        ENTRY.format(title="Day 10").replace("Spoke up", "Asked for help")
    )
    assert entry_plans_kept() == 15
    # Entry 9 is also the next of page 8: block 5-8 is planned again too.
    (content / "2026-11-09.md").write_text(ENTRY.format(title="Day nine"))
    assert entry_plans_kept() == 11
    # A setback on the last entry, tagged as no win is: its page recalls the last
    # entries' wins (by the entry's tags), in its own block.
    setback = "setbacks:\n  - text: Froze in the meeting\n    tags: [rare]\n---"
    (content / "2026-11-19.md").write_text(
        ENTRY.format(title="Day 19").replace("---\nBody", setback + "\nBody")
    )
    assert entry_plans_kept() == 16
    # A win of entry 2 gets that tag: page 19 recalls it now. Blocks 1-4 (entry 2's
    # page and its neighbours') and 17-19 are planned again, 5-16 keep their plans,
    # though every entry after 2 reads it.
    rare = "wins:\n  - text: Spoke up\n    tags: [rare]"
    (content / "2026-11-02.md").write_text(
        ENTRY.format(title="Day 2").replace("wins: [Spoke up]", rare)
    )
    assert entry_plans_kept() == 12
    page = _files(engine.last)["2026/11/19/index.html"].decode()  # type: ignore[union-attr]
    assert "Spoke up" in page and "/2026/11/02/" in page


def test_review_pages_of_past_years_keep_their_plans_after_a_new_entry(tmp_path: Path) -> None:
    """The review pages are planned by kind and year, each block from the entries up to
    the first counted one after it: an entry added late in this year plans again this
    year's reviews (and all entry pages, one block here), never last year's."""
    root = tmp_path
    content = root / "content"
    content.mkdir()
    for name in ("2025-03-02.md", "2025-03-20.md", "2025-11-04.md", "2026-01-10.md"):
        (content / name).write_text(ENTRY.format(title=name))
    engine = Engine(load_config(root), today=TODAY, keep=True)
    engine.build()
    last_year = {
        path
        for path in engine.last.output.files  # type: ignore[union-attr]
        if path.startswith(("reviews/2025", "reviews/2024-W", "reviews/2025-"))
    }
    assert {"reviews/2025/index.html", "reviews/2025-03/index.html"} <= last_year
    (content / "2026-11-20.md").write_text(ENTRY.format(title="Late in the year"))
    result = engine.build()
    assert _outputs(result) - result.stats["pages_planned"] == len(last_year)
    assert _files(result) == _files(render_site(load_config(root), today=TODAY))


def _outputs(result: engine_site.SiteBuild) -> int:
    return result.stats["outputs_reused"] + result.stats["outputs_made"]


# -- `journal build`: only changed files are rewritten -----------------------------------


def test_rebuild_rewrites_only_changed_files(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", days=6)
    assert run_journal(*ARGS, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)

    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert file_ids(public) == before  # nothing changed: nothing written
    assert "files, none changed) in public/" in result.stdout

    (root / "content" / "2026-11-03.md").write_text(ENTRY.format(title="Edited title"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    changed = _changed(before, file_ids(public))
    assert "2026/11/03/index.html" in changed
    # Neighbours link to it by title; pages of entries far from it are untouched.
    assert {"2026/11/02/index.html", "2026/11/04/index.html"} <= changed
    assert "2026/11/06/index.html" not in changed
    assert not any(path.startswith("static/") for path in changed)

    (root / "content" / "2026-11-06.md").unlink()
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert not (public / "2026/11/06").exists()
    assert tree(public) == _clean(root, tmp_path / "clean")


def test_a_body_edit_rewrites_its_page_and_its_year_of_search_only(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", days=2)
    (root / "content" / "2025-06-01.md").write_text(ENTRY.format(title="Last June"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)
    entry = root / "content" / "2026-11-02.md"
    entry.write_text(ENTRY.format(title="Day 2") + "A zeppelin went by.\n")
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert _changed(before, file_ids(public)) == {"2026/11/02/index.html", "search/2026.json"}
    assert "files, 2 changed) in public/" in result.stdout  # what an upload sends
    assert b"zeppelin" in (public / "search/2026.json").read_bytes()
    assert tree(public) == _clean(root, tmp_path / "clean")


def test_a_body_edit_that_journal_serve_saw_first_is_written_by_the_next_build(
    tmp_path: Path,
) -> None:
    """``journal serve`` keeps the file stats it saw in the store and writes no folder:
    the next ``journal build`` finds the edited file unchanged against those stats, yet
    the page in ``public/`` is the one from before the edit, which it writes again
    (the outputs' inputs are read from the folder's keys only while the store's file
    stats are those it was written from: Store.files_as_written)."""
    root = _site(tmp_path / "site", days=3)
    assert run_journal(*ARGS, cwd=root).returncode == 0
    entry = root / "content" / "2026-11-02.md"
    entry.write_text(ENTRY.format(title="Day 2") + "A zeppelin went by.\n")
    store = Store(root / CACHE_DIR_NAME, code_version())
    try:  # as journal serve holds its engine (in memory, the store written)
        Engine(load_config(root), today=TODAY, store=store, keep=True).build(cancel=lambda: False)
        assert not store.files_as_written()
    finally:
        store.close()
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert b"zeppelin" in (root / "public" / "2026/11/02/index.html").read_bytes()
    assert tree(root / "public") == _clean(root, tmp_path / "clean")
    store = Store(root / CACHE_DIR_NAME, code_version())
    try:  # and the build that wrote the folder wrote the stats it read
        assert store.files_as_written()
    finally:
        store.close()


def test_a_new_entry_rewrites_the_first_timeline_page_only(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", days=10)
    (root / "journal.toml").write_text("per_page = 3\n")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)
    assert {"timeline/page/2/index.html", "timeline/page/3/index.html"} <= before.keys()
    (root / "content" / "2026-11-11.md").write_text(ENTRY.format(title="Day 11"))
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    changed = _changed(before, file_ids(public))
    assert "timeline/index.html" in changed and "2026/11/11/index.html" in changed
    assert not any(path.startswith("timeline/page/") for path in changed)
    assert tree(public) == _clean(root, tmp_path / "clean")


def test_new_code_makes_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing kept is used by other code: it may make other bytes of the same inputs."""
    root = _site(tmp_path)
    build(load_config(root), today=TODAY)
    shard = root / "public" / "search" / "2026.json"
    before = (shard.stat().st_ino, shard.stat().st_mtime_ns)
    # New code, wherever its version is asked for (the engine, and build.py's digest of
    # the inputs, which would otherwise find nothing changed).
    monkeypatch.setattr(engine_site, "code_version", lambda: "a-newer-version")
    monkeypatch.setattr(engine_store, "code_version", lambda: "a-newer-version")
    engine = Engine(load_config(root), today=TODAY, store=None)
    assert engine.build().stats["files_parsed"] == 3
    build(load_config(root), today=TODAY)
    assert (shard.stat().st_ino, shard.stat().st_mtime_ns) != before


def test_hand_edited_output_is_repaired(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert run_journal(*ARGS, cwd=root).returncode == 0
    page = root / "public" / "2026/11/02/index.html"
    good = page.read_bytes()
    page.write_bytes(b"scribbled over")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert page.read_bytes() == good
    (root / "public" / "stray.html").write_text("mine")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert page.read_bytes() == good
    # With an entry edited too (a build that looks at the output folder beside the
    # engine's work): the page scribbled over and the page deleted are made again.
    page.write_bytes(b"scribbled over again")
    neighbour = root / "public" / "2026/11/03/index.html"
    neighbour.unlink()
    (root / "content" / "2026-11-01.md").write_text(ENTRY.format(title="Edited"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    built = tree(root / "public")
    assert built.pop("stray.html") == b"mine"  # not the build's: left alone
    assert built == _clean(root, tmp_path / "clean")
    assert b"Edited" in page.read_bytes() and neighbour.is_file()


def test_a_page_gone_from_output_and_store_is_made_again(tmp_path: Path) -> None:
    root = _site(tmp_path)
    assert run_journal(*ARGS, cwd=root).returncode == 0
    page = root / "public" / "2026/11/02/index.html"
    good = page.read_bytes()
    page.unlink()
    db = sqlite3.connect(root / CACHE_DIR_NAME / STORE_NAME)
    db.execute("DELETE FROM pages")
    db.commit()
    db.close()
    (root / "content" / "2026-11-04.md").write_text(ENTRY.format(title="Changed"))
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert page.read_bytes() == good
    assert b"Changed" in (root / "public" / "2026/11/04/index.html").read_bytes()


def test_a_store_deleted_or_moved_only_costs_speed(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    shutil.rmtree(root / CACHE_DIR_NAME)
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Changed"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    # The store of another copy of the site (its output folder elsewhere).
    other = tmp_path / "other"
    shutil.copytree(root, other)
    (other / "content" / "2026-11-01.md").write_text(ENTRY.format(title="Other"))
    result = run_journal(*ARGS, cwd=other)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == _clean(root, tmp_path / "clean")
    assert tree(other / "public") == _clean(other, tmp_path / "clean-other")


def test_interrupted_update_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed while it renames new files into place (a BaseException, no
    clean-up): the next build restores the previous site first, then builds."""
    from journal_site import write_changes

    root = _site(tmp_path / "site", days=24)
    config = load_config(root)
    build(config, today=TODAY)
    public = root / "public"
    previous = tree(public)
    for day in (2, 4):
        (root / "content" / f"2026-11-0{day}.md").write_text(ENTRY.format(title=f"New {day}"))

    kill_on_second_rename(monkeypatch)
    with pytest.raises(Killed):
        build(config, today=TODAY)
    monkeypatch.undo()
    assert tree(public) != previous  # half applied, each file whole
    write_changes.recover(public)
    assert tree(public) == previous
    # The store forgot the output folder's manifest before touching it: a build now
    # neither trusts the half-written folder nor skips the work.
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert b"New 2" in (public / "2026/11/02/index.html").read_bytes()
    assert tree(public) == _clean(root, tmp_path / "clean")
    assert not any(p.name.endswith(".txn") for p in root.iterdir())


def test_an_interrupted_update_left_as_it_is_is_recovered_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(tmp_path / "site", days=24)
    build(load_config(root), today=TODAY)
    for day in (2, 4):
        (root / "content" / f"2026-11-0{day}.md").write_text(ENTRY.format(title=f"New {day}"))
    kill_on_second_rename(monkeypatch)
    with pytest.raises(Killed):
        build(load_config(root), today=TODAY)
    monkeypatch.undo()
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def test_failed_build_leaves_output_and_store_untouched(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    before, ids = tree(root / "public"), file_ids(root / "public")
    entry = root / "content" / "2026-11-02.md"
    good = entry.read_bytes()
    entry.write_text("---\nmood: eleven\n---\n")
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 1
    assert "content/2026-11-02.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(root / "public") == before and file_ids(root / "public") == ids
    entry.write_bytes(good)
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == before


def test_a_no_change_build_reports_what_the_build_before_it_did(tmp_path: Path) -> None:
    """Nothing is loaded when nothing changed, but the summary and the warnings are the same."""
    root = _site(tmp_path / "site")
    (root / "content" / "2026-12-01.md").write_text(ENTRY.format(title="Ahead"))
    outside = tmp_path / "elsewhere.md"
    outside.write_text(ENTRY.format(title="Elsewhere"))
    (root / "content" / "2026-11-20.md").symlink_to(outside)
    first = run_journal(*ARGS, cwd=root)
    second = run_journal(*ARGS, cwd=root)
    assert first.returncode == second.returncode == 0
    for result in (first, second):
        assert "warning: content/2026-12-01.md: is dated 2026-12-01, after today" in result.stderr
        assert "warning: content/2026-11-20.md: is a link to a file outside" in result.stderr
        assert "Built 4 entries into" in result.stdout
    assert first.stderr == second.stderr
    summary = first.stdout.split(" files, ")[0]  # entries, pages, files
    assert second.stdout.startswith(summary + " files, none changed) in public/")


def test_a_file_saved_just_before_a_build_is_read_by_the_next_one_that_finds_nothing_new(
    tmp_path: Path,
) -> None:
    """A file changed less than two seconds before a build cannot be vouched for by its
    time: a save can change it again within the same time stamp, keeping its size. The
    next build that finds every name, size and time as they were reads such a file, and
    takes the short way (the engine not even imported) only if it holds the bytes the
    build before read."""
    root = _site(tmp_path / "site")  # every file written just now
    entry = root / "content" / "2026-11-02.md"

    def build_watched() -> tuple[str, str]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "journal_site", *ARGS],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr

    assert run_journal(*ARGS, cwd=root).returncode == 0
    out, imports = build_watched()
    assert "none changed" in out and "journal_site.engine.site" not in imports

    before = entry.stat()
    entry.write_text(ENTRY.format(title="Day X"))  # the same size as "Day 2"
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert entry.stat().st_size == before.st_size
    out, imports = build_watched()
    assert "journal_site.engine.site" in imports and "none changed" not in out
    assert "Day X" in (root / "public" / "2026" / "11" / "02" / "index.html").read_text()


def test_moving_today_forward_builds_what_a_clean_build_of_that_day_does(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    later = (TODAY + dt.timedelta(days=3)).isoformat()
    result = run_journal("build", "--today", later, cwd=root)
    assert result.returncode == 0, result.stderr
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    assert run_journal("build", "--today", later, cwd=clean).returncode == 0
    assert tree(root / "public") == tree(clean / "public")


# -- bigger journals -----------------------------------------------------------------------


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_a_build_over_all_cores_writes_what_a_build_on_one_core_writes(tmp_path: Path) -> None:
    # 700 entries: more files to parse and pages to render than a build does in one
    # process, so on this machine's cores it parses and renders in a pool; pinned to
    # one core, the same command does everything in one process.
    first = make_corpus(tmp_path / "cores" / "content", 700).parent
    second = tmp_path / "one-core"
    shutil.copytree(first / "content", second / "content")
    command = [sys.executable, "-m", "journal_site", *ARGS]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    one_core = min(os.sched_getaffinity(0))
    for root, pin in ((first, None), (second, lambda: os.sched_setaffinity(0, {one_core}))):
        result = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, preexec_fn=pin
        )
        assert result.returncode == 0, result.stderr
    built, built_on_one_core = tree(first / "public"), tree(second / "public")
    assert len(built) > 700
    assert built == built_on_one_core


@pytest.mark.slow
def test_incremental_builds_are_byte_identical_on_a_big_corpus(tmp_path: Path) -> None:
    root = tmp_path / "big"
    make_corpus(root / "content", 4000)
    assert run_journal(*ARGS, cwd=root).returncode == 0
    # A day's work: one entry's head edited, one added, one touched without change.
    entries = sorted((root / "content").glob("*.md"))
    edited = entries[1234]
    edited.write_text(edited.read_text().replace("---\n", "---\nmood: 5\n", 1) + "\nMore.\n")
    (root / "content" / "2026-11-25.md").write_text(ENTRY.format(title="Today"))
    os.utime(entries[42])
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    _assert_as_clean(root)
    # Then only text: three entries' bodies (the newest, which home shows, among them).
    for path in (entries[7], entries[2500], root / "content" / "2026-11-25.md"):
        path.write_text(path.read_text() + "\nA line added later.\n")
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    _assert_as_clean(root)


def _assert_as_clean(root: Path) -> None:
    clean = _files(render_site(load_config(root), today=TODAY))
    on_disk = tree(root / "public")
    assert on_disk.keys() == clean.keys()
    for path, data in clean.items():
        assert on_disk[path] == data, path


def test_the_builders_named_are_those_the_page_modules_list() -> None:
    """``selection.builders`` names the builders (imported when first run): they are the page
    modules' own, in order, held under the names the functions have."""
    from journal_site.engine.rows import builder_name
    from journal_site.engine.selection import builders
    from journal_site.pages import collections, core, progress, reviews

    named = builders()
    functions = [getattr(importlib.import_module(b.module), b.name) for b in named]  # type: ignore[attr-defined]
    assert functions == [
        core.home_page,
        core.timeline_page_list,
        core.entry_pages,
        progress.stats_page,
        *collections.SUMMARY_BUILDERS,
        *reviews.REVIEW_BUILDERS,
        collections.search_page,
    ]
    assert [builder_name(b) for b in named] == [builder_name(f) for f in functions]
