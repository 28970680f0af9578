#!/usr/bin/env python3
"""What a step makes again, and what of it changed: where a build's render time goes.

    python benchmarks/remade.py [STEP] [--entries 4000] [--rounds 3] [--generator SCRIPT]

Makes the journal with ``benchmarks/corpus.py`` (or ``--generator``) and builds it once.
Then, round after round: applies ``STEP`` (``win``, ``new`` or ``edit``, as ``bench.py``
does), and runs ``journal build`` with each output it makes timed where it is made (in
this process or in a forked helper). Each output made is put in one group, by how its
bytes differ from the file the build before wrote (the default theme's markup):

- ``unchanged``: the same bytes (made again all the same);
- ``numbers``: only win numbers differ (a card's ``#1,234``);
- ``numbers, wall totals``: win numbers and the wins wall's counts (every win so far,
  each year's) differ, nothing else;
- ``more``: anything else (new text, a moved milestone, a new page).

Prints, for each group, the outputs made and their render time (the sum over all
processes, median of the rounds), and its share of the whole. Tag pages and years of
the wall in the middle two groups are made once for all their win numbers, and filled
in (engine/late.py): their time is that of finding the text kept and putting the
numbers in, or, when the wall's counts moved, of making the page around its days.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from bench import TODAY, compiled
from corpus import add_generator_option, built_journal, make_step

REPO = Path(__file__).resolve().parents[1]

TIMED = """
import os, sys, time
import journal_site.engine.make as make
made = make.make_one
def timed(item, renderer, resolve):
    started = time.perf_counter()
    data = made(item, renderer, resolve)
    line = f"{item.path}\\t{time.perf_counter() - started:.6f}\\n"
    with open(os.environ["REMADE_LOG"], "a", encoding="utf-8") as log:
        log.write(line)  # one write per line: helpers append to the same file
    return data
make.make_one = timed
from journal_site.cli import run
sys.argv = ["journal", "build", "--today", sys.argv[1]]
run()
"""

NUMBER = re.compile(r'(title="win number )[0-9]+(">#)[0-9,]+')
"""A win's number as the default card prints it."""
TOTALS = re.compile(r'<p class="lede">[0-9,]+ wins so far|<span class="muted">[0-9,]+</span>')
"""The wins wall's count of every win so far, and of each year in its list of years."""

GROUPS = ("unchanged", "numbers", "numbers, wall totals", "more")


def group(before: bytes | None, after: bytes) -> str:
    """Which of ``GROUPS`` an output is in, by how ``after`` differs from ``before``."""
    if before == after:
        return "unchanged"
    if before is None:
        return "more"
    old = NUMBER.sub("#", before.decode("utf-8", "replace"))
    new = NUMBER.sub("#", after.decode("utf-8", "replace"))
    if old == new:
        return "numbers"
    if TOTALS.sub("", old) == TOTALS.sub("", new):
        return "numbers, wall totals"
    return "more"


def one_round(site: Path, env: dict[str, str], step: str, number: int) -> dict[str, list]:
    """Apply ``step``, build, and group what the build made: group -> [count, seconds]."""
    public = site / "public"
    # The files as the build before wrote them, held here: a copy on disk would make
    # every folder again, which takes longer than the build itself on some disks.
    before = {
        p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*") if p.is_file()
    }
    make_step(step, site / "content", TODAY, "remade", number)
    log = site / "remade.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-c", TIMED, TODAY],
        cwd=site,
        env={**env, "REMADE_LOG": str(log)},
        check=True,
        capture_output=True,
    )
    seconds: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        path, spent = line.split("\t")
        seconds[path] = seconds.get(path, 0.0) + float(spent)
    groups: dict[str, list] = {name: [0, 0.0] for name in GROUPS}
    for path, spent in seconds.items():
        found = group(before.get(path), (public / path).read_bytes())
        groups[found][0] += 1
        groups[found][1] += spent
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", nargs="?", default="win", choices=("win", "new", "edit"))
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    add_generator_option(parser)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(compiled(REPO))}
    with built_journal(args.generator, args.entries, env, TODAY, "remade") as site:
        rounds = []
        for number in range(args.rounds):
            rounds.append(one_round(site, env, args.step, number))
            shown = ", ".join(f"{n} {c} ({s:.3f} s)" for n, (c, s) in rounds[-1].items())
            print(f"round {number + 1}/{args.rounds}: {shown}", file=sys.stderr)
    total = statistics.median(sum(s for _, s in r.values()) for r in rounds)
    print(f"| {args.entries:,} entries, a {args.step}, median of {args.rounds} rounds "
          "| outputs made | render time, all processes | share |")  # fmt: skip
    print("|---|---|---|---|")
    for name in GROUPS:
        count = statistics.median(r[name][0] for r in rounds)
        spent = statistics.median(r[name][1] for r in rounds)
        print(f"| {name} | {count:g} | {spent:.3f} s | {spent / total:.0%} |")


if __name__ == "__main__":
    main()
