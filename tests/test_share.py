"""journal share: the share site, built by the real CLI and read decrypted.

The fixture journal (tests/fixtures/share-journal) has public entries beside one marked
``private: true`` and one tagged ``#Private``, each with words found nowhere else; every
expectation below is worked out from the fixture with the project's loader.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, run_journal, tree, write_files
from privacy_support import open_page, output_files, serve

from journal_site.config import SHAREABLE_SECTIONS, load_config
from journal_site.loader import load_journal
from journal_site.model import Entry

FIXTURE = FIXTURES / "share-journal"
TODAY = "2026-03-05"
SHARE_PASSWORD = "tundra velvet orchard pylon, 鷺"
JOURNAL_PASSWORD = "granite mosaic quiver lagoon"
DATE_PATH = re.compile(r"/\d{4}/\d{2}/\d{2}/")


@dataclass(frozen=True)
class Shared:
    root: Path
    share: Path
    result: subprocess.CompletedProcess[str]


def share_env(password: str = SHARE_PASSWORD) -> dict[str, str]:
    return {"JOURNAL_SHARE_PASSWORD": password, "JOURNAL_PASSWORD": "", "JOURNAL_BASIC_AUTH": ""}


def copy_fixture(dest: Path, files: dict[str, str | bytes] | None = None) -> Path:
    shutil.copytree(FIXTURE, dest)
    return write_files(dest, files or {})


def share_fixture(dest: Path, files: dict[str, str | bytes] | None = None) -> Shared:
    root = copy_fixture(dest, files)
    result = run_journal("share", "--today", TODAY, cwd=root, env=share_env())
    assert result.returncode == 0, result.stderr
    return Shared(root, root / "share", result)


def is_private(entry: Entry) -> bool:
    """What the README promises is left out (worked out here, not by the code under test)."""
    return entry.private or any(tag.casefold() == "private" for tag in entry.all_tags())


def journal_of(root: Path) -> tuple[list[Entry], list[Entry], list]:
    journal = load_journal(load_config(root))
    public = [e for e in journal.entries if not is_private(e) and not e.draft]
    private = [e for e in journal.entries if is_private(e)]
    return public, private, list(journal.goals)


def private_words(root: Path) -> list[str]:
    """Everything of the private entries: titles, tags, wins, setbacks, reframes and the
    words of their bodies; but for the goal steps that a private win names (the goal's
    page lists its steps) and the private tag itself (the share home says it exists)."""
    _, private, goals = journal_of(root)
    steps = {step.text for goal in goals for step in goal.steps}
    found: set[str] = set()
    for entry in private:
        found.add(entry.title)
        found.update(t for t in entry.all_tags() if t.casefold() != "private")
        found.update(win.text for win in entry.wins)
        for setback in entry.setbacks:
            found.update({setback.text, setback.reframe} - {""})
        found.update(body_words(entry.text))
    return sorted(found - steps)


def body_words(text: str) -> set[str]:
    """The long words of a body (what no summary holds)."""
    return {word for word in re.findall(r"[^\W\d_]+", text) if len(word) >= 8}


def every_body_word(root: Path) -> list[str]:
    public, private, goals = journal_of(root)
    words: set[str] = set()
    for entry in [*public, *private]:
        words.update(body_words(entry.text))
    for goal in goals:
        words.update(body_words(re.sub(r"<[^>]+>", " ", goal.body_html)))
    return sorted(words)


def pages_of(folder: Path) -> list[str]:
    """Every page of a build, as the URL path a browser asks for."""
    folders = [p.parent.relative_to(folder).as_posix() for p in output_files(folder)]
    return sorted(
        "/" if rel == "." else f"/{rel}/"
        for rel, path in zip(folders, output_files(folder), strict=True)
        if path.name == "index.html"
    )


def decrypted_pages(folder: Path, password: str = SHARE_PASSWORD) -> dict[str, str]:
    """Every page of an encrypted build, decrypted in Python as unlock.js does."""
    return {
        path: open_page(folder / path.lstrip("/") / "index.html", password)
        for path in pages_of(folder)
    }


def resolves(folder: Path, href: str) -> bool:
    """Whether a site-relative link names a file of the build (a folder by its index.html)."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    target = folder / path.lstrip("/")
    return (target / "index.html").is_file() if path.endswith("/") else target.is_file()


def internal_links(page_html: str) -> list[str]:
    return [
        html.unescape(value)
        for value in re.findall(r'(?:href|src)="([^"]*)"', page_html)
        if value.startswith("/")
    ]


def text_of(page_html: str) -> str:
    main = re.search(r"<main.*?</main>", page_html, re.S)
    assert main, "a page without <main>"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.group(0))).split())


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    return share_fixture(tmp_path_factory.mktemp("share") / "site")


@pytest.fixture(scope="module")
def pages(shared: Shared) -> dict[str, str]:
    return decrypted_pages(shared.share)


# -- What the share site holds, decrypted in a real browser ----------------------------


class Browse:
    """One tab on the served share site, unlocked once; each page read as shown."""

    def __init__(self, browser: object, base: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.base = base
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "response",
            lambda r: (
                self.problems.append(f"{r.status} for {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        self.page.goto(base)
        self.page.wait_for_selector("#unlock-form:not([hidden])")
        self.page.fill("#unlock-password", SHARE_PASSWORD)
        self.page.click("#unlock-form button[type=submit]")
        self.page.wait_for_selector("html[data-journal-ready]", timeout=20_000)

    def open(self, path: str) -> tuple[str, str, list[str]]:
        """(the decrypted page's HTML, its visible text, its links and sources)."""
        self.page.goto(self.base + path.lstrip("/"))
        self.page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
        links = self.page.eval_on_selector_all(
            "[href], [src]", "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))"
        )
        return self.page.content(), self.page.inner_text("body"), links


@pytest.mark.browser
def test_the_share_site_decrypted_in_chromium_holds_no_word_of_a_private_entry(
    browser: object, shared: Shared
) -> None:
    secrets = private_words(shared.root)
    public, private, _ = journal_of(shared.root)
    # The fixture has both kinds of private entry, and words to look for.
    assert {e.private for e in private} == {True, False} and len(secrets) >= 12
    public_wins = [win.text for entry in public for win in entry.wins]
    seen_text = ""
    with serve(shared.share) as base:
        tab = Browse(browser, base)
        for path in pages_of(shared.share):
            source, text, links = tab.open(path)
            assert "journal-sealed" not in text
            folded = html.unescape(source).casefold()
            leaked = [s for s in secrets if s.casefold() in folded]
            assert leaked == [], (path, leaked)
            # No link leads anywhere the share site does not have.
            dead = [
                link for link in links if link.startswith("/") and not resolves(shared.share, link)
            ]
            assert dead == [], (path, dead)
            assert not [link for link in links if DATE_PATH.search(link)], path
            seen_text += text
        assert tab.problems == []
        tab.context.close()
    # The public wins are there, as the people shared with see them.
    for win in public_wins:
        assert win in seen_text, win


def test_no_entry_page_no_search_index_no_body(shared: Shared, pages: dict[str, str]) -> None:
    files = [p.relative_to(shared.share).as_posix() for p in output_files(shared.share)]
    # Pages, the theme's files and the files for the host: no encrypted file at all,
    # so no search index and no picture or file of an entry.
    others = [f for f in files if not f.endswith("index.html") and not f.startswith("static/")]
    assert sorted(others) == ["_headers", "robots.txt"]
    assert not any(f.startswith(("search/", "f/")) for f in files)
    body = every_body_word(shared.root)
    assert len(body) >= 6
    for path, page in pages.items():
        assert '<article class="entry' not in page, path
        assert 'role="search"' not in page and "search/" not in page, path
        assert not DATE_PATH.search(page), path
        folded = page.casefold()
        assert [w for w in body if w.casefold() in folded] == [], path


def test_the_engine_plans_no_entry_page_and_no_search_for_a_share(
    shared: Shared, tmp_path: Path
) -> None:
    """The share selection before encryption, where addresses are still readable."""
    import datetime as dt

    from journal_site.engine.site import Engine
    from journal_site.pages.share import share_selection

    config = load_config(shared.root)
    site = Engine(
        config, today=dt.date.fromisoformat(TODAY), selection=share_selection(config)
    ).build()
    paths = sorted(site.output.files)
    assert not [p for p in paths if DATE_PATH.search("/" + p) or p.startswith("search/")]
    sections = {p.split("/", 1)[0] for p in paths if p.endswith("index.html") and "/" in p}
    assert sections == {"reviews", "wins", "lessons", "goals"}
    public, _, _ = journal_of(shared.root)
    assert {e.source for e in site.model.entries} == {e.source for e in public}
    assert site.model.urls == {}


def test_counts_streaks_and_goal_progress_leave_the_private_entries_out(
    shared: Shared, pages: dict[str, str]
) -> None:
    public, private, goals = journal_of(shared.root)
    days = sorted({e.day for e in public})
    wins = sum(len(e.wins) for e in public)
    setbacks = sum(len(e.setbacks) for e in public)
    longest = run = 1
    for before, after in itertools.pairwise(days):
        run = run + 1 if (after - before).days == 1 else 1
        longest = max(longest, run)
    # The private entries would change every one of these.
    assert wins < wins + sum(len(e.wins) for e in private)
    home = text_of(pages["/"])
    assert f"Days written {len(days)}" in home
    assert f"Longest streak {longest} day" in home
    assert f"{wins} wins" in home and f"{wins} wins so far" in text_of(pages["/wins/"])
    assert f"{setbacks} setbacks" in text_of(pages["/lessons/"])
    [goal] = goals
    done = sum(
        1
        for step in goal.steps
        if any(w.goal == goal.slug and w.text == step.text for e in public for w in e.wins)
    )
    assert (
        0
        < done
        < sum(
            1
            for step in goal.steps
            if any(
                w.goal == goal.slug and w.text == step.text
                for e in [*public, *private]
                for w in e.wins
            )
        )
    )
    assert f"{done} of {len(goal.steps)} steps done" in text_of(pages["/goals/"])


def test_the_navigation_lists_only_the_shared_sections(pages: dict[str, str]) -> None:
    for path, page in pages.items():
        nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)
        assert nav, path
        labels = re.findall(r">([^<>]+)</a>", nav.group(0))
        assert labels == ["Home", "Reviews", "Wins", "Lessons", "Goals"], path
        # Every page says what it is: a summary Robin shares, not a private journal.
        footer = re.search(r"<footer.*?</footer>", page, re.S)
        assert footer and "Shared by Robin: a summary" in html.unescape(footer.group(0)), path
        assert "private journal" not in footer.group(0), path


# -- Refusals --------------------------------------------------------------------------


def test_without_its_password_share_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "site")
    before = tree(root)
    result = run_journal(
        "share",
        "--today",
        TODAY,
        cwd=root,
        env={**share_env(""), "JOURNAL_PASSWORD": JOURNAL_PASSWORD},
    )
    assert result.returncode == 2
    assert "$JOURNAL_SHARE_PASSWORD is not set" in result.stderr
    assert "Nothing was built" in result.stderr
    assert tree(root) == before and not (root / ".journal-cache").exists()


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("robin1234", "cannot protect a published journal"),
        (JOURNAL_PASSWORD, "the same password as $JOURNAL_PASSWORD"),
    ],
)
def test_a_weak_or_reused_password_is_refused(tmp_path: Path, password: str, said: str) -> None:
    root = copy_fixture(tmp_path / "site")
    env = {**share_env(password), "JOURNAL_PASSWORD": JOURNAL_PASSWORD}
    result = run_journal("share", "--today", TODAY, cwd=root, env=env)
    assert result.returncode == 2 and said in result.stderr
    assert password not in result.stderr + result.stdout
    assert not (root / "share").exists()


def test_the_password_variable_can_be_renamed(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "site")
    with (root / "journal.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[share]\npassword_env = "GROUP_PASSWORD"\noutput = "for-the-group"\n')
    missing = run_journal("share", "--today", TODAY, cwd=root, env=share_env())
    assert missing.returncode == 2 and "$GROUP_PASSWORD is not set" in missing.stderr
    done = run_journal(
        "share",
        "--today",
        TODAY,
        cwd=root,
        env={**share_env(""), "GROUP_PASSWORD": SHARE_PASSWORD},
    )
    assert done.returncode == 0, done.stderr
    assert "$GROUP_PASSWORD" in done.stdout
    assert "Robin" in text_of(open_page(root / "for-the-group" / "index.html", SHARE_PASSWORD))


def test_an_unknown_section_is_a_config_error(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "site")
    with (root / "journal.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[share]\nsections = ["wins", "timeline"]\n')
    line = (root / "journal.toml").read_text(encoding="utf-8").splitlines().index(
        'sections = ["wins", "timeline"]'
    ) + 1
    result = run_journal("share", "--today", TODAY, cwd=root, env=share_env())
    assert result.returncode == 1
    assert (
        f"error: journal.toml:{line}: 'share.sections': unknown section 'timeline'; "
        "expected some of" in result.stderr
    )
    assert not (root / "share").exists()
    # journal check reports it too.
    assert run_journal("check", cwd=root).returncode == 1


def test_a_failed_share_leaves_the_previous_share_as_it_was(tmp_path: Path) -> None:
    built = share_fixture(tmp_path / "site")
    before = tree(built.share)
    write_files(built.root, {"content/2026/2026-03-06.md": "---\nmood: great\n---\n"})
    result = run_journal("share", "--today", TODAY, cwd=built.root, env=share_env())
    assert result.returncode == 1
    # A share log may be published: it names no file of the journal.
    assert "2026-03-06" not in result.stderr and "journal check" in result.stderr
    assert tree(built.share) == before


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("content/shared", "inside the content folder"),
        ("public", "the journal's own output folder"),
        ("public/share", "the journal's own output folder"),
        (".", "the site folder"),
    ],
)
def test_share_refuses_an_output_folder_that_holds_something_else(
    tmp_path: Path, out: str, said: str
) -> None:
    root = copy_fixture(tmp_path / "site")
    (root / "content" / "shared").mkdir()
    before = tree(root)
    result = run_journal("share", "--today", TODAY, "--out", out, cwd=root, env=share_env())
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert tree(root) == before


def test_the_share_build_keeps_a_store_of_its_own_apart_from_the_journals(shared: Shared) -> None:
    cache = shared.root / ".journal-cache"
    assert (cache / "share" / "store.sqlite").is_file()
    assert not (cache / "store.sqlite").exists()
    assert not (shared.root / "public").exists()


# -- Which sections ---------------------------------------------------------------------


def test_share_sections_limit_what_is_built(tmp_path: Path) -> None:
    built = share_fixture(
        tmp_path / "site",
        {"journal.toml": 'title = "Robin"\n[share]\nsections = ["lessons", "stats", "tags"]\n'},
    )
    pages = decrypted_pages(built.share)
    assert {"/", "/lessons/", "/stats/", "/tags/"} <= set(pages)
    assert not (built.share / "wins").exists() and not (built.share / "goals").exists()
    secrets = private_words(built.root)
    for path, page in pages.items():
        nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)
        assert nav and re.findall(r">([^<>]+)</a>", nav.group(0)) == [
            "Home",
            "Lessons",
            "Tags",
            "Stats",
        ]
        dead = [link for link in internal_links(page) if not resolves(built.share, link)]
        assert dead == [], (path, dead)
        folded = html.unescape(page).casefold()
        assert [s for s in secrets if s.casefold() in folded] == [], path
    # Tags are shared, so lessons link to their (renamed) pages; no heatmap cell links
    # to a day, which would be an entry's page.
    assert 'href="/p/' in pages["/lessons/"]
    charts = re.findall(r"<svg.*?</svg>", pages["/stats/"], re.S)
    assert charts and not [svg for svg in charts if "<a " in svg]


def test_reviews_are_shared_without_the_private_entries(
    shared: Shared, pages: dict[str, str]
) -> None:
    public, private, _ = journal_of(shared.root)
    # The week of the fixture's last day, as the people shared with see it.
    year, week, _ = max(e.day for e in [*public, *private]).isocalendar()
    in_week = [e for e in public if e.day.isocalendar()[:2] == (year, week)]
    assert any(e.day.isocalendar()[:2] == (year, week) for e in private)
    # Pages but a section's index have unreadable addresses on an encrypted site.
    [key] = [
        path for path, page in pages.items() if f"Week {week} of {year}" in text_of(page)[:80]
    ]
    assert "/reviews/" in pages
    review = text_of(pages[key])
    assert f"Days written {len({e.day for e in in_week})} of " in review, review
    for entry in in_week:
        for win in entry.wins:
            assert win.text in review
    assert not [w for w in private_words(shared.root) if w.casefold() in review.casefold()]
    # The days are shown, not linked: entries have no pages here.
    assert not DATE_PATH.search(pages[key])
    assert 'class="review-day"' not in pages[key].replace('<span class="review-day">', "")
    # The share home counts the weeks reviewed.
    weeks = {e.day.isocalendar()[:2] for e in public}
    assert f"{len(weeks)} weeks" in text_of(pages["/"])


def test_a_review_links_goals_and_tags_only_when_they_are_shared(tmp_path: Path) -> None:
    built = share_fixture(
        tmp_path / "site", {"journal.toml": 'title = "Robin"\n[share]\nsections = ["reviews"]\n'}
    )
    pages = decrypted_pages(built.share)
    assert not [p for p in pages if p.startswith(("/wins/", "/lessons/", "/goals/", "/tags/"))]
    for path, page in pages.items():
        dead = [link for link in internal_links(page) if not resolves(built.share, link)]
        assert dead == [], (path, dead)
    public, _, goals = journal_of(built.root)
    goal = goals[0]
    # The week of a shared win on the goal (page paths are hidden, so found by its heading).
    day = next(e.day for e in public if any(w.goal == goal.slug for w in e.wins))
    year, number, _ = day.isocalendar()
    week = next(page for page in pages.values() if f"<title>Week {number} of {year} " in page)
    assert goal.title in text_of(week) and "/goals/" not in week and "/tags/" not in week


def test_the_section_table_names_the_sections_journal_toml_accepts() -> None:
    from journal_site.pages.share import SECTIONS

    assert tuple(SECTIONS) == SHAREABLE_SECTIONS
    assert all(s.builders for s in SECTIONS.values())


@pytest.fixture
def journal_with_private_tags(tmp_path: Path) -> Iterator[Path]:
    root = copy_fixture(
        tmp_path / "site",
        {
            "journal.toml": '[share]\nprivate_tags = ["Health"]\n',
            # A tag on one win alone leaves out the whole entry.
            "content/2026/2026-03-06.md": """
                ---
                title: Quiet morning
                wins:
                  - text: Booked the osteopathic appointment
                    tags: [health]
                  - Watered the fernery plants
                ---
                """,
        },
    )
    yield root


def test_private_tags_are_configurable_and_match_any_spelling(
    journal_with_private_tags: Path,
) -> None:
    root = journal_with_private_tags
    result = run_journal("share", "--today", TODAY, cwd=root, env=share_env())
    assert result.returncode == 0, result.stderr
    text = " ".join(text_of(page) for page in decrypted_pages(root / "share").values())
    assert "Called the dentist back" not in text  # its entry is tagged health
    assert "Watered the fernery plants" not in text  # its entry has a win tagged health
    assert "Told Pemberton the truth" not in text  # private: true still counts
    # "Private" is no longer in private_tags, so that entry is shared now.
    assert "Finished the zeppelin letter" in text
    assert "Walked the harbour loop twice" in text
