"""Small text helpers shared by the stages: slugs and type names for messages."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

_NOT_WORD = re.compile(r"[^\w]+")


def slugify(value: str) -> str:
    """A stable, lower-case, URL- and file-safe slug ("Self-care!" -> "self-care").

    Letters of any script are kept (a tag in Greek keeps its Greek slug); everything
    else, including dots and slashes, becomes a hyphen, so a slug can never name a
    parent folder. A value with no letters or digits (an emoji tag) gets a slug from
    its code points, so it is never empty.
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    slug = _NOT_WORD.sub("-", folded).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    if not slug:
        slug = "-".join(f"u{ord(ch):x}" for ch in folded if not ch.isspace()) or "untitled"
    return slug


def describe(value: Any) -> str:
    """Name a YAML value's type the way a person would ("a number", "a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very long number"  # str() of a huge int raises past 4,300 digits
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ({shown!r})"
    if isinstance(value, dt.datetime | dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@functools.lru_cache(maxsize=16384)
def long_date(day: dt.date) -> str:
    """ "Tuesday 24 November 2026": unambiguous in every English-speaking country."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def short_date(day: dt.date) -> str:
    """ "Tue 24 Nov": a day within a review, where the year goes without saying."""
    return f"{day:%a} {day.day} {day:%b}"


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 win", "1,204 wins"; ``words`` for irregular plurals ("entry", "entries")."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"
