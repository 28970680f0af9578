"""The benchmarks' journal generator: the same bytes for the same seed, a journal that
builds without a problem, and the shape the large-journal tests rely on."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS_SCRIPT, make_corpus, run_journal, tree


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = tree(make_corpus(tmp_path / "a", 150))
    assert first == tree(make_corpus(tmp_path / "b", 150))
    assert first != tree(make_corpus(tmp_path / "c", 150, seed=8))


def test_a_year_of_entries_has_gaps_and_ends_on_the_last_day(tmp_path: Path) -> None:
    names = sorted(p.name for p in make_corpus(tmp_path / "content", 365).glob("*.md"))
    assert len(names) == 365
    assert names[-1] == "2026-11-24.md"
    days = sorted({dt.date.fromisoformat(name[:10]) for name in names})
    span = (days[-1] - days[0]).days + 1
    # About one day in eight missed, and a few days with two entries.
    assert 0.05 < 1 - len(days) / span < 0.2
    assert any(name.endswith("-2.md") for name in names)


def test_the_command_line_writes_a_journal_with_goals_that_checks_clean(tmp_path: Path) -> None:
    site = tmp_path / "site"
    args = ["--entries", "200", "--seed", "3", "--end", "2026-06-30", "--goals"]
    done = subprocess.run(
        [sys.executable, str(CORPUS_SCRIPT), str(site / "content"), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("wrote 200 entries from ")
    assert (site / "content" / "2026-06-30.md").is_file()
    goals = sorted(p.stem for p in (site / "content" / "goals").glob("*.md"))
    assert "run-5k" in goals
    check = run_journal("check", "--today", "2026-07-01", cwd=site)
    assert check.returncode == 0, check.stdout + check.stderr
    stats = run_journal("stats", "--json", "--today", "2026-07-01", cwd=site)
    assert json.loads(stats.stdout)["entries"] == 200
