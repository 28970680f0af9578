"""One error type for everything a user can get wrong, and a collection of them.

Every problem names the file (relative to the site), the line when one is known,
and says what was expected and what came instead. Stages collect problems and
raise them all at once, so a user fixes every mistake in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
"""The ``journal`` command's exit status: all went well; the journal has problems (each
printed as ``path:line: message``); the command itself was used wrongly."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one file."""

    path: str
    """The file, relative to the site folder, with forward slashes."""
    line: int | None
    """1-based line in that file, or None when the problem is the whole file."""
    message: str
    """What is wrong and what was expected."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int]:
        return (self.path, self.line or 0)


def plain_problems(problems: Iterable[Problem]) -> list[list[str | int | None]]:
    """``problems`` as plain lists (path, line, message), as JSON keeps them."""
    return [[p.path, p.line, p.message] for p in problems]


def problems_from_plain(rows: Iterable[Any]) -> tuple[Problem, ...]:
    """The problems ``plain_problems`` made ``rows`` of; ValueError or TypeError for
    rows that do not read."""
    return tuple(
        Problem(str(path), None if line is None else int(line), str(message))
        for path, line, message in rows
    )


class JournalError(Exception):
    """One or more problems found in a site; printed one per line, never as a traceback."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, path: str, line: int | None, message: str) -> JournalError:
        return cls([Problem(path, line, message)])


class UsageError(Exception):
    """A command was called in a way that cannot work (exit status 2)."""
