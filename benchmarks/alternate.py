#!/usr/bin/env python3
"""One build step, this code against the code of another commit, alternating.

    python benchmarks/alternate.py STEP --before REF [--entries 4000] [--builds 8]
        [--without-reviews] [--generator SCRIPT]

STEP is ``new`` (a new entry for the benchmark's today), ``win`` (a win added to an
entry past the middle of the journal, which renumbers every later win), ``edit`` (a
line added to that entry's text), ``deploy`` or ``cold``: the steps of ``bench.py`` of
the same names. A ``deploy`` adds a new entry, builds the journal (not timed), and
times the build of a fresh copy of it (every file's time new, no public/) with the
store as it was before the new entry: a host that keeps the store between deploys. A
``cold`` build has no store and no output folder; with ``--without-reviews`` this code
makes it without the review pages (``without_reviews.py``), the pages of the code
before the engine.

Makes the journal with ``benchmarks/corpus.py`` (or ``--generator``), copies it twice,
builds each copy cold with its own code, then makes the step ``--builds`` times on each
copy, the two codes taking turns (which one goes first alternates too), each build a
``journal build`` in a subprocess, and prints every time and the medians. Five rounds of
every step (``bench.py``) move by 10 to 30 % from round to round on a busy machine;
many builds of one step, taking turns, show a smaller difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import TODAY, code_at, compiled
from corpus import add_generator_option, generate, make_step, timed_build

REPO = Path(__file__).resolve().parents[1]


def build(site: Path, code: Path, script: Path | None = None) -> float:
    """Seconds one ``journal build`` of ``site`` takes with the code in ``code`` (through
    ``script``, when given: see ``timed_build``)."""
    return timed_build(site, {**os.environ, "PYTHONPATH": str(code)}, TODAY, script)


def cold(site: Path, code: Path, script: Path | None = None) -> float:
    """Seconds a cold build of ``site`` takes: no store, no output folder."""
    for folder in (site / ".journal-cache", site / "public"):
        shutil.rmtree(folder, ignore_errors=True)
    os.sync()  # what was removed is written out, not competing with the build
    return build(site, code, script)


def deploy(site: Path, code: Path, clone: Path) -> float:
    """Seconds a deploy build of ``site`` after one more entry takes (see above)."""
    kept = clone.with_name(clone.name + "-store")
    shutil.copytree(site / ".journal-cache", kept)
    make_step("new", site / "content", TODAY, "alternate", len(list(clone.parent.iterdir())))
    build(site, code)
    shutil.copytree(site / "content", clone / "content", copy_function=shutil.copyfile)
    kept.rename(clone / ".journal-cache")
    os.sync()  # the copy written out, not competing with the build for the disk
    time.sleep(1)
    return build(clone, code)


def two_codes_options(parser: argparse.ArgumentParser) -> None:
    """The options of a benchmark of this code against another commit's."""
    parser.add_argument("--before", required=True, metavar="REF")
    parser.add_argument("--entries", type=int, default=4000)
    add_generator_option(parser)


def journal_and_codes(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Path]]:
    """The journal (``content/``) made into ``work``, and this code and ``--before``'s
    by name."""
    corpus = work / "corpus"
    generate(args.generator, corpus, args.entries)
    return corpus, {
        "this code": compiled(REPO),
        args.before: code_at(args.before, work / "before"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("new", "win", "edit", "deploy", "cold"))
    parser.add_argument("--builds", type=int, default=8)
    parser.add_argument(
        "--without-reviews",
        action="store_true",
        help="build this code without the review pages (without_reviews.py): the pages "
        "the code before the engine made",
    )
    two_codes_options(parser)
    args = parser.parse_args()
    script = REPO / "benchmarks" / "without_reviews.py" if args.without_reviews else None
    with tempfile.TemporaryDirectory(prefix="journal-alternate-") as temp:
        work = Path(temp)
        corpus, codes = journal_and_codes(args, work)
        sites = {}
        for number, name in enumerate(codes):
            site = work / f"site-{number}"
            shutil.copytree(corpus, site / "content")
            build(site, codes[name])  # cold: the store and the output folder
            sites[name] = site
        times: dict[str, list[float]] = {name: [] for name in codes}
        for number in range(args.builds):
            order = list(codes) if number % 2 == 0 else list(codes)[::-1]
            for name in order:
                site, code = sites[name], codes[name]
                if args.step == "deploy":
                    times[name].append(deploy(site, code, work / f"deploy-{number}-{name}"))
                elif args.step == "cold":
                    times[name].append(cold(site, code, script if code == REPO else None))
                else:
                    make_step(args.step, site / "content", TODAY, "alternate", number)
                    times[name].append(build(site, code))
                time.sleep(1)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        shown = " ".join(f"{value:.3f}" for value in values)
        print(f"{name}: median {medians[name]:.3f} s ({shown})")
    this, before = medians.values()
    print(f"{args.step}: this code / {args.before} = {this / before:.2f}")


if __name__ == "__main__":
    main()
