"""Goals: steps done or not, the wins linked to each goal, and progress.

A step is done when its goal file ticks it (``[x] Run 1 km``) or when a win linked to
the goal has the step's text (compared without regard to case or spacing), so writing
the win is enough to see the step ticked off.

A win naming a goal that has no file is an error, except in a journal with no goal
files at all: there the goals that wins name are *implied* (a title from the slug, no
steps, still a page), so a journal can start linking wins to goals before writing a
single goal file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from journal_site.aggregate.wins import WinRecord
from journal_site.errors import JournalError, Problem
from journal_site.model import Goal


@dataclass(frozen=True, slots=True)
class StepStatus:
    text: str
    done: bool
    by_win: WinRecord | None = None
    """The first linked win whose text matches the step, if any."""


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal: Goal
    steps: tuple[StepStatus, ...]
    wins: tuple[WinRecord, ...]
    """Wins linked to the goal, newest first."""
    implied: bool = False
    """True for a goal named by wins in a journal without goal files."""

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.steps else 0

    @property
    def last_win_day(self) -> dt.date | None:
        return self.wins[0].entry.day if self.wins else None


def goal_url(slug: str) -> str:
    return f"goals/{slug}/"


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def implied_goal(slug: str) -> Goal:
    title = slug.replace("-", " ").strip().capitalize() or slug
    return Goal(slug=slug, source="", title=title, target=None, steps=(), body_html="")


def goal_progress(
    goals: Sequence[Goal], wins: Sequence[WinRecord], content: str = "content"
) -> tuple[GoalProgress, ...]:
    """Progress of every goal (by title); JournalError for wins naming unknown goals."""
    known = {g.slug: g for g in goals}
    implied = not goals
    linked: dict[str, list[WinRecord]] = {}
    problems: list[Problem] = []
    for record in wins:
        slug = record.win.goal
        if slug is None:
            continue
        if slug not in known:
            if not implied:
                names = ", ".join(sorted(known))
                problems.append(
                    Problem(
                        f"{content}/{record.entry.source}",
                        record.win.line,
                        f"wins[{record.index}].goal: no goal {slug!r}; known goals: {names} "
                        f"(a goal is a file {content}/goals/<name>.md)",
                    )
                )
                continue
            known[slug] = implied_goal(slug)
        linked.setdefault(slug, []).append(record)
    if problems:
        raise JournalError(problems)
    result = []
    for slug, goal in known.items():
        goal_wins = linked.get(slug, [])
        steps = []
        for step in goal.steps:
            match = next((r for r in goal_wins if same_text(r.win.text, step.text)), None)
            steps.append(StepStatus(step.text, step.done or match is not None, match))
        result.append(
            GoalProgress(
                goal=goal,
                steps=tuple(steps),
                wins=tuple(reversed(goal_wins)),
                implied=implied,
            )
        )
    result.sort(key=lambda p: (p.goal.title.casefold(), p.goal.slug))
    return tuple(result)


def days_left(target: dt.date | None, today: dt.date) -> int | None:
    return None if target is None else (target - today).days
