"""A stable digest of what a template receives, so an unchanged page is not rendered again.

``Fingerprinter.page(page)`` walks the page's view (dataclasses, mappings, sequences,
strings, numbers, dates) and feeds a canonical form of every value into a hash. The
walk is cheap because entries are not walked at all: an ``Entry`` parsed from a file
is fully determined by that file's bytes and the parse settings, so it is represented
by the file's content digest (``known``). A value the walk does not understand makes
the page "unfingerprintable", and such a page is simply rendered every time: a wrong
cache hit is the one thing this must never produce.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from types import BuiltinFunctionType, FunctionType
from typing import Any


class Unfingerprintable(Exception):
    """A view holds a value whose content cannot be captured; render the page every time."""


_ATOMS = (str, int, float, bool, type(None), bytes)
_DATES = (dt.date, dt.datetime, dt.time, dt.timedelta)
_SCALARS = (str, int, float, bytes, *_DATES)
_ATOM_SET = frozenset(_ATOMS)
_FLAT = frozenset((*_ATOMS, *_DATES))
"""Exact types whose repr names the type and the value (never a subclass: Markup is not str)."""
_MAX_DEPTH = 64
_MEMO_MIN = 16


def _named(value: Any) -> bool:
    """A module-level function or class: one that its name identifies (not a lambda or closure)."""
    qualname = getattr(value, "__qualname__", "")
    return bool(getattr(value, "__module__", None)) and "<" not in qualname


def _plain(container: Any) -> bool:
    """A tuple, list or dict holding only values whose repr is canonical (``_ATOMS``)."""
    if type(container) is dict:
        return set(map(type, container)).issubset(_ATOM_SET) and set(
            map(type, container.values())
        ).issubset(_ATOM_SET)
    return set(map(type, container)).issubset(_ATOM_SET)


def tokens_and_urls(
    items: Iterable[Any],
    known: Mapping[int, tuple[object, bytes]],
    url_of: Callable[[str], str],
) -> list[tuple[bytes, str]] | None:
    """Each of ``items`` (entries, goals) named by its token in ``known`` and the URL of
    its source: what, with the code, determines all a list of them shows. None when one
    has no token (a model not made by a builder's build)."""
    named = []
    for item in items:
        hit = known.get(id(item))
        if hit is None or hit[0] is not item:
            return None
        named.append((hit[1], url_of(item.source)))
    return named


class Fingerprinter:
    def __init__(self, known: Mapping[int, tuple[object, bytes]] | None = None) -> None:
        self.known = known or {}
        """``id(value) -> (value, token)``: values (entries) represented by a token instead of a walk."""
        self._fields: dict[type, tuple[str, ...]] = {}
        self._getters: dict[type, operator.attrgetter[Any]] = {}
        self._named: dict[int, tuple[object, bytes]] = {}
        """``id(record) -> (record, its part of a list's form)`` (see ``_tokens_of``)."""
        self._via: dict[type, tuple[str, tuple[str, ...]]] = {}
        """Types that declare ``__fingerprint_via__`` (see ``_feed``)."""
        self._memo: dict[int, tuple[object, str]] = {}
        """``id(container) -> (container, digest)``: a big mapping or sequence that many
        pages share (every entry's URL, say) is walked once per build, not once per page.
        Views are not changed once planned, so a container's identity stands for its content."""

    def digest(self, *values: Any) -> str:
        parts: list[str] = []
        for value in values:
            self._feed(value, parts, 0)
        return hashlib.blake2b(
            "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=20
        ).hexdigest()

    def _feed(self, value: Any, out: list[str], depth: int) -> None:
        kind = type(value)
        if kind in _ATOMS:
            # repr tells the built-in types apart ('1', 1, 1.0, True, b'1') and escapes
            # control characters, so the separators cannot occur inside a part.
            out.append(repr(value))
            return
        if depth > _MAX_DEPTH:
            raise Unfingerprintable("nested too deeply")
        hit = self.known.get(id(value))
        if hit is not None and hit[0] is value:
            out.append(f"K{hit[1]!r}")
            return
        if kind is tuple or kind is list or kind is dict:
            if len(value) >= _MEMO_MIN:
                out.append(self._memoized(value, depth))
                return
            if _plain(value):
                # Only built-in atoms inside (a list of tags, say): one repr, in C.
                out.append(f"P{value!r}")
                return
        if kind is tuple or kind is list:
            tokens = self._tokens_of(value) if value else None
            if tokens is not None:
                out.append(tokens.decode("latin-1"))
                return
            out.append(f"[{len(value)}")
            for item in value:
                self._feed(item, out, depth + 1)
            out.append("]")
            return
        if kind is dict:
            out.append(f"{{{len(value)}")
            for key, item in value.items():
                self._feed(key, out, depth + 1)
                self._feed(item, out, depth + 1)
            out.append("}")
            return
        fields = self._fields.get(kind)
        if fields is not None:
            via = self._via.get(kind)
            if via is not None:
                # A record derived from one part of an entry declares that this part's
                # token, with the few fields named beside it, determines all of it.
                part = getattr(value, via[0])
                hit = self.known.get(id(part))
                if hit is not None and hit[0] is part:
                    out.append(f"{kind.__module__}.{kind.__qualname__}<K{hit[1]!r}")
                    for field in via[1]:
                        self._feed(getattr(value, field), out, depth + 1)
                    out.append(">")
                    return
            getter = self._getters.get(kind)
            if getter is not None:
                # A small record of plain values (a heatmap cell, say) in one repr.
                values = getter(value)
                if all(type(v) in _FLAT for v in values):
                    out.append(f"{kind.__module__}.{kind.__qualname__}{values!r}")
                    return
            out.append(f"{kind.__module__}.{kind.__qualname__}(")
            for field in fields:
                self._feed(getattr(value, field), out, depth + 1)
            out.append(")")
            return
        name = f"{kind.__module__}.{kind.__qualname__}"
        if isinstance(value, _SCALARS):
            # Subclasses such as Markup (not escaped, unlike str), and dates.
            out.append(f"{name}:{value!r}")
            return
        if isinstance(value, PurePath):
            out.append(f"{name}:{str(value)!r}")
            return
        if isinstance(value, list | tuple):
            out.append(f"{name}[{len(value)}")
            for item in value:
                self._feed(item, out, depth + 1)
            out.append("]")
            return
        if isinstance(value, Mapping):
            out.append(f"{name}{{{len(value)}")
            for key, item in value.items():
                self._feed(key, out, depth + 1)
                self._feed(item, out, depth + 1)
            out.append("}")
            return
        if isinstance(value, set | frozenset):
            # Iteration order of a set varies between processes; sort a canonical form.
            items = []
            for item in value:
                sub: list[str] = []
                self._feed(item, sub, depth + 1)
                items.append("\x1e".join(sub))
            out.append(f"{name}({len(items)}")
            out.extend(sorted(items))
            out.append(")")
            return
        if isinstance(value, FunctionType | BuiltinFunctionType | type) and _named(value):
            # Code is covered by the package's version (see cache.code_version).
            out.append(f"F{value.__module__}.{value.__qualname__}")
            return
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._learn(kind)
            self._feed(value, out, depth)
            return
        if hasattr(value, "__dict__") and not callable(value) and kind.__module__ != "builtins":
            # A plain object: its __dict__ is its state.
            state = vars(value)
            out.append(f"{name}(")
            for key in sorted(state):
                self._feed(key, out, depth + 1)
                self._feed(state[key], out, depth + 1)
            out.append(")")
            return
        raise Unfingerprintable(f"cannot fingerprint a {kind.__qualname__}")

    def _learn(self, kind: type) -> None:
        """Remember a dataclass type's fields (and its ``__fingerprint_via__``)."""
        self._fields[kind] = names = tuple(f.name for f in dataclasses.fields(kind))
        if len(names) >= 2:
            self._getters[kind] = operator.attrgetter(*names)
        via = getattr(kind, "__fingerprint_via__", None)
        if via is not None:
            self._via[kind] = via

    def _memoized(self, value: Any, depth: int) -> str:
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        self._memo[id(value)] = (value, "cycle")  # a container inside itself
        kind = type(value)
        if _plain(value):
            plain = f"P{value!r}".encode("utf-8", "surrogatepass")
            digest = "M" + hashlib.blake2b(plain, digest_size=16).hexdigest()
            self._memo[id(value)] = (value, digest)
            return digest
        if kind is not dict:
            tokens = self._tokens_of(value)
            if tokens is not None:
                digest = "T" + hashlib.blake2b(tokens, digest_size=16).hexdigest()
                self._memo[id(value)] = (value, digest)
                return digest
        sub: list[str] = []
        if kind is dict:
            sub.append(f"{{{len(value)}")
            for key, item in value.items():
                self._feed(key, sub, depth + 1)
                self._feed(item, sub, depth + 1)
        else:
            sub.append(f"{kind.__name__}[{len(value)}")
            for item in value:
                self._feed(item, sub, depth + 1)
        joined = "\x1f".join(sub).encode("utf-8", "surrogatepass")
        digest = "M" + hashlib.blake2b(joined, digest_size=16).hexdigest()
        self._memo[id(value)] = (value, digest)
        return digest

    def _tokens_of(self, items: Any) -> bytes | None:
        """The canonical form of a long sequence of entries, or of records that name one
        part of an entry (``__fingerprint_via__``) with only integers and strings beside it, built in
        one tight loop: such lists (a tag's entries, a year of wins) are most of what the
        walk would otherwise visit. None when any item is of another kind."""
        known = self.known
        named = self._named
        via = self._via
        out: list[bytes] = [b"%d[" % len(items)]
        for item in items:
            hit = known.get(id(item))
            if hit is not None and hit[0] is item:
                out.append(b"K" + hit[1] + b"\x1f")
                continue
            hit = named.get(id(item))
            if hit is not None and hit[0] is item:
                out.append(hit[1])
                continue
            kind = type(item)
            how = via.get(kind)
            if how is None:
                if kind in self._fields or not dataclasses.is_dataclass(item):
                    return None
                self._learn(kind)
                how = via.get(kind)
                if how is None:
                    return None
            part = getattr(item, how[0])
            hit = known.get(id(part))
            if hit is None or hit[0] is not part:
                return None
            pieces = [b"V", kind.__qualname__.encode(), b"<", hit[1]]
            for name in how[1]:
                field = getattr(item, name)
                if type(field) is int:
                    pieces.append(b",%d" % field)
                elif type(field) is str:
                    pieces.append(b"," + repr(field).encode("utf-8", "surrogatepass"))
                else:
                    return None
            pieces.append(b">\x1f")
            # The same record is on several pages (the wall, its tags, its goal).
            piece = b"".join(pieces)
            named[id(item)] = (item, piece)
            out.append(piece)
        return b"".join(out)
