"""Private publishing: nothing indexed, nothing leaked, everything encrypted with a password.

Builds the fixture journal (tests/fixtures/private-journal) with the real CLI, plain and
with a password, and reads every byte of the output.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, run_journal
from cryptography.exceptions import InvalidTag
from privacy_support import (
    PASSWORD,
    Built,
    build_fixture,
    open_file,
    open_page,
    output_files,
    plain_parts,
    secrets_of,
    spellings,
)

from journal_site.encrypt import (
    binding,
    derive_key,
    seal,
    seal_file,
    unseal,
    unseal_file,
)
from journal_site.encrypt_names import rewrite_json, rewrite_references, url_map
from journal_site.publish import (
    CONTENT_SECURITY_POLICY,
    Protection,
    build_command,
    headers_file,
    netlify_toml,
)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_fixture(tmp_path_factory.mktemp("plain") / "site", None, "--publish")


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_fixture(
        tmp_path_factory.mktemp("encrypted") / "site", {"JOURNAL_PASSWORD": PASSWORD}, "--publish"
    )


# ------------------------------------------------------------------ netlify.toml and headers


def test_repository_netlify_toml_is_the_generated_one_and_parses() -> None:
    text = (REPO / "netlify.toml").read_text(encoding="utf-8")
    assert text == netlify_toml("repository")
    config = tomllib.loads(text)
    assert config["build"]["publish"] == "public"
    assert config["build"]["command"] == build_command("repository")
    assert config["build"]["environment"]["PYTHON_VERSION"]
    rules = {rule["for"]: rule["values"] for rule in config["headers"]}
    every = rules["/*"]
    assert every["X-Robots-Tag"] == "noindex, nofollow"
    assert every["Referrer-Policy"] == "no-referrer"
    assert every["X-Content-Type-Options"] == "nosniff"
    assert every["X-Frame-Options"] == "DENY"
    assert every["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Cache-Control" not in every
    # Long caching only where names carry a hash of the bytes.
    assert rules["/static/*"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert set(rules) == {"/*", "/static/*"}


def test_init_writes_the_same_headers(tmp_path: Path) -> None:
    result = run_journal("init", "new-journal", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "new-journal" / "netlify.toml").read_text(encoding="utf-8")
    # Run from this checkout, the tool cannot be pinned (tests/test_deploy.py covers that).
    assert written == netlify_toml("journal")
    ours = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    theirs = tomllib.loads(written)
    assert theirs["headers"] == ours["headers"]
    assert theirs["build"]["publish"] == ours["build"]["publish"]
    assert theirs["plugins"] == ours["plugins"]


def test_csp_is_strict() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    for value in directives.values():
        assert "unsafe" not in value and "*" not in value and "http" not in value


# ------------------------------------------------------------------ plain build: not indexed


def html_pages(public: Path) -> list[Path]:
    return [p for p in output_files(public) if p.suffix == ".html"]


def test_every_page_says_noindex_and_robots_disallows_all(plain: Built, encrypted: Built) -> None:
    for built in (plain, encrypted):
        pages = html_pages(built.public)
        assert len(pages) >= 15  # every kind of page: sections, entries, tags, goals ...
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert '<meta name="robots" content="noindex, nofollow">' in text, page
            if built is encrypted:  # ... and the real page inside the shell too
                assert '<meta name="robots" content="noindex, nofollow">' in open_page(page)
        robots = (built.public / "robots.txt").read_text(encoding="utf-8")
        assert robots.splitlines() == ["User-agent: *", "Disallow: /"]


_ATTR_URL = re.compile(
    r"""\b(?:src|href|action|poster|data|xlink:href|formaction|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""",
    re.I,
)
_SRCSET = re.compile(r"""\bsrcset\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.I)
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)
_ABSOLUTE = re.compile(r"""(?:https?:|wss?:|ftp:)?//[\w.-]+\.[a-z]{2,}""", re.I)
_TEXT_SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".webmanifest"}
# XML namespaces name a vocabulary; no browser fetches them.
_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def external_references(public: Path) -> list[str]:
    """Every reference in a text file of the output that would leave the site's host."""
    found = []
    for path in output_files(public):
        if path.suffix not in _TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        refs = [next(g for g in m.groups() if g is not None) for m in _ATTR_URL.finditer(text)]
        for match in _SRCSET.finditer(text):
            value = match.group(1) or match.group(2) or ""
            refs += [item.strip().split(" ")[0] for item in value.split(",")]
        refs += _CSS_URL.findall(text) + _IMPORT.findall(text)
        for ref in refs:
            ref = ref.strip()
            leaves = ref.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I)
            if leaves and not ref.startswith(("data:", "blob:")):
                found.append(f"{path.relative_to(public)}: {ref}")
        for loose in _ABSOLUTE.findall(text):
            if not any(ns.startswith(loose) or loose.startswith(ns) for ns in _NAMESPACES):
                found.append(f"{path.relative_to(public)}: {loose}")
    return found


def test_no_page_refers_to_another_host(plain: Built) -> None:
    assert external_references(plain.public) == []


def test_the_walker_finds_external_references(tmp_path: Path) -> None:
    """The check above must be able to fail: each kind of reference is caught."""
    (tmp_path / "a.html").write_text(
        '<img src="https://cdn.example.com/x.png"><a href=//evil.example.org/>x</a>'
        '<img srcset="/ok.png 1x, https://img.example.net/b.png 2x">',
        encoding="utf-8",
    )
    (tmp_path / "b.css").write_text(
        "@import 'https://fonts.example.com/a.css'; body{background:url(//x.example.com/y.png)}",
        encoding="utf-8",
    )
    (tmp_path / "c.js").write_text('fetch("https://analytics.example.io/p")', encoding="utf-8")
    (tmp_path / "ok.html").write_text(
        '<a href="/2026/">x</a><svg xmlns="http://www.w3.org/2000/svg"></svg>', encoding="utf-8"
    )
    found = external_references(tmp_path)
    for host in (
        "cdn.example.com",
        "evil.example.org",
        "img.example.net",
        "fonts.example.com",
        "x.example.com",
        "analytics.example.io",
    ):
        assert any(host in item for item in found), host
    assert not any(item.startswith("ok.html") for item in found)


def test_no_draft_content_anywhere(plain: Built, encrypted: Built) -> None:
    drafts = secrets_of(plain.root, drafts=True)
    assert "Nobody may read about the velvet lantern yet" in drafts
    for built in (plain, encrypted):
        for path in output_files(built.public):
            data = path.read_bytes()
            for secret in drafts:
                assert not any(form in data for form in spellings(secret)), (path, secret)
    # ... nor inside the encrypted pages once decrypted.
    for page in html_pages(encrypted.public):
        text = open_page(page)
        for secret in drafts:
            assert secret not in text, (page, secret)


def test_publish_without_protection_warns_but_builds(plain: Built) -> None:
    assert plain.result.returncode == 0
    assert "; not encrypted" in plain.result.stdout
    assert "warning:" in plain.result.stderr and "JOURNAL_PASSWORD" in plain.result.stderr
    headers = (plain.public / "_headers").read_text(encoding="utf-8")
    assert headers == headers_file(Protection()).decode()
    assert "Basic-Auth" not in headers


def test_build_without_publish_does_not_warn(tmp_path: Path) -> None:
    built = build_fixture(tmp_path / "site")
    assert "; not encrypted" in built.result.stdout
    assert "neither a password" not in built.result.stderr


# ------------------------------------------------------------------ encrypted build


def test_encrypted_build_says_so_and_never_shows_the_password(encrypted: Built) -> None:
    out = encrypted.result.stdout + encrypted.result.stderr
    assert "; encrypted:" in encrypted.result.stdout
    assert "neither a password" not in encrypted.result.stderr
    assert PASSWORD not in out
    for path in output_files(encrypted.public):
        assert PASSWORD.encode() not in path.read_bytes()


_NEUTRAL_PATH = re.compile(
    r"index\.html|(?:timeline|wins|lessons|goals|tags|stats|reviews|search)/index\.html"
    r"|p/[0-9a-f]{32}/index\.html|f/[0-9a-f]{32}\.bin|static/[\w./-]+"
    r"|robots\.txt|404\.html|_headers"
)
"""What may name a file of an encrypted build: sections, HMAC names, theme files."""


def test_nothing_of_an_entry_is_readable(encrypted: Built) -> None:
    secrets = secrets_of(encrypted.root, drafts=False)
    # The fixture's own words, to be sure the list is not empty or beside the point.
    for expected in (
        "Spoke up at the lighthouse meeting",
        "quiet-courage",
        "Swam four lengths without resting",
        "Forgot the cormorant sketchbook at home",
        "Pack the satchel the evening before",
        "The gulls were loud above the slipway all morning",
        "2026-11-24",
        "2026/11/24",
        "24 November 2026",
        "Swim a mile across the bay",
        "harbour-lights",
    ):
        assert expected in secrets
    files = output_files(encrypted.public)
    for path in files:
        readable, ciphertext = plain_parts(path)
        for secret in secrets:
            forms = spellings(secret) | {f.lower() for f in spellings(secret)}
            assert not any(form in readable for form in forms), (path, secret)
            # In random bytes a short word turns up by chance; a long one never does.
            if len(secret) >= 8:
                assert not any(form in ciphertext for form in forms), (path, secret)
        # Nothing readable about moods either (the shell has no entry data at all).
        assert b"mood" not in readable.lower() or path.parts[-2] == "static", path
    # Paths say nothing: no dates, tags, goals or file names in any of them.
    for path in files:
        rel = path.relative_to(encrypted.public).as_posix()
        assert _NEUTRAL_PATH.fullmatch(rel), rel
        for secret in secrets:
            assert secret.lower() not in rel.lower(), rel


def assert_nothing_readable(built: Built) -> None:
    secrets = [s for s in secrets_of(built.root, drafts=False) if len(s) >= 8]
    for path in output_files(built.public):
        readable, _ = plain_parts(path)
        for secret in secrets:
            assert not any(form in readable for form in spellings(secret)), (path, secret)


def test_switching_protection_on_rebuilds_everything(tmp_path: Path) -> None:
    """A plain build, then one with a password, into the same folder (with the build cache
    in place): not one plain file may survive, and the reverse must give a plain site."""
    built = build_fixture(tmp_path / "site")
    assert (built.public / "2026" / "11" / "24" / "index.html").is_file()
    env = {"JOURNAL_PASSWORD": PASSWORD, "JOURNAL_BASIC_AUTH": ""}
    again = run_journal("build", "--today", "2026-11-26", cwd=built.root, env=env)
    assert again.returncode == 0, again.stderr
    assert "; encrypted:" in again.stdout
    assert not (built.public / "2026").exists()
    assert_nothing_readable(built)

    def salt() -> str:
        return re.search(r'data-salt="([^"]+)"', (built.public / "index.html").read_text())[1]

    first_salt = salt()
    # A second encrypted build with another password: the old key must not open it.
    env["JOURNAL_PASSWORD"] = PASSWORD + " and more"
    third = run_journal("build", "--today", "2026-11-26", cwd=built.root, env=env)
    assert third.returncode == 0, third.stderr
    assert salt() != first_salt
    assert "Spoke up" in open_page(built.public / "index.html", password=PASSWORD + " and more")
    with pytest.raises(InvalidTag):
        open_page(built.public / "index.html")
    # And back to plain.
    env["JOURNAL_PASSWORD"] = ""
    plain_again = run_journal("build", "--today", "2026-11-26", cwd=built.root, env=env)
    assert plain_again.returncode == 0, plain_again.stderr
    assert "Spoke up" in (built.public / "2026" / "11" / "24" / "index.html").read_text()
    assert not (built.public / "p").exists() and not (built.public / "f").exists()


def test_pages_decrypt_in_python_and_links_resolve(encrypted: Built, plain: Built) -> None:
    public = encrypted.public
    pages = html_pages(public)
    assert len(pages) == len(html_pages(plain.public))
    titles = []
    for page in pages:
        text = open_page(page)
        assert text.lstrip().lower().startswith("<!doctype html>")
        assert 'content="noindex, nofollow"' in text
        titles += re.findall(r'<h1 id="entry-title">([^<]*)</h1>', text)
        # Every link inside the site points at a file of the encrypted build.
        for href in re.findall(r'(?:href|src)="(/[^"#?]*)', text):
            target = public / href.lstrip("/")
            if href.endswith("/"):
                target = target / "index.html"
            # (A section another part of the project has not built yet is missing in both.)
            missing_in_plain = not (plain.public / target.relative_to(public)).exists()
            assert target.is_file() or missing_in_plain, (page, href)
    assert "Spoke up at the lighthouse meeting" in titles
    assert "Early swim before the ferry" in titles


def test_assets_are_encrypted_and_decrypt_to_the_same_bytes(encrypted: Built) -> None:
    public = encrypted.public
    original = (encrypted.root / "content/2026/img/harbour-lights.png").read_bytes()
    home = public / "index.html"
    bins = [p for p in output_files(public) if p.suffix == ".bin"]
    assert bins
    opened = [open_file(p, home) for p in bins]
    assert ("image/png", original) in opened
    assert b"harbour-lights-photo-marker" not in b"".join(p.read_bytes() for p in bins)


def test_wrong_password_opens_nothing(encrypted: Built) -> None:
    with pytest.raises(InvalidTag):
        open_page(encrypted.public / "index.html", password=PASSWORD + "!")


def test_each_page_has_its_own_nonce_and_one_salt_per_build(encrypted: Built) -> None:
    pages = html_pages(encrypted.public)
    nonces = [re.search(r'data-nonce="([^"]+)"', p.read_text()).group(1) for p in pages]
    salts = {re.search(r'data-salt="([^"]+)"', p.read_text()).group(1) for p in pages}
    assert len(set(nonces)) == len(nonces)
    assert len(salts) == 1
    assert all(
        int(re.search(r'data-iterations="(\d+)"', p.read_text()).group(1)) >= 600_000
        for p in pages
    )


def test_round_trip_with_cryptography() -> None:
    key = derive_key("pässword", salt=b"0123456789abcdef", iterations=600_000)
    # The same PBKDF2 by hand with hashlib: the key is what the browser derives too.
    import hashlib
    import unicodedata

    expected = hashlib.pbkdf2_hmac(
        "sha256", unicodedata.normalize("NFC", "pässword").encode(), b"0123456789abcdef", 600_000
    )
    assert key.key == expected
    here = binding(key.salt, "p/aa/")
    nonce, ciphertext = seal(key.key, b"<p>A quiet win</p>", here)
    assert len(nonce) == 12
    assert unseal(key.key, nonce, ciphertext, here) == b"<p>A quiet win</p>"
    blob = seal_file(key.key, b"\x89PNG...", "image/png", binding(key.salt, "f/bb.bin"))
    assert unseal_file(key.key, blob, binding(key.salt, "f/bb.bin")) == (
        "image/png",
        b"\x89PNG...",
    )
    with pytest.raises(InvalidTag):
        unseal(derive_key("password", salt=b"0123456789abcdef").key, nonce, ciphertext, here)
    # Bound to its address and its build: elsewhere, or with another salt, it does not open.
    for elsewhere in (binding(key.salt, "wins/"), binding(b"another salt 16b", "p/aa/")):
        with pytest.raises(InvalidTag):
            unseal(key.key, nonce, ciphertext, elsewhere)
    with pytest.raises(InvalidTag):
        unseal_file(key.key, blob, binding(key.salt, "f/cc.bin"))


def test_references_are_rewritten_in_every_spelling() -> None:
    mapping = url_map(
        {"2026/11/24/index.html": "p/aa/index.html", "2026/img/a b.png": "f/bb.bin"}, "/j/"
    )
    html = (
        '<a href="/j/2026/11/24/">x</a> <a href="/j/2026/11/24/#wins">w</a> '
        '<img src="/j/2026/img/a%20b.png" srcset="/j/2026/img/a%20b.png 1x, /j/static/x.png 2x">'
        "<p>It's 2026/11/24/ today, isn't it</p>"
    )
    out = rewrite_references(html, mapping, "/j/")
    assert '<a href="/j/p/aa/">' in out
    assert 'href="/j/p/aa/#wins"' in out
    assert 'src="/j/f/bb.bin"' in out
    assert 'srcset="/j/f/bb.bin 1x, /j/static/x.png 2x"' in out
    assert "It's 2026/11/24/ today" in out  # prose is left alone
    data = rewrite_json(b'[["2026/11/24/","t"],{"u":"/j/2026/11/24/"}]', mapping)
    assert data == b'[["p/aa/","t"],{"u":"/j/p/aa/"}]'


# ------------------------------------------------------------------ Basic-Auth


def test_basic_auth_goes_into_headers_and_nowhere_else(tmp_path: Path) -> None:
    credentials = "harbour-user:tide-table-9173"
    built = build_fixture(tmp_path / "site", {"JOURNAL_BASIC_AUTH": credentials}, "--publish")
    headers = (built.public / "_headers").read_text(encoding="utf-8")
    assert headers == headers_file(Protection(basic_auth=credentials)).decode()
    every = headers.split("\n\n")[0].splitlines()
    assert every[0] == "/*" and f"  Basic-Auth: {credentials}" in every
    assert "  X-Robots-Tag: noindex, nofollow" in every
    assert "Basic-Auth" in built.result.stdout
    assert "neither a password" not in built.result.stderr  # Basic-Auth counts as protection
    secret = b"tide-table-9173"
    assert secret.decode() not in built.result.stdout + built.result.stderr
    for path in output_files(built.public):
        if path.name != "_headers":
            assert secret not in path.read_bytes(), path
    # Nor a digest of the file that holds them, which would check guesses offline (the
    # store, .journal-cache/, records no output of a protected build).
    written = (built.public / "_headers").read_bytes()
    digests = [
        hashlib.blake2b(written, digest_size=size).hexdigest().encode() for size in (16, 20, 32)
    ] + [hashlib.sha256(written).hexdigest().encode()]
    for path in built.root.rglob("*"):
        if path.is_file() and path.name != "_headers":
            data = path.read_bytes()
            assert secret not in data, path
            assert not any(digest in data for digest in digests), path


def test_malformed_basic_auth_is_refused_without_echoing_it(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "private-journal", tmp_path / "site")
    env = {"JOURNAL_BASIC_AUTH": "only-a-secret-word", "JOURNAL_PASSWORD": ""}
    result = run_journal("build", cwd=tmp_path / "site", env=env)
    assert result.returncode == 2
    assert "JOURNAL_BASIC_AUTH must look like user:password" in result.stderr
    assert "only-a-secret-word" not in result.stdout + result.stderr
    assert not (tmp_path / "site" / "public").exists()


@pytest.mark.parametrize("weak", ["hunter2", "Tr0ub4dor&3", "correct horse battery staple"])
def test_a_guessable_password_is_refused_without_echoing_it(tmp_path: Path, weak: str) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "private-journal", tmp_path / "site")
    env = {"JOURNAL_PASSWORD": weak, "JOURNAL_BASIC_AUTH": ""}
    result = run_journal("build", "--publish", cwd=tmp_path / "site", env=env)
    assert result.returncode == 2
    assert "the password in $JOURNAL_PASSWORD cannot protect" in result.stderr
    assert "four or more words picked at random" in result.stderr
    assert weak not in result.stdout + result.stderr
    assert not (tmp_path / "site" / "public").exists()


def test_password_env_comes_from_journal_toml(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "private-journal", tmp_path / "site")
    toml = tmp_path / "site" / "journal.toml"
    toml.write_text(toml.read_text() + 'password_env = "HARBOUR_KEY"\n', encoding="utf-8")
    env = {"HARBOUR_KEY": PASSWORD, "JOURNAL_PASSWORD": ""}
    result = run_journal("build", "--today", "2026-11-26", cwd=tmp_path / "site", env=env)
    assert result.returncode == 0, result.stderr
    assert "; encrypted:" in result.stdout and "$HARBOUR_KEY" in result.stdout
    assert "Spoke up" in open_page(tmp_path / "site" / "public" / "index.html")


def test_a_publishing_build_names_no_file_of_the_journal(tmp_path: Path) -> None:
    """The log of `journal build --publish` (a host's deploy log) names no entry: a
    warning or an error about one is counted, and `journal check` names it."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "private-journal", root)
    future = root / "content" / "2027" / "01" / "02-therapy-homework.md"
    future.parent.mkdir(parents=True)
    future.write_text("---\ntitle: later\n---\nSoon.\n", encoding="utf-8")
    env = {"JOURNAL_PASSWORD": PASSWORD, "JOURNAL_BASIC_AUTH": ""}

    result = run_journal("build", "--publish", "--today", "2026-11-26", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    log = result.stdout + result.stderr
    assert "1 warning about the journal's own files" in result.stderr
    assert "therapy" not in log and "2027" not in log and "content/" not in log
    assert "therapy-homework" in run_journal("check", "--today", "2026-11-26", cwd=root).stderr

    future.write_text("---\nmood: great\n---\n", encoding="utf-8")
    result = run_journal("build", "--publish", "--today", "2026-11-26", cwd=root, env=env)
    assert result.returncode == 1
    log = result.stdout + result.stderr
    assert "1 error about the journal's own files" in result.stderr
    assert "therapy" not in log and "2027" not in log and "content/" not in log

    # Without --publish (a build on one's own computer) the problem is named as usual.
    result = run_journal("build", "--today", "2026-11-26", cwd=root, env=env)
    assert result.returncode == 1 and "therapy-homework.md" in result.stderr
