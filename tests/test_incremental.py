"""SiteBuilder: repeated builds of one site report what changed, and survive failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from journal_site.config import load_config
from journal_site.errors import JournalError
from journal_site.incremental import SiteBuilder

TODAY = dt.date(2026, 11, 25)

ENTRY = """\
---
title: {title}
tags: [work]
wins: [Spoke up]
---
Body of {title}.
"""


def _site(root: Path, days: int = 3) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for day in range(1, days + 1):
        (content / f"2026-11-{day:02d}.md").write_text(ENTRY.format(title=f"Day {day}"))
    return root


def test_first_build_reports_everything_then_nothing(tmp_path: Path) -> None:
    builder = SiteBuilder(load_config(_site(tmp_path)), today=TODAY)
    first = builder.build()
    assert first.changed == frozenset(first.output.files)
    assert "2026/11/02/index.html" in first.changed
    assert not first.removed
    second = builder.build()
    assert second.changed == frozenset()
    assert second.removed == frozenset()
    assert second.output.files == first.output.files


def test_edit_and_delete_are_reported(tmp_path: Path) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Renamed"))
    edited = builder.build()
    assert "2026/11/02/index.html" in edited.changed
    # The neighbours show the edited title in their previous/next links.
    assert {"2026/11/01/index.html", "2026/11/03/index.html"} <= edited.changed
    assert b"Renamed" in edited.output.files["2026/11/02/index.html"]  # type: ignore[operator]
    (root / "content" / "2026-11-03.md").unlink()
    deleted = builder.build()
    assert deleted.removed == {"2026/11/03/index.html"}


def test_failed_build_keeps_previous_state(tmp_path: Path) -> None:
    root = _site(tmp_path)
    builder = SiteBuilder(load_config(root), today=TODAY)
    builder.build()
    entry = root / "content" / "2026-11-02.md"
    good = entry.read_text()
    entry.write_text("---\nmood: eleven\n---\n")
    with pytest.raises(JournalError) as caught:
        builder.build()
    assert "content/2026-11-02.md" in str(caught.value)
    entry.write_text(good)
    again = builder.build()
    # Compared with the last good build, nothing changed.
    assert again.changed == frozenset()
