"""The site ``journal serve`` serves, and what each open page should do after a change.

Pages are served "at" an epoch (publications so far: whole builds, and single pages
put the moment they are made). A page's script asks, on its event stream, what to do
since its epoch: ``reload`` (its page changed since, or the server restarted),
``gone`` (its page no longer exists), ``errors`` (the last build failed; the last good
pages are still served) or ``ok``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from threading import Condition

BUILD_WAIT_S = 5.0
"""Longest a request for a file the site lacks waits for the build under way to make it."""


class LiveSite:
    """The site being served: changed by the build thread, read by every request."""

    def __init__(self, base_path: str) -> None:
        self.base_path = base_path
        self.server_id = secrets.token_hex(4)
        """New at every start, so pages from an earlier run know to reload."""
        # One condition guards every field below. The build thread holds it only for a
        # dictionary update (one page, or a finished build swapped in), never while it
        # builds; event streams, and requests for files not made yet, wait on it.
        self._cond = Condition()
        self._files: dict[str, bytes | Path] = {}
        self._changed_at: dict[str, int] = {}
        """Output path -> the epoch at which its bytes last changed."""
        self._early: dict[str, bytes] = {}
        """Pages published one by one since the last whole build (see `put`)."""
        self._epoch = 0
        """Publications so far (whole builds and single pages): pages are served at one."""
        self._version = 0
        """Publications and failed builds: what event streams wait on."""
        self._errors: tuple[str, ...] = ()
        self._building = self._closing = False

    def begin(self) -> None:
        with self._cond:
            self._building = True

    def put(self, path: str, data: bytes) -> None:
        """One output just made by the build under way: served, and its streams told, now."""
        with self._cond:
            if self._files.get(path) != data:
                self._epoch += 1
                self._files[path] = self._early[path] = data
                self._changed_at[path] = self._epoch
                self._version += 1
                self._cond.notify_all()

    def publish(self, files: Mapping[str, bytes | Path], changed: Iterable[str]) -> None:
        """A whole good build: serve it; every page changed since it was served reloads."""
        with self._cond:
            self._epoch += 1
            for path in {*changed, *self._early}:
                # A page published early with these bytes is on screen already; one
                # published by an abandoned build and made otherwise now is not.
                if path not in self._early or self._early[path] != files.get(path):
                    self._changed_at[path] = self._epoch
            self._files, self._early, self._errors = dict(files), {}, ()
            self._building = False
            self._version += 1
            self._cond.notify_all()

    def fail(self, problems: Iterable[object]) -> None:
        """A failed build: keep serving the last good pages; streams show the errors."""
        with self._cond:
            self._errors = tuple(str(p) for p in problems)
            self._building = False
            self._version += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def lookup(self, path: str, wait: bool = True) -> tuple[bytes | Path | None, str]:
        """The file at ``path`` (None if none) and the epoch token it is served at. A file
        the site lacks is waited for while a build runs: a page served as soon as it was
        made may name a stylesheet or photo that only the build's end brings."""
        with self._cond:
            if wait and path not in self._files:
                self._cond.wait_for(
                    lambda: path in self._files or not self._building or self._closing,
                    BUILD_WAIT_S,
                )
            return self._files.get(path), f"{self.server_id}.{self._epoch}"

    def paths(self) -> list[str]:
        with self._cond:
            return sorted(self._files)

    def next_version(self, seen: int, timeout: float) -> int | None:
        """Wait for a change after version ``seen``; None once the server closes."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen or self._closing, timeout)
            return None if self._closing else self._version

    def verdict(self, page: str, token: str, missing: bool) -> tuple[str, str]:
        """What a page served at ``token`` should do now: (event name, data)."""
        with self._cond:
            if self._errors:
                return "errors", json.dumps(self._errors)
            exists = page in self._files
            if missing:
                return ("reload" if exists else "ok"), ""
            if not exists:
                return "gone", self.base_path + "timeline/"
            server_id, _, epoch = token.partition(".")
            served_at = int(epoch) if epoch.isdigit() else -1
            if server_id != self.server_id or self._changed_at.get(page, 0) > served_at:
                return "reload", ""
            return "ok", ""
