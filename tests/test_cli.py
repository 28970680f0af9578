"""The ``journal`` command, run for real in a subprocess: messages, exit codes, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import (
    BadFileCase,
    problems_match,
    read_bad_file_cases,
    run_journal,
    tree,
    write_files,
)

BAD_FILES = read_bad_file_cases("malformed_entries.txt")
GOOD_ENTRY = "---\ntitle: A good day\nwins: [Ran 3 km]\n---\nFine.\n"


def error_lines(stderr: str) -> list[str]:
    return [
        line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")
    ]


@pytest.mark.parametrize("case", BAD_FILES, ids=[f"line{c.line}" for c in BAD_FILES])
def test_each_malformed_entry_fails_the_build_with_its_file_and_line(
    tmp_path: Path, case: BadFileCase
) -> None:
    write_files(tmp_path, {"content/2026-10-01.md": GOOD_ENTRY, case.path: case.data})
    result = run_journal("build", "--today", "2026-11-25", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert problems_match(case, error_lines(result.stderr)) == [], result.stderr
    assert "Traceback" not in result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "public").exists()


def test_every_bad_file_is_reported_at_once(tmp_path: Path, journal) -> None:
    write_files(tmp_path, {"content/2026-10-01.md": GOOD_ENTRY})
    write_files(tmp_path, {case.path: case.data for case in BAD_FILES})
    for command in ("check", "build"):
        result = journal(command, "--today", "2026-11-25", cwd=tmp_path)
        assert result.returncode == 1
        printed = error_lines(result.stderr)
        for case in BAD_FILES:
            assert problems_match(case, printed) == [], (command, case.name)
        expected = sum(len(c.expect) + len(c.expect_partly) for c in BAD_FILES)
        assert len(printed) == expected
        assert f"journal: {expected} problems found; nothing was written." in result.stderr
        assert "Traceback" not in result.stderr


def test_a_failed_build_leaves_the_previous_site_byte_for_byte(tmp_path: Path, journal) -> None:
    write_files(tmp_path, {"content/2026-10-01.md": GOOD_ENTRY, "content/img/a.png": b"\x89PNG"})
    assert journal("build", "--today", "2026-11-25", cwd=tmp_path).returncode == 0
    before = tree(tmp_path / "public")
    assert "2026/10/01/index.html" in before and "img/a.png" in before

    write_files(
        tmp_path,
        {
            "content/2026-10-02.md": "New, good entry.\n",
            "content/2026-10-03.md": "---\nmood: 9\n---\n",
        },
    )
    result = journal("build", "--today", "2026-11-25", cwd=tmp_path)
    assert result.returncode == 1
    assert tree(tmp_path / "public") == before
    # No half-written folders are left next to it either (the build cache is by design).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".journal-cache") == [
        "content",
        "public",
    ]


def test_check_passes_a_good_journal_and_build_prints_one_summary_line(
    tmp_path: Path, journal
) -> None:
    write_files(
        tmp_path,
        {"content/2026-10-01.md": GOOD_ENTRY, "content/2026-10-02.md": "---\ndraft: true\n---\n"},
    )
    check = journal("check", cwd=tmp_path)
    assert check.returncode == 0
    assert check.stdout == "No problems found: 2 entries (1 draft), 0 goals, 0 other files.\n"
    build = journal("build", "--today", "2026-11-25", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    [line] = build.stdout.splitlines()
    assert line.startswith("Built 1 entry into ") and " in public/ in " in line


def test_a_future_entry_is_built_with_a_warning(tmp_path: Path, journal) -> None:
    write_files(tmp_path, {"content/2026-12-01.md": GOOD_ENTRY})
    result = journal("build", "--today", "2026-11-25", cwd=tmp_path)
    assert result.returncode == 0
    assert (
        "warning: content/2026-12-01.md: is dated 2026-12-01, after today (2026-11-25)"
        in result.stderr
    )
    assert (tmp_path / "public/2026/12/01/index.html").is_file()


def test_new_creates_the_entry_prints_its_path_and_never_overwrites(
    tmp_path: Path, journal
) -> None:
    write_files(tmp_path, {"journal.toml": 'title = "T"\n', "content/2026-10-01.md": GOOD_ENTRY})
    first = journal("new", "--date", "2026-11-24", cwd=tmp_path)
    assert first.returncode == 0
    assert first.stdout == "content/2026-11-24.md\n"
    path = tmp_path / "content/2026-11-24.md"
    assert path.read_text(encoding="utf-8").startswith("---\ndate: 2026-11-24\n")

    path.write_text("---\ntitle: Mine\n---\nMy own words.\n", encoding="utf-8")
    again = journal("new", "--date", "2026-11-24", cwd=tmp_path)
    assert again.returncode == 1
    assert "content/2026-11-24.md already exists; not overwritten." in again.stderr
    assert path.read_text(encoding="utf-8") == "---\ntitle: Mine\n---\nMy own words.\n"

    # The template as written is a valid entry.
    journal("new", "--date", "2026-11-25", cwd=tmp_path)
    assert journal("check", cwd=tmp_path).returncode == 0


def test_new_without_a_date_uses_today(tmp_path: Path, journal) -> None:
    (tmp_path / "journal.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    result = journal("new", cwd=tmp_path)
    today = dt.datetime.now(dt.UTC).date()
    # The day may turn over between the two clocks; either day is right then.
    assert result.stdout.strip() in {
        f"content/{today.isoformat()}.md",
        f"content/{(today + dt.timedelta(days=1)).isoformat()}.md",
    }


def test_init_makes_a_journal_that_builds(tmp_path: Path, journal) -> None:
    result = journal("init", "my-journal", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "my-journal"
    assert {"journal.toml", "netlify.toml", ".gitignore", "content"} <= {
        p.name for p in site.iterdir()
    }
    built = journal("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "public/index.html").is_file()

    again = journal("init", "my-journal", cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds a journal" in again.stderr


def test_a_bad_journal_toml_is_reported_by_every_command(tmp_path: Path, journal) -> None:
    write_files(
        tmp_path,
        {"journal.toml": 'title = "T"\nper_page = "ten"\ncolour = "blue"\n', "content/a.md": ""},
    )
    for command in ("check", "build", "new"):
        result = journal(command, cwd=tmp_path)
        assert result.returncode == 1
        printed = error_lines(result.stderr)
        assert len(printed) == 2
        assert printed[0] == "journal.toml:2: 'per_page' must be a whole number, got 'ten'"
        assert printed[1].startswith("journal.toml:3: unknown key 'colour'; known keys: author")
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["fly"],
        ["build", "--bogus"],
        ["build", "--today", "2026-02-30"],
        ["build", "--today", "yesterday"],
        ["new", "--date", "24/11/2026"],
        ["init"],
        ["import", "evernote", "x.json"],
    ],
    ids=lambda a: " ".join(a) or "nothing",
)
def test_usage_errors_exit_2(tmp_path: Path, journal, args: list[str]) -> None:
    result = journal(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: journal" in result.stderr
    assert "Traceback" not in result.stderr


def test_building_into_the_content_folder_is_refused(tmp_path: Path, journal) -> None:
    write_files(tmp_path, {"content/2026-10-01.md": GOOD_ENTRY})
    result = journal("build", "--out", "content", cwd=tmp_path)
    assert result.returncode == 2
    assert "refusing to build into content" in result.stderr
    assert (tmp_path / "content/2026-10-01.md").read_text(encoding="utf-8") == GOOD_ENTRY


@pytest.mark.parametrize("command", ["init", "new", "build", "serve", "check", "stats", "import"])
def test_every_command_has_help(tmp_path: Path, journal, command: str) -> None:
    result = journal(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: journal {command}")
