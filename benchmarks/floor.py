#!/usr/bin/env python3
"""What every ``journal build`` that finds a change pays before it plans a single page:
the floor under the time of an edit.

    python benchmarks/floor.py [--entries 4000] [--rounds 8] [--generator SCRIPT]

Makes the journal with ``benchmarks/corpus.py`` (or ``--generator``) and builds it once
(for the store and public/). Then, round after round, each in a new process as every
``journal build`` is, in the same round so that a machine whose speed drifts slows all
of them alike:

- ``python``: the interpreter starting and stopping (``python -c pass``);
- ``imports``: the interpreter importing what a build that renders a page imports (the
  command line, build.py, the engine and, through it, Jinja);
- ``dataclasses``: of those imports, the time spent making the package's dataclasses
  (``dataclasses`` writes and compiles each one's ``__init__``, ``__eq__``, ``__repr__``,
  ``__hash__`` and, for a frozen one, ``__setattr__`` and ``__delattr__``), timed in a
  process of its own that imports the same;
- ``floor``: the engine building the journal with no page builder at all: it scans
  content/, loads every entry from the store, makes the model and plans and renders
  nothing (``Selection(builders=())``), nothing written, the process ending as
  ``journal`` ends (``cli.run``);
- ``edit``: ``journal build`` after a line added to the text of the entry in the middle
  of the journal (``bench.py``'s step).

Prints each one's median, and its share of the edit's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import TODAY, compiled
from corpus import add_generator_option, built_journal, make_step, timed_build

REPO = Path(__file__).resolve().parents[1]

IMPORTS = "import journal_site.cli, journal_site.build, journal_site.engine.site"

CLASSES = f"""
import dataclasses, time
make = dataclasses._process_class
spent = 0.0
def timed(*args, **kwargs):
    global spent
    started = time.perf_counter()
    try:
        return make(*args, **kwargs)
    finally:
        spent += time.perf_counter() - started
dataclasses._process_class = timed
{IMPORTS}
print(spent)
"""

FLOOR = f"""
import datetime as dt
from pathlib import Path
from journal_site.config import load_config
from journal_site.engine.selection import Selection
from journal_site.engine.site import Engine
from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version
config = load_config(Path.cwd())
store = Store(config.root / CACHE_DIR_NAME, code_version())
engine = Engine(config, today=dt.date.fromisoformat({TODAY!r}), store=store,
                selection=Selection(builders=()))
engine.save_later = True  # nothing written: the store stays the last build's
engine.build()
import os
os._exit(0)  # as `journal` ends (cli.run): nothing freed one by one
"""


def timed(code: str, site: Path, env: dict[str, str]) -> float:
    """Seconds ``python -c code`` takes in ``site`` (it fails loudly)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=site, env=env, check=True)
    return time.perf_counter() - started


def printed(code: str, site: Path, env: dict[str, str]) -> str:
    """What ``python -c code`` prints in ``site`` (it fails loudly)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=site, env=env, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=8)
    add_generator_option(parser)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(compiled(REPO))}
    with built_journal(args.generator, args.entries, env, TODAY, "floor") as site:
        times: dict[str, list[float]] = {}
        for number in range(args.rounds):
            round_times = {
                "python": timed("pass", site, env),
                "imports": timed(IMPORTS, site, env),
                "dataclasses": float(printed(CLASSES, site, env)),
                "floor": timed(FLOOR, site, env),
            }
            make_step("edit", site / "content", TODAY, "floor", number)
            round_times["edit"] = timed_build(site, env, TODAY)
            for name, seconds in round_times.items():
                times.setdefault(name, []).append(seconds)
            shown = ", ".join(f"{name} {seconds:.3f}" for name, seconds in round_times.items())
            print(f"round {number + 1}/{args.rounds}: {shown}", file=sys.stderr)
    edit = statistics.median(times["edit"])
    print(f"| {args.entries:,} entries, median of {args.rounds} rounds | seconds | of the edit |")
    print("|---|---|---|")
    for name in ("python", "imports", "dataclasses", "floor", "edit"):
        median = statistics.median(times[name])
        print(f"| {name} | {median:.3f} | {median / edit:.0%} |")


if __name__ == "__main__":
    main()
