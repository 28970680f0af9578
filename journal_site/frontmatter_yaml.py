"""Front matter split (python-frontmatter's boundary) and YAML parsed with line numbers.

PyYAML's safe loader (the C one when available) builds the values; a walk over the
composed node tree records the line of every key and list item, so that a problem in
``wins[1]`` is reported at the line where that win is written. Only safe tags are
accepted: ``!!python/object`` and friends are errors, never executed.
"""

from __future__ import annotations

from typing import Any

import frontmatter
import yaml
from yaml.constructor import ConstructorError, SafeConstructor

_BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY
MAX_NODES = 200_000
"""More nodes than any journal entry needs; protects against alias bombs."""

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


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

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


def _walk(
    node: yaml.Node, path: Path, lines: dict[Path, int], offset: int, budget: list[int]
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise FrontMatterError(
            node.start_mark.line + offset, f"front matter is too large (over {MAX_NODES} values)"
        )
    lines[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[(*path, key)] = key_node.start_mark.line + offset
            _walk(value_node, (*path, key), lines, offset, budget)
            lines[(*path, key)] = key_node.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, offset, budget)


def load_yaml(fm: str, first_line: int) -> tuple[Any, dict[Path, int]]:
    """Parse front-matter YAML; return (value, {key path: line in the file})."""
    offset = first_line  # node marks are 0-based within the front matter
    try:
        loader = _Loader(fm)
        try:
            node = loader.get_single_node()
            lines: dict[Path, int] = {}
            if node is None:
                return None, lines
            _walk(node, (), lines, offset, [MAX_NODES])
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark is not None else first_line
        what = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and context.line != mark.line:
            # An unclosed list or quote is noticed lines later; name where it began too.
            what += f" ({exc.context} that starts on line {context.line + offset})"
        if isinstance(exc, ConstructorError) and "could not determine a constructor" in what:
            what = (
                f"unsupported YAML tag {what.split('tag ', 1)[-1]}; only plain values are allowed"
            )
        raise FrontMatterError(line, f"invalid YAML in front matter: {what}") from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"invalid YAML in front matter: {exc}") from exc
    except RecursionError as exc:
        raise FrontMatterError(first_line, "front matter is nested too deeply") from exc
    return value, lines
