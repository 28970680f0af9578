"""Rewriting only what changed in public/: the in-place update, its transaction and
the recovery of an interrupted one (``write_changed``, ``recover``).

A daily rebuild changes a handful of files out of thousands, and a static host's
upload (and a browser's cache) should see only those. Rebuilding the whole folder and
swapping it in (writer.py) costs a file system operation per file and per folder, which
is most of a small rebuild, so when few files change they are updated in place:

1. every new file is written into a transaction folder next to the output folder,
   and every file about to be replaced or deleted is hard-linked there as a backup;
2. only then is the plan (what goes where) written, atomically: from this moment the
   transaction counts as started;
3. new files are renamed into place (each rename is atomic), deleted files unlinked;
4. the transaction folder is removed: done.

A build that fails before step 2 has not touched the output. One killed during step 3
leaves every file whole (old or new), and the next build first rolls the transaction
back from the backups, so the previous site is restored before anything else happens.
When most files change anyway (a template edit), the whole folder is rebuilt and
swapped as writer.py does, hard-linking the files that did not change.

Which files changed is decided by a manifest of what the last build wrote (a digest
of each file's bytes and the size, time and inode it had once written): a file whose
new bytes have the same digest and which is still the file that was written is left
alone. A file changed by hand in the output folder no longer matches and is rewritten.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from journal_site.writer import (
    Begun,
    FileData,
    Kept,
    Manifest,
    Output,
    _make_kept,
    _swap_with_links,
    _write_file,
    write_output,
)

IN_PLACE_LIMIT = 0.5
"""Above this share of changed files, rebuild the whole folder and swap it in."""


def _digest(data: FileData, memo: dict[int, tuple[object, str]]) -> str:
    if isinstance(data, Kept):
        return data.digest
    if isinstance(data, Path):
        # A copied file (an image, a static file) is named by its source's identity:
        # hashing every photo on every build would cost more than copying a changed one.
        st = data.stat()
        return f"copy:{data}:{st.st_size}:{st.st_mtime_ns}"
    hit = memo.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _record(path: Path | str, digest: str) -> tuple[str, int, int, int]:
    st = os.stat(path)
    return (digest, st.st_size, st.st_mtime_ns, st.st_ino)


def still_written(path: str, record: tuple[str, int, int, int]) -> bool:
    """Whether the file at ``path`` is still the one a manifest ``record`` says was
    written there: the same size, time and inode (a file changed by hand, or replaced,
    is not)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns, st.st_ino) == tuple(record[1:])


def _txn_dir(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.txn")


def recover(out_dir: Path) -> None:
    """Undo an in-place update that was interrupted, restoring the previous output."""
    txn = _txn_dir(out_dir.absolute())
    if not txn.exists():
        return
    plan_file = txn / "plan.json"
    if plan_file.exists():
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
        for number, rel, had_old in plan:
            target = out_dir / rel
            backup = txn / "old" / str(number)
            if had_old and backup.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(backup, target)
            elif not had_old:
                target.unlink(missing_ok=True)
    shutil.rmtree(txn, ignore_errors=True)


class MovedFiles:
    """The files of a manifest that are no longer the files written then (gone, or
    another size, time or inode), found by a forked process while the build goes on: a
    stat of each of 5,000 files costs ~40 ms. ``result()`` waits for them (None: not
    known, and ``write_changed`` looks at each file itself); ``close()`` stops the
    process if its answer is not wanted."""

    def __init__(self, out_dir: Path, previous: Manifest | None) -> None:
        from journal_site.parallel import Forked, worker_count

        self._helper: Forked | None = None
        if worker_count() < 2 or not previous:
            return
        prefix = str(out_dir.absolute()) + os.sep

        def look() -> bytes:
            moved = [
                rel for rel, record in previous.items() if not still_written(prefix + rel, record)
            ]
            return json.dumps(moved).encode()

        self._helper = Forked(look)

    def result(self) -> set[str] | None:
        if self._helper is None:
            return None
        data, self._helper = self._helper.result(), None
        try:
            moved = json.loads(data or b"")
        except ValueError:
            return None
        if not isinstance(moved, list) or not all(isinstance(rel, str) for rel in moved):
            return None
        return set(moved)

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()
            self._helper = None


def write_changed(
    output: Output,
    out_dir: Path,
    previous: Manifest | None,
    digests: dict[int, tuple[object, str]] | None = None,
    moved: set[str] | None = None,
    begun: Begun | None = None,
) -> tuple[Manifest, int]:
    """Make ``out_dir`` hold exactly ``output``, rewriting only files whose bytes changed.

    ``previous`` is the manifest the last build returned (None: unknown, write all);
    ``digests`` maps ``id(bytes)`` to (bytes, digest) for data whose digest is known;
    ``moved``, the files of ``previous`` that are no longer those written then, if they
    were looked at already (``MovedFiles``); ``begun``, a staging folder a helper began
    for a build that writes every file (writer.py). Returns the new manifest and how
    many files were written or deleted.
    """
    output.check()
    out_dir = out_dir.absolute()
    recover(out_dir)
    memo = digests or {}
    new_digests = {rel: _digest(data, memo) for rel, data in output.files.items()}
    prefix = str(out_dir) + os.sep  # plain strings: the loops below visit every file
    if previous is None or not out_dir.is_dir():
        write_output(output, out_dir, begun)
        return {rel: _record(prefix + rel, d) for rel, d in new_digests.items()}, len(output.files)

    changed: list[str] = []
    unchanged: Manifest = {}
    for rel, digest in new_digests.items():
        old = previous.get(rel)
        if (
            old is not None
            and old[0] == digest
            and (rel not in moved if moved is not None else still_written(prefix + rel, old))
        ):
            unchanged[rel] = old
            continue
        changed.append(rel)
    removed = [rel for rel in previous if rel not in output.files]
    if not changed and not removed:
        return unchanged, 0
    _make_kept(output, changed)

    manifest = dict(unchanged)
    if len(changed) + len(removed) > IN_PLACE_LIMIT * max(1, len(output.files)):
        _swap_with_links(output, out_dir, unchanged)
    else:
        changed = _rewrite_only_new_bytes(output.files, prefix, changed, new_digests, manifest)
        if not changed and not removed:
            return {rel: manifest[rel] for rel in output.files}, 0
        _update_in_place(output, out_dir, changed, removed, previous)
    for rel in changed:
        manifest[rel] = _record(out_dir / rel, new_digests[rel])
    return {rel: manifest[rel] for rel in output.files}, len(changed) + len(removed)


def _rewrite_only_new_bytes(
    files: dict[str, FileData],
    prefix: str,
    changed: list[str],
    digests: dict[str, str],
    manifest: Manifest,
) -> list[str]:
    """``changed`` without the pages whose new bytes are those the file already holds
    (a page named by new inputs that show the same: an entry card lists wins, not the
    body, so a body edit does not change it); those get their new digest in
    ``manifest`` and are not written, so an upload or a browser's cache sees only real
    changes. Costs a read of each changed file, so it is done for a few changes only."""
    left = []
    for rel in changed:
        data = files.get(rel)
        if isinstance(data, bytes):
            try:
                with open(prefix + rel, "rb") as handle:
                    same = handle.read(len(data) + 1) == data
            except OSError:
                same = False
            if same:
                manifest[rel] = _record(prefix + rel, digests[rel])
                continue
        left.append(rel)
    return left


def _update_in_place(
    output: Output, out_dir: Path, changed: list[str], removed: list[str], previous: Manifest
) -> None:
    txn = _txn_dir(out_dir)
    (txn / "new").mkdir(parents=True)
    (txn / "old").mkdir()
    plan: list[tuple[int, str, bool]] = []
    try:
        for number, rel in enumerate([*changed, *removed]):
            target = out_dir / rel
            had_old = False
            if rel in previous or target.exists():
                try:
                    os.link(target, txn / "old" / str(number))
                    had_old = True
                except FileNotFoundError:
                    pass
            if rel in output.files:
                _write_file(txn / "new" / str(number), output.files[rel])
            plan.append((number, rel, had_old))
        temp = txn / "plan.json.tmp"
        temp.write_text(json.dumps(plan), encoding="utf-8")
        os.replace(temp, txn / "plan.json")
    except BaseException:
        shutil.rmtree(txn, ignore_errors=True)
        raise
    try:
        for number, rel, _had_old in plan:
            target = out_dir / rel
            if rel in output.files:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(txn / "new" / str(number), target)
            else:
                target.unlink(missing_ok=True)
                _prune_empty(target.parent, out_dir)
    except BaseException:
        recover(out_dir)
        raise
    shutil.rmtree(txn, ignore_errors=True)


def _prune_empty(folder: Path, out_dir: Path) -> None:
    while folder != out_dir and folder.is_relative_to(out_dir):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
