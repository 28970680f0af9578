"""What ``Body`` and ``Links`` references in a page's arguments stand for (pages/__init__.py).

A builder sees entries' summaries only; a page that shows a body names it by a
reference. In a build, ``References`` resolves them (an entry's body is read from
the store only then) and gives each its token, which names it in the page's inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from journal_site.engine import codec, sources
from journal_site.engine.keys import Ref
from journal_site.pages import Body, Links


class References:
    """What ``Body`` and ``Links`` references stand for in this build, and their tokens."""

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
        if kind == "Body":
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
        if kind is tuple or kind is list:
            bodies = [self.parsed[v.source] for v in value if type(v) is Body]
            if len(bodies) > 1:
                sources.read_rest(bodies)
            return kind(self.resolve(v) for v in value)
        return value


class Records(Mapping[str, tuple[str, ...]]):
    """Each entry's search fields by source, read only for the shards that are made."""

    def __init__(self, parsed: Mapping[str, sources.Parsed]) -> None:
        self.parsed = parsed

    def __getitem__(self, source: str) -> tuple[str, ...]:
        return self.parsed[source].record()

    def __iter__(self) -> Iterator[str]:
        return iter(self.parsed)

    def __len__(self) -> int:
        return len(self.parsed)
