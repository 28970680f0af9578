"""The engine's differential property: after any sequence of edits, an incremental
build is byte for byte a clean build, with theme overrides that print every field of
everything their templates receive.

``journal build`` runs for real (a subprocess), keeping its store between steps, and
its output is compared with a clean build of a copy of the site; one in-memory
``Engine(keep=True)`` (what ``journal serve`` holds) lives through the same steps and is
compared with ``render_site``, a clean build in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from conftest import REPO, run_journal, tree
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from journal_site.build import render_site
from journal_site.config import load_config
from journal_site.engine.site import Engine
from journal_site.engine.store import CACHE_DIR_NAME
from journal_site.late_number import prints_number_only
from journal_site.pages import core
from journal_site.render import template_environment

THEME = REPO / "themes" / "default" / "templates"
START = dt.date(2026, 11, 25)

# -- the journal, as the machine holds it ------------------------------------------------

FILE_NAMES = (
    "2025-12-30.md",
    "2026-01-04.md",
    "2026-11-01.md",
    "2026-11-02.md",
    "2026-11-02-evening.md",
    "2026-11-03.md",
    "2026-11-10.md",
    "2026-11-24.md",
    "2026-11-25.md",
    "2026-11-27.md",
    "2026/12/01.md",
)
TITLES = ("Day one", "A <b>bold</b> & brave day", "Ünïcode ✓ “quotes”", "Spoke up", "Quiet")
TAGS = ("work", "health", "family", "code")
WIN_TEXTS = ("Ran 3 km", "Read a chapter", "Spoke up", "Cooked <dinner> & more", "Drank water")
GOALS = ("run", "read")
SETBACKS = (
    ("Skipped lunch", "Pack it the night before"),
    ("Snapped at Sam", ""),
    ("Missed the run", "Shoes by the door"),
)
BODIES = (
    "A plain day.",
    "Went out. See [the first day](2026-11-01.md) and ![a picture](pic.png).",
    "Linked to [[2026-11-02]] and to [a day that may be gone](2026-11-10.md).",
    "Two paragraphs.\n\nThe *second* one has `code` and a list:\n\n- one\n- two",
    "",
)
EXTRAS = ({}, {"weather": "sunny"}, {"energy": {"am": 3, "pm": 2}, "place": "home"})


@dataclass
class EntryState:
    title: str = "Day one"
    mood: int | None = None
    tags: tuple[str, ...] = ()
    wins: tuple[tuple[str, str | None, str | None, bool], ...] = ()
    """(text, goal slug, the win's own tag, proud)."""
    setbacks: tuple[tuple[str, str], ...] = ()
    draft: bool = False
    body: str = "A plain day."
    extra: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        lines = ["---", f"title: {json.dumps(self.title)}"]
        if self.mood is not None:
            lines.append(f"mood: {self.mood}")
        if self.tags:
            lines.append(f"tags: [{', '.join(self.tags)}]")
        if self.wins:
            lines.append("wins:")
            for text, goal, tag, proud in self.wins:
                lines.append(f"  - text: {json.dumps(text)}")
                if goal:
                    lines.append(f"    goal: {goal}")
                if tag:
                    lines.append(f"    tags: [{tag}]")
                if proud:
                    lines.append("    proud: true")
        if self.setbacks:
            lines.append("setbacks:")
            for text, reframe in self.setbacks:
                lines.append(f"  - text: {json.dumps(text)}")
                if reframe:
                    lines.append(f"    reframe: {json.dumps(reframe)}")
        if self.draft:
            lines.append("draft: true")
        lines.extend(f"{key}: {json.dumps(value)}" for key, value in self.extra.items())
        lines += ["---", self.body, ""]
        return "\n".join(lines)


wins_st = st.lists(
    st.tuples(
        st.sampled_from(WIN_TEXTS),
        st.sampled_from((None, *GOALS)),
        st.sampled_from((None, *TAGS)),
        st.booleans(),
    ),
    max_size=3,
).map(tuple)
FIELDS = {
    "title": st.sampled_from(TITLES),
    "mood": st.sampled_from((None, 1, 3, 5)),
    "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=3).map(tuple),
    "wins": wins_st,
    "setbacks": st.lists(st.sampled_from(SETBACKS), max_size=2).map(tuple),
    "draft": st.booleans(),
    "body": st.sampled_from(BODIES),
    "extra": st.sampled_from(EXTRAS),
}
entry_st = st.builds(EntryState, **FIELDS)


@dataclass
class GoalState:
    title: str
    steps: tuple[str, ...] = ()
    target: str | None = None
    body: str = ""

    def text(self) -> str:
        lines = ["---", f"title: {json.dumps(self.title)}"]
        if self.target:
            lines.append(f"target: {self.target}")
        lines.append(f"steps: {json.dumps(list(self.steps))}")
        return "\n".join([*lines, "---", self.body, ""])


GOAL_FIELDS = {
    "title": st.sampled_from(("Run more", "Read more", "Run & read <more>")),
    "steps": st.lists(st.sampled_from(WIN_TEXTS), unique=True, max_size=3).map(tuple),
    "target": st.sampled_from((None, "2026-12-31", "2027-06-01")),
    "body": st.sampled_from(
        ("", "Why it matters.", "See [[2026-11-01]] and [that](../2026-11-03.md).")
    ),
}

# -- the override layer: templates that print what they receive -------------------------

PROBES = {
    # Printed inside the content block of a page template, or at the end of a partial.
    # The card prints the number and does nothing else with it: its cards are made with
    # a stand-in for it (late_number.py) until a probe below does more.
    "partials/win_card.html": (
        '<p class="probe">{{ rec.entry.title }}|{{ rec.entry.mood }}|{{ rec.entry.tags }}'
        "|{{ rec.win }}|{{ rec.number }}|{{ rec.tags }}|{{ rec.entry.draft }}"
        "|{{ rec.entry.setbacks }}|{{ rec.entry.extra }}|{{ rec.entry.wins }}</p>"
    ),
    "partials/entry_card.html": (
        '<p class="probe">{{ e.title }}|{{ e.mood }}|{{ e.tags }}|{{ e.wins }}'
        "|{{ e.setbacks }}|{{ e.extra }}|{{ e.slug }}</p>"
    ),
    "tag.html": (
        '<p class="probe">{{ tag }}</p>{% for card in entries %}<p class="probe">{{ card.entry }}'
        "|{{ card.url }}</p>{% endfor %}{% for rec in wins %}<p>{{ rec.entry.title }}</p>{% endfor %}"
    ),
    "goal.html": '<p class="probe">{{ progress }}|{{ days_left }}</p>',
    # The wall's page and its days print every field, each on its own: a page made once
    # for all its win numbers (engine/late.py) until a probe below prints a whole record.
    "wins.html": (
        '<p class="probe">{{ wall.year }}|{{ wall.number }}|{{ wall.count }}|{{ wall.win_count }}'
        "|{{ years }}|{{ filters }}</p>"
    ),
    # Rendered with ``partial(...)``, kept under what it receives.
    "partials/wall_days.html": (
        '<p class="probe">{% for d in wall.days %}{{ d.day }}:{% for c in d.celebrations %}'
        "{{ c.kind }} {{ c.count }} {{ c.day }} {{ c.win.number if c.win else '' }};{% endfor %}"
        "{% for r in d.wins %}{{ r.number }} {{ r.index }} {{ r.tags }} {{ r.win }}"
        " {{ r.entry.title }};{% endfor %}{% endfor %}|{{ urls }}|{{ slugs }}|{{ goal_titles }}</p>"
    ),
    "partials/year_heatmap.html": '<p class="probe">{{ hm }}|{{ hm.heatmap }}</p>',
    "tags.html": '<p class="probe">{{ tags }}</p>',
    "goals.html": '<p class="probe">{{ goals }}</p>',
    "lessons.html": '<p class="probe">{{ groups }}|{{ urls }}</p>',
    "entry.html": '<p class="probe">{{ entry.title }}|{{ previous }}|{{ next }}|{{ entry.extra }}</p>',
    "review.html": '<p class="probe">{{ review }}|{{ urls }}|{{ slugs }}|{{ goal_titles }}</p>',
    "review_year.html": '<p class="probe">{{ review }}|{{ parts }}|{{ heatmap }}</p>',
    "reviews.html": '<p class="probe">{{ years }}|{{ current_week }}</p>',
}
EXTRA_PROBES = (
    ("partials/win_card.html", "<i>{{ rec.entry.slug }} {{ rec.entry.day }} {{ rec.index }}</i>"),
    # A card that does more with the number than print it: made with it (late_number.py).
    ("partials/win_card.html", "<i>{% if rec.number is odd %}odd{% endif %}</i>"),
    ("partials/entry_card.html", "<i>{{ e.day }} {{ e.time }} {{ e.title_is_default }}</i>"),
    ("tag.html", "<i>{{ number }}/{{ count }} {{ goal_titles }} {{ slugs }}</i>"),
    # A page's numbers added to (put in late, engine/late.py), then compared (made with
    # its numbers).
    (
        "tag.html",
        "<i>{% for rec in wins %}{{ rec.number + 1 }} {{ rec.number - 2 }}{% endfor %}</i>",
    ),
    (
        "tag.html",
        "<i>{% for rec in wins %}{% if rec.number is odd %}odd{% endif %}{% endfor %}</i>",
    ),
    # Whole records printed: their numbers' stand-ins refuse it, made with the numbers.
    ("wins.html", "<i>{{ wall }}</i>"),
    ("partials/wall_days.html", "<i>{{ wall.days }}</i>"),
    ("goal.html", "<i>{{ progress.goal.target }} {{ goal_titles }} {{ urls }}</i>"),
    ("wins.html", "<i>{{ total_wins }} {{ year_wins }} {{ urls }}</i>"),
    ("partials/wall_days.html", "<i>{{ wall.count }} {{ wall.year }} {{ site.title }}</i>"),
    ("partials/year_heatmap.html", "<i>{{ hm.heatmap.longest_streak }} {{ url('stats/') }}</i>"),
    ("base.html", "<!-- {{ site.title }} {{ site.author }} -->"),
    ("stats.html", "<i>{{ totals }}</i>"),
    ("home.html", "<i>{{ week_review }}</i>"),
    ("review.html", "<i>{{ previous_link }} {{ next_link }} {{ up_links }} {{ heatmap }}</i>"),
)
STATIC_NAMES = ("notes.txt", "style.css", "img/dot.svg")


def add_probe(path: Path, snippet: str) -> None:
    """Print ``snippet`` at the start of the content block (or at the end of a partial)."""
    text = path.read_text(encoding="utf-8")
    mark = "{% block content %}\n"
    if mark in text:
        text = text.replace(mark, mark + snippet + "\n", 1)
    else:
        text += snippet + "\n"
    path.write_text(text, encoding="utf-8")


def write_overrides(root: Path) -> None:
    shutil.copytree(THEME, root / "templates")
    for name, snippet in PROBES.items():
        add_probe(root / "templates" / name, snippet)


# -- comparing ---------------------------------------------------------------------------


def differences(got: dict[str, bytes], expected: dict[str, bytes]) -> str:
    """What differs between two trees, in words (empty when nothing does)."""
    lines = [f"missing: {p}" for p in sorted(expected.keys() - got.keys())]
    lines += [f"extra: {p}" for p in sorted(got.keys() - expected.keys())]
    for path in sorted(got.keys() & expected.keys()):
        if got[path] != expected[path]:
            ours = got[path].decode("utf-8", "replace").splitlines()
            theirs = expected[path].decode("utf-8", "replace").splitlines()
            first = next(
                (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                min(len(ours), len(theirs)),
            )
            got_line = ours[first] if first < len(ours) else "<end>"
            want_line = theirs[first] if first < len(theirs) else "<end>"
            lines.append(
                f"differs: {path} line {first + 1}\n  got:      {got_line[:300]}\n"
                f"  expected: {want_line[:300]}"
            )
    return "\n".join(lines)


def in_memory(files: dict[str, bytes | Path]) -> dict[str, bytes]:
    return {
        path: data.read_bytes() if isinstance(data, Path) else bytes(data)  # type: ignore[arg-type]
        for path, data in files.items()
    }


def _start_build(root: Path, today: dt.date) -> subprocess.Popen[str]:
    """``journal build --today`` started in a subprocess (as ``conftest.run_journal`` runs
    it), so that two builds and the in-memory ones overlap."""
    return subprocess.Popen(
        [sys.executable, "-m", "journal_site", "build", "--today", today.isoformat()],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- the machine -------------------------------------------------------------------------


class EditsThenBuild(RuleBasedStateMachine):
    """Random edits to a small journal with overrides; after each, three builds agree."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="journal-differential-"))
        self.root = self.tmp / "site"
        self.entries: dict[str, EntryState] = {}
        self.goals = {
            "run": GoalState("Run more", ("Ran 3 km",), "2026-12-31", "Why it matters."),
            "read": GoalState("Read more", ("Read a chapter",)),
        }
        self.settings: dict[str, object] = {"title": "Probe journal", "per_page": 2}
        self.today = START
        self.engine: Engine | None = None
        self.steps: list[str] = []
        self.clean_runs = 0
        # Entry pages are planned in blocks of 64 (one block for a journal this small, in
        # ``journal build``); the engine in memory plans blocks of 3 here, so that an
        # edit lands in one block and is read from others.
        self.entry_block = core.ENTRY_BLOCK
        core.ENTRY_BLOCK = 3

    def teardown(self) -> None:
        core.ENTRY_BLOCK = self.entry_block
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- writing the site --

    def write_entry(self, name: str) -> None:
        path = self.root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.entries[name].text(), encoding="utf-8")

    def write_goal(self, slug: str) -> None:
        path = self.root / "content" / "goals" / f"{slug}.md"
        path.write_text(self.goals[slug].text(), encoding="utf-8")

    def write_settings(self) -> None:
        text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in self.settings.items())
        (self.root / "journal.toml").write_text(text, encoding="utf-8")

    def note(self, step: str) -> None:
        self.steps.append(step)

    @initialize(
        first=st.lists(st.tuples(st.sampled_from(FILE_NAMES), entry_st), min_size=2, max_size=4)
    )
    def start(self, first: list[tuple[str, EntryState]]) -> None:
        (self.root / "content" / "goals").mkdir(parents=True)
        (self.root / "content" / "pic.png").write_bytes(b"\x89PNG first")
        (self.root / "static").mkdir()
        (self.root / "static" / "notes.txt").write_text("notes\n")
        write_overrides(self.root)
        self.write_settings()
        for slug in self.goals:
            self.write_goal(slug)
        # One entry that surely exists, with a win toward a goal.
        self.entries["2026-11-01.md"] = EntryState(
            title="Day one", tags=("work",), wins=(("Ran 3 km", "run", None, True),)
        )
        for name, entry in first:
            self.entries[name] = entry
        for name in self.entries:
            self.write_entry(name)
        self.note(f"start with {sorted(self.entries)}")

    # -- entries --

    @rule(data=st.data(), name=st.sampled_from(sorted(FIELDS)))
    def edit_entry(self, data: st.DataObject, name: str) -> None:
        source = data.draw(st.sampled_from(sorted(self.entries)), label="entry")
        value = data.draw(FIELDS[name], label=name)
        self.entries[source] = replace(self.entries[source], **{name: value})
        self.write_entry(source)
        self.note(f"{source}: {name} = {value!r}")

    @rule(data=st.data(), entry=entry_st)
    def add_entry(self, data: st.DataObject, entry: EntryState) -> None:
        free = [n for n in FILE_NAMES if n not in self.entries]
        if not free:
            return
        name = data.draw(st.sampled_from(free), label="new file")
        self.entries[name] = entry
        self.write_entry(name)
        self.note(f"add {name}: {entry!r}")

    @precondition(lambda self: len(self.entries) > 1)
    @rule(data=st.data())
    def delete_entry(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.entries)), label="deleted")
        del self.entries[name]
        (self.root / "content" / name).unlink()
        self.note(f"delete {name}")

    @rule(data=st.data())
    def rename_entry(self, data: st.DataObject) -> None:
        free = [n for n in FILE_NAMES if n not in self.entries]
        if not free:
            return
        old = data.draw(st.sampled_from(sorted(self.entries)), label="renamed")
        new = data.draw(st.sampled_from(free), label="to")
        target = self.root / "content" / new
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.root / "content" / old, target)  # bytes and time kept: a new name
        self.entries[new] = self.entries.pop(old)
        self.note(f"rename {old} -> {new}")

    # -- goals, templates, static files, settings, assets, today --

    @rule(slug=st.sampled_from(GOALS), data=st.data(), name=st.sampled_from(sorted(GOAL_FIELDS)))
    def edit_goal(self, slug: str, data: st.DataObject, name: str) -> None:
        value = data.draw(GOAL_FIELDS[name], label=name)
        self.goals[slug] = replace(self.goals[slug], **{name: value})
        self.write_goal(slug)
        self.note(f"goal {slug}: {name} = {value!r}")

    @rule(probe=st.sampled_from(EXTRA_PROBES))
    def edit_template(self, probe: tuple[str, str]) -> None:
        name, snippet = probe
        add_probe(self.root / "templates" / name, snippet)
        self.note(f"template {name}: + {snippet}")

    @rule(name=st.sampled_from(STATIC_NAMES), text=st.sampled_from(("a", "b { color: red }", "")))
    def static_file(self, name: str, text: str) -> None:
        path = self.root / "static" / name
        if text == "" and path.exists():
            path.unlink()
            self.note(f"static {name} deleted")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
        self.note(f"static {name} = {text!r}")

    @rule(
        setting=st.sampled_from(
            (
                ("title", "Probe journal"),
                ("title", "Another <title>"),
                ("author", "Sam"),
                ("per_page", 1),
                ("per_page", 2),
                ("per_page", 30),
                ("streak", "win"),
                ("streak", "entry"),
                ("streak_grace", 1),
                ("language", "fr"),
            )
        )
    )
    def edit_settings(self, setting: tuple[str, object]) -> None:
        key, value = setting
        self.settings[key] = value
        self.write_settings()
        self.note(f"journal.toml: {key} = {value!r}")

    @rule(data=st.binary(min_size=1, max_size=8))
    def replace_picture(self, data: bytes) -> None:
        (self.root / "content" / "pic.png").write_bytes(b"\x89PNG" + data)
        self.note("content/pic.png replaced")

    @rule(days=st.sampled_from((1, 2, 7, 40, 400)))
    def move_today(self, days: int) -> None:
        self.today += dt.timedelta(days=days)
        self.note(f"today = {self.today}")

    # -- the property --

    @invariant()
    def builds_agree(self) -> None:
        clean = self.tmp / f"clean-{self.clean_runs}"
        self.clean_runs += 1
        shutil.copytree(self.root, clean, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
        incremental = _start_build(self.root, self.today)
        from_nothing = _start_build(clean, self.today)
        try:
            # Meanwhile, in memory: the engine `journal serve` keeps, against a clean build.
            config = load_config(self.root)
            if self.engine is None or self.engine.config != config:
                # journal serve makes its engine again when journal.toml changes.
                self.engine = Engine(config, today=self.today, keep=True)
            self.engine.today = self.today
            served = in_memory(self.engine.build().output.files)
            expected = in_memory(render_site(config, today=self.today).output.files)
        finally:
            _, err = incremental.communicate(timeout=300)
            _, clean_err = from_nothing.communicate(timeout=300)
        history = "\n".join(self.steps)
        assert from_nothing.returncode == 0, f"{clean_err}\nafter:\n{history}"
        assert incremental.returncode == 0, f"{err}\nafter:\n{history}"
        diff = differences(tree(self.root / "public"), tree(clean / "public"))
        assert not diff, f"journal build after:\n{history}\n{diff}"
        assert err == clean_err, history  # the same warnings, from the store or not
        diff = differences(served, expected)
        assert not diff, f"Engine(keep=True) after:\n{history}\n{diff}"
        diff = differences(expected, tree(clean / "public"))
        assert not diff, f"render_site against journal build, after:\n{history}\n{diff}"
        shutil.rmtree(clean)


TestEditsThenBuild = pytest.mark.slow(EditsThenBuild.TestCase)
TestEditsThenBuild.settings = settings(
    max_examples=8,
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the bug the engine was rebuilt for, and the summaries' contract ---------------------


def _clean_tree(root: Path, into: Path, today: dt.date = START) -> dict[str, bytes]:
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    result = run_journal("build", "--today", today.isoformat(), cwd=into)
    assert result.returncode == 0, result.stderr
    return tree(into / "public")


def _small_site(root: Path) -> Path:
    (root / "content" / "goals").mkdir(parents=True)
    (root / "content" / "goals" / "run.md").write_text("---\ntitle: Run more\nsteps: [Ran]\n---\n")
    for day, title in ((1, "Day one"), (2, "Day two"), (3, "Day three")):
        entry = EntryState(title=title, tags=("work",), wins=((f"Ran {day}", "run", None, False),))
        (root / "content" / f"2026-11-0{day}.md").write_text(entry.text())
    (root / "content" / "2025-12-30.md").write_text(
        EntryState(title="Last year", tags=("work",), wins=(("Ran", "run", None, False),)).text()
    )
    return root


def test_the_probes_take_the_win_card_both_ways_a_number_can_be_put_in() -> None:
    """The steps above build with cards made with a stand-in for the number, and, once
    the second card probe is added, with cards made with the number."""
    env = template_environment([])
    card = (THEME / "partials" / "win_card.html").read_text(encoding="utf-8")
    probed = card + PROBES["partials/win_card.html"]
    assert prints_number_only(env, probed)
    for name, snippet in EXTRA_PROBES:
        if name == "partials/win_card.html":
            assert prints_number_only(env, probed + snippet) == ("rec.number" not in snippet)


def test_a_win_card_override_that_prints_the_entry_title_follows_a_rename(
    tmp_path: Path,
) -> None:
    """The issue: a theme's win card printing ``rec.entry.title`` kept the old title on
    the wins wall, the tag page and the goal page after the entry's title changed."""
    root = _small_site(tmp_path / "site")
    card = root / "templates" / "partials" / "win_card.html"
    card.parent.mkdir(parents=True)
    card.write_text(
        (THEME / "partials" / "win_card.html")
        .read_text()
        .replace("</li>", '<p class="from">from {{ rec.entry.title }}</p>\n</li>')
    )
    args = ("build", "--today", START.isoformat())
    assert run_journal(*args, cwd=root).returncode == 0
    public = root / "public"
    assert b"from Day two" in (public / "wins/index.html").read_bytes()

    entry = root / "content" / "2026-11-02.md"
    entry.write_text(entry.read_text().replace('"Day two"', '"Renamed two"'))
    result = run_journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr

    for page in ("wins/index.html", "wins/2026/index.html", "tags/work/index.html"):
        html = (public / page).read_bytes()
        assert b"from Renamed two" in html and b"from Day two" not in html, page
    assert b"from Renamed two" in (public / "goals/run/index.html").read_bytes()
    assert tree(public) == _clean_tree(root, tmp_path / "clean")


@pytest.mark.parametrize(
    ("template", "edit", "line"),
    [
        (
            "tag.html",
            lambda t: t.replace(
                "{{ card.entry.title }}</a>", "{{ card.entry.title }}</a> {{ card.entry.text }}"
            ),
            None,  # the line of the list item, found below
        ),
        (
            "wins.html",
            lambda t: t.replace(
                "{% block content %}\n",
                "{% block content %}\n{{ wall.days[0].wins[0].entry.body_html }}\n",
            ),
            4,
        ),
    ],
    ids=["tag.html prints card.entry.text", "wins.html prints an entry's body_html"],
)
def test_a_template_asking_a_summary_for_its_body_fails_the_build(
    tmp_path: Path, template: str, edit, line: int | None
) -> None:  # type: ignore[no-untyped-def]
    root = _small_site(tmp_path / "site")
    override = root / "templates" / template
    override.parent.mkdir(parents=True)
    override.write_text(edit((THEME / template).read_text()))
    field_name = "text" if template == "tag.html" else "body_html"
    if line is None:
        line = next(
            n
            for n, text in enumerate(override.read_text().splitlines(), 1)
            if f"card.entry.{field_name}" in text
        )
    result = run_journal("build", "--today", START.isoformat(), cwd=root)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: templates/{template}:{line}: "), result.stderr
    assert f"no '{field_name}'" in first, result.stderr
    assert not (root / "public").exists()


def test_an_entry_card_partial_on_a_tag_page_asking_for_text_names_the_partial(
    tmp_path: Path,
) -> None:
    """An override of ``partials/entry_card.html`` (which the timeline renders with
    whole entries) included by a ``tag.html`` override, where entries are summaries:
    the error names the file that asks for ``text`` and its line."""
    root = _small_site(tmp_path / "site")
    templates = root / "templates"
    (templates / "partials").mkdir(parents=True)
    (templates / "tag.html").write_text(
        (THEME / "tag.html")
        .read_text()
        .replace(
            "{% block content %}\n",
            '{% block content %}\n{% for card in entries %}{% include "partials/entry_card.html" %}{% endfor %}\n',
        )
    )
    result = run_journal("build", "--today", START.isoformat(), cwd=root)
    assert result.returncode == 0, result.stderr
    # The default entry card reads `e.text` (for an excerpt) only when the entry has no
    # wins; these entries all have wins, so the tag page renders: the field is read lazily.
    # Add an entry without wins, tagged: the partial now reaches for its text.
    (root / "content" / "2026-11-04.md").write_text(
        EntryState(title="No wins", tags=("work",)).text()
    )
    result = run_journal("build", "--today", START.isoformat(), cwd=root)
    assert result.returncode == 1
    partial = (THEME / "partials" / "entry_card.html").read_text().splitlines()
    line = next(n for n, text in enumerate(partial, 1) if "e.text" in text)
    first = result.stderr.splitlines()[0]
    assert "no 'text'" in first, result.stderr
    assert first.startswith(f"error: templates/partials/entry_card.html:{line}: "), result.stderr


@pytest.mark.parametrize(
    "settings_text",
    ["[markdown]\ntypographer = true\n", "[markdown]\nallow_html = true\n", 'base_url = "/j/"\n'],
)
def test_a_setting_that_changes_how_markdown_renders_renders_it_again(
    tmp_path: Path, settings_text: str
) -> None:
    root = _small_site(tmp_path / "site")
    (root / "content" / "pic.png").write_bytes(b"\x89PNG")
    entry = EntryState(title="Quotes", body='He said "hello" -- ![a picture](pic.png) <b>bold</b>')
    (root / "content" / "2026-11-04.md").write_text(entry.text())
    args = ("build", "--today", START.isoformat())
    assert run_journal(*args, cwd=root).returncode == 0
    (root / "journal.toml").write_text(settings_text)
    result = run_journal(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    clean = _clean_tree(root, tmp_path / "clean")
    assert differences(tree(root / "public"), clean) == ""
