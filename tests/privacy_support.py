"""Helpers shared by the privacy tests: build the fixture journal, list what must stay
secret, decrypt an encrypted build in Python, and serve a build with Netlify's headers."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import FIXTURES, REPO, run_journal
from pages_support import serve as serve_folder

from journal_site.config import load_config
from journal_site.encrypt import binding, derive_key, sealed_address, unseal, unseal_file
from journal_site.loader import load_journal
from journal_site.text import long_date

FIXTURE = FIXTURES / "private-journal"
TODAY = "2026-11-26"
PASSWORD = "ferry quilt oxide lantern, 海"


@dataclass(frozen=True)
class Built:
    root: Path
    public: Path
    result: subprocess.CompletedProcess[str]


def build_fixture(dest: Path, env: dict[str, str] | None = None, *extra: str) -> Built:
    """Copy the fixture journal to ``dest`` and build it with the real CLI."""
    shutil.copytree(FIXTURE, dest)
    clean = {"JOURNAL_PASSWORD": "", "JOURNAL_BASIC_AUTH": "", **(env or {})}
    result = run_journal("build", "--today", TODAY, *extra, cwd=dest, env=clean)
    assert result.returncode == 0, result.stderr
    return Built(dest, dest / "public", result)


def date_spellings(day: dt.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%Y/%m/%d}",
        f"{day.day} {day:%B} {day.year}",
        f"{day:%B} {day.day}, {day.year}",
        long_date(day),
    ]


def secrets_of(root: Path, *, drafts: bool) -> list[str]:
    """Every title, tag, win, setback, reframe, body sentence and date of the journal
    (only drafts, or only published entries), read with the project's own loader."""
    journal = load_journal(load_config(root))
    found: set[str] = set()
    for entry in journal.entries:
        if entry.draft != drafts:
            continue
        found.add(entry.title)
        found.update(entry.all_tags())
        for win in entry.wins:
            found.add(win.text)
        for setback in entry.setbacks:
            found.update({setback.text, setback.reframe} - {""})
        found.update(s.strip() for s in re.split(r"[.;:!?]", entry.text) if len(s.strip()) > 12)
        if not drafts:
            found.update(date_spellings(entry.day))
    if not drafts:
        for goal in journal.goals:
            found.update({goal.title, goal.slug, *(step.text for step in goal.steps)})
        for asset in journal.assets:
            found.add(Path(asset.source).stem)
    return sorted(found)


def spellings(secret: str) -> set[bytes]:
    """The ways a secret could sit in a file: as text, HTML-escaped, JSON-escaped."""
    forms = {secret, html.escape(secret), html.escape(secret, quote=False)}
    forms.add(secret.encode("ascii", "backslashreplace").decode("ascii"))
    return {form.encode("utf-8") for form in forms}


_SEALED = re.compile(rb'(<div id="journal-sealed"[^>]*>)([A-Za-z0-9+/=]*)(</div>)')


def plain_parts(path: Path) -> tuple[bytes, bytes]:
    """(the readable part of a file, its ciphertext): a shell without its blob, or a .bin file."""
    data = path.read_bytes()
    if path.suffix == ".bin" or data.startswith(b"JSE1"):
        return b"", data
    blobs = _SEALED.findall(data)
    return _SEALED.sub(rb"\1\3", data), b"".join(blob for _, blob, _ in blobs)


_KDF = re.compile(r'data-salt="([^"]+)" data-iterations="(\d+)" data-nonce="([^"]+)">([^<]*)<')


def site_address(path: Path) -> str:
    """Where a browser finds ``path`` of a build (the folder holding robots.txt), as
    bound into its ciphertext: ``p/<hmac>/`` for a page, ``f/<hmac>.bin`` for a file."""
    for folder in path.parents:
        if (folder / "robots.txt").is_file():
            return sealed_address(path.relative_to(folder).as_posix())
    raise AssertionError(f"{path} is not inside a build")


@functools.cache
def _key(password: str, salt: str, iterations: int) -> bytes:
    return derive_key(password, base64.b64decode(salt), iterations).key


def open_page(path: Path, password: str = PASSWORD, address: str | None = None) -> str:
    """Decrypt a sealed page the way unlock.js does, in Python: as found at its own
    place in the build, or at ``address``."""
    match = _KDF.search(path.read_text(encoding="utf-8"))
    assert match, f"{path} is not a sealed page"
    salt, iterations, nonce, ciphertext = match.groups()
    key = _key(password, salt, int(iterations))
    aad = binding(base64.b64decode(salt), site_address(path) if address is None else address)
    plain = unseal(key, base64.b64decode(nonce), base64.b64decode(ciphertext), aad)
    return plain.decode("utf-8")


def open_file(path: Path, salt_from: Path, password: str = PASSWORD) -> tuple[str, bytes]:
    match = _KDF.search(salt_from.read_text(encoding="utf-8"))
    assert match
    key = _key(password, match.group(1), int(match.group(2)))
    aad = binding(base64.b64decode(match.group(1)), site_address(path))
    return unseal_file(key, path.read_bytes(), aad)


def netlify_headers() -> dict[str, str]:
    """The headers netlify.toml sets for every path."""
    config = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    for rule in config["headers"]:
        if rule["for"] == "/*":
            return dict(rule["values"])
    raise AssertionError("netlify.toml has no headers for /*")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) with netlify.toml's headers; yield the base URL."""
    with serve_folder(folder, netlify_headers()) as base:
        yield base


def output_files(public: Path) -> list[Path]:
    return sorted(p for p in public.rglob("*") if p.is_file())
