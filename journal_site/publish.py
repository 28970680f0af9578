"""Publishing settings: the netlify.toml we ship, the CSP, and what protects a build.

One source of truth for the HTTP headers of a published journal: ``netlify_toml()``
writes both the repository's own netlify.toml and the one ``journal init`` gives a
new journal, so the two can never drift apart (a test compares them).

Secrets (the encryption password, Basic-Auth credentials) come only from the
environment at build time; nothing here reads them from a file or prints them.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from journal_site.config import Config
from journal_site.csp import CONTENT_SECURITY_POLICY
from journal_site.errors import UsageError
from journal_site.writer import Output

if TYPE_CHECKING:
    from journal_site.provenance import Pin

BASIC_AUTH_ENV = "JOURNAL_BASIC_AUTH"
PYTHON_VERSION = "3.12"

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Robots-Tag", "noindex, nofollow"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
)
"""Headers for every path of a published journal."""

STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Only files under static/ get this: their names carry a hash of their bytes."""

HEADER_RULES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("/*", SECURITY_HEADERS),
    ("/static/*", (("Cache-Control", STATIC_CACHE_CONTROL),)),
)
"""Every header of a published journal, by path: in netlify.toml and in ``_headers``."""

CACHE_DIR = ".journal-cache"
"""The build cache's folder in a journal (what a deploy keeps between builds)."""

LOCK_FILE = "requirements-deploy.txt"
"""The third-party packages a deploy installs, pinned with hashes (shipped in the package)."""
CACHE_PLUGIN = "netlify-plugin-cache"
"""Netlify build plugin that keeps folders between deploys; it keeps the build cache."""
UNPINNED_MARK = "does not pin journal_site"
"""Words in the build command of a journal whose tool could not be pinned."""


def lock_file_text() -> str:
    """The lock file shipped with this journal_site (``journal init`` copies it)."""
    from importlib import resources

    return resources.files("journal_site").joinpath(LOCK_FILE).read_text(encoding="utf-8")


def build_command(kind: str, pin: Pin | None = None) -> str:
    """The deploy's build command for ``kind`` "repository" or "journal" (with ``pin``).

    Third-party packages come from the lock file, every one checked against its hashes;
    then journal_site itself without dependencies and without fetching a build backend
    (the lock holds setuptools). A journal whose tool could not be pinned gets a command
    that stops with the reason: it never installs a bare name.
    """
    tail = "journal build --publish"
    if kind == "repository":
        # The repository deploys itself: the tool is this very commit.
        return (
            f"pip install --require-hashes -r journal_site/{LOCK_FILE} && "
            f"pip install --no-deps --no-build-isolation . && {tail}"
        )
    if pin is None or pin.requirement is None:
        # The reason (with the paths of this computer) is told by init and build; the
        # committed file only says what happened and what to do.
        message = (
            f"journal: this netlify.toml {UNPINNED_MARK}: when it was written, journal_site "
            "ran from an editable install, a folder or a source checkout, which a deploy "
            "cannot install. Nothing was installed. Install journal_site from a git URL, "
            "an archive URL or PyPI, then run journal pin in this folder and commit "
            "netlify.toml (see the README, Publishing)."
        )
        return f"echo {shlex.quote(message)} >&2; exit 1"
    checked = " --require-hashes" if pin.hashed else ""
    return (
        f"pip install --require-hashes -r {LOCK_FILE} && "
        f"pip install --no-deps --no-build-isolation{checked} {shlex.quote(pin.requirement)} "
        f"&& {tail}"
    )


def deploy_warnings(site_root: Path, running: Pin) -> list[str]:
    """What ``journal build --publish`` says about the deploy that netlify.toml describes:
    whether it installs a pinned journal_site, and whether that is the one running now."""
    import tomllib

    path = site_root / "netlify.toml"
    if not path.is_file():
        return []
    try:
        command = tomllib.loads(path.read_text(encoding="utf-8"))["build"]["command"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return ["netlify.toml has no readable [build] command; a deploy may not build at all"]
    command = str(command)
    if running.pinned:
        fix = f"run 'journal pin' to pin the journal_site running now ({running.description})"
    else:
        fix = (
            f"the journal_site running now cannot be pinned ({running.description}): "
            "install it from a git URL, an archive URL or PyPI, then run 'journal pin'"
        )
    if UNPINNED_MARK in command:
        return [f"netlify.toml {UNPINNED_MARK}, so a deploy stops before it builds; {fix}"]
    if "--require-hashes" not in command:
        return [
            "netlify.toml installs packages by name without checking their hashes (as "
            f"journals made before pinning did): whoever controls those names controls your deploy; {fix}"
        ]
    try:
        words = shlex.split(command)
    except ValueError:
        words = []
    if "." in words:  # the repository's own file: the tool is the commit being deployed
        return []
    deployed = next((word for word in words if word.startswith("journal-site @ ")), None)
    if deployed is None:
        return [f"netlify.toml installs no pinned journal_site; {fix}"]
    if running.pinned and deployed != running.requirement:
        return [
            f"a deploy installs {deployed.removeprefix('journal-site @ ')} (netlify.toml), "
            f"not the journal_site that ran this build; {fix}"
        ]
    if not running.pinned and running.looked_up:
        return [
            f"this build ran a journal_site that a deploy cannot install ({running.description}); "
            f"a deploy installs {deployed.removeprefix('journal-site @ ')} (netlify.toml)"
        ]
    return []


def netlify_toml(kind: str = "journal", pin: Pin | None = None) -> str:
    """The netlify.toml for ``kind`` "repository" (this checkout) or "journal" (a journal folder)."""
    command = build_command(kind, pin)
    lines = [
        "# Netlify: build the journal and publish it privately.",
        "# Generated by journal_site.publish.netlify_toml(); the README's 'Publishing' section",
        "# explains each setting. Set JOURNAL_PASSWORD (and optionally JOURNAL_BASIC_AUTH) in",
        "# the site's environment variables on Netlify, never in this file.",
        "# The build installs journal_site exactly as pinned (journal init, journal pin) and",
        f"# the packages it needs from {LOCK_FILE}, each checked against its hashes.",
        "[build]",
        f'  command = "{_toml_escape(command)}"',
        '  publish = "public"',
        "",
        "[build.environment]",
        f'  PYTHON_VERSION = "{PYTHON_VERSION}"',
        "",
        "# Keep the build cache between deploys, so that a deploy after a new entry reuses",
        "# everything else. It stays in Netlify's build cache: the site is public/ alone.",
        "[[plugins]]",
        f'  package = "{CACHE_PLUGIN}"',
        "  [plugins.inputs]",
        f'    paths = ["{CACHE_DIR}"]',
        "",
        *_toml_header_rules(),
    ]
    return "\n".join(lines) + "\n"


def _toml_header_rules() -> list[str]:
    lines = []
    for path, headers in HEADER_RULES:
        lines += ["[[headers]]", f'  for = "{path}"', "  [headers.values]"]
        lines += [f'    {name} = "{_toml_escape(value)}"' for name, value in headers]
        lines.append("")
    return lines[:-1]


def _toml_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True, slots=True)
class Protection:
    """What protects a build, read from the environment. ``repr`` never shows a secret."""

    password: str | None = None
    """The encryption password, or None for a plain build."""
    password_env: str = "JOURNAL_PASSWORD"
    """The variable the password came from, for messages."""
    basic_auth: str | None = None
    """``user:password`` (several separated by spaces) for Netlify's Basic-Auth rule."""

    def __repr__(self) -> str:
        return (
            f"Protection(password={'set' if self.password else None}, "
            f"password_env={self.password_env!r}, "
            f"basic_auth={'set' if self.basic_auth else None})"
        )

    @property
    def encrypted(self) -> bool:
        return bool(self.password)


_CREDENTIAL = re.compile(r"[^\s:]+:\S+")


def protection_from_env(config: Config, environ: Mapping[str, str]) -> Protection:
    """Read the password (from ``config.password_env``) and Basic-Auth credentials.

    An empty variable counts as unset. Malformed credentials, and a password that an
    offline attacker would guess quickly, are usage errors that never repeat the value,
    because it is a secret.
    """
    password = environ.get(config.password_env) or None
    if password is not None:
        _refuse_weak(password, config.password_env, config)
    basic_auth = (environ.get(BASIC_AUTH_ENV) or "").strip() or None
    malformed = basic_auth is not None and (
        any(ord(ch) < 32 for ch in basic_auth)
        or not all(_CREDENTIAL.fullmatch(part) for part in basic_auth.split())
    )
    if malformed:
        raise UsageError(
            f"{BASIC_AUTH_ENV} must look like user:password (several separated by "
            "spaces), with no line breaks; its value is not shown here"
        )
    if basic_auth is not None and environ.get("CF_PAGES"):
        # Cloudflare Pages reads _headers too, but sends a Basic-Auth line to every
        # visitor as an ordinary header: the credentials would be published.
        raise UsageError(
            f"{BASIC_AUTH_ENV} is set, but this build runs on Cloudflare Pages, which would "
            "send the credentials to every visitor; unset it there (it works on Netlify only)"
        )
    return Protection(password=password, password_env=config.password_env, basic_auth=basic_auth)


def _refuse_weak(password: str, variable: str, config: Config) -> None:
    """A usage error (never repeating the password) when an offline guesser would find it."""
    from journal_site.passphrase import weakness

    why = weakness(password, hints=(config.title, config.author))
    if why:
        raise UsageError(
            f"the password in ${variable} cannot protect a published journal: {why}. "
            "Nothing was built."
        )


def share_protection(config: Config, environ: Mapping[str, str]) -> Protection:
    """The share site's protection: always encrypted, with the password from
    ``[share] password_env``. Missing, weak, or the same as the journal's own password
    (which would open the whole journal to whoever it is shared with): a usage error.
    No Basic-Auth: its variable is the journal's own, and so are its credentials."""
    variable = config.share.password_env
    password = environ.get(variable) or None
    if password is None:
        raise UsageError(
            f"a share site is always encrypted, and ${variable} is not set: set it to the "
            "password you give the people you share with (four or more random words, not "
            "the journal's own password). Nothing was built."
        )
    _refuse_weak(password, variable, config)
    if password == environ.get(config.password_env):
        raise UsageError(
            f"${variable} holds the same password as ${config.password_env}: whoever you "
            "share with could open the whole journal. Choose another one. Nothing was built."
        )
    return Protection(password=password, password_env=variable)


def headers_file(protection: Protection) -> bytes:
    """The ``_headers`` file (read by Netlify and Cloudflare Pages): the same rules as
    netlify.toml, plus Netlify's Basic-Auth rule for every path when credentials are set."""
    blocks = []
    for path, headers in HEADER_RULES:
        lines = [path, *(f"  {name}: {value}" for name, value in headers)]
        if path == "/*" and protection.basic_auth:
            lines.append(f"  Basic-Auth: {protection.basic_auth}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks).encode()


def protect_output(
    config: Config, output: Output, protection: Protection, today: dt.date
) -> Output:
    """The publishing stage between render and write: encrypt, then add the Basic-Auth rule
    to ``_headers`` (which every build has: the builder adds it, as it adds robots.txt)."""
    if protection.password:
        from journal_site.encrypt import encrypt_site

        output = encrypt_site(config, output, protection.password, today)
    if protection.basic_auth:
        files = {path: data for path, data in output.files.items() if path != "_headers"}
        origins = {path: origin for path, origin in output.origins.items() if path in files}
        protected = Output(files, origins)
        protected.add("_headers", headers_file(protection), f"${BASIC_AUTH_ENV}")
        protected.check()
        output = protected
    return output


def protection_summary(protection: Protection, *, publish: bool) -> tuple[str, str | None]:
    """What ``journal build`` says about protection: (the end of its summary line, a warning or None)."""
    if protection.encrypted:
        summary = (
            f"encrypted: every page and the search index need the password "
            f"from ${protection.password_env}."
        )
    else:
        summary = f"not encrypted (set ${protection.password_env} to encrypt)."
    if protection.basic_auth:
        summary += f" Basic-Auth rule for Netlify written to _headers (from ${BASIC_AUTH_ENV})."
    warning = None
    if publish and not protection.encrypted and not protection.basic_auth:
        warning = (
            f"this build is meant for publishing but has neither a password "
            f"(${protection.password_env}) nor Basic-Auth (${BASIC_AUTH_ENV}): anyone "
            "with the address can read your journal"
        )
    return summary, warning


HEADERS_FILE = headers_file(Protection())
"""``_headers`` of a build without Basic-Auth: the same headers as netlify.toml."""
