"""Parsed files as plain JSON data, for the store and for worker processes.

Nothing read back from disk is ever executed: an entry is rebuilt from lists, strings
and numbers by the constructors below, and anything that does not have the expected
shape raises ``ValueError`` (the store then treats the record as missing).

Front matter that this tool does not know (``extra``) can hold any YAML value, so those
values are tagged: a date, a date-time, a time or a mapping (whose keys need not be
strings) is a one-key object naming its type; plain JSON values stand as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from journal_site.model import Entry, EntrySummary, Goal, Setback, Step, Win

_DATE, _DATETIME, _TIME, _MAP, _TUPLE = "$d", "$dt", "$t", "$m", "$u"


def _plain(value: Any) -> Any:
    """A YAML value as JSON data (see the module's docstring)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dt.time):
        return {_TIME: value.isoformat()}
    if isinstance(value, dict):
        return {_MAP: [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    raise ValueError(f"cannot store a {type(value).__name__}")


def _value(data: Any) -> Any:
    if isinstance(data, list):
        return [_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    ((tag, inner),) = data.items()
    if tag == _DATE:
        return dt.date.fromisoformat(inner)
    if tag == _DATETIME:
        return dt.datetime.fromisoformat(inner)
    if tag == _TIME:
        return dt.time.fromisoformat(inner)
    if tag == _MAP:
        return {_hashable(_value(k)): _value(v) for k, v in inner}
    if tag == _TUPLE:
        return tuple(_value(v) for v in inner)
    raise ValueError(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _strs(data: Any) -> tuple[str, ...]:
    if type(data) is not list:
        raise ValueError("expected a list of strings")
    if not data:
        return ()
    _join(data)  # raises TypeError at the first item that is not a string
    return tuple(data)


_join = "".join
_NO_EXTRA = {_MAP: []}
"""What ``_plain`` makes of an entry with no front matter of its own (nearly all)."""
_date = dt.date.fromisoformat
_time = dt.time.fromisoformat


def head_data(entry: Entry | EntrySummary) -> list[Any]:
    return [
        entry.source,
        entry.day.isoformat(),
        entry.time.isoformat() if entry.time else None,
        entry.title,
        entry.title_is_default,
        list(entry.tags),
        entry.mood,
        [[w.text, list(w.tags), w.goal, w.line, w.proud] for w in entry.wins],
        [[s.text, s.reframe, list(s.tags), s.line] for s in entry.setbacks],
        entry.draft,
        entry.slug,
        _plain(entry.extra),
        entry.private,
    ]


def _summary(data: list[Any]) -> EntrySummary:
    # Positional, and no tuple made for no wins or setbacks: every build decodes every
    # summary the store holds.
    (source, day, time, title, default, tags, mood, wins, setbacks, draft, slug, extra,
     private) = data  # fmt: skip
    return EntrySummary(
        str(source),
        _date(day),
        _time(time) if time is not None else None,
        str(title),
        bool(default),
        _strs(tags),
        int(mood) if mood is not None else None,
        tuple([Win(str(t), _strs(g), goal, line, bool(p)) for t, g, goal, line, p in wins])
        if wins
        else (),
        tuple([Setback(str(t), str(r), _strs(g), line) for t, r, g, line in setbacks])
        if setbacks
        else (),
        bool(draft),
        str(slug),
        {} if extra == _NO_EXTRA else _value(extra),
        bool(private),
    )


def dump(data: Any) -> str:
    """Canonical JSON text: the same value always gives the same text."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def token(text: str) -> str:
    """A short digest naming a value by its canonical JSON text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def encode_entry(entry: Entry) -> tuple[str, str]:
    """(head JSON, body JSON) of an entry: its summary, and its body."""
    return dump(head_data(entry)), dump([entry.body_html, entry.text])


_scan = json.JSONDecoder().scan_once


def _json(text: str) -> Any:
    """``json.loads`` of text this module wrote, without its checks of the argument's
    type and of leading space (every build decodes every summary the store holds)."""
    try:
        data, end = _scan(text, 0)
    except StopIteration as exc:  # how the scanner says it found no value
        raise ValueError("not JSON") from exc
    if end != len(text):
        raise ValueError("extra data after a JSON value")
    return data


def decode_summary(head: str) -> EntrySummary:
    try:
        return _summary(_json(head))
    except (TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"not an entry summary: {exc}") from exc


def with_body(summary: EntrySummary, body: str) -> Entry:
    """The entry whose summary is ``summary`` and whose body JSON is ``body``."""
    try:
        body_html, text = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not an entry body: {exc}") from exc
    s = summary
    return Entry(
        s.source, s.day, s.time, s.title, s.title_is_default, s.tags, s.mood, s.wins,
        s.setbacks, s.draft, str(body_html), str(text), s.slug, s.extra, s.private,
    )  # fmt: skip


def encode_goal(goal: Goal) -> str:
    return dump(
        [
            goal.slug,
            goal.source,
            goal.title,
            goal.target.isoformat() if goal.target else None,
            [[s.text, s.done] for s in goal.steps],
            goal.body_html,
            _plain(goal.extra),
        ]
    )


def decode_goal(text: str) -> Goal:
    try:
        slug, source, title, target, steps, body_html, extra = json.loads(text)
        return Goal(
            slug=str(slug),
            source=str(source),
            title=str(title),
            target=dt.date.fromisoformat(target) if target is not None else None,
            steps=tuple(Step(str(t), bool(d)) for t, d in steps),
            body_html=str(body_html),
            extra=_value(extra),
        )
    except (TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"not a goal: {exc}") from exc


def entry_tokens(head: str, body: str) -> tuple[str, str]:
    """(the entry's token, its summary's token) from its head and body JSON."""
    return token(head + "\x1e" + body), token(head)
