"""A build that writes every file begins its output folder from the store, beside the
build (``Prestaged``).

With no output folder to update (a fresh clone on a host that keeps the store, or
public/ removed), every file is written: about 5,000 folders and files for a journal
of 4,000 entries, most of them pages the last build wrote too, whose bytes the store
keeps by key, and the last build's manifest names the key of each. A forked helper
writes those pages into a staging folder next to the output folder while this process
loads, plans and renders. The engine takes the pages the helper wrote as kept files
(their bytes are not read here), and the writer (writer.py) keeps a file only where
the build's own key for its path is the key the helper wrote there, writes the rest,
removes what the site no longer has and swaps the folder in, as for any full write.

Nothing here is trusted further than the store itself: a path that is not a plain
relative path is not written, and a helper that fails or is stopped leaves a folder
that is removed, the build writing everything itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from journal_site.engine.store import Store
from journal_site.parallel import Forked
from journal_site.writer import Begun, FileData, plain_path, staging_folder, write_into


class Prestaged(Mapping[str, str]):
    """Output path -> key of each page the helper wrote into its folder: what the engine
    takes as kept (``Engine.build(kept=...)``). Reading it waits for the helper; nothing
    when it failed."""

    def __init__(self, store: Store, out_dir: Path) -> None:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.begun = Begun(staging_folder(out_dir), {})
        self._written: dict[str, str] | None = None
        folder = self.begun.folder
        self._helper: Forked | None = Forked(lambda: _write_kept(store, folder))

    def finished(self) -> Begun:
        """The folder for the writer to finish, once the helper is done with it."""
        self.written()
        return self.begun

    def written(self) -> dict[str, str]:
        if self._written is None:
            data = self._helper.result() if self._helper is not None else None
            self._helper = None
            self._written = _read_answer(data)
            if not self._written:
                self._empty_folder()
            self.begun.written = self._written
        return self._written

    def __getitem__(self, path: str) -> str:
        return self.written()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.written())

    def __len__(self) -> int:
        return len(self.written())

    def close(self) -> None:
        """Stop the helper if it still runs, and remove the folder unless the writer made
        it the output folder."""
        if self._helper is not None:
            self._helper.close(wait=True)  # before its folder goes
            self._helper = None
        if not self.begun.taken:
            shutil.rmtree(self.begun.folder, ignore_errors=True)

    def _empty_folder(self) -> None:
        """What a failed helper left (maybe some files): gone, the folder empty again."""
        folder = self.begun.folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(exist_ok=True)


def _write_kept(store: Store, folder: Path) -> bytes:
    """In the helper: every page of the last build's manifest that the store keeps,
    written into ``folder`` (on all cores, as the writer does); the paths written, with
    their keys, as JSON."""
    paths: dict[str, list[str]] = {}
    for path, key in store.last_outputs().items():
        if plain_path(path):
            paths.setdefault(key, []).append(path)
    files: dict[str, FileData] = {}
    written: dict[str, str] = {}
    for key, data in store.pages(paths).items():
        for path in paths[key]:
            files[path] = data
            written[path] = key
    write_into(folder, files)
    return json.dumps(written).encode()


def _read_answer(data: bytes | None) -> dict[str, str]:
    try:
        written = json.loads(data or b"")
    except ValueError:
        return {}
    if not isinstance(written, dict):
        return {}
    return {p: k for p, k in written.items() if isinstance(p, str) and isinstance(k, str)}
