"""The search index: one compact JSON file that the search page fetches once.

Each entry becomes one short array (positions, not keys, keep it small):

    [url, title, tags, lines, snippet, words]

- ``url``: the entry's page relative to the site root (its date is read from it);
- ``tags``: the entry's tags and its wins' and setbacks' tags, space-separated;
- ``lines``: wins, then setbacks with their reframes, one per line (shown as snippets);
- ``snippet``: the start of the body text, whitespace collapsed;
- ``words``: every other distinct word of the body, lower-case, once each.

Storing the rest of the body as a set of distinct words instead of prose keeps every
word findable while making the file about half the size of the text, so a journal of
thousands of entries loads in one quick request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from journal_site.model import Entry

SNIPPET_CHARS = 180
INDEX_PATH = "search/index.json"
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
    return [
        url,
        entry.title,
        " ".join(entry.all_tags()),
        "\n".join(_squash(line) for line in lines),
        start,
        " ".join(words),
    ]


def search_index(entries: Sequence[Entry], urls: Mapping[str, str]) -> bytes:
    """The index as UTF-8 JSON, newest entry first (the order results are shown in)."""
    records = [entry_record(e, urls[e.source]) for e in reversed(entries)]
    data = {"v": 1, "fields": ["url", "title", "tags", "lines", "snippet", "words"], "e": records}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
