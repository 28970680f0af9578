"""Pages -> public/. The only code that writes the built site.

Everything is written into a fresh folder next to the output folder and swapped in
only when every file is written, so a failed or interrupted build leaves the
previous site exactly as it was. Two things that would write the same path are an
error naming both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from journal_site.errors import JournalError, Problem, UsageError


@dataclass(slots=True)
class Output:
    """The files of a site, by path relative to the output folder."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    """Bytes to write, or a file to copy."""
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, data: bytes | Path, origin: str) -> None:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\0" in path or "\\" in path or not path:
            self.problems.append(
                Problem(origin, None, f"would write outside the output folder: {path!r}")
            )
            return
        if path in self.files:
            self.problems.append(
                Problem(origin, None, f"would write {path}, which {self.origins[path]} writes too")
            )
            return
        self.files[path] = data
        self.origins[path] = origin

    def check(self) -> None:
        if self.problems:
            raise JournalError(self.problems)


def check_output_dir(out_dir: Path, site_root: Path, content_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not output."""
    out = out_dir.resolve()
    home = Path.home().resolve()
    forbidden = {
        Path(out.anchor): "the root of the file system",
        home: "your home folder",
        site_root.resolve(): "the site folder",
        content_dir.resolve(): "the content folder",
    }
    if out in forbidden:
        raise UsageError(f"refusing to build into {out_dir}: it is {forbidden[out]}")
    for inner, name in (
        (site_root.resolve(), "the site folder"),
        (content_dir.resolve(), "the content folder"),
    ):
        if inner.is_relative_to(out):
            raise UsageError(f"refusing to build into {out_dir}: it contains {name}")
    if content_dir.resolve() in out.parents:
        raise UsageError(f"refusing to build into {out_dir}: it is inside the content folder")


def write_output(output: Output, out_dir: Path) -> None:
    """Write every file into a new folder, then swap it in place of ``out_dir``."""
    output.check()
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        made: set[str] = set()
        for rel, data in output.files.items():
            target = staging / rel
            parent = target.parent.as_posix()
            if parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            if isinstance(data, Path):
                shutil.copyfile(data, target)
            else:
                target.write_bytes(data)
        os.chmod(staging, 0o755)
        swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` with two renames; the old tree is removed afterwards."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if retired.exists():
        shutil.rmtree(retired)
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except BaseException:
        retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
