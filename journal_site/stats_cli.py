"""``journal stats [--json] [--today D]``: streaks, counts and tags in the terminal.

The numbers are the site's own (the same SiteModel aggregates the pages use), so the
terminal and the stats page never disagree. Drafts are left out, as in a build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from journal_site.aggregate.stats import tag_counts, totals
from journal_site.config import Config, resolve_today
from journal_site.loader import load_journal
from journal_site.pages import SiteModel, future_warnings, make_model
from journal_site.text import long_date


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def stats_object(model: SiteModel) -> dict[str, Any]:
    """DESIGN.md's ``journal stats --json`` object, plus a few extra keys.

    Counts cover every non-draft entry, including one dated after today (the site shows
    it); streaks and consistency stop at today. Consistency is rounded to one decimal.
    """
    total = totals(model.entries)
    streak = model.streak_summary
    return {
        "entries": total.entries,
        "days": total.days,
        "wins": total.wins,
        "setbacks": total.setbacks,
        "first_day": _iso(total.first_day),
        "last_day": _iso(total.last_day),
        "streak": {
            "current": streak.current,
            "current_start": _iso(streak.current_start),
            "longest": streak.longest,
            "longest_start": _iso(streak.longest_start),
            "longest_end": _iso(streak.longest_end),
            "rule": model.config.streak,
            "grace": model.config.streak_grace,
        },
        "consistency": round(model.consistency, 1),
        "tags": {
            tag: {"entries": count.entries, "wins": count.wins, "setbacks": count.setbacks}
            for tag, count in tag_counts(model.entries).items()
        },
        "today": model.today.isoformat(),
        "reframes": total.reframes,
    }


def _days(count: int) -> str:
    return f"{count:,} {'day' if count == 1 else 'days'}"


def stats_text(model: SiteModel, data: dict[str, Any]) -> str:
    """The summary a person reads: warm, short, numbers first."""
    title = model.config.title
    lines = [f"{title}: stats on {long_date(model.today)}", ""]
    if not data["entries"]:
        lines.append("No entries yet. `journal new` starts one: a single small win is enough.")
        return "\n".join(lines)
    s = model.streak_summary
    lines.append(
        f"You have written {data['entries']:,} "
        f"{'entry' if data['entries'] == 1 else 'entries'} on {_days(data['days'])} "
        f"since {long_date(dt.date.fromisoformat(data['first_day']))}, "
        f"and noted {data['wins']:,} {'win' if data['wins'] == 1 else 'wins'}."
    )
    if data["setbacks"]:
        lines.append(
            f"{data['setbacks']:,} {'setback' if data['setbacks'] == 1 else 'setbacks'}, "
            f"{data['reframes']:,} with a lesson written down."
        )
    lines.append("")
    if s.current:
        note = "" if model.today in model.counted_days else " Today is still open."
        lines.append(
            f"Current streak: {_days(s.current)}, since {long_date(s.current_start)}.{note}"
            if s.current_start
            else f"Current streak: {_days(s.current)}."
        )
    else:
        month_start = model.today.replace(day=1)
        this_month = len(
            {e.day for e in model.entries if not e.draft and month_start <= e.day <= model.today}
        )
        lines.append(
            "No streak running right now, and that is fine: a gap is data, not a verdict. "
            f"You wrote on {_days(this_month)} this month."
        )
    if s.longest and s.longest_start and s.longest_end:
        lines.append(
            f"Longest streak: {_days(s.longest)} "
            f"({long_date(s.longest_start)} to {long_date(s.longest_end)})."
        )
    lines.append(f"Consistency: {data['consistency']:.0f}% (recent days weigh more).")
    tags = sorted(data["tags"].items(), key=lambda item: (-item[1]["entries"], item[0]))[:10]
    if tags:
        lines += ["", "Top tags:"]
        width = max(len(tag) for tag, _ in tags)
        for tag, count in tags:
            lines.append(
                f"  {tag:<{width}}  {count['entries']:>5,} entries  {count['wins']:>5,} wins"
            )
    return "\n".join(lines)


def stats_command(config: Config, args: argparse.Namespace) -> int:
    journal = load_journal(config)
    model = make_model(config, journal, resolve_today(config, args.today), drafts=False)
    # Warnings go to stderr so `--json` output stays one clean object on stdout.
    for problem in (*journal.warnings, *future_warnings(model)):
        print(f"warning: {problem}", file=sys.stderr)
    data = stats_object(model)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(stats_text(model, data))
    return 0
