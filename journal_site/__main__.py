from __future__ import annotations

from journal_site.cli import run

run()
