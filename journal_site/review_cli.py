"""``journal review [--week W | --month M | --year Y] [--today D] [--format F]``: one review
in the terminal (text), to paste (markdown) or for scripts (json).

The facts are the review pages' own (``SiteModel.review_book``), and so are the
sentences that compare and encourage (pages/reviews.py), so the terminal and the site
never disagree. Drafts are left out, as in a build.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from journal_site.aggregate.periods import Period, period_of
from journal_site.aggregate.reviews import DayMood, Review, ReviewWin
from journal_site.config import Config, resolve_today
from journal_site.loader import load_journal
from journal_site.pages import SiteModel, future_warnings, make_model
from journal_site.pages.reviews import (
    comparison_words,
    consistency_words,
    days_words,
    part_label,
    parts_shown,
)
from journal_site.text import long_date, plural


def review_object(review: Review) -> dict[str, Any]:
    """DESIGN.md's ``journal review --format json`` object, its keys in its order.

    ``consistency_change`` is in points, to one decimal, and null when the journal had
    not begun before the period; ``mood_average`` to two decimals, null without a mood.
    """
    change = review.consistency_change
    mood = review.mood_average
    return {
        "period": review.period.key,
        "kind": review.period.kind,
        "start": review.period.start.isoformat(),
        "end": review.period.end.isoformat(),
        "so_far": review.so_far,
        "days_written": review.days_written,
        "wins": len(review.wins),
        "setbacks": len(review.setbacks),
        "lessons": len(review.lessons),
        "proud": [w.win.text for w in review.proud],
        "goal_steps_done": [{"goal": s.goal, "step": s.step} for s in review.steps_done],
        "streak_at_end": review.streak_at_end,
        # `+ 0.0` writes a change that rounds to nothing as 0.0, not -0.0.
        "consistency_change": round(change, 1) + 0.0 if change is not None else None,
        "mood_average": round(mood, 2) if mood is not None else None,
    }


def _day(review_item: Any) -> str:
    day = review_item.entry.day
    return f"{day:%a} {day.day} {day:%b}"


def _win_line(item: ReviewWin, goal_titles: dict[str, str]) -> str:
    goal = f" → {goal_titles.get(item.win.goal, item.win.goal)}" if item.win.goal else ""
    return f"{item.win.text} ({_day(item)}){goal}"


def _headline(review: Review) -> str:
    so_far = ", so far" if review.so_far else ""
    return f"{review.period.title} ({review.period.span}){so_far}"


def _facts(review: Review) -> list[str]:
    """The numbers of a review as short lines (without list markers)."""
    kind = review.period.kind
    lines = [f"Days written: {days_words(review)}"]
    lines.append(
        f"Wins: {len(review.wins):,}"
        + (f", {len(review.proud):,} of them proud" if review.proud else "")
    )
    lines.append(
        f"Setbacks: {len(review.setbacks):,}, {plural(len(review.lessons), 'lesson')} written"
    )
    if kind == "year" and review.longest_run:
        run = review.longest_run
        lines.append(
            f"Longest streak: {plural(run.length, 'day')} "
            f"({long_date(run.start)} to {long_date(run.end)})"
        )
    lines.append(f"Streak at the {kind}'s end: {plural(review.streak_at_end, 'day')}")
    consistency = consistency_words(review)
    if consistency:
        lines.append(f"Consistency: {consistency}")
    if review.mood_average is not None:
        lines.append(f"Mood: {review.mood_average:.1f} of 5 on average")
    return lines


def _mood_by_day(review: Review) -> str:
    if review.period.kind != "week" or review.mood_average is None:
        return ""

    def one(day: DayMood) -> str:
        if day.mood is not None:
            return f"{round(day.mood, 1):g}"
        if day.written:
            return "✓"
        return "…" if day.day == review.today else "–"

    return "  ".join(f"{d.day:%a} {one(d)}" for d in review.moods)


def _sections(
    review: Review, goal_titles: dict[str, str]
) -> list[tuple[str, list[str], list[str]]]:
    """(heading, lines under it, notes) for every part a review shows, in order."""
    out: list[tuple[str, list[str], list[str]]] = []
    if review.proud:
        out.append(("Proud of", [_win_line(w, goal_titles) for w in review.proud], []))
    others = [w for w in review.wins if not w.proud]
    shown = others if review.period.kind != "year" else []
    if shown:
        out.append(
            (
                "Wins" if not review.proud else "More wins",
                [_win_line(w, goal_titles) for w in shown],
                [],
            )
        )
    # A year in review keeps to its proud wins, goals, months and tags (as its page does).
    if review.lessons and review.period.kind != "year":
        lines = []
        for s in review.lessons:
            lines.append(f"{s.setback.text} ({_day(s)})\n    Lesson: {s.setback.reframe}")
        out.append(("Setbacks and lessons", lines, []))
    if review.still_open and review.period.kind != "year":
        out.append(
            (
                "Still open",
                [f"{s.setback.text} ({_day(s)})" for s in review.still_open],
                ["no lesson written yet, and that is fine; there is time"],
            )
        )
    if review.steps_done:
        finished = set(review.goals_completed)
        out.append(
            (
                "Goal steps done",
                [
                    f"{s.goal_title}: {s.step} ({s.day:%a} {s.day.day} {s.day:%b})"
                    + (" (goal reached!)" if s in finished else "")
                    for s in review.steps_done
                ],
                [],
            )
        )
    parts = parts_shown(review)
    if parts:
        lines = []
        for g in parts:
            name = part_label(g)
            lines.append(
                f"{name}: {plural(g.days_written, 'day')} written, {plural(g.wins, 'win')}, "
                f"{plural(g.setbacks, 'setback')}"
            )
        title = "Month by month" if review.period.kind == "year" else "Week by week"
        out.append((title, lines, []))
    return out


def _inline(review: Review) -> list[tuple[str, str]]:
    """(label, text) of the one-line parts: mood by day and tags."""
    out = []
    mood = _mood_by_day(review)
    if mood:
        out.append(("Mood by day", mood))
    if review.tags:
        limit = 10 if review.period.kind == "year" else len(review.tags)
        out.append(("Tags", ", ".join(f"{t} {n}" for t, n in review.tags[:limit])))
    return out


def review_text(review: Review, title: str, goal_titles: dict[str, str]) -> str:
    """The review as a person reads it in a terminal."""
    lines = [f"{title}: review of {_headline(review)}", ""]
    if review.empty:
        lines.append(comparison_words(review))
        return "\n".join(lines)
    lines += _facts(review)
    for heading, items, notes in _sections(review, goal_titles):
        note = f" ({notes[0]})" if notes else ""
        lines += ["", f"{heading}{note}:"]
        star = heading == "Proud of"
        lines += [f"  {'★' if star else '-'} {item}" for item in items]
    inline = _inline(review)
    if inline:
        lines += ["", *(f"{label}: {text}" for label, text in inline)]
    lines += ["", comparison_words(review)]
    return "\n".join(lines)


def review_markdown(review: Review, title: str, goal_titles: dict[str, str]) -> str:
    """The review as Markdown, to paste into an email or a note."""
    lines = [f"## {_headline(review)}", "", f"*{title}*", ""]
    if review.empty:
        lines.append(comparison_words(review))
        return "\n".join(lines) + "\n"
    lines += [
        f"- **{fact.split(': ', 1)[0]}:** {fact.split(': ', 1)[1]}" for fact in _facts(review)
    ]
    for heading, items, notes in _sections(review, goal_titles):
        note = f" *({notes[0]})*" if notes else ""
        lines += ["", f"### {heading}{note}", ""]
        for item in items:
            text = _escape(item).replace("\n    Lesson:", "  \n  *Lesson:*")
            lines.append(f"- ★ **{text}**" if heading == "Proud of" else f"- {text}")
    inline = _inline(review)
    if inline:
        lines += ["", *(f"**{label}:** {_escape(text)}  " for label, text in inline)]
        lines[-1] = lines[-1].rstrip()
    lines += ["", comparison_words(review)]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Markdown's own characters in a journal's words, escaped so they show as written."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


FORMATS: dict[str, Callable[[Review, str, dict[str, str]], str]] = {
    "text": review_text,
    "markdown": review_markdown,
}


def chosen_period(args: argparse.Namespace, model: SiteModel) -> Period:
    """The period asked for (already parsed by the argument parser), else this week."""
    for period in (args.week, args.month, args.year):
        if period is not None:
            return period
    return period_of("week", model.today)


def review_command(config: Config, args: argparse.Namespace) -> int:
    journal = load_journal(config)
    model = make_model(config, journal, resolve_today(config, args.today), drafts=False)
    for problem in (*journal.warnings, *future_warnings(model)):
        print(f"warning: {problem}", file=sys.stderr)
    review = model.review_book.review(chosen_period(args, model))
    if args.format == "json":
        print(json.dumps(review_object(review), indent=2, ensure_ascii=False))
    else:
        print(FORMATS[args.format](review, config.title, dict(model.goal_titles)), end="")
        if args.format == "text":
            print()
    return 0
