"""End to end: a journal on disk -> `journal build` -> the pages a person reads."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import REPO, run_journal, venv_with_this_environment, write_files

TODAY = "2026-11-25"
PNG = (REPO / "content/2026/11/img/parkrun-morning.png").read_bytes()

LAYOUTS: dict[str, str | bytes] = {
    "journal.toml": 'title = "Test journal"\nauthor = "Sam"\n',
    # Date from the file name, flat.
    "content/2026-11-20.md": """
        ---
        title: Spoke up at stand-up
        tags: [work]
        mood: 4
        wins:
          - Asked a question at stand-up
          - text: Ran 3 km without stopping
            tags: [health]
            goal: run-5k
        setbacks:
          - text: Skipped meditation
            reframe: Mornings are rushed; try evenings
          - text: Stayed up late
        ---
        Said the *release date* looked tight. See [the next day](2026/11/21-parkrun.md).
        """,
    # Date from folders; an image next to the entry.
    "content/2026/11/21-parkrun.md": """
        ---
        title: First parkrun
        wins: [Joined the Saturday parkrun]
        ---
        ![Early light over the park](img/parkrun.png)
        """,
    "content/2026/11/img/parkrun.png": PNG,
    # Date from front matter, in a folder of its own.
    "content/therapy/thought-records.md": """
        ---
        date: 2026-11-22
        title: Thought records
        setbacks:
          - text: Cried in the session
            reframe: Crying about something that matters is not failure
        ---
        Maya calls it mind-reading.
        """,
    # No front matter at all.
    "content/2026-11-23.md": "Slow Sunday. Made soup.\n",
    # Two entries on one day: the earlier one gets the day's URL.
    "content/2026/11/25-evening.md": "---\ndate: 2026-11-25 21:15\nwins: [Read the list out]\n---\nEvening.\n",
    "content/2026/11/25-morning.md": "---\ndate: 2026-11-25 07:40\n---\nMorning pages.\n",
    # A draft.
    "content/2026-11-24.md": "---\ntitle: Half-written review notes\ndraft: true\n---\nNot ready.\n",
    "content/goals/run-5k.md": "---\ntitle: Run 5 km\nsteps: [Run 3 km without stopping]\n---\n",
}


def text_of(page: Path) -> str:
    """A page's visible text with tags dropped and entities decoded, to search in."""
    raw = page.read_text(encoding="utf-8")
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
    return re.sub(r" ([.,;:])", r"\1", words)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("layouts"), LAYOUTS)
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return root


def test_each_layout_gets_its_page_with_wins_setbacks_and_body(built: Path) -> None:
    public = built / "public"
    first = text_of(public / "2026/11/20/index.html")
    for expected in (
        "Spoke up at stand-up",
        "Friday 20 November 2026",
        "Mood: 4/5, good",
        "#work",
        "Asked a question at stand-up",
        "Ran 3 km without stopping #health",
        "Skipped meditation",
        "Lesson: Mornings are rushed; try evenings",
        "Stayed up late",
        "No lesson written yet, and that is fine.",
        "Said the release date looked tight.",
    ):
        assert expected in first, expected
    assert "Joined the Saturday parkrun" in text_of(public / "2026/11/21/index.html")
    front_matter_dated = text_of(public / "2026/11/22/index.html")
    assert "Thought records" in front_matter_dated
    assert "Lesson: Crying about something that matters is not failure" in front_matter_dated
    assert "Maya calls it mind-reading." in front_matter_dated
    untitled = text_of(public / "2026/11/23/index.html")
    assert "Monday 23 November 2026" in untitled and "Slow Sunday. Made soup." in untitled


def test_an_entry_links_its_tags_and_goals_to_their_pages(built: Path) -> None:
    public = built / "public"
    page = (public / "2026/11/20/index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="/((?:tags|goals)/[^"]+)"', page):
        assert (public / href / "index.html").is_file(), href
    assert '<a class="tag" href="/tags/health/">#health</a>' in page
    assert '<a class="goal-ref" href="/goals/run-5k/">→ Run 5 km</a>' in page


def test_a_second_entry_on_one_day_gets_its_slug(built: Path) -> None:
    public = built / "public"
    assert "Morning pages." in text_of(public / "2026/11/25/index.html")
    assert "Evening." in text_of(public / "2026/11/25/evening/index.html")
    # They link to each other in time order.
    morning = (public / "2026/11/25/index.html").read_text(encoding="utf-8")
    assert 'rel="next" href="/2026/11/25/evening/"' in morning


def test_drafts_are_left_out_of_build(built: Path) -> None:
    public = built / "public"
    assert not (public / "2026/11/24").exists()
    for page in public.rglob("*.html"):
        assert "Half-written review notes" not in page.read_text(encoding="utf-8"), page


def test_drafts_are_built_with_drafts_flag(built: Path, tmp_path: Path) -> None:
    result = run_journal(
        "build", "--today", TODAY, "--drafts", "--out", str(tmp_path / "d"), cwd=built
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "d/2026/11/24/index.html").read_text(encoding="utf-8")
    assert "Half-written review notes" in page and "badge-draft" in page


def test_a_relative_image_works_from_the_entry_page(built: Path) -> None:
    public = built / "public"
    page_url = "/2026/11/21/"
    page = (public / "2026/11/21/index.html").read_text(encoding="utf-8")
    [src] = re.findall(r'<img src="([^"]+)"', page)
    target = urljoin(page_url, src)
    assert (public / target.lstrip("/")).read_bytes() == PNG


def test_a_link_to_another_entry_file_points_at_its_page(built: Path) -> None:
    page = (built / "public/2026/11/20/index.html").read_text(encoding="utf-8")
    assert '<a href="/2026/11/21/">the next day</a>' in page


def test_home_and_timeline_list_the_published_entries(built: Path) -> None:
    home = text_of(built / "public/index.html")
    assert "You have written on 5 days and noticed 4 wins." in home
    timeline = text_of(built / "public/timeline/index.html")
    assert "November 2026 · 6 entries" in timeline
    # Newest first; the untitled entries of one day are told apart by their time.
    order = [
        timeline.index(t)
        for t in (
            "Wednesday 25 November 2026, 21:15 Read the list out",
            "Wednesday 25 November 2026, 07:40 Morning pages.",
            "Monday 23 November 2026 Slow Sunday. Made soup.",
            "Spoke up at stand-up",
        )
    ]
    assert order == sorted(order)
    for title in ("First parkrun", "Thought records", "Spoke up at stand-up"):
        assert title in timeline


def test_pages_satisfy_a_strict_csp_and_stay_private(built: Path) -> None:
    public = built / "public"
    assert (public / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    pages = list(public.rglob("*.html"))
    entry_pages = [p for p in pages if p.relative_to(public).parts[0] == "2026"]
    assert len(entry_pages) == 6  # the draft is left out
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in source
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), page
        assert not re.search(r"<style|\sstyle=", source), page
        assert not re.search(r'(?:src|href)="(?:https?:)?//', source), page


def test_the_site_can_override_theme_files_one_by_one(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "content/2026-11-20.md": "---\ntitle: Mine\nwins: [A win]\n---\nBody.\n",
            "templates/entry.html": """
                {% extends "base.html" %}
                {% block content %}<p class="custom">My own entry page: {{ entry.title }}</p>{% endblock %}
                """,
            "static/style.css": "body { color: rebeccapurple; }\n",
            "static/extra.txt": "also copied\n",
        },
    )
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    public = root / "public"
    entry = (public / "2026/11/20/index.html").read_text(encoding="utf-8")
    assert '<p class="custom">My own entry page: Mine</p>' in entry
    # base.html still comes from the theme ...
    assert '<nav class="site-nav" aria-label="Main">' in entry
    # ... and so does home.html, while the stylesheet is the site's.
    assert "Latest entries" in (public / "index.html").read_text(encoding="utf-8")
    [css] = public.glob("static/style.*.css")
    assert css.read_text() == "body { color: rebeccapurple; }\n"
    assert f'href="/static/{css.name}"' in entry
    assert [p.read_text() for p in public.glob("static/extra*.txt")] == ["also copied\n"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{% extends "base.html" %}\n{% block content %}{{ entry.title }\n{% endblock %}\n',
            "templates/entry.html:2: template error: unexpected '}'",
        ),
        (
            '{% extends "base.html" %}\n{% block content %}\n{{ entry.nope }}\n{% endblock %}\n',
            "templates/entry.html:3: while rendering /2026/11/20/: ",
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_a_broken_site_template_is_named_with_its_line(
    tmp_path: Path, template: str, expected: str
) -> None:
    root = write_files(
        tmp_path, {"content/2026-11-20.md": "Hi.\n", "templates/entry.html": template}
    )
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert f"error: {expected}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "public").exists()


def test_the_example_journal_builds_cleanly(tmp_path: Path) -> None:
    result = run_journal("build", "--today", TODAY, "--out", str(tmp_path / "site"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Built 53 entries into ")
    # Every goal a win names exists as a goal file.
    goals = {p.stem for p in (REPO / "content/goals").glob("*.md")}
    referenced = set()
    for path in (REPO / "content").rglob("*.md"):
        referenced |= set(re.findall(r"^\s*goal: (\S+)$", path.read_text(encoding="utf-8"), re.M))
    assert referenced and referenced <= goals
    assert (tmp_path / "site/2026/11/img/parkrun-morning.png").is_file()


@pytest.mark.slow
def test_the_wheel_carries_the_theme_and_works_outside_the_repo(tmp_path: Path) -> None:
    # Build from a copy, so the build leaves nothing in the checkout.
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "public", "build", "dist", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("journal_site-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every module and every theme file of the checkout is in the wheel.
    for path in (REPO / "journal_site").rglob("*.py"):
        assert path.relative_to(REPO).as_posix() in names
    for path in (REPO / "themes/default").rglob("*"):
        if path.is_file():
            assert "journal_site/themes/" + path.relative_to(REPO / "themes").as_posix() in names

    # The venv sees this test environment's packages (the wheel's dependencies among
    # them), so the wheel alone is installed, from the file, with no index.
    venv = tmp_path / "venv"
    python = venv_with_this_environment(venv)
    subprocess.run(
        # --force-reinstall: the environment it sees may hold journal_site already (an
        # editable install of this checkout); the venv gets the wheel all the same.
        [
            *(str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index"),
            *("--force-reinstall", str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    journal = venv / "bin" / "journal"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    init = subprocess.run(
        [str(journal), "init", "my-journal"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    site = elsewhere / "my-journal"
    build = subprocess.run(
        [str(journal), "build"], cwd=site, env=env, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr
    # The installed package, not this checkout, did the work, with its packaged theme.
    where = subprocess.run(
        [str(python), "-c", "import journal_site.theme as t; print(t.builtin_theme_dir())"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)) and where.endswith("journal_site/themes/default")
    home = (site / "public/index.html").read_text(encoding="utf-8")
    assert "Latest entries" in home
    [css] = (site / "public/static").glob("style.*.css")
    assert css.read_bytes() == (REPO / "themes/default/static/style.css").read_bytes()
    assert list((site / "public").glob("20*/*/*/index.html"))
