"""The deploy: a pinned journal_site, locked packages checked by hash, a kept build cache,
and the same headers in netlify.toml and public/_headers.

netlify.toml is read with Netlify's own resolver (the npm package @netlify/config,
offline); the build commands are run for real in fresh virtual environments, with
journal_site served from 127.0.0.1 as a wheel and as a git repository.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, run_journal

from journal_site.provenance import Pin, pin_from_direct_url
from journal_site.publish import (
    CACHE_DIR,
    HEADER_RULES,
    LOCK_FILE,
    UNPINNED_MARK,
    Protection,
    build_command,
    headers_file,
    netlify_toml,
)

PASSWORD = "correct horse battery staple harbour"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA = "ab" * 32

# ------------------------------------------------------------------ pip's record -> a pin


def test_a_git_install_is_pinned_to_its_commit() -> None:
    record = {
        "url": "https://github.com/someone/journal_site",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
    }
    pin = pin_from_direct_url(record, "0.1.0")
    assert (
        pin.requirement == f"journal-site @ git+https://github.com/someone/journal_site@{COMMIT}"
    )
    assert not pin.hashed  # pip cannot hash a repository; the commit id names the bytes
    sub = pin_from_direct_url({**record, "subdirectory": "tool"}, "0.1.0")
    assert sub.requirement is not None and sub.requirement.endswith(f"@{COMMIT}#subdirectory=tool")


def test_an_archive_install_is_pinned_with_its_hash() -> None:
    url = "https://example.org/dl/journal_site-0.1.0-py3-none-any.whl"
    for info in ({"hashes": {"sha256": SHA}}, {"hash": f"sha256={SHA}"}):
        pin = pin_from_direct_url({"url": url, "archive_info": info}, "0.1.0")
        assert pin.requirement == f"journal-site @ {url}#sha256={SHA}"
        assert pin.hashed


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"url": "file:///home/me/journal_site", "dir_info": {"editable": True}}, "editable"),
        ({"url": "file:///home/me/journal_site", "dir_info": {}}, "folder"),
        ({"url": "file:///tmp/journal_site-0.1.0.tar.gz", "archive_info": {}}, "a file"),
        ({"url": "https://example.org/j.tar.gz", "archive_info": {}}, "no sha256"),
        ({"url": "https://example.org/j.tar.gz", "archive_info": {"hash": "md5=00"}}, "no sha256"),
        ({"url": "https://x.org/r", "vcs_info": {"vcs": "git", "commit_id": "main"}}, "commit"),
        ({"url": "https://x.org/r 'x'", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}, "safe"),
        ({"url": 3}, "unreadable"),
        ("not a record", "unreadable"),
    ],
)
def test_what_cannot_be_installed_elsewhere_is_not_pinned(record: object, words: str) -> None:
    pin = pin_from_direct_url(record, "0.1.0")
    assert pin.requirement is None and not pin.pinned
    assert words in pin.description


def test_the_build_command_never_installs_a_bare_name() -> None:
    for pin in (
        None,
        Pin(None, False, "an editable install"),
        Pin(f"journal-site @ git+https://x.org/r@{COMMIT}", False, "git"),
        Pin(f"journal-site @ https://x.org/j.whl#sha256={SHA}", True, "archive"),
    ):
        command = build_command("journal", pin)
        words = shlex.split(command.replace("&&", " ").replace(";", " "))
        assert "journal-site" not in words and "${JOURNAL_SITE_PIP:-journal-site}" not in command
        if pin is None or pin.requirement is None:
            assert UNPINNED_MARK in command and command.endswith("exit 1")
            assert "pip" not in words
            continue
        assert f"--require-hashes -r {LOCK_FILE}" in command
        assert pin.requirement in words
        assert ("--require-hashes" in words[words.index(pin.requirement) - 4 :]) == pin.hashed


# ------------------------------------------------------------------ init from this checkout


def test_init_from_a_checkout_says_it_cannot_pin_and_the_deploy_stops(tmp_path: Path) -> None:
    result = run_journal("init", "mine", "--today", "2026-11-24", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "netlify.toml cannot pin journal_site" in result.stderr
    # From the checkout itself, or from an editable install of it (as the README's test
    # command makes): either way, nothing a deploy could install.
    assert "source folder" in result.stderr or "editable install" in result.stderr
    mine = tmp_path / "mine"
    # The lock file this journal_site was made with goes with the journal.
    lock = (mine / LOCK_FILE).read_bytes()
    assert lock == (REPO / "journal_site" / LOCK_FILE).read_bytes()
    config = tomllib.loads((mine / "netlify.toml").read_text(encoding="utf-8"))
    command = config["build"]["command"]
    # Nothing of this computer is written into the file the journal's repository keeps.
    assert str(REPO) not in command
    deploy = subprocess.run(
        ["bash", "-c", command], cwd=mine, capture_output=True, text=True, timeout=60
    )
    assert deploy.returncode == 1
    assert UNPINNED_MARK in deploy.stderr and "journal pin" in deploy.stderr

    built = run_journal("build", "--publish", "--today", "2026-11-24", cwd=mine)
    assert built.returncode == 0, built.stderr
    assert f"netlify.toml {UNPINNED_MARK}, so a deploy stops" in built.stderr
    assert "cannot be pinned" in built.stderr

    refused = run_journal("pin", cwd=mine)
    assert refused.returncode == 2
    assert "cannot pin journal_site" in refused.stderr and "nothing was changed" in refused.stderr


def test_build_publish_warns_about_a_netlify_toml_that_installs_by_name(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "private-journal", tmp_path / "site")
    old = '[build]\n  command = "pip install \\"${JOURNAL_SITE_PIP:-journal-site}\\" && journal build --publish"\n'
    (tmp_path / "site" / "netlify.toml").write_text(old, encoding="utf-8")
    built = run_journal("build", "--publish", cwd=tmp_path / "site", env={"JOURNAL_PASSWORD": ""})
    assert built.returncode == 0, built.stderr
    assert "installs packages by name without checking their hashes" in built.stderr


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    lock = (REPO / "journal_site" / LOCK_FILE).read_text(encoding="utf-8")
    pinned: dict[str, str] = {}
    for requirement in re.split(r"(?m)^(?=[a-z])", lock):
        head = requirement.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        name, _, version = head.split(";")[0].strip().partition("==")
        assert version, head
        assert "--hash=sha256:" in requirement, name
        pinned[name.lower()] = version
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dependency in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", dependency)
        assert name is not None
        assert name.group().lower().replace("_", "-") in pinned, dependency
    assert "setuptools" in pinned  # the build backend of journal_site itself


# ------------------------------------------------------------------ as Netlify reads it


@pytest.fixture(scope="session")
def netlify_resolver(request: pytest.FixtureRequest) -> Path:
    """@netlify/config installed (with npm ci, from tests/netlify's lock) in a cache folder."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to resolve netlify.toml as Netlify does")
    source = REPO / "tests" / "netlify"
    folder = request.config.cache.mkdir("netlify-config")
    for name in ("package.json", "package-lock.json", "resolve.mjs"):
        shutil.copyfile(source / name, folder / name)
    installed = folder / "node_modules" / ".package-lock.json"
    stamp = folder / "installed-from.lock"
    wanted = (source / "package-lock.json").read_bytes()
    if not installed.exists() or not stamp.exists() or stamp.read_bytes() != wanted:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        stamp.write_bytes(wanted)
    return folder


def resolve(resolver: Path, site: Path, package: str | None = None) -> dict:
    result = subprocess.run(
        ["node", str(resolver / "resolve.mjs"), str(site), *([package] if package else [])],
        cwd=resolver,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], "HOME": str(resolver)},
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert resolved["logs"]["stderr"] == [], resolved["logs"]
    return resolved


def header_values(config: dict, path: str) -> dict[str, str]:
    """The headers Netlify sends for ``path``'s rule: later rules for it override earlier."""
    merged: dict[str, str] = {}
    for rule in config["headers"]:
        if rule["for"] == path:
            merged.update(rule["values"])
    return merged


def check_common(config: dict, site: Path) -> None:
    assert Path(config["build"]["publish"]) == site / "public"
    assert config["build"]["environment"]["PYTHON_VERSION"]
    [plugin] = [p for p in config["plugins"] if p["package"] == "netlify-plugin-cache"]
    assert plugin["inputs"]["paths"] == [CACHE_DIR]
    assert not (site / CACHE_DIR).resolve().is_relative_to(Path(config["build"]["publish"]))
    for path, headers in HEADER_RULES:
        assert header_values(config, path) | dict(headers) == header_values(config, path)


def test_netlify_reads_the_repository_file(netlify_resolver: Path) -> None:
    config = resolve(netlify_resolver, REPO)["config"]
    assert config["build"]["command"] == build_command("repository")
    assert "--require-hashes -r journal_site/requirements-deploy.txt" in config["build"]["command"]
    check_common(config, REPO)


def test_netlify_reads_a_pinned_journal_with_its_headers_file(
    netlify_resolver: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "private-journal", site)
    url = f"https://example.org/dl/journal_site-0.1.0-py3-none-any.whl#sha256={SHA}"
    pin = Pin(f"journal-site @ {url}", True, "archive")
    (site / "netlify.toml").write_text(netlify_toml("journal", pin), encoding="utf-8")
    credentials = "harbour-user:tide-table-9173"
    built = run_journal("build", "--publish", cwd=site, env={"JOURNAL_BASIC_AUTH": credentials})
    assert built.returncode == 0, built.stderr
    resolved = resolve(netlify_resolver, site)
    assert Path(resolved["headersPath"]) == site / "public" / "_headers"
    config = resolved["config"]
    command = config["build"]["command"]
    assert command.startswith(f"pip install --require-hashes -r {LOCK_FILE} && ")
    assert f"--require-hashes 'journal-site @ {url}'" in command
    check_common(config, site)
    # _headers (what other hosts read) says what netlify.toml says, plus Basic-Auth.
    from_file = [rule for rule in config["headers"] if "Basic-Auth" in rule["values"]]
    assert [rule["for"] for rule in from_file] == ["/*"]
    assert from_file[0]["values"] == {**dict(HEADER_RULES[0][1]), "Basic-Auth": credentials}
    assert (site / "public" / "_headers").read_bytes() == headers_file(
        Protection(basic_auth=credentials)
    )


def test_netlify_reads_the_share_site_from_its_package_directory(
    netlify_resolver: Path, tmp_path: Path
) -> None:
    """The README's second Netlify site: netlify.toml copied to share-site/ with the
    command ending in `journal share` and `publish = "share"`, read with share-site as
    the package directory, the base directory left at the journal's folder."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "share-journal", site)
    url = f"https://example.org/dl/journal_site-0.1.0-py3-none-any.whl#sha256={SHA}"
    journal_file = netlify_toml("journal", Pin(f"journal-site @ {url}", True, "archive"))
    (site / "netlify.toml").write_text(journal_file, encoding="utf-8")
    share_file = journal_file.replace("journal build --publish", "journal share").replace(
        'publish = "public"', 'publish = "share"'
    )
    assert share_file.count("journal share") == 1 and 'publish = "share"' in share_file
    (site / "share-site").mkdir()
    (site / "share-site" / "netlify.toml").write_text(share_file, encoding="utf-8")

    config = resolve(netlify_resolver, site, "share-site")["config"]
    assert config["build"]["command"].endswith("&& journal share")
    assert f"--require-hashes 'journal-site @ {url}'" in config["build"]["command"]
    assert Path(config["build"]["publish"]) == site / "share"
    [plugin] = [p for p in config["plugins"] if p["package"] == "netlify-plugin-cache"]
    assert plugin["inputs"]["paths"] == [CACHE_DIR]
    for path, headers in HEADER_RULES:
        assert header_values(config, path) | dict(headers) == header_values(config, path)
    # The journal's own site still reads the top-level file.
    own = resolve(netlify_resolver, site)["config"]
    assert own["build"]["command"].endswith("&& journal build --publish")
    check_common(own, site)


# ------------------------------------------------------------------ the commands, for real


@contextlib.contextmanager
def http_server(folder: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def clean_env(venv: Path | None = None) -> dict[str, str]:
    """The environment of a deploy: no settings of this machine's pip, the venv first."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("PIP_")
    }
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    if venv is not None:
        env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv))
    return env


def run_command(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A netlify.toml build command, as Netlify runs it: by a shell, in the site's folder."""
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def new_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path


def build_command_of(site: Path) -> str:
    return tomllib.loads((site / "netlify.toml").read_text(encoding="utf-8"))["build"]["command"]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean copy of the tracked files of this checkout, committed to a git repository."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    copy = tmp_path_factory.mktemp("checkout") / "journal_site.git"
    for name in filter(None, tracked):
        source = REPO / name.decode()
        if source.is_file():
            target = copy / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=copy, check=True)
    return copy


@pytest.mark.slow
def test_the_repository_deploys_itself_with_hash_checked_packages(
    checkout: Path, tmp_path: Path
) -> None:
    venv = new_venv(tmp_path / "venv")
    env = {**clean_env(venv), "JOURNAL_PASSWORD": PASSWORD}
    result = run_command(build_command_of(checkout), checkout, env)
    assert "; encrypted:" in result.stdout
    assert "warning: netlify.toml" not in result.stderr  # the repository deploys itself
    assert (checkout / "public" / "index.html").is_file()
    assert "X-Robots-Tag: noindex" in (checkout / "public" / "_headers").read_text()
    assert (venv / "bin" / "journal").is_file()


@pytest.mark.slow
def test_a_journal_deploys_exactly_the_wheel_it_was_made_with(
    checkout: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    env = clean_env(new_venv(tmp_path / "maker"))
    # pip records the hash of an archive it downloads only from 23.1 on (a venv of
    # Debian 12's Python starts with 23.0.1, which records none: init then refuses to pin).
    run_command("pip install -q 'pip>=23.1'", tmp_path, env)
    run_command(f"pip install --require-hashes -q -r journal_site/{LOCK_FILE}", checkout, env)
    run_command(f"pip wheel -q --no-deps --no-build-isolation -w {dist} .", checkout, env)
    [wheel] = dist.glob("journal_site-*.whl")
    with http_server(dist) as base:
        # The tool as a person installs it: from a URL (pip records the archive's hash).
        run_command(f"pip install -q --no-deps '{base}/{wheel.name}'", tmp_path, env)
        made = run_command("journal init mine --today 2026-11-24", tmp_path, env)
        assert "netlify.toml deploys exactly this journal_site" in made.stdout
        assert "cannot pin" not in made.stderr
        mine = tmp_path / "mine"
        command = build_command_of(mine)
        digest = subprocess.run(
            ["sha256sum", str(wheel)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        assert f"'journal-site @ {base}/{wheel.name}#sha256={digest}'" in command

        # The deploy: a fresh machine, the journal's own files and its command.
        deploy_env = {**clean_env(new_venv(tmp_path / "deploy")), "JOURNAL_PASSWORD": PASSWORD}
        result = run_command(command, mine, deploy_env)
        assert "; encrypted:" in result.stdout
        assert "warning: netlify.toml" not in result.stderr
        assert "warning: a deploy installs" not in result.stderr
        assert (mine / "public" / "index.html").is_file()

        # A wheel with other bytes under the same URL is refused by the hash.
        wheel.write_bytes(wheel.read_bytes() + b"\0")
        refused = subprocess.run(
            ["bash", "-c", command],
            cwd=mine,
            env=clean_env(new_venv(tmp_path / "tampered")),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert refused.returncode != 0
        assert "HASHES" in refused.stderr.upper()


@pytest.mark.slow
def test_git_and_editable_installs(checkout: Path, tmp_path: Path) -> None:
    env = clean_env(new_venv(tmp_path / "venv"))
    run_command(f"pip install --require-hashes -q -r journal_site/{LOCK_FILE}", checkout, env)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "update-server-info"], cwd=checkout / ".git", check=True)
    with http_server(checkout.parent) as base:
        url = f"{base}/{checkout.name}/.git"
        run_command(
            f"pip install -q --no-deps --no-build-isolation 'git+{url}@{commit}'", tmp_path, env
        )
        # An old journal, made when init installed a bare name, is pinned by `journal pin`.
        old = tmp_path / "old"
        shutil.copytree(FIXTURES / "private-journal", old)
        toml = '# mine\n[build]\n  command = "pip install journal-site && journal build"\n  publish = "public"\n'
        (old / "netlify.toml").write_text(toml, encoding="utf-8")
        pinned = run_command("journal pin", old, env)
        assert f"git commit {commit}" in pinned.stdout
        text = (old / "netlify.toml").read_text(encoding="utf-8")
        assert text.startswith("# mine\n[build]\n") and text.endswith('  publish = "public"\n')
        command = build_command_of(old)
        assert f"'journal-site @ git+{url}@{commit}'" in command
        assert (old / LOCK_FILE).is_file()
        result = run_command(command, old, clean_env(new_venv(tmp_path / "deploy")))
        assert "warning: netlify.toml" not in result.stderr

    # An editable install cannot be deployed: init says so, and so does build --publish.
    run_command(f"pip install -q --no-deps --no-build-isolation -e '{checkout}'", tmp_path, env)
    made = run_command("journal init edited --today 2026-11-24", tmp_path, env)
    assert "cannot pin journal_site" in made.stderr and "editable install" in made.stderr
    assert UNPINNED_MARK in build_command_of(tmp_path / "edited")
    built = run_command("journal build --publish --today 2026-11-24", old, env)
    assert "a deploy installs" in built.stderr and "git" in built.stderr


def test_basic_auth_is_refused_on_cloudflare_pages(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "private-journal", tmp_path / "site")
    env = {"JOURNAL_BASIC_AUTH": "harbour-user:tide-table-9173", "CF_PAGES": "1"}
    result = run_journal("build", "--publish", cwd=tmp_path / "site", env=env)
    assert result.returncode == 2
    assert "Cloudflare Pages" in result.stderr and "tide-table-9173" not in result.stderr
    assert not (tmp_path / "site" / "public").exists()


def test_a_deploy_with_the_kept_cache_renders_only_what_a_new_entry_changes(
    tmp_path: Path,
) -> None:
    """As on Netlify: a fresh clone (new file times, no public/) with .journal-cache restored."""
    from conftest import tree

    from journal_site.build import build
    from journal_site.config import load_config
    from journal_site.engine.site import Engine
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version

    first = tmp_path / "first"
    shutil.copytree(FIXTURES / "private-journal", first)
    build(load_config(first))
    new_entry = "---\ndate: 2026-11-27\nwins:\n  - Kept going\n---\nOne more day.\n"
    clones = {}
    for name, keep_cache in (("warm", True), ("cold", False)):
        clone = tmp_path / name
        shutil.copytree(FIXTURES / "private-journal", clone, copy_function=shutil.copyfile)
        (clone / "content" / "2026-11-27.md").write_text(new_entry, encoding="utf-8")
        if keep_cache:
            shutil.copytree(first / CACHE_DIR_NAME, clone / CACHE_DIR_NAME)
        clones[name] = clone
    store = Store(clones["warm"] / CACHE_DIR_NAME, code_version())
    site = Engine(load_config(clones["warm"]), store=store).build()
    store.close()
    made, reused = site.stats["outputs_made"], site.stats["outputs_reused"]
    build(load_config(clones["warm"]))
    build(load_config(clones["cold"]))
    assert tree(clones["warm"] / "public") == tree(clones["cold"] / "public")
    before, after = tree(first / "public"), tree(clones["warm"] / "public")
    changed = sum(1 for path, data in after.items() if before.get(path) != data)
    # What the new entry changes (its page, home, the timeline, its week's, month's and
    # year's reviews ...) is made again, and little more: a page made from the whole
    # journal (the tags index, a month's heatmap on the journal's colour scale) may be
    # made again and come out the same. Everything else comes from the kept cache.
    assert 0 < changed <= made <= changed + 3 < made + reused, (changed, site.stats)


def test_a_store_restored_in_another_folder_is_used_whole(tmp_path: Path) -> None:
    """A host may build in a different folder each time: no key names the site folder, so
    a clone with the store restored plans and renders nothing, and writes a clean build."""
    from conftest import tree

    from journal_site.build import build
    from journal_site.config import load_config
    from journal_site.engine.selection import everything
    from journal_site.engine.site import Engine
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version

    first = tmp_path / "builds" / "1"
    shutil.copytree(FIXTURES / "private-journal", first)
    build(load_config(first))
    clone = tmp_path / "elsewhere" / "build-2"
    shutil.copytree(FIXTURES / "private-journal", clone, copy_function=shutil.copyfile)
    shutil.copytree(first / CACHE_DIR_NAME, clone / CACHE_DIR_NAME)
    store = Store(clone / CACHE_DIR_NAME, code_version())
    try:
        site = Engine(load_config(clone), store=store).build()
    finally:
        store.close()
    assert site.stats["files_parsed"] == 0
    assert site.stats["plans_reused"] == len(everything().builders)
    assert (site.stats["pages_planned"], site.stats["outputs_made"]) == (0, 0), site.stats
    build(load_config(clone))
    assert tree(clone / "public") == tree(first / "public")
