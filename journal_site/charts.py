"""SVG drawn at build time: the heatmap, wins per week, mood over time, win/setback bars.

Every function returns ``markupsafe.Markup`` built from escaped text, so templates
can insert it as it is. No ``style`` attributes (the site runs under a strict CSP):
colours come from classes in style.css, geometry from SVG attributes.
Each chart is drawn for a figure whose caption or table is the text alternative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from journal_site.aggregate.heatmap import Heatmap
from journal_site.aggregate.stats import MoodPoint, WeekWins
from journal_site.text import long_date, plural

CELL = 11
"""Side of a heatmap cell, in SVG units."""
PITCH = CELL + 2
_LEFT = 30  # room for weekday labels
_TOP = 16  # room for month labels
_WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}
_LABEL_WIDTH = 20  # room a three-letter month name takes at the labels' 9px size


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _cell_title(day: dt.date, wins: int, entries: int) -> str:
    when = long_date(day)
    if not entries:
        return f"{when}: nothing written"
    what = plural(wins, "win") if wins else "written, no wins listed"
    if entries > 1:
        what += f" ({entries} entries)"
    return f"{when}: {what}"


def heatmap_svg(heatmap: Heatmap, base_path: str) -> Markup:
    """The heatmap as an SVG picture for the eye alone; its figure's caption (the
    heatmap's summary) is what assistive technology reads instead.

    Cells of days with an entry link to the day's page, a shortcut for the mouse. The
    links are left out of the tab order (a year is 365 stops, and the same pages are
    one step away in the timeline), and the picture is hidden from assistive
    technology rather than named as an image: an image cannot hold links.
    """
    width = _LEFT + heatmap.weeks * PITCH
    height = _TOP + 7 * PITCH
    out = [
        f'<svg class="heatmap-svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true">'
    ]
    for column, month in heatmap.months:
        x = _LEFT + column * PITCH
        # A month that starts in the last column would run off the right edge ("De"):
        # its label ends at the edge instead.
        anchor = ""
        if x + _LABEL_WIDTH > width:
            x, anchor = width, ' text-anchor="end"'
        out.append(
            f'<text class="chart-label" x="{x}" y="{_TOP - 5}"{anchor}>'
            f"{_attr(f'{month:%b}')}</text>"
        )
    for row, name in _WEEKDAY_LABELS.items():
        out.append(
            f'<text class="chart-label" x="0" y="{_TOP + row * PITCH + CELL - 1}">{name}</text>'
        )
    for cell in heatmap.cells:
        x = _LEFT + cell.column * PITCH
        y = _TOP + cell.row * PITCH
        classes = f"heat heat-{cell.level}" + (" has-entry" if cell.entries else "")
        rect = (
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" '
            f'class="{classes}" data-day="{cell.day.isoformat()}">'
            f"<title>{_attr(_cell_title(cell.day, cell.wins, cell.entries))}</title></rect>"
        )
        if cell.url is not None:
            rect = f'<a href="{_attr(base_path + cell.url)}" tabindex="-1">{rect}</a>'
        out.append(rect)
    out.append("</svg>")
    return Markup("".join(out))


def heatmap_legend() -> Markup:
    """ "Fewer wins [] [] [] [] [] more": what the colours mean."""
    cells = "".join(
        f'<rect x="{i * PITCH}" y="0" width="{CELL}" height="{CELL}" rx="2" class="heat heat-{i}"/>'
        for i in range(5)
    )
    return Markup(
        '<span class="heat-legend">No wins '
        f'<svg width="{5 * PITCH}" height="{CELL}" viewBox="0 0 {5 * PITCH} {CELL}" '
        f'aria-hidden="true">{cells}</svg> most wins</span>'
    )


def _nice_max(value: int) -> int:
    """A round number at or above ``value`` for an axis (1, 2, 5, 10, 20, 50 ...)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def wins_per_week_svg(weeks: Sequence[WeekWins], caption_id: str) -> Markup:
    """Bars of wins per week, oldest on the left.

    The drawing is always a year wide, so charts look alike on every journal; a young
    journal's few weeks get wider bars (up to a limit) from the left.
    """
    gap, chart_h, left, bottom, top = 3, 120, 34, 18, 8
    chart_w = 52 * 13
    bar = min(chart_w / max(len(weeks), 1) - gap, 36)
    width = left + chart_w
    height = top + chart_h + bottom
    peak = _nice_max(max((w.wins for w in weeks), default=0))
    out = [
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{_attr(caption_id)}">'
    ]
    for value in (0, peak // 2, peak) if peak >= 2 else (0, peak):
        y = top + chart_h - chart_h * value / peak
        out.append(
            f'<line class="chart-grid" x1="{left - 4}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-label" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value}</text>"
        )
    last_label = -10
    for i, week in enumerate(weeks):
        x = round(left + i * (bar + gap), 1)
        h = chart_h * week.wins / peak
        title = f"Week of {long_date(week.start)}: {plural(week.wins, 'win')}"
        out.append(
            f'<rect class="bar-win" x="{x}" y="{top + chart_h - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}"><title>{_attr(title)}</title></rect>'
        )
        # Label the first week that starts in each month, unless the last label is too close.
        new_month = i == 0 or week.start.month != weeks[i - 1].start.month
        if new_month and (i - last_label) * (bar + gap) >= 30:
            out.append(
                f'<text class="chart-label" x="{x}" y="{height - 4}">{week.start:%b}</text>'
            )
            last_label = i
    out.append("</svg>")
    return Markup("".join(out))


def mood_svg(points: Sequence[MoodPoint], unit: str, caption_id: str) -> Markup:
    """Average mood (1-5) per week or month as a line with a dot per period."""
    if not points:
        return Markup("")
    left, top, chart_w, chart_h, bottom = 34, 10, 640, 140, 20
    width, height = left + chart_w + 10, top + chart_h + bottom
    first, last = points[0].start, points[-1].start
    span = max((last - first).days, 1)

    def xy(point: MoodPoint) -> tuple[float, float]:
        x = left + (
            chart_w * (point.start - first).days / span if len(points) > 1 else chart_w / 2
        )
        y = top + chart_h * (5 - point.average) / 4
        return x, y

    out = [
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{_attr(caption_id)}">'
    ]
    for mood in range(1, 6):
        y = top + chart_h * (5 - mood) / 4
        out.append(
            f'<line class="chart-grid" x1="{left - 4}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-label" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{mood}</text>"
        )
    coords = [xy(p) for p in points]
    out.append(
        '<polyline class="mood-line" fill="none" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        + '"/>'
    )
    for point, (x, y) in zip(points, coords, strict=True):
        label = (
            f"{unit.capitalize()} of {long_date(point.start)}"
            if unit == "week"
            else f"{point.start:%B %Y}"
        )
        entries = plural(point.entries, "entry", "entries")
        title = f"{label}: average mood {point.average:.1f} of 5 ({entries})"
        out.append(
            f'<circle class="mood-dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{_attr(title)}</title></circle>"
        )
    # Axis labels at both ends, so the reader knows the span without hovering.
    out.append(
        f'<text class="chart-label" x="{left}" y="{height - 4}">{_attr(_period(first, unit))}</text>'
        f'<text class="chart-label" x="{left + chart_w}" y="{height - 4}" text-anchor="end">'
        f"{_attr(_period(last, unit))}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))


def _period(start: dt.date, unit: str) -> str:
    return f"{start.day} {start:%b %Y}" if unit == "week" else f"{start:%b %Y}"


def outcome_bar_svg(wins: int, setbacks: int, scale: int) -> Markup:
    """A small horizontal bar: wins in green, setbacks in amber, ``scale`` = the widest month."""
    width = 160
    unit = width / max(scale, 1)
    w, s = wins * unit, setbacks * unit
    return Markup(
        f'<svg class="outcome-bar" width="{width}" height="12" viewBox="0 0 {width} 12" '
        f'aria-hidden="true"><rect class="bar-win" x="0" y="1" width="{w:.1f}" height="10"/>'
        f'<rect class="bar-setback" x="{w:.1f}" y="1" width="{s:.1f}" height="10"/></svg>'
    )
