"""The ``journal`` command: argparse front door. No logic of its own beyond wiring.

Exit status: 0 when all went well, 1 when the journal has problems (each printed as
``path:line: message``), 2 when the command itself was used wrongly.
Heavy modules are imported inside each command so that ``journal --help`` is instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from journal_site.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Problem

if TYPE_CHECKING:
    from journal_site.config import Config


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


def _config(args: argparse.Namespace) -> Config:
    from journal_site.config import load_config

    return load_config(Path(args.site))


def cmd_build(args: argparse.Namespace) -> int:
    from journal_site.publish_cli import build_site_command

    return build_site_command(_config(args), args)


def cmd_share(args: argparse.Namespace) -> int:
    from journal_site.publish_cli import share_site_command

    return share_site_command(_config(args), args)


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
    from journal_site.publish_cli import say_pin
    from journal_site.scaffold import init_site

    target = Path(args.dir)
    pin = running_tool()
    written = init_site(target, today=args.today or dt.date.today(), pin=pin)
    print(f"Created a new journal in {target}/:")
    for path in written:
        print(f"  {path}")
    say_pin(pin)
    print(f"\nNext: cd {target} && journal new --edit, then journal build (or journal serve).")
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    from journal_site.publish_cli import pin_command

    return pin_command(args)


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


def run() -> NoReturn:
    """The ``journal`` command itself: ``main()``, then the process ends at once, its
    output flushed, without freeing its objects one by one as an interpreter's normal
    exit does (a build leaves its engine to this end, ``build(leave=...)``: with it,
    about 70 ms on a journal of 4,000 entries, a sixth of an edit's build). Every
    command closes what it wrote (files, the store) and waits for its threads and
    helpers before it returns."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a pipe closed by the reader (``journal stats | head -1``)
        pass
    os._exit(code)
