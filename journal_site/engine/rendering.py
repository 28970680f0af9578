"""What every page is rendered with, and the render stage's work done ahead of it.

The site view every template sees, the digest of every template that could be used,
an output's key (what every page sees, the templates its own may read, its inputs),
and the steps of rendering work a build does while a second process plans.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Mapping

from journal_site.config import Config
from journal_site.engine.keys import key_start
from journal_site.engine.plan import Planned
from journal_site.engine.selection import Selection
from journal_site.pages import SiteModel
from journal_site.render import Renderer, SiteView
from journal_site.theme import ThemeFiles


def site_view(config: Config, drafts: bool, selection: Selection) -> SiteView:
    """What every template sees as ``site``."""
    return SiteView(
        title=config.title,
        author=config.author,
        base_path=config.base_path,
        language=config.language,
        drafts_shown=drafts,
        nav=selection.nav,
        shared=selection.shared,
    )


def templates_digest(theme: ThemeFiles) -> str:
    """Every template that could be used: its layer, name and bytes."""
    digest = hashlib.blake2b(digest_size=20)
    for layer, folder in enumerate(theme.template_dirs):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"{layer}\0{path.relative_to(folder).as_posix()}\0".encode())
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


def output_key(base_key: str, closures: Mapping[str, str], item: Planned) -> str:
    """An output's key: what every page sees, the templates it may read, its inputs."""
    return key_start(base_key, closures, item.template) + str(item.inputs)


def work_ahead(
    render: Callable[[], Renderer], model: Callable[[], SiteModel], stats_page: bool
) -> Callable[[], bool]:
    """A step of work that the render stage would do anyway, done while a second process
    plans (False once none is left): compile each template, draw the stats page's
    heatmaps (kept in the model's memo). The render workers that
    a cold build forks later inherit all of it. A template that does not compile is
    left for the render stage to report, with its page."""

    def steps() -> Iterator[None]:
        from journal_site.pages import progress

        env = render().env
        for name in env.list_templates(extensions=["html"]):
            with contextlib.suppress(Exception):
                env.get_template(name)
            yield
        if stats_page:
            for span in progress.year_spans(model()):
                _ = progress.heatmap_view(model(), *span).drawn
                yield

    work = steps()
    return lambda: next(work, False) is None
