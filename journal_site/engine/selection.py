"""Which part of a journal one engine builds: the whole site, or a share site.

A ``Selection`` is a value handed to ``Engine``: the builders it plans with, the
navigation its pages show, what of the journal its model is made from, and whether
entries have pages at all. It names nothing by hand: what it changes shows in the
model, the site view and the builders, of which every key is derived (keys.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal_site.render import NAV, NavItem

if TYPE_CHECKING:
    from journal_site.loader import Journal
    from journal_site.pages import Page, SiteFile, SiteModel

Builder = Callable[["SiteModel"], "Iterable[Page | SiteFile]"]
"""A page builder, or a builder of files (the search index): a pure function of the model."""


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


def everything() -> Selection:
    """The whole site: what ``journal build`` and ``journal serve`` make."""
    from journal_site.engine.plan import builders, plan_files

    return Selection(builders=(*builders(), plan_files))
