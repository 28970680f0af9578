"""``journal serve``'s life: listen, build once, rebuild after every save, stop on Ctrl-C.

Threads: main (start-up, then it only waits, so Ctrl-C always lands there);
``journal-build`` (every build, one at a time: the engine and its SQLite store belong
to it); ``journal-http`` (``serve_forever``, a daemon thread per connection); and the
watchers (watch.py), which hand batches of changes to `Changes`.

A save never waits for a build: while a build runs, a newer batch makes it stop at
the next page (the engine's ``cancel``) and the next build starts at once with both
batches. That build makes the pages of the entries just saved first and each output
is served the moment it is made (``LiveSite.put``), before the rest of the site.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.config import CONFIG_NAME, Config, load_config
from journal_site.errors import JournalError, Problem, UsageError
from journal_site.serve.http import LiveSite, Server
from journal_site.serve.watch import Batch, Watcher, changed_paths, summary
from journal_site.text import plural

if TYPE_CHECKING:
    from journal_site.engine.site import Engine


class Changes:
    """Batches from the watchers, gathered until the build thread takes them."""

    def __init__(self) -> None:
        self._cond = threading.Condition()  # guards the two fields below
        self._pending: Batch = set()
        self._closed = False

    def put(self, batch: Batch) -> None:
        with self._cond:
            self._pending |= batch
            self._cond.notify_all()

    def take(self) -> Batch | None:
        """Everything reported since the last take, once there is some; None at the end."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._closed)
            taken, self._pending = self._pending, set()
            return None if self._closed else taken

    def waiting(self) -> bool:
        """A newer batch (or the end) is waiting: the build under way is overtaken."""
        with self._cond:
            return bool(self._pending) or self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Builder:
    """The build thread's state: the config, the engine, what was last printed."""

    def __init__(self, config: Config, args: argparse.Namespace, live: LiveSite) -> None:
        self.root = config.root
        self.config: Config | None = config
        self.drafts = bool(args.drafts)
        self.today: dt.date | None = args.today
        self.live = live
        self.engine = self._engine(config)
        self.recent: frozenset[str] = frozenset()
        """Sources (under content/) saved last: their pages are made first."""
        self._warnings: tuple[str, ...] = ()

    def _engine(self, config: Config) -> Engine:
        from journal_site.engine.site import CACHE_DIR_NAME, Engine, code_version
        from journal_site.engine.store import Store

        store = Store(config.root / CACHE_DIR_NAME, code_version())
        return Engine(config, drafts=self.drafts, today=self.today, store=store, keep=True)

    def reload_config(self) -> None:
        """journal.toml changed: a new engine, or until it loads again, errors."""
        self.config = None
        try:
            self.config = load_config(self.root)
        except JournalError as exc:
            self._report_errors(exc.problems)
            return
        self.engine = self._engine(self.config)

    def build(self, batch: Batch, cancel: Callable[[], bool] | None = None) -> str | None:
        """Build and publish the site, or its errors; a one-line summary if it built.
        Raises ``Cancelled`` (the live site keeps what was put) when ``cancel`` says so."""
        from journal_site.engine.site import Cancelled

        if self.config is None:
            return None
        content = self.config.content_dir.resolve()
        saved = frozenset(
            Path(path).relative_to(content).as_posix()
            for _, path in batch
            if Path(path).is_relative_to(content)
        )
        # An entry's page first, even after a template edit: it is the page the writer
        # most likely looks at (and a build that makes some pages first stops for a save).
        self.recent = saved or self.recent
        started = time.perf_counter()
        try:
            site = self.engine.build(cancel=cancel, first=self.recent, on_output=self.live.put)
        except Cancelled:
            raise
        except JournalError as exc:
            self._report_errors(exc.problems)
            return None
        except Exception as exc:  # a bug, not the writer's mistake: one line, serving goes on
            self._report_errors([Problem("(journal)", None, f"internal error: {exc!r}")])
            return None
        self.live.publish(site.output.files, site.changed | site.removed)
        warnings = tuple(str(w) for w in site.warnings)
        if warnings != self._warnings:
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            self._warnings = warnings
        pages = sum(1 for p in site.changed if p.endswith(".html"))
        parts = [plural(pages, "page")]
        if len(site.changed) > pages:
            parts.append(plural(len(site.changed) - pages, "other file"))
        if site.removed:
            parts.append(f"{len(site.removed):,} removed")
        made, reused = site.stats.get("outputs_made", 0), site.stats.get("outputs_reused", 0)
        took = time.perf_counter() - started
        return (
            f"{' + '.join(parts)} (read {plural(site.stats.get('files_parsed', 0), 'file')}, "
            f"made {made:,} of {plural(made + reused, 'output')}) in "
            + (f"{took:.2f} s" if took >= 1 else f"{took * 1000:.0f} ms")
        )

    def _report_errors(self, problems: list[Problem]) -> None:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"[{_clock()}] {plural(len(problems), 'problem')}: the preview shows them on "
            "every open page and keeps the last good pages.",
            file=sys.stderr,
        )
        self.live.fail(problems)

    def run(self, changes: Changes, watcher: Watcher, built: threading.Event) -> None:
        """The first build, then one build per batch of changes until the end."""
        from journal_site.engine.site import Cancelled

        done = self.build(set())
        if done is not None:
            print(f"[{_clock()}] Built the site in memory: {done}.")
        built.set()
        carried: Batch = set()
        """The changes of abandoned builds: the next build shows them too."""
        while (batch := changes.take()) is not None:
            batch |= carried
            paths = changed_paths(batch, self.root)
            if CONFIG_NAME in paths:
                self.reload_config()
            if self.config is not None and any("/" not in p for p in paths):
                # journal.toml, or a source folder appeared or went: watch what is there
                # now, before the build reads it.
                watcher.follow(self.config)
            try:
                done = self.build(batch, cancel=changes.waiting)
            except Cancelled:
                carried = batch
                print(f"[{_clock()}] {summary(paths)}: build abandoned for a newer change.")
                continue
            carried = set()
            if done is not None:
                print(f"[{_clock()}] {summary(paths)} changed: updated {done}.")


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _listen(host: str, port: int, live: LiveSite) -> Server:
    wildcard = host in ("0.0.0.0", "::", "")
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host.lower()}
    if wildcard:  # the name the start-up message gives other devices
        names.add(socket.gethostname().lower())
    server_class = type("Server6", (Server,), {"address_family": socket.AF_INET6})
    try:
        return (server_class if ":" in host else Server)((host, port), live, names)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use (another `journal serve`?); "
                f"try --port {port + 1}"
            ) from exc
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _urls(host: str, port: int, base_path: str) -> tuple[str, list[str]]:
    """The URL to open here, and the ones other devices on the network can use."""
    wildcard = host in ("0.0.0.0", "::", "")
    local = "127.0.0.1" if wildcard or host == "localhost" else host
    local = f"[{local}]" if ":" in local else local
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
    server = _listen(args.host, args.port, live)  # a busy port is told before any build
    server_pid = os.getpid()

    def interrupt(signum: int, frame: object) -> None:
        # Ctrl-C or SIGTERM stops the server. A process a build forks (its render
        # workers) inherits this handler until `_quiet_child` runs in it.
        if os.getpid() == server_pid:
            raise KeyboardInterrupt
        _quiet_child()
        if signum == signal.SIGTERM:
            os.kill(os.getpid(), signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    os.register_at_fork(after_in_child=_quiet_child)
    changes, built, finished = Changes(), threading.Event(), threading.Event()
    watcher: Watcher | None = None
    http_thread: threading.Thread | None = None
    try:
        watcher = Watcher(config, changes.put)  # before the first build: no save is missed
        builder = Builder(config, args, live)

        def build_thread() -> None:
            try:
                builder.run(changes, watcher, built)  # type: ignore[arg-type]
            finally:  # only on a bug: the server then stops
                built.set()
                finished.set()

        threading.Thread(target=build_thread, name="journal-build", daemon=True).start()
        while not built.wait(0.2):
            pass
        http_thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="journal-http"
        )
        http_thread.start()
        url, others = _urls(args.host, server.server_port, config.base_path)
        drafts = "drafts shown, marked as drafts" if builder.drafts else "drafts hidden"
        print(f"Serving {config.title!r} at {url} ({drafts}).")
        for other in others:
            print(f"  and to other devices on your network at {other}")
        print(f"Watching {watcher.describe()} for changes. Press Ctrl-C to stop.")
        if args.open:
            import webbrowser

            webbrowser.open(url)
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C changes nothing
        changes.close()  # the build under way stops at its next page
        live.close()
        if http_thread is not None:
            server.shutdown()
        server.server_close()
        if watcher is not None:
            watcher.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("\nStopped serving. Goodbye, and well done for writing today.")
    if not finished.wait(1.0):
        _leave_mid_build()
    return 0


def _leave_mid_build() -> None:
    """A build is in a stage that does not stop between pages: end its workers, if it
    has a pool, and exit now (a normal exit would wait for them)."""
    multiprocessing = sys.modules.get("multiprocessing")
    for worker in multiprocessing.active_children() if multiprocessing else []:
        worker.terminate()
        worker.join(5)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
