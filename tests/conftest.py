"""Shared fixtures: sample journals on disk, the real CLI in a subprocess, a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``; text is dedented."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Make a journal folder from a dict of files; returns its path."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        return write_files(root, files)

    return make


def run_journal(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real ``journal`` CLI (as ``python -m journal_site``) in a subprocess."""
    # The subprocess runs this checkout's code, whatever is installed.
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "journal_site", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def journal() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_journal


def make_corpus(out: Path, entries: int, seed: int = 7) -> Path:
    """A realistic journal of ``entries`` entries from the shared benchmark generator."""
    subprocess.run(
        [
            sys.executable,
            str(MAKE_CORPUS),
            str(out),
            "--entries",
            str(entries),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A real headless Chromium (Debian's package) driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
