"""Password encryption of a rendered site: Output -> Output, between render and write.

Every page becomes a neutral shell (the site title, an unlock form, ``unlock.js``)
carrying the real page encrypted; every other file that comes from the journal
(images, the search index, charts) is encrypted whole. The browser derives the key
from the password with WebCrypto and decrypts (themes/default/static/unlock.js).

Crypto, shared with unlock.js, so both sides must change together:
- key: PBKDF2-HMAC-SHA256(password as NFC UTF-8, salt, ITERATIONS) -> 32 bytes, the
  AES-256-GCM key. One random salt per build, written into every shell.
- a page: gzip(html) sealed with a fresh 96-bit nonce; the shell carries nonce and
  ciphertext (with its tag) in base64.
- a file: ``MAGIC + nonce + ciphertext`` of gzip(media type + "\\n" + bytes).
- associated data, bound into every tag: the build's salt followed by the UTF-8 of the
  address the page or file is published at, relative to the site's base path
  (``binding``): ``""`` for home, ``wins/``, ``p/<hmac>/``, ``f/<hmac>.bin``, and
  ``404.html`` for the not-found page, which a host serves at any address. The browser
  computes it from where it found the page (``location``) or the file (its URL), so a
  page or file copied to another address, or from another build, does not open there.

Names leak too (entry URLs hold dates, tag pages hold tags, images keep their file
names, search shards are named by year), so every path except the section pages and
the theme's static files is renamed to an HMAC of the old path under a key derived from the AES key, and
every reference to it inside the encrypted pages and files is rewritten first. Files of
the journal's own ``static/`` folder are the journal's, not the theme's: they are
encrypted and renamed too, except scripts and stylesheets (which CSP lets a page load
from the site only) and what the unlock page itself shows.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import gzip
import hashlib
import hmac
import json
import mimetypes
import os
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from journal_site.config import Config
from journal_site.engine.keys import Fingerprinter
from journal_site.errors import JournalError
from journal_site.pages import Page
from journal_site.render import NAV, Renderer, SiteView
from journal_site.theme import theme_files
from journal_site.writer import Output, file_data

ITERATIONS = 600_000
"""PBKDF2 rounds; OWASP's 2023 figure for PBKDF2-HMAC-SHA256."""
SALT_BYTES = 16
NONCE_BYTES = 12
MAGIC = b"JSE1"
"""First bytes of an encrypted file, so a reader knows the format and version."""
NAME_HEX = 32
"""Hex digits of HMAC-SHA256 kept in a renamed path (128 bits: no collisions in practice)."""

PLAIN_FILES = ("robots.txt", "_headers")
"""Files that hold nothing of the journal and must stay readable by the host."""
SEALED_DIR = "p/"
"""Renamed pages live at ``p/<hmac>/``."""
FILES_DIR = "f/"
"""Renamed encrypted files live at ``f/<hmac>.bin``."""


@dataclass(frozen=True, slots=True)
class SiteKey:
    """The key of one encrypted build. ``repr`` never shows key material."""

    key: bytes
    """The AES-256-GCM key (what the browser keeps for the session)."""
    salt: bytes
    iterations: int

    def __repr__(self) -> str:
        return f"SiteKey(salt={self.salt.hex()}, iterations={self.iterations})"

    @property
    def names_key(self) -> bytes:
        """HMAC key for renamed paths, derived from the AES key so it needs the password too."""
        return hmac.new(self.key, b"journal-site/names/v1", hashlib.sha256).digest()


def derive_key(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> SiteKey:
    """PBKDF2-HMAC-SHA256 of the password (NFC-normalised, as unlock.js does) with ``salt``."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    key = kdf.derive(unicodedata.normalize("NFC", password).encode("utf-8"))
    return SiteKey(key=key, salt=salt, iterations=iterations)


def binding(salt: bytes, address: str) -> bytes:
    """The associated data of what is published at ``address`` (site-relative) in the
    build with ``salt``: the same bytes unlock.js computes from where it found it."""
    return salt + address.encode("utf-8")


def sealed_address(path: str) -> str:
    """The address a browser finds an output file at, as bound into its ciphertext:
    ``p/<hmac>/index.html`` -> ``p/<hmac>/``; ``404.html`` and files as they are."""
    return page_url(path) if is_page(path) and path != "404.html" else path


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Compress and encrypt; return (nonce, ciphertext with tag). A fresh nonce every call."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, gzip.compress(plaintext, 6, mtime=0), aad)


def unseal(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Inverse of ``seal``; raises ``cryptography.exceptions.InvalidTag`` on a wrong key
    or other associated data (another address, another build)."""
    return gzip.decompress(AESGCM(key).decrypt(nonce, ciphertext, aad))


def seal_file(key: bytes, data: bytes, media_type: str, aad: bytes) -> bytes:
    nonce, ciphertext = seal(key, media_type.encode("ascii") + b"\n" + data, aad)
    return MAGIC + nonce + ciphertext


def unseal_file(key: bytes, blob: bytes, aad: bytes) -> tuple[str, bytes]:
    """Inverse of ``seal_file``: (media type, bytes)."""
    if not blob.startswith(MAGIC):
        raise ValueError("not an encrypted journal file")
    head = len(MAGIC)
    plain = unseal(key, blob[head : head + NONCE_BYTES], blob[head + NONCE_BYTES :], aad)
    media_type, _, data = plain.partition(b"\n")
    return media_type.decode("ascii"), data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------- names


def is_page(path: str) -> bool:
    return path == "index.html" or path.endswith("/index.html") or path == "404.html"


def page_url(path: str) -> str:
    """``2026/11/24/index.html`` -> ``2026/11/24/`` (the form links use)."""
    return path.removesuffix("index.html")


_THEME_FILE = re.compile(r"static/.+\.[0-9a-f]{10}(?:\.[^./]+)?")


def stays_plain(path: str, origin: str, sealed_static: frozenset[str] = frozenset()) -> bool:
    """Theme files (fingerprinted, from a theme's static/) and files for the host.

    The origin matters: a journal's own ``content/static/photo.jpg`` lands at
    ``static/photo.jpg`` too, and is the journal's, so it is encrypted; and so are the
    files of the journal's own ``static/`` folder named in ``sealed_static`` (origins).
    """
    if path in PLAIN_FILES:
        return True
    if origin in sealed_static:
        return False
    return origin.startswith("static/") and bool(_THEME_FILE.fullmatch(path))


def sealed_names(
    paths: Mapping[str, str],
    names_key: bytes,
    kept_pages: frozenset[str],
    sealed_static: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Old output path -> new output path for everything that is renamed.

    ``paths`` maps each output path to its origin (see ``Output.origins``).
    ``kept_pages`` are page URLs ("" for home, "wins/" ...) that keep their names, so
    the sections can be typed and bookmarked; everything else that is not a theme file
    gets an HMAC name that says nothing of what it was.
    """

    def digest(path: str) -> str:
        return hmac.new(names_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:NAME_HEX]

    renamed: dict[str, str] = {}
    for path, origin in paths.items():
        if stays_plain(path, origin, sealed_static):
            continue
        if is_page(path):
            if path == "404.html" or page_url(path) in kept_pages:
                continue
            renamed[path] = f"{SEALED_DIR}{digest(path)}/index.html"
        else:
            renamed[path] = f"{FILES_DIR}{digest(path)}.bin"
    return renamed


def url_map(renamed: Mapping[str, str], base_path: str) -> dict[str, str]:
    """Every spelling of a renamed path a page may use -> its new spelling.

    Pages are linked as ``<base>2026/11/24/`` (and sometimes ``.../index.html``); files
    by their path; scripts' data may hold them relative to the site root.
    """
    mapping: dict[str, str] = {}
    for old, new in renamed.items():
        spellings = [(old, new)]
        if is_page(old):
            spellings.append((page_url(old), page_url(new)))
        for before, after in spellings:
            mapping[before] = after
            mapping[base_path + before] = base_path + after
    return mapping


def _map_one(value: str, mapping: Mapping[str, str]) -> str | None:
    new = mapping.get(value)
    if new is not None:
        return new
    if "#" not in value and "?" not in value and "%" not in value:
        return None
    for candidate in (value, unquote(value)):
        path, mark, rest = candidate.partition("#")
        if mark == "":
            path, mark, rest = candidate.partition("?")
        new = mapping.get(path)
        if new is not None:
            return new + mark + rest
    return None


def _rewrite_value(value: str, mapping: Mapping[str, str]) -> str:
    whole = _map_one(value, mapping)
    if whole is not None:
        return whole
    if "," in value and " " in value:  # srcset: "a.jpg 1x, b.jpg 2x"
        items = []
        changed = False
        for item in value.split(","):
            lead = item[: len(item) - len(item.lstrip())]
            url, space, descriptor = item.strip().partition(" ")
            new = _map_one(url, mapping)
            changed = changed or new is not None
            items.append(lead + (new or url) + space + descriptor)
        if changed:
            return ",".join(items)
    return value


@functools.cache
def _quoted_paths(base_path: str) -> tuple[re.Pattern[str], ...]:
    # Pages link with url(), so every reference in a page starts with the base path
    # right after a quote; a literal prefix lets the regex engine skip ahead fast on
    # pages with thousands of attributes.
    base = re.escape(base_path)
    return tuple(re.compile(f"{q}({base}[^{q}<>\n]*){q}") for q in ('"', "'"))


def rewrite_references(text: str, mapping: Mapping[str, str], base_path: str = "/") -> str:
    """Replace every quoted value (attribute, SVG link) that names a renamed path."""
    if not mapping:
        return text

    def replace(match: re.Match[str]) -> str:
        whole, value = match.group(0), match.group(1)
        return whole[0] + _rewrite_value(value, mapping) + whole[-1]

    for pattern in _quoted_paths(base_path):
        text = pattern.sub(replace, text)
    return text


def rewrite_json(
    data: bytes, mapping: Mapping[str, str], old_path: str = "", new_path: str = ""
) -> bytes:
    """Rewrite every string in a JSON document that names a renamed path.

    Besides site paths, a string may name a file relative to the document itself (the
    search manifest lists its shards so); such a name is rewritten relative to the
    document's new place.
    """
    if not mapping:
        return data
    old_dir, new_dir = posixpath.dirname(old_path), posixpath.dirname(new_path)

    def relative(value: str) -> str:
        # Prose (titles, snippets, word lists) has spaces; the names of files do not.
        if not value or value[0] == "/" or " " in value or ":" in value or "\n" in value:
            return value
        target = posixpath.normpath(posixpath.join(old_dir, value))
        if value.endswith("/"):
            target += "/"
        new = mapping.get(target)
        return value if new is None else posixpath.relpath(new, new_dir or ".")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            rewritten = _rewrite_value(value, mapping)
            return relative(value) if rewritten == value else rewritten
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    rewritten = walk(json.loads(data))
    return json.dumps(rewritten, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_TEXT_TYPES = ("text/", "application/json", "image/svg+xml", "application/xml")


def _media_type(path: str) -> str:
    guessed = mimetypes.guess_type(path)[0]
    if guessed is None and path.endswith(".json"):
        guessed = "application/json"
    return guessed or "application/octet-stream"


# ---------------------------------------------------------------------------- the stage

Shell = Callable[[str, str], str]
"""(nonce base64, ciphertext base64) -> the HTML of a sealed page."""


def encrypt_output(
    output: Output,
    key: SiteKey,
    *,
    shell: Shell,
    base_path: str = "/",
    kept_pages: frozenset[str] = frozenset(),
    sealed_static: frozenset[str] = frozenset(),
) -> Output:
    """A new Output where nothing of the journal is readable without the password.

    ``sealed_static`` are origins (``static/photo.png``) of static files that are the
    journal's own rather than its theme's: encrypted and renamed like a photo in content/.
    """
    renamed = sealed_names(output.origins, key.names_key, kept_pages, sealed_static)
    mapping = url_map(renamed, base_path)
    sealed = Output()
    for path, data in output.files.items():
        origin = output.origins[path]
        if stays_plain(path, origin, sealed_static):
            sealed.add(path, data, origin)
            continue
        data = file_data(data)
        raw = data.read_bytes() if isinstance(data, Path) else data
        new_path = renamed.get(path, path)
        aad = binding(key.salt, sealed_address(new_path))
        if is_page(path):
            html = rewrite_references(raw.decode("utf-8"), mapping, base_path)
            nonce, ciphertext = seal(key.key, html.encode("utf-8"), aad)
            sealed.add(new_path, shell(b64(nonce), b64(ciphertext)).encode("utf-8"), origin)
        else:
            media_type = _media_type(path)
            if media_type == "application/json":
                raw = rewrite_json(raw, mapping, path, new_path)
            elif media_type.startswith(_TEXT_TYPES):
                raw = rewrite_references(raw.decode("utf-8"), mapping, base_path).encode("utf-8")
            sealed.add(new_path, seal_file(key.key, raw, media_type, aad), origin)
    sealed.check()
    return sealed


_NONCE_MARK = "@@journal-nonce@@"
_CIPHERTEXT_MARK = "@@journal-ciphertext@@"


def shell_renderer(config: Config, output: Output, key: SiteKey, today: dt.date) -> Shell:
    """The theme's ``sealed.html`` rendered once; each page only fills in its ciphertext."""
    static_urls = {
        origin.removeprefix("static/"): path
        for path, origin in output.origins.items()
        if path.startswith("static/") and origin.startswith("static/")
    }
    site = SiteView(
        title=config.title,
        author=config.author,
        base_path=config.base_path,
        language=config.language,
    )
    page = Page(
        url="",
        template="sealed.html",
        view={
            "salt": b64(key.salt),
            "iterations": key.iterations,
            "nonce": _NONCE_MARK,
            "ciphertext": _CIPHERTEXT_MARK,
        },
        origin="the unlock page",
    )
    html = Renderer(theme_files(config), site, static_urls, Fingerprinter({})).render(page)
    head, _, rest = html.partition(_NONCE_MARK)
    middle, _, tail = rest.partition(_CIPHERTEXT_MARK)
    if not tail:
        raise JournalError.single(
            "templates/sealed.html", None, "must show {{ nonce }} and then {{ ciphertext }} once"
        )

    def shell(nonce: str, ciphertext: str) -> str:
        return head + nonce + middle + ciphertext + tail

    return shell


CODE_SUFFIXES = (".js", ".mjs", ".css")
"""Static files a page loads as script or style: CSP lets them come from the site only
(not from blob: URLs), so they stay readable, whichever folder they come from."""


def journal_static_to_seal(config: Config, output: Output, shell_html: str) -> frozenset[str]:
    """Origins of the files from the journal's own ``static/`` folder that get encrypted:
    all but scripts, stylesheets and what the unlock page itself shows (a favicon)."""
    own = {f"static/{name}" for name in theme_files(config).journal_static()}
    return frozenset(
        origin
        for path, origin in output.origins.items()
        if origin in own
        and not path.endswith(CODE_SUFFIXES)
        and f'"{config.base_path}{path}"' not in shell_html
    )


def encrypt_site(config: Config, output: Output, password: str, today: dt.date) -> Output:
    """The build's encryption stage: a fresh salt, then ``encrypt_output`` with the theme's shell."""
    key = derive_key(password)
    shell = shell_renderer(config, output, key, today)
    return encrypt_output(
        output,
        key,
        shell=shell,
        base_path=config.base_path,
        kept_pages=frozenset(item.path for item in NAV),
        sealed_static=journal_static_to_seal(config, output, shell("", "")),
    )
