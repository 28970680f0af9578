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

import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence

from journal_site.fingerprint import tokens_and_urls
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


def search_index(
    entries: Sequence[Entry],
    urls: Mapping[str, str],
    memo: MutableMapping[int, tuple[object, tuple[str, ...]]] | None = None,
    tokens: Mapping[int, tuple[object, bytes]] | None = None,
) -> dict[str, tuple[str | None, Callable[[], bytes]]]:
    """Path under the site -> (key, a function making its UTF-8 JSON): the manifest and
    one shard per year. The JSON is made only when asked for.

    Shards and the entries in them are newest first, the order results are shown in.
    ``memo`` (``id(entry) -> (entry, entry_fields(entry))``) holds records already made,
    and receives the ones made here. With ``tokens`` (see ``SiteModel.tokens``) a shard
    has a key: a string naming its entries, which with the code determines its bytes
    (None without).
    """
    if memo is None:
        memo = {}
    known = tokens or {}
    years: dict[int, list[Entry]] = {}
    for entry in reversed(entries):
        years.setdefault(entry.day.year, []).append(entry)

    def shard(year_entries: list[Entry]) -> bytes:
        records = []
        for entry in year_entries:
            held = memo.get(id(entry))
            if held is not None and held[0] is entry:
                fields = held[1]
            else:
                fields = entry_fields(entry)
                memo[id(entry)] = (entry, fields)
            records.append([urls[entry.source], *fields])
        return _json({"e": records})

    def key(year_entries: list[Entry]) -> str | None:
        named = tokens_and_urls(year_entries, known, urls.__getitem__)
        if named is None:
            return None
        text = repr(named).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=20).hexdigest()

    files: dict[str, tuple[str | None, Callable[[], bytes]]] = {
        f"{INDEX_DIR}{year}.json": (key(group), functools.partial(shard, group))
        for year, group in years.items()
    }
    manifest = _json({"v": 1, "fields": FIELDS, "shards": [f"{year}.json" for year in years]})
    files[INDEX_PATH] = (None, lambda: manifest)
    return files
