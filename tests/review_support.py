"""A small journal across two year boundaries, for the review tests.

Today is Saturday 2 January 2027 (nothing written yet today), in 2026-W53, which runs
from Monday 28 December 2026 to Sunday 3 January 2027: a week of two months and two
years. 2026-W01 began on Monday 29 December 2025. (2026 has 53 ISO weeks, as every year
that begins on a Thursday does; 2027 has 52.)

    2025-12-29 Mon  W01  work, mood 3: "Asked for the window seat"
    2025-12-31 Wed  W01  "Said no to the extra shift" (proud); setback with a lesson
    2026-01-02 Fri  W01  mood 5: two wins; a setback with no lesson yet
    2026-01-03 Sat  W01  DRAFT with a win (never counted)
    2026-10-26 Mon  W44  running, mood 2: "Run 1 km" (goal run: its first step)
    2026-10-27 Tue  W44  no wins
    2026-10-31 Sat  W44  two wins, the second proud; a "Proud:" line in the body
    2026-11-01 Sun  W44  one win; a setback with a lesson                (W44 spans two months)
    2026-11-02 Mon  W45  one win
    2026-12-28 Mon  W53  one win
    2026-12-31 Thu  W53  "Run 3 km" (goal run: its last step, so the goal is reached)
    2027-01-01 Fri  W53  one win, mood 4
    2027-01-05 Tue       dated after today: shown with a warning, never reviewed
"""

from __future__ import annotations

import datetime as dt

from journal_site.aggregate.streaks import HALF_LIFE_DAYS

TODAY = "2027-01-02"

FILES: dict[str, str] = {
    "journal.toml": 'title = "Review test journal"\n',
    "content/goals/run.md": """
        ---
        title: Run more
        steps: [Run 1 km, Run 3 km]
        ---
        """,
    "content/2025-12-29.md": """
        ---
        tags: [work]
        mood: 3
        wins: [Asked for the window seat]
        ---
        """,
    "content/2025-12-31.md": """
        ---
        wins:
          - text: Said no to the extra shift
            proud: true
        setbacks:
          - text: Felt guilty all evening
            reframe: Guilt is not proof I did wrong
        ---
        """,
    "content/2026-01-02.md": """
        ---
        mood: 5
        tags: [family]
        wins: [Called grandma, Tidied the desk]
        setbacks: [Snapped at my brother]
        ---
        """,
    "content/2026-01-03.md": """
        ---
        draft: true
        wins: [A draft's win]
        ---
        """,
    "content/2026-10-26.md": """
        ---
        tags: [running]
        mood: 2
        wins:
          - text: Run 1 km
            goal: run
        ---
        """,
    "content/2026-10-27.md": """
        ---
        title: A quiet Tuesday
        ---
        Nothing much.
        """,
    "content/2026-10-31.md": """
        ---
        tags: [running, social]
        wins:
          - Went to the running club
          - text: Introduced myself to the coach
            proud: true
        ---
        Proud: Stayed for the chat afterwards #social
        """,
    "content/2026-11-01.md": """
        ---
        wins: [Slept eight hours]
        setbacks:
          - text: Skipped stretching
            reframe: Five minutes is enough
        ---
        """,
    "content/2026-11-02.md": "---\nwins: [Sent the report on time]\n---\n",
    "content/2026-12-28.md": "---\nwins: [Walked to the lake]\n---\n",
    "content/2026-12-31.md": """
        ---
        tags: [running]
        wins:
          - text: Run 3 km
            goal: run
        ---
        """,
    "content/2027-01-01.md": "---\nmood: 4\nwins: [Wrote my first entry of the year]\n---\n",
    "content/2027-01-05.md": "---\nwins: [From the future]\n---\n",
}

COUNTED = [
    dt.date(2025, 12, 29),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 2),
    dt.date(2026, 10, 26),
    dt.date(2026, 10, 27),
    dt.date(2026, 10, 31),
    dt.date(2026, 11, 1),
    dt.date(2026, 11, 2),
    dt.date(2026, 12, 28),
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 1),
]
"""The days with a non-draft entry up to today (the streak rule is "entry")."""


def score(at: dt.date) -> float:
    """The consistency score at the end of ``at``, worked out from ``COUNTED`` by the
    formula in README.md: the share of days written since the first entry, a day's
    weight halving every HALF_LIFE_DAYS days back."""
    w = 0.5 ** (1 / HALF_LIFE_DAYS)
    first = COUNTED[0]
    days = (at - first).days
    written = sum(w ** (at - d).days for d in COUNTED if d <= at)
    return 100 * written / sum(w**k for k in range(days + 1))
