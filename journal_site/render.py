"""Page views + Jinja2 -> page HTML. Reads templates (and nothing else).

``journal_site.pages`` plans the pages (a URL, a template and the view it
receives); ``Renderer.render`` turns one page into HTML. Pages are independent of
each other, so any subset can be re-rendered (live preview) or rendered in another
process (big journals).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

if TYPE_CHECKING:
    from journal_site.aggregate.wins import WinRecord
    from journal_site.engine.keys import Fingerprinter
    from journal_site.pages import Page

from journal_site import __version__
from journal_site.csp import META_CONTENT_SECURITY_POLICY
from journal_site.errors import JournalError
from journal_site.fragments import PARTIAL_PREFIX, Fragments, card_key
from journal_site.late_number import (
    SEP,
    STAND_IN,
    Hole,
    HoleTouched,
    PageHole,
    Sheet,
    complete,
    fill,
    finalize,
    prints_number_only,
)
from journal_site.model import BODY_FIELDS, ENTRY_LINK_PREFIX, EntrySummary
from journal_site.obsidian import resolve_wiki_link
from journal_site.text import long_date, plural, short_date
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
    NavItem("Reviews", "reviews/"),
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
    shared: bool = False
    """A share site (``journal share``): a summary the writer shares, not the journal."""
    extra_head: tuple[str, ...] = field(default=())
    content_security_policy: str = META_CONTENT_SECURITY_POLICY
    """For every page's ``<meta http-equiv="Content-Security-Policy">``."""
    _sections: frozenset[str] = field(init=False, compare=False, repr=False)
    """The paths of ``nav`` (made from it: no part of what the site view is)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sections", frozenset(item.path for item in self.nav))

    def has_section(self, path: str) -> bool:
        """Whether the site has the section at ``path`` ("tags/" ...): those in its
        navigation. A share site has only the sections it shares, so a template links
        to another section only when it is there (a card asks once per tag)."""
        return path in self._sections


_ENTRY_LINK = re.compile(
    r'<a href="' + ENTRY_LINK_PREFIX + r'([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S
)


def link_targets(html: str) -> tuple[str, ...]:
    """What each link to another entry in ``html`` names (its marker), once each."""
    if ENTRY_LINK_PREFIX not in html:
        return ()
    return tuple(dict.fromkeys(m.group(1) for m in _ENTRY_LINK.finditer(html)))


def resolve_links(targets: Iterable[str], urls: Mapping[str, str]) -> dict[str, str | None]:
    """Each target (see ``link_targets``) with the URL of its entry's page, or None."""
    links: dict[str, str | None] = {}
    for target in targets:
        url = urls.get(target)
        if url is None and target.startswith("[["):
            url = resolve_wiki_link(target, urls)
        links[target] = url
    return links


def entry_links(html: str, urls: Mapping[str, str]) -> dict[str, str | None]:
    """Each link to another entry in ``html`` (its marker, see markdown.py) with the URL
    of that entry's page, or None when it is not on the site (deleted, a draft): all
    that a page made from ``html`` needs of the site's URLs."""
    return resolve_links(link_targets(html), urls)


def resolve_entry_links(html: str, links: Mapping[str, str | None], base_path: str) -> str:
    """Turn links to other entries' Markdown files into links to their pages, by
    ``links`` (see ``entry_links``); a link to a file that is not on the site becomes
    plain text."""
    if not links:
        return html

    def replace(match: re.Match[str]) -> str:
        url = links.get(match.group(1))
        if url is None:
            return f'<span class="missing-link">{match.group(4)}</span>'
        return f'<a href="{base_path}{url}{match.group(2) or ""}"{match.group(3)}>{match.group(4)}</a>'

    return _ENTRY_LINK.sub(replace, html)


def _mood_label(mood: int | None) -> str:
    return {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}.get(mood or 0, "")


class SummaryUndefined(jinja2.StrictUndefined):
    """StrictUndefined that says why an entry summary has no body."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if isinstance(self._undefined_obj, EntrySummary) and self._undefined_name in BODY_FIELDS:
            return (
                f"this page receives entry summaries, which have no {self._undefined_name!r}: "
                "only entry, timeline and home pages receive entries' bodies"
            )
        return super()._undefined_message


def template_environment(
    template_dirs: Iterable[Path], bytecode_cache: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """The Jinja2 environment of the templates in ``template_dirs`` (the first holding a
    name wins): autoescaped, strict, with the theme's filters. Everything that decides
    how a template compiles is set here; what it renders with (``site``, ``url`` ...)
    is added by the renderer."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs]),
        autoescape=True,
        undefined=SummaryUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A renderer lives while its templates stay the same (a builder makes a new
        # one when any template file changes): no need to stat them on every page.
        auto_reload=False,
        bytecode_cache=bytecode_cache,
        finalize=finalize,  # a page's stand-in for a win's number, printed (late_number.py)
    )
    env.filters.update(
        long_date=long_date,
        short_date=short_date,
        month_name=_month_name,
        iso=_iso,
        mood_label=_mood_label,
        plural=plural,
    )
    return env


def _month_name(day: dt.date) -> str:
    return f"{day:%B %Y}"


def _iso(day: dt.date) -> str:
    return day.isoformat()


class Renderer:
    """A Jinja2 environment over the theme's templates: autoescaped, strict, cached."""

    def __init__(
        self,
        theme: ThemeFiles,
        site: SiteView,
        static_urls: Mapping[str, str],
        fingerprinter: Fingerprinter,
        fragments: Fragments | None = None,
        bytecode_cache: jinja2.BytecodeCache | None = None,
    ):
        """``bytecode_cache``: the templates compiled ahead (engine/ahead.py)."""
        self.site = site
        self.static_urls = dict(static_urls)
        self.fingerprinter = fingerprinter
        self.template_dirs = [Path(p).resolve() for p in theme.template_dirs]
        self.fragments = Fragments() if fragments is None else fragments
        """Rendered win cards and partials by the digest of what they receive (see
        ``win_card`` and ``partial``): kept while the templates and settings stay the
        same."""
        self._card_keys: tuple[Fingerprinter | None, dict[tuple, tuple]] = (None, {})
        """The fingerprinter of this build, and each win card by its record's entry (its
        ``id``: the record held keeps the entry alive), place and number."""
        self.env = template_environment(theme.template_dirs, bytecode_cache)
        self.env.globals.update(
            site=site,
            url=self.url,
            static=self.static,
            win_card=self.win_card,
            partial=self.partial,
        )
        self._page: tuple[str, dict[str, int]] = ("", {})
        """The page being rendered (its path) and how often it has used each partial."""
        self._late: bool | None = None
        """Whether win cards are made with a stand-in for the number (``_number_late``)."""
        self.late: Any = None
        """What makes pages and partials once for all their win numbers (engine/late.py),
        and the numbers of the one being rendered with stand-ins for them."""
        self.sheet: Sheet | None = None

    def url(self, path: str = "") -> str:
        return self.site.base_path + path.lstrip("/")

    def static(self, name: str) -> str:
        try:
            return self.site.base_path + self.static_urls[name]
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"no static file {name!r} in the theme") from None

    @jinja2.pass_context
    def win_card(self, context: jinja2.runtime.Context, rec: WinRecord) -> Markup:
        """``partials/win_card.html`` for one win, made once for every page that shows
        it (the wins wall, tag and goal pages share most cards). The partial receives
        ``rec``, and ``urls``, ``slugs`` and ``goal_titles`` holding what the page's
        have for this win (its entry, its tags, its goal), and is kept under the digest
        of exactly those (see engine/keys.py): a card is made again whenever anything it
        could print changes, whatever an override of the partial prints, and a card
        stays the same when the page around it gains entries. A template that does
        nothing with the win's number but print it gets a card made once for all the
        numbers the win takes, the number put in as it is shown (late_number.py)."""
        urls, slugs, titles = context["urls"], context["slugs"], context["goal_titles"]
        source, goal = rec.entry.source, rec.win.goal
        url, title = urls.get(source), titles.get(goal)
        shown = tuple([(tag, slugs[tag]) for tag in rec.tags if tag in slugs]) if rec.tags else ()
        # A win shows on several pages (its year, its tags, its goal): an equal record
        # with the same values around it is the same card, found by its entry (the one
        # object this build holds for it), place and number and compared, not named
        # again (this build's fingerprinter, so this build's entries). Pages whose views
        # are made when rendered make records of their own: equal, not the same. On a
        # page made once for all its numbers, the card with its number's marker.
        if self._card_keys[0] is not self.fingerprinter:
            self._card_keys = (self.fingerprinter, {})
        memo, number = self._card_keys[1], rec.number
        late = type(number) is PageHole
        ident = (id(rec.entry), rec.index, None if late else number)
        held = memo.get(ident)
        if held is not None and held[1] == (url, shown, title) and (late or held[0] == rec):
            return Markup(fill(held[2], number)) if late else held[2]
        place = (source, rec.index, url, shown, goal, title)
        card = self._card_late(rec, place) if self._number_late() else None
        if late:
            if card is None:
                raise HoleTouched()
            memo[ident] = (rec, (url, shown, title), card)
            return Markup(fill(card, number))
        if card is not None:
            card = Markup(fill(card, number))
        else:
            # The card's key: the digest of everything its view below is made of.
            digest = self.fingerprinter.digest(rec, source, url, shown, goal, title)
            key = card_key(place, digest)
            card = self.fragments.get(key)
            if card is None:
                card = Markup(self._card_text(rec, place))
                self.fragments.add(key, card)
        memo[ident] = (rec, (url, shown, title), card)
        return card

    def _card_text(self, rec: object, place: tuple[Any, ...]) -> str:
        """``partials/win_card.html`` rendered for ``rec`` at ``place`` (see above)."""
        source, _, url, shown, goal, title = place
        view = {
            "rec": rec,
            "urls": {} if url is None else {source: url},
            "slugs": dict(shown),
            "goal_titles": {} if title is None else {goal: title},
        }
        return self.env.get_template("partials/win_card.html").render(view)

    def _number_late(self) -> bool:
        """Whether the card's template prints a win's number and does nothing else with
        it, so that a card is made once for all its numbers (late_number.py)."""
        if self._late is None:
            try:
                source = self.env.loader.get_source(self.env, "partials/win_card.html")[0]  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                source = None
            self._late = source is not None and prints_number_only(self.env, source)
        return self._late

    def _card_late(self, rec: WinRecord, place: tuple[Any, ...]) -> Markup | None:
        """The card for ``rec``, made (or kept) with a stand-in for its number, its
        markers left for ``fill``; None when the template did more than print it."""
        source, _, url, shown, goal, title = place
        # Kept under the digest of its view with the stand-in for the number (a number
        # no win has, and a name no other card's digest holds).
        unnumbered = replace(rec, number=0)
        digest = self.fingerprinter.digest(STAND_IN, unnumbered, source, url, shown, goal, title)
        key = card_key(place, digest)
        card = self.fragments.get(key)
        if card is None:
            hole = Hole()
            try:
                text = self._card_text(replace(rec, number=hole), place)
            except HoleTouched:
                # The template does more with the number than its syntax shows (a
                # format that escaping changes): every card of this renderer is made
                # with the number, not rendered twice.
                self._late = False
                return None
            except Exception:  # an error the real number meets too, reported there
                return None
            if not complete(text, hole):
                return None
            card = Markup(text)
            self.fragments.add(key, card)
        return card

    def partial(self, name: str, /, **values: Any) -> Markup:
        """The template ``name`` rendered with ``values`` alone (and what every
        template has: ``site``, ``url`` ...), for a part of a page that stays the same
        while the page around it changes: made once for every distinct ``values``,
        and kept under the digest of exactly those, like a win card (a year of the
        wins wall keeps its cards when only the count of every win moves); one whose
        values hold win numbers, once for all of them (engine/late.py)."""
        page, count = self._page
        place = count[name] = count.get(name, 0) + 1
        key, sheet = PARTIAL_PREFIX + self.fingerprinter.digest(name, values), self.sheet
        self.fragments.use(page, f"{name}#{place}", key)
        made = self.fragments.get(key)
        if made is None and sheet is None and self.late is not None:
            made = self.late.partial(self, name, values, page, f"{name}#{place}")
            if made is not None:
                self.fragments.add(key, made)
        if made is None:
            before = sheet.printed if sheet is not None else 0
            made = Markup(self.env.get_template(name).render(values))
            # Kept with a page's markers only when they are those its stand-ins printed.
            if sheet is not None and not sheet.holds(made, sheet.printed - before):
                raise HoleTouched()
            self.fragments.add(key, made)
        elif sheet is not None:
            sheet.printed += made.count(SEP)
        return made

    def _template_line(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The template (its name under templates/) and line where ``exc`` was raised:
        the innermost template frame, which is a partial when the error is in one."""
        tb = exc.__traceback__
        found: tuple[str | None, int | None] = (None, None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith(".html"):
                found = (self._template_name(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found

    def _template_name(self, filename: str) -> str | None:
        path = Path(filename)
        for folder in self.template_dirs:
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return None

    def render(self, page: Page, view: Mapping[str, Any] | None = None) -> str:
        """Render one page with ``view`` (default: the page's own, see Page.context);
        template problems become a JournalError naming template and line."""
        try:
            template = self.env.get_template(page.template)
            context = page.context() if view is None else view
            self._page = (page.path, {})
            return template.render(page=page, section=page.section, **context)
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
            name, line = self._template_line(exc)
            raise JournalError.single(
                f"templates/{name or page.template}", line, f"while rendering /{page.url}: {exc}"
            ) from exc
