"""Front matter split (python-frontmatter's boundary) and YAML parsed with line numbers.

PyYAML's safe loader (the C one when available) builds the values; a walk over the
composed node tree records the line of every key and list item, so that a problem in
``wins[1]`` is reported at the line where that win is written. Only safe tags are
accepted: ``!!python/object`` and friends are errors, never executed.

Before anything is composed, one pass over the parser's events (iterative, so it
cannot overflow the stack) refuses what a journal never needs and an attacker
would use: anchors and aliases (billion-laughs bombs, shared lists that multiply
when processed), nesting deeper than ``MAX_DEPTH`` (libyaml's composer recurses in C
and would crash the process) and more than ``MAX_NODES`` values. Front matter that
cannot hold any of these (no ``&`` or ``*``, and so few of the characters that open a
collection or a value that neither depth nor size can come near a limit) skips that
pass, which costs as much as composing; the walk over the composed tree checks its
depth. Lines are counted from character offsets, so a line break that YAML knows but
editors do not (U+2028, U+0085) never moves a reported line past the end of the file.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import frontmatter
import yaml
from yaml.constructor import ConstructorError, SafeConstructor

_BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY
MAX_NODES = 200_000
"""More values than any journal entry needs (a 100,000-item wins list still fits)."""
MAX_DEPTH = 32
"""Nesting levels allowed in front matter; entries need three or four."""
MAX_NUMBER_CHARS = 100
"""Longest whole number accepted; longer ones could not even be printed in a message."""
SCREEN_LIMIT = 1000
"""Front matter with at most this many of the characters that can open a collection or
a value (``[{-:?,``) and no ``&`` or ``*`` is not pre-checked: it nests at most this deep
(safe for libyaml's recursion) and holds far fewer than ``MAX_NODES`` values."""
_OPENERS = "[{-:?,"

_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe loader whose impossible dates (2026-02-30) are errors with a line."""


def _timestamp(loader: SafeConstructor, node: yaml.Node) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(
            None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark
        ) from exc


def _int(loader: SafeConstructor, node: yaml.Node) -> Any:
    try:
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise ValueError("too long")
        return SafeConstructor.construct_yaml_int(loader, node)
    except ValueError as exc:  # e.g. more digits than Python converts (int_max_str_digits)
        raise ConstructorError(
            None,
            None,
            f"the number is too long ({len(str(node.value))} characters)",
            node.start_mark,
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)

Path = tuple[str | int, ...]


class FrontMatterError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def split(text: str) -> tuple[str | None, int, str, int]:
    """Split a file into (front matter or None, its first line, body, body's first line)."""
    if not _BOUNDARY.match(text):
        return None, 0, text, 1
    parts = _BOUNDARY.split(text, 2)
    if len(parts) < 3:
        raise FrontMatterError(1, "front matter starts with '---' but has no closing '---' line")
    _, fm, body = parts
    # The regex's \s* may eat the newline after the opening ---; count from the real text.
    fm_start = text.index(fm, 3) if fm else 3
    fm_line = text.count("\n", 0, fm_start) + 1
    if fm.startswith("\n"):
        fm = fm[1:]
        fm_line += 1
    body_start = text.index(body, fm_start + len(fm)) if body else len(text)
    body_line = text.count("\n", 0, body_start) + 1
    return fm, fm_line, body, body_line


class _LineOf:
    """Character offset in the front matter -> line in the file, counting only "\\n"."""

    def __init__(self, fm: str, first_line: int) -> None:
        self.breaks = [i for i, ch in enumerate(fm) if ch == "\n"]
        self.first_line = first_line

    def __call__(self, mark: Any) -> int:
        if mark is None:
            return self.first_line
        return bisect_left(self.breaks, mark.index) + self.first_line


def _precheck(fm: str, line_of: _LineOf) -> None:
    """Refuse anchors, aliases, deep nesting and huge front matter before composing."""
    loader = _Loader(fm)
    depth = count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise FrontMatterError(
                    line_of(event.start_mark),
                    "anchors and aliases (&name, *name) are not supported in front matter; "
                    "write each value out where it is used",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(line_of(event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                count += 1
                if count > MAX_NODES:
                    raise FrontMatterError(
                        line_of(event.start_mark),
                        f"front matter is too large (over {MAX_NODES:,} values)",
                    )
    finally:
        loader.dispose()


def _screened(fm: str) -> bool:
    """True if ``fm`` cannot hold what ``_precheck`` refuses (see ``SCREEN_LIMIT``)."""
    if "&" in fm or "*" in fm:
        return False
    return sum(fm.count(ch) for ch in _OPENERS) <= SCREEN_LIMIT


def _too_deep(line: int) -> FrontMatterError:
    return FrontMatterError(
        line, f"front matter is nested too deeply (more than {MAX_DEPTH} levels)"
    )


def _walk(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    line_of: _LineOf,
    budget: list[int],
    depth: int = 0,
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise FrontMatterError(
            line_of(node.start_mark), f"front matter is too large (over {MAX_NODES:,} values)"
        )
    line = lines[path] = line_of(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        if depth == MAX_DEPTH:
            raise _too_deep(line)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[(*path, key)] = line_of(key_node.start_mark)
            _walk(value_node, (*path, key), lines, line_of, budget, depth + 1)
            lines[(*path, key)] = line_of(key_node.start_mark)
    elif isinstance(node, yaml.SequenceNode):
        if depth == MAX_DEPTH:
            raise _too_deep(line)
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, line_of, budget, depth + 1)


def load_yaml(fm: str, first_line: int) -> tuple[Any, dict[Path, int]]:
    """Parse front-matter YAML; return (value, {key path: line in the file})."""
    line_of = _LineOf(fm, first_line)
    try:
        if not _screened(fm):
            _precheck(fm, line_of)
        loader = _Loader(fm)
        try:
            node = loader.get_single_node()
            lines: dict[Path, int] = {}
            if node is None:
                return None, lines
            _walk(node, (), lines, line_of, [MAX_NODES * 2])
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = line_of(exc.problem_mark or exc.context_mark)
        what = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and line_of(context) != line:
            # An unclosed list or quote is noticed lines later; name where it began too.
            what += f" ({exc.context} that starts on line {line_of(context)})"
        if "maximum nesting depth" in what:
            # Newer libyaml builds stop deep flow collections in the parser, before the
            # pre-check sees them: the same problem, so the same words.
            raise _too_deep(line) from exc
        mark = exc.problem_mark
        if mark is not None and 0 <= mark.index < len(fm) and fm[mark.index] == "\t":
            what = "a tab character; YAML indents with spaces only"
        if isinstance(exc, ConstructorError) and "could not determine a constructor" in what:
            what = (
                f"unsupported YAML tag {what.split('tag ', 1)[-1]}; only plain values are allowed"
            )
        raise FrontMatterError(line, f"invalid YAML in front matter: {what}") from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"invalid YAML in front matter: {exc}") from exc
    except RecursionError as exc:
        raise FrontMatterError(first_line, "front matter is nested too deeply") from exc
    except (ValueError, OverflowError) as exc:  # a value PyYAML could not build
        raise FrontMatterError(first_line, f"invalid value in front matter: {exc}") from exc
    return value, lines
