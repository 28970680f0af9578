#!/usr/bin/env python3
"""A generated journal for tests and benchmarks: years of daily entries, always the same.

    python benchmarks/corpus.py DIR [--entries N] [--seed S] [--end YYYY-MM-DD] [--goals]

Writes ``N`` entries into ``DIR`` (the journal's ``content/`` folder), one file a day
named ``YYYY-MM-DD.md`` (``YYYY-MM-DD-2.md`` on the few days with two entries), going
back from ``--end``. It is shaped like a journal someone keeps for years:

- about one day in eight has no entry, in runs of one to a few days, so streaks break;
- front matter with a title, tags (some days none), a mood that drifts from day to day,
  wins (most as plain strings, some as mappings with tags and a goal) and setbacks
  (mappings, nearly all with a reframe);
- a body of about a kilobyte of Markdown: paragraphs with emphasis and links, lists,
  task lists, quotes, a heading, now and then a table, a footnote or a code block.

With ``--goals`` it also writes ``goals/<name>.md`` for every goal the wins name, with
steps that some wins complete; without it there are no goal files, and the site makes
a page per goal from the wins alone. The same arguments always write the same bytes
(standard library only, no dependence on hash order or the clock).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_END = dt.date(2026, 11, 24)
"""The newest entry's day unless ``--end`` says otherwise (tests build as of the next day)."""

TAGS = (
    "work", "health", "running", "sleep", "family", "friends", "therapy", "reading",
    "learning", "cooking", "money", "focus", "anxiety", "gratitude", "meditation",
    "music", "garden", "home", "career", "boundaries", "writing", "nature", "rest",
    "self-care", "kindness", "exercise", "coding", "travel", "creativity", "habits",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GoalPlan:
    """A goal the wins can name, and the steps towards it."""

    slug: str
    title: str
    steps: tuple[str, ...]
    """In order; a win naming the goal sometimes has exactly a step's text."""
    tags: tuple[str, ...]


GOALS = (
    GoalPlan("run-5k", "Run 5 km", (
        "Run/walk three times a week", "Run 2 km without stopping",
        "Run 3 km without stopping", "Run 5 km without stopping",
    ), ("running", "health")),
    GoalPlan("speak-up", "Speak up at work", (
        "Ask one question in a meeting", "Share an idea at stand-up",
        "Disagree politely in a review", "Present to the whole team",
    ), ("work", "career")),
    GoalPlan("meditate-daily", "Meditate every day", (
        "Meditate for five minutes", "Meditate for ten minutes",
        "Meditate seven days in a row",
    ), ("meditation", "anxiety")),
    GoalPlan("read-twelve", "Read twelve books this year", (
        "Finish the first book", "Finish the sixth book", "Finish the twelfth book",
    ), ("reading",)),
    GoalPlan("bed-by-eleven", "In bed by eleven", (
        "Phone out of the bedroom", "In bed by eleven three nights running",
        "In bed by eleven for a whole week",
    ), ("sleep", "rest")),
    GoalPlan("cook-more", "Cook at home most nights", (
        "Plan the week's meals", "Cook four dinners in a week", "Learn five new recipes",
    ), ("cooking", "money")),
    GoalPlan("call-home", "Call home every week", (
        "Call Mum on Sunday", "Visit Dad this month",
    ), ("family",)),
    GoalPlan("finish-course", "Finish the evening course", (
        "Hand in the first assignment", "Pass the midterm", "Hand in the final project",
    ), ("learning", "career")),
)  # fmt: skip

WIN_ACTIONS = (
    "Went for", "Finished", "Made time for", "Said yes to", "Said no to", "Got through",
    "Asked for help with", "Started", "Kept going with", "Showed up to", "Tidied",
    "Sorted out", "Booked", "Enjoyed", "Wrote", "Practised", "Took a break from",
)  # fmt: skip
WIN_THINGS = (
    "a long walk at lunch", "the monthly report", "a slow morning", "the dentist",
    "a hard conversation", "the inbox", "my physio exercises", "a new recipe",
    "the extra shift", "the kitchen", "the tax return", "a chapter of my novel",
    "guitar practice", "the team retro", "an evening without screens", "the group run",
    "my therapy worksheet", "the spare room", "a swim before work", "the code review",
    "a letter to my sister", "the bike repair", "ten minutes of stretching",
)  # fmt: skip
WIN_TAILS = (
    "", "", "", "", " before nine", " without checking my phone", " even though I was tired",
    " on the first try", " and enjoyed it", " with Priya", " in the rain",
)  # fmt: skip
SETBACK_TEXTS = (
    "Stayed up scrolling until one", "Skipped the run again", "Snapped at Alex",
    "Missed the deadline for the report", "Cancelled on a friend", "Ate lunch at my desk",
    "Put off the phone call", "Spent too much on takeaway", "Froze when asked a question",
    "Let the dishes pile up", "Worried all evening about Monday", "Forgot my pills",
)  # fmt: skip
REFRAMES = (
    "A missed day is a data point, not a verdict.",
    "I was tired, not lazy; tomorrow starts earlier.",
    "Put it in the calendar so it is not a decision.",
    "Noticed it sooner than last time, which counts.",
    "Next time, a smaller step: five minutes is enough.",
    "Ask earlier instead of hoping it sorts itself out.",
    "Say what I need before I am running on empty.",
    "Leave the phone charging in the kitchen.",
)  # fmt: skip

TIMES = (
    "This morning", "After lunch", "On the way home", "Tonight", "At work", "Before bed",
    "Around four", "Over coffee", "Later on", "At the weekend",
)  # fmt: skip
DOINGS = (
    "I walked the long way round", "I finally rang the bank", "I sat with the feeling",
    "I cleared half the backlog", "I cooked for the two of us", "I read on the balcony",
    "I let someone else lead the meeting", "I took the stairs", "I wrote three pages",
    "I stretched for ten minutes", "I sent the message I had been drafting",
    "I said what I actually thought", "I left work on time", "I tidied the desk",
    "I went to bed without the laptop", "I listened more than I talked",
)  # fmt: skip
FEELINGS = (
    "and it felt lighter than I expected", "which was harder than it sounds",
    "and nobody minded", "and the evening went better for it",
    "though my shoulders were tight all day", "and I want to remember that",
    "and for once I did not overthink it", "even if only for a moment",
    "which the old me would have skipped", "and the worry shrank a little",
)  # fmt: skip
THOUGHTS = (
    "Progress is slower than I want and faster than I notice",
    "The small things add up when I write them down",
    "Most of the fear was about the first five minutes",
    "I keep learning that rest is part of the work",
    "Not every day needs to be a good day to count",
    "It helps to name the feeling before deciding anything",
    "The plan worked because it was small enough to start",
    "Looking back over the month, the pattern is clearer",
)  # fmt: skip
LINK_WORDS = (
    ("breathing exercise", "https://example.org/breathing"),
    ("recipe", "https://example.org/recipes/lentil-soup"),
    ("article about sleep", "https://example.org/sleep-hygiene"),
    ("running plan", "https://example.org/couch-to-5k"),
    ("podcast episode", "https://example.org/podcast/42"),
)  # fmt: skip


def _pick(rng: random.Random, choices: Sequence[str]) -> str:
    return choices[rng.randrange(len(choices))]


def _quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


@dataclass(frozen=True, slots=True)
class _Topics:
    """What one day's prose is about: a day's notes come back to the same few things."""

    times: tuple[str, ...]
    doings: tuple[str, ...]
    feelings: tuple[str, ...]
    thoughts: tuple[str, ...]

    @classmethod
    def of_a_day(cls, rng: random.Random) -> _Topics:
        return cls(
            rng.sample(TIMES, 3), rng.sample(DOINGS, 5), rng.sample(FEELINGS, 4),
            rng.sample(THOUGHTS, 3),
        )  # fmt: skip


EVERYTHING = _Topics(TIMES, DOINGS, FEELINGS, THOUGHTS)


def _sentence(rng: random.Random, topics: _Topics) -> str:
    """One sentence of a day's prose, now and then with emphasis or a link."""
    shape = rng.random()
    if shape < 0.45:
        text = f"{_pick(rng, topics.times)} {_pick(rng, topics.doings)}, {_pick(rng, topics.feelings)}."
    elif shape < 0.75:
        doing = _pick(rng, topics.doings)
        text = f"{doing[0].upper()}{doing[1:]}, {_pick(rng, topics.feelings)}."
    else:
        text = f"{_pick(rng, topics.thoughts)}."
    roll = rng.random()
    if roll < 0.2:
        words = text.split(" ")
        at = rng.randrange(1, len(words) - 1)
        words[at] = f"*{words[at]}*"
        text = " ".join(words)
    elif roll < 0.3:
        label, url = LINK_WORDS[rng.randrange(len(LINK_WORDS))]
        text += f" I went back to the [{label}]({url}) afterwards."
    return text


def _paragraph(rng: random.Random, topics: _Topics, sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(_sentence(rng, topics) for _ in range(rng.randint(*sentences)))


def _body(rng: random.Random) -> str:
    """About a kilobyte of Markdown, as a day's notes tend to be."""
    topics = _Topics.of_a_day(rng)
    blocks = [_paragraph(rng, topics) for _ in range(rng.choice((3, 3, 4, 4, 5)))]
    if rng.random() < 0.4:
        items = [_pick(rng, WIN_THINGS) for _ in range(rng.randint(2, 4))]
        blocks.insert(1, "\n".join(f"- {item[0].upper()}{item[1:]}" for item in items))
    if rng.random() < 0.12:
        tasks = rng.sample(WIN_THINGS, 3)
        blocks.append("\n".join(f"- [{'x' if i == 0 else ' '}] {t}" for i, t in enumerate(tasks)))
    if rng.random() < 0.25:
        blocks.append(f"> {_pick(rng, topics.thoughts)}.")
    if rng.random() < 0.2:
        blocks.append("## Looking back\n\n" + _paragraph(rng, topics, (1, 2)))
    if rng.random() < 0.04:
        km = rng.randint(2, 5)
        blocks.append(
            f"| run | km | minutes |\n|---|---|---|\n| easy | {km} | {km * 7} |\n"
            f"| steady | {km + 1} | {(km + 1) * 6} |"
        )
    if rng.random() < 0.04:
        blocks[0] += "[^1]"
        blocks.append("[^1]: Written the next morning, so the details are a little hazy.")
    if rng.random() < 0.03:
        blocks.append("```sh\nwhile true; do breathe-in; breathe-out; done\n```")
    return "\n\n".join(blocks) + "\n"


def _win(rng: random.Random) -> list[str]:
    """A win as front-matter lines: a plain string, or a mapping with tags and a goal."""
    text = f"{_pick(rng, WIN_ACTIONS)} {_pick(rng, WIN_THINGS)}{_pick(rng, WIN_TAILS)}"
    if rng.random() < 0.6:
        return [f"  - {_quoted(text)}"]
    goal = GOALS[rng.randrange(len(GOALS))] if rng.random() < 0.5 else None
    if goal is not None and rng.random() < 0.3:
        text = _pick(rng, goal.steps)
    pool = goal.tags if goal is not None and rng.random() < 0.5 else TAGS
    tags = rng.sample(pool, min(len(pool), 2 if rng.random() < 0.4 else 1))
    lines = [f"  - text: {_quoted(text)}", f"    tags: {_flow_list(tags)}"]
    if goal is not None:
        lines.append(f"    goal: {goal.slug}")
    return lines


def _setback(rng: random.Random) -> list[str]:
    lines = [f"  - text: {_quoted(_pick(rng, SETBACK_TEXTS))}"]
    if rng.random() < 0.9:
        lines.append(f"    reframe: {_quoted(_pick(rng, REFRAMES))}")
    return lines


def _count(rng: random.Random, weights: Sequence[int]) -> int:
    return rng.choices(range(len(weights)), weights)[0]


def entry_text(rng: random.Random, day: dt.date, mood: int) -> str:
    """One entry file: front matter and body, drawn from ``rng``."""
    front = [f"date: {day.isoformat()}", f"title: {_quoted(_title(rng))}"]
    tags = rng.sample(TAGS, _count(rng, (15, 40, 30, 15)))
    if tags:
        front.append(f"tags: {_flow_list(tags)}")
    front.append(f"mood: {mood}")
    wins = _count(rng, (12, 33, 30, 15, 7, 3))
    if wins:
        front.append("wins:")
        for _ in range(wins):
            front += _win(rng)
    setbacks = _count(rng, (60, 30, 10))
    if setbacks:
        front.append("setbacks:")
        for _ in range(setbacks):
            front += _setback(rng)
    return "---\n" + "\n".join(front) + "\n---\n\n" + _body(rng)


def _title(rng: random.Random) -> str:
    title = _pick(rng, ("", "Finally, ", "About ", "Small steps: ", "Mostly ")) + _pick(
        rng, WIN_THINGS
    )
    return title[0].upper() + title[1:]


def goal_text(goal: GoalPlan, rng: random.Random) -> str:
    """A goal file: the title, a target, the steps (the first ticked), and why."""
    steps = [f'  - "[x] {goal.steps[0]}"'] + [f"  - {_quoted(s)}" for s in goal.steps[1:]]
    return (
        f"---\ntitle: {_quoted(goal.title)}\ntarget: 2027-0{rng.randint(1, 9)}-01\n"
        "steps:\n" + "\n".join(steps) + f"\n---\n\n{_paragraph(rng, EVERYTHING)}\n"
    )


@dataclass(frozen=True, slots=True)
class Written:
    """What ``write_corpus`` wrote."""

    entries: int
    first: dt.date
    last: dt.date


def write_corpus(
    out: Path, entries: int, *, seed: int = 7, end: dt.date = DEFAULT_END, goals: bool = False
) -> Written:
    """Write ``entries`` entries into ``out``, the newest on ``end``; see the module's doc."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written, day, mood, first = 0, end, 3, end
    skip = 0
    while written < entries:
        if not skip and rng.random() < 0.086:
            # A run of missed days (one, mostly): about one day in eight in all.
            skip = _count(rng, (0, 70, 18, 7, 3, 2))
        if skip:
            skip -= 1
        else:
            mood = min(5, max(1, mood + rng.choice((-1, 0, 0, 1))))
            same_day = 2 if rng.random() < 0.05 else 1
            for n in range(min(same_day, entries - written)):
                name = day.isoformat() + (f"-{n + 1}" if n else "") + ".md"
                (out / name).write_text(entry_text(rng, day, mood), encoding="utf-8")
                written += 1
            first = day
        day -= dt.timedelta(days=1)
    if goals:
        (out / "goals").mkdir(exist_ok=True)
        for goal in GOALS:
            (out / "goals" / f"{goal.slug}.md").write_text(goal_text(goal, rng), encoding="utf-8")
    return Written(entries=written, first=first, last=end)


GENERATOR = Path(__file__).resolve()
"""This script, the benchmarks' default generator."""


def add_generator_option(parser: argparse.ArgumentParser) -> None:
    """A benchmark's ``--generator SCRIPT``: its journal from another generator called as
    this one is."""
    parser.add_argument(
        "--generator",
        type=Path,
        default=GENERATOR,
        help="a script that writes the corpus, called as SCRIPT DIR --entries N [--end DAY] "
        "(default: benchmarks/corpus.py)",
    )


def generate(generator: Path, out: Path, entries: int, end: dt.date | None = None) -> None:
    """Write a benchmark's journal into ``out`` with ``generator`` (this script or
    another called the same way), in a process of its own."""
    command = [sys.executable, str(generator), str(out), "--entries", str(entries)]
    if end is not None:
        command += ["--end", end.isoformat()]
    subprocess.run(command, check=True, capture_output=True)


def new_entry(day: str, number: int) -> str:
    """The entry a benchmark adds for ``day`` (the ``number``-th time): a title, a tag
    and two wins, written late, as a person writes one every day."""
    return (
        f"---\ndate: {day}\ntitle: Round {number}\ntags: [career]\n"
        f'wins:\n  - "Finished round {number}"\n  - "Went for a walk"\n---\n'
        "A short day, written late.\n"
    )


def make_step(step: str, content: Path, day: str, name: str, number: int) -> None:
    """Change the journal in ``content`` as a benchmark's step says, the ``number``-th
    time the benchmark ``name`` does: ``new``, a new entry for ``day``; ``win``, a win
    added to the first entry with wins from the middle of the journal on (every later
    win's number moves on by one); ``edit``, a line added to the text of the entry in
    the middle."""
    files = sorted(content.glob("*.md"))
    middle = files[len(files) // 2 :]
    if step == "new":
        (content / f"{day}-{name}-{number}.md").write_text(new_entry(day, number))
    elif step == "win":
        entry = next(path for path in middle if "\nwins:\n" in path.read_text())
        text = entry.read_text()
        added = f'\nwins:\n  - "Added in {name} {number}"\n'
        entry.write_text(text.replace("\nwins:\n", added, 1))
    else:
        entry = middle[0]
        entry.write_text(entry.read_text() + f"\nEdited in {name} {number}.\n")


def timed_build(
    site: Path, env: Mapping[str, str], today: str, script: Path | None = None
) -> float:
    """Seconds one ``journal build --today TODAY`` of ``site`` takes, in a subprocess
    with the environment ``env`` (a benchmark's build; it fails loudly); ``script``:
    run that script with ``build`` instead of ``journal`` itself."""
    started = time.perf_counter()
    command = [str(script)] if script is not None else ["-m", "journal_site"]
    subprocess.run(
        [sys.executable, *command, "build", "--today", today],
        cwd=site,
        env=dict(env),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


@contextlib.contextmanager
def built_journal(
    generator: Path, entries: int, env: Mapping[str, str], today: str, name: str
) -> Iterator[Path]:
    """A site in a temporary folder (removed afterwards) with a journal of ``entries``
    that ``generator`` writes, built once (its store and public/ made) as ``timed_build``
    builds; ``name`` names the folder, for whoever looks at what runs."""
    with tempfile.TemporaryDirectory(prefix=f"journal-{name}-") as temp:
        site = Path(temp) / "site"
        generate(generator, site / "content", entries)
        timed_build(site, env, today)
        yield site


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write the entries into")
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--goals", action="store_true", help="also write goals/*.md")
    args = parser.parse_args(argv)
    if args.entries < 0:
        parser.error("--entries: expected 0 or more")
    done = write_corpus(args.out, args.entries, seed=args.seed, end=args.end, goals=args.goals)
    print(f"wrote {done.entries} entries from {done.first} to {done.last} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
