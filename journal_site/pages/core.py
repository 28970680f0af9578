"""The pages every journal has: home, the timeline, and one page per entry."""

from __future__ import annotations

from journal_site.aggregate.stats import week_start, year_ago
from journal_site.aggregate.timeline import neighbours, timeline_pages, timeline_url
from journal_site.charts import heatmap_legend
from journal_site.pages import Page, SiteModel
from journal_site.pages.progress import last_year_heatmap, streak_view
from journal_site.render import resolve_entry_links


def entry_pages(model: SiteModel) -> list[Page]:
    pages = []
    base = model.config.base_path
    slugs = model.tag_slugs
    all_goal_titles = {p.goal.slug: p.goal.title for p in model.goal_progress}
    content = model.config.content
    urls = model.urls
    token = model.token
    for entry, (previous, following) in zip(
        model.entries, neighbours(model.entries).values(), strict=True
    ):
        # The view holds only what this page shows (its own tags' slugs, its own wins'
        # goals), so that its key below can name all of it.
        tag_slugs = {tag: slugs[tag] for tag in entry.all_tags()}
        goal_titles = {w.goal: all_goal_titles[w.goal] for w in entry.wins if w.goal}
        body = resolve_entry_links(entry.body_html, urls, base)
        url = urls[entry.source]
        prev_card = model.card(previous) if previous else None
        next_card = model.card(following) if following else None
        key = None
        own = token(entry)
        if own is not None:
            sides = [
                (token(card.entry), card.url) if card else None for card in (prev_card, next_card)
            ]
            if all(side is None or side[0] is not None for side in sides):
                # A body whose links were resolved is named in full; otherwise the
                # entry's token names it.
                key = repr(
                    (
                        own,
                        None if body is entry.body_html else body,
                        sides,
                        tag_slugs,
                        goal_titles,
                    )
                )
        pages.append(
            Page(
                url=url,
                template="entry.html",
                view={
                    "entry": entry,
                    "body": body,
                    "previous": prev_card,
                    "next": next_card,
                    "tag_slugs": tag_slugs,
                    "goal_titles": goal_titles,
                },
                origin=f"{content}/{entry.source}",
                section="timeline/",
                key=key,
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
    latest = [model.card(e) for e in reversed(entries[-6:])]
    monday = week_start(model.today)
    week_wins = [
        (win, model.card(e))
        for e in reversed(entries)
        if not e.draft and monday <= e.day <= model.today
        for win in e.wins
    ]
    a_year_ago = year_ago(model.today)
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
            view={
                "latest": latest,
                "counts": counts,
                "streak": streak_view(model),
                "week_start": monday,
                "week_wins": week_wins,
                "heatmap": last_year_heatmap(model),
                "legend": heatmap_legend(),
                "year_ago_day": a_year_ago,
                "year_ago": [model.card(e) for e in entries if e.day == a_year_ago],
            },
            origin="the home page",
            section="",
        )
    ]
