"""How the fingerprinter (keys.py) names a value of each type: its *kind*, found once
per type, and what a record shows of itself (the fields that are part of its identity)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types

from markupsafe import Markup

from journal_site.model import Entry, EntrySummary, Goal, Setback, Win
from journal_site.pages import Body, Earlier, Links, Record

SCALARS = (str, int, float, bool, type(None), bytes)
DATES = (dt.date, dt.datetime, dt.time, dt.timedelta)
CONTAINERS = frozenset((list, tuple, dict, set, frozenset))
_FIELDS: dict[type, tuple[str, ...] | None] = {}


(
    SCALAR,
    MARKUP,
    DATE,
    TOKEN,
    PART,
    REF,
    FUNCTION,
    EARLIER,
    SEQUENCE,
    COLLECTION,
    RECORD,
    OTHER,
) = range(12)
CATEGORIES: dict[type, int] = {}
"""How ``Fingerprinter._feed`` (keys.py) names a value of each type (found once per type)."""
_HEADS: dict[type, str] = {}


def category(kind: type) -> int:
    """The kind of values of type ``kind`` (kept in ``CATEGORIES``)."""
    if kind in SCALARS or (
        # A number or text of its own type (a win's number, late_number.py): named
        # as ``Fingerprinter._walk`` would name it, without the walk.
        issubclass(kind, str | int | float)
        and kind is not Markup
        and kind.__name__ == kind.__qualname__
        and not dataclasses.is_dataclass(kind)
    ):
        found = SCALAR
    elif kind is Markup:
        found = MARKUP
    elif kind in DATES:
        found = DATE
    elif kind is Entry or kind is EntrySummary or kind is Goal:
        found = TOKEN
    elif kind is Win or kind is Setback:
        found = PART  # by the token of its entry when loaded, else as a record
    elif kind is Body or kind is Links or kind is Record:
        found = REF
    elif kind is types.FunctionType:
        found = FUNCTION
    elif kind is Earlier:
        found = EARLIER
    elif kind is tuple or kind is list:
        found = SEQUENCE
    elif kind in CONTAINERS:
        found = COLLECTION
    elif fields(kind) is not None:
        found = RECORD
    else:
        found = OTHER
    CATEGORIES[kind] = found
    return found


_FROZEN: dict[type, bool] = {}


def frozen(kind: type) -> bool:
    """Whether ``kind`` is a frozen dataclass."""
    held = _FROZEN.get(kind)
    if held is None:
        params = getattr(kind, "__dataclass_params__", None)
        held = _FROZEN[kind] = params is not None and bool(params.frozen)
    return held


def record_head(kind: type) -> str:
    head = _HEADS.get(kind)
    if head is None:
        head = _HEADS[kind] = f"@{kind.__module__}.{kind.__qualname__}("
    return head


def fields(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass that are part of its identity (``compare=True``; the
    others are derived from those), or None for a type that is not a dataclass."""
    try:
        return _FIELDS[kind]
    except KeyError:
        pass
    names = None
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind) if f.compare)
    _FIELDS[kind] = names
    return names
