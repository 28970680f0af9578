"""`journal stats` through the real CLI on tests/fixtures/progress, checked against hand counts.

The fixture (today = Thursday 2026-11-26, nothing written today):

    2025-11-26  health, mood 3, 1 win                    (a year ago today)
    2026-11-10  work, mood 2, 1 win, 1 setback with a lesson
    2026-11-11  work+health, mood 4, 2 wins (one tagged running), 1 setback, no lesson
    2026-11-12  mood 3, no wins
    2026-11-14  1 win tagged health (the entry itself has no tag)
    2026-11-20  DRAFT, work, 1 win                        (never counted)
    2026-11-23  mindfulness, 1 win
    2026-11-24  3 wins; a second entry that evening: work, 1 win also tagged work
    2026-11-25  mood 5, 1 win
    2026-11-27  1 win, dated after today                  (counted in totals, not streaks)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES

from journal_site.aggregate.streaks import HALF_LIFE_DAYS

TODAY = "2026-11-26"


def fixture_copy(tmp_path: Path, toml: str | None = None) -> Path:
    root = tmp_path / "progress"
    shutil.copytree(FIXTURES / "progress", root)
    if toml is not None:
        (root / "journal.toml").write_text(toml, encoding="utf-8")
    return root


def stats_json(journal, root: Path) -> dict:
    result = journal("stats", "--json", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    # The future entry is reported, on stderr, so stdout stays one JSON object.
    assert "2026-11-27.md" in result.stderr and "after today" in result.stderr
    return json.loads(result.stdout)


def test_stats_json_every_field(journal, tmp_path):
    data = stats_json(journal, fixture_copy(tmp_path))
    # 11 files minus the draft; 11-24 has two entries, so 9 distinct days.
    assert data["entries"] == 10
    assert data["days"] == 9
    # 1 + 1 + 2 + 0 + 1 + 1 + 3 + 1 + 1 + 1 (the future entry is a shown entry)
    assert data["wins"] == 12
    assert data["setbacks"] == 2
    assert data["first_day"] == "2025-11-26"
    assert data["last_day"] == "2026-11-27"
    # Runs up to today: [2025-11-26] [11-10..11-12] [11-14] [11-23..11-25]. Today is
    # empty, so the run ending yesterday is current; 10-12 and 23-25 tie at 3 and the
    # tie goes to the most recent.
    assert data["streak"] == {
        "current": 3,
        "current_start": "2026-11-23",
        "longest": 3,
        "longest_start": "2026-11-23",
        "longest_end": "2026-11-25",
        "rule": "entry",
        "grace": 0,
    }
    # Consistency through yesterday (today is not over): counted days sit k days
    # before 2026-11-25 for k in {0, 1, 2, 11, 13, 14, 15, 364}, out of 365 days.
    w = 0.5 ** (1 / HALF_LIFE_DAYS)
    expected = (
        100 * sum(w**k for k in (0, 1, 2, 11, 13, 14, 15, 364)) / sum(w**k for k in range(365))
    )
    assert data["consistency"] == round(expected, 1) == 23.9
    assert data["tags"] == {
        # entries 2025-11-26 and 11-11 (3 wins) + the win tagged health on 11-14
        "health": {"entries": 2, "wins": 4, "setbacks": 1},
        "mindfulness": {"entries": 1, "wins": 1, "setbacks": 0},
        # only a win carries it: no entry does
        "running": {"entries": 0, "wins": 1, "setbacks": 0},
        # 11-10 (1) + 11-11 (2) + the evening entry's win, tagged twice but counted once;
        # the draft's tag is not counted
        "work": {"entries": 3, "wins": 4, "setbacks": 2},
    }


def test_stats_json_win_rule_with_grace(journal, tmp_path):
    root = fixture_copy(tmp_path, 'streak = "win"\nstreak_grace = 1\n')
    streak = stats_json(journal, root)["streak"]
    # Win days: 2025-11-26, 11-10, 11-11, 11-14, 11-23, 11-24, 11-25. 11-12 has no win, so
    # 11-11 -> 11-14 misses two days (12, 13): more than the grace of one.
    assert streak == {
        "current": 3,
        "current_start": "2026-11-23",
        "longest": 3,
        "longest_start": "2026-11-23",
        "longest_end": "2026-11-25",
        "rule": "win",
        "grace": 1,
    }


def test_stats_json_grace_bridges_a_day(journal, tmp_path):
    root = fixture_copy(tmp_path, "streak_grace = 1\n")
    streak = stats_json(journal, root)["streak"]
    # Entry days 10, 11, 12, (13 missed), 14: one run of 4 counted days.
    assert (streak["longest"], streak["longest_start"], streak["longest_end"]) == (
        4,
        "2026-11-10",
        "2026-11-14",
    )
    assert (streak["current"], streak["current_start"]) == (3, "2026-11-23")


def test_stats_json_empty_journal(journal, tmp_path):
    (tmp_path / "content").mkdir()
    result = journal("stats", "--json", "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entries"] == data["days"] == data["wins"] == data["setbacks"] == 0
    assert data["first_day"] is None and data["last_day"] is None
    assert data["streak"]["current"] == data["streak"]["longest"] == 0
    assert data["streak"]["current_start"] is None and data["streak"]["longest_end"] is None
    assert data["consistency"] == 0.0
    assert data["tags"] == {}


def test_stats_text_is_readable(journal, tmp_path):
    result = journal("stats", "--today", TODAY, cwd=fixture_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "10 entries on 9 days since Wednesday 26 November 2025" in out
    assert "noted 12 wins" in out
    assert "Current streak: 3 days, since Monday 23 November 2026. Today is still open." in out
    assert "Longest streak: 3 days (Monday 23 November 2026 to Wednesday 25 November 2026)" in out
    assert "Consistency: 24%" in out


def test_stats_text_kind_when_no_streak(journal, tmp_path):
    # By 2 December the run that ended on the 27th is over (the 28th to the 1st are empty).
    result = journal("stats", "--today", "2026-12-02", cwd=fixture_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "No streak running right now, and that is fine" in result.stdout
    # December so far: nothing written yet.
    assert "You wrote on 0 days this month." in result.stdout
