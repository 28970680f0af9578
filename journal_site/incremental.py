"""Incremental builds: one ``SiteBuilder`` per site, ``build()`` after every change.

``journal build`` makes one builder and builds once; ``journal serve`` keeps one
builder alive and calls ``build()`` on every save. Each result says which output
paths changed or disappeared since the builder's previous successful build, so a
server can reload only what changed and a writer can rewrite only those files.

A failed build (``JournalError``) leaves the builder's previous state as it was:
the next ``build()`` compares against the last *good* site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journal_site.build import RenderedSite
    from journal_site.config import Config
    from journal_site.writer import Output

CACHE_DIR_NAME = ".journal-cache"
"""The persistent cache inside a site folder: git-ignored, safe to delete at any time."""


def _signature(data: bytes | Path) -> object:
    """What identifies an output file's content: its bytes, or a copied file's path and stat."""
    if isinstance(data, bytes):
        return data
    try:
        st = data.stat()
    except OSError:
        return (str(data), -1, -1)
    return (str(data), st.st_size, st.st_mtime_ns)


def diff_outputs(
    old: dict[str, object], new: dict[str, object]
) -> tuple[frozenset[str], frozenset[str]]:
    """(paths added or changed, paths removed) between two ``{path: signature}`` maps."""
    changed = frozenset(path for path, sig in new.items() if old.get(path) != sig)
    removed = frozenset(path for path in old if path not in new)
    return changed, removed


class SiteBuilder:
    """Builds one site again and again, doing only the work that changed inputs need.

    ``cache_dir`` (usually ``<site>/.journal-cache``) keeps what was learnt across
    processes; ``None`` keeps it in memory only, for this builder's lifetime.
    """

    def __init__(
        self,
        config: Config,
        *,
        drafts: bool = False,
        today: dt.date | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.drafts = drafts
        self.today = today
        self.cache_dir = cache_dir
        self._previous: dict[str, object] | None = None

    def build(self) -> RenderedSite:
        """Render the whole site (re-using whatever is still valid); raise JournalError on problems.

        ``changed`` and ``removed`` of the result are relative to the previous successful
        build of this builder (everything is "changed" on the first build).
        """
        from journal_site.build import render_pipeline

        rendered = render_pipeline(self.config, today=self.today, drafts=self.drafts)
        output: Output = rendered.output
        signatures = {path: _signature(data) for path, data in output.files.items()}
        if self._previous is None:
            changed, removed = frozenset(output.files), frozenset()
        else:
            changed, removed = diff_outputs(self._previous, signatures)
        self._previous = signatures
        return replace(rendered, changed=changed, removed=removed)
