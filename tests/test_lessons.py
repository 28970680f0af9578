"""Lessons: every setback with its reframe, grouped by tag, newest first.

Setbacks of tests/fixtures/collections, with the tags they are filed under (their own
and their entry's):

    2026-01-01  Slept badly            reframe          health
    2026-01-02  Skipped lunch          no reframe       work
    2026-01-07  Snapped at my brother  reframe          family + health
    2026-01-09  Forgot to water ...    no reframe       (no tag)

Groups, largest first then by name, the untagged group last:
health (01-07, 01-01), family (01-07), work (01-02), untagged (01-09).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import run_journal
from pages_support import COLLECTIONS_TODAY as TODAY
from pages_support import build_site, fixture_copy, page

from journal_site.aggregate.lessons import all_lessons, lessons_by_tag
from journal_site.pages.collections import LESSONS_PER_GROUP
from journal_site.parse import parse_entry


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(run_journal, fixture_copy(tmp_path_factory.mktemp("lessons")), TODAY)


def groups(node) -> dict[str, list[tuple[str, str]]]:
    found = {}
    for section in node.find_all("section", cls="lesson-group"):
        items = []
        for lesson in section.find_all("li", cls="lesson"):
            setback = lesson.find("p", cls="setback-text")
            items.append(
                (setback.find("time").attrs["datetime"], lesson.find(cls="reframe").text())
            )
        found[section.attrs["id"]] = items
    return found


def test_lessons_grouped_by_tag_newest_first(public):
    lessons = page(public, "lessons/")
    assert "4 setbacks, 2 lessons drawn from them" in lessons.find("p", cls="lede").text()
    slept = ("2026-01-01", "Lesson: Screens off earlier tonight")
    snapped = ("2026-01-07", "Lesson: Hungry and tired; eat first")
    gentle = "No lesson written yet, and that is fine."
    assert groups(lessons) == {
        "lessons-health": [snapped, slept],
        "lessons-family": [snapped],
        "lessons-work": [("2026-01-02", gentle)],
        "lessons-untagged": [("2026-01-09", gentle)],
    }
    missing = lessons.find_all("p", cls="reframe-missing")
    assert len(missing) == 2
    date_link = lessons.find("section", id="lessons-work").find("a", cls="lesson-date")
    assert date_link.attrs["href"] == "/2026/01/02/"


def test_a_big_group_gets_its_own_page(journal, site):
    count = LESSONS_PER_GROUP + 2
    files = {}
    for day in range(1, count + 1):
        files[f"content/{dt.date(2025, 1, 1) + dt.timedelta(days=day)}.md"] = (
            f"---\ntags: [sleep]\nsetbacks:\n  - Woke at {day}\n---\n"
        )
    root = site(files)
    public = build_site(journal, root, TODAY)
    overview = page(public, "lessons/")
    shown = overview.find("section", id="lessons-sleep").find_all("li", cls="lesson")
    assert len(shown) == LESSONS_PER_GROUP
    more = overview.find("section", id="lessons-sleep").find("a", cls="more")
    assert more.attrs["href"] == "/lessons/tag/sleep/"
    assert more.text() == f"All {count} lessons about #sleep →"
    full = page(public, "lessons/tag/sleep/")
    assert len(full.find_all("li", cls="lesson")) == count


def test_grouping_is_pure():
    entries = [
        parse_entry("2026-01-01.md", "---\nsetbacks:\n  - text: A\n    tags: [x, y]\n---\n"),
        parse_entry("2026-01-02.md", "---\ntags: [y]\nsetbacks: [B, C]\n---\n"),
    ]
    result = lessons_by_tag(all_lessons(entries))
    assert [(g.tag, [lesson.setback.text for lesson in g.lessons]) for g in result] == [
        ("y", ["B", "C", "A"]),
        ("x", ["A"]),
    ]
