"""A build that writes every file begins its output folder from the store beside the
build (engine/prestage.py): a deploy on a host that keeps the store, or a build after
public/ was removed, writes the same bytes as a clean build and leaves nothing else."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, run_journal, tree

from journal_site.engine.prestage import Prestaged
from journal_site.engine.store import CACHE_DIR_NAME, STORE_NAME, Store

TODAY = dt.date(2026, 11, 28)
ARGS = ("build", "--today", TODAY.isoformat())
NEW_ENTRY = "---\ndate: 2026-11-27\nwins:\n  - Kept going\n---\nOne more day.\n"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is a fork")


def _built(root: Path) -> Path:
    shutil.copytree(FIXTURES / "private-journal", root)
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def _clone(site: Path, into: Path) -> Path:
    """A fresh clone of ``site`` (new file times, no public/) with its store restored."""
    shutil.copytree(site / "content", into / "content", copy_function=shutil.copyfile)
    shutil.copy(site / "journal.toml", into / "journal.toml")
    shutil.copytree(site / CACHE_DIR_NAME, into / CACHE_DIR_NAME)
    return into


def _clean(site: Path, into: Path) -> dict[str, bytes]:
    shutil.copytree(site, into, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    result = run_journal(*ARGS, cwd=into)
    assert result.returncode == 0, result.stderr
    return tree(into / "public")


def _folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def _mark_pages(site: Path, mark: bytes) -> None:
    """Every page the store keeps, with ``mark`` added: a build that writes a page from
    the store shows it."""
    with sqlite3.connect(site / CACHE_DIR_NAME / STORE_NAME) as db:
        rows = db.execute("SELECT key, data FROM pages").fetchall()
        db.executemany(
            "UPDATE pages SET data = ? WHERE key = ?",
            [(zlib.compress(zlib.decompress(data) + mark), key) for key, data in rows],
        )
    db.close()


def test_a_deploy_writes_a_clean_build_with_the_pages_the_store_keeps(tmp_path: Path) -> None:
    """A fresh clone after a new entry and a deleted one: the pages that did not change
    come from the store (marked there), the others are made; the folder of the deleted
    entry's page is gone, not left empty; nothing is left beside public/."""
    site = _built(tmp_path / "site")
    clone = _clone(site, tmp_path / "host" / "clone")
    (clone / "content" / "2026-11-27.md").write_text(NEW_ENTRY, encoding="utf-8")
    (clone / "content" / "2026" / "10" / "03.md").unlink()
    clean_root = tmp_path / "clean"
    clean = _clean(clone, clean_root)

    result = run_journal(*ARGS, cwd=clone)
    assert result.returncode == 0, result.stderr
    assert tree(clone / "public") == clean
    assert _folders(clone / "public") == _folders(clean_root / "public")
    assert sorted(p.name for p in clone.iterdir()) == [
        CACHE_DIR_NAME,
        "content",
        "journal.toml",
        "public",
    ]

    # The same deploy once more, with every kept page marked in the store: the pages
    # the new entry does not change are the store's, the others are made anew.
    _mark_pages(site, b"<!--KEPT-->")
    again = _clone(site, tmp_path / "host" / "again")
    (again / "content" / "2026-11-27.md").write_text(NEW_ENTRY, encoding="utf-8")
    (again / "content" / "2026" / "10" / "03.md").unlink()
    assert run_journal(*ARGS, cwd=again).returncode == 0
    pages = {p: d for p, d in tree(again / "public").items() if p.endswith(".html")}
    kept = {p for p, d in pages.items() if d.endswith(b"<!--KEPT-->")}
    assert kept and kept != set(pages)
    assert all(pages[p] == clean[p] for p in set(pages) - kept)
    assert all(pages[p] == clean[p] + b"<!--KEPT-->" for p in kept)


def test_a_build_after_public_was_removed_writes_a_clean_build(tmp_path: Path) -> None:
    """The same folder (a host that always builds in one place), public/ gone."""
    site = _built(tmp_path / "site")
    shutil.rmtree(site / "public")
    (site / "content" / "2026-11-27.md").write_text(NEW_ENTRY, encoding="utf-8")
    assert run_journal(*ARGS, cwd=site).returncode == 0
    assert tree(site / "public") == _clean(site, tmp_path / "clean")
    assert sorted(p.name for p in site.iterdir()) == [
        CACHE_DIR_NAME,
        "content",
        "journal.toml",
        "public",
    ]


def test_a_theme_override_makes_every_page_again_over_what_the_helper_wrote(
    tmp_path: Path,
) -> None:
    """Every key changes with a template: the helper's pages are all replaced."""
    site = _built(tmp_path / "site")
    clone = _clone(site, tmp_path / "clone")
    override = clone / "templates" / "base.html"
    override.parent.mkdir()
    theme = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates" / "base.html"
    override.write_text(theme.read_text(encoding="utf-8").replace("</body>", "<!--mine--></body>"))
    assert run_journal(*ARGS, cwd=clone).returncode == 0
    assert tree(clone / "public") == _clean(clone, tmp_path / "clean")
    assert b"<!--mine-->" in (clone / "public" / "index.html").read_bytes()


def test_a_build_that_fails_leaves_no_folder_behind(tmp_path: Path) -> None:
    site = _built(tmp_path / "site")
    clone = _clone(site, tmp_path / "clone")
    (clone / "content" / "2026-11-27.md").write_text("---\nmood: 9\n---\nToo much.\n")
    result = run_journal(*ARGS, cwd=clone)
    assert result.returncode == 1 and "mood" in result.stderr
    assert sorted(p.name for p in clone.iterdir()) == [CACHE_DIR_NAME, "content", "journal.toml"]


def test_the_helper_writes_only_plain_paths_inside_its_folder(tmp_path: Path) -> None:
    """The manifest in the store is data from disk: a path that would leave the folder,
    or name a hidden file, is not written."""
    store = Store(tmp_path / "cache", "v1")
    out_dir = tmp_path / "site" / "public"
    pages = {"k1": b"<p>one</p>", "k2": b"<p>two</p>", "k3": b"<p>three</p>"}
    store.save_pages(pages, set(pages))
    manifest = {
        "index.html": ("k1", 1, 1, 1),
        "wins/index.html": ("k1", 1, 1, 1),
        "a/b/c/index.html": ("k2", 1, 1, 1),
        "../escaped.html": ("k3", 1, 1, 1),
        ".hidden/index.html": ("k3", 1, 1, 1),
        "/absolute.html": ("k3", 1, 1, 1),
        "static/app.css": ("copy:somewhere", 1, 1, 1),
    }
    store.save_manifest(tmp_path / "elsewhere", manifest, {})
    prestaged = Prestaged(store, out_dir)
    try:
        assert dict(prestaged) == {
            "index.html": "k1",
            "wins/index.html": "k1",
            "a/b/c/index.html": "k2",
        }
        folder = prestaged.begun.folder
        assert folder.parent == out_dir.parent and folder.name.startswith(".public.new-")
        assert tree(folder) == {
            "index.html": b"<p>one</p>",
            "wins/index.html": b"<p>one</p>",
            "a/b/c/index.html": b"<p>two</p>",
        }
        assert not (tmp_path / "site" / "escaped.html").exists()
    finally:
        prestaged.close()
        store.close()
    assert not folder.exists()
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == []
