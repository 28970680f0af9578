"""Goals: steps done or not, progress, linked wins, target dates, unknown and implied goals.

tests/fixtures/collections/content/goals/run-5k.md has four steps:

    [x] Buy running shoes          done in the file
        Run 1 km                   done by the win of 2026-01-03 ("Run 1 km")
        Run 3 km without stopping  done by the win of 2026-01-05 ("Run 3 km  without STOPPING":
                                   case and spacing do not matter)
        Run 5 km                   not yet

so 3 of 4 steps (75 %). Target 2026-03-01, today 2026-01-10: 21 days left in January
+ 28 in February + 1 = 50 days to go. read-more.md has no steps and no wins.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_journal
from pages_support import COLLECTIONS_TODAY as TODAY
from pages_support import build_site, fixture_copy, page


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(run_journal, fixture_copy(tmp_path_factory.mktemp("goals")), TODAY)


def test_goal_page_steps_progress_wins_and_target(public):
    goal = page(public, "goals/run-5k/")
    assert goal.find("h1").text() == "Run 5 km"
    steps = [
        (s.find(cls="step-text").text(), "is-done" in s.classes)
        for s in goal.find("ol", cls="steps").find_all("li")
    ]
    assert steps == [
        ("Buy running shoes", True),
        ("Run 1 km", True),
        ("Run 3 km without stopping", True),
        ("Run 5 km", False),
    ]
    bar = goal.find("progress")
    assert (bar.attrs["value"], bar.attrs["max"]) == ("3", "4")
    assert goal.find(cls="goal-progress-text").text() == "3 of 4 steps done (75 %)"
    meta = goal.find("p", cls="goal-meta").text()
    assert "2 wins toward it, the latest on Monday 5 January 2026." in meta
    assert "Target: Sunday 1 March 2026, 50 days to go." in meta
    # The step a win completed links to that win's entry.
    done_by = goal.find("ol", cls="steps").find_all("a", cls="step-win")
    assert [a.attrs["href"] for a in done_by] == ["/2026/01/03/", "/2026/01/05/"]
    wins = [c.find("p", cls="win-text").text() for c in goal.find_all("li", cls="win-card")]
    assert wins == ["Run 3 km without STOPPING", "Run 1 km"]
    for node in goal.iter():
        assert "style" not in node.attrs


def test_goals_index(public):
    cards = page(public, "goals/").find_all("li", cls="goal-card")
    summary = [(c.find("a").text(), c.find("a").attrs["href"]) for c in cards]
    assert summary == [("Read more", "/goals/read-more/"), ("Run 5 km", "/goals/run-5k/")]
    assert not cards[0].find_all("progress")  # no steps, no bar
    assert "0 wins toward it." in cards[0].find("p", cls="goal-meta").text()
    assert cards[1].find("progress").attrs["value"] == "3"


def test_a_passed_target_is_said_kindly(journal, tmp_path):
    public = build_site(journal, fixture_copy(tmp_path), "2026-03-05")
    meta = page(public, "goals/run-5k/").find("p", cls="goal-meta").text()
    assert "that date has passed. Targets can move, and every step still counts." in meta


def test_a_win_naming_an_unknown_goal_is_an_error(journal, site):
    root = site(
        {
            "content/goals/run-5k.md": "---\ntitle: Run 5 km\n---\n",
            "content/goals/sleep-by-11.md": "---\ntitle: Sleep by 11\n---\n",
            "content/2026-01-01.md": (
                "---\ntitle: Out\nwins:\n  - Walked\n  - text: Ran 10 km\n    goal: run-10k\n---\n"
            ),
        }
    )
    for command in ("build", "check"):
        result = journal(command, "--today", TODAY, cwd=root)
        assert result.returncode == 1
        assert (
            "content/2026-01-01.md:5: wins[1].goal: no goal 'run-10k'; "
            "known goals: run-5k, sleep-by-11"
        ) in result.stderr
        assert "Traceback" not in result.stderr
    assert not (root / "public").exists()


def test_goals_are_implied_when_there_are_no_goal_files(journal, site):
    root = site(
        {
            "content/2026-01-01.md": (
                "---\nwins:\n  - text: Read a chapter\n    goal: read-more-books\n---\n"
            ),
        }
    )
    public = build_site(journal, root, TODAY)
    goal = page(public, "goals/read-more-books/")
    assert goal.find("h1").text() == "Read more books"
    assert "has no file yet" in goal.find("p", cls="note").text()
    assert [c.find("p", cls="win-text").text() for c in goal.find_all("li", cls="win-card")] == [
        "Read a chapter"
    ]
    assert "named by wins" in page(public, "goals/").find("p", cls="note").text()
    # The entry's own page names the implied goal by the same title.
    assert "Read more books" in (public / "2026/01/01/index.html").read_text()


def test_goal_titles_are_the_titles_goal_progress_names(tmp_path):
    """The entry pages' goal titles are worked out without any progress: the same names."""
    import datetime as dt

    from journal_site.build import render_site
    from journal_site.config import load_config

    today = dt.date.fromisoformat(TODAY)
    model = render_site(load_config(fixture_copy(tmp_path)), today=today).model
    assert model.goal_titles == {p.goal.slug: p.goal.title for p in model.goal_progress}
    assert len(model.goal_titles) >= 2
