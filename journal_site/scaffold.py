"""Files the tool creates for a person: a new journal, a new entry. Never overwrites."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from pathlib import Path

from journal_site.config import Config
from journal_site.errors import UsageError
from journal_site.provenance import Pin
from journal_site.publish import LOCK_FILE, lock_file_text, netlify_toml

ENTRY_TEMPLATE = """\
---
date: {day}
title: ""            # a few words about the day (optional)
tags: []             # e.g. [work, health]
mood:                # 1 (low) to 5 (high), optional
wins:                # small things that went right; every one counts
  # - Spoke up in the planning meeting
  # - text: Ran 3 km without stopping
  #   goal: run-5k
  #   proud: true      # one to celebrate: first in reviews
setbacks:            # what went wrong, and what it taught you
  # - text: Skipped my walk
  #   reframe: Mornings are rushed; try after lunch
# No YAML needed: lines like "Win: called mum" or "Setback: overslept (Lesson: ...)"
# in the text below count too. From a terminal: journal new --win "called mum"
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

GITIGNORE = "public/\nshare/\n.journal-cache/\n"


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


def init_site(target: Path, today: dt.date, pin: Pin) -> list[str]:
    """Create a new journal in ``target``; refuse if it already holds a journal.

    Its netlify.toml installs exactly the tool ``pin`` names (or stops, saying why, when
    it names none), and the lock file of the third-party packages this tool was made with.
    """
    if (target / "journal.toml").exists() or (target / "content").exists():
        raise UsageError(f"{target} already holds a journal; nothing was changed")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    title = f"{target.resolve().name.replace('-', ' ').replace('_', ' ').title()} journal"
    files = {
        "journal.toml": JOURNAL_TOML.format(title=title.replace('"', "")),
        f"content/{today.isoformat()}.md": EXAMPLE_ENTRY.format(day=today.isoformat()),
        # One source of truth for the headers: the repository's own netlify.toml comes
        # from the same function (tests/test_privacy.py checks that they agree).
        "netlify.toml": netlify_toml("journal", pin),
        LOCK_FILE: lock_file_text(),
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


def pin_site(root: Path, pin: Pin) -> list[str]:
    """Point an existing journal's deploy at ``pin``: the build command in netlify.toml
    (written whole when there is none) and the lock file. Returns the files written."""
    import tomllib

    from journal_site.publish import build_command

    if pin.requirement is None:
        raise UsageError(f"cannot pin journal_site: {pin.description}; nothing was changed")
    toml_path = root / "netlify.toml"
    if toml_path.exists():
        text = toml_path.read_text(encoding="utf-8")
        try:
            current = tomllib.loads(text).get("build", {}).get("command")
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(
                f"{toml_path} is not valid TOML ({exc}); nothing was changed"
            ) from exc
        lines = text.splitlines(keepends=True)
        matches = [i for i, line in enumerate(lines) if _command_of(line) == current]
        if current is None or len(matches) != 1:
            raise UsageError(
                f"cannot find the one build command line in {toml_path}; nothing was changed. "
                f"Set [build] command to:\n{build_command('journal', pin)}"
            )
        new_line = netlify_toml("journal", pin).splitlines(keepends=True)
        command_line = next(line for line in new_line if line.lstrip().startswith("command"))
        lines[matches[0]] = command_line
        new_text = "".join(lines)
    else:
        new_text = netlify_toml("journal", pin)
    written = []
    for rel, data in (("netlify.toml", new_text), (LOCK_FILE, lock_file_text())):
        path = root / rel
        if path.exists() and path.read_text(encoding="utf-8") == data:
            continue
        path.write_text(data, encoding="utf-8")
        written.append(rel)
    return written


def _command_of(line: str) -> str | None:
    """The value of a ``command = "..."`` line of TOML, or None when it is another line."""
    import tomllib

    if not line.lstrip().startswith("command"):
        return None
    try:
        value = tomllib.loads(line).get("command")
    except tomllib.TOMLDecodeError:
        return None
    return value if isinstance(value, str) else None


def log_items(
    path: Path,
    shown: str,
    wins: list[str],
    setbacks: list[str],
    reframes: list[str],
    created: bool,
) -> str:
    """``journal new --win/--setback/--reframe``: add to the entry; one line saying what was done."""
    from journal_site.entry_edit import append_to_entry
    from journal_site.model import Setback, Win

    try:
        if len(reframes) > len(setbacks):
            raise UsageError("each --reframe belongs to a --setback; give the setback first")
        win_items = [Win(text=t.strip()) for t in wins]
        setback_items = [
            Setback(text=t.strip(), reframe=(reframes[i].strip() if i < len(reframes) else ""))
            for i, t in enumerate(setbacks)
        ]
        if any(not item.text for item in (*win_items, *setback_items)):
            raise UsageError("a win or setback needs some text")
        append_to_entry(path, win_items, setback_items, shown)
    except BaseException:
        if created:  # the template was written for these items alone: take it back
            path.unlink()
        raise
    parts = []
    if win_items:
        parts.append(f"{len(win_items)} win{'s' if len(win_items) > 1 else ''}")
    if setback_items:
        parts.append(f"{len(setback_items)} setback{'s' if len(setback_items) > 1 else ''}")
    first = (win_items or setback_items)[0].text
    more = "" if len(win_items) + len(setback_items) == 1 else ", ..."
    return (
        f"Added {' and '.join(parts)} to {shown}{' (new entry)' if created else ''}: {first}{more}"
    )
