"""Page views + Jinja2 -> page HTML. Reads templates (and nothing else).

``journal_site.pages`` plans the pages (a URL, a template and the view it
receives); ``Renderer.render`` turns one page into HTML. Pages are independent of
each other, so any subset can be re-rendered (live preview) or rendered in another
process (big journals).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

if TYPE_CHECKING:
    from journal_site.aggregate.wins import WinRecord
    from journal_site.cache import PackStore as FragmentStore
    from journal_site.pages import Page

from journal_site import __version__
from journal_site.errors import JournalError
from journal_site.markdown import ENTRY_LINK_PREFIX
from journal_site.obsidian import resolve_wiki_link
from journal_site.publish import META_CONTENT_SECURITY_POLICY
from journal_site.text import long_date, plural
from journal_site.theme import ThemeFiles


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    """Site-relative URL path ("" is the home page)."""


NAV: tuple[NavItem, ...] = (
    NavItem("Home", ""),
    NavItem("Timeline", "timeline/"),
    NavItem("Wins", "wins/"),
    NavItem("Lessons", "lessons/"),
    NavItem("Goals", "goals/"),
    NavItem("Tags", "tags/"),
    NavItem("Stats", "stats/"),
    NavItem("Search", "search/"),
)
"""The site's main navigation, in order. New sections add themselves here."""


@dataclass(frozen=True, slots=True)
class SiteView:
    """Site-wide facts every template sees as ``site``."""

    title: str
    author: str
    base_path: str
    language: str
    version: str = __version__
    drafts_shown: bool = False
    nav: tuple[NavItem, ...] = NAV
    extra_head: tuple[str, ...] = field(default=())
    content_security_policy: str = META_CONTENT_SECURITY_POLICY
    """For every page's ``<meta http-equiv="Content-Security-Policy">``."""


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
        if url is None and match.group(1).startswith("[["):
            url = resolve_wiki_link(match.group(1), urls)
        if url is None:
            return f'<span class="missing-link">{match.group(4)}</span>'
        return f'<a href="{base_path}{url}{match.group(2) or ""}"{match.group(3)}>{match.group(4)}</a>'

    return _ENTRY_LINK.sub(replace, html)


def _mood_label(mood: int | None) -> str:
    return {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}.get(mood or 0, "")


class Renderer:
    """A Jinja2 environment over the theme's templates: autoescaped, strict, cached."""

    def __init__(
        self,
        theme: ThemeFiles,
        site: SiteView,
        static_urls: Mapping[str, str],
        fragments: dict[str, Markup] | None = None,
        fragment_store: FragmentStore | None = None,
    ):
        self.site = site
        self.static_urls = dict(static_urls)
        self.fragments = {} if fragments is None else fragments
        """Rendered win cards by what they show (see ``win_card``); a builder may keep
        them from build to build while the templates and site settings stay the same."""
        self.fragment_store = fragment_store
        """Where cards of earlier builds were kept on disk (same templates and settings)."""
        self.new_fragments: dict[str, Markup] = {}
        """Cards this renderer made, for its builder to keep."""
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A renderer lives while its templates stay the same (a builder makes a new
            # one when any template file changes): no need to stat them on every page.
            auto_reload=False,
        )
        self.env.globals.update(
            site=site, url=self.url, static=self.static, win_card=self.win_card
        )
        self.env.filters.update(
            long_date=long_date,
            month_name=lambda d: f"{d:%B %Y}",
            iso=lambda d: d.isoformat(),
            mood_label=_mood_label,
            plural=plural,
        )

    def url(self, path: str = "") -> str:
        return self.site.base_path + path.lstrip("/")

    def static(self, name: str) -> str:
        try:
            return self.site.base_path + self.static_urls[name]
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"no static file {name!r} in the theme") from None

    @jinja2.pass_context
    def win_card(self, context: jinja2.runtime.Context, rec: WinRecord) -> Markup:
        """``partials/win_card.html`` for one win, made once per build (or per builder)
        for every page that shows it: the wins wall, tag pages and goal pages share most
        cards. The partial sees ``rec``, ``urls``, ``slugs`` and ``goal_titles``; the
        key below is everything of them that a card shows."""
        urls, slugs, titles = context["urls"], context["slugs"], context["goal_titles"]
        entry = rec.entry
        goal = rec.win.goal
        named = repr(
            (
                rec.number,
                rec.win,
                entry.source,
                entry.day,
                rec.tags,
                urls[entry.source],
                titles[goal] if goal else None,
            )
        )
        key = hashlib.blake2b(named.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        card = self.fragments.get(key)
        if card is None and self.fragment_store is not None:
            kept = self.fragment_store.get(key, "")
            if kept is not None:
                card = self.fragments[key] = Markup(bytes(kept).decode("utf-8"))
        if card is None:
            template = self.env.get_template("partials/win_card.html")
            view = {"rec": rec, "urls": urls, "slugs": slugs, "goal_titles": titles}
            card = self.fragments[key] = Markup(template.render(view))
            self.new_fragments[key] = card
        return card

    def take_new_fragments(self) -> dict[str, str]:
        """The cards made since the last call, as plain text by key (to keep or send back)."""
        made = {key: str(card) for key, card in self.new_fragments.items()}
        self.new_fragments.clear()
        return made

    def render(self, page: Page) -> str:
        """Render one page; template problems become a JournalError naming template and line."""
        try:
            template = self.env.get_template(page.template)
            return template.render(page=page, section=page.section, **page.context())
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
