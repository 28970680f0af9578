"""A model's memo: values made from one model that the next may reuse, so that an
unchanged part of the journal gives the same objects from one build of ``journal
serve`` to the next (and the engine need not digest them again: engine/keys.py)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")
_NONE = object()


class Memo:
    """Values made from a model, by a key holding everything they are made from, so that
    the next model with the same values for that key reuses them; the oldest go first
    beyond ``limit``."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._values: dict[Hashable, object] = {}
        self._of: dict[Hashable, tuple[object, object]] = {}
        self._of_before: dict[Hashable, tuple[object, object]] = {}

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

    def turn(self) -> None:
        """A new model: the values ``of`` made for the last one are kept for this one,
        and forgotten after it unless it asks for them too."""
        if self._of:
            self._of_before, self._of = self._of, {}
