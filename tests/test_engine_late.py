"""Pages made once for all their win numbers (engine/late.py): a win added in the
middle of the journal moves every later number, and the tag and wall pages that show
them are filled from the text kept with stand-ins, not rendered again; whatever the
templates do with a number, the site is a clean build's, byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import clean_tree, make_corpus, run_journal, tree

from journal_site.build import render_site
from journal_site.config import load_config
from journal_site.engine.late import LatePages, Unblindable, blinded
from journal_site.engine.site import Engine
from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version
from journal_site.late_number import PageHole, Sheet, WinNumber

TODAY = dt.date(2026, 11, 25)
ARGS_BUILD = ("build", "--today", TODAY.isoformat())
THEME = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"


def _journal(root: Path, entries: int = 120) -> Path:
    make_corpus(root / "content", entries)
    return root


def _add_win_mid_journal(root: Path, text: str = "Added a win", part: int = 2) -> str:
    """A win added to the first entry with wins from the ``part``-th of the journal on
    (its middle): every later win's number moves on by one. Returns the entry's file
    name."""
    files = sorted((root / "content").glob("*.md"))
    entry = next(p for p in files[len(files) // part :] if "\nwins:\n" in p.read_text())
    entry.write_text(entry.read_text().replace("\nwins:\n", f'\nwins:\n  - "{text}"\n', 1))
    return entry.name


def _engine_build(root: Path) -> tuple[dict[str, bytes], LatePages]:
    """A build by a new engine over the site's store (as a new ``journal build``
    process), its outputs made in this process; what it wrote, and what made pages
    late."""
    engine = Engine(
        load_config(root), today=TODAY, store=Store(root / CACHE_DIR_NAME, code_version())
    )
    result = engine.build(cancel=lambda: False)  # nothing stops it: made here, not forked
    renderer = engine._renderer_held[1]  # type: ignore[index]
    files = {p: d for p, d in result.output.files.items() if isinstance(d, bytes)}
    return files, renderer.late


def _clean(root: Path) -> dict[str, bytes]:
    result = render_site(load_config(root), today=TODAY)
    return {p: d for p, d in result.output.files.items() if isinstance(d, bytes)}


def _override(root: Path, name: str, old: str, new: str) -> None:
    """A copy of the theme's ``name`` in the journal's ``templates/``, ``old`` replaced."""
    target = root / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (THEME / name).read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_win_mid_journal_fills_the_later_tag_and_wall_pages(tmp_path: Path) -> None:
    # Back to 2023, about 2,100 wins: the 1,000th in 2025, none of the milestones in 2026.
    root = _journal(tmp_path, entries=1200)
    _engine_build(root)
    year = int(_add_win_mid_journal(root, part=4)[:4])  # a win in 2024
    files, late = _engine_build(root)
    assert files == _clean(root)
    # The pages that only show moved numbers come from the texts the first build kept.
    assert any(p.startswith("tags/") for p in late.filled), late.filled
    # The wall's pages show the count of every win too, which moved: made again, each
    # year's days (a partial) taken from the first build unless the win is in it.
    days = {p.partition("#")[0] for p in late.filled if "#partials/wall_days.html" in p}
    made = {p.partition("#")[0] for p in late.rendered if "#partials/wall_days.html" in p}
    # (A year whose milestones moved to another win shows another page: made again.
    # /wins/ shows this year's days, found as /wins/2026/ kept them with their numbers.)
    assert year < 2025 and "wins/2026/index.html" in days
    assert f"wins/{year}/index.html" in made and "wins/2026/index.html" not in made
    # Their files are written again all the same: their numbers moved.
    filled = [p for p in late.filled if p.startswith("tags/")]
    assert all(b'title="win number ' in files[p] for p in filled)


@pytest.mark.parametrize(
    ("name", "old", "new", "late"),
    [
        # Numbers added to: put in late, with what was added.
        (
            "tag.html",
            "{{ win_card(rec) }}",
            "{{ win_card(rec) }}<b>{{ rec.number + 10 }}</b>",
            True,
        ),
        # A number compared, tested or formatted as text: the page is made with them.
        ("tag.html", "{{ win_card(rec) }}", "{% if rec.number > 3 %}big{% endif %}", False),
        ("tag.html", "{{ win_card(rec) }}", '{{ "%05d" | format(rec.number) }}', False),
        ("tag.html", "{{ win_card(rec) }}", "{{ rec }}", False),
        # What is printed read back: never made late.
        (
            "tag.html",
            "{{ win_card(rec) }}",
            "{% set n %}{{ rec.number }}{% endset %}{{ n | length }}",
            False,
        ),
        ("tag.html", "{{ win_card(rec) }}", "{{ win_card(rec) | length }}", False),
        ("tag.html", "{{ win_card(rec) }}", "{% if rec.number is integer %}int{% endif %}", False),
        # A card that does more with its number than print it.
        ("partials/win_card.html", "#{{", "{% if rec.number is odd %}odd{% endif %}#{{", False),
    ],
)
def test_whatever_a_template_does_with_a_number_the_site_is_a_clean_builds(
    tmp_path: Path, name: str, old: str, new: str, late: bool
) -> None:
    root = _journal(tmp_path, entries=60)
    _override(root, name, old, new)
    _engine_build(root)
    _add_win_mid_journal(root)
    files, made = _engine_build(root)
    assert files == _clean(root)
    assert any(p.startswith("tags/") for p in made.filled) == late


def test_a_win_whose_text_holds_a_markers_characters_is_printed_as_written(
    tmp_path: Path,
) -> None:
    """Text that looks like a page's marker is never taken for one: the page is made
    with its numbers."""
    root = _journal(tmp_path, entries=60)
    _engine_build(root)
    _add_win_mid_journal(root, text="odd \ue000\ue0020+0\ue001 signs")
    files, _ = _engine_build(root)
    assert files == _clean(root)
    assert any("\ue000\ue0020+0\ue001".encode() in data for data in files.values())


def test_journal_build_after_a_win_mid_journal_writes_a_clean_builds_site(
    tmp_path: Path,
) -> None:
    """The real CLI, twice, against a clean build of the same journal."""
    root = _journal(tmp_path / "site")
    assert run_journal(*ARGS_BUILD, cwd=root).returncode == 0
    _add_win_mid_journal(root)
    result = run_journal(*ARGS_BUILD, cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == clean_tree(root, tmp_path / "clean", *ARGS_BUILD)


@dataclasses.dataclass(frozen=True)
class _Year:
    first: int
    entries: tuple[str, ...]
    memo: object = dataclasses.field(default=None, compare=False)


def _module_level() -> None:
    """A view's maker, as arguments may hold one."""


def test_arguments_are_copied_with_a_stand_in_for_each_number_and_nothing_else() -> None:
    shared = {"a": "/a/", "b": "/b/"}
    year = _Year(WinNumber(41), ("a", "b"), memo=object())
    args = (year, (WinNumber(7), 3), shared, _module_level, [1, "x"])
    sheet = Sheet()
    copy = blinded(args, sheet)
    assert sheet.numbers == [41, 7]
    assert type(copy[0].first) is PageHole and copy[0].first.slot == 0
    assert copy[0].memo is None and copy[0].entries is year.entries  # a memo is left out
    assert type(copy[1][0]) is PageHole and copy[1][0].slot == 1 and copy[1][1] == 3
    assert copy[2] is shared and copy[3] is _module_level and copy[4] is args[4]
    assert blinded(("no", 1, shared), Sheet()) == ("no", 1, shared)
    for refused in (object(), lambda: None, {WinNumber(1): "key"}, Path(".")):
        with pytest.raises(Unblindable):
            blinded((refused,), Sheet())
