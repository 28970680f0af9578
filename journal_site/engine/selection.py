"""Which part of a journal one engine builds: the whole site, or a share site.

A ``Selection`` is a value handed to ``Engine``: the builders it plans with, the
navigation its pages show, what of the journal its model is made from, and whether
entries have pages at all. It names nothing by hand: what it changes shows in the
model, the site view and the builders, of which every key is derived (keys.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal_site.render import NAV, NavItem

if TYPE_CHECKING:
    from journal_site.loader import Journal
    from journal_site.pages import Page, SiteFile, SiteModel

Builder = Callable[["SiteModel"], "Iterable[Page | SiteFile]"]
"""A page builder, or a builder of files (the search index): a pure function of the model."""


@dataclass(frozen=True, slots=True)
class Named:
    """A function of a module of this package, by the module's name and its own, which
    imports that module when first called: a build whose plans are all held (a body
    edit) so never imports the page builders. It is digested, and its plan held, by
    those names, as the function itself would be."""

    module: str
    name: str

    def __call__(self, *args: Any) -> Any:
        return self.function()(*args)

    def function(self) -> Callable[..., Any]:
        """The function itself (its module imported, if it was not yet)."""
        return getattr(importlib.import_module(self.module), self.name)


@dataclass(frozen=True, slots=True)
class Selection:
    builders: tuple[Builder, ...]
    """Every builder of the site, in the order their outputs are listed."""
    nav: tuple[NavItem, ...] = NAV
    """The sections every page's navigation lists (and so the sections there are)."""
    narrow: Callable[[Journal], Journal] | None = None
    """What of the journal the site is made from: a pure function of the journal as
    loaded (None: all of it). Whatever it leaves out is in no page and no count."""
    shared: bool = False
    """A share site: its pages say so (``SiteView.shared``)."""
    entry_pages: bool = True
    """Whether entries have pages. Without them the model knows no entry URL, so no
    page can link to one (a template that tries fails the build, naming its line)."""


CORE, REVIEWS = "journal_site.pages.core", "journal_site.pages.reviews"
_COLLECTIONS = "journal_site.pages.collections"
# The page builders, each named once here (the plan, its second process and the units
# name them by these).
HOME_PAGE = Named(CORE, "home_page")
TIMELINE_PAGES = Named(CORE, "timeline_page_list")
ENTRY_PAGES = Named(CORE, "entry_pages")
STATS_PAGE = Named("journal_site.pages.progress", "stats_page")
WINS_PAGES = Named("journal_site.pages.wall", "wins_pages")
LESSONS_PAGE = Named(_COLLECTIONS, "lessons_page")
TAG_PAGES = Named(_COLLECTIONS, "tag_pages")
GOAL_PAGES = Named(_COLLECTIONS, "goal_pages")
REVIEWS_INDEX = Named(REVIEWS, "reviews_index")
REVIEW_PAGES = Named(REVIEWS, "review_pages")
SEARCH_PAGE = Named(_COLLECTIONS, "search_page")


def builders() -> list[Builder]:
    """Every page builder, in the order their pages are listed, each by its name (its
    module is imported when the build first runs it): the home page, the timeline's,
    the entries', the stats page, ``collections.SUMMARY_BUILDERS``,
    ``reviews.REVIEW_BUILDERS`` and the search page."""
    return [
        HOME_PAGE,
        TIMELINE_PAGES,
        ENTRY_PAGES,
        STATS_PAGE,
        WINS_PAGES,
        LESSONS_PAGE,
        TAG_PAGES,
        GOAL_PAGES,
        REVIEWS_INDEX,
        REVIEW_PAGES,
        SEARCH_PAGE,
    ]


def plan_files(model: SiteModel) -> list[SiteFile]:
    """Every file of the site that is not a page (the search index)."""
    from journal_site.pages import collections

    return [f for builder in collections.FILE_BUILDERS for f in builder(model)]


def everything() -> Selection:
    """The whole site: what ``journal build`` and ``journal serve`` make."""
    return Selection(builders=(*builders(), plan_files))
