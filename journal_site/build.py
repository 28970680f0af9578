"""build(config) -> BuildResult: ``journal build``, the engine's result written to disk.

The engine (engine/site.py) makes the site; this module decides whether anything at
all must be done (nothing changed since the output folder was written), protects the
result when a password is set, and hands it to the writer. Nothing here reads content
or writes output itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.config import Config
from journal_site.errors import Problem, plain_problems, problems_from_plain

if TYPE_CHECKING:
    from journal_site.engine.prestage import Prestaged
    from journal_site.engine.site import SiteBuild
    from journal_site.engine.store import Manifest, Store
    from journal_site.publish import Protection
    from journal_site.scan import Scan


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


def render_site(
    config: Config, *, today: dt.date | None = None, drafts: bool = False
) -> SiteBuild:
    """The whole site in memory, from nothing kept (a clean build); raise JournalError."""
    from journal_site.engine.site import Engine

    return Engine(config, today=today, drafts=drafts).build()


def build(
    config: Config,
    *,
    today: dt.date | None = None,
    drafts: bool = False,
    out_dir: Path | None = None,
    protection: Protection | None = None,
    leave: list[object] | None = None,
) -> BuildResult:
    """Build the whole site; raise JournalError (listing every problem) before writing anything.

    ``protection`` (read from the environment by the CLI) encrypts the site and/or adds
    a Basic-Auth rule, between rendering and writing. ``leave``: a list the caller
    holds, given the build's engine (with everything it made) instead of freeing it
    as the build returns: ``journal build`` ends its process right after without
    freeing anything (cli.run), where freeing 4,000 entries' parses, model and plans
    object by object takes about 70 ms.
    """
    # Light imports first: a build that finds nothing changed needs no more.
    from journal_site.engine.parsing import ParserAhead, parser_ahead
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version
    from journal_site.publish import Protection, protect_output
    from journal_site.write_changes import MovedFiles, recover, write_changed
    from journal_site.writer import check_output_dir

    started = time.perf_counter()
    out_dir = out_dir or config.output_dir
    check_output_dir(out_dir, config.root, config.content_dir)
    out_dir = out_dir.absolute()
    protection = protection or Protection()
    # A protected build is written whole every time: its output depends on secrets
    # that nothing kept may record.
    protected = protection.encrypted or protection.basic_auth is not None
    version = code_version()
    store = Store(config.root / CACHE_DIR_NAME, version)
    moved: MovedFiles | None = None
    parser: ParserAhead | None = None
    prestaged: Prestaged | None = None
    try:
        # The parsers load in a process of their own while this one scans, finds whether
        # anything changed and loads the engine: loading them takes longer than all that
        # (it is stopped unused when nothing changed).
        parser = parser_ahead(config)
        recover(out_dir)  # an interrupted update first restores the previous site
        scanned = _scan(config)
        inputs = _inputs_digest(config, today, drafts, version, scanned)
        manifest = None if protected else store.manifest(out_dir)
        if (
            manifest is not None
            and inputs is not None
            and store.meta("inputs") == inputs[0]
            and _still_read(config, store.meta("racy"))
        ):
            done = _unchanged(store, out_dir, manifest, started)
            if done is not None:
                return done
        kept: Mapping[str, str] = {path: record[0] for path, record in (manifest or {}).items()}
        writes_all = manifest is None or not out_dir.is_dir()
        if writes_all and not protected and store.meta("out_dir") is not None:
            # The pages the store keeps from the last build are written beside the
            # build, into the folder the writer finishes (engine/prestage.py).
            from journal_site.engine.prestage import Prestaged

            kept = prestaged = Prestaged(store, out_dir)
        from journal_site.engine.site import Engine

        # Which files of the output folder are still those the last build wrote: looked
        # at beside the build, for the writer.
        moved = MovedFiles(out_dir, manifest)
        engine = Engine(config, today=today, drafts=drafts, store=store)
        if leave is not None:
            leave.append(engine)
        engine.save_later = True
        site = engine.build(kept=kept, scanned=scanned, parser=parser)
        output = protect_output(config, site.output, protection, site.today)
        digests = {
            id(data): (data, site.keys[path])
            for path, data in output.files.items()
            if isinstance(data, bytes) and path in site.keys and output is site.output
        }
        store.forget_manifest()  # an interrupted write leaves nothing to trust
        # The store takes what the build learnt while the output folder is written (the
        # two wait on different files, and the store guards itself with a lock).
        saving = _in_background(engine.unsaved or (lambda: None))
        try:
            begun = prestaged.finished() if prestaged is not None else None
            written, changed = write_changed(
                output, out_dir, manifest, digests, moved.result(), begun
            )
        finally:
            saving()
        if not protected:
            store.save_manifest(
                out_dir,
                written,
                {
                    "inputs": inputs[0] if inputs is not None else "",
                    # The files whose times could not vouch for them: the next build
                    # that finds nothing else changed reads them (``_still_read``).
                    "racy": json.dumps(
                        {source: engine.read_digest(source) for source in inputs[1]}
                        if inputs is not None
                        else {}
                    ),
                    "summary": json.dumps(
                        [
                            site.entries,
                            site.pages,
                            plain_problems(site.warnings),
                        ]
                    ),
                },
            )
        return BuildResult(
            entries=site.entries,
            pages=site.pages,
            files=len(output.files),
            warnings=site.warnings,
            seconds=time.perf_counter() - started,
            output_dir=out_dir,
            encrypted=protection.encrypted,
            basic_auth=protection.basic_auth is not None,
            changed=changed,
        )
    finally:
        if moved is not None:
            moved.close()
        if parser is not None:
            parser.close()  # used up by the engine, or left unused by a failure
        if prestaged is not None:
            prestaged.close()  # its folder, unless it became the output folder
        store.close()


def _in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Start ``work`` in a thread; the function returned waits for it (raising what it
    raised)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="journal-store")
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return wait


def _unchanged(
    store: Store, out_dir: Path, manifest: Manifest, started: float
) -> BuildResult | None:
    """The result of a build whose inputs are those of the build that wrote ``out_dir``,
    when the folder still holds every file as written; None otherwise."""
    from journal_site.write_changes import still_written

    prefix = str(out_dir) + os.sep  # plain strings: this loop visits every file
    if not all(still_written(prefix + path, record) for path, record in manifest.items()):
        return None
    try:
        entries, pages, warnings = json.loads(store.meta("summary") or "")
        problems = problems_from_plain(warnings)
    except (ValueError, TypeError):
        return None
    return BuildResult(
        entries=int(entries),
        pages=int(pages),
        files=len(manifest),
        warnings=problems,
        seconds=time.perf_counter() - started,
        output_dir=out_dir,
    )


def _scan(config: Config) -> Scan | None:
    """Every content file with its stat, and the links left out (see scan.py): read
    once, for ``_inputs_digest`` and then the engine; None without a content folder."""
    from journal_site.scan import scan_folder

    return scan_folder(config.content_dir) if config.content_dir.is_dir() else None


def _still_read(config: Config, racy: str | None) -> bool:
    """Whether each content file whose time could not vouch for it when the last build
    read it (changed less than ``RACY_NS`` before) still has the bytes it read then: a
    save can change a file again within the same time stamp, with the same size."""
    from journal_site.engine.parsing import content_digest, parse_settings

    try:
        read = json.loads(racy or "{}")
        if not read:
            return True
        settings = parse_settings(config)
        for source, digest in read.items():
            raw = (config.content_dir / source).read_bytes()
            if not isinstance(digest, str) or content_digest(settings, source, raw) != digest:
                return False
    except (OSError, ValueError, AttributeError):
        return False
    return True


def _inputs_digest(
    config: Config, today: dt.date | None, drafts: bool, version: str, scanned: Scan | None
) -> tuple[str, list[str]] | None:
    """A digest of everything a build reads, by names, sizes and times (no file is
    read): content files, templates, static files, settings, today and the code; and
    the content files changed too recently for their times to vouch for them, which a
    later build with the same digest reads to be sure (``_still_read``)."""
    from journal_site.config import resolve_today
    from journal_site.scan import RACY_NS
    from journal_site.theme import theme_files

    if scanned is None:
        return None
    racy_after = time.time_ns() - RACY_NS
    digest = hashlib.blake2b(digest_size=20)
    files, skipped = scanned
    racy = []
    for source, _, info in files:
        if info.st_mtime_ns >= racy_after:
            racy.append(source)  # changed too recently for its time to vouch for it
        digest.update(
            f"{source}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogatepass")
        )
    digest.update(repr(skipped).encode("utf-8", "surrogatepass"))
    theme = theme_files(config)
    for folder in (*theme.template_dirs, *theme.static_dirs):
        for path in sorted(folder.rglob("*")):
            try:
                st = path.stat()
            except OSError:
                return None  # a link to nothing: the build says what is wrong with it
            if st.st_mtime_ns >= racy_after:
                return None
            digest.update(
                f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass")
            )
    today_now = resolve_today(config, today)
    digest.update(repr((config, today_now, drafts, version)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest(), racy
