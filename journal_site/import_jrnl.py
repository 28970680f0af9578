"""``journal import jrnl FILE``: jrnl's JSON export -> planned entries (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from journal_site.errors import JournalError, Problem
from journal_site.import_common import (
    PlannedEntry,
    _Draft,
    _entries,
    _export_tags,
    _name_entries,
    _problem,
)
from journal_site.text import describe


def plan_jrnl(data: Any, shown: str) -> list[PlannedEntry]:
    """jrnl's ``--export json``: {"tags": {...}, "entries": [{title, body, date, time, tags, starred}]}."""
    problems: list[Problem] = []
    drafts: list[_Draft] = []
    example = 'jrnl --export json: {"entries": [...]}'
    for where, item in _entries(data, shown, "jrnl", example, problems):
        try:
            day = dt.date.fromisoformat(str(item.get("date", "")))
        except ValueError:
            problems.append(
                _problem(
                    shown,
                    f"{where}.date: expected a date like 2026-11-20, got {describe(item.get('date'))}",
                )
            )
            continue
        time_text = item.get("time") or "00:00"
        try:
            time = dt.time.fromisoformat(str(time_text))
        except ValueError:
            problems.append(
                _problem(
                    shown, f"{where}.time: expected a time like 09:30, got {describe(time_text)}"
                )
            )
            continue
        title, body = item.get("title") or "", item.get("body") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            problems.append(_problem(shown, f"{where}: expected 'title' and 'body' as text"))
            continue
        tags = _export_tags(item, where, shown)
        if isinstance(tags, Problem):
            problems.append(tags)
            continue
        drafts.append(
            _Draft(
                when=dt.datetime.combine(day, time.replace(second=0, microsecond=0)),
                title=title.strip(),
                tags=tuple(tags),
                body=body,
            )
        )
    if problems:
        raise JournalError(problems)
    return _name_entries(drafts, "@#")
