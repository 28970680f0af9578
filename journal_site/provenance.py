"""Which journal_site is running, and the pip requirement that installs exactly it again.

A deploy must install the very tool a journal was made with, never a bare name that
whoever registers it on PyPI would control. pip keeps a record of where it installed a
distribution from (PEP 610: ``direct_url.json`` in its metadata, absent for installs
from a package index), and this module turns that record into a requirement:

- a git (or other VCS) URL with its commit id;
- an archive URL (a wheel or an sdist) with its sha256, which pip checks;
- for an install from a package index, the wheel of that version on PyPI, with its
  sha256, after checking that the wheel holds byte for byte the files installed here.

Editable installs, installs from a folder or a file on this computer, and running from
a source checkout cannot be installed elsewhere: ``Pin.requirement`` is None and
``Pin.description`` says why.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

DIST_NAME = "journal-site"
PYPI_URL_ENV = "JOURNAL_SITE_PYPI_URL"
"""Where the PyPI JSON API is (a mirror that serves it, or a test server)."""
PYPI_URL = "https://pypi.org"
_TIMEOUT = 20.0

# What a pinned requirement may contain: it is written into a shell command and a TOML
# string, so anything outside a URL's usual characters is refused rather than quoted.
_SAFE_URL = re.compile(r"[A-Za-z0-9+.\-]+://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Pin:
    """How a deploy installs exactly the journal_site that is running, or why it cannot."""

    requirement: str | None
    """A pip requirement (``journal-site @ URL``) for exactly this tool, or None."""
    hashed: bool
    """pip can check the requirement's hash (``--require-hashes`` applies to it)."""
    description: str
    """Where it comes from ("git commit ... of URL"), or why it cannot be pinned."""
    looked_up: bool = True
    """False when finding out needed PyPI and the caller did not allow the network."""

    @property
    def pinned(self) -> bool:
        return self.requirement is not None


def _unpinned(reason: str) -> Pin:
    return Pin(requirement=None, hashed=False, description=reason)


def pin_from_direct_url(record: object, version: str) -> Pin:
    """The pin that pip's ``direct_url.json`` record (parsed) describes. Does no I/O."""
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        return _unpinned("pip's record of where journal_site came from is unreadable")
    url: str = record["url"]
    dir_info = record.get("dir_info")
    if isinstance(dir_info, dict):
        if dir_info.get("editable"):
            return _unpinned(
                f"journal_site {version} is an editable install of {_shown_url(url)}; "
                "a deploy cannot install a folder on this computer"
            )
        return _unpinned(
            f"journal_site {version} was installed from the folder {_shown_url(url)}; "
            "a deploy cannot install a folder on this computer"
        )
    if url.startswith("file:"):
        return _unpinned(
            f"journal_site {version} was installed from {_shown_url(url)}, a file on this "
            "computer that a deploy cannot reach"
        )
    if not _SAFE_URL.fullmatch(url) or "#" in url:
        return _unpinned(f"journal_site {version} came from a URL that cannot be written safely")
    subdirectory = record.get("subdirectory")
    fragment = ""
    if subdirectory is not None:
        if not isinstance(subdirectory, str) or not re.fullmatch(r"[\w./-]+", subdirectory):
            return _unpinned("pip's record names a subdirectory that cannot be written safely")
        fragment = f"#subdirectory={subdirectory}"
    vcs_info = record.get("vcs_info")
    if isinstance(vcs_info, dict):
        vcs, commit = vcs_info.get("vcs"), vcs_info.get("commit_id")
        if (
            not isinstance(vcs, str)
            or not isinstance(commit, str)
            or not _COMMIT.fullmatch(commit)
        ):
            return _unpinned(
                f"journal_site {version} came from {vcs or 'version control'} at {url} "
                "without a full commit id in pip's record"
            )
        return Pin(
            requirement=f"{DIST_NAME} @ {vcs}+{url}@{commit}{fragment}",
            hashed=False,
            description=f"{vcs} commit {commit} of {url}",
        )
    archive_info = record.get("archive_info")
    if isinstance(archive_info, dict):
        digest = _archive_sha256(archive_info)
        if digest is None:
            return _unpinned(
                f"journal_site {version} came from {url}, but pip recorded no sha256 of it"
            )
        return Pin(
            requirement=f"{DIST_NAME} @ {url}#sha256={digest}",
            hashed=True,
            description=f"{url} (sha256 {digest})",
        )
    return _unpinned(f"pip's record of journal_site {version} names no source it can pin")


def _archive_sha256(archive_info: dict[str, object]) -> str | None:
    hashes = archive_info.get("hashes")
    if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
        digest = hashes["sha256"]
    else:  # the older, single-hash form: "sha256=<hex>"
        name, _, digest = str(archive_info.get("hash") or "").partition("=")
        if name != "sha256":
            return None
    return digest if _SHA256.fullmatch(digest) else None


def _shown_url(url: str) -> str:
    if url.startswith("file:"):
        return urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return url


def running_tool(*, network: bool = True) -> Pin:
    """The pin of the journal_site this process runs, from pip's record of its install.

    An install from a package index is checked against PyPI, unless ``network`` is False.
    """
    import journal_site

    running = Path(journal_site.__file__).resolve().parent
    from_source = _unpinned(
        f"journal_site runs from the source folder {running.parent}, not from an installed package"
    )
    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        return from_source
    version = dist.version
    text = dist.read_text("direct_url.json")
    if text is None and (running.parent / "pyproject.toml").is_file():
        # Metadata that a build left in a checkout (journal_site.egg-info): the code
        # is the checkout's, whatever that metadata says.
        return from_source
    if text is not None:
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        pin = pin_from_direct_url(record, version)
        if isinstance(record, dict) and isinstance(record.get("dir_info"), dict):
            return pin  # an editable install's files are not listed as its own
    else:
        pin = None
    installed = Path(str(dist.locate_file("journal_site/__init__.py"))).resolve().parent
    if installed != running:
        return _unpinned(
            f"journal_site runs from {running}, not from the installed "
            f"journal_site {version} in {installed}"
        )
    if pin is not None:
        return pin
    if not network:
        return Pin(
            requirement=None,
            hashed=False,
            description=f"journal_site {version} was installed from a package index",
            looked_up=False,
        )
    return pin_from_index(dist)


def pin_from_index(dist: metadata.Distribution) -> Pin:
    """The wheel on PyPI that holds exactly the files of ``dist`` (installed from an index).

    pip keeps no hash of what it downloaded from an index, so the wheel of that version
    is fetched and its recorded file hashes are compared with the ones installed here;
    only a wheel that matches them all is pinned.
    """
    version = dist.version
    base = (os.environ.get(PYPI_URL_ENV) or PYPI_URL).rstrip("/")
    api = f"{base}/pypi/{DIST_NAME}/{urllib.parse.quote(version)}/json"
    try:
        with urllib.request.urlopen(api, timeout=_TIMEOUT) as response:
            release = json.load(response)
        wheels = [
            file
            for file in release.get("urls", [])
            if file.get("packagetype") == "bdist_wheel"
            and isinstance(file.get("digests", {}).get("sha256"), str)
        ]
    except (OSError, ValueError, AttributeError) as exc:
        return _unpinned(
            f"journal_site {version} was installed from a package index, and PyPI could "
            f"not be asked for its hash ({_reason(exc)})"
        )
    installed = _installed_hashes(dist)
    for wheel in wheels:
        url, digest = wheel.get("url"), wheel["digests"]["sha256"]
        if not isinstance(url, str) or not _SAFE_URL.fullmatch(url) or "#" in url:
            continue
        if not _SHA256.fullmatch(digest):
            continue
        try:
            with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
                data = response.read()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            continue
        if installed and _wheel_hashes(data) == installed:
            return Pin(
                requirement=f"{DIST_NAME} @ {url}#sha256={digest}",
                hashed=True,
                description=f"journal_site {version} from PyPI ({url}, sha256 {digest})",
            )
    return _unpinned(
        f"journal_site {version} was installed from a package index, and no wheel of that "
        "version on PyPI holds the files installed here"
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def _code_files(rows: list[list[str]]) -> dict[str, str]:
    """``{path: sha256 hash}`` of a RECORD's rows, leaving out the metadata folder."""
    found = {}
    for row in rows:
        # Scripts pip writes outside site-packages ("../../bin/journal"), compiled files
        # and the metadata folder are made at install; the code is what must match.
        path = row[0] if row else ""
        if len(row) < 2 or not row[1] or path.startswith("..") or ".dist-info/" in path:
            continue
        if "__pycache__" in path:
            continue
        found[row[0]] = row[1]
    return found


def _installed_hashes(dist: metadata.Distribution) -> dict[str, str]:
    import csv

    text = dist.read_text("RECORD") or ""
    return _code_files(list(csv.reader(io.StringIO(text))))


def _wheel_hashes(data: bytes) -> dict[str, str] | None:
    import csv

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
            if len(records) != 1:
                return None
            rows = list(csv.reader(io.StringIO(wheel.read(records[0]).decode("utf-8"))))
            found = _code_files(rows)
            # The wheel's RECORD must tell the truth about the wheel's own files too.
            for name, recorded in found.items():
                actual = base64.urlsafe_b64encode(hashlib.sha256(wheel.read(name)).digest())
                if recorded != "sha256=" + actual.rstrip(b"=").decode():
                    return None
            return found
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        return None
