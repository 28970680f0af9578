"""The README's promises that can drift: the set-up commands and the list of commands."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from journal_site.cli import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")

INNER_RUN = "JOURNAL_README_INNER_RUN"
"""Set for the test suite that the fresh-clone test runs, so that it does not run itself."""

INNER_SELECTION = "-m 'not slow and not browser' tests/test_readme.py tests/test_config.py"
"""What that inner run of the README's test command selects (through PYTEST_ADDOPTS)."""


def readme_set_up_commands() -> tuple[str, str]:
    """The README's two set-up commands: install and build, then install and test."""
    section = README.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert len(blocks) == 2 and all("\n" not in block for block in blocks), blocks
    return blocks[0], blocks[1]


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci_lines = (REPO / ".ci/run").read_text(encoding="utf-8").strip().splitlines()
    build, test = readme_set_up_commands()
    assert build.endswith("journal build") and "pytest" in test
    assert ci_lines[-1] == test


def _clean_environment(bin_dir: Path) -> dict[str, str]:
    """This process's environment (proxies, locale, pip's settings) without what would
    point into the environment the tests run in, and ``bin_dir`` first on the PATH."""
    leaks = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "CONDA_PREFIX")
    env = {key: value for key, value in os.environ.items() if key not in leaks}
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(INNER_RUN) == "1", reason="the fresh clone's own run")
def test_the_readme_commands_work_in_a_fresh_clone_on_the_system_python(tmp_path: Path) -> None:
    """The two set-up commands, verbatim, in a clone of the committed HEAD, with the
    system's Python as ``python3``: what a newcomer does on a fresh machine. The test
    command runs a small part of the suite there (``INNER_SELECTION``)."""
    system_python = Path("/usr/bin/python3")
    if not system_python.exists():
        pytest.skip("no /usr/bin/python3 on this machine")
    version = subprocess.run(
        [str(system_python), "-c", "import sys; print(sys.version_info >= (3, 11))"],
        capture_output=True,
        text=True,
    )
    if version.stdout.strip() != "True":
        pytest.skip("/usr/bin/python3 is older than 3.11, which the package requires")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(system_python)
    clone = tmp_path / "empty" / "journal_site"
    clone.parent.mkdir()
    subprocess.run(
        ["git", "clone", "--quiet", str(REPO), str(clone)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = _clean_environment(bin_dir)
    build, test = readme_set_up_commands()

    started = time.monotonic()
    first = subprocess.run(
        ["bash", "-c", build], cwd=clone, env=env, capture_output=True, text=True, timeout=1800
    )
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert (clone / "public" / "index.html").is_file()
    assert (clone / ".venv" / "bin" / "journal").is_file()
    assert "Built " in first.stdout

    inner = {**env, INNER_RUN: "1", "PYTEST_ADDOPTS": INNER_SELECTION}
    second = subprocess.run(
        ["bash", "-c", test], cwd=clone, env=inner, capture_output=True, text=True, timeout=1800
    )
    output = second.stdout[-5000:] + second.stderr[-3000:]
    assert second.returncode == 0, output
    passed = re.search(r"(\d+) passed", second.stdout)
    assert passed and int(passed[1]) > 0, output
    # The tests ran on the system's Python, in the clone's .venv/.
    venv_python = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c", "import sys; print(sys._base_executable)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(venv_python).resolve() == system_python.resolve()
    print(f"\nboth README commands in a fresh clone: {time.monotonic() - started:.0f} s")


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
    for shot in screenshots.SHOTS:
        # A PNG starts with its 8-byte signature; the width is the IHDR's first field.
        head = (REPO / "docs" / shot.name).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", shot.name
        assert int.from_bytes(head[16:20], "big") == shot.viewport["width"], shot.name
