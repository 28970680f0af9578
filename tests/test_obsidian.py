"""An Obsidian vault used as it is: wiki links, inline #tags, front-matter tags."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import FIXTURES

from journal_site.config import MarkdownOptions
from journal_site.obsidian import resolve_wiki_link
from journal_site.parse import parse_entry
from journal_site.render import entry_links, resolve_entry_links


def tags_on(page: str) -> set[str]:
    """The tags an HTML page shows (elements of class "tag", whatever the element)."""
    return set(re.findall(r'class="tag"[^>]*>#([^<]+)<', page))


def _build_vault(tmp_path: Path, journal) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "obsidian" / "vault", root / "vault")
    (root / "journal.toml").write_text('title = "Vault"\ncontent = "vault"\n', encoding="utf-8")
    result = journal("build", "--today", "2026-11-26", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "public"


def test_vault_builds_with_wiki_links_tags_and_conventions(tmp_path, journal):
    public = _build_vault(tmp_path, journal)
    page = (public / "2026/11/24/index.html").read_text(encoding="utf-8")
    # Existing targets: a daily note by date, a note by its name with an alias.
    assert '<a href="/2026/11/23/" class="wikilink">2026-11-23</a>' in page
    assert '<a href="/2026/11/25/" class="wikilink">Thursday\'s long run</a>' in page
    # Missing targets are plain text, not links.
    assert '<span class="missing-link">2026-12-01</span>' in page
    assert '<span class="missing-link">Someday ideas</span>' in page
    assert "journal-entry:" not in page
    # Code is left exactly as typed.
    assert "#not-a-tag in code, and [[2026-11-23]] stays as typed" in page
    # Front-matter tags (with or without '#') and inline tags; nothing from code or URLs.
    assert tags_on(page) == {"health", "reading", "health/running"}
    # "#win" / "#setback" list items became a win and a setback with its lesson.
    assert '<li class="win">Finished the chapter</li>' in page
    assert "Called the dentist, finally" in page
    assert "book the next one before leaving" in page
    assert "#win" not in page and "#setback" not in page
    monday = (public / "2026/11/23/index.html").read_text(encoding="utf-8")
    assert '<li class="win">cleared my inbox</li>' in monday
    assert tags_on(monday) == {"work"}
    long_run = (public / "2026/11/25/index.html").read_text(encoding="utf-8")
    assert '<a href="/2026/11/24/" class="wikilink">Tuesday</a>' in long_run
    assert tags_on(long_run) == {"running"}
    goal = (public / "goals/read-more/index.html").read_text(encoding="utf-8")
    assert '<a href="/2026/11/24/" class="wikilink">a Tuesday</a>' in goal
    assert '<span class="missing-link">Reading plan</span>' in goal


def test_inline_tags_skip_headings_code_links_and_numbers():
    text = (
        "# Heading\n\n## Plans #travel\n\n"
        "I'm #1 at this, C#9 is not a tag, `#inline` neither, and x#y neither.\n"
        "See <https://example.com/#frag> and [#linked](https://example.com).\n"
        "Tags: #self-care, #2026-goals and (#bracketed).\n\n"
        "    #indented-code\n"
    )
    entry = parse_entry("2026-11-24.md", text, MarkdownOptions())
    assert entry.tags == ("travel", "self-care", "2026-goals", "bracketed")


def test_front_matter_tags_come_first_and_are_not_repeated():
    text = "---\ntags: [Health, work]\n---\nA run #health and #family time.\n"
    entry = parse_entry("2026-11-24.md", text)
    assert entry.tags == ("Health", "work", "family")


def test_wiki_link_resolution_rules():
    urls = {
        "Daily/2026-11-23.md": "2026/11/23/",
        "2026/11/24.md": "2026/11/24/",
        "Daily/2026-11-24 Evening.md": "2026/11/24/evening/",
        "notes/Evening.md": "2026/11/20/",
    }
    # By file name anywhere, ignoring case and a trailing .md.
    assert resolve_wiki_link("[[2026-11-23]]", urls) == "2026/11/23/"
    assert resolve_wiki_link("[[daily/2026-11-23.md]]", urls) == "2026/11/23/"
    assert resolve_wiki_link("[[2026-11-24 evening]]", urls) == "2026/11/24/evening/"
    # By day, when the note lives in a YYYY/MM/DD layout.
    assert resolve_wiki_link("[[2026-11-24]]", urls) == "2026/11/24/"
    assert resolve_wiki_link("[[2026-11-30]]", urls) is None
    html = '<p><a href="journal-entry:[[Evening]]" class="wikilink">then</a></p>'
    assert resolve_entry_links(html, entry_links(html, urls), "/j/") == (
        '<p><a href="/j/2026/11/20/" class="wikilink">then</a></p>'
    )


def test_image_embed_points_next_to_the_note():
    entry = parse_entry("Daily/2026-11-24.md", "![[run photo.jpg]] and ![[Some note]]\n")
    assert '<img src="/Daily/run%20photo.jpg" alt="" />' in entry.body_html
    assert 'href="journal-entry:[[Some note]]"' in entry.body_html
