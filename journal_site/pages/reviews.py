"""The review pages: /reviews/, and one page per week, month and year with an entry.

The facts come from ``SiteModel.review_book`` (aggregate/review_book.py), which
`journal review` reads too, so the pages and the terminal say the same. The sentences
that both say (the comparison with the period before, the change of consistency) are
made here, once.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from journal_site import charts
from journal_site.aggregate.heatmap import build_heatmap
from journal_site.aggregate.periods import Period, period_of, review_url
from journal_site.aggregate.reviews import Glance, Review, ReviewFacts, assemble
from journal_site.pages import Deferred, Earlier, Page, SiteModel, Unit
from journal_site.pages.progress import HeatmapView
from journal_site.text import plural

if TYPE_CHECKING:
    from journal_site.aggregate.review_book import ReviewBook

KIND_WORDS = {"week": "week", "month": "month", "year": "year"}


# -- sentences shared with `journal review` ----------------------------------------------


def consistency_words(review: Review) -> str:
    """The score at the period's end and how it moved, in words ("" when there is none)."""
    end = review.consistency_end
    if end is None:
        return ""
    change = review.consistency_change
    if change is None:
        return f"{end:.0f}%"
    if abs(change) < 0.5:
        return f"{end:.0f}%, steady"
    if change > 0:
        return f"{end:.0f}%, up {change:.0f} {'point' if round(change) == 1 else 'points'}"
    return (
        f"{end:.0f}%, down {-change:.0f} {'point' if round(-change) == 1 else 'points'}; "
        "a missed day lowers it a little, and it comes back"
    )


def comparison_words(review: Review) -> str:
    """A gentle comparison with the period before: more, as many, or a quieter one."""
    kind = review.period.kind
    before = review.before
    this = "this " + kind + (" so far" if review.so_far else "")
    if review.future:
        return f"This {kind} has not begun yet."
    if review.empty:
        return (
            f"Nothing written {this}, and that is fine: a gap is data, not a verdict. "
            "One small entry is enough to begin again."
        )
    wins = len(review.wins)
    if review.consistency_start is None:
        return f"Your journal began this {kind}: every entry in it is new ground."
    if before is None or not before.entries:
        return f"Nothing was written the {kind} before; {this} you came back. Welcome back."
    if review.days_written == before.days_written:
        days = f", on as many days written ({review.days_written:,})"
    else:
        days = f", on {plural(review.days_written, 'day')} written against {before.days_written:,}"
    if wins > before.wins:
        return f"More wins than the {kind} before: {wins:,} against {before.wins:,}{days}."
    if wins == before.wins:
        return f"As many wins as the {kind} before: {plural(wins, 'win')}{days}."
    if review.so_far:
        return (
            f"The {kind} before had {plural(before.wins, 'win')} in all, on "
            f"{plural(before.days_written, 'day')}; this {kind} is not over yet."
        )
    return (
        f"A quieter {kind} than the one before: {plural(wins, 'win')} against "
        f"{before.wins:,}{days}. Quieter {kind}s are part of it."
    )


def points_words(change: float | None) -> str:
    """A change of consistency in short: "+3", "−2", "steady" ("" when there is none)."""
    if change is None:
        return ""
    if abs(change) < 0.5:
        return "steady"
    return f"{change:+.0f}".replace("-", "−")


def days_words(review: Review) -> str:
    """ "6 of 7 days", "4 of 4 days so far"."""
    whole = review.period.days
    shown = review.days_counted if review.so_far else whole
    return f"{review.days_written:,} of {plural(shown, 'day')}" + (
        " so far" if review.so_far else ""
    )


# -- the pages ---------------------------------------------------------------------------


def parts_shown(review: Review) -> tuple[Glance, ...]:
    """A month's weeks or a year's months from the first with an entry to the last begun."""
    today = review.today
    parts = [g for g in review.parts if today is None or g.start <= today]
    while parts and not parts[0].entries:
        parts.pop(0)
    return tuple(parts)


def part_label(part: Glance) -> str:
    """A month's name in a year ("November"), a week's days in a month ("2–8 Nov")."""
    if part.period.kind == "month":
        return f"{part.start:%B}"
    days = f"{part.start.day}–{part.end.day}" if part.start != part.end else f"{part.end.day}"
    return f"{days} {part.end:%b}"


def _neighbours(periods: Sequence[Period], index: int) -> tuple[Period | None, Period | None]:
    before = periods[index - 1] if index > 0 else None
    after = periods[index + 1] if index + 1 < len(periods) else None
    return before, after


def _link(period: Period | None) -> tuple[str, str] | None:
    return (review_url(period), period.title) if period is not None else None


def _heatmap(
    facts: ReviewFacts, urls: Mapping[str, str], thresholds: Any, base_path: str
) -> HeatmapView:
    """A month's or year's heatmap: that span's days alone, up to today."""
    period = facts.period
    end = facts.today or period.end
    wins: dict[Any, int] = {}
    entries: dict[Any, int] = {}
    day_urls: dict[Any, str] = {}
    for entry in facts.entries:
        wins[entry.day] = wins.get(entry.day, 0) + len(entry.wins)
        entries[entry.day] = entries.get(entry.day, 0) + 1
        if entry.day not in day_urls and entry.source in urls:
            day_urls[entry.day] = urls[entry.source]
    drawn = build_heatmap(
        period.start,
        end,
        period.title,
        wins,
        entries,
        day_urls,
        thresholds,
        facts.counted,
        facts.grace,
        period.end,
    )
    return HeatmapView(
        drawn, charts.heatmap_svg(drawn, base_path), f"heatmap-{period.key}-caption"
    )


def review_view(
    facts: ReviewFacts,
    urls: Mapping[str, str],
    slugs: Mapping[str, str],
    goal_titles: Mapping[str, str],
    links: Mapping[str, tuple[str, str] | None],
    thresholds: Any,
    base_path: str,
) -> dict[str, Any]:
    """The view of one review page, made from its facts when the page is rendered."""
    review = assemble(facts)
    heatmap = None
    if review.period.kind != "week":
        heatmap = _heatmap(facts, urls, thresholds, base_path)
    return {
        "review": review,
        "urls": urls,
        "slugs": slugs,
        "goal_titles": goal_titles,
        "previous_link": links["previous"],
        "next_link": links["next"],
        "up_links": [link for key, link in links.items() if key.startswith("up") and link],
        "heatmap": heatmap,
        "legend": charts.heatmap_legend() if heatmap is not None else "",
        "parts": parts_shown(review),
        "days_words": days_words(review),
        "comparison": comparison_words(review),
        "consistency": consistency_words(review),
        "points": points_words(review.consistency_change),
        "kind_word": KIND_WORDS[review.period.kind],
    }


def _ups(period: Period) -> list[Period]:
    """The longer periods a review links up to: a week's month(s) and year(s), a month's year."""
    if period.kind == "year":
        return []
    ups = (
        []
        if period.kind == "month"
        else [period_of("month", d) for d in (period.start, period.end)]
    )
    ups += [period_of("year", d) for d in (period.start, period.end)]
    return list({p.key: p for p in ups}.values())


def _page(
    facts: ReviewFacts,
    periods: Sequence[Period],
    index: int,
    with_page: Collection[str],
    shown: _Shown,
) -> Page:
    period = facts.period
    entries = facts.entries
    urls, tag_slugs, goal_titles, thresholds, base_path = shown
    before, after = _neighbours(periods, index)
    links: dict[str, tuple[str, str] | None] = {"previous": _link(before), "next": _link(after)}
    for n, up in enumerate(_ups(period)):
        links[f"up{n}"] = _link(up) if up.key in with_page else None
    args = (
        facts,
        {e.source: urls[e.source] for e in entries if e.source in urls},
        {tag: tag_slugs[tag] for e in entries for tag in e.all_tags()},
        {w.goal: goal_titles[w.goal] for e in entries for w in e.wins if w.goal},
        links,
        thresholds if period.kind != "week" else None,
        base_path,
    )
    template = "review_year.html" if period.kind == "year" else "review.html"
    return Page(
        review_url(period),
        template,
        Deferred(review_view, args),
        f"the review of {period.key}",
        "reviews/",
    )


_Shown = tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str], Any, str]
"""What review pages show besides their facts: the entries' URLs, the tag slugs, the
goal titles, the heatmaps' colour scale and the base path."""


def _shown(model: SiteModel) -> _Shown:
    return (
        model.urls,
        model.tag_slugs,
        model.goal_titles,
        model.heatmap_thresholds,
        model.config.base_path,
    )


def review_units(model: SiteModel) -> Iterator[Unit]:
    """The review pages by kind and by the year each period begins in, in
    ``review_pages``' order: each block made from the entries up to the first counted
    one after its last period (which says whether a next period and the longer periods
    around them have pages), the goals finished (the last step of a goal may be done
    in a later year), and what the pages show besides (``_Shown``)."""
    book = model.review_book
    entries = model.entries
    days = [e.day for e in entries]
    today = model.today
    config = model.config
    settings = (today, config.streak, config.streak_grace, model.goals, book.finished)
    shown = _shown(model)
    for kind in ("year", "month", "week"):
        years = sorted({p.start.year for p in book.periods(kind)})
        for year in years:
            last = max(p.end for p in book.periods(kind) if p.start.year == year)
            # The first entry after ``last`` that a review counts (no draft, none after
            # today); the last entry when there is none.
            position = bisect.bisect_right(days, last)
            while position < len(entries) and (
                entries[position].draft or entries[position].day > today
            ):
                position += 1
            earlier = Earlier(entries, min(position, len(entries) - 1), model.urls, book)
            yield Unit(_review_pages_of, (earlier, kind, year, settings, *shown[1:]))


def _review_pages_of(
    earlier: Earlier,
    kind: str,
    year: int,
    settings: tuple[Any, ...],
    tag_slugs: Mapping[str, str],
    goal_titles: Mapping[str, str],
    thresholds: Any,
    base_path: str,
) -> list[Page]:
    """The review pages of the periods of ``kind`` that begin in ``year``. ``earlier``
    holds the journal's review book (made from all entries and ``settings``: today, the
    streak rule and grace, the goals and the goals finished), which for these periods
    gives what the entries ``earlier`` holds determine, with the finished goals."""
    book: ReviewBook = earlier.index  # type: ignore[assignment]
    with_page = {p.key for k in ("year", "month", "week") for p in book.periods(k)}
    shown = (earlier.urls, tag_slugs, goal_titles, thresholds, base_path)
    periods = book.periods(kind)
    return [
        _page(book.facts(period), periods, index, with_page, shown)
        for index, period in enumerate(periods)
        if period.start.year == year
    ]


def review_pages(model: SiteModel) -> Iterator[Page]:
    """A page for every week, month and year with an entry (none after today), a block
    at a time (a build asked to stop need not wait for them all)."""
    for unit in review_units(model):
        yield from unit.pages()


def review_page_at(model: SiteModel, path: str) -> Page:
    """The page ``review_pages`` lists at output ``path`` (".../index.html"), alone."""
    shown = _shown(model)
    for period, periods, index, with_page in _listed(model):
        if review_url(period) + "index.html" == path:
            return _page(model.review_book.facts(period), periods, index, with_page, shown)
    raise KeyError(path)


def _listed(model: SiteModel) -> Iterator[tuple[Period, list[Period], int, set[str]]]:
    """Each period with a review page, in ``review_pages``' order: with the periods of
    its kind, its place among them, and the keys of every period that has a page."""
    book = model.review_book
    by_kind = {kind: book.periods(kind) for kind in ("year", "month", "week")}
    with_page = {p.key for periods in by_kind.values() for p in periods}
    for periods in by_kind.values():
        for index, period in enumerate(periods):
            yield period, periods, index, with_page


def _index_glances(model: SiteModel, kind: str) -> list[tuple[Glance, bool]]:
    book = model.review_book
    return [(book.glance(p), p.contains(model.today)) for p in reversed(book.periods(kind))]


def reviews_index(model: SiteModel) -> list[Page]:
    """/reviews/: the years, months and weeks with entries, newest first, with counts."""
    years = []
    months = _index_glances(model, "month")
    weeks = _index_glances(model, "week")
    for year, so_far in _index_glances(model, "year"):
        number = year.period.start.year
        years.append(
            {
                "glance": year,
                "so_far": so_far,
                "months": [(g, s) for g, s in months if g.period.start.year == number],
                # A week belongs to the ISO year it is named by (2026-W01 may begin in 2025).
                "weeks": [(g, s) for g, s in weeks if g.period.start.isocalendar()[0] == number],
            }
        )
    # A week named by a year without entries of its own (2026-W01 when only 29-31
    # December 2025 was written) is listed under the year its Monday falls in.
    listed = {g.period.key for y in years for g, _ in y["weeks"]}
    for glance, so_far in weeks:
        if glance.period.key not in listed:
            for year in years:
                if year["glance"].period.contains(glance.period.start):
                    year["weeks"].append((glance, so_far))
    for year in years:
        year["weeks"].sort(key=lambda item: item[0].period.start, reverse=True)
    book = model.review_book
    current = period_of("week", model.today)
    view = {
        "years": years,
        "current_week": current if current.key in {p.key for p in book.periods("week")} else None,
    }
    return [Page("reviews/", "reviews.html", view, "the reviews index", "reviews/")]


def week_review_link(model: SiteModel) -> dict[str, Any] | None:
    """For home: this week's review when this week has an entry, else the latest week's."""
    weeks = model.review_book.periods("week")
    if not weeks:
        return None
    latest = weeks[-1]
    return {
        "url": review_url(latest),
        "title": latest.title,
        "so_far": latest.contains(model.today),
    }


REVIEW_BUILDERS: Sequence = (reviews_index, review_pages)
"""Builders of the review pages (summaries only)."""
