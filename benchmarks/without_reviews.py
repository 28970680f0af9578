"""``journal build`` without the review pages: the pages the code before the engine made.

    python benchmarks/without_reviews.py build [journal build's arguments]

The review pages (/reviews/ and a page per week, month and year, 781 of them on the
4,000-entry corpus) came after the engine. ``bench.py --before REF --without-reviews``
runs this code through this script, so that a cold build is compared with the code at
REF on the same pages. Nothing else changes: the same engine, store and output. It
imports the engine before it builds, which a build that finds nothing changed does not:
compare its cold builds only.
"""

from __future__ import annotations

from journal_site.engine import selection
from journal_site.engine.rows import builder_name
from journal_site.pages import reviews

_ALL = selection.builders
_REVIEWS = {builder_name(builder) for builder in reviews.REVIEW_BUILDERS}


def _without_reviews() -> list[selection.Builder]:
    return [b for b in _ALL() if builder_name(b) not in _REVIEWS]


if __name__ == "__main__":
    selection.builders = _without_reviews
    from journal_site.cli import run

    run()  # as ``journal`` ends
