"""journal_site: a static-site generator for a private progress journal."""

from __future__ import annotations

__version__ = "0.1.0"
