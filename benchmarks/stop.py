#!/usr/bin/env python3
"""How long a build in ``journal serve`` takes to stop for a newer save.

    python benchmarks/stop.py [--entries 4000] [--trials 50] [--generator SCRIPT]

Makes a journal with ``benchmarks/corpus.py`` (or ``--generator``), holds one engine in
memory as ``journal serve`` does, and again and again: adds a win to the newest entry,
starts a build in a thread (as serve's build thread), waits until the saved entry's page
is handed on, waits a random 0 to 350 ms more (the build is planning and rendering the
rest by then), and marks a newer save. The figure is the time from that mark until the
build has stopped. The same builds run two ways, alternating:

- *serve*: as ``journal serve`` runs them, what a build leaves set aside from Python's
  cycle collector as it ends (``serve/app.py``);
- *collector back on*: the build alone, the collector switched back on as it ends, as
  serve ran them before.

Prints the median, 90th percentile and maximum of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from corpus import add_generator_option, generate

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from journal_site.engine import Cancelled, cycle_collection_paused  # noqa: E402

if TYPE_CHECKING:
    from journal_site.engine.site import Engine

CORPUS_END = dt.date(2026, 11, 24)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--trials", type=int, default=50, help="builds stopped, each way")
    add_generator_option(parser)
    args = parser.parse_args()

    from journal_site.config import load_config
    from journal_site.engine.site import Engine

    with tempfile.TemporaryDirectory(prefix="journal-stop-bench-") as tmp:
        site = Path(tmp) / "site"
        generate(args.generator, site / "content", args.entries, CORPUS_END)
        newest = site / "content" / f"{CORPUS_END.isoformat()}.md"
        original = newest.read_text()
        engine = Engine(load_config(site), today=CORPUS_END + dt.timedelta(days=1), keep=True)
        with cycle_collection_paused(freeze=True):
            engine.build()

        def as_serve(build: Callable[[], object]) -> None:
            with cycle_collection_paused(freeze=True):
                build()

        def collector_back_on(build: Callable[[], object]) -> None:
            build()

        ways = {"serve": as_serve, "collector back on": collector_back_on}
        stops: dict[str, list[float]] = {name: [] for name in ways}
        rng = random.Random(1)
        for trial in range(args.trials * len(ways)):
            name = list(ways)[trial % len(ways)]
            # Each way from its own state: serve's with everything kept set aside, the
            # one before with nothing set aside (the collector sees all of it).
            gc.unfreeze()
            gc.collect()
            if ways[name] is as_serve:
                gc.freeze()
            newest.write_text(original.replace("\nwins:\n", f'\nwins:\n  - "Win {trial}"\n', 1))
            stops[name].append(_stop_once(engine, newest.name, ways[name], rng.uniform(0, 0.35)))
        newest.write_text(original)

    print(f"A build stopping for a newer save, {args.entries:,} entries, {args.trials} each:")
    print()
    print("| way | median | p90 | most |")
    print("|---|---|---|---|")
    for name, times in stops.items():
        # The 90th percentile as reload.py takes it.
        p90 = statistics.quantiles(times, n=10, method="inclusive")[-1] if len(times) > 1 else 0
        print(
            f"| {name} | {statistics.median(times):.1f} ms | {p90:.1f} ms | {max(times):.1f} ms |"
        )


def _stop_once(
    engine: Engine, saved: str, way: Callable[[Callable[[], object]], None], delay: float
) -> float:
    """Milliseconds from a newer save to the build's stop, the save marked ``delay``
    seconds after the saved entry's page was handed on."""
    newer, stopped, shown = threading.Event(), threading.Event(), threading.Event()

    def build() -> None:
        with contextlib.suppress(Cancelled):
            way(
                lambda: engine.build(
                    cancel=newer.is_set, first={saved}, on_output=lambda path, data: shown.set()
                )
            )
        stopped.set()

    thread = threading.Thread(target=build)
    thread.start()
    shown.wait()
    time.sleep(delay)
    marked = time.perf_counter()
    newer.set()
    stopped.wait()
    took = (time.perf_counter() - marked) * 1000
    thread.join()
    return took


if __name__ == "__main__":
    main()
