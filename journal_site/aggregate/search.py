"""The search index: compact JSON files that the search page fetches once.

``search/index.json`` is a small manifest naming one shard per year
(``search/2026.json`` ...); the page fetches the shards in parallel, so no file grows
with the whole journal and a long journal still loads quickly. In a shard each entry
is one short array (positions, not keys, keep it small):

    [url, title, tags, lines, snippet, words, day]

- ``url``: the entry's page relative to the site root;
- ``tags``: the entry's tags and its wins' and setbacks' tags, space-separated;
- ``lines``: wins, then setbacks with their reframes, one per line (shown as snippets);
- ``snippet``: the start of the body text, whitespace collapsed;
- ``words``: every other distinct word of the body, lower-case, once each;
- ``day``: the entry's day, YYYY-MM-DD (an encrypted site's URLs carry no date).

Storing the rest of the body as a set of distinct words instead of prose keeps every
word findable while making the file about half the size of the text, so a journal of
thousands of entries loads in one quick request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from journal_site.model import Entry

SNIPPET_CHARS = 140
INDEX_DIR = "search/"
INDEX_PATH = INDEX_DIR + "index.json"
FIELDS = ("url", "title", "tags", "lines", "snippet", "words", "day")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _squash(text: str) -> str:
    return " ".join(text.split())


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` cut at a word boundary, with an ellipsis when cut."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,.;:") + "…"


def entry_record(entry: Entry, url: str) -> list[str]:
    return [url, *entry_fields(entry)]


def entry_fields(entry: Entry) -> tuple[str, ...]:
    """Every field of an entry's record but its URL: a function of the entry alone, so a
    builder can keep it for as long as the entry's file is unchanged."""
    lines = [w.text for w in entry.wins]
    lines += [f"{s.text} — {s.reframe}" if s.reframe else s.text for s in entry.setbacks]
    start = snippet(entry.text)
    seen = {w.casefold() for w in _WORD.findall(start)}
    seen.update(w.casefold() for w in _WORD.findall(entry.title))
    seen.update(w.casefold() for line in lines for w in _WORD.findall(line))
    words: dict[str, None] = {}
    for word in _WORD.findall(entry.text):
        folded = word.casefold()
        if folded not in seen:
            words[folded] = None
    return (
        entry.title,
        " ".join(entry.all_tags()),
        "\n".join(_squash(line) for line in lines),
        start,
        " ".join(words),
        entry.day.isoformat(),
    )


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shard(records: Sequence[tuple[str, Sequence[str]]], urls: Mapping[str, str]) -> bytes:
    """One shard's UTF-8 JSON: each entry's search fields (``entry_fields``, by its
    source, newest first) with its URL."""
    return _json({"e": [[urls[source], *fields] for source, fields in records]})


def manifest(years: Sequence[int]) -> bytes:
    """``index.json``: the fields' names and the shards, newest first."""
    return _json({"v": 1, "fields": FIELDS, "shards": [f"{year}.json" for year in years]})


def search_index(
    entries: Sequence[Entry], urls: Mapping[str, str]
) -> list[tuple[str, Callable[..., bytes], tuple[object, ...]]]:
    """(path under the site, a function making its bytes, the arguments it takes) for the
    manifest and one shard per year: the JSON is made only when asked for.

    Shards and the entries in them are newest first, the order results are shown in.
    """
    years: dict[int, list[Entry]] = {}
    for entry in reversed(entries):
        years.setdefault(entry.day.year, []).append(entry)
    files: list[tuple[str, Callable[..., bytes], tuple[object, ...]]] = [
        (
            f"{INDEX_DIR}{year}.json",
            shard,
            (tuple(group), {e.source: urls[e.source] for e in group}),
        )
        for year, group in years.items()
    ]
    files.append((INDEX_PATH, manifest, (tuple(years),)))
    return files
