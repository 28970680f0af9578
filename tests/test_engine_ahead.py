"""Templates compiled ahead by a forked process (engine/ahead.py): what it sends is used
only for the very source it was compiled from, and a template it could not compile is
compiled, and reported, here."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import jinja2
import pytest

from journal_site.engine.ahead import CompiledAhead
from journal_site.parallel import can_fork
from journal_site.render import template_environment

pytestmark = pytest.mark.skipif(not can_fork(), reason="compiling ahead needs fork")

TEMPLATES = {
    "base.html": "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}",
    "entry.html": '{% extends "base.html" %}{% block title %}{{ day | long_date }}'
    "{% endblock %}{% block body %}{% for w in wins %}<li>{{ w }}</li>{% endfor %}"
    '{{ wins | length | plural("win") }}{% endblock %}',
    "partials/card.html": "<p>{{ day | iso }} {{ mood | mood_label }}</p>",
    "timeline.html": '{% for m in months %}{{ m | month_name }}{% include "partials/card.html" %}'
    "{% endfor %}",
}


def _theme(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _received(ahead: CompiledAhead, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while len(names := ahead.ready()) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return names


DAY = dt.date(2026, 11, 24)


def _render_all(env: jinja2.Environment) -> dict[str, str]:
    view = {
        "day": DAY,
        "wins": ["Spoke up", "Ran <5k>"],
        "months": [dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
        "mood": 4,
    }
    return {name: env.get_template(name).render(view) for name in sorted(TEMPLATES)}


def test_every_template_comes_compiled_and_renders_as_one_compiled_here(tmp_path: Path) -> None:
    dirs = [_theme(tmp_path / "templates", TEMPLATES)]
    ahead = CompiledAhead(dirs)
    assert ahead.start()
    try:
        names = _received(ahead, len(TEMPLATES))
        # The everyday templates first, then the rest.
        assert names[:3] == ["base.html", "entry.html", "timeline.html"]
        assert sorted(names) == sorted(TEMPLATES)
        rendered = _render_all(template_environment(dirs, ahead))
    finally:
        ahead.close()
    assert ahead.taken == len(TEMPLATES)
    assert rendered == _render_all(template_environment(dirs))
    assert "<li>Ran &lt;5k&gt;</li>" in rendered["entry.html"]


def test_a_template_changed_after_it_was_compiled_there_is_compiled_here(tmp_path: Path) -> None:
    dirs = [_theme(tmp_path / "templates", TEMPLATES)]
    ahead = CompiledAhead(dirs)
    assert ahead.start()
    try:
        _received(ahead, len(TEMPLATES))
        (dirs[0] / "partials" / "card.html").write_text("<p>changed {{ day | iso }}</p>")
        env = template_environment(dirs, ahead)
        html = env.get_template("timeline.html").render(months=[], day=None)
        card = env.get_template("partials/card.html").render(day=DAY)
    finally:
        ahead.close()
    assert html == ""
    assert card == "<p>changed 2026-11-24</p>"
    assert ahead.taken == 1  # timeline.html; the changed partial was compiled here


def test_a_template_that_does_not_compile_is_reported_here_with_its_line(
    tmp_path: Path,
) -> None:
    broken = {**TEMPLATES, "tag.html": "<h1>{{ tag }}</h1>\n{% if %}\n"}
    dirs = [_theme(tmp_path / "templates", broken)]
    ahead = CompiledAhead(dirs)
    assert ahead.start()
    try:
        _received(ahead, len(TEMPLATES))
        env = template_environment(dirs, ahead)
        with pytest.raises(jinja2.TemplateSyntaxError) as caught:
            env.get_template("tag.html")
        assert env.get_template("entry.html") is not None
    finally:
        ahead.close()
    assert caught.value.lineno == 2
    assert ahead.taken == 1


def test_an_override_layer_wins_over_the_theme_there_as_here(tmp_path: Path) -> None:
    theme = _theme(tmp_path / "theme", TEMPLATES)
    override = _theme(tmp_path / "override", {"partials/card.html": "<b>{{ mood }}</b>"})
    dirs = [override, theme]
    ahead = CompiledAhead(dirs)
    assert ahead.start()
    try:
        _received(ahead, len(TEMPLATES))
        env = template_environment(dirs, ahead)
        html = env.get_template("timeline.html").render(months=[DAY], mood=5, day=DAY)
    finally:
        ahead.close()
    assert html == "November 2026<b>5</b>"
    assert ahead.taken == 2


def test_a_build_with_templates_compiled_ahead_makes_the_same_bytes(tmp_path: Path) -> None:
    """A build that nothing can stop has its templates compiled by another process (when
    there is a core for it); one that may be stopped compiles them itself. Same site."""
    from journal_site.config import load_config
    from journal_site.engine.site import Engine
    from journal_site.parallel import worker_count

    root = tmp_path / "journal"
    for day in range(1, 6):
        _theme(
            root / "content",
            {f"2026-11-{day:02d}.md": f"---\ntitle: Day {day}\nwins: [Spoke up]\n---\nBody.\n"},
        )
    # An override that prints what the default theme does not.
    _theme(root / "templates", {"partials/win_card.html": "<li>{{ rec.entry.title }}</li>"})
    config = load_config(root)
    ahead = Engine(config, today=DAY).build()
    here = Engine(config, today=DAY).build(cancel=lambda: False)
    assert "templates_ahead" not in here.stats
    if worker_count() >= 2:
        assert ahead.stats["templates_ahead"] > 0
    assert ahead.output.files == here.output.files
    assert b"<li>Day 3</li>" in ahead.output.files["wins/index.html"]


def test_a_forked_helper_takes_nothing_from_the_pipe(tmp_path: Path) -> None:
    """A render helper forked while templates are still coming inherits what had come
    and reads nothing more: what comes later is all this process's."""
    from journal_site.parallel import Forked

    dirs = [_theme(tmp_path / "templates", TEMPLATES)]
    ahead = CompiledAhead(dirs)
    try:
        assert ahead.start()
        time.sleep(0.5)  # everything is in the pipe, none of it taken in yet
        helper = Forked(lambda: str(len(ahead.ready())).encode())
        assert helper.result() == b"0"
        assert sorted(_received(ahead, len(TEMPLATES))) == sorted(TEMPLATES)
    finally:
        ahead.close()
