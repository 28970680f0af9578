"""Twenty years of entries, and a 50,000-entry stress corpus, build within bounded memory.

Each build runs the real CLI in a subprocess started by a small wrapper process, which
reports the children's peak resident memory (``ru_maxrss`` of RUSAGE_CHILDREN: the
largest single process, the build or one of its forked workers) and CPU time. Memory
must grow no faster than the number of entries: the peak per entry of the big build is
no more than that of the 20-year one (within a quarter, for noise). The figures are
printed (run with ``-s``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO, make_corpus

TODAY = "2026-11-25"

_WRAPPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "code": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr[-4000:],
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }))
    """
)


def measured_build(site: Path) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "journal_site", "build",
         "--site", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=3600,
        check=True,
    )  # fmt: skip
    figures = json.loads(done.stdout)
    figures["wall_s"] = time.perf_counter() - started
    assert figures["code"] == 0, figures["stderr"]
    return figures


@pytest.fixture(scope="module")
def twenty_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, object]]:
    entries = 7_300
    site = make_corpus(tmp_path_factory.mktemp("years20") / "content", entries).parent
    return entries, measured_build(site)


@pytest.mark.slow
def test_a_twenty_year_journal_builds(twenty_years) -> None:
    entries, figures = twenty_years
    assert f"Built {entries:,} entries" in str(figures["stdout"])
    print(
        f"\n{entries:,} entries: {figures['wall_s']:.1f} s wall, {figures['cpu_s']:.1f} s CPU, "
        f"peak {figures['peak_mb']:.0f} MB ({figures['peak_mb'] * 1024 / entries:.1f} KB/entry)"
    )
    assert figures["peak_mb"] < 2_000


@pytest.mark.slow
def test_fifty_thousand_entries_build_and_memory_grows_no_faster_than_entries(
    twenty_years, tmp_path: Path
) -> None:
    small_entries, small = twenty_years
    entries = 50_000
    site = make_corpus(tmp_path / "content", entries).parent
    big = measured_build(site)
    assert f"Built {entries:,} entries" in str(big["stdout"])
    per_entry_small = float(small["peak_mb"]) / small_entries
    per_entry_big = float(big["peak_mb"]) / entries
    print(
        f"\n{entries:,} entries: {big['wall_s']:.1f} s wall, {big['cpu_s']:.1f} s CPU, "
        f"peak {big['peak_mb']:.0f} MB ({per_entry_big * 1024:.1f} KB/entry; "
        f"{small_entries:,} entries: {per_entry_small * 1024:.1f} KB/entry)"
    )
    # Linear growth with a fixed start-up cost makes the big build's share per entry the
    # smaller one; a quarter of slack absorbs the allocator's and the workers' noise.
    assert per_entry_big <= 1.25 * per_entry_small, (per_entry_big, per_entry_small)
    assert float(big["peak_mb"]) < 8_000  # a third of the 24 GB machine
