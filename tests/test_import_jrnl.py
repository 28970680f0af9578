"""`journal import jrnl` against the real jrnl: write a journal with it, export, import, build."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

JRNL_CONFIG = """\
journals:
  default:
    journal: {journal}
encrypt: false
editor: ""
tagsymbols: "#@"
timeformat: "%F %r"
default_hour: 9
default_minute: 0
highlight: false
linewrap: 79
indent_character: "|"
colors: {{body: none, date: none, tags: none, title: none}}
template: false
"""

ENTRIES = [
    "2026-11-20 9am: Ran my first 5k. It was hard but I kept going @health @running",
    "2026-11-21 8:15am: Morning pages. Wrote before work, coffee in hand @writing",
    # Two on one day; a starred one (*); a body line in the Win: convention.
    "2026-11-21 6pm: *Shipped the feature. The demo went fine.\n"
    "Win: stayed calm during the demo @work",
    "2026-11-22 7am: Setback: overslept (Lesson: phone out of the bedroom) #sleep",
]


def tags_on(page: str) -> set[str]:
    """The tags an HTML page shows (elements of class "tag", whatever the element)."""
    return set(re.findall(r'class="tag"[^>]*>#([^<]+)<', page))


@pytest.fixture(scope="module")
def jrnl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real jrnl from PyPI, in its own virtual environment."""
    venv = tmp_path_factory.mktemp("jrnl-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "jrnl"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, f"could not install jrnl from PyPI:\n{pip.stderr}"
    return venv / "bin" / "jrnl"


def _run_jrnl(jrnl: Path, home: Path, *args: str) -> str:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [str(jrnl), "--config-file", str(home / "jrnl.yaml"), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_real_jrnl_export_imports_builds_and_reimports_nothing(tmp_path, jrnl, journal):
    home = tmp_path / "home"
    home.mkdir()
    (home / "jrnl.yaml").write_text(
        JRNL_CONFIG.format(journal=home / "journal.txt"), encoding="utf-8"
    )
    for text in ENTRIES:
        _run_jrnl(jrnl, home, text)
    export = tmp_path / "export.json"
    export.write_text(_run_jrnl(jrnl, home, "--export", "json"), encoding="utf-8")
    exported = json.loads(export.read_text(encoding="utf-8"))["entries"]
    assert len(exported) == len(ENTRIES)
    assert [e["starred"] for e in exported] == [False, False, True, False]

    root = tmp_path / "site"
    root.mkdir()
    first = journal("import", "jrnl", str(export), cwd=root)
    assert first.returncode == 0, first.stderr
    assert "4 entries: 4 written, 0 skipped." in first.stdout
    built = journal("build", "--today", "2026-11-22", cwd=root)
    assert built.returncode == 0, built.stderr

    pages = [
        html.unescape(p.read_text(encoding="utf-8"))
        for p in (root / "public" / "2026").rglob("index.html")
    ]
    for entry in exported:
        # Every word the person wrote is on one entry page (the convention's labels and the
        # tag markers aside), with the entry's date and its tags.
        text = re.sub(r"[@#]\w+", " ", entry["title"] + " " + entry["body"])
        words = set(re.findall(r"[\w']+", text)) - {"Win", "Setback", "Lesson"}
        tags = {tag[1:] for tag in entry["tags"]} | ({"starred"} if entry["starred"] else set())
        found = [
            p
            for p in pages
            if words <= set(re.findall(r"[\w']+", re.sub("<[^>]+>", " ", p)))
            and f'<time datetime="{entry["date"]}">' in p
            and tags <= tags_on(p)
        ]
        assert found, f"{sorted(words)} and {tags} are not on one entry page"

    # Two entries on the 21st: the day's page and a second page of their own.
    assert (root / "public/2026/11/21/index.html").exists()
    second_page = root / "public/2026/11/21/shipped-the-feature-the-demo-went-fine/index.html"
    shipped = second_page.read_text(encoding="utf-8")
    assert '<li class="win">stayed calm during the demo ' in shipped
    assert tags_on(shipped) == {"work", "starred"}
    overslept = (root / "public/2026/11/22/index.html").read_text(encoding="utf-8")
    assert '<p class="setback-text">overslept ' in overslept
    assert "phone out of the bedroom" in overslept

    second = journal("import", "jrnl", str(export), cwd=root)
    assert second.returncode == 0, second.stderr
    assert "4 entries: 0 written, 4 skipped (4 already imported)." in second.stdout
    assert "wrote" not in second.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"entries": [\n  {"title": "x",}\n]}', "export.json:2: is not valid JSON"),
        ('["not", "an", "export"]', "export.json: expected a jrnl export"),
        (
            '{"entries": [{"title": "t", "body": "", "date": "21/11/2026", "time": "09:00"}]}',
            "export.json: entries[0].date: expected a date like 2026-11-20",
        ),
    ],
)
def test_bad_jrnl_export_is_a_clear_error(tmp_path, journal, content, message):
    (tmp_path / "export.json").write_text(content, encoding="utf-8")
    result = journal("import", "jrnl", "export.json", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "content").exists()


def test_same_minute_and_same_title_get_distinct_files_and_urls(tmp_path, journal):
    entry = {"title": "Walk.", "body": "", "date": "2026-11-21", "time": "09:00", "tags": []}
    export = {
        "tags": {},
        "entries": [entry, {**entry, "body": "again"}, {**entry, "time": "10:00"}],
    }
    (tmp_path / "export.json").write_text(json.dumps(export), encoding="utf-8")
    result = journal("import", "jrnl", "export.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "content" / "2026").iterdir())
    assert names == ["2026-11-21-0900-2.md", "2026-11-21-0900.md", "2026-11-21-1000.md"]
    built = journal("build", "--today", "2026-11-22", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
