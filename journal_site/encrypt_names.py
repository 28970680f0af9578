"""The names of an encrypted site (see encrypt.py): which paths are renamed, to what,
and every reference to them in pages and JSON files rewritten to match.

Names leak (entry URLs hold dates, tag pages hold tags, images keep their file names,
search shards are named by year), so every path except the section pages, the
not-found page, the theme's static files and the host's files is renamed to an HMAC
of the old path, under a key that needs the password too (``SiteKey.names_key``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

NAME_HEX = 32
"""Hex digits of HMAC-SHA256 kept in a renamed path (128 bits: no collisions in practice)."""

PLAIN_FILES = ("robots.txt", "_headers")
"""Files that hold nothing of the journal and must stay readable by the host."""
SEALED_DIR = "p/"
"""Renamed pages live at ``p/<hmac>/``."""
FILES_DIR = "f/"
"""Renamed encrypted files live at ``f/<hmac>.bin``."""


def is_page(path: str) -> bool:
    return path == "index.html" or path.endswith("/index.html") or path == "404.html"


def page_url(path: str) -> str:
    """``2026/11/24/index.html`` -> ``2026/11/24/`` (the form links use)."""
    return path.removesuffix("index.html")


_THEME_FILE = re.compile(r"static/.+\.[0-9a-f]{10}(?:\.[^./]+)?")


def stays_plain(path: str, origin: str, sealed_static: frozenset[str] = frozenset()) -> bool:
    """Theme files (fingerprinted, from a theme's static/) and files for the host.

    The origin matters: a journal's own ``content/static/photo.jpg`` lands at
    ``static/photo.jpg`` too, and is the journal's, so it is encrypted; and so are the
    files of the journal's own ``static/`` folder named in ``sealed_static`` (origins).
    """
    if path in PLAIN_FILES:
        return True
    if origin in sealed_static:
        return False
    return origin.startswith("static/") and bool(_THEME_FILE.fullmatch(path))


def sealed_names(
    paths: Mapping[str, str],
    names_key: bytes,
    kept_pages: frozenset[str],
    sealed_static: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Old output path -> new output path for everything that is renamed.

    ``paths`` maps each output path to its origin (see ``Output.origins``).
    ``kept_pages`` are page URLs ("" for home, "wins/" ...) that keep their names, so
    the sections can be typed and bookmarked; everything else that is not a theme file
    gets an HMAC name that says nothing of what it was.
    """

    def digest(path: str) -> str:
        return hmac.new(names_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:NAME_HEX]

    renamed: dict[str, str] = {}
    for path, origin in paths.items():
        if stays_plain(path, origin, sealed_static):
            continue
        if is_page(path):
            if path == "404.html" or page_url(path) in kept_pages:
                continue
            renamed[path] = f"{SEALED_DIR}{digest(path)}/index.html"
        else:
            renamed[path] = f"{FILES_DIR}{digest(path)}.bin"
    return renamed


def url_map(renamed: Mapping[str, str], base_path: str) -> dict[str, str]:
    """Every spelling of a renamed path a page may use -> its new spelling.

    Pages are linked as ``<base>2026/11/24/`` (and sometimes ``.../index.html``); files
    by their path; scripts' data may hold them relative to the site root.
    """
    mapping: dict[str, str] = {}
    for old, new in renamed.items():
        spellings = [(old, new)]
        if is_page(old):
            spellings.append((page_url(old), page_url(new)))
        for before, after in spellings:
            mapping[before] = after
            mapping[base_path + before] = base_path + after
    return mapping


def _map_one(value: str, mapping: Mapping[str, str]) -> str | None:
    new = mapping.get(value)
    if new is not None:
        return new
    if "#" not in value and "?" not in value and "%" not in value:
        return None
    for candidate in (value, unquote(value)):
        path, mark, rest = candidate.partition("#")
        if mark == "":
            path, mark, rest = candidate.partition("?")
        new = mapping.get(path)
        if new is not None:
            return new + mark + rest
    return None


def _rewrite_value(value: str, mapping: Mapping[str, str]) -> str:
    whole = _map_one(value, mapping)
    if whole is not None:
        return whole
    if "," in value and " " in value:  # srcset: "a.jpg 1x, b.jpg 2x"
        items = []
        changed = False
        for item in value.split(","):
            lead = item[: len(item) - len(item.lstrip())]
            url, space, descriptor = item.strip().partition(" ")
            new = _map_one(url, mapping)
            changed = changed or new is not None
            items.append(lead + (new or url) + space + descriptor)
        if changed:
            return ",".join(items)
    return value


@functools.cache
def _quoted_paths(base_path: str) -> tuple[re.Pattern[str], ...]:
    # Pages link with url(), so every reference in a page starts with the base path
    # right after a quote; a literal prefix lets the regex engine skip ahead fast on
    # pages with thousands of attributes.
    base = re.escape(base_path)
    return tuple(re.compile(f"{q}({base}[^{q}<>\n]*){q}") for q in ('"', "'"))


def rewrite_references(text: str, mapping: Mapping[str, str], base_path: str = "/") -> str:
    """Replace every quoted value (attribute, SVG link) that names a renamed path."""
    if not mapping:
        return text

    def replace(match: re.Match[str]) -> str:
        whole, value = match.group(0), match.group(1)
        return whole[0] + _rewrite_value(value, mapping) + whole[-1]

    for pattern in _quoted_paths(base_path):
        text = pattern.sub(replace, text)
    return text


def rewrite_json(
    data: bytes, mapping: Mapping[str, str], old_path: str = "", new_path: str = ""
) -> bytes:
    """Rewrite every string in a JSON document that names a renamed path.

    Besides site paths, a string may name a file relative to the document itself (the
    search manifest lists its shards so); such a name is rewritten relative to the
    document's new place.
    """
    if not mapping:
        return data
    old_dir, new_dir = posixpath.dirname(old_path), posixpath.dirname(new_path)

    def relative(value: str) -> str:
        # Prose (titles, snippets, word lists) has spaces; the names of files do not.
        if not value or value[0] == "/" or " " in value or ":" in value or "\n" in value:
            return value
        target = posixpath.normpath(posixpath.join(old_dir, value))
        if value.endswith("/"):
            target += "/"
        new = mapping.get(target)
        return value if new is None else posixpath.relpath(new, new_dir or ".")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            rewritten = _rewrite_value(value, mapping)
            return relative(value) if rewritten == value else rewritten
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    rewritten = walk(json.loads(data))
    return json.dumps(rewritten, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
