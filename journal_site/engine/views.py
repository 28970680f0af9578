"""Views kept as data: a page (or file) that shows entries' bodies, as its builder
planned it, kept in the store under its skeleton (keys.py), so that a build whose
model is the last one's (a body edit) makes it without making the model.

A view is kept as typed JSON: plain values as JSON; tuples, lists, dicts, dates,
``Markup``, a win's number (late_number.py) and references (``Body``, ``Links``) each
under a tag; a dataclass of this package by its class and fields; a module-level
function of this package by its name; an entry's summary by its token, and a win or
setback of it by that token and its place (the values the fingerprinter names by token,
named the same way). Decoding imports nothing outside this package and runs nothing
but those classes' constructors. Anything else (an open file, a set, a lambda) makes
a view that is not kept: its page is made from the model, as before.

A view read back is used only if it digests to the skeleton its page's key was made
from (``HeldViews.get``), so a view that did not come back whole (a class whose
constructor derives a field, a damaged row) costs a model, never a wrong page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import types
from collections.abc import Callable, Container, Mapping
from typing import Any, Protocol

from markupsafe import Markup

from journal_site.engine.keys import Fingerprinter
from journal_site.engine.rows import row_of
from journal_site.engine.sources import Parsed
from journal_site.late_number import WinNumber
from journal_site.model import EntrySummary, Setback, Win
from journal_site.pages import Body, Earlier, Links, Page, Record, SiteFile

PACKAGE = "journal_site."


class NotKept(Exception):
    """A value that a view kept as data cannot hold."""


def encode_output(item: Page | SiteFile, named: Mapping[int, tuple[object, str]]) -> str | None:
    """``item`` as typed JSON (a file as its path, maker, arguments and origin); None if
    it holds a value that cannot be kept. ``named``: the fingerprinter's tokens (``id``
    -> (value, token)) of the summaries and their wins and setbacks."""
    try:
        if isinstance(item, SiteFile):
            value: Any = [
                "f",
                item.path,
                _out(item.make, named),
                _out(item.args, named),
                item.origin,
            ]
        else:
            value = ["p", _out(item, named)]
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (NotKept, RecursionError):
        return None


def _out(value: Any, named: Mapping[int, tuple[object, str]]) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is tuple or kind is list:
        return {"t" if kind is tuple else "l": [_out(v, named) for v in value]}
    if kind is dict:
        return {"d": [[_out(k, named), _out(v, named)] for k, v in value.items()]}
    if kind is EntrySummary or kind is Win or kind is Setback:
        held = named.get(id(value))
        if held is not None and held[0] is value:
            return {"S": held[1]}
    if kind is Markup:
        return {"m": str(value)}
    if kind is dt.date or kind is dt.datetime or kind is dt.time:
        return {
            "D" if kind is dt.date else "DT" if kind is dt.datetime else "T": value.isoformat()
        }
    if kind is WinNumber:
        return {"N": int(value)}
    if kind is Body or kind is Links or kind is Record:
        return {"B" if kind is Body else "L" if kind is Links else "Rc": value.source}
    if kind is Earlier:  # named by a chain over thousands of entries: not worth keeping
        raise NotKept("the entries before one")
    if kind is types.FunctionType and value.__module__.startswith(PACKAGE):
        if "<" in value.__qualname__:
            raise NotKept(f"a local function {value.__qualname__}")
        return {"F": f"{value.__module__}:{value.__qualname__}"}
    if dataclasses.is_dataclass(kind) and kind.__module__.startswith(PACKAGE):
        fields = [f.name for f in dataclasses.fields(kind) if f.init]
        if len(fields) != len(dataclasses.fields(kind)):
            raise NotKept(f"a {kind.__qualname__} with a field its constructor derives")
        name = f"{kind.__module__}:{kind.__qualname__}"
        return {"R": [name, [_out(getattr(value, field), named) for field in fields]]}
    raise NotKept(f"a {kind.__qualname__}")


def decode_output(text: str, path: str, summary: Callable[[str], Any]) -> Page | SiteFile:
    """The page or file at ``path`` that ``encode_output`` wrote as ``text``; ``summary``
    gives the summary (or its win or setback) a token names. Raises ValueError (or
    KeyError, TypeError) for a text that does not read."""
    data = json.loads(text)
    if data[0] == "f":
        _, at, make, args, origin = data
        item: Page | SiteFile = SiteFile(
            str(at), _in(make, summary), _in(args, summary), str(origin)
        )
    else:
        item = _in(data[1], summary)
    if not isinstance(item, Page | SiteFile) or item.path != path:
        raise ValueError("not the view of this output")
    return item


_CLASSES: dict[str, Any] = {}

_DECODERS: dict[str, Callable[[Any], Any]] = {
    "m": Markup,
    "D": dt.date.fromisoformat,
    "DT": dt.datetime.fromisoformat,
    "T": dt.time.fromisoformat,
    "N": WinNumber,
    "B": Body,
    "L": Links,
    "Rc": Record,
}
"""The values kept under a tag of their own, each from its text or number."""


def _named(name: str) -> Any:
    """The class or function of this package named ``module:qualname``."""
    held = _CLASSES.get(name)
    if held is None:
        module, _, qualname = name.partition(":")
        if not module.startswith(PACKAGE):
            raise ValueError(f"not of this package: {name}")
        held = importlib.import_module(module)
        for part in qualname.split("."):
            held = getattr(held, part)
        _CLASSES[name] = held
    return held


def _in(value: Any, summary: Callable[[str], Any]) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, data),) = value.items()
    if tag == "t" or tag == "l":
        items = [_in(v, summary) for v in data]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        return {_in(k, summary): _in(v, summary) for k, v in data}
    if tag == "R":
        name, fields = data
        kind = _named(name)
        if not dataclasses.is_dataclass(kind):
            raise ValueError(f"not a record: {name}")
        return kind(*[_in(v, summary) for v in fields])
    if tag == "S":
        return summary(data)
    if tag == "F":
        function = _named(data)
        if not isinstance(function, types.FunctionType):
            raise ValueError(f"not a function: {data}")
        return function
    return _DECODERS[tag](data)


def view_of(
    fingerprinter: Fingerprinter, row: list[Any], item: Page | SiteFile, known: Container[str]
) -> list[tuple[str, str]]:
    """[(skeleton, view as data)] for an output planned anew that shows bodies (has
    references), whose view is not ``known`` (kept already) and can be kept; else []."""
    if not row[4] or row[3] is None or row[3] in known:
        return []
    data = encode_output(item, fingerprinter.tokens)
    return [] if data is None else [(row[3], data)]


class ViewStore(Protocol):
    """Where views are kept (the store: store_plans.py)."""

    def view(self, skeleton: str) -> str | None: ...

    def view_skeletons(self) -> set[str]: ...


class HeldViews:
    """The views the store keeps, each used only if it digests to its skeleton."""

    def __init__(
        self,
        store: ViewStore,
        parsed: Mapping[str, Parsed],
        fingerprinter: Fingerprinter,
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        """``store``: where the views are kept; ``parsed``: the build's parses;
        ``fingerprinter``: the build's (each view read adds the summaries it names to
        its tokens); ``wanted``: whether views are to be read at all (not once the
        build has made its model: its builders then make the page as cheaply)."""
        self.wanted = wanted
        self._store = store
        self._kept: set[str] | None = None
        self._parsed = parsed
        self._fingerprinter = fingerprinter
        self._by_token: dict[str, Parsed] | None = None
        self.used = 0

    @property
    def listed(self) -> bool:
        """Whether the skeletons of the views kept have been read (``kept``)."""
        return self._kept is not None

    def kept(self) -> set[str]:
        """The skeletons of the views kept (read once)."""
        if self._kept is None:
            self._kept = self._store.view_skeletons()
        return self._kept

    def _summary(self, token: str) -> Any:
        """The summary a token names (``T``, or ``T.wN`` / ``T.sN`` for a part of it)."""
        if self._by_token is None:
            self._by_token = {p.summary_token: p for p in self._parsed.values() if p.summary_token}
        base, _, part = token.partition(".")
        held = self._by_token[base]
        named = held.named()  # the fingerprinter names them by these tokens
        self._fingerprinter.tokens.update(named)  # type: ignore[attr-defined]
        value = held.summary
        if part:
            value = (value.wins if part[0] == "w" else value.setbacks)[int(part[1:])]
        return value

    def get(self, skeleton: str | None, path: str) -> Page | SiteFile | None:
        """The output at ``path`` from its kept view, if that view is kept and digests
        to ``skeleton``; else None (the builder makes it)."""
        text = self._store.view(skeleton) if skeleton is not None and self.wanted() else None
        if text is None:
            return None
        try:
            item = decode_output(text, path, self._summary)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, ImportError):
            return None
        if row_of(self._fingerprinter, item)[3] != skeleton:
            return None
        self.used += 1
        return item
