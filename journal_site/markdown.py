"""Markdown -> HTML with markdown-it-py: CommonMark, tables, task lists, footnotes.

Relative links and images are rewritten here so that they keep working from the
entry's page URL: an image ``img/run.jpg`` next to ``2026/11/25.md`` becomes
``<base>/2026/11/img/run.jpg``, where the copied file lands. A link to another
Markdown file becomes a marker (``journal-entry:<source>``) that the render stage
replaces with that entry's URL, because URLs are known only once every entry is loaded.
"""

from __future__ import annotations

import posixpath
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from journal_site.config import MarkdownOptions
from journal_site.model import ENTRY_LINK_PREFIX
from journal_site.obsidian import obsidian_plugin


def _is_relative(url: str) -> bool:
    return bool(url) and not url.startswith(("/", "#", "?", "//")) and ":" not in url.split("/")[0]


def _rewrite_relative_links(state: StateCore) -> None:
    source_dir = posixpath.dirname(state.env.get("source", ""))
    base_path = state.env.get("base_path", "/")

    def rewrite(url: str) -> str:
        if not _is_relative(url):
            return url
        path, hashmark, fragment = url.partition("#")
        path, query_mark, query = path.partition("?")
        target = posixpath.normpath(posixpath.join(source_dir, path))
        if target == ".." or target.startswith("../"):
            return url  # points outside content/: nothing of ours is there
        if target.lower().endswith(".md"):
            return f"{ENTRY_LINK_PREFIX}{target}" + (hashmark + fragment)
        return base_path + target + query_mark + query + hashmark + fragment

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type == "link_open":
                href = token.attrGet("href")
                if isinstance(href, str):
                    token.attrSet("href", rewrite(href))
            elif token.type == "image":
                src = token.attrGet("src")
                if isinstance(src, str):
                    token.attrSet("src", rewrite(src))
            if token.children:
                walk(token.children)

    walk(state.tokens)


@cache
def _parser(options: MarkdownOptions) -> MarkdownIt:
    md = (
        MarkdownIt(
            "commonmark",
            {"html": options.allow_html, "typographer": options.typographer},
        )
        .enable("table")
        .enable("strikethrough")
        .use(tasklists_plugin, label=True)  # a checkbox is named by its task
        .use(footnote_plugin)
    )
    if options.typographer:
        md.enable(["replacements", "smartquotes"])
    md.core.ruler.push("journal_relative_links", _rewrite_relative_links)
    md.use(obsidian_plugin, ENTRY_LINK_PREFIX)
    return md


def _plain_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    # A line break inside a paragraph separates words ("talked\nthe").
                    parts.append(" ")
            parts.append(" ")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
            parts.append(" ")
    return " ".join("".join(parts).split())


def render_markdown(
    text: str, source: str, options: MarkdownOptions, base_path: str = "/"
) -> tuple[str, str]:
    """Render an entry body; return (html, plain text). ``source`` is the path in content/."""
    html, plain, _ = render_markdown_tags(text, source, options, base_path)
    return html, plain


def render_markdown_tags(
    text: str, source: str, options: MarkdownOptions, base_path: str = "/"
) -> tuple[str, str, tuple[str, ...]]:
    """Like ``render_markdown``, with the inline ``#tags`` of the text (see obsidian.py)."""
    md = _parser(options)
    env = {"source": source, "base_path": base_path}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return html, _plain_text(tokens), env.get("tags", ())
