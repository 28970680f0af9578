"""Which files under content/ belong to the journal, found without opening any.

Kept apart from loader.py so that a build that finds nothing changed (one stat per
file) does not import the parsers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from journal_site.errors import Problem

RACY_NS = 2_000_000_000
"""A file changed this recently may change again within the same time stamp (some file
systems count in seconds, FAT in two), so its size and time do not vouch for it."""

_EDITOR_LEFTOVERS = ("~", ".swp", ".swo", ".swx", ".tmp", ".crdownload", ".part")
"""Endings of editors' backup, swap and partly written files (Emacs' ``.#`` lock files
are hidden files already; Vim's ``4913`` probe has a name of its own)."""


def is_ignored(name: str) -> bool:
    """Hidden files, ``_private`` files and editor leftovers are not part of the journal."""
    return name.startswith((".", "_")) or name.endswith(_EDITOR_LEFTOVERS) or name == "4913"


def scan_content(
    content_dir: Path, skipped: list[tuple[str, str]] | None = None
) -> list[tuple[str, str, os.stat_result]]:
    """Every file under content/ that belongs to the journal: (path relative to content/,
    full path, its stat), sorted folder by folder like ``walk_content``.

    One ``scandir`` per folder and one ``stat`` per file: the cache compares sizes and
    modification times, so a rebuild learns what changed without opening any file.
    Symbolic links are not followed out of content/: a linked folder is not entered,
    and a linked file is taken only when it resolves inside content/. Each link left
    out is appended to ``skipped`` as (path relative to content/, why), so that it is
    reported (see ``link_warnings``) rather than dropped silently.
    """
    root = content_dir.resolve()
    found: list[tuple[str, str, os.stat_result]] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                items = sorted(listing, key=lambda item: item.name)
        except OSError:
            return
        subfolders = []
        for item in items:
            if is_ignored(item.name):
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    subfolders.append(item)
                    continue
                if item.is_symlink():
                    target = Path(item.path).resolve()
                    if target.is_dir():
                        why = "is a link to a folder; links to folders are not followed"
                    elif not target.is_relative_to(root) or not target.is_file():
                        why = "is a link to a file outside the content folder (or to nothing); not read"
                    else:
                        why = ""
                    if why:
                        if skipped is not None:
                            skipped.append((prefix + item.name, why))
                        continue
                elif not item.is_file(follow_symlinks=False):
                    continue
                info = item.stat()
            except OSError:
                continue
            found.append((prefix + item.name, item.path, info))
        for sub in subfolders:
            visit(sub.path, f"{prefix}{sub.name}/")

    visit(str(content_dir), "")
    return found


Scan = tuple[list[tuple[str, str, os.stat_result]], list[tuple[str, str]]]
"""Every content file (path under content/, full path, stat) and the links left out."""


def scan_folder(content_dir: Path) -> Scan:
    """``scan_content`` of ``content_dir``, with the links it left out."""
    skipped: list[tuple[str, str]] = []
    return scan_content(content_dir, skipped), skipped


def link_warnings(content: str, skipped: Iterable[tuple[str, str]]) -> list[Problem]:
    """Warnings for the links ``scan_content`` did not follow."""
    return [Problem(f"{content}/{rel}", None, why) for rel, why in skipped]
