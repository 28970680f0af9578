"""Search: the index written at build time, and the page in a real Chromium.

In tests/fixtures/collections "heron" is in the body of 2026-01-01 ("the heron was
back") and 2026-01-04 ("herons"); "bulbs" only in a win of 2026-01-09; "brother" only
in a setback of 2026-01-07; the tag work is on 2026-01-02 (entry) and 2026-01-05 (a win).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_journal
from pages_support import COLLECTIONS_TODAY as TODAY
from pages_support import build_site, fixture_copy, page, serve

from journal_site.aggregate.search import entry_record, snippet
from journal_site.parse import parse_entry


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(run_journal, fixture_copy(tmp_path_factory.mktemp("search")), TODAY)


def test_index_is_a_manifest_and_yearly_shards(public):
    manifest = json.loads((public / "search" / "index.json").read_text(encoding="utf-8"))
    assert manifest["shards"] == ["2026.json", "2025.json"]
    assert manifest["fields"] == ["url", "title", "tags", "lines", "snippet", "words", "day"]
    shard = json.loads((public / "search" / "2026.json").read_text(encoding="utf-8"))
    urls = [row[0] for row in shard["e"]]
    assert urls[0] == "2026/01/09/" and urls[-1] == "2026/01/01/" and len(urls) == 8
    first = next(row for row in shard["e"] if row[0] == "2026/01/01/")
    assert first[1] == "New year walk"
    assert first[2] == "health outdoors"
    assert first[3] == (
        "Walked 2 km by the river\nDrank enough water\nSlept badly — Screens off earlier tonight"
    )
    assert "heron" in first[4]
    # The day rides along: an encrypted site's URLs carry no date to read it from.
    assert first[6] == "2026-01-01"


def test_record_keeps_every_body_word_once():
    body = "Alpha beta. " * 20 + "Gamma, ALPHA and delta at the very end."
    entry = parse_entry("2026-01-01.md", "---\ntitle: Words\nwins: [Beta test]\n---\n" + body)
    record = entry_record(entry, "2026/01/01/")
    start, words = record[4], record[5].split()
    assert start == snippet(entry.text) and start.endswith("…")
    # Words already in the snippet, title or wins are not repeated; the rest appear once.
    assert words == ["gamma", "and", "delta", "at", "the", "very", "end"]


def test_search_page_is_a_plain_form(public):
    search = page(public, "search/")
    form = search.find("form", cls="search-form")
    assert form.attrs["method"] == "get" and form.attrs["action"] == "/search/"
    assert form.find("input").attrs["name"] == "q"
    assert form.attrs["data-index"] == "/search/index.json"
    assert search.find("script").attrs["src"].startswith("/static/search.")


def result_titles(tab) -> list[str]:
    return tab.locator("#search-results .search-result h2").all_inner_texts()


@pytest.mark.browser
def test_search_in_chromium(public, browser):
    with serve(public) as base:
        context = browser.new_context()
        try:
            tab = context.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(base + "search/")
            tab.fill("#search-q", "heron")
            tab.wait_for_function("() => document.querySelectorAll('.search-result').length === 2")
            assert result_titles(tab) == ["Rest day", "New year walk"]
            links = tab.locator("#search-results a").evaluate_all("l => l.map(a => a.pathname)")
            assert links == ["/2026/01/04/", "/2026/01/01/"]
            assert "2 entries found" in tab.inner_text("#search-status")
            assert tab.url.endswith("/search/?q=heron")

            tab.fill("#search-q", "bulbs")
            tab.wait_for_function("() => document.querySelectorAll('.search-result').length === 1")
            assert result_titles(tab) == ["Garden"]
            assert tab.inner_text(".search-snippet") == "Planted bulbs"
            assert tab.inner_text(".search-snippet mark") == "bulbs"

            tab.fill("#search-q", "#work")
            tab.wait_for_function("() => document.querySelectorAll('.search-result').length === 2")
            assert result_titles(tab) == ["Three kilometres", "Back at work"]

            tab.fill("#search-q", "zebra")
            tab.wait_for_function(
                "() => document.querySelector('#search-status').textContent.includes('Nothing')"
            )
            assert result_titles(tab) == []
            assert errors == []
        finally:
            context.close()


@pytest.mark.browser
def test_search_opened_with_a_query(public, browser):
    with serve(public) as base:
        context = browser.new_context(java_script_enabled=True)
        try:
            tab = context.new_page()
            tab.goto(base + "search/?q=brother")
            tab.wait_for_function("() => document.querySelectorAll('.search-result').length === 1")
            assert tab.input_value("#search-q") == "brother"
            assert result_titles(tab) == ["A full week"]
            assert "Snapped at my brother" in tab.inner_text(".search-snippet")
        finally:
            context.close()


def test_line_breaks_inside_a_paragraph_separate_words():
    entry = parse_entry("2026-01-01.md", "We talked\nthe whole *time*  \nand then\n\nmore.\n")
    assert entry.text == "We talked the whole time and then more."
