"""loader: entry and goal text -> values, with every problem at its file and line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from conftest import BadFileCase, problems_match, read_bad_file_cases, write_files

from journal_site.config import Config, MarkdownOptions
from journal_site.errors import JournalError
from journal_site.loader import decode, load_journal
from journal_site.model import Setback, Step, Win
from journal_site.parse import parse_entry, parse_goal

BAD_FILES = read_bad_file_cases("malformed_entries.txt")


def entry(source: str, text: str, **kwargs: object):
    return parse_entry(source, textwrap.dedent(text).lstrip("\n"), **kwargs)  # type: ignore[arg-type]


def test_front_matter_fields_become_values() -> None:
    e = entry(
        "2026-11-24.md",
        """
        ---
        title: Spoke up at stand-up
        tags: [work, social]
        mood: 4
        wins:
          - Spoke up in the planning meeting
          - text: Ran 3 km without stopping
            tags: [health]
            goal: run-5k
        setbacks:
          - text: Skipped meditation
            reframe: Mornings are rushed; try evenings
          - Lost my keys
        weather: rainy
        ---
        Said the *release date* looked tight.
        """,
    )
    assert e.day == dt.date(2026, 11, 24)
    assert e.time is None
    assert (e.title, e.title_is_default) == ("Spoke up at stand-up", False)
    assert e.tags == ("work", "social")
    assert e.mood == 4
    assert e.wins == (
        Win("Spoke up in the planning meeting", line=6),
        Win("Ran 3 km without stopping", tags=("health",), goal="run-5k", line=7),
    )
    assert e.setbacks == (
        Setback("Skipped meditation", reframe="Mornings are rushed; try evenings", line=11),
        Setback("Lost my keys", line=13),
    )
    assert e.draft is False
    assert e.extra == {"weather": "rainy"}
    assert "<em>release date</em>" in e.body_html
    assert e.text == "Said the release date looked tight."
    assert e.all_tags() == ("work", "social", "health")


def test_a_file_without_front_matter_is_an_entry_dated_by_its_name() -> None:
    e = entry("2026-10-18.md", "Slow Sunday. Made soup.\n")
    assert e.day == dt.date(2026, 10, 18)
    assert e.title == "Sunday 18 October 2026"
    assert e.title_is_default
    assert (e.wins, e.setbacks, e.tags, e.mood) == ((), (), (), None)
    assert e.body_html == "<p>Slow Sunday. Made soup.</p>\n"


@pytest.mark.parametrize(
    ("source", "front_matter", "day", "time", "slug"),
    [
        ("2026-11-24.md", "", dt.date(2026, 11, 24), None, "entry"),
        ("2026-11-24-parkrun.md", "", dt.date(2026, 11, 24), None, "parkrun"),
        ("2026/11/25-morning.md", "", dt.date(2026, 11, 25), None, "morning"),
        ("2026/11/05.md", "", dt.date(2026, 11, 5), None, "entry"),
        ("2026/09/2026-09-28-first.md", "", dt.date(2026, 9, 28), None, "first"),
        ("trips/2026-11-20-to-2026-11-22.md", "", dt.date(2026, 11, 20), None, "to-2026-11-22"),
        ("log/run-2026-11-20.md", "", dt.date(2026, 11, 20), None, "entry"),
        ("therapy/notes.md", "date: 2026-10-21", dt.date(2026, 10, 21), None, "notes"),
        ("notes.md", "date: '2026-10-21'", dt.date(2026, 10, 21), None, "notes"),
        (
            "2026/11/25-evening.md",
            "date: 2026-11-25 21:15",
            dt.date(2026, 11, 25),
            dt.time(21, 15),
            "evening",
        ),
        (
            "late.md",
            "date: 2026-11-25T23:30:00+01:00",
            dt.date(2026, 11, 25),
            dt.time(23, 30),
            "late",
        ),
    ],
)
def test_the_day_comes_from_front_matter_file_name_or_folders(
    source: str, front_matter: str, day: dt.date, time: dt.time | None, slug: str
) -> None:
    e = entry(source, f"---\n{front_matter}\n---\nBody.\n")
    assert (e.day, e.time, e.slug) == (day, time, slug)


def test_an_untitled_entry_takes_its_slug_from_the_title_when_the_name_is_only_a_date() -> None:
    e = entry("2026-11-24.md", "---\ntitle: First parkrun!\n---\n")
    assert e.slug == "first-parkrun"
    assert entry("2026-11-24.md", "---\nslug: run-club\n---\n").slug == "run-club"


def test_tags_may_be_written_as_one_string_and_are_not_repeated() -> None:
    e = entry("2026-11-24.md", "---\ntags: 'work, #health work'\n---\n")
    assert e.tags == ("work", "health")


def test_drafts_are_marked() -> None:
    assert entry("2026-11-24.md", "---\ndraft: true\n---\n").draft is True


def test_private_is_a_flag_of_its_own_not_an_extra_key() -> None:
    marked = entry("2026-11-24.md", "---\nprivate: true\n---\n")
    assert marked.private is True and "private" not in marked.extra
    assert marked.summary().private is True
    assert entry("2026-11-24.md", "---\nprivate:\n---\n").private is False
    assert entry("2026-11-24.md", "---\ntitle: x\n---\n").private is False


@pytest.mark.parametrize(
    ("value", "shown"), [("yes please", "text ('yes please')"), ("1", "a number (1)")]
)
def test_private_that_is_not_true_or_false_is_an_error_at_its_line(value: str, shown: str) -> None:
    with pytest.raises(JournalError) as caught:
        entry("2026-11-24.md", f"---\ntitle: x\nprivate: {value}\n---\n")
    [problem] = caught.value.problems
    assert str(problem) == f"content/2026-11-24.md:3: private: expected true or false, got {shown}"


def test_raw_html_is_escaped_unless_allowed() -> None:
    text = "---\n---\nHello <script>alert(1)</script> <b>bold</b>\n"
    escaped = parse_entry("2026-11-24.md", text)
    assert "<script>" not in escaped.body_html
    assert "&lt;script&gt;" in escaped.body_html
    allowed = parse_entry("2026-11-24.md", text, MarkdownOptions(allow_html=True))
    assert "<b>bold</b>" in allowed.body_html


def test_tables_task_lists_and_footnotes_render() -> None:
    e = entry(
        "2026-11-01.md",
        """
        | week | runs |
        |------|------|
        | 1    | 3    |

        - [x] thought record
        - [ ] speak first

        Mind-reading[^1].

        [^1]: Assuming you know what others think.
        """,
    )
    assert "<table>" in e.body_html and "<td>3</td>" in e.body_html
    assert 'type="checkbox"' in e.body_html and "checked" in e.body_html
    assert 'class="footnotes"' in e.body_html


@pytest.mark.parametrize(
    ("source", "markdown", "expected"),
    [
        # Next to the entry, in a sub-folder, and up one folder: where the copy lands.
        ("2026/11/21.md", "![run](img/run.png)", 'src="/2026/11/img/run.png"'),
        ("2026/11/21.md", "![run](../10/run.png)", 'src="/2026/10/run.png"'),
        ("2026-11-21.md", "[plan](files/plan.pdf#p2)", 'href="/files/plan.pdf#p2"'),
        # Absolute URLs and anchors are left alone.
        ("2026-11-21.md", "[x](https://example.org/a)", 'href="https://example.org/a"'),
        ("2026-11-21.md", "[x](#top)", 'href="#top"'),
        # A link to another entry's file becomes a marker the render stage resolves.
        ("2026/11/21.md", "[before](20.md)", 'href="journal-entry:2026/11/20.md"'),
    ],
)
def test_relative_links_point_where_the_files_are_copied(
    source: str, markdown: str, expected: str
) -> None:
    assert expected in entry(source, markdown + "\n").body_html


def test_relative_links_follow_the_base_path() -> None:
    e = parse_entry("2026/11/21.md", "![run](img/run.png)\n", base_path="/journal/")
    assert 'src="/journal/2026/11/img/run.png"' in e.body_html


@pytest.mark.parametrize("case", BAD_FILES, ids=[f"line{c.line}" for c in BAD_FILES])
def test_malformed_entries_name_file_line_and_what_was_expected(case: BadFileCase) -> None:
    source = case.path.removeprefix("content/")
    with pytest.raises(JournalError) as caught:
        parse_entry(source, decode(case.data, case.path))
    printed = [str(problem) for problem in caught.value.problems]
    assert problems_match(case, printed) == [], printed
    assert len(printed) == len(case.expect) + len(case.expect_partly)


def test_every_problem_in_one_file_is_reported_at_once() -> None:
    with pytest.raises(JournalError) as caught:
        entry(
            "2026-11-24.md",
            """
            ---
            mood: 9
            wins: 3
            tags: {a: 1}
            ---
            """,
        )
    assert [p.line for p in caught.value.problems] == [2, 3, 4]


def test_goals_have_steps_with_ticks() -> None:
    goal = parse_goal(
        "goals/run-5k.md",
        textwrap.dedent(
            """\
            ---
            title: Run 5 km
            target: 2027-01-31
            steps:
              - "[x] Run 1 km"
              - Run 3 km without stopping
              - text: Run 5 km
                done: true
            ---
            Why it matters.
            """
        ),
    )
    assert (goal.slug, goal.title, goal.target) == ("run-5k", "Run 5 km", dt.date(2027, 1, 31))
    assert goal.steps == (
        Step("Run 1 km", True),
        Step("Run 3 km without stopping", False),
        Step("Run 5 km", True),
    )
    assert "Why it matters." in goal.body_html


def test_load_journal_reads_every_layout_and_skips_ignored_names(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "content/2026-11-24.md": "---\nwins: [Ran]\n---\n",
            "content/2026/11/25-morning.md": "Morning.\n",
            "content/therapy/notes.md": "---\ndate: 2026-10-21\n---\n",
            "content/goals/run-5k.md": "---\ntitle: Run 5 km\n---\n",
            "content/2026/11/img/run.png": b"\x89PNG not really",
            "content/_private.md": "---\nmood: nonsense\n---\n",
            "content/.hidden/2026-01-01.md": "---\nmood: nonsense\n---\n",
            "content/2026-11-23.md~": "backup",
            "content/.#2026-11-23.md": "lock",
            "content/2026-11-23.md.swp": "swap",
        },
    )
    journal = load_journal(Config(root=tmp_path))
    assert [e.source for e in journal.entries] == [
        "therapy/notes.md",
        "2026-11-24.md",
        "2026/11/25-morning.md",
    ]
    assert [g.slug for g in journal.goals] == ["run-5k"]
    assert [a.source for a in journal.assets] == ["2026/11/img/run.png"]


def test_load_journal_collects_problems_from_every_file(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "content/2026-11-24.md": "---\nmood: 9\n---\n",
            "content/2026-11-25.md": "---\nwins: 3\n---\n",
            "content/2026-11-26.md": "Fine.\n",
        },
    )
    with pytest.raises(JournalError) as caught:
        load_journal(Config(root=tmp_path))
    assert [(p.path, p.line) for p in caught.value.problems] == [
        ("content/2026-11-24.md", 2),
        ("content/2026-11-25.md", 2),
    ]


def test_a_missing_content_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no content folder"):
        load_journal(Config(root=tmp_path))
