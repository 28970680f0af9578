"""`journal import dayone`: a Day One JSON export with one photo present and one missing."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES

from journal_site.import_dayone import clean_dayone_markdown

PHOTO = "8f4341201a23609636243f91f2447e95.jpeg"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "Export"
    shutil.copytree(FIXTURES / "dayone", folder)
    return folder / "Journal.json"


def test_import_dayone_builds_and_is_idempotent(tmp_path, export, journal):
    root = tmp_path / "site"
    root.mkdir()
    dry = journal("import", "dayone", str(export), "--dry-run", cwd=root)
    assert dry.returncode == 0, dry.stderr
    assert "3 would be written" in dry.stdout and "Dry run: nothing was written." in dry.stdout
    assert not (root / "content").exists()

    first = journal("import", "dayone", str(export), cwd=root)
    assert first.returncode == 0, first.stderr
    assert "3 entries: 3 written, 0 skipped, 1 photo copied, 1 photo missing." in first.stdout
    assert "missing photos/0123456789abcdef0123456789abcdef.jpeg" in first.stdout
    # 02:15 UTC on the 20th is 21:15 on the 19th in New York, where it was written.
    evening = (root / "content/2026/2026-11-19-2115.md").read_text(encoding="utf-8")
    assert evening.startswith(
        "---\ndate: 2026-11-19 21:15\ntitle: Evening run\ntags: [health, starred]\n"
        "wins:\n  - text: kept a steady pace\n    tags: [running]\n---\n"
    )
    assert "Ran 5.2 km along the river! It felt (mostly) easy." in evening
    assert "1\\. Not a list" in evening and "\\- not a bullet" in evening
    assert "snake_case and \\*stars\\* stay as typed" in evening
    assert f"![](../photos/{PHOTO})" in evening
    assert (root / "content/photos" / PHOTO).read_bytes() == (
        export.parent / "photos" / PHOTO
    ).read_bytes()

    built = journal("build", "--today", "2026-11-22", cwd=root)
    assert built.returncode == 0, built.stderr
    page = (root / "public/2026/11/19/index.html").read_text(encoding="utf-8")
    assert '<h1 id="entry-title">Evening run' in page
    assert "Ran 5.2 km along the river! It felt (mostly) easy." in page
    assert "1. Not a list, just a number" in page and "<ol" not in page
    assert "*stars*" in page and "<em>stars</em>" not in page
    assert f'<img src="/photos/{PHOTO}"' in page
    assert '<li class="win">kept a steady pace' in page
    assert set(re.findall(r'class="tag"[^>]*>#([^<]+)<', page)) == {"health", "starred", "running"}
    morning = (root / "public/2026/11/21/index.html").read_text(encoding="utf-8")
    assert "snapped at a colleague" in morning and "take a breath before replying" in morning
    assert "We talked it through at lunch." in morning
    assert "Quiet evening with a book. Felt calm." in (
        root / "public/2026/11/21/1845/index.html"
    ).read_text(encoding="utf-8")

    second = journal("import", "dayone", str(export), cwd=root)
    assert second.returncode == 0, second.stderr
    assert "3 entries: 0 written, 3 skipped (3 already imported)" in second.stdout


def test_existing_file_is_never_overwritten(tmp_path, export, journal):
    root = tmp_path / "site"
    mine = root / "content/2026/2026-11-21-1845.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ndate: 2026-11-21 18:45\n---\nMine.\n", encoding="utf-8")
    result = journal("import", "dayone", str(export), cwd=root)
    assert result.returncode == 0, result.stderr
    assert (
        "skipped content/2026/2026-11-21-1845.md: a file with that name exists; not overwritten"
        in result.stdout
    )
    assert "2 written, 1 skipped" in result.stdout
    assert mine.read_text(encoding="utf-8") == "---\ndate: 2026-11-21 18:45\n---\nMine.\n"


@pytest.mark.parametrize(
    ("escaped", "clean"),
    [
        ("It was 3\\.5 km\\! \\(really\\)", "It was 3.5 km! (really)"),
        ("1\\. kept: not a list", "1\\. kept: not a list"),
        ("\\- kept: not a bullet", "\\- kept: not a bullet"),
        ("\\# kept: not a heading", "\\# kept: not a heading"),
        ("\\#tag and a\\-b", "#tag and a-b"),
        ("snake\\_case but \\_emphasis\\_", "snake_case but \\_emphasis\\_"),
        ("\\*literal\\* and \\[brackets\\]", "\\*literal\\* and \\[brackets\\]"),
        ("`code \\. stays` \\.", "`code \\. stays` ."),
        ("```\nfenced \\. stays\n```", "```\nfenced \\. stays\n```"),
        ("a \\\\. b", "a \\\\. b"),
    ],
)
def test_clean_dayone_markdown(escaped, clean):
    assert clean_dayone_markdown(escaped) == clean


def test_bad_dayone_export_is_a_clear_error(tmp_path, journal):
    bad = tmp_path / "Journal.json"
    bad.write_text('{"entries": [{"creationDate": "yesterday", "text": "x"}]}', encoding="utf-8")
    result = journal("import", "dayone", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "entries[0].creationDate: expected a date-time like 2024-01-05T03:02:50Z" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "content").exists()


def test_import_straight_from_the_zip(tmp_path, export, journal):
    # Day One's export downloads as a zip holding Journal.json and photos/.
    archive = tmp_path / "Export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(export, "Journal.json")
        zipped.write(export.parent / "photos" / PHOTO, f"photos/{PHOTO}")
    root = tmp_path / "zipsite"
    root.mkdir()
    result = journal("import", "dayone", str(archive), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "3 entries: 3 written, 0 skipped, 1 photo copied, 1 photo missing." in result.stdout
    assert (root / "content/photos" / PHOTO).read_bytes() == (
        export.parent / "photos" / PHOTO
    ).read_bytes()
    again = journal("import", "dayone", str(archive), cwd=root)
    assert "0 written, 3 skipped (3 already imported)" in again.stdout
