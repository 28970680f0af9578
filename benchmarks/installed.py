#!/usr/bin/env python3
"""One build step with the tool installed as the README installs it, taking turns with
the same code run as the other benchmarks run it.

    python benchmarks/installed.py [STEP] [--python PYTHON] [--builds 12]
        [--entries 4000] [--generator SCRIPT]

STEP is ``edit`` (the default), ``new`` or ``win``: ``bench.py``'s steps of those names.
Makes a virtual environment with PYTHON (default: ``python3``, the system's, as the
README's first command runs it) in a temporary folder, installs this repository's last
commit into it with ``pip install .`` (not ``-e``: no editable finder to load at every
start), makes the journal with ``benchmarks/corpus.py`` (or ``--generator``), copies it
twice and builds each copy once. Then it makes STEP ``--builds`` times on each copy, the
installed ``journal build`` and this interpreter's ``python -m journal_site build`` with
this checkout on ``PYTHONPATH`` (what ``alternate.py`` and ``bench.py`` time) taking
turns, each build in a new process, and prints every time and the medians: what a
person who followed the README waits for, beside the figure the other benchmarks give.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import TODAY, code_at, compiled
from corpus import add_generator_option, generate, make_step

REPO = Path(__file__).resolve().parents[1]


def installed(python: str, work: Path) -> Path:
    """The ``journal`` command of a virtual environment made with ``python`` and this
    repository's last commit installed into it with ``pip install .``."""
    code = code_at("HEAD", work / "code")
    venv = work / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "."]
    subprocess.run(pip, cwd=code, check=True, capture_output=True)
    return venv / "bin" / "journal"


def timed(command: list[str], site: Path, env: dict[str, str]) -> float:
    """Seconds one ``journal build --today`` of ``site`` takes, in a new process."""
    started = time.perf_counter()
    subprocess.run(
        [*command, "build", "--today", TODAY], cwd=site, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", default="edit", choices=("edit", "new", "win"))
    parser.add_argument("--python", default="python3")
    parser.add_argument("--builds", type=int, default=12)
    parser.add_argument("--entries", type=int, default=4000)
    add_generator_option(parser)
    args = parser.parse_args()
    plain = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    with tempfile.TemporaryDirectory(prefix="journal-installed-") as temp:
        work = Path(temp)
        runs = {
            "installed (pip install .)": ([str(installed(args.python, work))], plain),
            "this checkout (python -m journal_site)": (
                [sys.executable, "-m", "journal_site"],
                {**plain, "PYTHONPATH": str(compiled(REPO))},
            ),
        }
        generate(args.generator, work / "corpus", args.entries)
        sites = {}
        for number, (name, (command, env)) in enumerate(runs.items()):
            site = sites[name] = work / f"site-{number}"
            shutil.copytree(work / "corpus", site / "content")
            timed(command, site, env)  # cold: the store and the output folder
        times: dict[str, list[float]] = {name: [] for name in runs}
        for number in range(args.builds):
            order = list(runs) if number % 2 == 0 else list(runs)[::-1]
            for name in order:
                command, env = runs[name]
                make_step(args.step, sites[name] / "content", TODAY, "installed", number)
                times[name].append(timed(command, sites[name], env))
                time.sleep(0.5)
    for name, values in times.items():
        shown = " ".join(f"{value:.3f}" for value in values)
        print(f"{name}: median {statistics.median(values):.3f} s ({shown})")


if __name__ == "__main__":
    main()
