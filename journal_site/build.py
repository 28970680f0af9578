"""build(config) -> BuildResult: the stages in order, data in and data out.

load (loader) -> choose what is published -> URLs (aggregate) -> pages (render)
-> files (writer). Nothing here reads content or writes output itself.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.config import Config
from journal_site.errors import Problem

if TYPE_CHECKING:
    # Imported where used: a no-change build needs none of them.
    from journal_site.loader import Journal
    from journal_site.pages import SiteModel
    from journal_site.publish import Protection
    from journal_site.writer import Output

ROBOTS_TXT = b"User-agent: *\nDisallow: /\n"


@dataclass(frozen=True, slots=True)
class BuildResult:
    entries: int
    """Entries on the site (drafts included when shown)."""
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    seconds: float
    output_dir: Path
    encrypted: bool = False
    """Every page and the search index need the password."""
    basic_auth: bool = False
    """A Basic-Auth rule for Netlify was written (``_headers``)."""
    changed: int = 0
    """Output files written or removed: only those whose bytes changed (all of them
    for a new output folder), which is what a host's upload has to send."""


def resolve_today(
    config: Config, override: dt.date | None = None, now: dt.datetime | None = None
) -> dt.date:
    """ "Today" for streaks: ``--today`` if given, else the date now in the configured time zone.

    ``now`` (an aware instant; default: the clock) lets tests pick the moment. Only the
    instant is converted, never a local midnight built, so days on which midnight does
    not exist (a DST change at 00:00, as in Santiago or Havana) need no special case.
    """
    if override is not None:
        return override
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(config.tzinfo()).date()


def publishable(journal: Journal, drafts: bool) -> tuple:
    return tuple(e for e in journal.entries if drafts or not e.draft)


def future_warnings(config: Config, model: SiteModel) -> list[Problem]:
    return [
        Problem(
            f"{config.content}/{e.source}",
            None,
            f"is dated {e.day.isoformat()}, after today ({model.today.isoformat()}); "
            "it is shown but does not count toward streaks until then",
        )
        for e in model.entries
        if e.day > model.today
    ]


def make_model(
    config: Config,
    journal: Journal,
    today: dt.date,
    drafts: bool,
    tokens: dict[int, tuple[object, bytes]] | None = None,
    head_tokens: Mapping[int, bytes] | None = None,
    checked_heads: str | None = None,
) -> SiteModel:
    """The model of the site; ``tokens`` and ``head_tokens`` name entries by their files
    (see SiteModel.tokens). ``checked_heads``: the ``heads_digest`` of a model that
    passed ``check_references``; a model with the same heads passes too (the checks read
    nothing else), so they are not made again."""
    from journal_site.aggregate.urls import entry_urls
    from journal_site.pages import SiteModel

    entries = publishable(journal, drafts)
    model = SiteModel(
        config=config,
        today=today,
        entries=entries,
        urls=entry_urls(entries, config.content),
        goals=journal.goals,
        tokens=tokens if tokens is not None else {},
        head_tokens=head_tokens or {},
    )
    # Unknown goals and tags sharing a slug are content errors: found here, so that
    # `journal check` reports them too, all at once.
    if checked_heads is not None and model.heads_digest == checked_heads:
        return model
    from journal_site.pages.collections import check_references  # heavy: imported when used

    check_references(model)
    return model


@dataclass(frozen=True, slots=True)
class RenderedSite:
    """A whole site in memory: what ``write_output`` writes, or ``journal serve`` serves."""

    model: SiteModel
    output: Output
    pages: int
    warnings: tuple[Problem, ...]
    changed: frozenset[str] = frozenset()
    """Output paths added or changed since the previous build of the same SiteBuilder."""
    removed: frozenset[str] = frozenset()
    """Output paths of the previous build that this one no longer has."""


def render_site(
    config: Config,
    *,
    today: dt.date | None = None,
    drafts: bool = False,
    cache_dir: Path | None = None,
) -> RenderedSite:
    """Load, aggregate and render every page into memory; raise JournalError on any problem.

    One build of a fresh ``SiteBuilder`` (see incremental.py): with ``cache_dir``, work
    saved there by earlier builds is re-used.
    """
    from journal_site.incremental import SiteBuilder

    return SiteBuilder(config, today=today, drafts=drafts, cache_dir=cache_dir).build()


def build(
    config: Config,
    *,
    today: dt.date | None = None,
    drafts: bool = False,
    out_dir: Path | None = None,
    protection: Protection | None = None,
) -> BuildResult:
    """Build the whole site; raise JournalError (listing every problem) before writing anything.

    ``protection`` (read from the environment by the CLI) encrypts the site and/or adds
    a Basic-Auth rule, between rendering and writing.
    """
    from journal_site.incremental import cycle_collection_paused

    # Paused through writing too: a collection between building and writing would
    # walk everything the build made.
    with cycle_collection_paused():
        return _build(config, today, drafts, out_dir, protection)


def _build(
    config: Config,
    today: dt.date | None,
    drafts: bool,
    out_dir: Path | None,
    protection: Protection | None,
) -> BuildResult:
    from journal_site.publish import Protection, protect_output
    from journal_site.writer import check_output_dir

    started = time.perf_counter()
    out_dir = out_dir or config.output_dir
    check_output_dir(out_dir, config.root, config.content_dir)
    from journal_site.incremental import CACHE_DIR_NAME, SiteBuilder

    builder = SiteBuilder(
        config, today=today, drafts=drafts, cache_dir=config.root / CACHE_DIR_NAME
    )
    protection = protection or Protection()
    # A protected build is never "up to date": its output depends on secrets that the
    # cache must not record.
    protected = protection.encrypted or protection.basic_auth is not None
    fresh = None if protected else builder.up_to_date(out_dir)
    if fresh is None and not protected:
        # Only bodies of entries changed: their few pages are made and written alone.
        fresh = builder.patch(out_dir)
    if fresh is not None:  # out_dir holds the site these inputs make
        entries, pages, files, warnings = fresh
        return BuildResult(
            entries=entries,
            pages=pages,
            files=files,
            warnings=warnings,
            seconds=time.perf_counter() - started,
            output_dir=out_dir,
            changed=builder.stats.get("files_written", 0),
        )
    rendered = builder.build()
    output = protect_output(config, rendered.output, protection, rendered.model.today)
    changed = builder.write(output, out_dir)
    return BuildResult(
        entries=len(rendered.model.entries),
        pages=rendered.pages,
        files=len(output.files),
        warnings=rendered.warnings,
        seconds=time.perf_counter() - started,
        output_dir=out_dir,
        encrypted=protection.encrypted,
        basic_auth=protection.basic_auth is not None,
        changed=changed,
    )
