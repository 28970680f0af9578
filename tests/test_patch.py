"""Patching the output after body edits (``SiteBuilder.patch``): the few files that
show an edited body, made alone, are byte for byte what a whole build makes, named as
it names them; any other change is left to a build, with nothing written."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Killed, file_ids, kill_on_second_rename, tree

from journal_site.build import build
from journal_site.config import load_config
from journal_site.errors import JournalError
from journal_site.incremental import CACHE_DIR_NAME, SiteBuilder

TODAY = dt.date(2026, 11, 25)  # a Wednesday: the week started on the 23rd


def _entry(title: str, body: str, *, wins: str = "[]", extra: str = "") -> str:
    """An entry; without wins, its card on the timeline and home shows its body's start."""
    return f"---\ntitle: {title}\ntags: [work]\nwins: {wins}\n{extra}---\n{body}\n"


def _journal(root: Path) -> Path:
    """Two years of entries over several timeline pages, with what home shows (the
    latest, this week, a year ago today), a hidden draft, a goal, a link between
    entries and an image."""
    content = root / "content"
    (content / "goals").mkdir(parents=True)
    (root / "journal.toml").write_text("per_page = 5\n")
    (content / "goals" / "speak-up.md").write_text("---\ntitle: Speak up\n---\n")
    (content / "pic.png").write_bytes(b"\x89PNG not really")
    for day in range(20, 31):
        (content / f"2025-11-{day}.md").write_text(_entry(f"Last year {day}", "Then."))
    for day in range(1, 26):
        (content / f"2026-11-{day:02d}.md").write_text(_entry(f"Day {day}", f"Body {day}."))
    (content / "2026-11-05.md").write_text(_entry("Day 5", "See [the day before](2026-11-04.md)."))
    (content / "2026-11-06.md").write_text(
        _entry("Day 6", "A goal.", wins="\n  - text: Spoke up\n    goal: speak-up\n")
    )
    (content / "2026-11-07.md").write_text(_entry("Day 7", "![a picture](pic.png)"))
    (content / "2026-11-10.md").write_text(_entry("Day 10", "Not yet.", extra="draft: true\n"))
    return root


def _builder(root: Path) -> SiteBuilder:
    return SiteBuilder(load_config(root), today=TODAY, cache_dir=root / CACHE_DIR_NAME)


def _patch(root: Path) -> tuple[object, dict[str, int]]:
    """What ``journal build`` does first: ask whether the output is up to date, then patch."""
    builder = _builder(root)
    public = root / "public"
    assert builder.up_to_date(public) is None
    return builder.patch(public), builder.stats


def _uncached(root: Path, into: Path) -> dict[str, bytes]:
    """The output of a first build of a copy of the journal, with no cache at all."""
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    build(load_config(into), today=TODAY)
    return tree(into / "public")


def _assert_a_build_finds_nothing_to_do(root: Path) -> None:
    """The patched output is what a build would have written, under the names it uses:
    the next build finds it up to date, and a whole build renders and writes nothing."""
    public = root / "public"
    assert _builder(root).up_to_date(public) is not None
    builder = _builder(root)
    builder._manifest = None
    assert builder.up_to_date(public) is not None
    rendered = builder.build()
    builder.write(rendered.output, public)
    assert builder.stats["pages_rendered"] == 0
    assert builder.stats["files_written"] == 0


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


EDITS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "an entry in the middle": (
        lambda c: _append(c / "2026-11-03.md", "A zeppelin went by.\n"),
        {"2026/11/03/index.html", "timeline/page/5/index.html", "search/2026.json"},
    ),
    "the newest entry, on home": (
        lambda c: _append(c / "2026-11-25.md", "Later that day.\n"),
        {"2026/11/25/index.html", "timeline/index.html", "index.html", "search/2026.json"},
    ),
    "the entry of a year ago today, on home": (
        lambda c: _append(c / "2025-11-25.md", "Remembered.\n"),
        {"2025/11/25/index.html", "timeline/page/6/index.html", "index.html", "search/2025.json"},
    ),
    "an entry that links to another": (
        lambda c: _append(c / "2026-11-05.md", "And [the next](2026-11-06.md).\n"),
        {"2026/11/05/index.html", "timeline/page/4/index.html", "search/2026.json"},
    ),
    "an entry whose win serves a goal": (
        lambda c: _append(c / "2026-11-06.md", "More.\n"),
        # Its card shows its win, not its body: the timeline page is made again but
        # holds the same bytes, so it is not written.
        {"2026/11/06/index.html", "search/2026.json"},
    ),
    "a hidden draft": (lambda c: _append(c / "2026-11-10.md", "Still not.\n"), set()),
    "two entries at once, on two timeline pages": (
        lambda c: (
            _append(c / "2026-11-04.md", "Four.\n"),
            _append(c / "2026-11-16.md", "Sixteen.\n"),
        ),
        {
            "2026/11/04/index.html",
            "2026/11/16/index.html",
            "timeline/page/5/index.html",
            "timeline/page/2/index.html",
            "search/2026.json",
        },
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_body_edit_is_patched_byte_for_byte(tmp_path: Path, edit: str) -> None:
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    public = root / "public"
    before, ids = tree(public), file_ids(public)
    change, expected = EDITS[edit]
    change(root / "content")

    result, stats = _patch(root)

    assert result is not None and stats["patched"] == 1, edit
    after = tree(public)
    assert after == _uncached(root, tmp_path / "fresh"), edit
    assert {path for path in after if after[path] != before[path]} == expected
    assert {p for p, now in file_ids(public).items() if now != ids[p]} == expected
    assert stats["files_written"] == len(expected)
    _assert_a_build_finds_nothing_to_do(root)


def test_patches_follow_each_other_and_a_touched_file_writes_nothing(tmp_path: Path) -> None:
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    content = root / "content"
    for text in ("One.\n", "Two.\n"):
        _append(content / "2026-11-12.md", text)
        result, stats = _patch(root)
        assert result is not None and stats["files_written"] == 3
    _append(content / "2026-11-13.md", "Three.\n")
    assert _patch(root)[0] is not None
    os.utime(content / "2026-11-14.md", ns=(1, 1))  # touched, not changed
    result, stats = _patch(root)
    assert result is not None and stats["files_written"] == 0
    assert tree(root / "public") == _uncached(root, tmp_path / "fresh")
    _assert_a_build_finds_nothing_to_do(root)


def _win_added(root: Path) -> None:
    path = root / "content" / "2026-11-03.md"
    path.write_text(path.read_text().replace("wins: []", "wins: [Ran]"))


def _home_summary_gone(root: Path) -> None:
    _append(root / "content" / "2026-11-25.md", "Later.\n")
    (root / CACHE_DIR_NAME / "home.summary").unlink()


def _page_changed_by_hand(root: Path) -> None:
    _append(root / "content" / "2026-11-03.md", "Edited.\n")
    (root / "public" / "2026" / "11" / "20" / "index.html").write_text("mine")


def _patch_state_gone(root: Path) -> None:
    _append(root / "content" / "2026-11-03.md", "Edited.\n")
    for state in (root / CACHE_DIR_NAME).glob("*.state"):
        state.unlink()


def _patch_state_unreadable(root: Path) -> None:
    """A state with a sound checksum and the right settings that still does not read
    (no URLs): the patch steps aside rather than failing the build."""
    from journal_site.cache import read_blob, write_blob

    _append(root / "content" / "2026-11-03.md", "Edited.\n")
    for path in (root / CACHE_DIR_NAME).glob("*.state"):
        state = read_blob(path)
        del state["urls"]
        write_blob(path, state)


LEFT_TO_A_BUILD: dict[str, Callable[[Path], None]] = {
    "a win added (the head changed)": _win_added,
    "a new entry": lambda root: (root / "content" / "2026-11-26.md").write_text(
        _entry("Tomorrow", "Soon.")
    ),
    "an entry deleted": lambda root: (root / "content" / "2026-11-03.md").unlink(),
    "a goal edited": lambda root: _append(root / "content" / "goals" / "speak-up.md", "Why.\n"),
    "an image replaced": lambda root: (root / "content" / "pic.png").write_bytes(b"other"),
    "the settings": lambda root: (root / "journal.toml").write_text("per_page = 6\n"),
    "a page in the output changed by hand": _page_changed_by_hand,
    "home's summary missing from the cache": _home_summary_gone,
    "the patch state missing from the cache": _patch_state_gone,
    "the patch state unreadable": _patch_state_unreadable,
}


@pytest.mark.parametrize("change", list(LEFT_TO_A_BUILD))
def test_what_a_patch_leaves_to_a_build(tmp_path: Path, change: str) -> None:
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    public = root / "public"
    LEFT_TO_A_BUILD[change](root)
    before, ids = tree(public), file_ids(public)

    assert _patch(root)[0] is None, change
    assert tree(public) == before and file_ids(public) == ids  # nothing written

    build(load_config(root), today=TODAY)
    assert tree(public) == _uncached(root, tmp_path / "fresh"), change


def test_a_body_edit_that_breaks_the_file_is_reported_by_the_build(tmp_path: Path) -> None:
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    public = root / "public"
    before = tree(public)
    path = root / "content" / "2026-11-03.md"
    path.write_text(path.read_text().replace("title: Day 3", "title: [Day 3"))

    assert _patch(root)[0] is None
    with pytest.raises(JournalError) as caught:
        build(load_config(root), today=TODAY)
    assert "2026-11-03.md" in str(caught.value)
    assert tree(public) == before


def test_a_build_leaves_a_page_made_again_with_the_same_bytes(tmp_path: Path) -> None:
    """A whole build (here the patch state is gone) makes the timeline page of an edited
    entry again, since the entry on it changed; its card lists the entry's win, not its
    body, so the bytes are the same and the file is left as it was."""
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    public = root / "public"
    ids = file_ids(public)
    _append(root / "content" / "2026-11-06.md", "More.\n")
    for state in (root / CACHE_DIR_NAME).glob("*.state"):
        state.unlink()

    build(load_config(root), today=TODAY)

    changed = {p for p, now in file_ids(public).items() if now != ids.get(p)}
    assert changed == {"2026/11/06/index.html", "search/2026.json"}
    assert tree(public) == _uncached(root, tmp_path / "fresh")
    _assert_a_build_finds_nothing_to_do(root)


def test_an_interrupted_patch_is_rolled_back_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while it renames new files into place (a BaseException, no cleanup): the
    next build restores the previous site first, then builds the new one."""
    root = _journal(tmp_path / "site")
    build(load_config(root), today=TODAY)
    public = root / "public"
    previous = tree(public)
    for day in ("04", "16"):
        _append(root / "content" / f"2026-11-{day}.md", "Later.\n")

    kill_on_second_rename(monkeypatch)
    with pytest.raises(Killed):
        _patch(root)
    monkeypatch.undo()
    assert tree(public) != previous  # half applied, each file whole

    build(load_config(root), today=TODAY)
    assert tree(public) == _uncached(root, tmp_path / "fresh")
    _assert_a_build_finds_nothing_to_do(root)
