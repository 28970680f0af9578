"""Files as real machines and editors write them, and dates as the calendar has them.

Byte-order marks, CRLF and lone-CR line endings, tabs in YAML, file names in NFC and
NFD (macOS), emoji and right-to-left text, days before 1970 and after 2100, leap
days, and time zones whose midnight does not exist on the day clocks go forward.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import run_journal, write_files

from journal_site.config import Config, load_config, resolve_today
from journal_site.errors import JournalError
from journal_site.parse import parse_entry

ENTRY = "---\ntitle: Walked in the rain\ntags: [health]\nwins:\n  - Went out anyway\n---\nWet but happy.\n"


def problems_of(source: str, text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(JournalError) as caught:
        parse_entry(source, text)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    "text",
    [
        ENTRY,
        "\ufeff" + ENTRY,
        ENTRY.replace("\n", "\r\n"),
        ENTRY.replace("\n", "\r"),
        "\ufeff" + ENTRY.replace("\n", "\r\n"),
    ],
    ids=["lf", "bom", "crlf", "cr", "bom-crlf"],
)
def test_bom_and_line_endings_read_the_same(text: str) -> None:
    entry = parse_entry("2026-11-24.md", text)
    assert entry.title == "Walked in the rain"
    assert entry.tags == ("health",)
    assert [w.text for w in entry.wins] == ["Went out anyway"]
    assert entry.wins[0].line == 5
    assert entry.text == "Wet but happy."


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_errors_point_at_the_same_line_whatever_the_line_endings(newline: str) -> None:
    text = "---\ntitle: fine\nmood: 9\n---\n".replace("\n", newline)
    assert problems_of("2026-11-24.md", "\ufeff" + text) == [
        (3, "mood: expected a whole number from 1 (low) to 5 (high), got a number (9)")
    ]


def test_tabs_in_yaml_are_a_clear_error_with_the_line() -> None:
    text = "---\ntitle: fine\nwins:\n\t- ran\n---\n"
    ((line, message),) = problems_of("2026-11-24.md", text)
    assert line == 4
    assert "tab" in message


def test_journal_toml_with_a_bom_and_crlf(tmp_path: Path) -> None:
    (tmp_path / "journal.toml").write_bytes(
        '\ufefftitle = "Sam’s journal"\r\nper_page = 7\r\n'.encode()
    )
    config = load_config(tmp_path)
    assert config.title == "Sam’s journal" and config.per_page == 7


CAFE_NFC = unicodedata.normalize("NFC", "café")
CAFE_NFD = unicodedata.normalize("NFD", "café")


def test_nfc_and_nfd_names_of_one_entry_are_not_doubled(site, journal) -> None:
    assert CAFE_NFC != CAFE_NFD
    root = site(
        {
            f"content/2026-11-24-{CAFE_NFC}.md": "---\ntitle: One\n---\n",
            f"content/2026-11-24-{CAFE_NFD}.md": "---\ntitle: One again\n---\n",
        }
    )
    if len(list((root / "content").iterdir())) == 1:
        pytest.skip("this file system folds Unicode forms itself (no doubling possible)")
    result = journal("build", "--today", "2026-11-25", cwd=root)
    assert result.returncode == 1
    assert "written in another Unicode form (NFC/NFD); keep only one of them" in result.stderr


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_the_url_of_an_entry_does_not_depend_on_the_unicode_form_of_its_name(
    tmp_path: Path, form: str
) -> None:
    name = unicodedata.normalize(form, "2026-11-24-café crème.md")
    root = write_files(
        tmp_path / form,
        {
            "content/2026-11-24.md": "---\ntitle: First\n---\n",
            f"content/{name}": "---\ndate: 2026-11-24 20:00\n---\n",  # the day's second
        },
    )
    result = run_journal("build", "--today", "2026-11-25", cwd=root)
    assert result.returncode == 0, result.stderr
    pages = sorted(
        p.parent.relative_to(root / "public").as_posix()
        for p in (root / "public/2026/11/24").rglob("index.html")
    )
    assert pages == ["2026/11/24", f"2026/11/24/{unicodedata.normalize('NFC', 'café-crème')}"]


def test_tags_in_either_unicode_form_are_one_tag() -> None:
    entry = parse_entry("2026-11-24.md", f"---\ntags: [{CAFE_NFC}, {CAFE_NFD}]\n---\n")
    assert entry.tags == (CAFE_NFC,)


def test_emoji_and_right_to_left_text_survive_a_build(site, journal) -> None:
    title_rtl = "يوم جيد — יום טוב"
    root = site(
        {
            "content/2026-11-23.md": f"---\ntitle: {title_rtl}\ntags: [שלום, عمل]\n---\nنص عربي.\n",
            "content/2026-11-24.md": "---\ntitle: 🎉 Party 🎉\ntags: [🎉, 👩‍👩‍👧]\n"
            "wins:\n  - text: Danced 💃\n    tags: [🎶]\n---\n🙂\n",
        }
    )
    result = journal("build", "--today", "2026-11-25", cwd=root)
    assert result.returncode == 0, result.stderr
    public = root / "public"
    page = (public / "2026/11/24/index.html").read_text(encoding="utf-8")
    assert "🎉 Party 🎉" in page and "Danced 💃" in page
    rtl = (public / "2026/11/23/index.html").read_text(encoding="utf-8")
    assert title_rtl in rtl and "نص عربي." in rtl
    tag_pages = {p.parent.name for p in (public / "tags").glob("*/index.html")}
    assert {"שלום", "عمل"} <= tag_pages
    emoji_pages = tag_pages - {"שלום", "عمل"}
    assert len(emoji_pages) == 3  # 🎉, the family and 🎶 each get a page of their own
    assert all(name and name.isascii() for name in emoji_pages)
    stats = json.loads(journal("stats", "--json", "--today", "2026-11-25", cwd=root).stdout)
    assert set(stats["tags"]) == {"שלום", "عمل", "🎉", "👩‍👩‍👧", "🎶"}


def test_days_before_1970_and_after_2100_and_leap_days(site, journal) -> None:
    root = site(
        {
            "content/1969-07-20.md": "---\ntitle: One small step\n---\n",
            "content/1900-01-01.md": "---\ntitle: Long ago\n---\n",
            "content/2024-02-29.md": "---\ntitle: Leap day\n---\n",
            "content/notes/leap.md": "---\ndate: 2024-02-29 23:59\n---\n",
            "content/2101-01-01.md": "---\ntitle: Far future\n---\n",
        }
    )
    result = journal("build", "--today", "2101-01-02", cwd=root)
    assert result.returncode == 0, result.stderr
    for url in ("1969/07/20", "1900/01/01", "2024/02/29", "2101/01/01"):
        assert (root / "public" / url / "index.html").is_file(), url
    stats = json.loads(journal("stats", "--json", "--today", "2101-01-02", cwd=root).stdout)
    assert stats["first_day"] == "1900-01-01" and stats["last_day"] == "2101-01-01"
    assert stats["entries"] == 5 and stats["days"] == 4


def test_a_day_that_does_not_exist_is_an_error_with_its_line(site, journal) -> None:
    root = site(
        {
            "content/2023-02-29.md": "---\ntitle: no such day\n---\n",
            "content/notes/a.md": "---\ntitle: x\ndate: 2023-02-29\n---\n",
            "content/notes/b.md": "---\ndate: 2100-02-29 07:00\n---\n",  # 2100 is no leap year
        }
    )
    result = journal("check", cwd=root)
    assert result.returncode == 1
    assert "content/2023-02-29.md: the file name's date 2023-02-29 is not a real day" in (
        result.stderr
    )
    assert (
        "content/notes/a.md:3: invalid YAML in front matter: '2023-02-29' is not a real date"
        in (result.stderr)
    )
    assert "content/notes/b.md:2: date: expected a date like 2026-11-24" in result.stderr


# Clocks go forward at local midnight on these days, so 00:00-00:59 never happens there.
# Hand-checked offsets: Santiago -04:00 -> -03:00 on 2024-09-08; Havana -05:00 -> -04:00
# on 2024-03-10.
MIDNIGHT_GAPS = [
    ("America/Santiago", dt.date(2024, 9, 8), dt.timedelta(hours=-4), dt.timedelta(hours=-3)),
    ("America/Havana", dt.date(2024, 3, 10), dt.timedelta(hours=-5), dt.timedelta(hours=-4)),
]


@pytest.mark.parametrize(("zone", "day", "before", "after"), MIDNIGHT_GAPS)
def test_today_across_a_missing_midnight(
    zone: str, day: dt.date, before: dt.timedelta, after: dt.timedelta
) -> None:
    config = Config(root=Path("/nonexistent"), timezone=zone)
    # The instant clocks jump: local midnight at the old offset.
    jump = dt.datetime.combine(day, dt.time(0), dt.UTC) - before
    assert ZoneInfo(zone).utcoffset(jump.replace(tzinfo=None) + after) == after
    minute = dt.timedelta(minutes=1)
    assert resolve_today(config, now=jump - minute) == day - dt.timedelta(days=1)  # 23:59
    assert resolve_today(config, now=jump) == day  # 01:00, the day's first minute
    # Every 10 minutes over three days: the days follow each other, none skipped or
    # repeated, and the short day has 23 hours.
    seen: dict[dt.date, int] = {}
    moment = jump - dt.timedelta(days=1)
    while moment < jump + dt.timedelta(days=2):
        today = resolve_today(config, now=moment)
        seen[today] = seen.get(today, 0) + 1
        moment += dt.timedelta(minutes=10)
    days = sorted(seen)
    assert all(b - a == dt.timedelta(days=1) for a, b in itertools.pairwise(days))
    assert seen[day] == 23 * 6


@pytest.mark.parametrize(("zone", "day", "before", "after"), MIDNIGHT_GAPS)
def test_date_times_inside_the_missing_hour_keep_the_day_written(
    site, journal, zone: str, day: dt.date, before: dt.timedelta, after: dt.timedelta
) -> None:
    offset = f"{int(before.total_seconds() // 3600):+03d}:00"
    root = site(
        {
            "journal.toml": f'timezone = "{zone}"\n',
            "content/a.md": f"---\ndate: {day} 00:30\ntitle: In the gap\n---\n",
            "content/b.md": f"---\ndate: {day}T00:30:00{offset}\ntitle: With offset\n---\n",
            "content/c.md": f"---\ndate: {day}\ntitle: Just the day\n---\n",
        }
    )
    entries = [parse_entry(n, (root / "content" / n).read_text()) for n in ("a.md", "b.md")]
    assert [(e.day, e.time) for e in entries] == [(day, dt.time(0, 30)), (day, dt.time(0, 30))]
    result = journal("build", cwd=root)  # "today" from the clock in that zone
    assert result.returncode == 0, result.stderr
    stats = json.loads(journal("stats", "--json", "--today", str(day), cwd=root).stdout)
    assert stats["entries"] == 3 and stats["days"] == 1
    assert stats["streak"]["current"] == 1 and stats["streak"]["current_start"] == str(day)
