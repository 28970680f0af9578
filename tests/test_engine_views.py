"""Views kept as data (engine/views.py) and the model made only when asked for
(engine/model_of.py): a body edit in a new build (a new ``journal build`` process)
makes its pages from the views the store keeps, without making the model, and the
site is a clean build's, byte for byte; whatever a view cannot hold, or a view that
does not come back whole, costs a model, never a wrong page."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, clean_tree, make_corpus, run_journal, tree

from journal_site.build import render_site
from journal_site.config import load_config
from journal_site.engine.keys import Fingerprinter
from journal_site.engine.model_of import Facts
from journal_site.engine.rows import row_of
from journal_site.engine.site import Engine, SiteBuild
from journal_site.engine.store import CACHE_DIR_NAME, STORE_NAME, Store, code_version
from journal_site.engine.views import HeldViews, decode_output, encode_output, view_of
from journal_site.errors import Problem
from journal_site.late_number import WinNumber
from journal_site.pages import Body, Deferred, Earlier, Page, Record
from journal_site.text import slugify

TODAY = dt.date(2026, 11, 25)
ARGS = ("build", "--today", TODAY.isoformat())
THEME = REPO / "themes" / "default" / "templates"


def _journal(root: Path, entries: int = 90) -> Path:
    make_corpus(root / "content", entries)
    return root


def _new_build(root: Path) -> SiteBuild:
    """A build by a new engine over the site's store, as a new ``journal build`` makes
    it (its pages made in this process)."""
    engine = Engine(
        load_config(root), today=TODAY, store=Store(root / CACHE_DIR_NAME, code_version())
    )
    return engine.build(cancel=lambda: False)


def _bytes(result: SiteBuild) -> dict[str, bytes]:
    return {
        path: data if isinstance(data, bytes) else Path(str(data)).read_bytes()
        for path, data in result.output.files.items()
        if isinstance(data, bytes | Path)
    }


def _clean(root: Path) -> dict[str, bytes]:
    return _bytes(render_site(load_config(root), today=TODAY))


def _edit_body(root: Path, part: int = 2, line: str = "One more line.") -> Path:
    """A line added to the text of the entry at the ``part``-th of the journal (1: the
    newest)."""
    files = sorted((root / "content").glob("*.md"))
    entry = files[len(files) // part if part > 1 else -1]
    entry.write_text(entry.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return entry


def test_a_body_edit_makes_its_pages_from_kept_views_without_a_model(tmp_path: Path) -> None:
    root = _journal(tmp_path)
    _new_build(root)
    for round_ in range(3):
        _edit_body(root, part=2 + round_, line=f"Edited in round {round_}.")
        result = _new_build(root)
        assert result.stats["model_made"] is False
        assert result.stats["outputs_made"] >= 3  # its page, its timeline page, its shard
        assert result.stats["views_used"] == result.stats["outputs_made"]
        assert _bytes(result) == _clean(root)
    # What the build did not make, it knows from the store: the count and the warnings.
    assert result.entries == 90 and result.today == TODAY
    assert result.model.entries[-1].day <= TODAY  # and the model is made when asked


_MODULES_LOADED = """
import datetime as dt, json, os, sys
from pathlib import Path
from journal_site.build import build
from journal_site.config import load_config
build(load_config(Path(".")), today=dt.date.fromisoformat(sys.argv[1]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("journal_site."))))
"""


def test_a_body_edit_imports_no_page_builder(tmp_path: Path) -> None:
    """The builders are named, not imported (selection.builders): a build whose plans are all
    held imports none of the page modules, the aggregates only they use or the charts;
    one that plans does."""
    root = _journal(tmp_path)

    def modules() -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", _MODULES_LOADED, TODAY.isoformat()],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        )
        return set(json.loads(done.stdout.splitlines()[-1]))

    builders = {"journal_site.pages.collections", "journal_site.pages.reviews"}
    assert builders <= modules()  # the first build plans everything
    _edit_body(root)
    loaded = modules()
    # (A view names what it holds: an entry page's the recalled wins of its module.)
    heavy = {f"journal_site.aggregate.{name}" for name in ("reviews", "stats", "tags", "wins")}
    heavy |= {
        *builders,
        "journal_site.pages.progress",
        "journal_site.pages.wall",
        "journal_site.charts",
    }
    assert not loaded & heavy
    assert tree(root / "public") == clean_tree(root, tmp_path / "clean", *ARGS)


def test_a_change_to_any_head_makes_the_model(tmp_path: Path) -> None:
    root = _journal(tmp_path)
    _new_build(root)
    entry = _edit_body(root)
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("title:", "title: Renamed,", 1), encoding="utf-8")
    result = _new_build(root)
    assert result.stats["model_made"] is True
    assert _bytes(result) == _clean(root)


def test_an_entry_that_links_to_another_has_its_links_from_the_model(tmp_path: Path) -> None:
    root = _journal(tmp_path)
    files = sorted((root / "content").glob("*.md"))
    target = files[10].stem
    entry = files[40]
    entry.write_text(entry.read_text(encoding="utf-8") + f"\nSee [[{target}]].\n", "utf-8")
    _new_build(root)
    _edit_body(root, part=1, line="x")  # the newest entry, on the home page too
    entry.write_text(entry.read_text(encoding="utf-8") + "\nAnd again.\n", encoding="utf-8")
    result = _new_build(root)
    assert result.stats["model_made"] is True  # its links need the entries' URLs
    assert _bytes(result) == _clean(root)


def test_a_view_that_does_not_read_or_does_not_digest_to_its_skeleton_is_not_used(
    tmp_path: Path,
) -> None:
    root = _journal(tmp_path)
    _new_build(root)
    db = sqlite3.connect(root / CACHE_DIR_NAME / STORE_NAME)
    with db:
        rows = db.execute("SELECT skeleton, data FROM views").fetchall()
        assert len(rows) > 90  # every entry's page, the timeline's, home, the shards
        for number, (skeleton, data) in enumerate(rows):
            view = json.loads(data)
            if number % 2 or view[0] != "p":
                data = data[: len(data) // 2]  # does not read
            else:  # reads, as another page: its own template swapped for home's
                view[1]["R"][1][1] = "home.html"
                data = json.dumps(view)
            db.execute("UPDATE views SET data = ? WHERE skeleton = ?", (data, skeleton))
    db.close()
    for part in (2, 3, 4):
        _edit_body(root, part=part)
    result = _new_build(root)
    assert result.stats["views_used"] == 0 and result.stats["model_made"] is True
    assert _bytes(result) == _clean(root)


def test_journal_build_after_body_edits_writes_a_clean_builds_site(tmp_path: Path) -> None:
    """The real command, with a theme override in place: an edit in a new process each
    time, and the output folder equals a clean build's."""
    root = _journal(tmp_path / "site")
    override = root / "templates" / "entry.html"
    override.parent.mkdir(parents=True)
    text = (THEME / "entry.html").read_text(encoding="utf-8")
    override.write_text(text.replace("{{ body | safe }}", "{{ body | safe }}<p>[kept]</p>"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    for part in (2, 5):
        _edit_body(root, part=part)
        done = run_journal(*ARGS, cwd=root)
        assert done.returncode == 0, done.stderr
    assert tree(root / "public") == clean_tree(root, tmp_path / "clean", *ARGS)
    page = next((root / "public").glob("20*/*/*/index.html"))
    assert b"<p>[kept]</p>" in page.read_bytes()


# -- the codec ---------------------------------------------------------------------------


def test_every_page_that_shows_bodies_comes_back_with_its_own_skeleton(tmp_path: Path) -> None:
    """Every output of a whole site that has references, kept and read back, digests
    to the skeleton it was kept under."""
    root = _journal(tmp_path, 150)
    engine = Engine(load_config(root), today=TODAY)
    engine.build()
    model = engine.last.model  # type: ignore[union-attr]
    tokens: dict[int, tuple[object, str]] = {}
    for held in engine._parsed.values():
        tokens.update(held.named())
    fingerprinter = Fingerprinter(tokens)
    kept: dict[str, str] = {}
    items = []
    for builder in engine.selection.builders:
        for item in builder(model):
            row = row_of(fingerprinter, item)
            for skeleton, data in view_of(fingerprinter, row, item, kept):
                kept[skeleton] = data
                items.append((item, skeleton))
    assert len(items) > 150  # the entry pages, the timeline's, home, the search shards
    # A new build's fingerprinter, which knows the summaries a view names once it reads
    # them.
    views = HeldViews(_Kept(kept), engine._parsed, Fingerprinter({}))
    for item, skeleton in items:
        back = views.get(skeleton, item.path)
        assert back is not None, item.path
        assert type(back) is type(item)
    assert views.used == len(items)


class _Kept:
    """Views kept in a dict (as the store keeps them)."""

    def __init__(self, views: dict[str, str]) -> None:
        self.views = views

    def view(self, skeleton: str) -> str | None:
        return self.views.get(skeleton)

    def view_skeletons(self) -> set[str]:
        return set(self.views)


def _page(*args: Any) -> Page:
    """A page whose view a function of the package makes (never called here)."""
    return Page("x/", "entry.html", Deferred(slugify, args), "content/x.md")


def _not_of_the_package() -> None:
    """A function a kept view cannot name: decoding imports only the package."""


@pytest.mark.parametrize(
    "value",
    [
        (1, 2.5, True, None, "text", [1, (2, 3)], {"a": 1, 2: "b", (3, 4): [5]}),
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4), dt.time(5, 6), WinNumber(7)),
        (Body("a.md"), Record("a.md"), Problem("content/a.md", 3, "a problem"), slugify),
    ],
)
def test_plain_values_records_and_functions_come_back_as_they_were(value: tuple) -> None:
    page = _page(*value)
    text = encode_output(page, {})
    assert text is not None
    back = decode_output(text, page.path, lambda token: None)
    assert back == page
    assert [type(v) for v in back.view.args] == [type(v) for v in value]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        lambda: 1,
        _not_of_the_package,
        object(),
        b"bytes",
        Earlier((), 0, {}, None),
    ],
)
def test_a_value_a_view_cannot_hold_keeps_no_view(value: Any) -> None:
    assert encode_output(_page(value), {}) is None


def test_facts_that_do_not_read_are_none() -> None:
    facts = Facts("i", "d", 3, (Problem("content/a.md", None, "later"),))
    assert Facts.read(facts.text()) == facts
    for text in (None, "", "[", '["i", "d"]', '{"a": 1}', '["i", "d", "x", []]'):
        assert Facts.read(text) is None
