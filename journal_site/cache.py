"""The persistent build cache in ``<site>/.journal-cache/``: files that are never trusted.

Everything here may be deleted at any time; a missing, truncated, corrupt or
foreign file is read as "nothing cached" and the work is simply done again.

Two kinds of files:

- a *blob* (``read_blob`` / ``write_blob``): one pickled value behind a header of
  magic, format version, length and CRC-32, replaced atomically (temp file + rename);
- a *pack* (``PackStore``): an append-only file of records (parsed entries, rendered
  pages) plus a blob index ``key -> (fingerprint, offset, length, crc)``. A rebuild
  appends only the records that changed and rewrites the small index; the pack is
  compacted when most of it is stale. Records are checked against their CRC when read.

The CRC guards against half-written and damaged files, not against someone who edits
the cache on purpose: the cache lives inside the user's own site folder.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from journal_site import __version__

FORMAT = 1
"""Bump when the layout of any cache file changes; old files are then ignored."""
_MAGIC = b"JSCACHE"
_HEADER = struct.Struct("<7sBQI")  # magic, format, payload length, crc32


def read_blob(path: Path) -> Any | None:
    """The value stored at ``path``, or None when it is missing or not a sound cache file."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, fmt, length, crc = _HEADER.unpack_from(data)
    payload = memoryview(data)[_HEADER.size :]
    if magic != _MAGIC or fmt != FORMAT or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a sound checksum over a payload we cannot read: still not trusted
        return None


def write_blob(path: Path, value: Any) -> None:
    """Store ``value`` at ``path`` atomically: readers see the old file or the new one."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER.pack(_MAGIC, FORMAT, len(payload), zlib.crc32(payload))
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class PackStore:
    """Records ``key -> (fingerprint, bytes)`` in an append-only pack with a blob index.

    ``get`` answers from what was stored by the last ``save``; ``put`` stages new records;
    ``save`` appends the staged records, drops keys not in ``keep`` and writes the index.
    ``settings`` is part of the index: a store saved under other settings reads as empty.
    """

    def __init__(self, folder: Path, name: str, settings: object) -> None:
        self.folder = folder
        self.name = name
        self.settings = settings
        self._index: dict[str, tuple[str, int, int, int]] = {}
        self._pack_name = ""
        self._pack_size = 0
        self._map: mmap.mmap | None = None
        self._staged: dict[str, tuple[str, bytes]] = {}
        self.extra: dict[str, object] = {}
        """Small values saved with the index (e.g. the files' sizes and times)."""
        self._saved_extra: dict[str, object] = {}
        self._load()

    def _load(self) -> None:
        stored = read_blob(self.folder / f"{self.name}.index")
        if not isinstance(stored, dict) or stored.get("settings") != self.settings:
            return
        pack = self.folder / stored["pack"]
        try:
            with open(pack, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size:
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError:
            return
        self._pack_name = stored["pack"]
        self._pack_size = size
        self._index = stored["index"]
        self.extra = dict(stored.get("extra", {}))
        self._saved_extra = dict(self.extra)

    def __len__(self) -> int:
        return len(self._index)

    def keys(self) -> set[str]:
        """Every key stored or staged."""
        return {*self._index, *self._staged}

    def fingerprint(self, key: str) -> str | None:
        record = self._index.get(key)
        return record[0] if record else None

    def get(self, key: str, fingerprint: str) -> bytes | None:
        """The stored bytes for ``key`` if stored under ``fingerprint`` and intact, else None."""
        staged = self._staged.get(key)
        if staged is not None:
            return staged[1] if staged[0] == fingerprint else None
        record = self._index.get(key)
        if record is None or record[0] != fingerprint or self._map is None:
            return None
        _, offset, length, crc = record
        if offset + length > self._pack_size:
            return None
        data = self._map[offset : offset + length]
        if zlib.crc32(data) != crc:
            return None
        return data

    def put(self, key: str, fingerprint: str, data: bytes) -> None:
        self._staged[key] = (fingerprint, data)

    def save(self, keep: Iterable[str]) -> None:
        """Append staged records and write the index of the keys in ``keep`` (others are dropped)."""
        keep = set(keep)
        index = {k: v for k, v in self._index.items() if k in keep and k not in self._staged}
        staged = {k: v for k, v in self._staged.items() if k in keep}
        if not staged and index.keys() == self._index.keys() and self.extra == self._saved_extra:
            self._staged.clear()
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        live = sum(v[2] for v in index.values()) + sum(len(v[1]) for v in staged.values())
        # Append to the current pack while it is mostly live; otherwise write a fresh one
        # (under a new name, so the index on disk keeps pointing at a complete pack).
        fresh = not self._pack_name or self._pack_size > 2 * live + (1 << 20)
        if fresh:
            pack_name = f"{self.name}.{os.getpid()}-{os.urandom(4).hex()}.pack"
            records = [(k, fp, self.get(k, fp)) for k, (fp, *_rest) in index.items()]
            records = [(k, fp, data) for k, fp, data in records if data is not None]
            index = {}
            offset = 0
        else:
            pack_name = self._pack_name
            records = []
            offset = self._pack_size
        records += [(k, fp, data) for k, (fp, data) in staged.items()]
        with open(self.folder / pack_name, "ab" if not fresh else "wb") as handle:
            if not fresh:
                handle.seek(offset)
                handle.truncate()  # drop a half-written tail from an interrupted save
            for key, fp, data in records:
                handle.write(data)
                index[key] = (fp, offset, len(data), zlib.crc32(data))
                offset += len(data)
        write_blob(
            self.folder / f"{self.name}.index",
            {"settings": self.settings, "pack": pack_name, "index": index, "extra": self.extra},
        )
        old_pack = self._pack_name
        extra = self.extra
        if self._map is not None:
            self._map.close()
            self._map = None
        self._staged.clear()
        self._pack_name = ""
        self._index = {}
        self._load()
        self.extra = extra
        if fresh and old_pack and old_pack != pack_name:
            (self.folder / old_pack).unlink(missing_ok=True)
        for stray in self.folder.glob(f"{self.name}.*.pack"):
            if stray.name != self._pack_name:
                stray.unlink(missing_ok=True)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None


def code_version() -> str:
    """The package version, plus the size and time of every module of the package.

    The version alone would keep serving results of old code to someone running from a
    source checkout; the modules' stat costs well under a millisecond.
    """
    import hashlib

    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=12)
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        digest.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


def cache_settings(*parts: object) -> tuple[object, ...]:
    """The settings key every cache file carries: format, code version, then ``parts``."""
    return (FORMAT, _code_version(), *parts)


_CODE_VERSION: list[str] = []


def _code_version() -> str:
    if not _CODE_VERSION:
        _CODE_VERSION.append(code_version())
    return _CODE_VERSION[0]
