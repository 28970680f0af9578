"""Obsidian notes as they are: ``[[wiki links]]`` and inline ``#tags``.

``[[2026-11-24]]``, ``[[note]]`` and ``[[note|shown text]]`` become links to the entry
whose file has that name (anywhere under content/, as Obsidian resolves them), or to
the page of that day; when there is no such entry they render as plain text. The
link is written as a ``journal-entry:[[name]]`` marker at Markdown time and resolved
at render time (see ``render.resolve_entry_links``), when every entry's URL is known.
``![[picture.png]]`` embeds a picture that sits next to the note.

Inline ``#tags`` are collected from the text of the body only: never from code,
headings' ``# `` markers, link targets or URL fragments (a tag must follow a space).
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

from journal_site.conventions import hashtags

if TYPE_CHECKING:  # markdown-it is imported by the parse alone (a build may parse nothing)
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline

WIKI_OPEN = "[["
_IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp"}


def _wikilink(prefix: str, state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    embed = src.startswith("![[", start)
    if not embed and not src.startswith("[[", start):
        return False
    opening = start + (3 if embed else 2)
    end = src.find("]]", opening)
    if end < 0:
        return False
    inner = src[opening:end]
    if not inner.strip() or "\n" in inner or "[" in inner or "]" in inner:
        return False
    if not silent:
        target, _, alias = inner.partition("|")
        name = target.partition("#")[0].strip()
        shown = alias.strip() or target.strip()
        if embed and posixpath.splitext(name)[1].lower() in _IMAGE_EXT:
            token = state.push("image", "img", 0)
            token.attrs = {"src": quote(name), "alt": ""}
            token.content = alias.strip()
            from markdown_it.token import Token

            alt = Token("text", "", 0)
            alt.content = alias.strip()
            token.children = [alt]
        elif name:
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": f"{prefix}{WIKI_OPEN}{name}]]", "class": "wikilink"}
            text = state.push("text", "", 0)
            text.content = shown
            state.push("link_close", "a", -1)
        else:
            text = state.push("text", "", 0)
            text.content = shown
    state.pos = end + 2
    return True


def _collect_tags(state: StateCore) -> None:
    found: dict[str, None] = {}
    for token in state.tokens:
        if token.type != "inline" or not token.children or "#" not in token.content:
            continue
        in_link = 0
        previous = None
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link and "#" in child.content:
                text = child.content
                # A text run that follows emphasis or code starts mid-line: "**x**#y" is no tag.
                if previous is not None and previous.type not in ("softbreak", "hardbreak"):
                    text = "\0" + text
                found.update(dict.fromkeys(hashtags(text)))
            previous = child
    state.env["tags"] = tuple(found)


def obsidian_plugin(md: MarkdownIt, prefix: str) -> None:
    """Wiki links (before ordinary links and images) and inline-tag collection."""
    md.inline.ruler.before("link", "wikilink", partial(_wikilink, prefix))
    md.core.ruler.push("inline_tags", _collect_tags)


_index_cache: list[tuple[Mapping[str, str], dict[str, str]]] = []


def _name_index(urls: Mapping[str, str]) -> dict[str, str]:
    """{lower-cased name or path without .md: URL}, built once per URL map."""
    # One build renders every page with the same URL map; keep the last index.
    if _index_cache and _index_cache[0][0] is urls:
        return _index_cache[0][1]
    index: dict[str, str] = {}
    # Sorted so that, as in Obsidian, the shortest path wins when two files share a name.
    for source in sorted(urls, key=lambda s: (s.count("/"), s)):
        url = urls[source]
        stem = source[:-3] if source.lower().endswith(".md") else source
        index.setdefault(stem.casefold(), url)
        index.setdefault(posixpath.basename(stem).casefold(), url)
    for url in urls.values():
        parts = url.strip("/").split("/")
        if len(parts) == 3:  # the first entry of a day: YYYY/MM/DD/
            index.setdefault("-".join(parts), url)
    _index_cache[:] = [(urls, index)]
    return index


def resolve_wiki_link(marker: str, urls: Mapping[str, str]) -> str | None:
    """The URL of ``[[name]]`` (as written in a marker), or None when no entry has that name."""
    if not (marker.startswith(WIKI_OPEN) and marker.endswith("]]")):
        return None
    name = html.unescape(marker[2:-2]).strip().strip("/")
    if name.lower().endswith(".md"):
        name = name[:-3]
    return _name_index(urls).get(name.casefold())
