"""The README's promises that can drift: the test command and the list of commands."""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys

from conftest import REPO

from journal_site.cli import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci_lines = (REPO / ".ci/run").read_text(encoding="utf-8").strip().splitlines()
    assert "python3 -m pip install . && journal build" in README
    assert f"```sh\n{ci_lines[-1]}\n```" in README


def test_the_readme_documents_every_command_and_option() -> None:
    parser = build_parser()
    [commands] = [a for a in parser._actions if a.dest == "command"]
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        [row] = [line for line in README.splitlines() if line.startswith(f"| `journal {name}")]
        for action in sub._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help", "--site"):
                    assert re.search(rf"{option}\b", row), (name, option)


def test_the_readme_screenshots_are_the_ones_docs_screenshots_py_retakes(monkeypatch) -> None:
    spec = importlib.util.spec_from_file_location("screenshots", REPO / "docs" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    screenshots = importlib.util.module_from_spec(spec)
    # dataclasses look their module up by name while the file runs.
    monkeypatch.setitem(sys.modules, spec.name, screenshots)
    spec.loader.exec_module(screenshots)
    shown = set(re.findall(r"!\[[^\]]+\]\(docs/([^)]+\.png)\)", README))
    assert shown == {shot.name for shot in screenshots.SHOTS}
    for name in shown:
        # A PNG starts with its 8-byte signature; the width is the IHDR's first field.
        head = (REPO / "docs" / name).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", name
        assert int.from_bytes(head[16:20], "big") == screenshots.DESKTOP["width"], name
