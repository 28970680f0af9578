"""Heatmap levels (quantiles of the journal's own days) and the grid, by hand."""

from __future__ import annotations

import datetime as dt

from journal_site.aggregate.heatmap import build_heatmap, level, level_thresholds
from journal_site.charts import heatmap_svg


def test_thresholds_are_quartiles_of_days_with_wins():
    # Days without a win are left out; 8 values, nearest rank: 25% -> 2nd, 50% -> 4th,
    # 75% -> 6th smallest.
    assert level_thresholds([0, 0, 1, 2, 3, 4, 5, 6, 7, 8]) == (2, 4, 6)
    assert [level(n, (2, 4, 6)) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8)] == [
        0, 1, 1, 2, 2, 3, 3, 4, 4,
    ]  # fmt: skip


def test_a_light_and_a_heavy_writer_both_see_every_level():
    light = [1, 1, 2, 2, 3, 3, 4, 4]
    heavy = [10 * n for n in light]
    for days in (light, heavy):
        thresholds = level_thresholds(days)
        assert sorted({level(n, thresholds) for n in days}) == [1, 2, 3, 4]


def test_no_wins_at_all():
    assert level_thresholds([0, 0]) == ()
    assert level(0, ()) == 0
    assert level(3, ()) == 1  # without a scale every day with a win is the first level


def test_grid_weeks_are_columns_and_weekdays_rows():
    # Thursday 1 January 2026 sits in the week of Monday 29 December 2025 (column 0, row 3).
    hm = build_heatmap(
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 12),
        "2026",
        wins_by_day={dt.date(2026, 1, 5): 2},
        entries_by_day={dt.date(2026, 1, 5): 1},
        day_urls={dt.date(2026, 1, 5): "2026/01/05/"},
        thresholds=(1, 1, 1),
        counted=[dt.date(2026, 1, 5)],
        grid_end=dt.date(2026, 12, 31),
    )
    first, monday = hm.cells[0], hm.cells[4]
    assert (first.day, first.column, first.row) == (dt.date(2026, 1, 1), 0, 3)
    assert (monday.day, monday.column, monday.row, monday.level) == (dt.date(2026, 1, 5), 1, 0, 4)
    assert len(hm.cells) == 12 and hm.weeks == 53  # the grid is a whole year wide
    assert hm.summary() == "In 2026 you wrote on 1 day and noted 2 wins; longest streak 1 day."


def test_svg_escapes_the_base_path():
    hm = build_heatmap(
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 5),
        "2026",
        wins_by_day={},
        entries_by_day={dt.date(2026, 1, 5): 1},
        day_urls={dt.date(2026, 1, 5): "2026/01/05/"},
        thresholds=(),
        counted=[],
    )
    svg = str(heatmap_svg(hm, '/a"b<c/'))
    assert 'href="/a&quot;b&lt;c/2026/01/05/"' in svg
    # The picture holds links, so it is hidden from assistive technology (its figure's
    # caption says what it shows) rather than named as an image.
    assert 'aria-hidden="true"' in svg and 'role="img"' not in svg and "style=" not in svg
