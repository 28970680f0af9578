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
from journal_site.errors import JournalError, Problem


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
    site_root: Path | None = None
    """The journal folder (resolved): its own ``static/`` holds the journal's files, and
    no static file may be a link that leads out of it."""

    def _bound(self, folder: Path) -> Path:
        """What a link in the static folder ``folder`` may point into: the journal folder
        for the journal's own layers, the theme's own folder for the built-in theme."""
        root = self.site_root
        return root if root is not None and folder.is_relative_to(root) else folder.parent

    def static_files(self) -> dict[str, Path]:
        """Every static file by its path under static/, the highest-priority copy of each.

        A symbolic link that leads out of the journal folder (or to nothing) would
        publish a file that is not part of the journal: every such link is an error
        naming it, and nothing is built.
        """
        found: dict[str, Path] = {}
        problems: list[Problem] = []
        for folder in reversed(self.static_dirs):
            bound = self._bound(folder)
            if not folder.resolve().is_relative_to(bound):
                problems.append(_link_problem(folder, self.site_root, bound))
                continue
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in [*dirnames, *filenames]:
                    full = Path(dirpath) / name
                    if full.is_symlink() and not (
                        full.exists() and full.resolve().is_relative_to(bound)
                    ):
                        problems.append(_link_problem(full, self.site_root, bound))
                for name in filenames:
                    if name.startswith(".") or name.endswith("~"):
                        continue
                    full = Path(dirpath) / name
                    found[full.relative_to(folder).as_posix()] = full
        if problems:
            raise JournalError(problems)
        return dict(sorted(found.items()))

    def journal_static(self) -> frozenset[str]:
        """Names under static/ whose file comes from the journal's own ``static/`` folder
        (a photo, a document, or the journal's copy of a theme file), not from a theme."""
        if self.site_root is None:
            return frozenset()
        own = self.site_root / "static"
        return frozenset(
            name for name, path in self.static_files().items() if path.is_relative_to(own)
        )


def _link_problem(link: Path, site_root: Path | None, bound: Path) -> Problem:
    shown = link.relative_to(site_root) if site_root and link.is_relative_to(site_root) else link
    where = "the journal folder" if bound == site_root else "its theme's folder"
    return Problem(
        shown.as_posix(),
        None,
        f"is a symbolic link to something outside {where} (or to nothing), which is never "
        "published; copy the file into the folder instead, or remove the link",
    )


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
    return ThemeFiles(template_dirs=templates, static_dirs=static, site_root=unique[0])


def fingerprint(name: str, data: bytes) -> str:
    """``style.css`` -> ``style.1a2b3c4d5e.css``: a new name whenever the bytes change."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"
