"""One engine for ``journal build``, ``journal serve`` and a deploy: ``Engine.build()``.

The stages, in order (``Engine._stages`` lists them in one place):

1. scan content/ and load it: only files whose bytes changed are parsed (sources.py);
2. the model, made only if asked for (model_of.py: a body edit makes none);
3. name the templates, static files and site settings: the *render key*;
4. plan every output with the digest of what it is made from (plan.py);
5. key each output by that digest and the render key, and take its bytes from memory,
   the store or the output folder when the key is known; render the rest, the pages of
   the entries that just changed first;
6. the site: every output's bytes (or a reference to them), and what changed since
   the last build of this engine.

Nothing is keyed by hand: a key is the digest of what a template receives (keys.py),
so after any change exactly the outputs whose inputs changed are made again. A build
asked to stop (``cancel``, when a newer save overtakes it in ``journal serve``) raises
``Cancelled`` between pages and leaves the engine as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from journal_site.config import Config, resolve_today
from journal_site.engine import Clock, check, cycle_collection_paused, sources
from journal_site.engine.ahead import CompiledAhead, prepared
from journal_site.engine.held import HeldPlan
from journal_site.engine.keys import Digested, Fingerprinter
from journal_site.engine.late import LatePages
from journal_site.engine.make import Maker, make_first
from journal_site.engine.model_of import Facts, ModelOf
from journal_site.engine.parsing import ParserAhead
from journal_site.engine.plan import last_inputs, plan, plan_entry_pages
from journal_site.engine.refs import References
from journal_site.engine.rendering import output_key, site_view, templates_digest, work_ahead
from journal_site.engine.selection import STATS_PAGE, Selection, everything
from journal_site.engine.store import Store, code_version
from journal_site.engine.templates import held_closure_digests
from journal_site.engine.views import HeldViews
from journal_site.errors import Problem
from journal_site.fragments import Fragments
from journal_site.pages import Memo, SiteModel, check_references
from journal_site.publish import HEADERS_FILE
from journal_site.render import Renderer, SiteView
from journal_site.scan import Scan
from journal_site.theme import ThemeFiles, theme_files
from journal_site.writer import Output, signature

ROBOTS_TXT = b"User-agent: *\nDisallow: /\n"


@dataclass(frozen=True, slots=True)
class SiteBuild:
    """A whole site in memory: what the writer writes, or ``journal serve`` serves."""

    model_of: Callable[[], SiteModel]
    """Makes the build's model, once, if asked (a body edit makes none: model_of.py)."""
    entries: int
    today: dt.date
    output: Output
    pages: int
    warnings: tuple[Problem, ...]
    keys: dict[str, str]
    """Output path -> its key (only outputs that could be named)."""
    changed: frozenset[str] = frozenset()
    """Output paths added or changed since this engine's previous build."""
    removed: frozenset[str] = frozenset()
    """Output paths of the previous build that this one no longer has."""
    stats: dict[str, int] = field(default_factory=dict)
    """What the build did: files parsed, outputs rendered, outputs reused."""

    @property
    def model(self) -> SiteModel:
        return self.model_of()


class Engine:
    """Builds one site again and again, doing only what changed inputs need.

    ``store`` keeps what was learnt across processes (None: memory only); ``selection``
    says which part of the journal is built (default: all of it), and a build of another
    selection keeps a store of its own. The engine holds, between builds, each file's
    parse, the last plans, and (``keep``, for ``journal serve``) every output by key.
    """

    def __init__(
        self,
        config: Config,
        *,
        drafts: bool = False,
        today: dt.date | None = None,
        store: Store | None = None,
        keep: bool = False,
        selection: Selection | None = None,
    ) -> None:
        self.config = config
        self.selection = selection or everything()
        self.drafts = drafts
        self.today = today
        self.store = store
        self.keep = keep
        self.version = code_version()
        self._parsed: dict[str, sources.Parsed] = {}
        self._stats: dict[str, sources.Stat] | None = None
        self._plans: dict[str, HeldPlan] | None = None
        self._outputs: dict[str, bytes] = {}
        """Key -> bytes of every output of the last build (``keep`` only)."""
        self._renderer_held: tuple[str, Renderer] | None = None
        self._closures: tuple[str, dict[str, str], list[str], list[str]] = ("", {}, [], [])
        """The templates' digest, each template's closure digest, the templates that
        may render win cards and those whose pages may take win numbers late
        (templates.py)."""
        self._memo = Memo()
        """Parts of pages made from the last models (see ``SiteModel.memo``)."""
        self._checked: str | None = None
        """The digest of the last model that passed ``check_references``."""
        self._facts: Facts | None = None
        """What the last build knew of its model (model_of.py)."""
        self._lasting: dict[int, Digested] = {}
        """The last build's digests of frozen records (``keep`` only, see keys.py)."""
        self._previous: dict[str, str] | None = None
        """Output path -> signature, of the last build."""
        self.last: SiteBuild | None = None
        self.save_later = False
        """Leave what a build learnt for the store in ``unsaved``, for the caller to run
        (``journal build`` writes the store while it writes the output folder; ``journal
        serve`` once the browser has the site)."""
        self.unsaved: Callable[[], None] | None = None

    def read_digest(self, source: str) -> str | None:
        """The digest of the bytes the last build read of ``source`` (under content/)."""
        held = (self._stats or {}).get(source)
        return held[2] if held is not None else None

    # -- the build -------------------------------------------------------------------

    def build(
        self,
        *,
        cancel: Callable[[], bool] | None = None,
        first: Collection[str] = (),
        on_output: Callable[[str, bytes], None] | None = None,
        kept: Mapping[str, str] | None = None,
        scanned: Scan | None = None,
        parser: ParserAhead | None = None,
    ) -> SiteBuild:
        """Build the site; raise JournalError listing every problem, or Cancelled.

        ``first``: sources (under content/) whose pages are rendered before any other
        and handed to ``on_output`` as soon as each is made (the live preview).
        ``kept``: output path -> the key of the file the output folder holds; such an
        output comes as a ``Kept`` reference, its bytes fetched only if needed.
        ``scanned``: the content folder as the caller has just scanned it (see scan.py).
        ``parser``: a process started ahead to parse the files that changed (parsing.py).
        """
        stop = cancel or (lambda: False)
        kept = {} if kept is None else kept  # not its length: it may wait for a helper
        theme = theme_files(self.config)
        # A build that nothing can stop and that has no compiled templates yet (the first
        # of this engine, so every ``journal build``) has them compiled by another process
        # once the files are loaded (while they load, that core parses what changed); one
        # that a newer save may stop leaves that core to the browser and the editor.
        ahead = None
        if cancel is None and self._renderer_held is None:
            ahead = prepared(theme.template_dirs)
        try:
            with cycle_collection_paused():
                result = self._stages(
                    stop, cancel, first, on_output, kept, scanned, theme, ahead, parser
                )
        finally:
            if ahead is not None:
                ahead.close()
        if ahead is not None:
            result.stats["templates_ahead"] = ahead.taken
        return result

    def _stages(
        self,
        stop: Callable[[], bool],
        cancel: Callable[[], bool] | None,
        first: Collection[str],
        on_output: Callable[[str, bytes], None] | None,
        kept: Mapping[str, str],
        scanned: Scan | None,
        theme: ThemeFiles,
        ahead: CompiledAhead | None,
        parser: ParserAhead | None,
    ) -> SiteBuild:
        """The build's stages, in order (see the module's docstring)."""
        config = self.config
        store = self.store
        stats: dict[str, int] = {}
        clock = Clock(stats)
        from journal_site.engine.parsing import parse_settings

        settings = hashlib.blake2b(parse_settings(config), digest_size=16).hexdigest()
        if self._stats is None:
            same = store is not None and store.meta("parse_settings") == settings
            self._stats = store.file_stats() if same else {}  # type: ignore[union-attr]
            self._plans = store.plans() if store is not None else {}
            self._checked = store.meta("checked") if store is not None else None
            self._facts = Facts.read(store.meta("model")) if store is not None else None

        # 1. Load.
        files, skipped = scanned or sources.scan(config)
        loaded = sources.load(
            config, files, skipped, self._stats, self._parsed, store, cancel is None, parser
        )
        stats["files_read"], stats["files_parsed"] = loaded.read_count, loaded.parsed_count
        # What the files hold is known now, whatever becomes of this build: a build that
        # a newer save overtakes does not leave the next one to read every file again.
        self._stats = loaded.stats
        if ahead is not None:
            ahead.start()
        clock.lap("ms_load")
        check(stop)
        # 2. The journal and its model, made when first asked for (model_of.py).
        selection = self.selection
        parsed = loaded.parsed
        self._memo.turn()
        today = resolve_today(config, self.today)
        tokens: dict[int, tuple[object, str]] = {}
        fingerprinter = Fingerprinter(tokens, cancel, self._lasting)
        model = ModelOf(
            config, loaded, today, self.drafts, selection, self._memo, fingerprinter, tokens
        )
        refs = References(parsed, lambda: model().urls)
        clock.lap("ms_model")
        # 3. What every page is rendered with.
        output = Output()
        static_urls: dict[str, str] = {}
        from journal_site.theme import fingerprint as static_name

        for name, path in theme.static_files().items():
            hashed = "static/" + static_name(name, path.read_bytes())
            static_urls[name] = hashed
            output.add(hashed, path, f"static/{name}")
        site = site_view(config, self.drafts, selection)
        # A page's key: the code, site-wide values and static names every page sees,
        # the templates its own may read, and its inputs.
        base_key = fingerprinter.digest(self.version, site, static_urls)
        all_templates = templates_digest(theme)
        if self._closures[0] != all_templates:
            self._closures = (
                all_templates,
                *held_closure_digests(self.store, all_templates, theme),
            )
        closures, card_templates = self._closures[1], self._closures[2]
        render_key = f"{base_key}:{all_templates}"
        late = LatePages(self._closures[3], refs.token)

        def render() -> Renderer:
            renderer = self._renderer(render_key, theme, site, static_urls, fingerprinter, ahead)
            renderer.late = late
            return renderer

        # The pages of the entries just saved, made and handed on before anything else
        # is planned: a writer waits for them (the same builder and keys as below).
        early: dict[str, bytes] = {}
        if first and on_output is not None and selection.entry_pages:
            try:
                early = make_first(
                    plan_entry_pages(model(), first, fingerprinter, refs.token),
                    lambda item: output_key(base_key, closures, item),
                    render,
                    refs,
                    on_output,
                )
            except Exception:
                check_references(model())  # a page that cannot be made: the writer's mistake?
                raise
            clock.lap("ms_first")
        facts = model.facts(self._facts)
        model_digest = facts.digest
        # Unknown goals and tags sharing a slug: checked again only for a new model.
        if model_digest != self._checked:
            check_references(model())
        clock.lap("ms_check")

        # 4. Plan.
        check(stop)
        # The keys of the output folder as written (a helper's are not), while the files
        # the store knows are those it was written from (serve keeps its own, no folder).
        last = kept if type(kept) is dict and kept and store and store.files_as_written() else {}
        views = None
        if store is not None:
            views = HeldViews(store, parsed, fingerprinter, lambda: not model.made)
        planned, plans, counts, new_views = plan(
            model,
            model_digest,
            fingerprinter,
            self._plans or {},
            refs.token,
            selection.builders,
            # A build that a newer save may stop (journal serve) plans in this process:
            # a second one would take the core that the browser and the next save need.
            cancel,
            work_ahead(render, model, STATS_PAGE in selection.builders),
            views,
            last_inputs(last, loaded.changed, base_key, closures),
        )
        stats.update(counts)
        clock.lap("ms_plan")
        # 5. Key every output; make what is not known.
        keys = {p.path: output_key(base_key, closures, p) for p in planned if p.inputs is not None}
        known = {**self._outputs, **early} if self.keep else early
        maker = Maker(render, refs, store, frozenset(card_templates))
        data, missing = maker.take_known(planned, keys, kept, known)
        stats["outputs_reused"] = len(planned) - len(missing)
        clock.lap("ms_fetch")
        origins = {f"{config.content}/{source}" for source in first}
        made = maker.make(missing, origins, cancel, on_output)
        stats["outputs_made"] = len(made)
        clock.lap("ms_render")
        data.update(made)
        # 6. The site.
        for item in planned:
            output.add(item.path, data[item.path], item.origin)
        for asset in model.assets():
            output.add(
                asset.source, config.content_dir / asset.source, f"{config.content}/{asset.source}"
            )
        output.add("robots.txt", ROBOTS_TXT, "robots.txt")
        output.add("_headers", HEADERS_FILE, "_headers")
        output.check()

        # Success: only now do its plans, checks and outputs become the engine's.
        self._plans = plans
        self._checked = model_digest
        self._facts = facts
        self._parsed = {d: parsed[s] for s, (_, _, d) in loaded.stats.items() if s in parsed}
        if self.keep:
            self._lasting = fingerprinter.lasting()
            self._outputs = {
                keys[path]: value
                for path, value in data.items()
                if path in keys and isinstance(value, bytes)
            }
        signatures = {
            path: keys.get(path) or signature(value) for path, value in output.files.items()
        }
        if self._previous is None:
            changed, removed = frozenset(signatures), frozenset()
        else:
            changed = frozenset(p for p, sig in signatures.items() if self._previous.get(p) != sig)
            removed = frozenset(p for p in self._previous if p not in signatures)
        self._previous = signatures
        stats.update(model_made=model.made, views_used=views.used if views else 0)
        result = SiteBuild(
            model_of=model,
            entries=facts.entries,
            today=today,
            output=output,
            pages=sum(1 for p in planned if p.path.endswith("index.html")),
            warnings=facts.warnings,
            keys=keys,
            changed=changed,
            removed=removed,
            stats=stats,
        )
        fragments = None
        pages = frozenset(output.files)
        if self._renderer_held is not None and self._renderer_held[0] == render_key:
            fragments = self._renderer_held[1].fragments.take_new()
            self._renderer_held[1].fragments.retain(pages)
        if store is not None:

            def save() -> None:
                store.save_parses(loaded.stats, loaded.new_parses)
                store.save_plans(plans)
                meta = {"checked": model_digest, "parse_settings": settings}
                store.set_meta({**meta, "model": facts.text()})
                if views is not None and views.listed:  # planned: views come and go
                    store.save_views(new_views, views.kept() - {p.skeleton for p in planned})
                live = set(keys.values())
                store.save_pages(
                    # The pages made first (the entry just saved) are kept too.
                    {
                        **{key: value for key, value in early.items() if key in live},
                        **{keys[path]: value for path, value in made.items() if path in keys},
                    },
                    live,
                )
                if fragments is not None:
                    store.save_fragments(render_key, *fragments, pages)

            if self.save_later:
                self.unsaved = save
            else:
                save()
        clock.lap("ms_save")
        self.last = result
        return result

    def _renderer(
        self,
        key: str,
        theme: ThemeFiles,
        site: SiteView,
        static_urls: dict[str, str],
        fp: Fingerprinter,
        ahead: CompiledAhead | None = None,
    ) -> Renderer:
        # One renderer (its compiled templates and win cards) while the templates and settings
        # (the render key) hold; each build hands it the fingerprinter that knows its entries.
        if self._renderer_held is None or self._renderer_held[0] != key:
            store = self.store
            fragments = Fragments(None if store is None else lambda k: store.fragment(key, k))
            self._renderer_held = (
                key,
                Renderer(theme, site, static_urls, fp, fragments, bytecode_cache=ahead),
            )
        renderer = self._renderer_held[1]
        renderer.fingerprinter = fp
        return renderer
