"""SiteBuilder: repeated builds of one site report what changed, and survive failures."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Killed, file_ids, kill_on_second_rename, make_corpus, tree

from journal_site.build import render_site
from journal_site.config import load_config
from journal_site.errors import JournalError
from journal_site.incremental import SiteBuilder

TODAY = dt.date(2026, 11, 25)

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


def test_first_build_reports_everything_then_nothing(tmp_path: Path) -> None:
    builder = SiteBuilder(load_config(_site(tmp_path)), today=TODAY)
    first = builder.build()
    assert first.changed == frozenset(first.output.files)
    assert "2026/11/02/index.html" in first.changed
    assert not first.removed
    second = builder.build()
    assert second.changed == frozenset()
    assert second.removed == frozenset()
    assert second.output.files == first.output.files


def test_edit_and_delete_are_reported(tmp_path: Path) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Renamed"))
    edited = builder.build()
    assert "2026/11/02/index.html" in edited.changed
    # The neighbours show the edited title in their previous/next links.
    assert {"2026/11/01/index.html", "2026/11/03/index.html"} <= edited.changed
    assert b"Renamed" in edited.output.files["2026/11/02/index.html"]  # type: ignore[operator]
    (root / "content" / "2026-11-03.md").unlink()
    deleted = builder.build()
    assert deleted.removed == {"2026/11/03/index.html"}


def test_failed_build_keeps_previous_state(tmp_path: Path) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    entry = root / "content" / "2026-11-02.md"
    good = entry.read_text()
    entry.write_text("---\nmood: eleven\n---\n")
    with pytest.raises(JournalError) as caught:
        builder.build()
    assert "content/2026-11-02.md" in str(caught.value)
    entry.write_text(good)
    again = builder.build()
    # Compared with the last good build, nothing changed.
    assert again.changed == frozenset()


# -- `journal build`: only changed files are rewritten -----------------------------------


def test_rebuild_rewrites_only_changed_files(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    root = _site(tmp_path, days=6)
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)

    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    assert file_ids(public) == before  # nothing changed: nothing written
    assert "files, none changed) in public/" in result.stdout

    (root / "content" / "2026-11-03.md").write_text(ENTRY.format(title="Edited title"))
    assert journal(*args, cwd=root).returncode == 0
    after = file_ids(public)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "2026/11/03/index.html" in changed
    # Neighbours link to it by title; pages of entries far from it are untouched.
    assert {"2026/11/02/index.html", "2026/11/04/index.html"} <= changed
    assert "2026/11/06/index.html" not in changed
    assert not any(path.startswith("static/") for path in changed)
    assert b"Edited title" in (public / "2026/11/03/index.html").read_bytes()

    (root / "content" / "2026-11-06.md").unlink()
    assert journal(*args, cwd=root).returncode == 0
    assert not (public / "2026/11/06").exists()
    # Byte for byte what a build without any cache makes.
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".journal-cache", "public"))
    assert journal(*args, cwd=fresh).returncode == 0
    assert tree(public) == tree(fresh / "public")


def test_a_body_edit_rewrites_its_page_and_its_year_of_search_only(
    tmp_path: Path, journal
) -> None:  # type: ignore[no-untyped-def]
    root = _site(tmp_path, days=2)
    (root / "content" / "2025-06-01.md").write_text(ENTRY.format(title="Last June"))
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)
    entry = root / "content" / "2026-11-02.md"
    entry.write_text(ENTRY.format(title="Day 2") + "A zeppelin went by.\n")
    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    after = file_ids(public)
    changed = {path for path in after if after[path] != before.get(path)}
    # The entry's page and its year's search shard. The timeline and home (it is
    # recent) show its card, which lists its wins rather than its body: made again
    # with the same bytes, so not written. The wins wall, tags and stats show no body.
    assert changed == {"2026/11/02/index.html", "search/2026.json"}
    assert "files, 2 changed) in public/" in result.stdout  # what an upload sends
    assert b"zeppelin" in (public / "search/2026.json").read_bytes()
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".journal-cache", "public"))
    assert journal(*args, cwd=fresh).returncode == 0
    assert tree(public) == tree(fresh / "public")


def test_a_new_entry_rewrites_the_first_timeline_page_only(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    root = _site(tmp_path, days=10)
    (root / "journal.toml").write_text("per_page = 3\n")
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    public = root / "public"
    before = file_ids(public)
    assert {"timeline/page/2/index.html", "timeline/page/3/index.html"} <= before.keys()
    (root / "content" / "2026-11-11.md").write_text(ENTRY.format(title="Day 11"))
    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    after = file_ids(public)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "timeline/index.html" in changed and "2026/11/11/index.html" in changed
    assert not any(path.startswith("timeline/page/") for path in changed)
    assert b"Day 11" in (public / "timeline/index.html").read_bytes()


def test_new_code_writes_the_search_index_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search shard the output folder holds is kept only if the same code made it:
    new code may make other records from the same entries."""
    from journal_site import cache
    from journal_site.build import build

    root = _site(tmp_path)
    build(load_config(root), today=TODAY)
    shard = root / "public" / "search" / "2026.json"
    before = (shard.stat().st_ino, shard.stat().st_mtime_ns)
    monkeypatch.setattr(cache, "_code_version", lambda: "a-newer-version")
    build(load_config(root), today=TODAY)
    assert (shard.stat().st_ino, shard.stat().st_mtime_ns) != before


def test_hand_edited_output_is_repaired(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    root = _site(tmp_path)
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    page = root / "public" / "2026/11/02/index.html"
    good = page.read_bytes()
    page.write_bytes(b"scribbled over")
    assert journal(*args, cwd=root).returncode == 0
    assert page.read_bytes() == good


def test_a_page_gone_from_output_and_cache_is_made_again(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    """A rebuild does not fetch pages the output folder already holds; one that turns
    out to be missing there, and from the page cache too, is rendered again."""
    root = _site(tmp_path)
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    page = root / "public" / "2026/11/02/index.html"
    good = page.read_bytes()
    page.unlink()
    for pack in (root / ".journal-cache").glob("pages.*"):
        pack.unlink()
    (root / "content" / "2026-11-04.md").write_text(ENTRY.format(title="Changed"))
    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    assert page.read_bytes() == good
    assert b"Changed" in (root / "public" / "2026/11/04/index.html").read_bytes()


def test_interrupted_update_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed while it renames new files into place: the next build restores
    the previous site first (here the kill is a BaseException with no cleanup)."""
    from journal_site import writer
    from journal_site.build import build

    root = _site(tmp_path, days=24)
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
    assert tree(public) != previous  # half-applied, each file whole
    assert (tmp_path / ".public.txn" / "plan.json").exists() or any(
        p.name.endswith(".txn") for p in root.iterdir()
    )
    writer.recover(public)
    assert tree(public) == previous
    build(config, today=TODAY)
    assert b"New 2" in (public / "2026/11/02/index.html").read_bytes()
    assert not any(p.name.endswith(".txn") for p in root.iterdir())


def test_failed_build_leaves_output_untouched(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    root = _site(tmp_path)
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    before = tree(root / "public")
    (root / "content" / "2026-11-02.md").write_text("---\nmood: eleven\n---\n")
    result = journal(*args, cwd=root)
    assert result.returncode == 1
    assert "content/2026-11-02.md" in result.stderr
    assert tree(root / "public") == before


def test_a_no_change_build_reports_what_the_build_before_it_did(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    """Nothing is loaded when nothing changed, but the summary and the warnings are the same."""
    root = _site(tmp_path)
    (root / "content" / "2026-12-01.md").write_text(ENTRY.format(title="Ahead"))
    outside = tmp_path / "elsewhere.md"
    outside.write_text(ENTRY.format(title="Elsewhere"))
    (root / "content" / "2026-11-20.md").symlink_to(outside)
    args = ("build", "--today", TODAY.isoformat())
    first = journal(*args, cwd=root)
    second = journal(*args, cwd=root)
    assert first.returncode == second.returncode == 0
    for result in (first, second):
        assert "warning: content/2026-12-01.md: is dated 2026-12-01, after today" in result.stderr
        assert "warning: content/2026-11-20.md: is a link to a file outside" in result.stderr
        assert "Built 4 entries into" in result.stdout
    assert first.stderr == second.stderr
    summary = first.stdout.split(" files, ")[0]  # entries, pages, files
    assert second.stdout.startswith(summary + " files, none changed) in public/")


def test_quick_page_is_the_page_the_full_build_makes(tmp_path: Path) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    entry = root / "content" / "2026-11-02.md"
    entry.write_text(ENTRY.replace("Spoke up", "Asked for help").format(title="Day 2"))
    quick = builder.quick_page("2026-11-02.md")
    assert quick is not None
    path, html = quick
    assert path == "2026/11/02/index.html"
    assert b"Asked for help" in html
    full = builder.build()
    assert full.output.files[path] == html


@pytest.mark.parametrize(
    "text",
    [
        ENTRY.replace("title: {title}", "title: {title}\ndate: 2026-11-20"),  # moves
        ENTRY.replace("tags: [work]", "tags: [brand-new]"),  # a tag the site lacks
        ENTRY.replace("wins: [Spoke up]", "wins: [{{text: Ran, goal: nowhere}}]"),  # no such goal
        ENTRY.replace("tags: [work]", "tags: [work"),  # does not parse
        ENTRY.replace("title: {title}", "title: {title}\ndraft: true"),  # becomes a draft
    ],
)
def test_quick_page_leaves_to_the_full_build_what_reaches_beyond_the_page(
    tmp_path: Path, text: str
) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    (root / "content" / "2026-11-02.md").write_text(text.format(title="Day 2"))
    assert builder.quick_page("2026-11-02.md") is None
    assert builder.quick_page("2026-11-09.md") is None  # not an entry of the last build


# -- the 4,000-entry corpus ----------------------------------------------------------------


@pytest.mark.slow
def test_cached_build_is_byte_identical_on_a_big_corpus(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "big"
    make_corpus(root / "content", 4000)
    args = ("build", "--today", TODAY.isoformat())
    assert journal(*args, cwd=root).returncode == 0
    # A day's work: one entry edited, one added, one touched without change.
    entries = sorted((root / "content").glob("*.md"))
    edited = entries[1234]
    edited.write_text(edited.read_text().replace("---\n", "---\nmood: 5\n", 1) + "\nMore.\n")
    (root / "content" / "2026-11-25.md").write_text(ENTRY.format(title="Today"))
    os.utime(entries[42])
    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    _assert_as_uncached(root)
    # Then only text: three entries' bodies (the newest, which home shows, among them),
    # which `journal build` patches instead of building (a patch leaves a .delta file).
    for path in (entries[7], entries[2500], root / "content" / "2026-11-25.md"):
        path.write_text(path.read_text() + "\nA line added later.\n")
    result = journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    assert list((root / ".journal-cache").glob("*.delta"))
    _assert_as_uncached(root)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_a_build_over_all_cores_writes_what_a_build_on_one_core_writes(tmp_path: Path) -> None:
    # 700 entries: more files to parse (400) and pages to render (600) than a build
    # does in one process, so on this machine's cores it parses in a pool and renders
    # with processes taking pages from a shared counter; pinned to one core, the same
    # command parses and renders everything in one process.
    first = make_corpus(tmp_path / "cores" / "content", 700).parent
    second = tmp_path / "one-core"
    shutil.copytree(first / "content", second / "content")
    command = [sys.executable, "-m", "journal_site", "build", "--today", TODAY.isoformat()]
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


def _assert_as_uncached(root: Path) -> None:
    uncached = render_site(load_config(root), today=TODAY).output.files
    on_disk = tree(root / "public")
    assert on_disk.keys() == uncached.keys()
    for path, data in uncached.items():
        expected = data.read_bytes() if isinstance(data, Path) else data
        assert on_disk[path] == expected, path


@pytest.mark.slow
def test_cold_build_time_grows_linearly(tmp_path: Path, journal) -> None:  # type: ignore[no-untyped-def]
    """Twice the entries, at most a little more than twice the work.

    Measured as the CPU time of the build's whole process tree (the CLI and its pool
    workers): on a shared machine, wall time mostly measures the neighbours.
    """
    import resource

    sites = {n: make_corpus(tmp_path / f"c{n}" / "content", n).parent for n in (1000, 2000)}
    best = {n: float("inf") for n in sites}
    for _ in range(2):  # alternating, best of two
        for n, root in sites.items():
            shutil.rmtree(root / ".journal-cache", ignore_errors=True)
            shutil.rmtree(root / "public", ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert journal("build", "--today", TODAY.isoformat(), cwd=root).returncode == 0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best[n] = min(best[n], cpu)
    assert best[2000] / best[1000] < 2.5, best
