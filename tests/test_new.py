"""`journal new`: the template builds untouched, and --win/--setback edit nothing else."""

from __future__ import annotations

import pytest

from journal_site.entry_edit import EditError, add_items
from journal_site.model import Setback, Win
from journal_site.parse import parse_entry

DAY = "2026-11-26"


def _lines_added(before: str, after: str) -> list[str]:
    """The lines of ``after`` that are not in ``before``, checking nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = []
    i = 0
    for line in new:
        if i < len(old) and line == old[i]:
            i += 1
        else:
            added.append(line)
    assert i == len(old), "a line of the original was changed or dropped"
    return added


def test_untouched_template_builds(site, journal):
    root = site({"journal.toml": 'title = "T"\n'})
    created = journal("new", "--date", DAY, cwd=root)
    assert created.returncode == 0, created.stderr
    text = (root / "content" / f"{DAY}.md").read_text(encoding="utf-8")
    assert "wins:" in text and "setbacks:" in text and "#" in text
    built = journal("build", "--today", DAY, cwd=root)
    assert built.returncode == 0, built.stderr
    assert (root / "public/2026/11/26/index.html").exists()


ENTRY_WITH_COMMENTS = """\
---
# my own comment at the top
date: 2026-11-26
title: "Busy day"   # kept
wins:               # the good stuff
  - Walked to work   # before the rain
  # - an idea for later
mood: 4
setbacks: []        # none yet
extra_key: {a: 1}
---
Body text stays.

Win: a body win stays in the file too
"""


def test_new_win_keeps_comments_byte_for_byte(site, journal):
    root = site({f"content/{DAY}.md": ENTRY_WITH_COMMENTS})
    path = root / "content" / f"{DAY}.md"
    before = path.read_bytes()
    result = journal("new", "--date", DAY, "--win", "Ran 3 km: no stopping", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (f"Added 1 win to content/{DAY}.md: Ran 3 km: no stopping")
    after = path.read_bytes()
    assert _lines_added(before.decode(), after.decode()) == ['  - "Ran 3 km: no stopping"\n']
    # Inserted at the end of the wins block, after its comment line.
    assert b'  # - an idea for later\n  - "Ran 3 km: no stopping"\nmood: 4\n' in after

    result = journal(
        "new", "--date", DAY, "--setback", "Snapped at Sam", "--reframe", "Eat lunch", cwd=root
    )
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert "setbacks: [{text: Snapped at Sam, reframe: Eat lunch}]        # none yet\n" in text
    entry = parse_entry(f"{DAY}.md", text)
    assert [w.text for w in entry.wins] == [
        "Walked to work",
        "Ran 3 km: no stopping",
        "a body win stays in the file too",
    ]
    assert [(s.text, s.reframe) for s in entry.setbacks] == [("Snapped at Sam", "Eat lunch")]


def test_new_win_creates_todays_entry_from_the_template(site, journal):
    root = site({"journal.toml": ""})
    result = journal(
        "new", "--date", DAY, "--win", "Logged a win", "--win", "And another", cwd=root
    )
    assert result.returncode == 0, result.stderr
    assert "(new entry)" in result.stdout
    entry = parse_entry(f"{DAY}.md", (root / "content" / f"{DAY}.md").read_text("utf-8"))
    assert [w.text for w in entry.wins] == ["Logged a win", "And another"]
    assert journal("build", "--today", DAY, cwd=root).returncode == 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # No wins key at all: added at the end of the front matter.
        ("---\ntitle: T\n---\nBody\n", "---\ntitle: T\nwins:\n  - New\n---\nBody\n"),
        # An empty key followed by another key.
        ("---\nwins:\ntags: [a]\n---\n", "---\nwins:\n  - New\ntags: [a]\n---\n"),
        ("---\nwins: ~  # none\n---\n", "---\nwins: # none\n  - New\n---\n"),
        # Flow lists, empty or not, even over two lines.
        ("---\nwins: []\n---\n", "---\nwins: [New]\n---\n"),
        ("---\nwins: [a, 'b, ]']  # c\n---\n", "---\nwins: [a, 'b, ]', New]  # c\n---\n"),
        ("---\nwins: [a,\n  b]\n---\n", "---\nwins: [a,\n  b, New]\n---\n"),
        # Block lists keep their own indentation, including none at all.
        ("---\nwins:\n- a\n---\n", "---\nwins:\n- a\n- New\n---\n"),
        (
            "---\nwins:\n    - text: a\n      tags: [x]\n\n---\n",
            "---\nwins:\n    - text: a\n      tags: [x]\n    - New\n\n---\n",
        ),
        # No front matter: one is added above the body, which stays as it was.
        ("Just text.\n", "---\nwins:\n  - New\n---\nJust text.\n"),
        # Windows line endings stay Windows line endings.
        ("---\r\nwins:\r\n  - a\r\n---\r\n", "---\r\nwins:\r\n  - a\r\n  - New\r\n---\r\n"),
    ],
)
def test_add_win_shapes(before, after):
    assert add_items(before, [Win(text="New")], []) == after


def test_setback_with_reframe_in_a_block():
    before = "---\nsetbacks:\n  - Old one\n---\n"
    after = add_items(before, [], [Setback(text="No: really", reframe="yes")])
    assert after == (
        '---\nsetbacks:\n  - Old one\n  - text: "No: really"\n    reframe: "yes"\n---\n'
    )


@pytest.mark.parametrize(
    "text", ["---\nwins: one win\n---\n", "---\nwins: [a\n---\n", "---\nwins:\n  - a\n"]
)
def test_unsafe_edits_are_refused(text):
    with pytest.raises(EditError):
        add_items(text, [Win(text="New")], [])


def test_refused_edit_leaves_the_file_untouched(site, journal):
    original = "---\nwins: a single string  # oops\n---\nBody\n"
    root = site({f"content/{DAY}.md": original})
    result = journal("new", "--date", DAY, "--win", "x", cwd=root)
    assert result.returncode == 1
    assert f"content/{DAY}.md: cannot add to it safely" in result.stderr
    assert (root / "content" / f"{DAY}.md").read_text(encoding="utf-8") == original


def test_reframe_without_setback_is_a_usage_error(site, journal):
    root = site({"journal.toml": ""})
    result = journal("new", "--date", DAY, "--reframe", "x", cwd=root)
    assert result.returncode == 2
    assert not (root / "content" / f"{DAY}.md").exists()


def test_edit_opens_visual_with_the_entry(site, journal):
    root = site({"journal.toml": ""})
    # A stand-in editor that appends a line to the file it is given.
    editor = 'sh -c \'printf "Win: wrote this in my editor\\n" >> "$0"\''
    result = journal(
        "new",
        "--date",
        DAY,
        "--win",
        "From the terminal",
        "--edit",
        cwd=root,
        env={"VISUAL": editor, "EDITOR": "false"},
    )
    assert result.returncode == 0, result.stderr
    text = (root / "content" / f"{DAY}.md").read_text(encoding="utf-8")
    assert text.endswith("Win: wrote this in my editor\n")
    entry = parse_entry(f"{DAY}.md", text)
    assert [w.text for w in entry.wins] == ["From the terminal", "wrote this in my editor"]


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_an_entry_that_is_a_symlink_is_refused(site, journal, tmp_path, target):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\nwins: []\n---\nNot part of the journal.\n", encoding="utf-8")
    root = site({"journal.toml": "", "content/2026/real.md": "---\nwins: []\n---\nMine.\n"})
    link = root / "content" / f"{DAY}.md"
    source = outside if target == "outside" else root / "content/2026/real.md"
    link.symlink_to(source)
    before = source.read_bytes()

    result = journal("new", "--date", DAY, "--win", "x", cwd=root)

    assert result.returncode == 1
    assert f"content/{DAY}.md: is a symbolic link" in result.stderr
    assert link.is_symlink() and link.resolve() == source.resolve()
    assert source.read_bytes() == before
