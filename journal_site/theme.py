"""Where templates and static files come from: the site's own files over the theme's.

Lookup order, first match wins, file by file:
``templates/`` and ``static/`` in the site, then ``themes/<theme>/`` in the site,
then the default theme shipped inside the package.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from journal_site.config import CONFIG_NAME, Config
from journal_site.errors import JournalError


def builtin_theme_dir() -> Path:
    """The default theme: the repository's ``themes/default`` when running from a source
    checkout, otherwise the copy installed inside the package."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "themes" / "default").is_dir():
        return checkout / "themes" / "default"
    from importlib import resources  # only for an installed package: slow to import

    return Path(str(resources.files("journal_site.themes"))) / "default"


@dataclass(frozen=True, slots=True)
class ThemeFiles:
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    """Highest priority first."""

    def static_files(self) -> dict[str, Path]:
        """Every static file by its path under static/, the highest-priority copy of each."""
        found: dict[str, Path] = {}
        for folder in reversed(self.static_dirs):
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    if name.startswith(".") or name.endswith("~"):
                        continue
                    full = Path(dirpath) / name
                    found[full.relative_to(folder).as_posix()] = full
        return dict(sorted(found.items()))


def theme_files(config: Config) -> ThemeFiles:
    builtin = builtin_theme_dir()
    site_theme = config.root / "themes" / config.theme
    if not site_theme.is_dir() and config.theme != "default":
        raise JournalError.single(
            CONFIG_NAME,
            None,
            f"theme {config.theme!r} not found: expected a folder themes/{config.theme}/",
        )
    layers = [config.root, site_theme, builtin]
    unique: list[Path] = []
    for layer in layers:
        resolved = layer.resolve()
        if resolved not in unique:
            unique.append(resolved)
    templates = tuple(p / "templates" for p in unique if (p / "templates").is_dir())
    static = tuple(p / "static" for p in unique if (p / "static").is_dir())
    return ThemeFiles(template_dirs=templates, static_dirs=static)


def fingerprint(name: str, data: bytes) -> str:
    """``style.css`` -> ``style.1a2b3c4d5e.css``: a new name whenever the bytes change."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"
