"""Incremental builds: one ``SiteBuilder`` per site, ``build()`` after every change.

``journal build`` makes one builder and builds once; ``journal serve`` keeps one
builder alive and calls ``build()`` on every save. Each result says which output
paths changed or disappeared since the builder's previous successful build, so a
server can reload only what changed.

What is re-used, and what decides that it may be (see cache.py for the files):

- a parsed file (Entry or Goal, with its Markdown already rendered, and an entry's
  search record): its content digest, under a key made of the package version, the
  Markdown options, the base path and the content folder's name. A file whose size and
  modification time are unchanged is not even read; one that was touched but not
  changed is read and hashed;
- a rendered page: the digest of everything its template can see (the page and its
  view, see fingerprint.py; an entry page is named by its entry's token, its
  neighbours' and a few values, see pages/core.py), under a key made of the package
  version, every template file's bytes, the site-wide ``site`` values and the static
  files' fingerprinted names;
- a rendered win card (shared by the wins wall, tag and goal pages): everything the
  card shows, under the same key as pages;
- the plan of the pages that show no entry's body (stats, wins, lessons, tags, goals:
  ``pages.HEAD_BUILDERS``): their URLs and fingerprints, under the digest of the
  bodiless model they were planned from (settings, today, every entry's head and URL,
  every goal), so that a build after a body edit does not plan them again;
- an output file (a page, a search shard) that the output folder already holds, by its
  manifest, under the same digest: passed to the writer as ``Kept``, its bytes not
  even fetched unless that file turns out to be changed or missing.

Everything else (the model, aggregates, the other pages' plan) is recomputed every
time, which is what makes the cache correct without a dependency graph; entry pages,
most of a site, are planned as keys and get a view only when rendered.
``quick_page`` makes one entry's page ahead of a build, for the live preview.

``patch`` is what ``journal build`` tries before a build, when the output folder is
not up to date: when the only change is to entries' bodies (their heads, and so their
URLs and every page planned from heads, are as they were), it makes just the pages
that show those bodies and rewrites those files in place, from a state the build
that wrote the folder kept beside its manifest (``output-*.state``: each entry file's
size, time, digest and head digest, the entries in order with their URLs, and what
entry, timeline and home pages read of the rest; ``home.summary``: what home shows
besides entries). It uses the builders' own functions and keys, so it writes what a
build would, under the same manifest digests; anything it cannot vouch for (a head
changed, another file, the output folder touched, a parse problem) is left to a build.

A failed build (``JournalError``) leaves the builder's state as it was, and the cache
on disk too, except that a big parse keeps what it parsed (keyed by content, so never
wrong; the files' sizes and times, which say which record belongs to which file, are
saved only by a successful build).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import os
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal_site.cache import PackStore, cache_settings

if TYPE_CHECKING:
    from markupsafe import Markup

    from journal_site.build import RenderedSite
    from journal_site.config import Config
    from journal_site.errors import Problem
    from journal_site.model import Asset, Entry, Goal
    from journal_site.pages import Page, PlannedPage, SiteModel
    from journal_site.render import Renderer, SiteView
    from journal_site.theme import ThemeFiles
    from journal_site.writer import FileData, Manifest, Output

_Parsed = tuple[bytes, "Entry | Goal", "tuple[str, ...] | None", "bytes | None"]
"""A parse as kept: (content digest, value, an entry's search record, its head digest)."""

PATCH_LIMIT = 20
"""Most entry files a patch takes (see ``SiteBuilder.patch``); more are left to a build."""

FLUSH_PARSED_AT = 400
"""Files parsed in one build from which their cache records are written before rendering."""

CACHE_DIR_NAME = ".journal-cache"
"""The persistent cache inside a site folder: git-ignored, safe to delete at any time."""


def _signature(data: FileData) -> object:
    """What identifies an output file's content: its bytes (or a kept file's digest), or
    a copied file's path and stat."""
    if isinstance(data, bytes):
        return data
    if not isinstance(data, Path):
        return data.digest
    try:
        st = data.stat()
    except OSError:
        return (str(data), -1, -1)
    return (str(data), st.st_size, st.st_mtime_ns)


def diff_outputs(
    old: dict[str, object], new: dict[str, object]
) -> tuple[frozenset[str], frozenset[str]]:
    """(paths added or changed, paths removed) between two ``{path: signature}`` maps."""
    changed = frozenset(path for path, sig in new.items() if old.get(path) != sig)
    removed = frozenset(path for path in old if path not in new)
    return changed, removed


def template_digest(theme: ThemeFiles) -> str:
    """A digest of every template that could be used: name, layer and bytes."""
    digest = hashlib.blake2b(digest_size=20)
    for layer, folder in enumerate(theme.template_dirs):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"{layer}\0{path.relative_to(folder).as_posix()}\0".encode())
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def cycle_collection_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector: a build makes many objects that live until it
    ends, and few reference cycles, so the collector would walk every entry over and
    over for nothing (about a sixth of a rebuild after one edit). Nested pauses end
    with the outermost.

    When it runs again, its first pass walks everything made meanwhile. ``freeze``
    (for a process about to end, such as ``journal build``) sets all that aside for
    good instead (``gc.freeze``), so that pass never comes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


class SiteBuilder:
    """Builds one site again and again, doing only the work that changed inputs need.

    ``cache_dir`` (usually ``<site>/.journal-cache``) keeps what was learnt across
    processes; ``None`` keeps it in memory only, for this builder's lifetime.
    """

    def __init__(
        self,
        config: Config,
        *,
        drafts: bool = False,
        today: dt.date | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.drafts = drafts
        self.today = today
        self.cache_dir = cache_dir
        self._previous: dict[str, object] | None = None
        self._parse_settings = cache_settings(
            "parse", config.markdown, config.base_path, config.content, "records and heads"
        )
        self._parsed_store: PackStore | None = None
        self._page_store: PackStore | None = None
        self._parsed: dict[str, _Parsed] = {}
        """In memory, for a long-lived builder: source -> (content digest, parsed value,
        the entry's search record, its head digest)."""
        self._stats: dict[str, tuple[int, int, bytes]] = {}
        """source -> (size, mtime_ns, content digest) as last seen."""
        self._plans: dict[str, tuple[str, tuple[PlannedPage, ...]]] = {}
        """What the last build planned from the model's heads (see pages.PlanMemo)."""
        self._checked_heads: str | None = None
        """The heads digest of the last successful build's model (see make_model)."""
        self._rendered: dict[str, tuple[str, bytes]] = {}
        """In memory: page URL -> (page key, HTML)."""
        self._render_key = ""
        self._fragments: dict[str, Markup] = {}
        self._card_store: PackStore | None = None
        """Rendered win cards, valid while the render key holds (see Renderer.win_card);
        worker processes fill copies of their own."""
        self._renderer: tuple[str, Renderer] | None = None
        self._last: _LastBuild | None = None
        self._stats_pending: dict[str, tuple[int, int, bytes]] = {}
        self._inputs: str | None = None
        self._base: str | None = None
        self._output: Output | None = None
        self._pages = 0
        self._fresh_scan: list[tuple[str, str, os.stat_result]] | None = None
        self._fresh_digests: tuple[str, str] | None = None
        self._manifest: dict[str, object] | None = None
        """The output folder's manifest as ``up_to_date`` read it (when it was that
        folder's), for the build and ``write`` that follow."""
        self._summary: tuple[int, tuple[Problem, ...]] = (0, ())
        self.digests: dict[int, tuple[object, str]] = {}
        """``id(bytes) -> (bytes, digest)`` for the last build's pages, for ``write``."""
        self.stats: dict[str, int] = {}
        """What the last build did: files parsed, pages rendered, and what came from the cache."""

    # -- the cache on disk -------------------------------------------------------------

    def _stores(self) -> tuple[PackStore | None, PackStore | None]:
        if self.cache_dir is not None and self._parsed_store is None:
            self._parsed_store = PackStore(self.cache_dir, "parsed", self._parse_settings)
            stats = self._parsed_store.extra.get("stats")
            plans = self._parsed_store.extra.get("plans")
            checked = self._parsed_store.extra.get("checked")
            if isinstance(stats, dict) and isinstance(plans, dict):
                self._stats = dict(stats)
                self._plans = dict(plans)
                self._checked_heads = checked if isinstance(checked, str) else None
        return self._parsed_store, self._page_store

    def _page_store_for(self, render_key: str) -> PackStore | None:
        self._page_store = self._store_for("pages", render_key, self._page_store)
        return self._page_store

    def _store_for(
        self, name: str, render_key: str, current: PackStore | None
    ) -> PackStore | None:
        """The store ``name`` of things rendered under ``render_key`` (None: no cache)."""
        if self.cache_dir is None:
            return None
        settings = cache_settings(name, render_key)
        if current is None or current.settings != settings:
            if current is not None:
                current.close()
            current = PackStore(self.cache_dir, name, settings)
        return current

    # -- loading -----------------------------------------------------------------------

    def _load(
        self, scanned: list[tuple[str, str, os.stat_result]]
    ) -> tuple[
        list[Entry | Goal | Asset | Exception], dict[int, tuple[object, bytes]], dict[int, bytes]
    ]:
        """Parse results for every file under content/ (cached where sound), their tokens
        and their entries' head tokens (see ``SiteModel.tokens`` and ``head_tokens``)."""
        from journal_site.errors import JournalError
        from journal_site.model import Asset
        from journal_site.parallel import content_digest, parse_many

        config = self.config
        store, _ = self._stores()
        results: list[Entry | Goal | Asset | Exception | None] = [None] * len(scanned)
        stats: dict[str, tuple[int, int, bytes]] = {}
        to_parse: list[int] = []
        reused = 0
        for index, (source, full, info) in enumerate(scanned):
            if not source.lower().endswith(".md"):
                results[index] = Asset(source=source)
                continue
            known = self._stats.get(source)
            if known is None:
                to_parse.append(index)
                continue
            digest = known[2]
            if (known[0], known[1]) != (info.st_size, info.st_mtime_ns):
                # Touched: read it, and re-use the parse only if the bytes are the same.
                try:
                    digest = content_digest(Path(full).read_bytes())
                except OSError:
                    to_parse.append(index)
                    continue
            item = self._cached_item(source, digest, store)
            if item is None:
                to_parse.append(index)
                continue
            results[index] = item
            stats[source] = (info.st_size, info.st_mtime_ns, digest)
            reused += 1

        parsed = parse_many(config, [(scanned[i][0], scanned[i][1]) for i in to_parse])
        for index, (source, digest, payload, problems) in zip(to_parse, parsed, strict=True):
            if payload is None:
                results[index] = JournalError(problems)
                continue
            item, record, head = pickle.loads(payload)
            results[index] = item
            info = scanned[index][2]
            stats[source] = (info.st_size, info.st_mtime_ns, digest)
            self._parsed[source] = (digest, item, record, head)
            if store is not None:
                store.put(source, digest.hex(), payload)
        del parsed
        if store is not None and len(to_parse) >= FLUSH_PARSED_AT:
            # A big parse (a first build): write what it made to the cache now, so that
            # its bytes are not held through rendering, where every worker process would
            # start with a copy. The files' sizes and times are saved only on success.
            with contextlib.suppress(OSError):
                store.save(store.keys())
        self.stats.update(files_parsed=len(to_parse), files_reused=reused)
        self._stats_pending = stats
        tokens: dict[int, tuple[object, bytes]] = {}
        head_tokens: dict[int, bytes] = {}
        held = self._parsed
        for item in results:
            if item is None or isinstance(item, Exception | Asset):
                continue
            token = _name_entry(tokens, item, stats[item.source][2], held[item.source][3])
            if token is not None:
                head_tokens[id(item)] = token
        return results, tokens, head_tokens  # type: ignore[return-value]

    def _cached_item(
        self, source: str, digest: bytes, store: PackStore | None
    ) -> Entry | Goal | None:
        held = self._parsed.get(source)
        if held is not None and held[0] == digest:
            return held[1]
        if store is None:
            return None
        payload = store.get(source, digest.hex())
        if payload is None:
            return None
        try:
            item, record, head = pickle.loads(payload)
        except Exception:  # a record that passed its checksum but does not load: not trusted
            return None
        self._parsed[source] = (digest, item, record, head)
        return item

    # -- the build ---------------------------------------------------------------------

    def build(self) -> RenderedSite:
        """Render the whole site, re-using whatever is still valid; raise JournalError on problems.

        ``changed`` and ``removed`` of the result are relative to the previous successful
        build of this builder (everything is "changed" on the first build).
        """
        with cycle_collection_paused():
            return self._build()

    def _build(self) -> RenderedSite:
        from journal_site.build import (
            ROBOTS_TXT,
            RenderedSite,
            future_warnings,
            make_model,
            resolve_today,
        )
        from journal_site.fingerprint import Fingerprinter, Unfingerprintable
        from journal_site.loader import assemble_journal
        from journal_site.pages import PlanMemo, plan_files, plan_pages
        from journal_site.publish import HEADERS_FILE
        from journal_site.scan import link_warnings
        from journal_site.theme import fingerprint, theme_files
        from journal_site.writer import Kept, Output

        config = self.config
        self.stats = {}
        # A scan just made by up_to_date (which found something changed) is still fresh.
        fresh, self._fresh_scan = self._fresh_scan, None
        scanned = fresh or self._scan()
        digests = self._fresh_digests if fresh is not None else self._inputs_digest(scanned)
        self._inputs, self._base = digests or (None, None)
        loaded, tokens, head_tokens = self._load(scanned)
        links = link_warnings(config.content, self.skipped_links)
        journal = assemble_journal(loaded, links, config.content)
        today = resolve_today(config, self.today)
        model = make_model(
            config, journal, today, self.drafts, tokens, head_tokens, self._checked_heads
        )
        # Each entry's search record was made with its parse (see parallel.dumps_parsed).
        records = model.search_records
        for entry in model.entries:
            held = self._parsed.get(entry.source)
            if held is not None and held[1] is entry and held[2] is not None:
                records[id(entry)] = (entry, held[2])

        theme = theme_files(config)
        output = Output()
        static_urls: dict[str, str] = {}
        for name, path in theme.static_files().items():
            hashed = "static/" + fingerprint(name, path.read_bytes())
            static_urls[name] = hashed
            output.add(hashed, path, f"static/{name}")
        site = _site_view(config, model.today, self.drafts)
        fingerprinter = Fingerprinter(tokens)

        def fingerprint(page: Page) -> str | None:
            try:
                return fingerprinter.digest(page) if page.key is None else _keyed(page)
            except Unfingerprintable:
                return None

        memo = PlanMemo(self._plans, fingerprint)
        pages = plan_pages(model, memo)
        self.stats["plans_reused"] = sum(
            1 for name, plan in memo.current.items() if self._plans.get(name) is plan
        )
        render_key = fingerprinter.digest(
            cache_settings("render"), template_digest(theme), site, static_urls
        )
        if render_key != self._render_key:
            self._rendered = {}
            self._fragments = {}
        self._card_store = self._store_for("cards", render_key, self._card_store)
        store = self._page_store_for(render_key)
        html: list[bytes | Kept | None] = []
        keys: list[str | None] = []
        missing: list[int] = []
        written = self._written()
        for index, page in enumerate(pages):
            key = page.digest or fingerprint(page)
            data: bytes | Kept | None = None
            if key is not None:
                digest = f"page:{render_key}:{key}"
                if written.get(page.url + "index.html") == digest:
                    # What the output folder holds: its bytes are wanted only if that
                    # file was changed or removed since (the writer finds out).
                    make = functools.partial(self._page_bytes, index, pages, key, store)
                    data = Kept(digest, make)
                else:
                    data = self._cached_page(page.url, key, store)
            keys.append(key)
            html.append(data)
            if data is None:
                missing.append(index)
        rendered = self._render(render_key, [pages[i] for i in missing], theme, site, static_urls)
        for index, data in zip(missing, rendered, strict=True):
            html[index] = data
            key = keys[index]
            if key is not None:
                self._rendered[pages[index].url] = (key, data)
                if store is not None:
                    store.put(pages[index].url, key, data)
        self.stats.update(pages_rendered=len(missing), pages_reused=len(pages) - len(missing))
        home = [pages[i] for i in missing if pages[i].url == ""]
        if self.cache_dir is not None and home:
            # What home shows besides entries, for a patch of an entry home shows.
            from journal_site.cache import write_blob
            from journal_site.pages.core import summary_of_home

            with contextlib.suppress(OSError):
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                write_blob(
                    self._home_file(),
                    {
                        "named": (cache_settings("home"), model.heads_digest),
                        "summary": summary_of_home(home[0].context()),
                    },
                )

        # The page key names the bytes too (rendering is deterministic), so the writer
        # need not hash unchanged pages to know they are unchanged.
        self.digests = {}
        for page, data, key in zip(pages, html, keys, strict=True):
            assert data is not None
            output.add(page.url + "index.html", data, page.origin)
            if key is not None and not isinstance(data, Kept):
                self.digests[id(data)] = (data, f"page:{render_key}:{key}")
        # A file's key names its inputs; the code that makes the bytes is named here.
        made_by = _made_by()
        for extra in plan_files(model):
            if extra.key is None:
                output.add(extra.path, extra.make(), extra.origin)
                continue
            digest = f"file:{made_by}:{extra.key}"
            if written.get(extra.path) == digest:
                output.add(extra.path, Kept(digest, extra.make), extra.origin)
                continue
            made = extra.make()
            self.digests[id(made)] = (made, digest)
            output.add(extra.path, made, extra.origin)
        for asset in journal.assets:
            output.add(
                asset.source, config.content_dir / asset.source, f"{config.content}/{asset.source}"
            )
        output.add("robots.txt", ROBOTS_TXT, "robots.txt")
        output.add("_headers", HEADERS_FILE, "_headers")
        output.check()

        # Success: only now does anything learnt in this build become the builder's state.
        self._render_key = render_key
        self._stats = self._stats_pending
        self._plans = memo.current
        self._checked_heads = model.heads_digest
        live_urls = {page.url for page in pages}
        self._rendered = {u: v for u, v in self._rendered.items() if u in live_urls}
        self._parsed = {s: v for s, v in self._parsed.items() if s in self._stats}
        self._save(live_urls, sum(len(entry.wins) for entry in model.entries))

        signatures = {path: _signature(data) for path, data in output.files.items()}
        if self._previous is None:
            changed, removed = frozenset(output.files), frozenset()
        else:
            changed, removed = diff_outputs(self._previous, signatures)
        self._previous = signatures
        self._output = output
        self._pages = len(pages)
        self._last = _LastBuild(model, theme, site, static_urls, render_key)
        warnings = tuple(journal.warnings) + tuple(future_warnings(config, model))
        # For a later no-change build (see up_to_date); links out of content/ are
        # reported by the scan that build makes, so they are left out here.
        self._summary = (len(model.entries), tuple(w for w in warnings if w not in links))
        return RenderedSite(
            model=model,
            output=output,
            pages=len(pages),
            warnings=warnings,
            changed=changed,
            removed=removed,
        )

    def quick_page(self, source: str) -> tuple[str, bytes] | None:
        """The page of the entry in ``content/<source>`` made from the file as it is now,
        with everything else as the last build left it: (output path, HTML), or None
        when only a full build can tell.

        ``journal serve`` shows this page at once, before the full build that follows
        (which makes the same bytes, or reports the errors that build finds). An edit
        that could change anything beyond the entry's own page in the way that page
        shows it (another day, time or slug, hence another URL or neighbours; a draft
        state; a tag or goal the site does not know yet; a file that does not parse)
        gets None.
        """
        from journal_site.errors import JournalError
        from journal_site.loader import load_file
        from journal_site.model import Entry
        from journal_site.pages import Page
        from journal_site.pages.core import entry_view

        last = self._last
        if last is None or not source.lower().endswith(".md"):
            return None
        model = last.model
        index = last.position(source)
        if index is None:
            return None
        old = model.entries[index]
        try:
            entry = load_file(self.config, source, self.config.content_dir / source)
        except JournalError:
            return None
        if not isinstance(entry, Entry) or (
            entry.day,
            entry.time,
            entry.slug,
            entry.draft,
        ) != (old.day, old.time, old.slug, old.draft):
            return None
        if not set(entry.all_tags()) <= model.tag_slugs.keys() or any(
            w.goal and w.goal not in model.goal_titles for w in entry.wins
        ):
            return None
        heads = model.heads.entries
        view = entry_view(
            model,
            entry,
            heads[index - 1] if index > 0 else None,
            heads[index + 1] if index + 1 < len(heads) else None,
        )
        url = model.urls[source]
        page = Page(url, "entry.html", view, f"{self.config.content}/{source}", "timeline/")
        try:
            html = self._last_renderer().render(page).encode("utf-8")
        except JournalError:
            return None
        return url + "index.html", html

    def _scan(self) -> list[tuple[str, str, os.stat_result]]:
        from journal_site.errors import JournalError
        from journal_site.scan import scan_content

        config = self.config
        if not config.content_dir.is_dir():
            raise JournalError.single(
                config.content, None, "no content folder: create it and put entries (*.md) in it"
            )
        # Links under content/ that are not followed, reported as warnings by assemble_journal.
        self.skipped_links: list[tuple[str, str]] = []
        return scan_content(config.content_dir, self.skipped_links)

    def _inputs_digest(
        self, scanned: list[tuple[str, str, os.stat_result]]
    ) -> tuple[str, str] | None:
        """Digests of the inputs of a build, by size and time: (every input, every input
        but the entry files' sizes and times, whose names it keeps); None when one cannot
        be captured: a secret in the environment (a password must not leave a trace in
        the cache)."""
        from journal_site.build import resolve_today
        from journal_site.theme import theme_files

        config = self.config
        if os.environ.get(config.password_env) or any(
            name.startswith("JOURNAL_") for name in os.environ
        ):
            return None
        theme = theme_files(config)
        parts = [
            repr((cache_settings("build"), config, resolve_today(config, self.today), self.drafts))
        ]
        for folder in (*theme.template_dirs, *theme.static_dirs):
            parts.append(str(folder))
            for path in sorted(folder.rglob("*")):
                st = path.stat()
                parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        base = list(parts)
        for source, _, info in scanned:
            stat = f"{source}:{info.st_size}:{info.st_mtime_ns}"
            parts.append(stat)
            base.append(source if source.lower().endswith(".md") else stat)
        return tuple(  # type: ignore[return-value]
            hashlib.blake2b("\n".join(named).encode("utf-8", "surrogatepass")).hexdigest()
            for named in (parts, base)
        )

    # -- patching the output after body edits ------------------------------------------

    def _state_file(self, out_dir: Path) -> Path:
        return self._manifest_file(out_dir).with_suffix(".state")

    def _delta_file(self, out_dir: Path) -> Path:
        return self._manifest_file(out_dir).with_suffix(".delta")

    def _home_file(self) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir / "home.summary"

    def _save_state(self, out_dir: Path) -> None:
        """Keep, beside the manifest of ``out_dir``, what ``patch`` needs of the site the
        last build wrote there: each entry file's size, time, digest and head digest, the
        published entries in order with their URLs, and the few aggregates entry,
        timeline and home pages read."""
        from journal_site.cache import write_blob
        from journal_site.pages.core import home_entries

        last = self._last
        assert last is not None
        model = last.model
        if model.heads_digest is None:  # not a model of this builder's build
            self._state_file(out_dir).unlink(missing_ok=True)
            return
        parsed = self._parsed
        sources = {}
        for source, (size, mtime_ns, digest) in self._stats.items():
            held = parsed.get(source)
            head = held[3] if held is not None and held[0] == digest else None
            sources[source] = (size, mtime_ns, digest, head)
        years: dict[int, tuple[int, int]] = {}
        for index, entry in enumerate(model.entries):
            start = years.get(entry.day.year, (index, index))[0]
            years[entry.day.year] = (start, index + 1)
        write_blob(
            self._state_file(out_dir),
            {
                "settings": cache_settings("state", self._parse_settings),
                "inputs": self._inputs,
                "sources": sources,
                "order": tuple(entry.source for entry in model.entries),
                "urls": dict(model.urls),
                "years": years,
                "home": tuple(tuple(e.source for e in part) for part in home_entries(model)),
                "tag_slugs": model.tag_slugs,
                "goal_titles": model.goal_titles,
                "heads_digest": model.heads_digest,
                "render_key": last.render_key,
                "static_urls": last.static_urls,
            },
        )

    def patch(self, out_dir: Path) -> tuple[int, int, int, tuple[Problem, ...]] | None:
        """Bring ``out_dir`` up to date after edits to entries' bodies alone, without a
        build: (entries, pages, files, warnings) as ``up_to_date`` gives them; None when
        only a build can tell (nothing was written then). Call it after ``up_to_date``.

        It applies when the only inputs changed since the build that wrote ``out_dir``
        are entry files whose heads (``Entry.head()``: all but the body) are as they
        were, and that folder's files are the ones written. Then only the pages that
        show those bodies change: each entry's own page, its timeline page, home when
        home shows it, and its year's search shard. Each is made by the builders' own
        functions from the entries it shows, and named by the same key, so the bytes and
        the manifest are the ones a build would write. What it needs of the rest of the
        site was kept beside the manifest by that build (``_save_state``).
        """
        stored = self._manifest
        scanned = self._fresh_scan
        if self.cache_dir is None or stored is None or scanned is None:
            return None
        digests = self._fresh_digests  # as up_to_date found them
        if digests is None or stored.get("base") != digests[1] or stored.get("inputs") is None:
            return None
        out_dir = out_dir.absolute()
        try:
            files, delta, touched = self._prepare_patch(out_dir, stored, scanned)
        except _Unpatchable:
            return None
        except Exception:  # a patch only saves time: whatever fails before it writes,
            return None  # the build that follows does the work (and reports problems)
        return self._apply_patch(out_dir, stored, digests[0], files, delta, touched)

    def _prepare_patch(
        self,
        out_dir: Path,
        stored: dict[str, object],
        scanned: list[tuple[str, str, os.stat_result]],
    ) -> tuple[dict[str, tuple[bytes, str]], dict[str, Any], int]:
        """(files to write, the delta to save with them, files parsed); raises
        _Unpatchable when only a build can tell."""
        from journal_site.build import resolve_today
        from journal_site.cache import read_blob
        from journal_site.parallel import parse_many

        state = read_blob(self._state_file(out_dir))
        if not isinstance(state, dict) or state.get("settings") != cache_settings(
            "state", self._parse_settings
        ):
            raise _Unpatchable
        # What earlier patches changed: a small file beside the state, not a new state.
        delta = (
            read_blob(self._delta_file(out_dir)) if state["inputs"] != stored["inputs"] else None
        )
        if delta is None:
            delta = {"of": state["inputs"], "inputs": state["inputs"], "sources": {}}
        if delta.get("of") != state["inputs"] or delta.get("inputs") != stored["inputs"]:
            raise _Unpatchable
        sources: dict[str, tuple[int, int, bytes, bytes | None]] = state["sources"]
        changes: dict[str, tuple[int, int, bytes, bytes | None]] = delta["sources"]
        sources.update(changes)
        touched = []
        for source, full, info in scanned:
            if not source.lower().endswith(".md"):
                continue  # named by size and time in the base digest
            known = sources.get(source)
            if known is not None and (known[0], known[1]) == (info.st_size, info.st_mtime_ns):
                continue
            if known is None or known[3] is None or len(touched) == PATCH_LIMIT:
                raise _Unpatchable  # a goal, or too many for a patch
            touched.append((source, full, info))
        if not touched:
            raise _Unpatchable  # then an output file changed: a build puts it back
        edits: dict[str, Entry] = {}
        parsed = parse_many(self.config, [(source, full) for source, full, _ in touched])
        for (source, _, info), (_, digest, payload, _problems) in zip(
            touched, parsed, strict=True
        ):
            if payload is None:
                raise _Unpatchable  # a build reports the problems
            item, record, head = pickle.loads(payload)
            self._parsed[source] = (digest, item, record, head)  # for a build that follows
            known = sources[source]
            if head != known[3]:
                raise _Unpatchable
            sources[source] = changes[source] = (info.st_size, info.st_mtime_ns, digest, head)
            if digest != known[2]:
                edits[source] = item
        if not _intact(out_dir, stored["files"]):  # type: ignore[arg-type]
            raise _Unpatchable  # a build puts back what was changed by hand
        files = self._patched_files(state, sources, edits, resolve_today(self.config, self.today))
        return files, {**delta, "sources": changes}, len(touched)

    def _apply_patch(
        self,
        out_dir: Path,
        stored: dict[str, object],
        inputs: str,
        files: dict[str, tuple[bytes, str]],
        delta: dict[str, Any],
        parsed: int,
    ) -> tuple[int, int, int, tuple[Problem, ...]]:
        from journal_site.cache import write_blob
        from journal_site.writer import patch_files

        manifest_file = self._manifest_file(out_dir)
        # As in write: a manifest is not trusted while the output is being changed.
        manifest_file.unlink(missing_ok=True)
        manifest, written = patch_files(files, out_dir, stored["files"])  # type: ignore[arg-type]
        stored = {**stored, "files": manifest, "inputs": inputs}
        with contextlib.suppress(OSError):
            write_blob(manifest_file, stored)
            write_blob(self._delta_file(out_dir), {**delta, "inputs": inputs})
        self.stats = {
            "files_parsed": parsed,
            "pages_rendered": sum(1 for path in files if path.endswith(".html")),
            "files_written": written,
            "patched": 1,
        }
        return self._reported(stored)

    def _patched_files(
        self,
        state: dict[str, Any],
        current: dict[str, tuple[int, int, bytes, bytes | None]],
        edits: dict[str, Entry],
        today: dt.date,
    ) -> dict[str, tuple[bytes, str]]:
        """Output path -> (bytes, manifest digest) of every file that shows an edited body."""
        from journal_site.aggregate.search import INDEX_DIR, search_index
        from journal_site.aggregate.timeline import timeline_chunks, timeline_number
        from journal_site.cache import read_blob
        from journal_site.errors import JournalError
        from journal_site.fingerprint import Fingerprinter, Unfingerprintable
        from journal_site.pages import kept_model
        from journal_site.pages.core import entry_page, home_page_of, timeline_page_of
        from journal_site.parallel import parse_many
        from journal_site.theme import theme_files

        config = self.config
        order: tuple[str, ...] = state["order"]
        urls: dict[str, str] = state["urls"]
        tokens: dict[int, tuple[object, bytes]] = {}
        store, _ = self._stores()
        loaded: dict[str, tuple[Entry, Any, bytes]] = {}

        def load(source: str) -> tuple[Entry, Any, bytes]:
            """An entry as the site shows it now, its search record and its head's token
            (it is named in tokens)."""
            hit = loaded.get(source)
            if hit is not None:
                return hit
            _, _, digest, head = current[source]
            held = self._parsed.get(source)
            if held is None or held[0] != digest:
                payload = store.get(source, digest.hex()) if store is not None else None
                if payload is None:
                    # Patched earlier (a patch keeps no parse): parsed again, if unchanged.
                    [(_, made, payload, _)] = parse_many(
                        config, [(source, str(config.content_dir / source))]
                    )
                    if made != digest or payload is None:
                        raise _Unpatchable
                item, record, head = pickle.loads(payload)
                held = self._parsed[source] = (digest, item, record, head)
            entry, record = held[1], held[2]
            token = _name_entry(tokens, entry, digest, head)
            assert token is not None  # an entry: the state names goals apart
            loaded[source] = (entry, record, token)
            return loaded[source]

        def head_of(source: str) -> Entry:
            entry, _, token = load(source)
            head = entry.head()
            tokens[id(head)] = (head, token)
            return head

        model = kept_model(
            config,
            today,
            urls,
            tokens,
            tag_slugs=state["tag_slugs"],
            goal_titles=state["goal_titles"],
            heads_digest=state["heads_digest"],
        )
        positions = {source: index for index, source in enumerate(order)}
        chunks = timeline_chunks(len(order), config.per_page)
        shown_home = {source for part in state["home"] for source in part}
        pages = {}
        years = set()
        for source, entry in edits.items():
            index = positions.get(source)
            if index is None:
                continue  # a draft the site does not show
            load(source)  # the new parse (held in _parsed), named in tokens
            previous = head_of(order[index - 1]) if index > 0 else None
            following = head_of(order[index + 1]) if index + 1 < len(order) else None
            page = entry_page(model, entry, previous, following)
            pages[page.url] = page
            number, count, start, end = chunks[
                timeline_number(index, len(order), config.per_page) - 1
            ]
            chunk = [load(s)[0] for s in order[start:end]]
            page = timeline_page_of(model, number, count, chunk)
            pages[page.url] = page
            years.add(entry.day.year)
        if shown_home.intersection(edits):
            home = read_blob(self._home_file())
            if not isinstance(home, dict) or home.get("named") != (
                cache_settings("home"),
                state["heads_digest"],
            ):
                raise _Unpatchable
            lists = tuple([load(s)[0] for s in part] for part in state["home"])
            page = home_page_of(model, lists, home["summary"])  # type: ignore[arg-type]
            pages[page.url] = page

        render_key: str = state["render_key"]
        renderer = self._renderer_for(
            render_key,
            theme_files(config),
            _site_view(config, today, self.drafts),
            state["static_urls"],
        )
        fingerprinter = Fingerprinter(tokens)
        files: dict[str, tuple[bytes, str]] = {}
        for page in pages.values():
            try:  # as the build fingerprints a page (see _build)
                key = _keyed(page) if page.key is not None else fingerprinter.digest(page)
                html = renderer.render(page).encode("utf-8")
            except (Unfingerprintable, JournalError):
                raise _Unpatchable from None  # a build tells
            files[page.url + "index.html"] = (html, f"page:{render_key}:{key}")
        for year in years:
            start, end = state["years"][year]
            shown = [load(s) for s in order[start:end]]
            memo = {id(entry): (entry, record) for entry, record, _ in shown}
            key, make = search_index([entry for entry, _, _ in shown], urls, memo, tokens)[
                f"{INDEX_DIR}{year}.json"
            ]
            if key is None:
                raise _Unpatchable
            files[f"{INDEX_DIR}{year}.json"] = (make(), f"file:{_made_by()}:{key}")
        return files

    def _manifest_file(self, out_dir: Path) -> Path:
        assert self.cache_dir is not None
        name = hashlib.blake2b(str(out_dir).encode(), digest_size=8).hexdigest()
        return self.cache_dir / f"output-{name}.manifest"

    def up_to_date(self, out_dir: Path) -> tuple[int, int, int, tuple[Problem, ...]] | None:
        """(entries, pages, files, warnings) when ``out_dir`` already holds the site these
        inputs make, as the build that wrote it reported them; None otherwise.

        True when no input changed since the build that wrote ``out_dir`` (every content
        file, template and static file by size and time; settings; "today"; drafts; the
        code) and every output file is still the one that build wrote. Costs a stat per
        file and reading the manifest, instead of a build: nothing is parsed or loaded.
        """
        from journal_site.cache import read_blob

        if self.cache_dir is None:
            return None
        out_dir = out_dir.absolute()
        if _txn_pending(out_dir):
            return None
        stored = read_blob(self._manifest_file(out_dir))
        valid = isinstance(stored, dict) and stored.get("out_dir") == str(out_dir)
        self._manifest = stored if valid else None  # type: ignore[assignment]
        scanned = self._fresh_scan = self._scan()
        self._fresh_digests = self._inputs_digest(scanned)
        inputs = (self._fresh_digests or (None,))[0]
        if (
            inputs is None
            or not isinstance(stored, dict)
            or stored.get("out_dir") != str(out_dir)
            or stored.get("inputs") != inputs
            or not isinstance(stored.get("summary"), tuple)
        ):
            return None
        files: Manifest = stored["files"]
        if not _intact(out_dir, files):
            return None
        self.stats = {"files_written": 0, "pages_rendered": 0}
        return self._reported(stored)

    def _reported(self, stored: dict[str, object]) -> tuple[int, int, int, tuple[Problem, ...]]:
        """(entries, pages, files, warnings) of the site a manifest describes."""
        entries, warnings = stored["summary"]  # type: ignore[misc]
        if self.skipped_links:  # reported afresh: they are not inputs of the digest
            from journal_site.scan import link_warnings

            warnings = (*link_warnings(self.config.content, self.skipped_links), *warnings)
        files = stored["files"]
        return entries, int(stored["pages"]), len(files), tuple(warnings)  # type: ignore[arg-type,call-overload]

    def write(self, output: Output, out_dir: Path) -> int:
        """Write ``output`` (this builder's last result, possibly transformed) into ``out_dir``,
        rewriting only files whose bytes changed; returns how many files were written or deleted."""
        from journal_site.cache import read_blob, write_blob
        from journal_site.writer import recover, write_changed, write_output

        if self.cache_dir is None:
            write_output(output, out_dir)
            return len(output.files)
        out_dir = out_dir.absolute()
        recover(out_dir)  # an interrupted update first restores the previous site
        manifest_file = self._manifest_file(out_dir)
        held, self._manifest = self._manifest, None
        stored = held if held is not None and held["out_dir"] == str(out_dir) else None
        stored = stored or read_blob(manifest_file)
        previous = None
        if isinstance(stored, dict) and stored.get("out_dir") == str(out_dir):
            previous = stored["files"]
        # Forget the manifest before touching the output: if this write is interrupted,
        # the next build cannot trust it and rewrites everything.
        if previous is not None:
            manifest_file.unlink(missing_ok=True)
        manifest, touched = write_changed(output, out_dir, previous, self.digests)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            write_blob(
                manifest_file,
                {
                    "out_dir": str(out_dir),
                    "files": manifest,
                    # Only a plain result of build() vouches for these inputs: a transformed
                    # output (say, encrypted) is not reproducible from them alone.
                    "inputs": self._inputs if output is self._output else None,
                    "base": self._base if output is self._output else None,
                    "pages": self._pages,
                    "summary": self._summary,
                },
            )
            self._delta_file(out_dir).unlink(missing_ok=True)
            if output is self._output and self._inputs is not None:
                self._save_state(out_dir)
            else:
                self._state_file(out_dir).unlink(missing_ok=True)
        except OSError:
            pass
        self.stats["files_written"] = touched
        return touched

    def _written(self) -> dict[str, str]:
        """Output path -> digest of the file the output folder holds, by the manifest
        ``up_to_date`` read ({} without one): a page or file whose digest is the same is
        passed on as ``Kept``, not fetched."""
        files = self._manifest["files"] if self._manifest is not None else {}
        return {rel: record[0] for rel, record in files.items()}  # type: ignore[attr-defined]

    def _page_bytes(
        self, index: int, pages: Sequence[Page], key: str, store: PackStore | None
    ) -> bytes:
        """The HTML of ``pages[index]`` (fingerprint ``key``), for a kept page the writer
        has to write after all: from the cache, or rendered again if it is not there."""
        page = pages[index]
        data = self._cached_page(page.url, key, store)
        if data is None:
            data = self._last_renderer().render(page).encode("utf-8")
        return data

    def _last_renderer(self) -> Renderer:
        """The renderer of the last successful build (its templates, settings, cards)."""
        last = self._last
        assert last is not None  # called only after a successful build
        return self._renderer_for(last.render_key, last.theme, last.site, last.static_urls)

    def _cached_page(self, url: str, key: str, store: PackStore | None) -> bytes | None:
        held = self._rendered.get(url)
        if held is not None and held[0] == key:
            return held[1]
        return store.get(url, key) if store is not None else None

    def _render(
        self,
        render_key: str,
        pages: Sequence[Page],
        theme: ThemeFiles,
        site: SiteView,
        static_urls: dict[str, str],
    ) -> list[bytes]:
        self.stats["cards_rendered"] = 0
        if not pages:
            return []
        from journal_site.parallel import render_many

        def make_renderer() -> Renderer:
            return self._renderer_for(render_key, theme, site, static_urls)

        from markupsafe import Markup

        html, cards = render_many(make_renderer, pages)
        self.stats["cards_rendered"] = len(cards)
        store = self._card_store
        for key, card in cards.items():
            self._fragments.setdefault(key, Markup(card))
            if store is not None:
                store.put(key, "", card.encode("utf-8"))
        return html

    def _renderer_for(
        self, render_key: str, theme: ThemeFiles, site: SiteView, static_urls: dict[str, str]
    ) -> Renderer:
        """A renderer for ``render_key``: kept while the key holds (its compiled templates
        and win cards stay valid), made anew when the templates or settings change."""
        if self._renderer is not None and self._renderer[0] == render_key:
            return self._renderer[1]
        from journal_site.render import Renderer

        renderer = Renderer(theme, site, static_urls, self._fragments, self._card_store)
        if self.cache_dir is not None:
            # Compiled templates, so a small rebuild does not pay for compiling them.
            import jinja2

            folder = self.cache_dir / "templates"
            folder.mkdir(parents=True, exist_ok=True)
            renderer.env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        self._renderer = (render_key, renderer)
        return renderer

    def _save(self, live_urls: set[str], cards_shown: int) -> None:
        if self.cache_dir is None:
            return
        try:
            if self._parsed_store is not None:
                self._parsed_store.extra = {
                    "stats": self._stats,
                    "plans": self._plans,
                    "checked": self._checked_heads,
                }
                self._parsed_store.save(self._stats)
            if self._page_store is not None:
                self._page_store.save(live_urls)
            cards = self._card_store
            if cards is not None:
                kept = cards.keys()
                if len(kept) > 3 * cards_shown + 100:
                    # Mostly cards of wins edited since: keep those of this build's pages.
                    kept = set(self._fragments)
                cards.save(kept)
        except OSError:
            # The cache only ever saves time: a read-only or full disk must not fail a build.
            pass


class _LastBuild:
    """What the last successful build was made of, for ``SiteBuilder.quick_page``."""

    def __init__(
        self,
        model: SiteModel,
        theme: ThemeFiles,
        site: SiteView,
        static_urls: dict[str, str],
        render_key: str,
    ) -> None:
        self.model = model
        self.theme = theme
        self.site = site
        self.static_urls = static_urls
        self.render_key = render_key
        self._positions: dict[str, int] | None = None

    def position(self, source: str) -> int | None:
        """Where the entry from ``source`` is in the model's entries (None: not there)."""
        if self._positions is None:
            self._positions = {e.source: i for i, e in enumerate(self.model.entries)}
        return self._positions.get(source)


def _site_view(config: Config, today: dt.date, drafts: bool) -> SiteView:
    from journal_site.render import SiteView

    return SiteView(
        title=config.title,
        author=config.author,
        base_path=config.base_path,
        language=config.language,
        drafts_shown=drafts,
    )


def _made_by() -> str:
    """Names the code that makes a site file's bytes from its key (see ``SiteFile.key``)."""
    return hashlib.blake2b(repr(cache_settings("files")).encode(), digest_size=8).hexdigest()


def _keyed(page: Page) -> str:
    """The fingerprint of a page whose builder named its view in ``page.key``."""
    named = repr((page.url, page.template, page.origin, page.section, page.key))
    return hashlib.blake2b(named.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _name_entry(
    tokens: dict[int, tuple[object, bytes]], item: Entry | Goal, digest: bytes, head: bytes | None
) -> bytes | None:
    """Put in ``tokens`` the token of ``item`` (its file's content digest and path) and,
    for an entry, those of its wins and setbacks, which are parts of its head: named by
    their position there. Returns the head's token (None for a goal)."""
    source = item.source.encode()
    tokens[id(item)] = (item, digest + source)
    if head is None:
        return None
    token = b"h" + head + source
    for number, part in enumerate(item.wins):  # type: ignore[union-attr]
        tokens[id(part)] = (part, token + b"/w%d" % number)
    for number, part in enumerate(item.setbacks):  # type: ignore[union-attr]
        tokens[id(part)] = (part, token + b"/s%d" % number)
    return token


def _intact(out_dir: Path, files: Manifest) -> bool:
    """True when every file of ``files`` is still the one written (size, time, inode)."""
    # Plain strings, not Path objects: this loop is most of a no-change build.
    prefix = str(out_dir) + os.sep
    stat = os.stat
    for rel, (_, size, mtime_ns, inode) in files.items():
        try:
            st = stat(prefix + rel)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime_ns or st.st_ino != inode:
            return False
    return True


class _Unpatchable(Exception):
    """Only a build can bring the output folder up to date (see ``SiteBuilder.patch``)."""


def _txn_pending(out_dir: Path) -> bool:
    return out_dir.with_name(f".{out_dir.name}.txn").exists()
