"""What encryption costs: build time and output size, with and without a password.

    python benchmarks/encryption.py [--entries 4000] [--runs 3]

Makes a journal with ``benchmarks/corpus.py`` and builds it with the real
CLI (``python -m journal_site build``, a subprocess, as a person would), alternately
plain and with ``JOURNAL_PASSWORD`` set, each time from a cold start (no
``public/``, no ``.journal-cache/``). Prints a Markdown table of the median wall time,
the number of files, the bytes on disk, and the bytes a host would send with gzip
(every file compressed on its own at level 6, as a web server does on the fly).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from corpus import add_generator_option, generate, timed_build

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-24"
PASSWORD = "pylon marsh cobalt tundra wicker"  # not a secret: a benchmark


def build(site: Path, password: str) -> float:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".journal-cache", ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "JOURNAL_PASSWORD": password,
        "JOURNAL_BASIC_AUTH": "",
    }
    return timed_build(site, env, TODAY)


def sizes(public: Path) -> tuple[int, int, int]:
    """(files, bytes on disk, bytes sent gzipped)."""
    files = [p for p in public.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    sent = sum(len(gzip.compress(p.read_bytes(), compresslevel=6)) for p in files)
    return len(files), raw, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    add_generator_option(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "journal"
        generate(args.generator, site / "content", args.entries)
        times: dict[str, list[float]] = {"plain": [], "encrypted": []}
        measured: dict[str, tuple[int, int, int]] = {}
        for _ in range(args.runs):
            for kind, password in (("plain", ""), ("encrypted", PASSWORD)):
                times[kind].append(build(site, password))
                measured[kind] = sizes(site / "public")
    mib = 1024 * 1024
    print(f"{args.entries:,} entries, median of {args.runs} cold builds each\n")
    print("| build | time | files | on disk | sent with gzip |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("plain", "encrypted"):
        files, raw, sent = measured[kind]
        print(
            f"| {kind} | {statistics.median(times[kind]):.2f} s | {files:,} "
            f"| {raw / mib:.1f} MiB | {sent / mib:.1f} MiB |"
        )
    plain_t, enc_t = (statistics.median(times[k]) for k in ("plain", "encrypted"))
    plain_s, enc_s = measured["plain"][2], measured["encrypted"][2]
    print(
        f"\nEncryption adds {enc_t - plain_t:.2f} s ({(enc_t / plain_t - 1) * 100:.0f} %) "
        f"and {(enc_s / plain_s - 1) * 100:+.0f} % bytes sent."
    )


if __name__ == "__main__":
    main()
