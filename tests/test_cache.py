"""The build cache: what is re-used, what is invalidated, and that damaged files are never trusted."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_site import cache
from journal_site.build import render_site
from journal_site.cache import PackStore, read_blob, write_blob
from journal_site.config import load_config
from journal_site.incremental import CACHE_DIR_NAME, SiteBuilder

TODAY = dt.date(2026, 11, 25)

ENTRY = """\
---
title: {title}
tags: [work, health]
wins:
  - Spoke up
  - text: Ran 3 km
    tags: [running]
setbacks:
  - text: Skipped lunch
    reframe: Pack it the night before
---
Body of {title}, with [a link](2026-11-01.md).
"""


def _site(root: Path, days: int = 4) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for day in range(1, days + 1):
        (content / f"2026-11-{day:02d}.md").write_text(ENTRY.format(title=f"Day {day}"))
    return root


def _build(root: Path) -> tuple[dict[str, bytes | Path], dict[str, int]]:
    """One build by a new builder, as a new `journal build` process would do it."""
    builder = SiteBuilder(load_config(root), today=TODAY, cache_dir=root / CACHE_DIR_NAME)
    rendered = builder.build()
    return rendered.output.files, builder.stats


def _uncached(root: Path) -> dict[str, bytes | Path]:
    return render_site(load_config(root), today=TODAY).output.files


# -- cache files -------------------------------------------------------------------------


def test_blob_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "state"
    write_blob(path, {"a": [1, 2, 3]})
    assert read_blob(path) == {"a": [1, 2, 3]}
    good = path.read_bytes()
    flipped = bytearray(good)
    flipped[-3] ^= 0xFF
    path.write_bytes(bytes(flipped))
    assert read_blob(path) is None  # checksum
    path.write_bytes(good[: len(good) // 2])
    assert read_blob(path) is None  # half-written
    path.write_bytes(b"XXXXXXX" + good[7:])
    assert read_blob(path) is None  # not ours
    assert read_blob(tmp_path / "missing") is None


def test_pack_store_round_trip_damage_and_settings(tmp_path: Path) -> None:
    store = PackStore(tmp_path, "things", ("v1",))
    store.put("a", "fa", b"alpha" * 100)
    store.put("b", "fb", b"beta" * 100)
    store.save({"a", "b"})
    again = PackStore(tmp_path, "things", ("v1",))
    assert again.get("a", "fa") == b"alpha" * 100
    assert again.get("a", "other fingerprint") is None
    assert PackStore(tmp_path, "things", ("v2",)).get("a", "fa") is None  # other settings
    again.close()
    # Damage one record: it is refused, the other is still served.
    (pack,) = tmp_path.glob("things.*.pack")
    data = bytearray(pack.read_bytes())
    data[3] ^= 0xFF
    pack.write_bytes(bytes(data))
    damaged = PackStore(tmp_path, "things", ("v1",))
    assert damaged.get("a", "fa") is None
    assert damaged.get("b", "fb") == b"beta" * 100
    damaged.close()
    # A truncated pack (interrupted write): records past the end are refused.
    pack.write_bytes(bytes(data[:600]))
    truncated = PackStore(tmp_path, "things", ("v1",))
    assert truncated.get("b", "fb") is None
    truncated.close()


# -- what a rebuild re-uses --------------------------------------------------------------


def test_unchanged_touched_edited_deleted_renamed(tmp_path: Path) -> None:
    root = _site(tmp_path)
    first, stats = _build(root)
    assert stats["files_parsed"] == 4
    assert stats["pages_rendered"] > 4

    again, stats = _build(root)
    assert stats["files_parsed"] == 0 and stats["pages_rendered"] == 0
    assert again == first

    entry = root / "content" / "2026-11-02.md"
    later = entry.stat().st_mtime_ns + 5_000_000_000
    os.utime(entry, ns=(later, later))  # touched, bytes unchanged: read, hashed, re-used
    _, stats = _build(root)
    assert stats["files_parsed"] == 0 and stats["pages_rendered"] == 0

    entry.write_text(ENTRY.format(title="Edited"))
    edited, stats = _build(root)
    assert stats["files_parsed"] == 1
    # The entry's own page and the pages that show it (here most pages: the journal is
    # tiny); not the page of day 4, which neither is nor shows day 2.
    assert stats["pages_rendered"] > 0 and stats["pages_reused"] > 0
    assert b"Edited" in edited["2026/11/02/index.html"]  # type: ignore[operator]
    assert edited == _uncached(root)

    (root / "content" / "2026-11-04.md").unlink()
    deleted, stats = _build(root)
    assert stats["files_parsed"] == 0
    assert "2026/11/04/index.html" not in deleted
    assert deleted == _uncached(root)

    (root / "content" / "2026-11-03.md").rename(root / "content" / "2026-11-05.md")
    renamed, stats = _build(root)
    assert stats["files_parsed"] == 1  # a new name is a new file
    assert "2026/11/05/index.html" in renamed
    assert renamed == _uncached(root)


def test_search_records_are_made_with_the_parse_and_kept_with_it(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    _, stats = _build(root)
    assert stats["files_parsed"] == 0
    entry = root / "content" / "2026-11-03.md"
    entry.write_text(ENTRY.format(title="Day 3") + "A zeppelin went by.\n")
    files, stats = _build(root)
    # The edited entry is parsed again, and its record made with it; the other three
    # records come from the cache with their entries.
    assert stats["files_parsed"] == 1
    assert b"zeppelin" in files["search/2026.json"]  # type: ignore[operator]
    assert files == _uncached(root)


def test_a_body_edit_plans_and_renders_only_the_pages_that_show_bodies(tmp_path: Path) -> None:
    root = _site(tmp_path, days=28)
    _, stats = _build(root)
    assert stats["plans_reused"] == 0
    assert stats["cards_rendered"] == 56  # two wins in each of 28 entries
    entry = root / "content" / "2026-11-03.md"
    entry.write_text(ENTRY.format(title="Day 3") + "A quieter day.\n")
    files, stats = _build(root)
    # Stats, wins, lessons, tags and goals are planned from the entries' heads, which
    # did not change: taken from the last build's plan, not planned or rendered again.
    # Rendered: the entry's page and the timeline page that shows its excerpt; not its
    # neighbours' pages (they show its title) nor home (it shows the six latest).
    assert stats["plans_reused"] == 5
    assert stats["pages_rendered"] == 2
    assert stats["cards_rendered"] == 0
    assert b"A quieter day." in files["2026/11/03/index.html"]  # type: ignore[operator]
    assert files == _uncached(root)

    # A head edit (a win's text) plans them all again; only that win's card is made
    # again (the others are kept between builds, in .journal-cache/).
    entry.write_text(ENTRY.format(title="Day 3").replace("Spoke up", "Asked for help"))
    files, stats = _build(root)
    assert stats["plans_reused"] == 0
    assert stats["cards_rendered"] == 1
    assert b"Asked for help" in files["wins/index.html"]  # type: ignore[operator]
    assert files == _uncached(root)


def test_each_kind_of_edit_builds_what_a_build_without_cache_builds(tmp_path: Path) -> None:
    """The kept plan and the checks skipped for known heads never leave a page stale:
    after each edit, the cached build is the uncached one, byte for byte."""
    root = _site(tmp_path, days=6)
    goals = root / "content" / "goals"
    goals.mkdir()
    (goals / "speak-up.md").write_text("---\ntitle: Speak up\nsteps: [Spoke up]\n---\n")
    content = root / "content"
    entry = content / "2026-11-03.md"
    with_goal = ENTRY.replace("  - Spoke up\n", "  - text: Spoke up\n    goal: speak-up\n")

    def edits() -> Iterator[tuple[str, dt.date]]:
        yield "first build", TODAY
        entry.write_text(ENTRY.format(title="Day 3") + "More words.\n")
        yield "a body", TODAY
        entry.write_text(with_goal.format(title="Day 3") + "More words.\n")
        yield "a win now serves a goal", TODAY
        (goals / "speak-up.md").write_text("---\ntitle: Speak up more\nsteps: [Spoke up]\n---\n")
        yield "the goal's title", TODAY
        entry.write_text(with_goal.format(title="Renamed day").replace("health", "rest"))
        yield "a title and a tag", TODAY
        yield "another day", TODAY + dt.timedelta(days=1)
        (root / "journal.toml").write_text('streak = "win"\n')
        yield "the streak rule", TODAY + dt.timedelta(days=1)
        (content / "2026-11-05.md").unlink()
        yield "an entry deleted", TODAY + dt.timedelta(days=1)

    for edit, today in edits():
        builder = SiteBuilder(load_config(root), today=today, cache_dir=root / CACHE_DIR_NAME)
        files = builder.build().output.files
        assert files == render_site(load_config(root), today=today).output.files, edit


def test_pages_planned_from_heads_show_no_body(tmp_path: Path) -> None:
    """A theme's win card that reaches for the entry's body finds it empty: the wall
    does not depend on bodies, which is what lets a body edit leave it alone."""
    root = _site(tmp_path)
    card = root / "templates" / "partials" / "win_card.html"
    card.parent.mkdir(parents=True)
    card.write_text(
        "<li>{{ rec.win.text }} [{{ rec.entry.text }}|{{ rec.entry.body_html }}]</li>\n"
    )
    files, _ = _build(root)
    wall = files["wins/index.html"]
    assert isinstance(wall, bytes)
    assert b"Spoke up [|]" in wall and b"Body of" not in wall
    assert b"Body of Day 2" in files["2026/11/02/index.html"]  # type: ignore[operator]


def test_template_edit_rerenders_pages_but_reparses_nothing(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    theme = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
    (root / "templates").mkdir()
    original = (theme / "entry.html").read_text()
    (root / "templates" / "entry.html").write_text(
        original.replace("</article>", "<p>overridden</p></article>")
    )
    files, stats = _build(root)
    assert stats["files_parsed"] == 0
    assert stats["pages_reused"] == 0  # any page may include any template
    assert b"overridden" in files["2026/11/01/index.html"]  # type: ignore[operator]
    assert files == _uncached(root)


def test_journal_toml_edits_invalidate_what_they_affect(tmp_path: Path) -> None:
    root = _site(tmp_path)
    _build(root)
    (root / "journal.toml").write_text('title = "Another title"\n')
    files, stats = _build(root)
    assert stats["files_parsed"] == 0  # the title does not change how Markdown renders
    assert stats["pages_reused"] == 0  # every page shows it
    assert b"Another title" in files["2026/11/01/index.html"]  # type: ignore[operator]
    (root / "journal.toml").write_text('title = "Another title"\nbase_url = "/journal/"\n')
    files, stats = _build(root)
    assert stats["files_parsed"] == 4  # links in bodies depend on the base path
    assert files == _uncached(root)


def test_new_package_version_invalidates_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(tmp_path)
    _build(root)
    monkeypatch.setattr(cache, "_code_version", lambda: "a-newer-version")
    files, stats = _build(root)
    assert stats["files_parsed"] == 4
    assert stats["pages_reused"] == 0
    assert files == _uncached(root)


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    root = _site(tmp_path)
    first, _ = _build(root)
    cache_dir = root / CACHE_DIR_NAME
    for pack in cache_dir.glob("*.pack"):
        data = bytearray(pack.read_bytes())
        for offset in range(0, len(data), 97):
            data[offset] ^= 0x5A
        pack.write_bytes(bytes(data))
    files, stats = _build(root)
    assert stats["files_parsed"] == 4
    assert stats["pages_reused"] == 0
    assert files == first
    # A cache folder holding rubbish everywhere: still a correct build.
    for path in cache_dir.iterdir():
        if path.is_file():
            path.write_bytes(b"rubbish")
    files, stats = _build(root)
    assert stats["files_parsed"] == 4
    assert files == first
    shutil.rmtree(cache_dir)
    files, _ = _build(root)
    assert files == first
