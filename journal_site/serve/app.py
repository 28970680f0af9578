"""``journal serve``'s life: listen, build once, rebuild after every save, stop on Ctrl-C.

Threads: main (start-up, then it only waits, so Ctrl-C always lands there);
``journal-build`` (every build, one at a time: the engine and its SQLite store belong
to it); ``journal-http`` (a daemon thread per connection); the watchers (watch.py).

A save never waits for a build: a batch of changes that comes while a build runs
makes it stop at its next page (the engine's ``cancel``), and the next build starts
at once with both batches. It makes the pages of the entries saved first, and every
output is served the moment it is made (``LiveSite.put``), before the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.config import CONFIG_NAME, Config, load_config
from journal_site.errors import JournalError, Problem
from journal_site.serve.http import listen
from journal_site.serve.live import LiveSite
from journal_site.serve.watch import Batch, Watcher, changed_paths, summary
from journal_site.text import plural

if TYPE_CHECKING:
    from journal_site.engine.site import Engine

Changes = queue.SimpleQueue[Batch | None]
"""Batches from the watchers for the build thread; None ends it."""


IDLE_S = 3.0
"""Seconds without a change after which the build thread collects the cyclic garbage of
the builds before (see ``Builder.run``)."""


def _take(changes: Changes, on_idle: Callable[[], None], idle_s: float = IDLE_S) -> Batch | None:
    """Every batch waiting (waiting for the first); None at the end. ``on_idle`` runs
    once if no batch comes within ``idle_s``."""
    try:
        batch = changes.get(timeout=idle_s)
    except queue.Empty:
        on_idle()
        batch = changes.get()
    while batch is not None and not changes.empty():
        more = changes.get()
        batch = None if more is None else batch | more
    return batch


class Builder:
    """The build thread's state: the config, the engine, what was last printed."""

    def __init__(self, config: Config, args: argparse.Namespace, live: LiveSite) -> None:
        self.root, self.drafts, self.today, self.live = config.root, args.drafts, args.today, live
        self.config: Config | None = config
        self.engine = self._engine(config)
        self.recent: frozenset[str] = frozenset()
        """Sources (under content/) saved last: their pages are made first."""
        self._warnings: tuple[str, ...] = ()

    def _engine(self, config: Config) -> Engine:
        from journal_site.engine.site import Engine
        from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version

        store = Store(config.root / CACHE_DIR_NAME, code_version())
        engine = Engine(config, drafts=self.drafts, today=self.today, store=store, keep=True)
        engine.save_later = True  # the store is written once the site is published
        return engine

    def load_config(self) -> None:
        """journal.toml changed, or did not load last time: a new engine, or errors."""
        try:
            self.config = None
            self.config = load_config(self.root)
        except JournalError as exc:
            self._report_errors(exc.problems)
        else:
            self.engine = self._engine(self.config)

    def build(self, batch: Batch, changes: Changes | None = None) -> str | None:
        """Build and publish the site, or its errors; a summary if it built. Raises
        ``Cancelled`` once ``changes`` has a newer batch (the live site keeps what it got)."""
        from journal_site.engine import Cancelled, cycle_collection_paused

        if self.config is None:
            return None
        content = self.config.content_dir.resolve()
        saved = {Path(p) for _, p in batch if Path(p).is_relative_to(content)}
        # Pages of the entries saved last come first, even after a template edit: the
        # writer is likely looking at one. (A build that makes some pages first also
        # stops for a save between any two pages.)
        self.recent = frozenset(p.relative_to(content).as_posix() for p in saved) or self.recent
        started = time.perf_counter()
        self.live.begin()
        try:
            # What a build leaves (the model, its pages) is set aside from Python's
            # cycle collector as the build ends, finished or abandoned: the collector
            # would otherwise walk all of it (about 0.1 s on 4,000 entries) in the next
            # thread to make an object, the one serving the saved page or the next build.
            # Garbage cycles are collected when no change has come for a while
            # (``_collect_garbage``).
            with cycle_collection_paused(freeze=True):
                site = self.engine.build(
                    cancel=changes and (lambda: not changes.empty()),
                    first=self.recent,
                    on_output=self.live.put,
                )
        except Cancelled:
            raise
        except JournalError as exc:
            return self._report_errors(exc.problems)
        except Exception as exc:  # a bug, not the writer's mistake: one line, serving goes on
            return self._report_errors([Problem("(journal)", None, f"internal error: {exc!r}")])
        self.live.publish(site.output.files, site.changed | site.removed)
        if (warnings := tuple(str(w) for w in site.warnings)) != self._warnings:
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            self._warnings = warnings
        took = time.perf_counter() - started
        # What the build learnt goes to the store (for the next start) after the browser
        # has the site, still before the next build.
        if (save := self.engine.unsaved) is not None:
            self.engine.unsaved = None
            save()
        pages = sum(1 for p in site.changed if p.endswith(".html"))
        others, removed = len(site.changed) - pages, len(site.removed)
        parts = [plural(pages, "page")] + [plural(others, "other file")] * bool(others)
        made, reused = site.stats.get("outputs_made", 0), site.stats.get("outputs_reused", 0)
        return (
            " + ".join(parts + [f"{removed:,} removed"] * bool(removed))
            + f" (read {plural(site.stats.get('files_parsed', 0), 'file')}, "
            + f"made {made:,} of {plural(made + reused, 'output')}) in "
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
        from journal_site.engine import Cancelled

        if (done := self.build(set())) is not None:
            print(f"[{_clock()}] Built the site in memory: {done}.")
        built.set()
        carried: Batch = set()  # the changes of abandoned builds: the next one has them
        while (batch := _take(changes, _collect_garbage)) is not None:
            batch |= carried
            paths = changed_paths(batch, self.root)
            if CONFIG_NAME in paths or self.config is None:
                self.load_config()
            if self.config is not None and any("/" not in p for p in paths):
                # journal.toml, or a source folder appeared or went: watch what is there
                # now, before the build reads it.
                watcher.follow(self.config)
            try:
                done = self.build(batch, changes)
            except Cancelled:
                carried = batch
                print(f"[{_clock()}] {summary(paths)}: build abandoned for a newer change.")
                continue
            carried = set()
            if done is not None:
                print(f"[{_clock()}] {summary(paths)} changed: updated {done}.")


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _collect_garbage() -> None:
    """Collect every garbage cycle, those of the builds set aside included (see
    ``Builder.run``), and set aside what is left."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _quiet_child() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def serve_command(config: Config, args: argparse.Namespace) -> int:
    """Build, serve and watch until Ctrl-C; exit 0 on a clean stop."""
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    live = LiveSite(config.base_path)
    # The build thread computes while pages are already served: a request or an event
    # stream waiting for the interpreter gets it within 1 ms, not the default 5 ms
    # at every step of answering (a save's page goes out while the rest is planned).
    sys.setswitchinterval(0.001)
    server = listen(args.host, args.port, live)  # a busy port is told before any build
    server_pid = os.getpid()

    def interrupt(signum: int, frame: object) -> None:
        # Ctrl-C or SIGTERM stops the server. A process a build forks (a render
        # worker) has this handler until `_quiet_child` runs in it.
        if os.getpid() == server_pid:
            raise KeyboardInterrupt
        _quiet_child()
        if signum == signal.SIGTERM:
            os.kill(os.getpid(), signum)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    os.register_at_fork(after_in_child=_quiet_child)
    changes: Changes = queue.SimpleQueue()
    built, finished = threading.Event(), threading.Event()
    watcher: Watcher | None = None
    http_thread = threading.Thread(target=server.serve_forever, args=(0.2,), name="journal-http")
    try:
        watcher = Watcher(config, changes.put)  # before the first build: no save is missed
        builder = Builder(config, args, live)

        def build_thread() -> None:
            try:
                builder.run(changes, watcher, built)  # type: ignore[arg-type]
            finally:  # ends by itself only on a bug: the server then stops
                built.set()
                finished.set()

        threading.Thread(target=build_thread, name="journal-build", daemon=True).start()
        while not built.wait(0.2):
            pass
        http_thread.start()
        wildcard = args.host in ("0.0.0.0", "::", "")
        local = "127.0.0.1" if wildcard or args.host == "localhost" else args.host
        url = f"http://{f'[{local}]' if ':' in local else local}:{server.server_port}"
        drafts = "drafts shown, marked as drafts" if builder.drafts else "drafts hidden"
        print(f"Serving {config.title!r} at {url}{config.base_path} ({drafts}).")
        if wildcard:
            name = f"http://{socket.gethostname()}:{server.server_port}{config.base_path}"
            print(f"  and to other devices on your network at {name}")
        print(f"Watching {watcher.describe()} for changes. Press Ctrl-C to stop.")
        if args.open:
            import webbrowser

            webbrowser.open(url + config.base_path)
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C changes nothing
        changes.put(None)  # the build under way stops at its next page
        live.close()
        if http_thread.is_alive():
            server.shutdown()
        server.server_close()
        if watcher is not None:
            watcher.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("\nStopped serving. Goodbye, and well done for writing today.")
    if not finished.wait(1.0):
        # The build is in a stage that does not stop between pages: end its workers, if
        # it has a pool, and exit now (a normal exit would wait for them).
        multiprocessing = sys.modules.get("multiprocessing")
        for worker in multiprocessing.active_children() if multiprocessing else []:
            worker.terminate()
            worker.join(5)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
