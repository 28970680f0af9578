"""What ``Body``, ``Links`` and ``Record`` references in a page's (or file's) arguments
stand for (pages/__init__.py).

A builder sees entries' summaries only; a page that shows a body, or a file made of
an entry's search fields, names it by a reference. In a build, ``References`` resolves
them (an entry's body or search fields are read from the store only then) and gives
each its token, which names it in the page's inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from journal_site.engine import codec, sources
from journal_site.engine.keys import Ref
from journal_site.pages import Body, Links, Record


class References:
    """What references stand for in this build, and their tokens."""

    def __init__(
        self, parsed: Mapping[str, sources.Parsed], urls: Callable[[], Mapping[str, str]]
    ) -> None:
        self.parsed = parsed
        self.urls = urls
        """The entries' URLs (the model's: asked for only by an entry that links to others)."""

    def links(self, source: str) -> dict[str, str | None]:
        from journal_site.render import resolve_links

        targets = self.parsed[source].links
        return resolve_links(targets, self.urls()) if targets else {}

    def token(self, ref: Ref) -> str:
        kind, source = ref
        if kind == "Body" or kind == "Record":  # a record is made of the whole parse
            return self.parsed[source].token
        links = self.parsed[source].links
        return codec.token(codec.dump(list(self.links(source).items()))) if links else "-"

    def resolve(self, value: Any) -> Any:
        """``value`` (a view's arguments) with every reference replaced by what it stands for."""
        kind = type(value)
        if kind is Body:
            return self.parsed[value.source].entry()
        if kind is Links:
            return self.links(value.source)
        if kind is Record:
            return value.source, self.parsed[value.source].record()
        if kind is tuple or kind is list:
            asked = [self.parsed[v.source] for v in value if type(v) is Body or type(v) is Record]
            if len(asked) > 1:
                sources.read_rest(asked)
            return kind(self.resolve(v) for v in value)
        return value
