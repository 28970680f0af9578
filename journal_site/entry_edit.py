"""``journal new --win "..."``: add wins and setbacks to an entry, touching nothing else.

The front matter is edited line by line, never loaded and dumped again, because a
YAML round trip drops comments and reorders keys. New items go at the end of the
``wins:`` / ``setbacks:`` block (after its comments), into a ``[flow, list]`` when it is
written that way, or into a new key when there is none. The result is parsed before
it is written; when it does not come out as intended the file is left as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from journal_site.entry_text import setback_lines, win_lines, yaml_scalar
from journal_site.errors import JournalError
from journal_site.frontmatter_yaml import FrontMatterError, load_yaml
from journal_site.model import Setback, Win

_OPEN = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


class EditError(Exception):
    """The entry cannot be edited safely; nothing was changed."""


def _comment_start(value: str) -> int:
    """Index where a ``# comment`` starts in a YAML value (outside quotes), or len(value)."""
    quote = ""
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                continue
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or value[index - 1] in " \t"):
            return index
    return len(value)


def _flow_end(text: str, start: int) -> int:
    """Index of the ``]`` closing the flow list that opens at ``text[start] == "["``."""
    depth = 0
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and text[index - 1] in " \t\n":
            index = text.find("\n", index)
            if index < 0:
                break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise EditError("its list is not closed with ']'")


def _flow_item(item: Win | Setback) -> str:
    if isinstance(item, Setback) and item.reframe:
        return f"{{text: {yaml_scalar(item.text)}, reframe: {yaml_scalar(item.reframe)}}}"
    return yaml_scalar(item.text)


def _block_item(item: Win | Setback, indent: str) -> list[str]:
    return win_lines(item, indent) if isinstance(item, Win) else setback_lines(item, indent)


def _add_to_key(
    lines: list[str], start: int, end: int, key: str, items: Sequence[Win | Setback], nl: str
) -> list[str]:
    """Add ``items`` under ``key`` within front-matter lines ``lines[start:end]``."""
    key_re = re.compile(rf"^{key}[ \t]*:(?P<rest>.*)$")
    found = next((i for i in range(start, end) if key_re.match(lines[i].rstrip("\r\n"))), None)
    if found is None:
        new = [f"{key}:"] + [line for item in items for line in _block_item(item, "  ")]
        return lines[:end] + [line + nl for line in new] + lines[end:]
    raw = lines[found].rstrip("\r\n")
    match = key_re.match(raw)
    assert match is not None
    rest = match.group("rest")
    value_end = _comment_start(rest)
    value = rest[:value_end].strip()
    if value.startswith("["):
        text = "".join(lines[found:end])
        open_at = len(raw) - len(rest) + rest.index("[")
        close_at = _flow_end(text, open_at)
        inside = text[open_at + 1 : close_at]
        added = ", ".join(_flow_item(i) for i in items)
        joiner = "" if not inside.strip() else (", " if not inside.rstrip().endswith(",") else " ")
        inside = inside.rstrip() + joiner + added if inside.strip() else added
        text = text[: open_at + 1] + inside + text[close_at:]
        return lines[:found] + text.splitlines(keepends=True) + lines[end:]
    if value in ("~", "null", "Null", "NULL"):
        prefix = raw[: len(raw) - len(rest)]
        comment = rest[value_end:]
        lines = [*lines]
        lines[found] = prefix + (" " + comment.lstrip() if comment.strip() else "") + nl
        value = ""
    if value:
        raise EditError(f"'{key}:' is not a list ({value[:30]!r}); add it by hand")
    # The block: indented lines, comments and indentless '- ' items that follow the key.
    last = found
    indent = ""
    for index in range(found + 1, end):
        line = lines[index].rstrip("\r\n")
        if not line.strip():
            continue
        if line[0] in " \t" or line.startswith("-"):
            last = index
            item = re.match(r"^([ \t]*)-(?:[ \t]|$)", line)
            if item and not indent:
                indent = item.group(1) or "\0"
            continue
        break
    indent = "" if indent == "\0" else (indent or "  ")
    new = [line + nl for item in items for line in _block_item(item, indent)]
    return lines[: last + 1] + new + lines[last + 1 :]


def add_items(text: str, wins: Sequence[Win], setbacks: Sequence[Setback]) -> str:
    """The entry ``text`` with ``wins`` and ``setbacks`` appended; raise EditError when unsafe."""
    nl = "\r\n" if "\r\n" in text else "\n"
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text.removeprefix(bom).splitlines(keepends=True)
    if not lines or not _OPEN.match(lines[0].rstrip("\r\n")):
        lines = [f"---{nl}", f"---{nl}", *lines]
    end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i].rstrip("\r\n"))), None)
    if end is None:
        raise EditError("its front matter has no closing '---' line")
    if lines[end - 1 : end] and not lines[end - 1].endswith("\n"):
        raise EditError("its front matter is not line-terminated")
    if wins:
        before = len(lines)
        lines = _add_to_key(lines, 1, end, "wins", wins, nl)
        end += len(lines) - before
    if setbacks:
        lines = _add_to_key(lines, 1, end, "setbacks", setbacks, nl)
    return bom + "".join(lines)


def _check(old: str, new: str, wins: Sequence[Win], setbacks: Sequence[Setback]) -> None:
    """The new front matter parses, and holds exactly the old lists plus the new items."""

    def lists(text: str) -> dict[str, list[object]]:
        body = text.removeprefix("\ufeff").replace("\r\n", "\n")
        if not body.startswith("---"):
            return {"wins": [], "setbacks": []}
        fm = body.split("\n", 1)[1]
        fm = re.split(r"^(?:---|\.\.\.)[ \t]*$", fm, maxsplit=1, flags=re.M)[0]
        try:
            data, _ = load_yaml(fm, 2)
        except FrontMatterError as exc:
            raise EditError(f"the result would not be valid YAML ({exc.message})") from exc
        data = data if isinstance(data, dict) else {}
        return {k: list(data.get(k) or []) for k in ("wins", "setbacks")}

    before, after = lists(old), lists(new)
    for key, items in (("wins", wins), ("setbacks", setbacks)):
        expected = before[key] + [
            {"text": i.text, "reframe": i.reframe}
            if isinstance(i, Setback) and i.reframe
            else i.text
            for i in items
        ]
        if after[key] != expected:
            raise EditError(f"'{key}:' would not come out as intended")


def append_to_entry(
    path: Path, wins: Sequence[Win], setbacks: Sequence[Setback], shown: str
) -> None:
    """Add items to the entry at ``path`` in place; JournalError (file untouched) when unsafe.

    A symbolic link is refused, wherever it points: replacing it would turn the link
    into a copy of its target (a file outside the journal, perhaps) with the new items.
    """
    if path.is_symlink():
        raise JournalError.single(
            shown,
            None,
            "is a symbolic link; add to the file it points to instead; nothing was changed",
        )
    # O_NOFOLLOW: a link put in its place after the check is refused all the same.
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as entry:
        raw = entry.read()
    try:
        old = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JournalError.single(shown, None, "is not UTF-8 text; nothing was changed") from exc
    try:
        new = add_items(old, wins, setbacks)
        _check(old, new, wins, setbacks)
    except EditError as exc:
        raise JournalError.single(
            shown, None, f"cannot add to it safely: {exc}; nothing was changed"
        ) from exc
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(new.encode("utf-8"))
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
