"""Reviews: periods, the facts of a week, month and year, and `journal review` run for real
on the journal of review_support.py (its docstring lists the entries these numbers
come from)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from review_support import FILES, TODAY, score

from journal_site.aggregate.periods import parse_period, period_of

D = dt.date


# -- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "start", "end"),
    [
        ("week", "2026-W47", D(2026, 11, 16), D(2026, 11, 22)),
        ("week", "2026-W01", D(2025, 12, 29), D(2026, 1, 4)),  # begins in the year before
        ("week", "2026-W53", D(2026, 12, 28), D(2027, 1, 3)),  # 2026 begins on a Thursday
        ("week", "2020-w53", D(2020, 12, 28), D(2021, 1, 3)),  # a leap year from a Wednesday
        ("week", "2026-W44", D(2026, 10, 26), D(2026, 11, 1)),
        ("month", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("month", "2026-12", D(2026, 12, 1), D(2026, 12, 31)),
        ("year", "2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("week", "9999-W52", D(9999, 12, 27), D(9999, 12, 31)),  # cut at the calendar's end
    ],
)
def test_a_period_by_its_name(kind, text, start, end):
    period = parse_period(kind, text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.key == text.upper()
    assert period == period_of(kind, start) == period_of(kind, end)


def test_every_week_of_a_decade_is_monday_to_sunday_and_named_back():
    day = D(2019, 12, 30)
    weeks = []
    while day < D(2031, 1, 1):
        week = period_of("week", day)
        assert week.start.weekday() == 0 and (week.end - week.start).days == 6
        assert parse_period("week", week.key) == week
        assert week.next().start == week.end + dt.timedelta(days=1)
        assert week.next().previous() == week
        weeks.append(week.key)
        day += dt.timedelta(days=7)
    with_53 = sorted(k[:4] for k in weeks if k.endswith("W53"))
    # A year has a week 53 when it begins on a Thursday, or is a leap year from a Wednesday.
    expected = [
        str(y)
        for y in range(2020, 2031)
        if D(y, 1, 1).weekday() == 3 or (D(y, 1, 1).weekday() == 2 and y % 4 == 0)
    ]
    assert with_53 == expected == ["2020", "2026"]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("week", "2027-W53", "expected an ISO week like 2026-W47: 2027 has weeks W01 to W52"),
        ("week", "2026-W00", "2026 has weeks W01 to W53"),
        ("week", "2026-47", "expected an ISO week like 2026-W47, got '2026-47'"),
        ("month", "2026-13", "expected a month like 2026-11 (months 01 to 12), got '2026-13'"),
        ("month", "2026-1", "expected a month like 2026-11, got '2026-1'"),
        ("year", "26", "expected a year like 2026, got '26'"),
        ("year", "0000", "years start at 0001"),
    ],
)
def test_a_bad_period_name_says_what_was_expected(kind, text, message):
    with pytest.raises(ValueError) as caught:
        parse_period(kind, text)
    assert message in str(caught.value)


# -- `journal review` ---------------------------------------------------------------------


def review_json(journal, root, *args: str) -> dict:
    result = journal("review", "--today", TODAY, "--format", "json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    # The entry dated after today is reported on stderr; stdout stays one JSON object.
    assert "2027-01-05.md" in result.stderr and "after today" in result.stderr
    return json.loads(result.stdout)


KEYS = [
    "period",
    "kind",
    "start",
    "end",
    "so_far",
    "days_written",
    "wins",
    "setbacks",
    "lessons",
    "proud",
    "goal_steps_done",
    "streak_at_end",
    "consistency_change",
    "mood_average",
]


def test_a_week_across_two_months(journal, site):
    data = review_json(journal, site(FILES), "--week", "2026-W44")
    assert list(data) == KEYS
    assert data == {
        "period": "2026-W44",
        "kind": "week",
        "start": "2026-10-26",
        "end": "2026-11-01",
        "so_far": False,
        "days_written": 4,  # Mon 26, Tue 27, Sat 31 October, Sun 1 November
        "wins": 5,
        "setbacks": 1,
        "lessons": 1,
        # Oldest first; on one day, front matter before the body's Proud: line.
        "proud": ["Introduced myself to the coach", "Stayed for the chat afterwards"],
        "goal_steps_done": [{"goal": "run", "step": "Run 1 km"}],
        "streak_at_end": 2,  # Saturday and Sunday; the 28th-30th were missed
        "consistency_change": round(score(D(2026, 11, 1)) - score(D(2026, 10, 25)), 1),
        "mood_average": 2.0,  # one entry gave a mood
    }
    assert data["consistency_change"] > 0


def test_the_first_week_of_a_year_begins_in_the_year_before(journal, site):
    data = review_json(journal, site(FILES), "--week", "2026-W01")
    assert data == {
        "period": "2026-W01",
        "kind": "week",
        "start": "2025-12-29",
        "end": "2026-01-04",
        "so_far": False,
        "days_written": 3,  # the draft of 3 January does not count
        "wins": 4,
        "setbacks": 2,
        "lessons": 1,
        "proud": ["Said no to the extra shift"],
        "goal_steps_done": [],
        "streak_at_end": 0,  # nothing on Saturday 3 or Sunday 4 January
        "consistency_change": None,  # the journal began this week: nothing to compare with
        "mood_average": 4.0,  # 3 and 5
    }


def test_this_week_so_far_is_the_default(journal, site):
    root = site(FILES)
    data = review_json(journal, root)
    assert data == review_json(journal, root, "--week", "2026-W53")
    assert data == {
        "period": "2026-W53",
        "kind": "week",
        "start": "2026-12-28",
        "end": "2027-01-03",
        "so_far": True,
        "days_written": 3,  # 5 January is after today
        "wins": 3,
        "setbacks": 0,
        "lessons": 0,
        "proud": [],
        "goal_steps_done": [{"goal": "run", "step": "Run 3 km"}],
        # Today is not over: the run of 31 December and 1 January is still alive.
        "streak_at_end": 2,
        # Today has nothing yet, so today's score is yesterday's.
        "consistency_change": round(score(D(2027, 1, 1)) - score(D(2026, 12, 27)), 1),
        "mood_average": 4.0,
    }


def test_months_and_a_year(journal, site):
    root = site(FILES)
    october = review_json(journal, root, "--month", "2026-10")
    assert (october["days_written"], october["wins"], october["setbacks"]) == (3, 4, 0)
    assert october["proud"] == ["Introduced myself to the coach", "Stayed for the chat afterwards"]
    assert october["streak_at_end"] == 1  # Saturday 31 October, the month's last day
    november = review_json(journal, root, "--month", "2026-11")
    assert (november["days_written"], november["wins"], november["lessons"]) == (2, 2, 1)
    assert november["streak_at_end"] == 0
    year = review_json(journal, root, "--year", "2026")
    assert {k: year[k] for k in ("start", "end", "so_far", "days_written", "wins")} == {
        "start": "2026-01-01",
        "end": "2026-12-31",
        "so_far": False,
        "days_written": 8,
        "wins": 10,
    }
    assert year["goal_steps_done"] == [
        {"goal": "run", "step": "Run 1 km"},
        {"goal": "run", "step": "Run 3 km"},
    ]
    assert year["proud"] == october["proud"]  # 31 December 2025 is in 2025
    assert year["mood_average"] == round((5 + 2) / 2, 2)
    assert year["streak_at_end"] == 1  # 31 December
    new_year = review_json(journal, root, "--year", "2027")
    assert (new_year["so_far"], new_year["days_written"], new_year["wins"]) == (True, 1, 1)


def test_a_period_without_entries_is_an_empty_review(journal, site):
    root = site(FILES)
    data = review_json(journal, root, "--week", "2026-W03")
    assert {k: data[k] for k in ("days_written", "wins", "proud", "streak_at_end")} == {
        "days_written": 0,
        "wins": 0,
        "proud": [],
        "streak_at_end": 0,
    }
    # A week without an entry lowers the score; it never resets it.
    assert data["consistency_change"] == round(score(D(2026, 1, 18)) - score(D(2026, 1, 11)), 1)
    assert data["consistency_change"] < 0
    for args in (("--week", "2026-W20"), ("--year", "2030")):
        text = journal("review", "--today", TODAY, *args, cwd=root)
        assert text.returncode == 0, text.stderr
        assert "Traceback" not in text.stderr
    assert (
        "Nothing written this week"
        in journal("review", "--today", TODAY, "--week", "2026-W20", cwd=root).stdout
    )
    later = journal("review", "--today", TODAY, "--year", "2030", cwd=root).stdout
    assert "2030 (1 January – 31 December 2030)" in later and "has not begun yet" in later


def test_an_empty_journal_reviews_its_week(journal, site):
    root = site({"journal.toml": ""})
    (root / "content").mkdir()
    result = journal("review", "--today", TODAY, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["period"], data["so_far"], data["wins"]) == ("2026-W53", True, 0)
    assert data["consistency_change"] is None and data["mood_average"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--week", "2027-W53"), "argument --week: expected an ISO week like 2026-W47: 2027 has"),
        (("--month", "2026-13"), "argument --month: expected a month like 2026-11 (months 01"),
        (("--year", "26"), "argument --year: expected a year like 2026, got '26'"),
        (("--week", "2026-W47", "--month", "2026-11"), "not allowed with argument"),
        (("--format", "html"), "argument --format: invalid choice: 'html'"),
    ],
)
def test_bad_arguments_are_usage_errors(journal, site, args, message):
    result = journal("review", *args, cwd=site(FILES))
    assert result.returncode == 2
    assert message in result.stderr
    assert "usage: journal review" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_text_puts_proud_wins_first_and_marks_them(journal, site):
    result = journal("review", "--today", TODAY, "--week", "2026-W44", cwd=site(FILES))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Review test journal: review of Week 44 of 2026 (26 October – 1 November 2026)"
    )
    assert "Days written: 4 of 7 days" in lines
    assert "Wins: 5, 2 of them proud" in lines
    assert "Streak at the week's end: 2 days" in lines
    wins = [line.strip() for line in lines if line.startswith(("  ★", "  - "))]
    assert wins[:5] == [
        "★ Introduced myself to the coach (Sat 31 Oct)",
        "★ Stayed for the chat afterwards (Sat 31 Oct)",
        "- Run 1 km (Mon 26 Oct) → Run more",
        "- Went to the running club (Sat 31 Oct)",
        "- Slept eight hours (Sun 1 Nov)",
    ]
    assert lines.index("Proud of:") < lines.index("More wins:")
    assert "    Lesson: Five minutes is enough" in lines
    assert "  - Run more: Run 1 km (Mon 26 Oct)" in lines
    assert "Mood by day: Mon 2  Tue ✓  Wed –  Thu –  Fri –  Sat ✓  Sun ✓" in lines
    assert "Tags: running 2, social 1" in lines
    assert (
        lines[-1] == "Nothing was written the week before; this week you came back. Welcome back."
    )


def test_text_says_what_is_still_open_kindly(journal, site):
    result = journal("review", "--today", TODAY, "--week", "2026-W01", cwd=site(FILES))
    lines = result.stdout.splitlines()
    start = lines.index("Still open (no lesson written yet, and that is fine; there is time):")
    assert lines[start + 1] == "  - Snapped at my brother (Fri 2 Jan)"
    assert "  - Felt guilty all evening (Wed 31 Dec)" in lines
    assert "    Lesson: Guilt is not proof I did wrong" in lines
    assert lines[-1] == "Your journal began this week: every entry in it is new ground."


def test_markdown_to_paste(journal, site):
    result = journal(
        "review", "--today", TODAY, "--week", "2026-W53", "--format", "markdown", cwd=site(FILES)
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(
        "## Week 53 of 2026 (28 December 2026 – 3 January 2027), so far\n\n"
        "*Review test journal*\n\n- **Days written:** 3 of 6 days so far\n"
    )
    assert "- **Wins:** 3\n" in text
    assert "### Goal steps done\n\n- Run more: Run 3 km (Thu 31 Dec) (goal reached!)\n" in text
    assert "### Wins\n\n- Walked to the lake (Mon 28 Dec)\n" in text
    # Nothing was written in 2026-W52.
    assert text.endswith("this week so far you came back. Welcome back.\n")
    proud = journal(
        "review", "--today", TODAY, "--week", "2026-W44", "--format", "markdown", cwd=site(FILES)
    ).stdout
    assert "### Proud of\n\n- ★ **Introduced myself to the coach (Sat 31 Oct)**\n" in proud
    assert proud.index("### Proud of") < proud.index("### More wins")


def test_markdown_escapes_what_markdown_would_eat(journal, site):
    files = {
        **FILES,
        "content/2026-12-29.md": "---\nwins: ['Fixed the *build* [finally] <3 #1']\n---\n",
    }
    result = journal(
        "review", "--today", TODAY, "--week", "2026-W53", "--format", "markdown", cwd=site(files)
    )
    assert r"- Fixed the \*build\* \[finally\] \<3 \#1 (Tue 29 Dec)" in result.stdout


def test_a_streak_win_rule_and_grace_carry_into_reviews(journal, site):
    """With `streak = "win"`, 27 October (no win) does not count; with a grace of 3 days,
    the missed 28-30 October keep the run of 26-27 October going to 1 November."""
    win_rule = site({**FILES, "journal.toml": 'streak = "win"\n'})
    data = review_json(journal, win_rule, "--week", "2026-W44")
    assert data["streak_at_end"] == 2 and data["days_written"] == 4
    grace = site({**FILES, "journal.toml": "streak_grace = 3\n"})
    assert review_json(journal, grace, "--week", "2026-W44")["streak_at_end"] == 4


def test_a_period_so_far_is_compared_gently_and_today_is_still_open(journal, site):
    root = site(FILES)
    month = journal("review", "--today", TODAY, "--month", "2027-01", cwd=root)
    assert month.stdout.splitlines()[-1] == (
        "The month before had 2 wins in all, on 2 days; this month is not over yet."
    )
    week = journal("review", "--today", TODAY, cwd=root).stdout.splitlines()
    # Saturday 2 January is today, with nothing written yet: open, not a day off.
    assert "Mood by day: Mon ✓  Tue –  Wed –  Thu ✓  Fri 4  Sat …" in week
