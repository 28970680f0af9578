"""A builder's plan as one build hands it to the next (engine/plan.py), in memory or
through the store."""

from __future__ import annotations

import json
from typing import Any


class HeldPlan:
    """A builder's plan as a build left it: the model digest it was made for, and its
    rows, as JSON text (read from the store, or sent by a second process) or as the
    rows themselves (planned here), each made from the other when first asked for. A
    plan handed from one build to the next in memory (``journal serve``) is never
    written out and read back; the store writes its text after the site is out."""

    __slots__ = ("_rows", "_text", "digest")

    def __init__(
        self, digest: str, *, text: str | None = None, rows: list[list[Any]] | None = None
    ) -> None:
        self.digest = digest
        self._text = text
        self._rows = rows

    def rows(self) -> list[list[Any]]:
        """The rows (not to be changed: the next build may keep them)."""
        if self._rows is None:
            self._rows = json.loads(self._text or "")
        return self._rows

    def text(self) -> str:
        if self._text is None:
            self._text = json.dumps(self._rows)
        return self._text
