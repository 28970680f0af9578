"""Wins and setbacks written in the body of an entry, for people who write no YAML.

A line of the body is *lifted* into the entry's wins or setbacks when it is

- ``Win: text`` or ``Setback: text`` (any case, optionally a list item, optionally
  in bold: ``- **Win:** text``); ``Proud: text`` is a win to celebrate (``proud: true``);
- any line carrying the hashtag ``#win`` or ``#setback`` (``Called mum #win``);

A setback's lesson is written in brackets at its end, ``(Lesson: ...)`` or
``(Reframe: ...)``, after it on the same line (``Setback: X. Lesson: Y``), or on the
very next line as ``Lesson: ...`` / ``Reframe: ...``. Other hashtags on a lifted line
become the win's or setback's own tags; hashtags at the end of the line are dropped
from its text, hashtags inside a sentence keep their word.

Lifted lines leave the body, because the entry page shows wins and setbacks in
their own sections and showing them twice would be noise. Everything else in the
body stays as written. Lines inside fenced code blocks are never lifted. The same
rules apply with or without front matter: body wins come after the front matter's
wins, and one already listed there (same text) is not added twice (a ``Proud:`` line
marks that one proud).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from journal_site.model import Setback, Win

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = r"(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?"
_LABEL = re.compile(
    r"^[ \t]*(?:" + _ITEM + r")?(?:\*\*|__)?(?P<label>win|proud|setback)\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?[ \t]*(?P<text>.*)$",
    re.IGNORECASE,
)
_LESSON_LINE = re.compile(
    r"^[ \t]*(?:" + _ITEM + r")?(?:\*\*|__)?(?:lesson|reframe)\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?[ \t]*(?P<text>.*)$",
    re.IGNORECASE,
)
_LESSON_IN_LINE = re.compile(
    r"^(?P<text>.*?)\s*(?:\(\s*(?:lesson|reframe)\s*:\s*(?P<bracketed>.*?)\s*\)"
    r"|[.;,—–-]?\s+(?:lesson|reframe)\s*:\s*(?P<trailing>.*?))\s*$",
    re.IGNORECASE,
)
_LIST_PREFIX = re.compile(r"^[ \t]*(?:" + _ITEM + r")?")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


@cache
def _tag_pattern(symbols: str = "#") -> re.Pattern[str]:
    """An Obsidian-style hashtag: after a space (or a bracket), with at least one letter."""
    return re.compile(r"(?<![^\s(])[" + re.escape(symbols) + r"](?P<tag>[\d_/-]*[^\W\d_][\w/-]*)")


@cache
def _trailing_tags(symbols: str = "#") -> re.Pattern[str]:
    return re.compile(r"(?:\s+[" + re.escape(symbols) + r"][\w/-]+)+\s*$")


@dataclass(frozen=True, slots=True)
class Lifted:
    """What the conventions found in a body."""

    body: str
    """The body without the lifted lines."""
    wins: tuple[Win, ...]
    setbacks: tuple[Setback, ...]


@cache
def _marker(symbols: str, word: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![^\s(])[" + re.escape(symbols) + r"]" + word + r"(?![\w/-])", re.IGNORECASE
    )


def _tidy(text: str, marker: re.Pattern[str] | None, symbols: str) -> tuple[str, tuple[str, ...]]:
    """Drop the convention's own marker and trailing hashtags; return (text, other tags)."""
    if marker is not None:
        text = re.sub(r"\(\s*\)|\[\s*\]", " ", marker.sub(" ", text))
    tag = _tag_pattern(symbols)
    tags = tuple(dict.fromkeys(m.group("tag").rstrip("/-") for m in tag.finditer(text)))
    text = _trailing_tags(symbols).sub("", text)
    text = tag.sub(lambda m: m.group("tag"), text)
    return " ".join(text.split()).strip(" -–—:"), tags


def _split_lesson(text: str, symbols: str) -> tuple[str, str]:
    """(setback, lesson); hashtags after a bracketed lesson stay with the setback."""
    trailing = _trailing_tags(symbols).search(text)
    tags = trailing.group(0) if trailing else ""
    match = _LESSON_IN_LINE.match(text[: len(text) - len(tags)])
    if not match:
        return text, ""
    reframe = match.group("bracketed")
    if reframe is None:
        reframe = match.group("trailing") or ""
    return match.group("text") + tags, reframe.strip()


def lift(body: str, first_line: int = 1, tag_symbols: str = "#") -> Lifted:
    """Lift ``Win:`` / ``Setback:`` / ``#win`` / ``#setback`` lines out of a body.

    ``first_line`` is the body's first line in its file, so that each win knows its
    line. ``tag_symbols`` are the characters that start a hashtag (jrnl also uses ``@``).
    No I/O.
    """
    if not any(word in body.lower() for word in ("win", "setback", "proud")):
        return Lifted(body, (), ())
    win_tag = _marker(tag_symbols, "wins?")
    setback_tag = _marker(tag_symbols, "setbacks?")
    lines = body.split("\n")
    kept: list[str] = []
    wins: list[Win] = []
    setbacks: list[Setback] = []
    fence = ""
    after_setback = False
    for number, line in enumerate(lines, start=first_line):
        fence_match = _FENCE.match(line)
        if fence:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = ""
            kept.append(line)
            continue
        if fence_match:
            fence = fence_match.group(1)
            kept.append(line)
            after_setback = False
            continue
        if after_setback:
            after_setback = False
            lesson = _LESSON_LINE.match(line)
            if lesson and lesson.group("text").strip() and not setbacks[-1].reframe:
                previous = setbacks[-1]
                setbacks[-1] = Setback(
                    text=previous.text,
                    reframe=lesson.group("text").strip(),
                    tags=previous.tags,
                    line=previous.line,
                )
                continue
        kind, text, marker = "", "", None
        label = _LABEL.match(line)
        if label:
            kind, text = label.group("label").lower(), label.group("text")
        elif not _HEADING.match(line):
            if win_tag.search(line):
                kind, text, marker = "win", _LIST_PREFIX.sub("", line, count=1), win_tag
            elif setback_tag.search(line):
                kind, text, marker = "setback", _LIST_PREFIX.sub("", line, count=1), setback_tag
        if kind == "setback":
            text, reframe = _split_lesson(text, tag_symbols)
            text, tags = _tidy(text, marker, tag_symbols)
            reframe, _ = _tidy(reframe, None, tag_symbols)
            if text:
                setbacks.append(Setback(text=text, reframe=reframe, tags=tags, line=number))
                after_setback = True
                continue
        elif kind in ("win", "proud"):
            text, tags = _tidy(text, marker, tag_symbols)
            if text:
                wins.append(Win(text=text, tags=tags, line=number, proud=kind == "proud"))
                continue
        kept.append(line)
    if not wins and not setbacks:
        return Lifted(body, (), ())
    return Lifted("\n".join(kept), tuple(wins), tuple(setbacks))


def merge_wins(first: tuple[Win, ...], more: tuple[Win, ...]) -> tuple[Win, ...]:
    """``first`` followed by the wins of ``more`` whose text is not already there; a
    proud one of ``more`` makes the win of ``first`` with its text proud."""
    proud = {w.text.casefold() for w in more if w.proud}
    if proud:
        first = tuple(replace(w, proud=True) if w.text.casefold() in proud else w for w in first)
    seen = {w.text.casefold() for w in first}
    return first + tuple(w for w in more if w.text.casefold() not in seen)


def merge_setbacks(first: tuple[Setback, ...], more: tuple[Setback, ...]) -> tuple[Setback, ...]:
    seen = {s.text.casefold() for s in first}
    return first + tuple(s for s in more if s.text.casefold() not in seen)


def hashtags(text: str) -> tuple[str, ...]:
    """Obsidian-style ``#tags`` in a run of plain text (not code: the caller knows)."""
    if "#" not in text:
        return ()
    return tuple(dict.fromkeys(m.group("tag").rstrip("/-") for m in _tag_pattern().finditer(text)))


def apply(
    body: str, first_line: int, wins: tuple[Win, ...], setbacks: tuple[Setback, ...]
) -> tuple[str, tuple[Win, ...], tuple[Setback, ...]]:
    """The loader's entry point: (body, wins, setbacks) with the body's conventions added."""
    lifted = lift(body, first_line)
    if not lifted.wins and not lifted.setbacks:
        return body, wins, setbacks
    return (
        lifted.body,
        merge_wins(wins, lifted.wins),
        merge_setbacks(setbacks, lifted.setbacks),
    )


def merge_tags(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """Front-matter tags followed by inline tags not already among them (any case)."""
    if not more:
        return first
    seen = {t.casefold() for t in first}
    extra = [t for t in more if t.casefold() not in seen]
    return first + tuple(dict.fromkeys(extra))
