"""Wins and setbacks written in the body: `Win:` / `Setback:` lines and #win / #setback."""

from __future__ import annotations

import pytest

from journal_site.conventions import lift
from journal_site.errors import JournalError
from journal_site.parse import parse_entry

NO_YAML = """\
Slow start, then a good afternoon.
Win: ran 3 km without stopping #health
- **Setback:** skipped meditation (Lesson: mornings are rushed; try evenings)
Setback: missed the bus
  Reframe: leave five minutes earlier
Finally called mum #win #family
Setback: late again. Lesson: lay out clothes the night before
Winter is coming: not a win, just a line.

```
Win: inside code stays in the body
```
"""


def test_entry_without_front_matter_lifts_wins_and_setbacks():
    entry = parse_entry("2026-11-24.md", NO_YAML)
    assert [(w.text, w.tags, w.line) for w in entry.wins] == [
        ("ran 3 km without stopping", ("health",), 2),
        ("Finally called mum", ("family",), 6),
    ]
    assert [(s.text, s.reframe, s.line) for s in entry.setbacks] == [
        ("skipped meditation", "mornings are rushed; try evenings", 3),
        ("missed the bus", "leave five minutes earlier", 4),
        ("late again", "lay out clothes the night before", 7),
    ]
    # The lifted lines leave the body; everything else stays as written.
    assert "Slow start, then a good afternoon." in entry.body_html
    assert "Winter is coming: not a win, just a line." in entry.body_html
    assert "Win: inside code stays in the body" in entry.body_html
    for gone in ("ran 3 km", "skipped meditation", "missed the bus", "called mum", "Reframe"):
        assert gone not in entry.body_html


def test_front_matter_wins_come_first_and_are_not_repeated():
    text = (
        "---\ntitle: Both\nwins:\n  - Ran 3 km\nsetbacks:\n  - text: Overslept\n"
        "    reframe: Earlier night\n---\nWin: ran 3 km\nWin: Cooked dinner\n"
        "Setback: overslept\n"
    )
    entry = parse_entry("2026-11-24.md", text)
    assert [w.text for w in entry.wins] == ["Ran 3 km", "Cooked dinner"]
    assert [w.line for w in entry.wins] == [4, 10]
    assert [(s.text, s.reframe) for s in entry.setbacks] == [("Overslept", "Earlier night")]


def test_problems_in_front_matter_are_still_reported_with_body_wins():
    text = "---\nwins: 3\n---\nWin: fine\n"
    with pytest.raises(JournalError) as caught:
        parse_entry("2026-11-24.md", text)
    assert "content/2026-11-24.md:2: wins: expected a list" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "kind", "text", "reframe"),
    [
        ("win: lower case works", "win", "lower case works", ""),
        ("* WIN : shouting works", "win", "shouting works", ""),
        ("1. Win: numbered item", "win", "numbered item", ""),
        ("- [x] Win: a ticked task", "win", "a ticked task", ""),
        ("__Setback:__ bold label", "setback", "bold label", ""),
        ("Setback: flat (reframe: it happens)", "setback", "flat", "it happens"),
        ("Late #setback; Lesson: set an alarm", "setback", "Late", "set an alarm"),
        ("Read about #stoicism today #win", "win", "Read about stoicism today", ""),
        ("(#win) shipped it", "win", "shipped it", ""),
        ("Setback: late (Lesson: alarm) #sleep", "setback", "late", "alarm"),
    ],
)
def test_recognised_lines(line, kind, text, reframe):
    lifted = lift(line)
    assert lifted.body == ""
    if kind == "win":
        assert [w.text for w in lifted.wins] == [text]
    else:
        assert [(s.text, s.reframe) for s in lifted.setbacks] == [(text, reframe)]


@pytest.mark.parametrize(
    "line",
    [
        "Winning: not the label",
        "I said Win: mid-line is prose",
        "## Heading with #win is a heading",
        "A `#win` in code",
        "https://example.com/#win is a URL fragment",
        "#winter is another tag",
        "Win:",
        "#win",
        "<!-- Win: in a comment -->",
    ],
)
def test_lines_that_stay_in_the_body(line):
    lifted = lift(line)
    assert lifted.body == line
    assert lifted.wins == () and lifted.setbacks == ()


def test_lesson_line_only_attaches_to_the_setback_right_above():
    lifted = lift("Setback: a\n\nLesson: not attached\nWin: b\nLesson: also not attached")
    assert [(s.text, s.reframe) for s in lifted.setbacks] == [("a", "")]
    assert lifted.body == "\nLesson: not attached\nLesson: also not attached"


def test_jrnl_style_at_tags():
    lifted = lift("Shipped the feature @win @work", tag_symbols="@#")
    assert [(w.text, w.tags) for w in lifted.wins] == [("Shipped the feature", ("work",))]


def test_proud_lines_are_wins_to_celebrate():
    text = (
        "---\nwins:\n  - Ran 3 km\n  - text: Spoke up\n    proud: true\n---\n"
        "- **Proud:** called the landlord about the boiler #home\n"
        "Win: cooked dinner\n"
        "Proud: ran 3 km\n"
        "I am proud: of nothing in particular, this line is prose\n"
    )
    entry = parse_entry("2026-11-24.md", text)
    assert [(w.text, w.proud, w.tags, w.line) for w in entry.wins] == [
        # A Proud: line with the text of a front-matter win marks that win proud.
        ("Ran 3 km", True, (), 3),
        ("Spoke up", True, (), 4),
        ("called the landlord about the boiler", True, ("home",), 7),
        ("cooked dinner", False, (), 8),
    ]
    assert "this line is prose" in entry.body_html
    assert "landlord" not in entry.body_html


def test_a_proud_win_written_by_an_importer_reads_back_proud():
    import datetime as dt

    from journal_site.entry_text import entry_text
    from journal_site.model import Win

    text = entry_text(
        when=dt.date(2026, 11, 24),
        wins=[Win("Ran 5 km", proud=True), Win("Slept well")],
    )
    assert "  - text: Ran 5 km\n    proud: true\n  - Slept well\n" in text
    assert [(w.text, w.proud) for w in parse_entry("2026-11-24.md", text).wins] == [
        ("Ran 5 km", True),
        ("Slept well", False),
    ]
