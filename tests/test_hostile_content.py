"""Nothing in an entry can turn the site against its reader.

tests/fixtures/hostile is a journal whose titles, tags, wins, setbacks, reframes,
goal names, settings and bodies are made of script tags, event handlers and
``javascript:`` links in every spelling we know (mixed case, entities, whitespace,
reference links, autolinks, images, data: URLs). It is built with the real CLI, and
every HTML file is walked with html.parser for anything that could run: a script the
theme did not put there, an ``on*=`` attribute, a javascript:/vbscript:/data:text/html
URL, an iframe/object/embed/base/meta-refresh. Then real Chromium opens the pages and
runs the search with hostile words, and no alert may fire.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, run_journal
from pages_support import parse_html, serve

HOSTILE = FIXTURES / "hostile"
TODAY = "2026-11-25"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
             "background", "cite", "longdesc", "content", "ping"}  # fmt: skip
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
# Browsers drop ASCII tab/newline inside URLs and ignore leading spaces and control
# characters, so "java\tscript:" runs; compare with those removed.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data:text/html|data:image/svg)", re.I)


class _Findings(HTMLParser):
    """Everything in one HTML file that could run code, as readable strings."""

    def __init__(self, static_prefix: str) -> None:
        super().__init__(convert_charrefs=True)
        self.static_prefix = static_prefix
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and not values.get("src", "").startswith(self.static_prefix):
            self.found.append(f"<script {values}>")
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name in URL_ATTRS and _BAD_SCHEME.match(_IGNORED_IN_URL.sub("", value)):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def findings(path: Path, static_prefix: str = "/static/") -> list[str]:
    parser = _Findings(static_prefix)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.found


def build(tmp_path: Path, toml_extra: str = "") -> Path:
    root = tmp_path / "hostile"
    shutil.copytree(HOSTILE, root)
    if toml_extra:
        with (root / "journal.toml").open("a", encoding="utf-8") as toml:
            toml.write(toml_extra)
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "public"


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("hostile"))


def test_the_walker_catches_what_it_looks_for(tmp_path: Path) -> None:
    # The checker itself, on a page made of the attacks it must see.
    sample = tmp_path / "sample.html"
    sample.write_text(
        '<script>x</script><script src="/static/a.js"></script><img src=x onerror=y>'
        '<a href="java&#x09;script:y">a</a><a href=" JAVASCRIPT:y">b</a>'
        '<a href="vbscript:y">c</a><iframe src="data:text/html,x"></iframe>'
        '<meta http-equiv="Refresh" content="0"><p style="x">p</p><a href="/ok">ok</a>',
        encoding="utf-8",
    )
    assert len(findings(sample)) == 9


def test_no_page_carries_anything_that_could_run(public: Path) -> None:
    pages = sorted(public.rglob("*.html"))
    assert len(pages) > 10  # entries, timeline, wins, lessons, tags, goals, stats, search ...
    found = {str(p.relative_to(public)): findings(p) for p in pages}
    assert {page: items for page, items in found.items() if items} == {}
    for svg in public.rglob("*.svg"):
        assert findings(svg) == [], svg


def test_hostile_text_is_shown_as_text(public: Path) -> None:
    entry = parse_html((public / "2026/11/20/index.html").read_text(encoding="utf-8"))
    title = entry.find("h1").text()
    assert title.startswith('<script>alert("title")</script> and </title><script>')
    wins = [li.text() for li in entry.find_all("li", cls="win")]
    assert any(text.startswith("<svg onload=alert('win')>") for text in wins)
    body = entry.find("section", cls="entry-body").text()
    assert '<script>alert("body")</script>' in body
    assert "<img src=x onerror=alert('body img')>" in body
    html = (public / "2026/11/20/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html


def test_links_that_could_run_are_dropped_but_safe_ones_kept(public: Path) -> None:
    entry = parse_html((public / "2026/11/20/index.html").read_text(encoding="utf-8"))
    body = entry.find("section", cls="entry-body")
    hrefs = [a.attrs.get("href", "") for a in body.find_all("a")]
    assert "https://example.org" in hrefs  # the link with a hostile title attribute
    for href in hrefs:
        assert not _BAD_SCHEME.match(_IGNORED_IN_URL.sub("", href)), href
    second = parse_html((public / "2026/11/21/index.html").read_text(encoding="utf-8"))
    links = [a.attrs["href"] for a in second.find("section", cls="entry-body").find_all("a")]
    assert links == ["https://example.org/walk", "/2026/11/20/"]


def test_search_index_holds_hostile_words_only_as_json_text(public: Path) -> None:
    shards = sorted((public / "search").glob("*.json"))
    assert shards, "the search index is missing"
    records = json.loads((public / "search" / "2026.json").read_text(encoding="utf-8"))
    text = json.dumps(records, ensure_ascii=False)
    assert '<script>alert(\\"title\\")</script>' in text  # data, never markup
    for shard in shards:
        json.loads(shard.read_text(encoding="utf-8"))  # every shard is valid JSON


@pytest.mark.browser
def test_nothing_runs_in_chromium(public: Path, browser) -> None:
    urls = ["", "2026/11/20/", "2026/11/21/", "timeline/", "wins/", "lessons/", "tags/",
            "goals/", "goals/run-5k/", "stats/"]  # fmt: skip
    tag_pages = sorted(p.parent.name for p in (public / "tags").glob("*/index.html"))
    urls += [f"tags/{slug}/" for slug in tag_pages]
    with serve(public) as base:
        context = browser.new_context()
        try:
            tab = context.new_page()
            dialogs: list[str] = []
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for url in urls:
                tab.goto(base + url)
                tab.wait_for_load_state("load")
                # Hover and focus everything so that onmouseover/onfocus would fire.
                tab.evaluate(
                    "for (const el of document.querySelectorAll('*')) {"
                    " el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
                    " if (el.focus) el.focus(); }"
                )
                injected = tab.evaluate(
                    "Array.from(document.querySelectorAll('*')).filter(el =>"
                    " Array.from(el.attributes).some(a => a.name.startsWith('on'))"
                    " || (el.tagName === 'SCRIPT' && !el.src)).length"
                )
                assert injected == 0, url
            for query in ["script", "alert", "onerror", "javascript", "img"]:
                tab.goto(base + "search/?q=" + query)
                tab.wait_for_function(
                    "() => document.querySelector('#search-status').textContent.length > 0"
                    " && !document.querySelector('#search-status').textContent.includes('Loading')"
                )
                assert tab.locator("#search-results script").count() == 0
                assert tab.locator("#search-results [onerror], #search-results img").count() == 0
            assert tab.locator("#search-results .search-result").count() > 0
            assert dialogs == [], dialogs
        finally:
            context.close()


def test_allow_html_lets_the_body_through_and_nothing_else(tmp_path: Path) -> None:
    """With ``[markdown] allow_html = true`` the author's own raw HTML in entry and goal
    bodies is kept as written, scripts included: that is the opt-in. Front matter
    (titles, tags, wins, setbacks, reframes, goal names), settings and Markdown links
    are treated exactly as without it."""
    public = build(tmp_path, "\n[markdown]\nallow_html = true\n")
    found = {
        str(p.relative_to(public)): findings(p)
        for p in sorted(public.rglob("*.html"))
        if findings(p)
    }
    assert set(found) == {"2026/11/20/index.html", "goals/run-5k/index.html"}
    assert "<script {}>" in found["2026/11/20/index.html"]  # the body's own <script>
    entry = (public / "2026/11/20/index.html").read_text(encoding="utf-8")
    header, _, body = entry.partition('class="entry-body')
    assert "<script>alert(" not in header  # title, tags, wins, setbacks still escaped
    assert '<script>alert("block")</script>' in body  # an HTML block passes whole
    assert "[plain](javascript:alert('plain'))" in body  # Markdown links are still checked
    assert 'href="javascript' not in body.lower()
