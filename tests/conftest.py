"""Shared fixtures: sample journals on disk, the real CLI in a subprocess, a real Chromium."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS_SCRIPT = REPO / "benchmarks" / "corpus.py"
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


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to compare a folder byte for byte."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def clean_tree(root: Path, into: Path, *args: str) -> dict[str, bytes]:
    """What ``journal ARGS`` writes into ``public/`` of a copy of the site at ``root``
    (made at ``into``) that has no store and no ``public/``: a clean build."""
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(".journal-cache", "public"))
    done = run_journal(*args, cwd=into)
    assert done.returncode == 0, done.stderr
    return tree(into / "public")


def file_ids(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its inode and modification time: both change
    when a file is written again, neither when it is left alone."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


class Killed(BaseException):
    """A build killed half-way (a signal, a power cut): nothing of it cleans up."""


def kill_on_second_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the writer die (``Killed``) as it renames its second new file into place,
    without the roll-back a live process does: what a killed build leaves behind."""
    from journal_site import write_changes

    real_replace = os.replace
    calls = {"n": 0}

    def dying_replace(src: str | Path, dst: str | Path) -> None:
        if ".txn" in str(src) and "new" in str(src):
            calls["n"] += 1
            if calls["n"] == 2:
                raise Killed
        real_replace(src, dst)

    monkeypatch.setattr(write_changes.os, "replace", dying_replace)
    monkeypatch.setattr(write_changes, "recover", lambda out_dir: None)


def _load_corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("journal_corpus", CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up by name while the file runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def make_corpus(out: Path, entries: int, seed: int = 7) -> Path:
    """A realistic journal of ``entries`` entries, the newest on 2026-11-24, written by
    the benchmarks' generator (``benchmarks/corpus.py``) into ``out``."""
    module = sys.modules.get("journal_corpus") or _load_corpus_module()
    module.write_corpus(out, entries, seed=seed)
    return out


def venv_with_this_environment(venv: Path) -> Path:
    """Make a virtual environment at ``venv`` that also imports every package of the
    environment running the tests, and return its ``python``.

    A ``.pth`` file in the new environment names the running interpreter's
    site-packages folders, which Python appends to ``sys.path`` after the new
    environment's own: a package installed into it with ``--no-deps`` finds its
    dependencies wherever the test suite itself runs (a virtual environment, or a
    system Python with Debian's packages), and what is installed into it comes first.
    """
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    paths = sysconfig.get_paths()
    running = [paths["purelib"], paths["platlib"]]
    running += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    existing = [p for p in dict.fromkeys(running) if Path(p).is_dir()]
    (Path(own) / "running-test-environment.pth").write_text(
        "".join(f"{p}\n" for p in existing), encoding="utf-8"
    )
    return python


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


@dataclass(frozen=True)
class BadFileCase:
    """One malformed file from a fixture file and the problems it must produce."""

    name: str
    path: str
    """Where the file goes, relative to the site folder."""
    data: bytes
    expect: tuple[str, ...]
    """Each problem exactly as printed after "error: "."""
    expect_partly: tuple[tuple[str, str], ...]
    """Problems known by their beginning and end: the middle is the YAML library's wording."""
    line: int
    """Line of the case in the fixture file, for the test's id."""


def read_bad_file_cases(name: str) -> list[BadFileCase]:
    """Read ``tests/fixtures/<name>`` (format described at the top of that file)."""
    cases: list[BadFileCase] = []
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("### "):
            index += 1
            continue
        start, title = index + 1, line[4:].strip()
        fields: dict[str, str] = {}
        body: list[str] = []
        expect: list[str] = []
        expect_partly: list[tuple[str, str]] = []
        index += 1
        while index < len(lines) and lines[index] != "~~~":
            key, _, value = lines[index].partition(": ")
            fields[key] = value
            index += 1
        index += 1
        while lines[index] != "~~~":
            body.append(lines[index])
            index += 1
        index += 1
        while index < len(lines) and not lines[index].startswith("### "):
            key, _, value = lines[index].partition(": ")
            if key == "expect":
                expect.append(value)
            elif key == "expect-start":
                expect_partly.append((value, ""))
            elif key == "expect-end":
                expect_partly[-1] = (expect_partly[-1][0], value)
            index += 1
        text = "\n".join(body) + "\n"
        cases.append(
            BadFileCase(
                name=title,
                path=fields["file"],
                data=text.encode(fields.get("encoding", "utf-8")),
                expect=tuple(expect),
                expect_partly=tuple(expect_partly),
                line=start,
            )
        )
    return cases


def problems_match(case: BadFileCase, printed: list[str]) -> list[str]:
    """What of ``case``'s expected problems is missing from ``printed`` (problem lines)."""
    missing = [line for line in case.expect if line not in printed]
    for start, end in case.expect_partly:
        if not any(p.startswith(start) and p.endswith(end) for p in printed):
            missing.append(f"{start} ... {end}")
    return missing
