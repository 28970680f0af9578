"""The share site (``journal share``): which sections it may hold, what it leaves out,
and its home page.

The people the writer shares with (a therapist, a support group) get summaries, never
the diary: only the sections ``[share] sections`` lists, made by the same builders as
the journal's own site, from a model without private entries, without any entry's
page and without bodies (``Selection.entry_pages``). Every count, streak and goal's
progress is worked out from that model, so what is left out is left out of them too.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from journal_site.config import Config
from journal_site.engine.selection import STATS_PAGE, Selection
from journal_site.loader import Journal
from journal_site.model import Entry, EntrySummary
from journal_site.pages import Page, PageBuilder, SiteModel, collections, progress, reviews, wall
from journal_site.render import NavItem
from journal_site.text import plural, slugify


def _reviews(model: SiteModel) -> str:
    return plural(len(model.review_book.periods("week")), "week")


def _wins(model: SiteModel) -> str:
    return plural(len(model.win_records), "win")


def _lessons(model: SiteModel) -> str:
    setbacks = [s for e in model.entries if not e.draft for s in e.setbacks]
    lessons = sum(1 for s in setbacks if s.reframe)
    return f"{plural(len(setbacks), 'setback')}, {plural(lessons, 'lesson')}"


def _goals(model: SiteModel) -> str:
    return plural(len(model.goal_progress), "goal")


def _tags(model: SiteModel) -> str:
    return plural(len(model.tag_infos), "tag")


@dataclass(frozen=True, slots=True)
class SharedSection:
    """A section a share site may hold."""

    nav: NavItem
    about: str
    """One sentence for the share site's home page."""
    builders: tuple[PageBuilder, ...]
    """Its page builders."""
    count: Callable[[SiteModel], str] | None = None
    """What the home page counts for it ("42 wins")."""


SECTIONS: dict[str, SharedSection] = {
    "reviews": SharedSection(
        NavItem("Reviews", "reviews/"),
        "Each week, month and year at a glance: days written, wins, lessons and goal steps.",
        tuple(reviews.REVIEW_BUILDERS),
        _reviews,
    ),
    "wins": SharedSection(
        NavItem("Wins", "wins/"),
        "Every win, newest first, with the milestones along the way.",
        (wall.wins_pages,),
        _wins,
    ),
    "lessons": SharedSection(
        NavItem("Lessons", "lessons/"),
        "Setbacks, and what each of them taught.",
        (collections.lessons_page,),
        _lessons,
    ),
    "goals": SharedSection(
        NavItem("Goals", "goals/"),
        "Goals broken into small steps, and how far each has come.",
        (collections.goal_pages,),
        _goals,
    ),
    "tags": SharedSection(
        NavItem("Tags", "tags/"),
        "Wins and lessons gathered by theme.",
        (collections.tag_pages,),
        _tags,
    ),
    "stats": SharedSection(
        NavItem("Stats", "stats/"),
        "Streaks, consistency, wins per week and mood over time.",
        (STATS_PAGE,),
    ),
}
"""Every section a share site may hold, in the order of its navigation: the one table
that maps a name in ``[share] sections`` to the builders of its pages. Its names are
config.py's ``SHAREABLE_SECTIONS`` (which journal.toml is checked against)."""

HOME = NavItem("Home", "")


def shared_sections(config: Config) -> list[tuple[str, SharedSection]]:
    """The sections of ``[share] sections``, in the table's order."""
    wanted = set(config.share.sections)
    return [(name, s) for name, s in SECTIONS.items() if name in wanted]


def is_private(entry: Entry | EntrySummary, private_tags: Collection[str]) -> bool:
    """``private: true``, or a tag of ``private_tags`` on the entry, one of its wins or
    setbacks (compared as tags are: by slug, so "Private" is "private")."""
    if entry.private:
        return True
    hidden = {slugify(tag) for tag in private_tags}
    return any(slugify(tag) in hidden for tag in entry.all_tags())


def leave_out_private(journal: Journal, private_tags: Sequence[str]) -> Journal:
    """The journal a share site is made from: no private entry, no goal's text (goals
    keep their title, steps and target) and no other file (pictures belong to entries)."""
    shared = tuple(e for e in journal.entries if not is_private(e, private_tags))
    return Journal(
        entries=shared,  # type: ignore[arg-type]
        goals=tuple(dataclasses.replace(goal, body_html="") for goal in journal.goals),
        assets=(),
        warnings=journal.warnings,
    )


def share_home_page(model: SiteModel) -> list[Page]:
    """The share site's home: what it holds and the plainest facts of showing up."""
    entries = [e for e in model.entries if not e.draft]
    days = sorted({e.day for e in entries})
    sections = [
        {
            "nav": section.nav,
            "about": section.about,
            "count": section.count(model) if section.count else "",
        }
        for _, section in shared_sections(model.config)
    ]
    view: dict[str, Any] = {
        "sections": sections,
        "days": len(days),
        "first_day": days[0] if days else None,
        "last_day": days[-1] if days else None,
        "streak": progress.streak_view(model),
    }
    return [Page("", "share_home.html", view, "the share site's home page", "")]


def share_selection(config: Config) -> Selection:
    """What ``journal share`` builds: its home and the shared sections, from the
    journal without its private entries, with no entry pages and no search."""
    sections = shared_sections(config)
    return Selection(
        builders=(share_home_page, *(b for _, s in sections for b in s.builders)),
        nav=(HOME, *(s.nav for _, s in sections)),
        narrow=functools.partial(leave_out_private, private_tags=config.share.private_tags),
        entry_pages=False,
        shared=True,
    )
