#!/usr/bin/env python3
"""What ``journal serve`` does after a save, this code against another commit's, save
by save.

    python benchmarks/serve_alternate.py STEP --before REF [--entries 4000] [--saves 16]
        [--generator SCRIPT]

STEP is a save to the journal: ``newest`` rewrites the first win of the newest entry
(what ``reload.py`` saves), ``new``, ``win`` and ``edit`` are ``bench.py``'s steps of
those names (a new entry for today; a win added past the middle of the journal, which
moves the number of every later win; a line added to that entry's text).

Makes the journal with ``benchmarks/corpus.py`` (or ``--generator``), copies it twice
and builds each copy once with its own code (``journal build``, for the store). Then a
process for each code holds an engine as ``journal serve`` does (in memory, the pages
of the entry saved first, the store written after the site is whole) and, for each
save, both copies get the same save and each process rebuilds, the two taking turns
(which one goes first alternates): a machine whose speed drifts from minute to minute
slows both alike. Prints each rebuild's milliseconds (until the whole site is
consistent in memory, as the server's "updated ... in" line) and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alternate import journal_and_codes, two_codes_options
from bench import TODAY
from corpus import make_step, timed_build

WIN_LINE = re.compile(r"^wins:\n  - .*$", re.M)


def drive(site: Path) -> None:
    """The process of one code: for each line ``SOURCE`` read, a rebuild with the pages
    of content/SOURCE first; writes its milliseconds."""
    import datetime as dt

    from journal_site.config import load_config
    from journal_site.engine import cycle_collection_paused
    from journal_site.engine.site import Engine
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version

    config = load_config(site)
    store = Store(site / CACHE_DIR_NAME, code_version())
    engine = Engine(config, today=dt.date.fromisoformat(TODAY), store=store, keep=True)
    engine.save_later = True
    for line in sys.stdin:
        started = time.perf_counter()
        with cycle_collection_paused(freeze=True):
            engine.build(cancel=lambda: False, first={line.strip()}, on_output=lambda p, d: None)
        took = (time.perf_counter() - started) * 1000
        if engine.unsaved is not None:  # after the site is whole, as the server does
            engine.unsaved()
            engine.unsaved = None
        print(json.dumps(took), flush=True)


def save(step: str, content: Path, number: int) -> str:
    """Make ``step``'s save in ``content``; the source saved."""
    files = sorted(content.glob("*.md"))
    if step == "newest":
        newest = files[-1]
        text = WIN_LINE.sub(f'wins:\n  - "Saved in round {number}"', newest.read_text(), count=1)
        newest.write_text(text)
        return newest.name
    make_step(step, content, TODAY, "serve", number)
    after = {path.name for path in content.glob("*.md")} - {path.name for path in files}
    if after:
        return after.pop()
    middle = files[len(files) // 2 :]
    return (
        next(p for p in middle if "\nwins:\n" in p.read_text()) if step == "win" else middle[0]
    ).name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("newest", "new", "win", "edit"))
    parser.add_argument("--saves", type=int, default=16)
    two_codes_options(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journal-serve-alternate-") as temp:
        work = Path(temp)
        corpus, codes = journal_and_codes(args, work)
        drivers, sites = {}, {}
        for number, (name, code) in enumerate(codes.items()):
            site = sites[name] = work / f"site-{number}"
            shutil.copytree(corpus, site / "content")
            env = {**os.environ, "PYTHONPATH": str(code)}
            timed_build(site, env, TODAY)  # the store, as a server started later finds it
            drivers[name] = subprocess.Popen(
                [sys.executable, __file__, "--drive", str(site)],
                env={**env, "PYTHONPATH": f"{code}{os.pathsep}{Path(__file__).parent}"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        try:
            times: dict[str, list[float]] = {name: [] for name in codes}
            newest = sorted(corpus.glob("*.md"))[-1].name
            for driver in drivers.values():  # the first builds load the store
                for _ in range(2):
                    _rebuild(driver, newest)
            for number in range(args.saves):
                order = list(codes) if number % 2 == 0 else list(codes)[::-1]
                for name in order:
                    source = save(args.step, sites[name] / "content", number)
                    time.sleep(0.3)
                    times[name].append(_rebuild(drivers[name], source))
        finally:
            for driver in drivers.values():
                driver.stdin.close()  # type: ignore[union-attr]
                driver.wait()
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        ninety = (
            statistics.quantiles(values, n=10, method="inclusive")[-1]
            if len(values) > 1
            else values[0]
        )
        shown = " ".join(f"{value:.0f}" for value in values)
        print(f"{name}: median {medians[name]:.0f} ms, p90 {ninety:.0f} ms ({shown})")
    this, before = medians.values()
    print(f"serve {args.step}: this code / {args.before} = {this / before:.2f}")


def _rebuild(driver: subprocess.Popen[str], source: str) -> float:
    assert driver.stdin is not None and driver.stdout is not None
    driver.stdin.write(source + "\n")
    driver.stdin.flush()
    line = driver.stdout.readline()
    if not line:
        raise SystemExit(f"a build failed: see above (saved {source})")
    return float(json.loads(line))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--drive":
        drive(Path(sys.argv[2]))
    else:
        main()
