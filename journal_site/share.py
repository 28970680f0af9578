"""share(config) -> BuildResult: ``journal share``, the share site written to disk.

The same engine as ``journal build`` makes it, with the share selection
(pages/share.py): the shared sections alone, from the journal without its private
entries, without entry pages, bodies or search. Its store is a folder of its own, so
it never mixes with the journal's. It is always encrypted, and written whole into its
folder (``share/``) with the writer's atomic swap, after the same checks of the folder.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from journal_site.build import BuildResult
from journal_site.config import Config
from journal_site.errors import UsageError
from journal_site.publish import Protection

SHARE_STORE = "share"
"""The share build's store: this folder inside the journal's cache folder."""


def check_apart(out_dir: Path, config: Config) -> None:
    """Refuse a share folder that is, holds or sits inside the journal's own output folder:
    a build of either would replace or publish the other."""
    out = out_dir.resolve()
    own = config.output_dir
    if out == own or own.is_relative_to(out) or out.is_relative_to(own):
        raise UsageError(
            f"refusing to build the share site into {out_dir}: it is, holds or is inside "
            f"the journal's own output folder ({config.output}/); the two sites are built apart"
        )


def share(
    config: Config,
    *,
    protection: Protection,
    today: dt.date | None = None,
    out_dir: Path | None = None,
) -> BuildResult:
    """Build the share site; raise JournalError (every problem) or UsageError before
    writing anything. ``protection`` carries the share password (``share_protection``)."""
    from journal_site.engine.site import Engine
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version
    from journal_site.pages.share import share_selection
    from journal_site.publish import protect_output
    from journal_site.writer import check_output_dir, write_output

    if not protection.encrypted:
        raise UsageError("a share site is always encrypted; no password was given")
    started = time.perf_counter()
    out_dir = out_dir or config.share_output_dir
    check_output_dir(out_dir, config.root, config.content_dir)
    check_apart(out_dir, config)
    out_dir = out_dir.absolute()
    store = Store(config.root / CACHE_DIR_NAME / SHARE_STORE, code_version())
    try:
        engine = Engine(config, today=today, store=store, selection=share_selection(config))
        site = engine.build()
    finally:
        store.close()
    output = protect_output(config, site.output, protection, site.today)
    write_output(output, out_dir)
    return BuildResult(
        entries=site.entries,
        pages=site.pages,
        files=len(output.files),
        warnings=site.warnings,
        seconds=time.perf_counter() - started,
        output_dir=out_dir,
        encrypted=True,
        changed=len(output.files),
    )
