"""Files the tool creates for a person: a new journal, a new entry. Never overwrites."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from pathlib import Path

from journal_site.config import Config
from journal_site.errors import UsageError

ENTRY_TEMPLATE = """\
---
date: {day}
title: ""            # a few words about the day (optional)
tags: []             # e.g. [work, health]
mood:                # 1 (low) to 5 (high), optional
wins:                # small things that went right; every one counts
  # - Spoke up in the planning meeting
setbacks:            # what went wrong, and what it taught you
  # - text: Skipped my walk
  #   reframe: Mornings are rushed; try after lunch
---

"""

JOURNAL_TOML = """\
# Settings for your journal. Every key is optional; these are the defaults.
title = "{title}"
author = ""
# timezone = "Europe/London"   # decides what "today" is for streaks; default: this machine's
# base_url = "/"               # where the site is published, e.g. "/journal/"
# streak = "entry"             # "entry": a day counts with any entry; "win": with at least one win
# per_page = 30                # entries per timeline page
# password_env = "JOURNAL_PASSWORD"  # environment variable with the password to encrypt the site

[markdown]
allow_html = false             # raw HTML in entries is shown as text unless this is true
"""

EXAMPLE_ENTRY = """\
---
date: {day}
title: Started my journal
tags: [journal]
mood: 4
wins:
  - Set up a place to notice my small wins
setbacks:
  - text: Put it off for a week
    reframe: Starting late still counts as starting
---
Today I started keeping track of the small things that go right.
"""

GITIGNORE = "public/\n.journal-cache/\n"

NETLIFY_TOML = """\
[build]
  command = "pip install journal-site && journal build --publish"
  publish = "public"

[build.environment]
  PYTHON_VERSION = "3.11"

[[headers]]
  for = "/*"
  [headers.values]
    X-Robots-Tag = "noindex, nofollow"
    Referrer-Policy = "no-referrer"
    X-Content-Type-Options = "nosniff"
    X-Frame-Options = "DENY"
"""


def entry_path(config: Config, day: dt.date) -> Path:
    return config.content_dir / f"{day.isoformat()}.md"


def create_entry(config: Config, day: dt.date) -> tuple[Path, bool]:
    """Write the day's entry from the template unless it exists; return (path, created)."""
    path = entry_path(config, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(ENTRY_TEMPLATE.format(day=day.isoformat()))
    except FileExistsError:
        return path, False
    return path, True


def open_in_editor(path: Path) -> int:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError("set $VISUAL or $EDITOR to the command of your editor to use --edit")
    return subprocess.call([*shlex.split(editor), str(path)])


def init_site(target: Path, today: dt.date) -> list[str]:
    """Create a new journal in ``target``; refuse if it already holds a journal."""
    if (target / "journal.toml").exists() or (target / "content").exists():
        raise UsageError(f"{target} already holds a journal; nothing was changed")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    title = f"{target.resolve().name.replace('-', ' ').replace('_', ' ').title()} journal"
    files = {
        "journal.toml": JOURNAL_TOML.format(title=title.replace('"', "")),
        f"content/{today.isoformat()}.md": EXAMPLE_ENTRY.format(day=today.isoformat()),
        "netlify.toml": NETLIFY_TOML,
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(rel)
    return written
