"""Keys derived from values: what names a page is what its template receives.

``Fingerprinter.digest(value)`` walks a value (a page's view, or the arguments its
view is made from) and digests everything in it, so that two values with the same
digest give a template the same things to read. Nothing is named by hand:

- plain values (strings, numbers, dates, ``Markup``) by their type and text;
- containers by their items in order (a set sorted), mappings by keys and values;
- a dataclass (any value of the model or a view) by its type and every field that
  is part of its identity (``compare=True``; the others are derived from those);
- an entry or its summary by a token: the digest of its canonical JSON (codec.py),
  which the loader computes once per parse; a goal likewise; a win or setback of a
  loaded entry by its summary's token and its place in the entry;
- a module-level function (a view maker, a filter handed to a template) by its
  qualified name: its code is named by the code version in every key;
- a ``Body``, ``Links`` or ``Record`` reference (pages/__init__.py) by its kind and source,
  collected in order: ``inputs`` returns them beside the digest of the rest (the
  *skeleton*), and a page's inputs are the skeleton with each reference's token
  (``combine``), so that they can be named again from the references' tokens alone;
- an ``Earlier`` (the entries up to one, with their URLs) by a chain of digests over
  those entries' tokens and URLs, made in one pass for every position of a journal;
- a value digested once by identity (a long container, a dataclass) by its text when
  that is short, else by a digest of it;
- a page's stand-in for a win's number (late_number.py) by its place and what was
  added to it.

A value of any other kind (an open file, a lambda, an object with hidden state)
cannot be named, and raises ``Unnameable``: the page is then a build error in tests
and rendered every time otherwise, never cached under a guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import Any

from journal_site.engine import Cancelled, codec, kinds
from journal_site.engine.kinds import (
    CATEGORIES,
    COLLECTION,
    DATE,
    EARLIER,
    FUNCTION,
    MARKUP,
    PART,
    RECORD,
    REF,
    SCALAR,
    SEQUENCE,
    TOKEN,
)
from journal_site.late_number import PageHole
from journal_site.model import Entry, EntrySummary, Goal, Setback, Win
from journal_site.pages import Body, Earlier, Links


class Unnameable(Exception):
    """A value that the fingerprinter cannot name."""


_MEMO_MIN = 8
"""Containers at least this long are digested once per build, by identity."""
_INLINE_MAX = 400
"""A value digested once by identity whose text is at most this long is named by that
text (length first), not by a digest of it: hashing it again with the rest costs less."""


Ref = tuple[str, str]
"""A reference's kind ("Body", "Links" or "Record") and source."""


def combine(skeleton: str, tokens: Iterable[str]) -> str:
    """A page's inputs: its skeleton with the tokens of its references, in order."""
    text = skeleton + "|" + "|".join(tokens)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def key_start(base_key: str, closures: Mapping[str, str], template: str | None) -> str:
    """What the key of an output of ``template`` starts with, before its inputs: what
    every page sees (``base_key``), and the digest of the templates it may read."""
    return f"{base_key}:{closures.get(template, template) if template else ''}:"


def goal_token(goal: Goal) -> str:
    return codec.token(codec.encode_goal(goal))


_FUNCTIONS: dict[Callable[..., Any], str] = {}
"""A module-level function's name as a digest shows it (see ``Fingerprinter._function``)."""

Digested = tuple[object, str, tuple[Ref, ...]]
"""A value digested by identity: the value, its digest, the references in it."""


class Fingerprinter:
    """Digests values; ``tokens`` maps ``id(value)`` to ``(value, token)`` for the
    entries, summaries and goals loaded, and the wins and setbacks of those summaries."""

    def __init__(
        self,
        tokens: Mapping[int, tuple[object, str]],
        cancel: Callable[[], bool] | None = None,
        carried: Mapping[int, Digested] | None = None,
    ) -> None:
        self.tokens = tokens
        self.cancel = cancel
        """Asked every few dozen values digested: a build that a newer change overtook
        stops here too (raising ``Cancelled``), not only between two outputs."""
        self._memo: dict[int, Digested] = {}
        self._carried = carried or {}
        """The last build's ``lasting()``: a frozen record made then and handed to this
        build again (kept by the model's memo) is not walked again."""
        self._refs: list[Ref] = []
        self._tokens_memo: dict[int, tuple[object, str]] = {}
        self._chains: dict[int, tuple[object, object, list[str]]] = {}
        self._work = 0

    def _check(self) -> None:
        self._work += 1
        if self._work & 63 == 0 and self.cancel is not None and self.cancel():
            raise Cancelled

    def digest(self, *values: Any) -> str:
        """The digest of ``values``; a reference in them counts by its name alone."""
        return self.inputs(*values)[0]

    def inputs(self, *values: Any) -> tuple[str, tuple[Ref, ...]]:
        """(the digest of ``values`` with each reference by its name, the references)."""
        self._check()
        out: list[str] = []
        outer, self._refs = self._refs, []
        try:
            for value in values:
                self._feed(value, out, 0)
            refs = tuple(self._refs)
        finally:
            self._refs = outer
        text = "\x1f".join(out).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=20).hexdigest(), refs

    def _feed(self, value: Any, out: list[str], depth: int) -> None:
        if depth > 80:
            raise Unnameable("nested too deeply")
        kind = type(value)
        if kind is str:  # its length first: no text can pass for two
            out.append(f"s{len(value)}:{value}")
            return
        category = CATEGORIES.get(kind)
        if category is None:
            category = kinds.category(kind)
        if category == RECORD:
            # Frozen values (a win record, a card) recur across pages: digested once.
            out.append(self._memoized(value, depth))
        elif category == SEQUENCE:
            if not value:
                out.append("(0" if kind is tuple else "[0")
                out.append("]")
            elif len(value) >= _MEMO_MIN:
                out.append(self._memoized(value, depth))
            else:
                self._walk(value, out, depth)
        elif category == SCALAR:
            out.append(f"{kind.__name__}:{value!r}")
        elif category == TOKEN:
            out.append(f"{kind.__name__}:{self._token(value)}")
        elif category == PART:
            held = self.tokens.get(id(value))
            if held is not None and held[0] is value:
                out.append(f"{kind.__name__}:{held[1]}")
            else:
                out.append(self._memoized(value, depth))
        elif category == DATE:
            out.append(
                f"{kind.__name__}:{value.isoformat() if kind is not dt.timedelta else value}"
            )
        elif category == MARKUP:
            out.append(f"m{len(value)}:{value}")
        elif category == REF:
            ref = (kind.__name__, value.source)
            self._refs.append(ref)
            out.append(f"ref:{ref[0]}:{ref[1]}")
        elif category == FUNCTION:
            out.append(self._function(value))
        elif category == EARLIER:
            out.append(f"Earlier:{self._chain(value)[value.position]}")
        elif category == COLLECTION and len(value) >= _MEMO_MIN:
            out.append(self._memoized(value, depth))
        else:
            self._walk(value, out, depth)

    def _walk(self, value: Any, out: list[str], depth: int) -> None:
        # What is walked most (strings, ints, entries and summaries by token, references,
        # pairs) is written here exactly as ``_feed`` writes it, without a call each.
        kind = type(value)
        feed, append, inner = self._feed, out.append, depth + 1
        if kind is list or kind is tuple:
            append(f"{'[' if kind is list else '('}{len(value)}")
            walk, token = self._walk, self._token
            for item in value:
                item_kind = type(item)
                if item_kind is str:
                    append(f"s{len(item)}:{item}")
                elif item_kind is int:
                    append(f"int:{item!r}")
                elif item_kind is EntrySummary or item_kind is Entry:
                    append(f"{item_kind.__name__}:{token(item)}")
                elif item_kind is tuple and 0 < len(item) < _MEMO_MIN and inner <= 80:
                    walk(item, out, inner)  # a pair or so: as ``_feed`` would, one call less
                elif item_kind is Body or item_kind is Links:
                    self._refs.append((item_kind.__name__, item.source))
                    append(f"ref:{item_kind.__name__}:{item.source}")
                elif item is None:
                    append("NoneType:None")
                else:
                    feed(item, out, inner)
            append("]")
            return
        if kind is dict:
            self._walk_mapping(value, out, inner)
            return
        names = kinds.fields(kind)
        if names is not None:
            append(kinds.record_head(kind))
            tokens = self.tokens
            for name in names:
                item = getattr(value, name)
                item_kind = type(item)
                if item_kind is str:
                    append(f"s{len(item)}:{item}")
                elif item_kind is int:
                    append(f"int:{item!r}")
                elif item_kind is EntrySummary or item_kind is Entry:
                    append(f"{item_kind.__name__}:{self._token(item)}")
                elif (
                    (item_kind is Win or item_kind is Setback)
                    and (held := tokens.get(id(item))) is not None
                    and held[0] is item
                    and inner <= 80
                ):
                    append(f"{item_kind.__name__}:{held[1]}")
                else:
                    feed(item, out, inner)
            append(")")
        elif isinstance(value, Mapping):
            self._walk_mapping(value, out, inner)
        elif kind is set or kind is frozenset:
            append(f"<{len(value)}")
            for named, refs in sorted(self.inputs(item) for item in value):
                append(named)
                self._refs.extend(refs)
            append(">")
        elif isinstance(value, PurePath):
            out.append(f"path:{value.as_posix()}")
        elif isinstance(value, str | int | float):  # subclasses (enums, Markup-likes)
            out.append(f"{kind.__qualname__}:{value!r}")
        elif isinstance(value, types.FunctionType | types.BuiltinFunctionType):
            out.append(self._function(value))
        elif isinstance(value, functools.partial):
            out.append("partial(")
            self._feed(value.func, out, depth + 1)
            self._feed(value.args, out, depth + 1)
            self._feed(value.keywords, out, depth + 1)
            out.append(")")
        elif kind is PageHole:  # a page's stand-in for a win's number (late_number.py)
            out.append(value.name)
        else:
            raise Unnameable(f"a {kind.__qualname__}")

    def _walk_mapping(self, value: Mapping[Any, Any], out: list[str], inner: int) -> None:
        feed, append = self._feed, out.append
        append(f"{{{len(value)}")
        for key, item in value.items():
            if type(key) is str:
                append(f"s{len(key)}:{key}")
            else:
                feed(key, out, inner)
            if type(item) is str:
                append(f"s{len(item)}:{item}")
            else:
                feed(item, out, inner)
        append("}")

    def _memoized(self, value: Any, depth: int) -> str:
        held = self._memo.get(id(value))
        if held is None or held[0] is not value:
            held = self._carried.get(id(value))
            if held is not None and held[0] is value:
                self._memo[id(value)] = held
            else:
                held = None
        if held is not None:
            self._refs.extend(held[2])
            return held[1]
        self._check()
        start = len(self._refs)
        inner: list[str] = []
        self._walk(value, inner, depth)
        text = "\x1f".join(inner)
        if len(text) <= _INLINE_MAX:  # its text costs less to hash again than to digest
            named = f"~{len(text)}:{text}"
        else:
            named = (
                "#"
                + hashlib.blake2b(
                    text.encode("utf-8", "surrogatepass"), digest_size=16
                ).hexdigest()
            )
        # The value is kept alive with its id, so the id cannot name another value.
        self._memo[id(value)] = (value, named, tuple(self._refs[start:]))
        return named

    def lasting(self) -> dict[int, Digested]:
        """The digests of the frozen records digested so far, by identity, each with its
        record (so that the identity cannot name another value): what the next build's
        fingerprinter may take over (``carried``). A frozen record is not changed once
        made, and its digest names its fields by their values, and entries and their
        parts by tokens that are digests of their content: it holds in any build."""
        return {key: held for key, held in self._memo.items() if kinds.frozen(type(held[0]))}

    def _chain(self, value: Earlier) -> list[str]:
        """For each position of ``value.entries``, a digest of the entries up to it
        (included) and their URLs, in order: one pass for every ``Earlier`` of them."""
        entries, urls = value.entries, value.urls
        held = self._chains.get(id(entries))
        if held is not None and held[0] is entries and held[1] is urls:
            return held[2]
        running = hashlib.blake2b(digest_size=20)
        names = []
        for entry in entries:
            url = urls.get(entry.source)
            shown = "-" if url is None else f"{len(url)}:{url}"
            running.update(f"{self._token(entry)}\x1f{shown}\x1e".encode("utf-8", "surrogatepass"))
            names.append(running.hexdigest())
        self._chains[id(entries)] = (entries, urls, names)
        return names

    def _function(self, value: types.FunctionType | types.BuiltinFunctionType) -> str:
        """A module-level function by its qualified name (its code is named by the code
        version in every key); a lambda or a closure cannot be named."""
        held = _FUNCTIONS.get(value)
        if held is None:
            if "<" in value.__qualname__:  # a lambda or a closure: holds state unseen
                raise Unnameable(f"a local function {value.__qualname__}")
            held = _FUNCTIONS[value] = f"fn:{value.__module__}.{value.__qualname__}"
        return held

    def _token(self, value: Entry | EntrySummary | Goal) -> str:
        held = self.tokens.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        memo = self._tokens_memo
        held = memo.get(id(value))
        if held is not None and held[0] is value:
            return held[1]
        if isinstance(value, Goal):
            named = goal_token(value)
        elif isinstance(value, Entry):
            named = codec.entry_tokens(*codec.encode_entry(value))[0]
        else:
            named = codec.token(codec.dump(codec.head_data(value)))
        memo[id(value)] = (value, named)
        return named
