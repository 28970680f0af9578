"""What ``journal serve`` watches, and how a batch of file events is told to the writer.

Two ``watchfiles.watch`` threads: one over the source folders (content/, templates/,
static/, themes/ and the built-in theme; recursive), one over the site folder itself
(not recursive: journal.toml, and source folders appearing or going, without watching
every folder of public/). watchfiles turns a burst of events (an editor writing a
temporary file and renaming it over, a swap file) into one batch once a step passes
without events; each batch goes to ``report``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from journal_site.config import CONFIG_NAME, Config
from journal_site.scan import is_ignored
from journal_site.theme import builtin_theme_dir

DEBOUNCE_MS = 500
"""Longest a burst of events is gathered before it is reported regardless."""
STEP_MS = 5
"""A batch goes out after one step without events: a save is noticed 5 to 10 ms after
(an editor's write and rename come within a millisecond of each other)."""
SOURCE_DIRS = ("templates", "static", "themes")
"""Folders of the site, besides content/, whose files go into the site."""

Batch = set[tuple[Any, str]]
"""(watchfiles.Change, full path) of every event of one burst."""


class _Either:
    """Stops a watcher when its own event or the shared one is set (watchfiles asks
    ``is_set()`` at every step)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class Watcher:
    """The two watcher threads; the sources' one starts again when the folders change."""

    def __init__(self, config: Config, report: Callable[[Batch], None]) -> None:
        self.root = config.root
        self.report = report
        self._closed = threading.Event()
        self._content_top = Path(config.content).parts[0]
        self._site = self._start([self.root], False, self._site_filter, _Either(self._closed))
        self._sources: tuple[threading.Thread, threading.Event] | None = None
        self.dirs: tuple[Path, ...] = ()
        self.follow(config)

    def _start(self, paths: list[Path], recursive: bool, keep: Any, stop: Any) -> threading.Thread:
        import watchfiles

        def run() -> None:
            try:
                for batch in watchfiles.watch(
                    *paths,
                    watch_filter=keep,
                    debounce=DEBOUNCE_MS,
                    step=STEP_MS,
                    stop_event=stop,
                    recursive=recursive,
                    raise_interrupt=False,
                ):
                    self.report(batch)
            except Exception as exc:  # a watched folder vanished under the watcher, say
                print(f"journal serve: stopped watching {paths[0]}: {exc}", file=sys.stderr)

        thread = threading.Thread(target=run, name="journal-watch", daemon=True)
        thread.start()
        return thread

    def _site_filter(self, change: Any, path: str) -> bool:
        name = Path(path).name
        return name in (CONFIG_NAME, self._content_top, *SOURCE_DIRS)

    def _source_filter(self, change: Any, path: str) -> bool:
        full = Path(path)
        parts = full.relative_to(self.root).parts if full.is_relative_to(self.root) else ()
        return not any(is_ignored(part) for part in (*parts, full.name))

    def follow(self, config: Config) -> None:
        """Watch the source folders ``config`` names, if they are not the ones watched."""
        self._content_top = Path(config.content).parts[0]
        candidates = [config.content_dir, *(config.root / d for d in SOURCE_DIRS)]
        candidates.append(builtin_theme_dir())
        dirs = tuple(dict.fromkeys(d.resolve() for d in candidates if d.is_dir()))
        if dirs == self.dirs and self._sources is not None and self._sources[0].is_alive():
            return
        self._stop_sources()
        self.dirs = dirs
        stop = threading.Event()
        self._sources = (
            self._start(list(dirs), True, self._source_filter, _Either(stop, self._closed)),
            stop,
        )

    def _stop_sources(self) -> None:
        if self._sources is not None:
            self._sources[1].set()
            self._sources[0].join()

    def describe(self) -> str:
        names = [
            f"{d.relative_to(self.root).as_posix()}/"
            for d in self.dirs
            if d.is_relative_to(self.root)
        ]
        names.append(CONFIG_NAME)
        if builtin_theme_dir().resolve() in self.dirs:
            names.append("the built-in theme")
        return ", ".join(names)

    def close(self) -> None:
        self._closed.set()
        self._stop_sources()
        self._site.join()


def changed_paths(batch: Batch, root: Path) -> list[str]:
    """What a person would say they changed, relative to the site folder: editors'
    temporary files (made and gone within the burst) left out."""
    from watchfiles import Change

    kinds: dict[str, set[Any]] = {}
    for change, path in batch:
        kinds.setdefault(path, set()).add(change)
    lasting = [
        path
        for path, seen in kinds.items()
        if not (Change.added in seen and Change.deleted in seen and not Path(path).exists())
    ]
    return sorted({_shown(path, root) for path in lasting or kinds})


def _shown(path: str, root: Path) -> str:
    full, builtin = Path(path), builtin_theme_dir().resolve()
    if full.is_relative_to(root):
        return full.relative_to(root).as_posix()
    if full.is_relative_to(builtin):
        return "built-in theme " + full.relative_to(builtin).as_posix()
    return str(full)


def summary(paths: list[str]) -> str:
    if len(paths) <= 3:
        return ", ".join(paths) or "nothing"
    return f"{', '.join(paths[:2])} and {len(paths) - 2} more"
