"""The ``journal`` command: argparse front door. No logic of its own beyond wiring.

Exit status: 0 when all went well, 1 when the journal has problems (each printed as
``path:line: message``), 2 when the command itself was used wrongly.
Heavy modules are imported inside each command so that ``journal --help`` is instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journal_site.config import Config
    from journal_site.errors import Problem
    from journal_site.provenance import Pin

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-24, got {text!r}"
        ) from None


def _print_problems(problems: Sequence[Problem], *, label: str = "error") -> None:
    for problem in problems:
        print(f"{label}: {problem}", file=sys.stderr)


PUBLIC_SOURCES = ("journal.toml", "templates/", "themes/")
"""Files whose names a publishing build's log may show: settings and the theme."""


def _print_publish_problems(problems: Sequence[Problem], *, label: str) -> None:
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


def _config(args: argparse.Namespace) -> Config:
    from journal_site.config import load_config

    return load_config(Path(args.site))


def cmd_build(args: argparse.Namespace) -> int:
    import os

    from journal_site.build import build
    from journal_site.engine import cycle_collection_paused
    from journal_site.errors import JournalError
    from journal_site.publish import protection_from_env, protection_summary

    config = _config(args)
    out = Path(args.out) if args.out else None
    protection = protection_from_env(config, os.environ)
    try:
        # The command ends after this build: what it made is never walked for cycles.
        with cycle_collection_paused(freeze=True):
            result = build(
                config, today=args.today, drafts=args.drafts, out_dir=out, protection=protection
            )
    except JournalError as exc:
        if not args.publish:
            raise
        _print_publish_problems(exc.problems, label="error")
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
        _print_publish_problems(result.warnings, label="warning")
    else:
        _print_problems(result.warnings, label="warning")
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


def cmd_share(args: argparse.Namespace) -> int:
    import os

    from journal_site.engine import cycle_collection_paused
    from journal_site.errors import JournalError
    from journal_site.pages.share import shared_sections
    from journal_site.publish import share_protection
    from journal_site.share import share

    config = _config(args)
    protection = share_protection(config, os.environ)
    out = Path(args.out) if args.out else None
    # A share site is meant for publishing: its log names no file of the journal (a
    # host may show it to others), as `journal build --publish` does.
    try:
        with cycle_collection_paused(freeze=True):
            result = share(config, protection=protection, today=args.today, out_dir=out)
    except JournalError as exc:
        _print_publish_problems(exc.problems, label="error")
        print("journal: the share build failed; nothing was written.", file=sys.stderr)
        return EXIT_PROBLEMS
    _print_publish_problems(result.warnings, label="warning")
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


def cmd_check(args: argparse.Namespace) -> int:
    from journal_site.config import resolve_today
    from journal_site.loader import load_journal
    from journal_site.pages import future_warnings, make_model

    config = _config(args)
    journal = load_journal(config)
    model = make_model(config, journal, resolve_today(config, args.today), drafts=True)
    warnings = [*journal.warnings, *future_warnings(model)]
    _print_problems(warnings, label="warning")
    from journal_site.text import plural

    drafts = sum(e.draft for e in journal.entries)
    print(
        f"No problems found: {plural(len(journal.entries), 'entry', 'entries')} "
        f"({plural(drafts, 'draft')}), {plural(len(journal.goals), 'goal')}, "
        f"{plural(len(journal.assets), 'other file')}."
    )
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from journal_site.config import resolve_today
    from journal_site.scaffold import create_entry, open_in_editor

    config = _config(args)
    day = args.date or resolve_today(config)
    path, created = create_entry(config, day)
    shown = path.relative_to(config.root) if path.is_relative_to(config.root) else path
    if args.win or args.setback or args.reframe:
        from journal_site.scaffold import log_items

        print(log_items(path, shown.as_posix(), args.win, args.setback, args.reframe, created))
        return open_in_editor(path) if args.edit else EXIT_OK
    if not created:
        print(f"{shown} already exists; not overwritten.", file=sys.stderr)
        if args.edit:
            return open_in_editor(path)
        return EXIT_PROBLEMS
    print(shown)
    if args.edit:
        return open_in_editor(path)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from journal_site.provenance import running_tool
    from journal_site.scaffold import init_site

    target = Path(args.dir)
    pin = running_tool()
    written = init_site(target, today=args.today or dt.date.today(), pin=pin)
    print(f"Created a new journal in {target}/:")
    for path in written:
        print(f"  {path}")
    _say_pin(pin)
    print(f"\nNext: cd {target} && journal new --edit, then journal build (or journal serve).")
    return EXIT_OK


def _say_pin(pin: Pin) -> None:
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


def cmd_pin(args: argparse.Namespace) -> int:
    from journal_site.errors import UsageError
    from journal_site.provenance import running_tool
    from journal_site.scaffold import pin_site

    root = Path(args.site)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    pin = running_tool()
    written = pin_site(root, pin)
    _say_pin(pin)
    print(f"Updated: {', '.join(written)}." if written else "netlify.toml was already pinned so.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from journal_site.serve import serve_command

    return serve_command(_config(args), args)


def cmd_stats(args: argparse.Namespace) -> int:
    from journal_site.stats_cli import stats_command

    return stats_command(_config(args), args)


def cmd_review(args: argparse.Namespace) -> int:
    from journal_site.review_cli import review_command

    return review_command(_config(args), args)


def _period(kind: str) -> Callable[[str], object]:
    """An argument type for ``--week``, ``--month`` or ``--year``: the period it names."""

    def period(text: str) -> object:
        from journal_site.aggregate.periods import parse_period

        try:
            return parse_period(kind, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    period.__name__ = kind
    return period


def cmd_import(args: argparse.Namespace) -> int:
    from journal_site.importers import import_command

    return import_command(_config(args), args)


def build_parser() -> argparse.ArgumentParser:
    from journal_site import __version__

    parser = argparse.ArgumentParser(
        prog="journal",
        description="Build a private website from a folder of daily progress-journal entries.",
    )
    parser.add_argument("--version", action="version", version=f"journal_site {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: object) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        if name != "init":
            sub.add_argument(
                "--site",
                default=".",
                metavar="DIR",
                help="the journal folder (default: the current folder)",
            )
        return sub

    p = command("init", "create a new journal folder with settings and an example entry", cmd_init)
    p.add_argument("dir", metavar="DIR", help="folder to create (may exist if empty)")
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=argparse.SUPPRESS)

    p = command(
        "new",
        "create today's entry from a template (never overwrites) and print its path",
        cmd_new,
    )
    p.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="the entry's day (default: today)"
    )
    p.add_argument("--edit", action="store_true", help="open the entry in $VISUAL or $EDITOR")
    p.add_argument(
        "--win", action="append", default=[], metavar="TEXT", help="add a win to the entry"
    )
    p.add_argument("--setback", action="append", default=[], metavar="TEXT", help="add a setback")
    p.add_argument(
        "--reframe",
        action="append",
        default=[],
        metavar="TEXT",
        help="what the setback taught (the first --reframe goes with the first --setback ...)",
    )

    p = command("build", "build the site into public/", cmd_build)
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day streaks end on (default: today)"
    )
    p.add_argument("--drafts", action="store_true", help="include draft entries")
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: public/ or journal.toml's output)"
    )

    p.add_argument(
        "--publish",
        action="store_true",
        help="a build meant for publishing: warn when it is neither encrypted nor behind "
        "Basic-Auth, and name no file of the journal's in the log (only settings and templates)",
    )

    p = command(
        "share",
        "build the share site into share/: only the sections [share] allows, no private "
        "entry, always encrypted with $JOURNAL_SHARE_PASSWORD",
        cmd_share,
    )
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day streaks end on (default: today)"
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: share/ or [share] output)"
    )

    command(
        "pin",
        "make netlify.toml deploy exactly the journal_site running now (and refresh the lock file)",
        cmd_pin,
    )

    p = command("serve", "preview the site with live reload while you write", cmd_serve)
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )
    p.add_argument(
        "--drafts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show draft entries, marked as drafts (default: shown)",
    )
    p.add_argument("--open", action="store_true", help="open the site in your web browser")
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day streaks end on (default: today)"
    )

    p = command("stats", "streaks, counts and tags in the terminal", cmd_stats)
    p.add_argument("--json", action="store_true", help="print one JSON object for scripts")
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day streaks end on (default: today)"
    )

    p = command(
        "review",
        "one week's, month's or year's review: to read, to paste as Markdown, or as JSON",
        cmd_review,
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--week", type=_period("week"), metavar="YYYY-Www", help="an ISO week (default: this week)"
    )
    which.add_argument("--month", type=_period("month"), metavar="YYYY-MM", help="a month")
    which.add_argument("--year", type=_period("year"), metavar="YYYY", help="a year")
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day streaks end on (default: today)"
    )
    p.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="text for the terminal (default), markdown to paste, json for scripts",
    )

    p = command("import", "import entries from another journal app (never overwrites)", cmd_import)
    p.add_argument("format", choices=["jrnl", "dayone"], help="the export's format")
    p.add_argument("file", metavar="FILE", help="the JSON export file")
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be written; write nothing"
    )

    p = command("check", "check every entry and setting; list every problem", cmd_check)
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day to check future dates against"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from journal_site.errors import JournalError, UsageError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except JournalError as exc:
        _print_problems(exc.problems)
        count = len(exc.problems)
        print(
            f"journal: {count} {'problem' if count == 1 else 'problems'} found; nothing was written.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    except UsageError as exc:
        print(f"journal: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"journal: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
