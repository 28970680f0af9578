"""Writing entry text for people: YAML scalars that read well, and whole new entries.

Used by the importers (which write new files) and by ``journal new --win`` (which
edits one). Values are written plain when YAML reads them back unchanged, quoted
otherwise, so a file stays pleasant to edit by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import yaml

from journal_site.model import Setback, Win

_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_scalar(text: str) -> str:
    """``text`` as a one-line YAML value: plain when that reads back the same, else quoted."""
    if text and text == text.strip() and "\n" not in text and not text.startswith(("'", '"')):
        try:
            if yaml.load(f"k: {text}\n", Loader=_SafeLoader) == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    # JSON's escapes are a subset of YAML's double-quoted style.
    return json.dumps(text, ensure_ascii=False)


def flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(yaml_scalar(i) for i in items) + "]"


def win_lines(win: Win, indent: str = "  ") -> list[str]:
    if not win.tags and not win.goal and not win.proud:
        return [f"{indent}- {yaml_scalar(win.text)}"]
    lines = [f"{indent}- text: {yaml_scalar(win.text)}"]
    if win.tags:
        lines.append(f"{indent}  tags: {flow_list(win.tags)}")
    if win.goal:
        lines.append(f"{indent}  goal: {yaml_scalar(win.goal)}")
    if win.proud:
        lines.append(f"{indent}  proud: true")
    return lines


def setback_lines(setback: Setback, indent: str = "  ") -> list[str]:
    if not setback.reframe and not setback.tags:
        return [f"{indent}- {yaml_scalar(setback.text)}"]
    lines = [f"{indent}- text: {yaml_scalar(setback.text)}"]
    if setback.reframe:
        lines.append(f"{indent}  reframe: {yaml_scalar(setback.reframe)}")
    if setback.tags:
        lines.append(f"{indent}  tags: {flow_list(setback.tags)}")
    return lines


def entry_text(
    *,
    when: dt.datetime | dt.date,
    title: str = "",
    tags: Sequence[str] = (),
    wins: Sequence[Win] = (),
    setbacks: Sequence[Setback] = (),
    slug: str = "",
    body: str = "",
) -> str:
    """A complete entry: front matter with only the keys that have a value, then the body."""
    date = f"{when:%Y-%m-%d %H:%M}" if isinstance(when, dt.datetime) else when.isoformat()
    lines = ["---", f"date: {date}"]
    if title:
        lines.append(f"title: {yaml_scalar(title)}")
    if tags:
        lines.append(f"tags: {flow_list(tags)}")
    if slug:
        lines.append(f"slug: {slug}")
    if wins:
        lines.append("wins:")
        for win in wins:
            lines.extend(win_lines(win))
    if setbacks:
        lines.append("setbacks:")
        for setback in setbacks:
            lines.extend(setback_lines(setback))
    lines.append("---")
    body = body.strip("\n")
    return "\n".join(lines) + "\n" + (body + "\n" if body else "")
