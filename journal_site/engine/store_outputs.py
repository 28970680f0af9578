"""What the store keeps of the output folder the last build wrote: its manifest, each
file's digest, size, time and inode as written (write_changes.py), and which save of
the content files' stats it was written after."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

Manifest = dict[str, tuple[str, int, int, int]]
"""Output path -> (digest, size, mtime_ns, inode) of the file as written."""


class OutputsKept:
    """The ``outputs`` table of a store and the meta that goes with it (a part of
    ``store.Store``)."""

    usable: bool
    files_of: str | None
    _outputs_held: Manifest | None
    _read: Callable[..., list[tuple]]
    _writing: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection | None]]
    meta: Callable[[str], str | None]

    def manifest(self, out_dir: Path) -> Manifest | None:
        if self.meta("out_dir") != str(out_dir):
            return None
        manifest = {p: (d, z, m, i) for p, d, z, m, i in self._read("SELECT * FROM outputs")}
        self._outputs_held = dict(manifest) if self.usable else None
        return manifest

    def files_as_written(self) -> bool:
        """Whether the file stats kept are those of the build that wrote the manifest's
        folder (``journal serve`` saves its own, and writes no folder)."""
        files = self.meta("files_of")
        return files is not None and files == self.meta("manifest_files_of")

    def last_outputs(self) -> dict[str, str]:
        """Path -> digest of each file the last build wrote, wherever it wrote them."""
        return dict(self._read("SELECT path, digest FROM outputs"))

    def forget_manifest(self) -> None:
        """Before an output folder is touched: an interrupted write leaves no manifest."""
        with self._writing() as db:
            if db is not None:
                db.execute("DELETE FROM meta WHERE name IN ('out_dir', 'inputs')")

    def save_manifest(self, out_dir: Path, manifest: Manifest, meta: dict[str, str]) -> None:
        with self._writing() as db:
            if db is None:
                return
            write_rows(db, "outputs", "path", 5, self._outputs_held, manifest)
            self._outputs_held = dict(manifest)
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                {
                    **meta,
                    "out_dir": str(out_dir),
                    "manifest_files_of": self.files_of or "",
                }.items(),
            )


def write_rows(
    db: sqlite3.Connection,
    table: str,
    key: str,
    columns: int,
    held: Mapping[str, tuple] | None,
    rows: Mapping[str, tuple],
) -> None:
    """Make ``table`` hold ``rows`` (its ``key`` column -> the other columns): the rows
    that differ from ``held`` (what it holds, as last read or written here), or all of
    them when that is not known."""
    insert = f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * columns)})"
    if held is None:
        db.execute(f"DELETE FROM {table}")
        db.executemany(insert, ((k, *v) for k, v in rows.items()))
        return
    db.executemany(f"DELETE FROM {table} WHERE {key} = ?", ((k,) for k in held if k not in rows))
    db.executemany(insert, ((k, *v) for k, v in rows.items() if held.get(k) != v))
