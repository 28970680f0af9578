"""What the store keeps of the plan stage: each builder's plan (engine/held.py), and
the views of the outputs that show entries' bodies, as data (engine/views.py), each
under its skeleton (engine/keys.py)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable

from journal_site.engine.held import HeldPlan


class PlansAndViews:
    """The ``plans`` and ``views`` tables of a store (a part of ``store.Store``)."""

    usable: bool
    _plans_held: dict[str, HeldPlan] | None
    _read: Callable[..., list[tuple]]
    _writing: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection | None]]

    def plans(self) -> dict[str, HeldPlan]:
        plans = {b: HeldPlan(d, text=p) for b, d, p in self._read("SELECT * FROM plans")}
        self._plans_held = dict(plans) if self.usable else None
        return plans

    def save_plans(self, plans: dict[str, HeldPlan]) -> None:
        """Make the table hold ``plans``: a plan read from it (or written) here and
        handed back, the same object, is not written again (a plan is a megabyte)."""
        held = self._plans_held
        with self._writing() as db:
            if db is None:
                return
            if held is None:
                db.execute("DELETE FROM plans")
            else:
                gone = [(b,) for b in held if b not in plans]
                db.executemany("DELETE FROM plans WHERE builder = ?", gone)
            db.executemany(
                "INSERT OR REPLACE INTO plans VALUES (?, ?, ?)",
                [
                    (b, plan.digest, plan.text())
                    for b, plan in plans.items()
                    if held is None or held.get(b) is not plan
                ],
            )
        self._plans_held = dict(plans)

    def view(self, skeleton: str) -> str | None:
        """The view kept under ``skeleton`` (typed JSON, see views.py)."""
        rows = self._read("SELECT data FROM views WHERE skeleton = ?", (skeleton,))
        return rows[0][0] if rows else None

    def view_skeletons(self) -> set[str]:
        """The skeleton of every view kept."""
        return {skeleton for (skeleton,) in self._read("SELECT skeleton FROM views")}

    def save_views(self, made: Iterable[tuple[str, str]], stale: Iterable[str]) -> None:
        """Keep the views ``made`` ((skeleton, data) pairs), and drop those of ``stale``."""
        with self._writing() as db:
            if db is None:
                return
            db.executemany("INSERT OR REPLACE INTO views VALUES (?, ?)", made)
            db.executemany("DELETE FROM views WHERE skeleton = ?", ((s,) for s in stale))
