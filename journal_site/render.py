"""Views + Jinja2 -> page HTML. Reads templates (and nothing else).

``plan_pages`` turns a built journal into a list of ``Page`` values: a URL, a
template and the view the template receives. ``Renderer.render`` turns one page into
HTML. Pages are independent of each other, so any subset can be re-rendered (live
preview) or rendered in another process (big journals).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2

from journal_site import __version__
from journal_site.aggregate.timeline import neighbours, timeline_pages, timeline_url
from journal_site.config import Config
from journal_site.errors import JournalError, Problem
from journal_site.markdown import ENTRY_LINK_PREFIX
from journal_site.model import Entry
from journal_site.text import long_date
from journal_site.theme import ThemeFiles


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    """Site-relative URL path ("" is the home page)."""


NAV: tuple[NavItem, ...] = (
    NavItem("Home", ""),
    NavItem("Timeline", "timeline/"),
)
"""The site's main navigation, in order. New sections add themselves here."""


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """Site-relative URL path of the page ("" for home, "timeline/" ...)."""
    template: str
    view: Mapping[str, Any]
    """What the template receives, besides the site-wide globals."""
    origin: str
    """What produced the page (a source file or a section name), for collision errors."""
    section: str = ""
    """Which navigation item to mark as current."""


@dataclass(frozen=True, slots=True)
class EntryCard:
    """An entry as a list shows it: the entry and where its page is."""

    entry: Entry
    url: str


@dataclass(frozen=True, slots=True)
class SiteView:
    """Site-wide facts every template sees as ``site``."""

    title: str
    author: str
    base_path: str
    language: str
    today: dt.date
    version: str = __version__
    drafts_shown: bool = False
    nav: tuple[NavItem, ...] = NAV
    extra_head: tuple[str, ...] = field(default=())


_ENTRY_LINK = re.compile(
    r'<a href="' + ENTRY_LINK_PREFIX + r'([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S
)


def resolve_entry_links(html: str, urls: Mapping[str, str], base_path: str) -> str:
    """Turn links to other entries' Markdown files into links to their pages.

    A link to a file that is not an entry (deleted, a draft in a build) becomes plain text.
    """
    if ENTRY_LINK_PREFIX not in html:
        return html

    def replace(match: re.Match[str]) -> str:
        url = urls.get(match.group(1))
        if url is None:
            return f'<span class="missing-link">{match.group(4)}</span>'
        return f'<a href="{base_path}{url}{match.group(2) or ""}"{match.group(3)}>{match.group(4)}</a>'

    return _ENTRY_LINK.sub(replace, html)


def _mood_label(mood: int | None) -> str:
    return {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}.get(mood or 0, "")


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


class Renderer:
    """A Jinja2 environment over the theme's templates: autoescaped, strict, cached."""

    def __init__(self, theme: ThemeFiles, site: SiteView, static_urls: Mapping[str, str]):
        self.site = site
        self.static_urls = dict(static_urls)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(site=site, url=self.url, static=self.static)
        self.env.filters.update(
            long_date=long_date,
            month_name=lambda d: f"{d:%B %Y}",
            iso=lambda d: d.isoformat(),
            mood_label=_mood_label,
            plural=_plural,
        )

    def url(self, path: str = "") -> str:
        return self.site.base_path + path.lstrip("/")

    def static(self, name: str) -> str:
        try:
            return self.site.base_path + self.static_urls[name]
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"no static file {name!r} in the theme") from None

    def render(self, page: Page) -> str:
        """Render one page; template problems become a JournalError naming template and line."""
        try:
            template = self.env.get_template(page.template)
            return template.render(page=page, section=page.section, **page.view)
        except jinja2.TemplateSyntaxError as exc:
            raise JournalError.single(
                f"templates/{exc.name or page.template}",
                exc.lineno,
                f"template error: {exc.message}",
            ) from exc
        except jinja2.TemplateNotFound as exc:
            raise JournalError.single(
                f"templates/{exc.name}", None, f"template not found (needed by /{page.url})"
            ) from exc
        except (jinja2.UndefinedError, jinja2.TemplateRuntimeError, TypeError, ValueError) as exc:
            line = _template_line(exc)
            raise JournalError.single(
                f"templates/{page.template}", line, f"while rendering /{page.url}: {exc}"
            ) from exc


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


PageBuilder = Callable[["SiteModel"], Sequence[Page]]


@dataclass(frozen=True, slots=True)
class SiteModel:
    """Everything the pages are made from, after loading and aggregation."""

    config: Config
    today: dt.date
    entries: tuple[Entry, ...]
    """Published entries (and drafts when shown), oldest first."""
    urls: Mapping[str, str]
    """Entry source -> URL path."""
    goals: tuple[Any, ...] = ()

    def card(self, entry: Entry) -> EntryCard:
        return EntryCard(entry=entry, url=self.urls[entry.source])


def entry_pages(model: SiteModel) -> list[Page]:
    pages = []
    base = model.config.base_path
    for entry, (previous, following) in zip(
        model.entries, neighbours(model.entries).values(), strict=True
    ):
        pages.append(
            Page(
                url=model.urls[entry.source],
                template="entry.html",
                view={
                    "entry": entry,
                    "body": resolve_entry_links(entry.body_html, model.urls, base),
                    "previous": model.card(previous) if previous else None,
                    "next": model.card(following) if following else None,
                },
                origin=f"{model.config.content}/{entry.source}",
                section="timeline/",
            )
        )
    return pages


def timeline_page_list(model: SiteModel) -> list[Page]:
    pages = []
    for tl in timeline_pages(model.entries, model.config.per_page):
        pages.append(
            Page(
                url=timeline_url(tl.number),
                template="timeline.html",
                view={
                    "timeline": tl,
                    "cards": {e.source: model.card(e) for g in tl.months for e in g.entries},
                    "previous_url": timeline_url(tl.number - 1) if tl.number > 1 else None,
                    "next_url": timeline_url(tl.number + 1) if tl.number < tl.count else None,
                },
                origin="the timeline",
                section="timeline/",
            )
        )
    return pages


def home_page(model: SiteModel) -> list[Page]:
    entries = model.entries
    latest = [model.card(e) for e in reversed(entries[-7:])]
    counts = {
        "entries": len(entries),
        "days": len({e.day for e in entries}),
        "wins": sum(len(e.wins) for e in entries),
        "setbacks": sum(len(e.setbacks) for e in entries),
    }
    return [
        Page(
            url="",
            template="home.html",
            view={"latest": latest, "counts": counts},
            origin="the home page",
            section="",
        )
    ]


PAGE_BUILDERS: list[PageBuilder] = [home_page, timeline_page_list, entry_pages]
"""Every kind of page, in the order they are planned. New sections append a builder."""


def plan_pages(model: SiteModel) -> list[Page]:
    """Every page of the site, each with its view; URL collisions are an error naming both sources."""
    pages: list[Page] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for builder in PAGE_BUILDERS:
        for page in builder(model):
            if page.url in seen:
                problems.append(
                    Problem(
                        page.origin, None, f"its page /{page.url} is also made by {seen[page.url]}"
                    )
                )
                continue
            seen[page.url] = page.origin
            pages.append(page)
    if problems:
        raise JournalError(problems)
    return pages
