"""A model's memo: values made from one model that the next may reuse, so that an
unchanged part of the journal gives the same objects from one build of ``journal
serve`` to the next (and the engine need not digest them again: engine/keys.py).

Besides values by key and by entry, it keeps the last state of each *fold*: an
aggregate made from the entries oldest first (the numbered wins, the tag index) takes
up the last model's at the first entry that is not the same object, so a save to
today's entry goes over one entry, not 4,000 (``Memo.fold``)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

V = TypeVar("V")
_NONE = object()
_EXACT = object()
"""The "entry" of the values ``Memo.equal`` keeps: their key is all they are made of."""


def same_prefix(these: Sequence[object], those: Sequence[object]) -> int:
    """How many leading items of ``these`` are the same objects as those of ``those``."""
    different = itertools.compress(itertools.count(), map(operator.is_not, these, those))
    return next(different, min(len(these), len(those)))


class Memo:
    """Values made from a model, by a key holding everything they are made from, so that
    the next model with the same values for that key reuses them; the oldest go first
    beyond ``limit``."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._values: dict[Hashable, object] = {}
        self._of: dict[Hashable, tuple[object, object]] = {}
        self._of_before: dict[Hashable, tuple[object, object]] = {}
        self._folds: dict[str, tuple[Sequence[object], Hashable, object]] = {}

    def fold(
        self,
        kind: str,
        entries: Sequence[object],
        extra: Hashable,
        since: Callable[..., tuple[V, object]],
        *args: Any,
    ) -> V:
        """``since(entries, state, same, *args)``'s value, an aggregate of ``entries``
        (oldest first) and ``args``: ``state`` is what the last call for ``kind`` left,
        and ``same`` how many leading entries it was made from are the same objects as
        these (so what they gave holds still); (None, 0) the first time, or when
        ``extra`` differs. ``since`` returns the value and the state to leave for the
        next call, which must not share anything it changes with the state it was
        handed. ``args`` are the same for every call (or made of the entries alone)."""
        held = self._folds.get(kind)
        state, same = None, 0
        if held is not None and held[1] == extra:
            state, same = held[2], same_prefix(entries, held[0])
        value, left = since(entries, state, same, *args)
        self._folds[kind] = (entries, extra, left)
        return value

    def get(self, key: Hashable, make: Callable[[], object]) -> object:
        """The value kept for ``key``, or ``make()``'s, kept."""
        value = self._values.get(key, _NONE)
        if value is _NONE:
            if len(self._values) >= self.limit:
                del self._values[next(iter(self._values))]
            value = self._values[key] = make()
        return value

    def of(self, kind: str, entry: object, extra: Hashable, make: Callable[[], V]) -> V:
        """What ``make()`` makes of ``entry`` (and ``extra``): the value made from the
        same entry object (a file unchanged since) for the last model, else made now.
        The same objects, so that what was digested of them then names them still
        (engine/keys.py): ``make`` must read nothing of the model but ``entry`` and
        ``extra``."""
        key = (kind, id(entry), extra)
        held = self._of.get(key)
        if held is None or held[0] is not entry:
            held = self._of_before.get(key)
            if held is None or held[0] is not entry:
                held = (entry, make())
            self._of[key] = held
        return held[1]  # type: ignore[return-value]

    def equal(self, kind: str, key: Hashable, make: Callable[[], V]) -> V:
        """What ``make()`` makes of ``key`` alone: the value made for an equal key for
        the last model or this one, else made now. ``key`` must be exact values (ints,
        strings, dates and records of them: no float, which equals an int), so that an
        equal key makes an equal value, and the value is the same object from one model
        to the next while its key holds (a review's counts of a week, say). ``kind``
        names what ``make`` makes: two makers never share one."""
        return self.of(kind, _EXACT, key, make)

    def turn(self) -> None:
        """A new model: the values ``of`` made for the last one are kept for this one,
        and forgotten after it unless it asks for them too."""
        if self._of:
            self._of_before, self._of = self._of, {}
