"""The engine's store: one SQLite file of plain data, ``.journal-cache/store.sqlite``.

What it keeps, all of it data (text, numbers and bytes; nothing is unpickled or run):

- ``files``: each content file's size, time and content digest as last seen, so that
  an untouched file is not read again;
- ``parsed``: each parse by content digest: an entry's head as JSON (see codec.py),
  or a goal; and ``bodies``: an entry's body and search fields, apart, so that a
  build that reads every head reads no body (the table of heads is a sixth the size);
- ``pages``: each rendered output by its key (see keys.py), so that a build whose
  output folder is gone (a fresh clone on a host that keeps this folder) writes pages
  without rendering them;
- ``fragments``: rendered win cards (``partials/win_card.html``) and partials by the
  digest of what each received, under the key of the templates and settings they
  were rendered with (a build whose wins wall moves renders no card twice), and in
  ``partial_uses`` which page last showed each partial (see fragments.py);
- ``plans``: what each builder planned, by the digest of the model it planned from,
  and ``views``: the views of the pages that show bodies (store_plans.py);
- ``outputs``: the manifest of the output folder the last build wrote;
- ``meta``: the schema, the code version and settings the rest was made under, and
  which save of the ``files`` table the manifest was written after (``files_as_written``).

A store of another schema or code version, a foreign file or a damaged one is set
aside and a new one started: it only ever costs a slower build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from journal_site import __version__
from journal_site.engine.deflate import deflated, inflated, packed, unpacked
from journal_site.engine.held import HeldPlan
from journal_site.engine.store_outputs import Manifest, OutputsKept, write_rows
from journal_site.engine.store_plans import PlansAndViews
from journal_site.fragments import LATE_PREFIX, PARTIAL_PREFIX, PLACE_END, Uses

CACHE_DIR_NAME = ".journal-cache"
"""The store's folder inside a site: git-ignored, safe to delete at any time."""
SCHEMA = 5
STORE_NAME = "store.sqlite"
_APPLICATION_ID = 0x4A534954  # "JSIT": marks the file as this tool's

_TABLES = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, digest TEXT);
CREATE TABLE parsed (digest TEXT PRIMARY KEY, kind TEXT, head TEXT, links TEXT, token TEXT,
                     summary_token TEXT);
CREATE TABLE bodies (digest TEXT PRIMARY KEY, body TEXT, record TEXT);
CREATE TABLE pages (key TEXT PRIMARY KEY, data BLOB);
CREATE TABLE fragments (scope TEXT, key TEXT, data TEXT, PRIMARY KEY (scope, key));
CREATE TABLE partial_uses (slot TEXT PRIMARY KEY, page TEXT, key TEXT);
CREATE TABLE plans (builder TEXT PRIMARY KEY, digest TEXT, pages TEXT);
CREATE TABLE views (skeleton TEXT PRIMARY KEY, data TEXT);
CREATE TABLE outputs (path TEXT PRIMARY KEY, digest TEXT, size INTEGER, mtime_ns INTEGER,
                      ino INTEGER);
"""

_PARTIAL_KEYS = (PARTIAL_PREFIX, PARTIAL_PREFIX[:-1] + chr(ord(PARTIAL_PREFIX[-1]) + 1))
"""The range of the partials' keys (each starts with the prefix, a card's never does)."""
_PLACE_AFTER = chr(ord(PLACE_END) + 1)


@functools.cache
def code_version() -> str:
    """The package version and the bytes of every module of the package: the version
    alone would keep results of old code for someone running from a checkout, and
    times would not survive a fresh install on a host that keeps the store."""
    package = str(Path(__file__).resolve().parents[1])
    digest = hashlib.blake2b(__version__.encode(), digest_size=12)
    # Plain strings and os.walk: every build starts here, and Path objects for each
    # module took half of its time.
    for folder, inner, names in os.walk(package):
        inner.sort()
        where = os.path.relpath(folder, package).replace(os.sep, "/")
        for name in sorted(names):
            if name.endswith(".py"):
                digest.update(f"{where}/{name}\0".encode())
                with open(os.path.join(folder, name), "rb") as module:
                    digest.update(module.read())
    return digest.hexdigest()


class Store(PlansAndViews, OutputsKept):
    """The store of one site; ``version`` names the code (and settings) it is valid for."""

    def __init__(self, folder: Path, version: str) -> None:
        self.path = folder / STORE_NAME
        self.version = version
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        """Held for each read and each write transaction: a build may write the store
        from a thread of its own while the writer fetches a page from it."""
        self.usable = True
        """False once the file could not be opened or written: builds go on without it."""
        self._files_held: dict[str, tuple[int, int, str]] | None = None
        self._plans_held: dict[str, HeldPlan] | None = None
        self._outputs_held: Manifest | None = None
        """What the files, plans and outputs tables hold, as last read or written here
        (None: not known): a save writes only the rows that differ."""
        self.files_of: str | None = None
        """The token of the file stats this process saved (``save_parses``)."""
        self._scopes_seen: set[str] = set()
        self._empty_scopes: set[str] = set()
        self._pid = os.getpid()
        self.forked = False
        """In a forked helper, which only reads: a store it cannot use is left alone."""

    # -- opening ---------------------------------------------------------------------

    def db(self) -> sqlite3.Connection | None:
        with self._lock:
            if self._pid != os.getpid():  # a forked copy of this process (a helper)
                self._pid, self._db = os.getpid(), _inherited(self._db)
                self.forked = True
            if self._db is None and self.usable:
                try:
                    self._db = self._open()
                except (sqlite3.Error, OSError):
                    self.usable = False
            return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(sqlite3.Error, OSError):
            db = self._connect()
            if self._valid(db):
                return db
            db.close()
        # Not ours, another version or damaged: set aside, never trusted (by the build,
        # not a helper).
        if self.forked:
            raise sqlite3.DatabaseError("a store a helper cannot use")
        self._discard()
        self._files_held = self._outputs_held = self._plans_held = None
        db = self._connect()
        db.executescript(_TABLES)
        db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute("INSERT INTO meta VALUES ('code', ?)", (self.version,))
        db.commit()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=10, isolation_level="DEFERRED", check_same_thread=False
        )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _valid(self, db: sqlite3.Connection) -> bool:
        if db.execute("PRAGMA application_id").fetchone()[0] != _APPLICATION_ID:
            return False
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
            return False
        row = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
        return row is not None and row[0] == self.version

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection | None]:
        """A transaction; a store that cannot be written is dropped for this process."""
        with self._lock:
            db = self.db()
            try:
                yield db
                if db is not None:
                    db.commit()
            except (sqlite3.Error, OSError):
                with contextlib.suppress(sqlite3.Error):
                    if db is not None:
                        db.rollback()
                self.close()
                self.usable = False

    def _read(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            db = self.db()
            if db is None:
                return []
            try:
                return db.execute(sql, tuple(args)).fetchall()
            except sqlite3.Error:
                # Damaged past what opening it showed: set aside, so the next build starts
                # anew.
                self.close()
                self.usable = False
                self._discard()
                return []

    def _read_in(self, sql: str, keys: Collection[str]) -> list[tuple]:
        """``sql`` (ending in ``IN``) for ``keys``, 900 at a time: SQLite's limit on
        parameters is 999."""
        wanted, rows = list(keys), []
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            rows += self._read(f"{sql} ({','.join('?' * len(part))})", part)
        return rows

    def _discard(self) -> None:
        if self.forked:
            return
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- meta ------------------------------------------------------------------------

    def meta(self, name: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def set_meta(self, values: dict[str, str]) -> None:
        with self._writing() as db:
            if db is not None:
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    # -- files and parses ------------------------------------------------------------

    def file_stats(self) -> dict[str, tuple[int, int, str]]:
        stats = {s: (z, m, d) for s, z, m, d in self._read("SELECT * FROM files")}
        self._files_held = dict(stats) if self.usable else None
        return stats

    def parsed(self, digests: Iterable[str]) -> dict[str, tuple]:
        """digest -> (kind, head, links, token, summary token) for the digests it has:
        all of a parse but an entry's body and search record (see ``bodies``)."""
        wanted = list(digests)
        sql = "SELECT digest, kind, head, links, token, summary_token FROM parsed"
        if len(wanted) > 900:
            # Most of the table (the parses are pruned to the files of the last build):
            # one pass over it costs a sixth less than asking in turns of 900.
            asked = set(wanted)
            return {row[0]: row[1:] for row in self._read(sql) if row[0] in asked}
        return {row[0]: row[1:] for row in self._read_in(f"{sql} WHERE digest IN", wanted)}

    def body(self, digest: str) -> tuple[str, str] | None:
        """(body JSON, search record JSON) of an entry's parse."""
        return self.bodies([digest]).get(digest)

    def bodies(self, digests: Collection[str]) -> dict[str, tuple[str, str]]:
        """``body`` of each of ``digests`` that the store has, in one query."""
        rows = self._read_in("SELECT digest, body, record FROM bodies WHERE digest IN", digests)
        return {digest: (body, record) for digest, body, record in rows if body is not None}

    def save_parses(
        self,
        stats: dict[str, tuple[int, int, str]],
        parses: Iterable[tuple],
    ) -> None:
        """Record every content file's stat and digest (replacing the old list) and new parses."""
        with self._writing() as db:
            if db is None:
                return
            rows = list(parses)  # (digest, kind, head, body, record, links, token, summary)
            db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?, ?, ?)",
                ((r[0], r[1], r[2], *r[5:]) for r in rows),
            )
            bodies = ((r[0], r[3], r[4]) for r in rows if r[3] is not None)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", bodies)
            live = {v[2] for v in stats.values()}
            held = self._files_held
            write_rows(db, "files", "source", 4, held, stats)
            if held is None:
                stale = [d for (d,) in db.execute("SELECT digest FROM parsed") if d not in live]
            else:  # a parse is kept while a file has its digest
                stale = list({v[2] for v in held.values()} - live)
            for table in ("parsed", "bodies"):
                db.executemany(f"DELETE FROM {table} WHERE digest = ?", ((d,) for d in stale))
            self._files_held = dict(stats)
            self.files_of = os.urandom(8).hex()
            db.execute("INSERT OR REPLACE INTO meta VALUES ('files_of', ?)", (self.files_of,))

    # -- pages -----------------------------------------------------------------------

    def pages(self, keys: Iterable[str]) -> dict[str, bytes]:
        return dict(inflated(self._read_in("SELECT * FROM pages WHERE key IN", list(keys))))

    def save_pages(self, made: dict[str, bytes], live: set[str]) -> None:
        """Keep the pages made, and drop every page no longer produced."""
        if not self.usable:
            return
        rows = deflated(list(made.items()))  # before the write lock: readers wait less
        with self._writing() as db:
            if db is None:
                return
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", rows)
            stale = [k for (k,) in db.execute("SELECT key FROM pages") if k not in live]
            db.executemany("DELETE FROM pages WHERE key = ?", ((k,) for k in stale))

    # -- fragments -------------------------------------------------------------------

    def fragment(self, scope: str, key: str) -> str | None:
        """One fragment (a card or a partial) kept under ``scope``, the templates and
        settings' key. Read one by one, when a page asks: a build shows a few hundred
        of the cards kept, and reading all of them (25,000 after some edits) took
        longer than its whole render. A scope found empty once is not asked again
        before it is saved (a cold build asks for every card it makes)."""
        if scope in self._empty_scopes:
            return None
        if scope not in self._scopes_seen:
            self._scopes_seen.add(scope)
            if not self._read("SELECT 1 FROM fragments WHERE scope = ? LIMIT 1", (scope,)):
                self._empty_scopes.add(scope)
                return None
        rows = self._read("SELECT data FROM fragments WHERE scope = ? AND key = ?", (scope, key))
        return unpacked(rows[0][0]) if rows else None

    def save_fragments(
        self, scope: str, made: dict[str, str], uses: Uses, pages: Collection[str]
    ) -> None:
        """Keep the fragments made under ``scope``, and where partials were rendered;
        drop those of any other scope, the slots of pages the site no longer has (its
        paths are ``pages``), and every partial that no slot names (see fragments.py)."""
        self._empty_scopes.discard(scope)
        with self._writing() as db:
            if db is None:
                return
            db.execute("DELETE FROM fragments WHERE scope != ?", (scope,))
            # A new card replaces the cards of its place (fragments.card_key).
            places = {key.partition(PLACE_END)[0]: key for key in made if PLACE_END in key}
            db.executemany(
                "DELETE FROM fragments WHERE scope = ? AND key > ? AND key < ? AND key != ?",
                ((scope, p + PLACE_END, p + _PLACE_AFTER, k) for p, k in places.items()),
            )
            db.executemany(
                "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                (
                    (scope, k, packed(v) if k.startswith(LATE_PREFIX) else v)
                    for k, v in made.items()
                    if places.get(k.partition(PLACE_END)[0], k) == k
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO partial_uses VALUES (?, ?, ?)",
                ((slot, page, key) for slot, (page, key) in uses.items()),
            )
            gone = {p for (p,) in db.execute("SELECT DISTINCT page FROM partial_uses")}
            db.executemany(
                "DELETE FROM partial_uses WHERE page = ?", ((p,) for p in gone - set(pages))
            )
            db.execute(
                "DELETE FROM fragments WHERE scope = ? AND key >= ? AND key < ? "
                "AND key NOT IN (SELECT key FROM partial_uses)",
                (scope, *_PARTIAL_KEYS),
            )


_INHERITED: list[sqlite3.Connection] = []


def _inherited(db: sqlite3.Connection | None) -> None:
    """Set aside the connection a forked helper inherited, never to use or close it:
    SQLite's connections do not survive a fork, and closing the copy could end the
    parent's write-ahead log. The helper opens its own (and ends with ``os._exit``)."""
    if db is not None:
        _INHERITED.append(db)
