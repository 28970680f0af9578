"""``journal serve``: build in memory, serve over HTTP, watch the sources, reload open pages.

The shape follows MkDocs' livereload server: a standard-library threaded HTTP
server, a watcher, and an epoch counter guarded by one ``threading.Condition``.
Nothing is written to disk: the site lives in memory (``RenderedSite.output``) and
a ``SiteBuilder`` (incremental.py) keeps what it can between rebuilds.

Threads, and what each one does:

- main: the first build, then the rebuild loop: it takes batches of changed paths
  from a queue and rebuilds, one build at a time (each in a short-lived
  ``journal-build`` thread, so Ctrl-C always lands in main). A build starts at once
  and is published only when no further batch came soon after (`_rebuild_loop`).
- ``journal-http``: ``serve_forever``; every connection gets its own daemon thread.
- ``journal-watch-sources`` (content/, templates/, static/, themes/, the built-in
  theme; recursive) and ``journal-watch-site`` (the site folder itself, not
  recursive: journal.toml, and source folders appearing or going): each runs
  ``watchfiles.watch``, which turns a burst of file-system events (an editor writing
  a temporary file and renaming it over, writing twice, making a swap file) into one
  batch once a step passes without events, and puts the batch on the queue.

Why Server-Sent Events carry the reload message, and not a WebSocket: the message
only ever goes one way (server to page); SSE is plain HTTP, a response that stays
open, which ``http.server`` speaks with three header lines, where a WebSocket needs
an upgrade handshake and frame encoding; and the browser's ``EventSource``
reconnects by itself when the server goes away and comes back. One limit comes with
it: browsers open about six HTTP/1.1 connections per host, and each open stream
holds one, so a page closes its stream while its tab is hidden and reopens it when
shown (the server then tells it what it missed). That keeps many tabs from starving
each other.

The conversation: the injected script (``/__journal__/reload.<hash>.js``) knows the page's
output path and the epoch (server id + build number) it was served at; it opens
``/__journal__/events?page=...&epoch=...``. After every build the server decides
per stream: ``reload`` (this page changed since that epoch, or the server restarted;
the script swaps in the page's new body, or reloads a page that has scripts of its own),
``gone`` (the page no longer exists: the script goes to the timeline), ``errors``
(the last rebuild failed: the script shows an overlay; the last good pages are still
served) or ``ok`` (nothing to do; any overlay goes).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import hashlib
import html
import http.server
import json
import mimetypes
import os
import queue
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from journal_site.config import CONFIG_NAME, Config, load_config
from journal_site.errors import JournalError, Problem, UsageError
from journal_site.publish import CONTENT_SECURITY_POLICY
from journal_site.scan import is_ignored
from journal_site.text import plural

PREFIX = "/__journal__/"
"""URL space of the server's own files, outside any site's paths."""
DEBOUNCE_MS = 800
"""Longest a burst of events is gathered before a rebuild starts regardless."""
STEP_MS = 10
"""How often the watchers look for events; a batch goes out after one step without any.
watchfiles sleeps a step at a time, so a save is noticed 10 to 20 ms after it."""
QUIET_S = 0.030
"""How long after the last batch a build's result waits to be published, in case the
same save goes on (see `_rebuild_loop`). A build usually takes longer than this anyway."""
BUILD_WAIT_S = 15.0
"""How long a request waits for a running build before it gets the last good page."""
KEEPALIVE_S = 15.0
"""A comment line this often on idle event streams, so a vanished client is noticed."""
SOCKET_TIMEOUT_S = 10.0
"""A client that stops reading is dropped after this long; nobody else waits for it."""
IMMUTABLE = "max-age=31536000, immutable"
"""Cache-Control for files whose URL names their bytes."""
SOURCE_DIRS = ("templates", "static", "themes")
"""Folders of the site (besides content/) whose files go into the site."""


def _make_builder(config: Config, *, drafts: bool, today: dt.date | None) -> Any:
    """The incremental builder: only what a change touches is read and rendered again."""
    from journal_site.incremental import CACHE_DIR_NAME, SiteBuilder

    return SiteBuilder(config, drafts=drafts, today=today, cache_dir=config.root / CACHE_DIR_NAME)


class LiveSite:
    """The site being served, shared by the rebuild loop and every request thread."""

    def __init__(self, base_path: str) -> None:
        self.base_path = base_path
        self.server_id = secrets.token_hex(4)
        """Changes at every start, so pages from an earlier run know to reload."""
        # One condition guards every field below. Request threads wait on it while a
        # build runs (so nobody gets a page from before a save they just made), and
        # event streams wait on it for the next build. The rebuild loop holds it only
        # to flip `building` and to swap a finished build in, never while building,
        # so no request or stream is ever held up by more than a dictionary swap.
        self._cond = threading.Condition()
        self._files: Mapping[str, bytes | Path] = {}
        self._changed_at: dict[str, int] = {}
        """Output path -> the epoch at which its bytes last changed."""
        self._epoch = 0
        """Good builds so far; pages are served "at" an epoch."""
        self._version = 0
        """Finished builds, good or failed: what event streams wait on."""
        self._errors: tuple[str, ...] = ()
        self._building = False
        self._closing = False
        self._ahead: frozenset[str] = frozenset()
        """Paths published ahead of the build under way (see `publish_ahead`): served
        at once, without waiting for that build."""

    # -- the rebuild loop's side -------------------------------------------------------
    def begin_build(self) -> None:
        with self._cond:
            self._building = True

    def publish_ahead(self, path: str, data: bytes) -> None:
        """One page made ahead of the build that is about to run (the page of the entry
        just saved, see SiteBuilder.quick_page): serve it and tell every stream now."""
        with self._cond:
            if self._files.get(path) == data:
                return
            self._epoch += 1
            self._changed_at[path] = self._epoch
            self._files = {**self._files, path: data}
            self._ahead = self._ahead | {path}
            self._version += 1
            self._cond.notify_all()

    def publish(self, files: Mapping[str, bytes | Path], changed: Iterable[str]) -> None:
        """A good build: serve it, and tell every stream."""
        with self._cond:
            self._epoch += 1
            served = self._files
            for path in changed:
                if path in self._ahead and served.get(path) == files.get(path):
                    continue  # already shown, ahead of this build
                self._changed_at[path] = self._epoch
            self._ahead = frozenset()
            self._files = files
            self._errors = ()
            self._building = False
            self._version += 1
            self._cond.notify_all()

    def fail(self, problems: Iterable[Problem | str]) -> None:
        """A failed build: keep serving the last good site; streams show the errors."""
        with self._cond:
            self._errors = tuple(str(p) for p in problems)
            self._ahead = frozenset()
            self._building = False
            self._version += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    # -- the request threads' side -----------------------------------------------------
    def lookup(self, path: str) -> tuple[bytes | Path | None, str]:
        """The file at ``path`` (None if there is none) and the epoch token it belongs to."""
        with self._cond:
            if path not in self._ahead:
                self._cond.wait_for(lambda: not self._building or self._closing, BUILD_WAIT_S)
            return self._files.get(path), f"{self.server_id}.{self._epoch}"

    def has(self, path: str) -> bool:
        with self._cond:
            return path in self._files

    def paths(self) -> list[str]:
        with self._cond:
            return sorted(self._files)

    def next_version(self, seen: int, timeout: float) -> int | None:
        """Wait until a build after version ``seen`` finishes; None when the server closes."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen or self._closing, timeout)
            return None if self._closing else self._version

    def verdict(self, page: str, token: str, missing: bool) -> tuple[str, str]:
        """What a page served at ``token`` should do now: (event name, data)."""
        with self._cond:
            if self._errors:
                return "errors", json.dumps(self._errors)
            server_id, _, epoch_text = token.partition(".")
            exists = page in self._files
            if missing:
                return ("reload", "") if exists else ("ok", "")
            if not exists:
                return "gone", self.base_path + "timeline/"
            try:
                epoch = int(epoch_text)
            except ValueError:
                epoch = -1
            if server_id != self.server_id or self._changed_at.get(page, 0) > epoch:
                return "reload", ""
            return "ok", ""


def _asset(name: str) -> bytes:
    return (resources.files("journal_site") / "serve_assets" / name).read_bytes()


RELOAD_JS = _asset("reload.js")
RELOAD_SCRIPT = f"{PREFIX}reload.{hashlib.blake2b(RELOAD_JS, digest_size=5).hexdigest()}.js"
"""The reload script's URL names its bytes, so browsers may keep it: a reload of a page
need not ask for it again (a page waits for its deferred scripts before it is ready)."""


def inject_script(page_html: bytes, tag: bytes) -> bytes:
    """Put ``tag`` before the last ``</body>`` (or at the end when there is none)."""
    at = page_html.lower().rfind(b"</body>")
    if at < 0:
        return page_html + tag
    return page_html[:at] + tag + page_html[at:]


def script_tag(page: str, token: str, *, missing: bool = False) -> bytes:
    """The reload script, told which page this is and at which build it was served."""
    attrs = {
        "src": RELOAD_SCRIPT,
        "data-page": page,
        "data-epoch": token,
        "data-missing": "1" if missing else "0",
        "defer": None,
    }
    parts = [k if v is None else f'{k}="{html.escape(v)}"' for k, v in attrs.items()]
    return f"<script {' '.join(parts)}></script>".encode()


NOT_FOUND_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{prefix}reload.css"></head>
<body class="journal-serve-404"><main><h1>Nothing here (yet)</h1>
<p>No page at <code>{path}</code>. If you are writing it now, this page shows it as
soon as you save. Meanwhile, the <a href="{base}timeline/">timeline</a> has every entry.</p>
</main></body></html>
"""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # server_close() joins every connection thread: event streams end when the site
    # closes, and every socket has a timeout, so this never hangs.
    block_on_close = True
    live: LiveSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closing a tab mid-response is normal; anything else is a bug worth
        # one line, but never a traceback in the writer's terminal.
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            print(f"journal serve: error answering a request: {exc!r}", file=sys.stderr)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no idle keep-alive threads linger.
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT_S
    server_version = "journal-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is kept for rebuilds and errors."""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _send(
        self, status: int, body: bytes, content_type: str, head: bool, cache: str = "no-store"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        if content_type.startswith("text/html"):
            # The policy the published site gets: what breaks it shows up while writing.
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _respond(self, head: bool) -> None:
        live = self.server.live
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path.startswith(PREFIX):
            self._own_file(path[len(PREFIX) :], urllib.parse.parse_qs(url.query), head)
            return
        base = live.base_path
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                self._redirect(base)
            else:
                self._not_found(path, head)
            return
        rel = path[len(base) :]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        data, token = live.lookup(rel)
        if data is None:
            if live.has(rel + "/index.html"):
                self._redirect(path + "/" + (f"?{url.query}" if url.query else ""))
            else:
                self._not_found(path, head)
            return
        if isinstance(data, Path):
            try:
                data = data.read_bytes()
            except OSError:
                self._not_found(path, head)
                return
        content_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("image/svg+xml",):
            content_type += "; charset=utf-8"
        if rel.endswith(".html"):
            data = inject_script(data, script_tag(rel, token))
        # Fingerprinted theme files never change under their name; everything else may.
        cache = IMMUTABLE if rel.startswith("static/") else "no-store"
        self._send(200, data, content_type, head, cache)

    def _not_found(self, path: str, head: bool) -> None:
        live = self.server.live
        rel = path[len(live.base_path) :] if path.startswith(live.base_path) else path
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        _, token = live.lookup(rel)
        page = NOT_FOUND_HTML.format(
            prefix=PREFIX, path=html.escape(path), base=html.escape(live.base_path)
        ).encode()
        page = inject_script(page, script_tag(rel, token, missing=True))
        self._send(404, page, "text/html; charset=utf-8", head)

    def _own_file(self, name: str, query: Mapping[str, list[str]], head: bool) -> None:
        if name == "events":
            self._events(query)
        elif PREFIX + name == RELOAD_SCRIPT:
            self._send(200, RELOAD_JS, "text/javascript; charset=utf-8", head, IMMUTABLE)
        elif name == "reload.css":
            self._send(200, _asset(name), "text/css; charset=utf-8", head, "no-cache")
        elif name == "files.json":
            # What the server holds, for tests and the curious.
            body = json.dumps(self.server.live.paths()).encode()
            self._send(200, body, "application/json", head)
        else:
            self._not_found(PREFIX + name, head)

    def _events(self, query: Mapping[str, list[str]]) -> None:
        """One page's event stream: a verdict after every build until reload or goodbye."""
        live = self.server.live
        page = query.get("page", [""])[0]
        token = query.get("epoch", [""])[0]
        missing = query.get("missing", ["0"])[0] == "1"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        last: tuple[str, str] | None = None
        seen = -1
        try:
            # Reconnect quickly after a server restart (the default is a few seconds).
            self.wfile.write(b"retry: 500\n\n")
            while True:
                version = live.next_version(seen, KEEPALIVE_S)
                if version is None:
                    return
                if version == seen:
                    self.wfile.write(b": still here\n\n")
                    continue
                seen = version
                event, data = live.verdict(page, token, missing)
                if (event, data) != last:
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                    last = (event, data)
                if event in ("reload", "gone"):
                    return
        except OSError:
            # Gone, or too slow to read: this thread ends, nobody else waited for it.
            return


class _Watchers:
    """Two watchfiles threads feeding one queue; the sources' one restarts when folders change."""

    def __init__(self, config: Config, batches: Batches) -> None:
        self.root = config.root
        self.batches = batches
        self.stop_all = threading.Event()
        self._content_top = Path(config.content).parts[0]
        self._site = self._start("journal-watch-site", [self.root], False, self._site_filter)
        self._sources_stop = threading.Event()
        self.dirs: tuple[Path, ...] = ()
        self._sources: threading.Thread | None = None
        self.watch_sources(config)

    def _start(
        self,
        name: str,
        paths: list[Path],
        recursive: bool,
        keep: Callable[[Any, str], bool],
        stop: threading.Event | None = None,
    ) -> threading.Thread:
        import watchfiles

        stop_event = stop or self.stop_all
        stop_all = self.stop_all

        class _Stop:
            # watchfiles asks is_set() at every step: stop on either event.
            def is_set(self) -> bool:
                return stop_event.is_set() or stop_all.is_set()

        def run() -> None:
            try:
                for batch in watchfiles.watch(
                    *paths,
                    watch_filter=keep,
                    debounce=DEBOUNCE_MS,
                    step=STEP_MS,
                    stop_event=_Stop(),
                    recursive=recursive,
                    raise_interrupt=False,
                ):
                    self.batches.put((time.monotonic(), batch))
            except Exception as exc:  # a watched folder vanished under the watcher, say
                print(f"journal serve: stopped watching {name}: {exc}", file=sys.stderr)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread

    def _site_filter(self, change: Any, path: str) -> bool:
        name = Path(path).name
        return name == CONFIG_NAME or name in SOURCE_DIRS or name == self._content_top

    def _source_filter(self, change: Any, path: str) -> bool:
        full = Path(path)
        try:
            parts = full.relative_to(self.root).parts
        except ValueError:
            parts = (full.name,)
        return not any(is_ignored(part) for part in parts)

    def watch_sources(self, config: Config) -> None:
        """(Re)start the recursive watcher when the set of source folders changed."""
        from journal_site.theme import builtin_theme_dir

        self._content_top = Path(config.content).parts[0]
        candidates = [config.content_dir, *(config.root / d for d in SOURCE_DIRS)]
        candidates.append(builtin_theme_dir())
        dirs = tuple(dict.fromkeys(d.resolve() for d in candidates if d.is_dir()))
        if dirs == self.dirs and self._sources is not None and self._sources.is_alive():
            return
        if self._sources is not None:
            self._sources_stop.set()
            self._sources.join()
        self.dirs = dirs
        self._sources_stop = threading.Event()
        self._sources = self._start(
            "journal-watch-sources",
            list(dirs),
            True,
            self._source_filter,
            self._sources_stop,
        )

    def describe(self) -> str:
        from journal_site.theme import builtin_theme_dir

        builtin = builtin_theme_dir().resolve()
        names = [
            f"{d.relative_to(self.root).as_posix()}/"
            for d in self.dirs
            if d.is_relative_to(self.root)
        ]
        names.append(CONFIG_NAME)
        if builtin in self.dirs:
            names.append("the built-in theme")
        return ", ".join(names)

    def close(self) -> None:
        self.stop_all.set()
        for thread in (self._site, self._sources):
            if thread is not None:
                thread.join()


def _shown(path: str, root: Path) -> str:
    full = Path(path)
    if full.is_relative_to(root):
        return full.relative_to(root).as_posix()
    from journal_site.theme import builtin_theme_dir

    builtin = builtin_theme_dir().resolve()
    if full.is_relative_to(builtin):
        return "built-in theme " + full.relative_to(builtin).as_posix()
    return str(full)


def _changed_paths(batch: set[tuple[Any, str]], root: Path) -> list[str]:
    """What a person would say they changed: editors' temporary files (made and gone
    within the burst) left out; anything else, created, changed or deleted, shown."""
    from watchfiles import Change

    kinds: dict[str, set[Any]] = {}
    for change, path in batch:
        kinds.setdefault(path, set()).add(change)
    shown = {
        _shown(path, root)
        for path, seen in kinds.items()
        if not (Change.added in seen and Change.deleted in seen and not Path(path).exists())
    }
    return sorted(shown) or sorted({_shown(path, root) for path in kinds})


def _summary(paths: list[str]) -> str:
    if not paths:
        return "nothing"
    if len(paths) <= 3:
        return ", ".join(paths)
    return f"{', '.join(paths[:2])} and {len(paths) - 2} more"


def _clock() -> str:
    return time.strftime("%H:%M:%S")


Batches = queue.Queue[tuple[float, set[tuple[Any, str]]] | None]
"""What the watchers report: (``time.monotonic()`` when sent, the batch of changes)."""


class _Outcome:
    """One build's result, not yet published: the rendered site, or its problems."""

    def __init__(
        self, seconds: float, rendered: Any = None, problems: Iterable[Problem] = ()
    ) -> None:
        self.seconds = seconds
        self.rendered = rendered
        self.problems = tuple(problems)


class _Session:
    """The rebuild loop's state: the config, the builder, what was last printed."""

    def __init__(self, config: Config, args: argparse.Namespace, live: LiveSite) -> None:
        self.root = config.root
        self.config: Config | None = config
        self.drafts = bool(args.drafts)
        self.today: dt.date | None = args.today
        self.live = live
        self.builder = _make_builder(config, drafts=self.drafts, today=self.today)
        self._warnings: tuple[str, ...] = ()

    def build(self, reload_config: bool = False) -> tuple[bool, str]:
        """Build once; publish it or the errors. Returns (ok, one-line summary)."""
        outcome = self.run(reload_config)
        return self.finish(outcome, set(), outcome.seconds)

    def show_ahead(self, shown: str) -> None:
        """Publish the page of the entry saved at ``shown`` (a path as `_changed_paths`
        gives it) before the full build, when the builder can make it alone."""
        if self.config is None:
            return
        prefix = f"{self.config.content}/"
        if not shown.startswith(prefix):
            return
        try:
            made = self.builder.quick_page(shown[len(prefix) :])
        except Exception:
            return  # the full build that follows reports whatever this was
        if made is not None:
            self.live.publish_ahead(*made)

    def run(self, reload_config: bool = False) -> _Outcome:
        """Build once, publishing nothing yet (requests wait for `finish`)."""
        started = time.perf_counter()
        self.live.begin_build()
        try:
            if reload_config or self.config is None:
                # Until journal.toml loads again, every build retries it (and fails).
                self.config = None
                self.config = load_config(self.root)
                self.builder = _make_builder(self.config, drafts=self.drafts, today=self.today)
            rendered = self.builder.build()
        except JournalError as exc:
            return _Outcome(time.perf_counter() - started, problems=exc.problems)
        except Exception as exc:
            # A bug, not the writer's mistake; still one line, and the server goes on.
            problem = Problem("(journal)", None, f"internal error while building: {exc!r}")
            return _Outcome(time.perf_counter() - started, problems=[problem])
        return _Outcome(time.perf_counter() - started, rendered=rendered)

    def finish(self, outcome: _Outcome, changed: set[str], seconds: float) -> tuple[bool, str]:
        """Publish a build, or its errors. ``changed`` adds the output paths that changed
        in earlier builds whose results were never published (superseded by this one);
        ``seconds`` is the time spent building for this update."""
        if outcome.rendered is None:
            self._report_errors(outcome.problems)
            return False, ""
        rendered = outcome.rendered
        changed = changed | set(rendered.changed)
        self.live.publish(dict(rendered.output.files), changed)
        warnings = tuple(str(w) for w in rendered.warnings)
        if warnings != self._warnings:
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            self._warnings = warnings
        pages = sum(1 for p in changed if p.endswith(".html"))
        parts = [plural(pages, "page")]
        if len(changed) > pages:
            parts.append(plural(len(changed) - pages, "other file"))
        if rendered.removed:
            parts.append(f"{len(rendered.removed):,} removed")
        text = " + ".join(parts)
        # What the builder did to get there, when it says (incremental.py's stats).
        work = getattr(self.builder, "stats", None) or {}
        if "files_parsed" in work and "pages_rendered" in work:
            total = work["pages_rendered"] + work.get("pages_reused", 0)
            text += (
                f" (read {plural(work['files_parsed'], 'file')}, "
                f"rendered {work['pages_rendered']:,} of {plural(total, 'page')})"
            )
        took = f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"
        return True, f"{text} in {took}"

    def _report_errors(self, problems: Iterable[Problem]) -> None:
        problems = list(problems)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"[{_clock()}] {plural(len(problems), 'problem')}: the preview shows "
            "them on every open page and keeps the last good pages.",
            file=sys.stderr,
        )
        self.live.fail(problems)


def _listen(host: str, port: int, live: LiveSite) -> _Server:
    server_class = _Server
    if ":" in host:
        server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use (another `journal serve`?); "
                f"try --port {port + 1}"
            ) from exc
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    server.live = live
    return server


def _urls(host: str, port: int, base_path: str) -> tuple[str, list[str]]:
    """The URL to open here, and the ones other devices on the network can use."""
    wildcard = host in ("0.0.0.0", "::", "")
    local = "127.0.0.1" if wildcard or host == "localhost" else host
    if ":" in local:
        local = f"[{local}]"
    others = [f"http://{socket.gethostname()}:{port}{base_path}"] if wildcard else []
    return f"http://{local}:{port}{base_path}", others


def _quiet_child() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def serve_command(config: Config, args: argparse.Namespace) -> int:
    """Build, serve and watch until Ctrl-C; exit 0 on a clean stop."""
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    live = LiveSite(config.base_path)
    session = _Session(config, args, live)

    # Ctrl-C, or SIGTERM (a service manager, a test), stops the server. Python runs
    # signal handlers in the main thread, between any two bytecodes, even inside an
    # at-fork hook while a build starts its workers, where the exception would be
    # dropped with a lock still held. So builds run in a thread of their own and the
    # main thread only waits: there a KeyboardInterrupt is always safe.
    server_pid = os.getpid()

    def _interrupt(signum: int, frame: object) -> None:
        if os.getpid() != server_pid:
            # A build worker forked a moment ago, before `_quiet_child` ran in it.
            _quiet_child()
            if signum == signal.SIGTERM:
                os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Processes a build forks (a pool of workers for a big journal) must not run these
    # handlers: Ctrl-C reaches the whole process group and a pool ends its workers with
    # SIGTERM; either would print a worker's traceback. The server stops them itself.
    os.register_at_fork(after_in_child=_quiet_child)
    server: _Server | None = None
    http_thread: threading.Thread | None = None
    watchers: _Watchers | None = None
    try:
        batches: Batches = queue.Queue()
        # Watch before the first build, so a save made while it runs is not missed.
        watchers = _Watchers(config, batches)
        ok, summary = _in_thread(session.build)
        server = _listen(args.host, args.port, live)
        http_thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="journal-http"
        )
        http_thread.start()
        port = server.server_address[1]
        url, others = _urls(args.host, port, config.base_path)
        if ok:
            print(f"[{_clock()}] Built the site in memory: {summary}.")
        drafts = "drafts shown, marked as drafts" if session.drafts else "drafts hidden"
        print(f"Serving {config.title!r} at {url} ({drafts}).")
        for other in others:
            print(f"  and to other devices on your network at {other}")
        print(f"Watching {watchers.describe()} for changes. Press Ctrl-C to stop.")
        if args.open:
            import webbrowser

            webbrowser.open(url)
        _rebuild_loop(session, watchers, batches)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while stopping must not leave threads behind with a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        live.close()
        if server is not None:
            server.shutdown()
            server.server_close()
        if http_thread is not None:
            http_thread.join()
        if watchers is not None:
            watchers.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("\nStopped serving. Goodbye, and well done for writing today.")
    _leave_mid_build()
    return 0


_BUILDING = threading.Event()
"""Set while a build thread runs (see `_in_thread`)."""


_T = TypeVar("_T")


def _in_thread(build: Callable[..., _T], **kwargs: Any) -> _T:
    """Run a build in its own thread while this (main) thread waits, interruptibly."""
    outcome: list[Any] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(build(**kwargs))
        except BaseException as exc:
            outcome.append(exc)
        finally:
            _BUILDING.clear()
            done.set()

    # A daemon, so that Ctrl-C need not wait for a long build (see `_leave_mid_build`).
    # The wait is on an Event, not Thread.join: a join interrupted by Ctrl-C can mark
    # a running thread as ended (CPython 3.11).
    thread = threading.Thread(target=run, name="journal-build", daemon=True)
    _BUILDING.set()
    thread.start()
    while not done.wait(0.2):
        pass
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _leave_mid_build() -> None:
    """Stopped while a build runs: end its worker processes and exit at once.

    A build cannot be cancelled from outside, and at a normal exit multiprocessing
    would wait for the pool that the unfinished build still holds.
    """
    multiprocessing = sys.modules.get("multiprocessing")
    workers = multiprocessing.active_children() if multiprocessing else []
    # Either sign of an unfinished build is enough: the flag can be cleared a moment
    # before the pool that the build thread still holds is torn down.
    if not _BUILDING.is_set() and not workers:
        return
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(5)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _rebuild_loop(session: _Session, watchers: _Watchers, batches: Batches) -> None:
    """Build after every save, and publish one build per save.

    A build starts as soon as a batch arrives (the watchers send one after a step
    without events), and runs while the save may still be going on: an editor that
    writes a file in two goes, or moves the old file away before writing the new one,
    can have its events split over two batches. So a finished build is published only
    once `QUIET_S` has passed since the last batch; if another batch came meanwhile,
    the build is done again on top, and only the last one is published (with every
    page that changed since the previous publication). Waiting for quiet before
    building, as watchers usually do, would add that wait to every save; this way it
    overlaps the build and costs nothing unless the build is shorter than the wait.
    A None on the queue ends the loop (Ctrl-C ends it too, from outside).
    """
    pending: tuple[float, set[Any]] | None = None
    while True:
        item = pending or batches.get()
        if item is None:
            return
        last_at, fresh = item
        pending = None
        started = time.monotonic()
        batch: set[Any] = set()
        changed: set[str] = set()
        seconds = 0.0
        while True:
            # Both watchers may have reported the same save: one build for all of it.
            more, last_at = _take(batches, last_at)
            fresh |= more
            batch |= fresh
            fresh_paths = _changed_paths(fresh, session.root)
            config_changed = CONFIG_NAME in fresh_paths
            if session.config is not None and any("/" not in p for p in fresh_paths):
                # A source folder appeared or went: watch what is there now, before the
                # build reads it, so nothing saved into it meanwhile goes unnoticed.
                watchers.watch_sources(session.config)
            if not changed and len(fresh_paths) == 1 and not config_changed:
                # One entry saved: show its page now; the build below does the rest.
                session.show_ahead(fresh_paths[0])
            outcome = _in_thread(session.run, reload_config=config_changed)
            seconds += outcome.seconds
            if config_changed and session.config is not None:
                # journal.toml may name another content folder or theme.
                watchers.watch_sources(session.config)
            more, last_at = _take(batches, last_at, last_at + QUIET_S)
            if not more:
                break
            if time.monotonic() - started > DEBOUNCE_MS / 1000:
                # Changes keep coming (a sync tool, a script): show what there is now,
                # then go on with the rest.
                pending = (last_at, more)
                break
            # The save went on: what this build changed is still to be published.
            if outcome.rendered is not None:
                changed |= outcome.rendered.changed
            fresh = more
        ok, summary = session.finish(outcome, changed, seconds)
        if ok:
            paths = _changed_paths(batch, session.root)
            print(f"[{_clock()}] {_summary(paths)} changed: updated {summary}.")


def _take(batches: Batches, last_at: float, until: float | None = None) -> tuple[set[Any], float]:
    """Every batch waiting, or (given ``until``, a ``time.monotonic()``) else the first to
    come before then; with the time the last one taken was sent."""
    taken: set[Any] = set()
    wait = 0.0 if until is None else until - time.monotonic()
    with contextlib.suppress(queue.Empty):
        while True:
            # Wait only for the first; then take what is there.
            item = batches.get(timeout=wait) if not taken and wait > 0 else batches.get_nowait()
            if item is None:
                batches.put(None)  # for the rebuild loop, once this update is out
                break
            taken |= item[1]
            last_at = item[0]
    return taken, last_at
