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

Names leak too, so paths are renamed to HMACs and every reference to them inside the
encrypted pages and files is rewritten first (encrypt_names.py). Files of
the journal's own ``static/`` folder are the journal's, not the theme's: they are
encrypted and renamed too, except scripts and stylesheets (which CSP lets a page load
from the site only) and what the unlock page itself shows.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import mimetypes
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from journal_site.config import Config
from journal_site.encrypt_names import (
    is_page,
    page_url,
    rewrite_json,
    rewrite_references,
    sealed_names,
    stays_plain,
    url_map,
)
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
