"""The commands that make a site to publish: ``journal build``, ``journal share`` and
``journal pin`` (cli.py parses their arguments).

A publishing build's log (``journal build --publish``, ``journal share``) may be shown
to others by the host: it names the settings and templates that have problems, and
only counts those of the journal's own files, whose names hold dates and words.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.errors import EXIT_OK, EXIT_PROBLEMS

if TYPE_CHECKING:
    from journal_site.config import Config
    from journal_site.errors import Problem
    from journal_site.provenance import Pin

PUBLIC_SOURCES = ("journal.toml", "templates/", "themes/")
"""Files whose names a publishing build's log may show: settings and the theme."""


def print_publish_problems(problems: Sequence[Problem], *, label: str) -> None:
    """Problems for the log of ``journal build --publish``, which a host may show to
    others: problems of the settings and templates in full, the others (entries, goals,
    the journal's files, whose names hold dates and words) only counted."""
    hidden = 0
    for problem in problems:
        if problem.path.startswith(PUBLIC_SOURCES):
            print(f"{label}: {problem}", file=sys.stderr)
        else:
            hidden += 1
    if hidden:
        what = f"{hidden} {label}{'s' if hidden > 1 else ''}"
        print(
            f"{label}: {what} about the journal's own files, not named in the log of a "
            "publishing build; run `journal check` on your own computer to see them",
            file=sys.stderr,
        )


LEFT_TO_THE_END: list[object] = []
"""What the last build made, held until the process ends (``cli.run`` ends it without
freeing anything): see ``build(leave=...)``. A next build in the same process (``main``
called again) lets it go."""


def build_site_command(config: Config, args: argparse.Namespace) -> int:
    """``journal build``: build the site into the output folder and say what it made."""
    import os

    from journal_site.build import build
    from journal_site.engine import cycle_collection_paused
    from journal_site.errors import JournalError
    from journal_site.publish import protection_from_env, protection_summary

    out = Path(args.out) if args.out else None
    protection = protection_from_env(config, os.environ)
    LEFT_TO_THE_END.clear()
    try:
        # The command ends after this build: what it made is never walked for cycles.
        with cycle_collection_paused(freeze=True):
            result = build(
                config,
                today=args.today,
                drafts=args.drafts,
                out_dir=out,
                protection=protection,
                leave=LEFT_TO_THE_END,
            )
    except JournalError as exc:
        if not args.publish:
            raise
        print_publish_problems(exc.problems, label="error")
        print("journal: the build failed; nothing was written.", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError:
        if not args.publish:
            raise
        print(
            "journal: a file of the journal could not be read (not named in the log of a "
            "publishing build); nothing was written. Run `journal check` to see which.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    if args.publish:
        print_publish_problems(result.warnings, label="warning")
    else:
        for problem in result.warnings:
            print(f"warning: {problem}", file=sys.stderr)
    entries = result.entries
    try:
        shown = result.output_dir.relative_to(Path.cwd())
    except ValueError:
        shown = result.output_dir
    summary, warning = protection_summary(protection, publish=args.publish)
    changed = f"{result.changed:,} changed" if result.changed else "none changed"
    print(
        f"Built {entries:,} {'entry' if entries == 1 else 'entries'} into "
        f"{result.pages:,} pages ({result.files:,} files, {changed}) in {shown}/ "
        f"in {result.seconds:.2f} s; {summary}"
    )
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if args.publish:
        from journal_site.provenance import running_tool
        from journal_site.publish import deploy_warnings

        # No network here: an install from an index is only checked by `journal pin`.
        for note in deploy_warnings(config.root, running_tool(network=False)):
            print(f"warning: {note}", file=sys.stderr)
    return EXIT_OK


def share_site_command(config: Config, args: argparse.Namespace) -> int:
    """``journal share``: build the encrypted share site of the sections journal.toml lists."""
    import os

    from journal_site.engine import cycle_collection_paused
    from journal_site.errors import JournalError
    from journal_site.pages.share import shared_sections
    from journal_site.publish import share_protection
    from journal_site.share import share

    protection = share_protection(config, os.environ)
    out = Path(args.out) if args.out else None
    # A share site is meant for publishing: its log names no file of the journal (a
    # host may show it to others), as `journal build --publish` does.
    try:
        with cycle_collection_paused(freeze=True):
            result = share(config, protection=protection, today=args.today, out_dir=out)
    except JournalError as exc:
        print_publish_problems(exc.problems, label="error")
        print("journal: the share build failed; nothing was written.", file=sys.stderr)
        return EXIT_PROBLEMS
    print_publish_problems(result.warnings, label="warning")
    try:
        shown = result.output_dir.relative_to(Path.cwd())
    except ValueError:
        shown = result.output_dir
    names = ", ".join(section.nav.label.lower() for _, section in shared_sections(config))
    entries = result.entries
    print(
        f"Shared {names or 'no section'} from {entries:,} "
        f"{'entry' if entries == 1 else 'entries'} (private ones left out) as "
        f"{result.pages:,} pages ({result.files:,} files) in {shown}/ in {result.seconds:.2f} s; "
        f"encrypted: every page needs the password from ${protection.password_env}."
    )
    return EXIT_OK


def say_pin(pin: Pin) -> None:
    """Whether netlify.toml pins the running journal_site, or why it cannot."""
    if pin.pinned:
        checked = "its hash checked by pip" if pin.hashed else "the commit id is the check"
        print(f"netlify.toml deploys exactly this journal_site: {pin.description} ({checked}).")
    else:
        print(
            f"warning: netlify.toml cannot pin journal_site: {pin.description}. A deploy "
            "stops with this reason until you install journal_site from a git URL, an "
            "archive URL or PyPI and run 'journal pin' in the journal's folder.",
            file=sys.stderr,
        )


def pin_command(args: argparse.Namespace) -> int:
    """``journal pin``: pin netlify.toml to the running journal_site."""
    from journal_site.errors import UsageError
    from journal_site.provenance import running_tool
    from journal_site.scaffold import pin_site

    root = Path(args.site)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    pin = running_tool()
    written = pin_site(root, pin)
    say_pin(pin)
    print(f"Updated: {', '.join(written)}." if written else "netlify.toml was already pinned so.")
    return EXIT_OK
