"""``journal serve``: a real server in a subprocess, real editor-style saves, real Chromium.

Every wait is for an event (a line in the server's output, a page showing a text),
never a fixed sleep.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, make_corpus, run_journal

TODAY = "2026-11-25"
WAIT_S = 20.0
"""Longest any one step may take on a busy CI machine; steps normally take milliseconds."""
INJECTED = re.compile(rb'<script src="/__journal__/reload\.[0-9a-f]+\.js"[^>]*></script>')


def entry(title: str, win: str, body: str = "A short note.", extra: str = "") -> str:
    return f"---\ntitle: {title}\ntags: [work]\nwins:\n  - {win}\n{extra}---\n{body}\n"


SITE = {
    "journal.toml": 'title = "Sam\'s journal"\n',
    "content/2026-11-20.md": entry("A calm day", "Walked to work"),
    "content/2026-11-22.md": entry("Ran again", "Ran 3 km without stopping"),
    "content/2026-11-24.md": entry(
        "Spoke up", "Spoke up in the planning meeting", body="\n\n".join(["Long day."] * 80)
    ),
    "content/2026-11-25.md": entry("Still writing", "Drafted the plan", extra="draft: true\n"),
}


# -- saving the way editors save -------------------------------------------------------------
def save_by_rename(path: Path, text: str) -> None:
    """Write a temporary file beside the target, then rename it over (most editors)."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


SAVE_GAPS: list[float] = []
"""Seconds between the two writes of each ``save_twice``: an editor makes them within a
millisecond, but a test process that the machine's load holds up between them can
leave a gap longer than the watcher's step (serve/watch.py), and that is two saves."""


def save_twice(path: Path, text: str) -> None:
    """Truncate-and-write, then write again: two modifications of the same file in a row."""
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    written = time.monotonic()
    path.write_text(text, encoding="utf-8")
    SAVE_GAPS.append(time.monotonic() - written)


def save_like_vim(path: Path, text: str) -> None:
    """Vim's dance: probe file 4913, swap file, backup by rename, new file, backup removed."""
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    backup = path.with_name(path.name + "~")
    existed = path.exists()
    if existed:
        os.replace(path, backup)
    path.write_text(text, encoding="utf-8")
    if existed:
        backup.unlink()
    swap.unlink()


# -- the server as a subprocess ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``journal serve`` running for real; its output is read as it comes."""

    def __init__(self, site: Path, *extra: str) -> None:
        self.site = site
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "journal_site", "serve", "--port", str(self.port)),
                *("--site", str(site), "--today", TODAY, *extra),
            ],
            cwd=site,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._cond = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self.wait_for(lambda: any(self.url in line for line in self.out), "the server's URL")

    def _read(self, stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._cond:
                lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, done: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        with self._cond:
            ok = self._cond.wait_for(lambda: done() or self.proc.poll() is not None, timeout)
            if not done():
                state = "exited" if self.proc.poll() is not None else "still running"
                raise AssertionError(
                    f"waited for {what}; server {state}\n"
                    f"stdout:\n{''.join(self.out)}\nstderr:\n{''.join(self.err)}"
                )
            assert ok

    def rebuilds(self) -> int:
        return sum(" changed: " in line for line in self.out)

    def wait_rebuilds(self, count: int) -> None:
        self.wait_for(lambda: self.rebuilds() >= count, f"{count} rebuilds")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=WAIT_S) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=WAIT_S)
        self.close()
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for reader in self._readers:
            reader.join(timeout=WAIT_S)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()  # type: ignore[union-attr]


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(site: Path, *extra: str) -> Server:
        servers.append(Server(site, *extra))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[Callable[[], object]]:
    contexts = []

    def make() -> object:
        context = browser.new_context(viewport={"width": 800, "height": 500})  # type: ignore[attr-defined]
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# -- tests ------------------------------------------------------------------------------------
@pytest.mark.browser
def test_saved_entry_shows_without_touching_the_browser(site, serve, new_page) -> None:
    from playwright.sync_api import expect

    root = site(SITE)
    server = serve(root)
    page = new_page()
    timeline = new_page()
    page.goto(server.url + "2026/11/24/")
    timeline.goto(server.url + "timeline/")
    expect(page.locator(".win")).to_have_text("Spoke up in the planning meeting")
    # Drafts are shown by default, and marked as drafts.
    page.goto(server.url + "2026/11/25/")
    expect(page.locator(".badge-draft")).to_have_text("draft")
    page.goto(server.url + "2026/11/24/")
    page.evaluate("window.scrollTo(0, 600)")
    page.wait_for_function("() => window.scrollY === 600")

    target = root / "content" / "2026-11-24.md"
    save_by_rename(target, SITE["content/2026-11-24.md"].replace("Spoke up in", "Led"))
    expect(page.locator(".win")).to_have_text("Led the planning meeting", timeout=WAIT_S * 1000)
    expect(timeline.get_by_text("Led the planning meeting")).to_be_visible()
    assert page.evaluate("window.scrollY") == 600, "the reload keeps the scroll position"

    # One rebuild per save, however the editor saves.
    saves = [save_twice, save_like_vim, save_by_rename]
    server.wait_rebuilds(1)
    SAVE_GAPS.clear()
    for number, save in enumerate(saves, start=1):
        text = f"Win number {number}"
        save(
            target, SITE["content/2026-11-24.md"].replace("Spoke up in the planning meeting", text)
        )
        expect(page.locator(".win")).to_have_text(text, timeout=WAIT_S * 1000)
        # The page shows the save before the build ends; the next save waits for the build.
        server.wait_rebuilds(1 + number)
    lines = [line for line in server.out if " changed: " in line]
    # A save_twice held up between its writes for longer than the watcher's step is two
    # saves, and may be built twice (the test process, not the server, made it so).
    from journal_site.serve.watch import STEP_MS

    held_up = sum(gap > STEP_MS / 1000 for gap in SAVE_GAPS)
    assert 1 + len(saves) <= len(lines) <= 1 + len(saves) + held_up, "".join(server.out)
    assert "content/2026-11-24.md changed: updated" in lines[-1]
    assert not any("4913" in line or ".swp" in line or "~" in line for line in lines)


@pytest.mark.browser
def test_errors_show_on_every_page_until_fixed(site, serve, new_page) -> None:
    from playwright.sync_api import expect

    root = site(SITE)
    server = serve(root)
    page, other = new_page(), new_page()
    page.goto(server.url + "2026/11/24/")
    other.goto(server.url + "timeline/")
    overlay, other_overlay = (p.locator(".journal-serve-overlay") for p in (page, other))

    target = root / "content" / "2026-11-24.md"
    # A colon inside an unquoted title: YAML stops at line 2 of the file.
    broken = SITE["content/2026-11-24.md"].replace("title: Spoke up", "title: Spoke up: again")
    save_by_rename(target, broken)
    for shown in (overlay, other_overlay):
        expect(shown).to_contain_text("content/2026-11-24.md:2: ", timeout=WAIT_S * 1000)
    # The last good page is still the one served.
    expect(page.locator(".win")).to_have_text("Spoke up in the planning meeting")
    status, body = server.get("2026/11/24/")
    assert status == 200 and b"Spoke up in the planning meeting" in body
    errors = [line for line in server.err if line.startswith("error: ")]
    assert errors == [errors[0]] and "content/2026-11-24.md:2: " in errors[0]
    # A page opened while the build is broken shows the errors too.
    late = new_page()
    late.goto(server.url)
    expect(late.locator(".journal-serve-overlay")).to_contain_text("content/2026-11-24.md:2: ")

    save_by_rename(target, SITE["content/2026-11-24.md"].replace("Spoke up in", "Fixed"))
    expect(page.locator(".win")).to_have_text("Fixed the planning meeting", timeout=WAIT_S * 1000)
    for shown in (overlay, other_overlay, late.locator(".journal-serve-overlay")):
        expect(shown).to_have_count(0)

    # A broken journal.toml is an error like any other; fixing it rebuilds everything.
    config = root / "journal.toml"
    save_by_rename(config, "title = \"Sam's journal\n")
    expect(overlay).to_contain_text("journal.toml:1: invalid TOML", timeout=WAIT_S * 1000)
    save_by_rename(config, 'title = "Sam\'s progress"\n')
    expect(page.locator(".site-title")).to_have_text("Sam's progress", timeout=WAIT_S * 1000)
    expect(overlay).to_have_count(0)
    assert not any("Traceback" in line for line in server.err)


@pytest.mark.browser
def test_deleted_entry_lands_on_the_timeline(site, serve, new_page) -> None:
    root = site(SITE)
    server = serve(root)
    page = new_page()
    page.goto(server.url + "2026/11/22/")
    (root / "content" / "2026-11-22.md").unlink()
    page.wait_for_url(server.url + "timeline/", timeout=WAIT_S * 1000)
    assert page.get_by_text("Ran 3 km without stopping").count() == 0


@pytest.mark.browser
def test_template_edit_shows(site, serve, new_page) -> None:
    from playwright.sync_api import expect

    root = site(SITE)
    server = serve(root)
    page = new_page()
    page.goto(server.url + "2026/11/20/")
    expect(page.locator(".win")).to_have_text("Walked to work")

    # The site gets its own templates/ folder while the server runs ...
    theme_entry = (REPO / "themes" / "default" / "templates" / "entry.html").read_text()
    marked = theme_entry.replace(
        "{% block content %}", '{% block content %}<p class="mark">One</p>'
    )
    (root / "templates").mkdir()
    save_by_rename(root / "templates" / "entry.html", marked)
    expect(page.locator(".mark")).to_have_text("One", timeout=WAIT_S * 1000)
    # ... and later edits of it show as well.
    save_like_vim(root / "templates" / "entry.html", marked.replace(">One<", ">Two<"))
    expect(page.locator(".mark")).to_have_text("Two", timeout=WAIT_S * 1000)


def _served_site(server: Server) -> dict[str, bytes]:
    status, listing = server.get("__journal__/files.json")
    assert status == 200
    import json

    files = {}
    for path in json.loads(listing):
        status, body = server.get(path)
        assert status == 200, path
        files[path] = INJECTED.sub(b"", body) if path.endswith(".html") else body
    return files


def _built_site(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_served_site_after_many_saves_equals_a_full_build(tmp_path, serve) -> None:
    """Every file the server holds, after edits, creations, renames and deletions of
    entries, a template and journal.toml, is byte for byte what ``journal build`` makes."""
    root = make_corpus(tmp_path / "site" / "content", 60).parent
    (root / "content" / "run.jpg").write_bytes(b"\xff\xd8\xff not really a photo")
    server = serve(root)

    # Clients that connect and never read, or vanish, must not hold anything up.
    host = f"Host: 127.0.0.1:{server.port}\r\n\r\n".encode()
    idle = []
    for _ in range(8):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            b"GET /__journal__/events?page=index.html&epoch=x.1&missing=0 HTTP/1.0\r\n" + host
        )
        idle.append(sock)
    with socket.create_connection(("127.0.0.1", server.port)) as gone:
        gone.sendall(b"GET /__journal__/events?page=index.html HTTP/1.0\r\n" + host)

    content = root / "content"
    entries = sorted(content.glob("*.md"))
    theme = REPO / "themes" / "default" / "templates"

    def edit_body() -> None:
        save_by_rename(entries[-1], entries[-1].read_text() + "\nOne more line.\n")

    def add_win() -> None:
        save_twice(entries[10], entries[10].read_text().replace("wins:", "wins:\n  - New win", 1))

    def create() -> None:
        save_like_vim(content / "2026-11-25.md", entry("New today", "Wrote it down"))

    def move() -> None:
        (content / "2020").mkdir()
        os.replace(entries[20], content / "2020" / "moved.md")

    def delete() -> None:
        entries[30].unlink()

    def replace_asset() -> None:
        (content / "run.jpg").write_bytes(b"\xff\xd8\xff another photo")

    def override_template() -> None:
        (root / "templates").mkdir()
        text = (theme / "timeline.html").read_text().replace("<h1>", "<h1 class='t'>")
        save_by_rename(root / "templates" / "timeline.html", text)

    def change_settings() -> None:
        save_by_rename(root / "journal.toml", 'title = "Renamed"\nper_page = 7\n')

    steps = [edit_body, add_win, create, move, delete, replace_asset, override_template]
    steps.append(change_settings)
    for number, step in enumerate(steps, start=1):
        step()
        server.wait_rebuilds(number)
        if step is edit_body:
            # An edited entry is read again alone, and only the pages showing it rendered.
            line = [line for line in server.out if " changed: " in line][-1]
            work = re.search(r"read (\d+) files?, made (\d+) of ([\d,]+) outputs", line)
            assert work, line
            read, rendered, total = (int(g.replace(",", "")) for g in work.groups())
            assert read == 1 and rendered < total / 4, line
    for sock in idle:
        sock.close()

    served = _served_site(server)
    built = run_journal(
        "build", "--drafts", "--today", TODAY, "--out", str(tmp_path / "full"), cwd=root
    )
    assert built.returncode == 0, built.stderr
    full = _built_site(tmp_path / "full")
    assert sorted(served) == sorted(full)
    different = [path for path in full if served[path] != full[path]]
    assert different == []
    assert served["timeline/index.html"].count(b"<h1 class='t'>") == 1
    assert b"Renamed" in served["index.html"]
    # `journal build` never carries the reload script.
    assert not any(INJECTED.search(body) for body in full.values())


def test_the_store_left_by_serve_makes_the_next_build_warm(site, serve) -> None:
    """What a served build learnt goes to the build store once the browser has the site:
    after a save and a stop, a build of the same journal parses, plans and renders
    nothing."""
    from journal_site.config import load_config
    from journal_site.engine.selection import everything
    from journal_site.engine.site import Engine
    from journal_site.engine.store import CACHE_DIR_NAME, Store, code_version

    root = site(SITE)
    server = serve(root, "--drafts")
    path = root / "content" / "2026-11-24.md"
    save_by_rename(path, path.read_text().replace("wins:", "wins:\n  - Kept at it", 1))
    server.wait_rebuilds(1)
    assert server.stop() == 0
    store = Store(root / CACHE_DIR_NAME, code_version())
    try:
        today = dt.date.fromisoformat(TODAY)
        result = Engine(load_config(root), today=today, drafts=True, store=store).build()
    finally:
        store.close()
    assert b"Kept at it" in result.output.files["2026/11/24/index.html"]
    assert result.stats["files_parsed"] == 0, result.stats
    assert result.stats["plans_reused"] == len(everything().builders), result.stats
    assert result.stats["outputs_made"] == 0, result.stats


def test_ctrl_c_stops_cleanly(site, serve) -> None:
    root = site(SITE)
    server = serve(root)
    listener = socket.create_connection(("127.0.0.1", server.port))
    listener.sendall(
        b"GET /__journal__/events?page=index.html&epoch=x.1 HTTP/1.0\r\n"
        + f"Host: localhost:{server.port}\r\n\r\n".encode()
    )
    assert server.get("2026/11/24/")[0] == 200

    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 5, "stopping should be prompt"
    listener.close()
    output = "".join(server.out) + "".join(server.err)
    assert "Goodbye" in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    # No process is left that was started for this site (the server or anything it ran).
    leftovers = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(root).encode() in cmdline:
                leftovers.append(cmdline)
    assert leftovers == []


def test_port_in_use_is_a_usage_error(site, journal) -> None:
    root = site(SITE)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = journal("serve", "--port", str(port), "--today", TODAY, cwd=root, timeout=60)
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "Traceback" not in result.stderr


def test_missing_page_is_404_with_a_way_back(site, serve) -> None:
    server = serve(site(SITE))
    status, body = server.get("2026/01/01/")
    assert status == 404
    assert b"timeline/" in body and INJECTED.search(body)
    status, body = server.get("timeline")  # no trailing slash: redirected
    assert status == 200 and b"Ran 3 km" in body


def test_site_under_a_base_path(site, serve) -> None:
    files = {**SITE, "journal.toml": 'title = "Sam"\nbase_url = "https://example.org/journal/"\n'}
    server = serve(site(files))
    status, body = server.get("")  # "/" leads to the site's own root
    assert status == 200 and b'href="/journal/timeline/"' in body
    status, body = server.get("journal/2026/11/22/")
    assert status == 200 and b"Ran 3 km without stopping" in body
    assert server.get("2026/11/22/")[0] == 404


# -- how a page shows a rebuild ---------------------------------------------------------------
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.mark.browser
def test_a_page_without_scripts_updates_in_place(site, serve, new_page) -> None:
    """An entry page gets its new body without a navigation: same document, same scroll,
    new title, and the reload script (back in the body) keeps listening."""
    from playwright.sync_api import expect

    root = site(SITE)
    server = serve(root)
    page = new_page()
    page.add_init_script(WATCH_CSP)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.goto(server.url + "2026/11/24/")
    page.evaluate("window.scrollTo(0, 500); window.__sameDocument = true")
    page.wait_for_function("() => window.scrollY === 500")
    tag = page.locator("script[data-epoch]")
    served_at = tag.get_attribute("data-epoch")

    target = root / "content" / "2026-11-24.md"
    text = SITE["content/2026-11-24.md"]
    save_by_rename(target, text.replace("title: Spoke up", "title: Spoke up twice"))
    expect(page).to_have_title(re.compile("^Spoke up twice"), timeout=WAIT_S * 1000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("window.scrollY") == 500
    assert navigations == [server.url + "2026/11/24/"]
    expect(tag).to_have_count(1)
    assert tag.get_attribute("data-epoch") != served_at
    # The page goes on following saves, errors included.
    save_by_rename(target, text.replace("title: Spoke up", "title: Spoke: up"))
    expect(page.locator(".journal-serve-overlay")).to_contain_text(
        "content/2026-11-24.md:2: ", timeout=WAIT_S * 1000
    )
    save_by_rename(target, text.replace("Spoke up in", "Chaired"))
    expect(page.locator(".win")).to_have_text(
        "Chaired the planning meeting", timeout=WAIT_S * 1000
    )
    expect(page.locator(".journal-serve-overlay")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("window.__csp") == []


@pytest.mark.browser
def test_a_page_with_its_own_script_reloads(site, serve, new_page) -> None:
    """The wins wall sets up its tag filter once per load: it is reloaded, not swapped,
    and the filter works on the new page."""
    from playwright.sync_api import expect

    files = {
        **SITE,
        "content/2026-11-21.md": entry("Home", "Fixed the tap").replace("[work]", "[home]"),
    }
    root = site(files)
    server = serve(root)
    page = new_page()
    page.add_init_script(WATCH_CSP)
    page.goto(server.url + "wins/")
    assert page.locator('script[src*="/static/wins."]').count() == 1
    page.evaluate("window.__sameDocument = true")

    target = root / "content" / "2026-11-22.md"
    save_by_rename(target, SITE["content/2026-11-22.md"].replace("Ran 3 km", "Ran 5 km"))
    expect(page.get_by_text("Ran 5 km without stopping")).to_be_visible(timeout=WAIT_S * 1000)
    assert page.evaluate("window.__sameDocument") is None
    page.locator(".tag-filter a.chip", has_text="home").click()
    expect(page.get_by_text("Fixed the tap")).to_be_visible()
    expect(page.get_by_text("Ran 5 km without stopping")).to_be_hidden()
    assert page.evaluate("window.__csp") == []


@pytest.mark.browser
def test_a_changed_stylesheet_reloads_the_page(site, serve, new_page) -> None:
    """A new stylesheet changes every page's <head>: pages reload and use it."""
    from playwright.sync_api import expect

    root = site(SITE)
    server = serve(root)
    page = new_page()
    page.goto(server.url + "2026/11/20/")
    page.evaluate("window.__sameDocument = true")
    (root / "static").mkdir()
    theme_css = (REPO / "themes" / "default" / "static" / "style.css").read_text()
    save_by_rename(
        root / "static" / "style.css", theme_css + "\n.win { outline: 3px solid rgb(1, 2, 3); }\n"
    )
    expect(page.locator(".win")).to_have_css(
        "outline-color", "rgb(1, 2, 3)", timeout=WAIT_S * 1000
    )
    assert page.evaluate("window.__sameDocument") is None


def test_reload_script_is_cached_and_pages_carry_the_csp(site, serve) -> None:
    from journal_site.publish import CONTENT_SECURITY_POLICY

    server = serve(site(SITE))
    with urllib.request.urlopen(server.url + "2026/11/22/", timeout=WAIT_S) as response:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["Cache-Control"] == "no-store"
        found = INJECTED.search(response.read())
    assert found
    src = re.search(rb'src="([^"]+)"', found.group(0)).group(1).decode()
    with urllib.request.urlopen(server.url + src.lstrip("/"), timeout=WAIT_S) as response:
        assert response.headers["Cache-Control"] == "max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/javascript")
        script = response.read()
    # The name changes with the bytes, so a browser never keeps an old script.
    import hashlib

    assert hashlib.blake2b(script, digest_size=5).hexdigest() in src
    assert server.get("__journal__/reload.js")[0] == 404


def _raw_get(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    """A request with exactly this ``Host`` header (None: none at all)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_requests_for_other_host_names_are_refused(site, serve) -> None:
    """A page of another site whose name a DNS trick points at 127.0.0.1 sends its own
    name as Host: it gets nothing of the journal, not even the list of its files."""
    server = serve(site(SITE))
    port = server.port
    refused = [f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", "", None]
    paths = ["/", "/2026/11/24/", "/__journal__/files.json", "/__journal__/events?page=x"]
    for host in refused:
        for path in paths:
            status, body = _raw_get(port, path, host)
            assert status in (403, 421), (host, path)
            assert b"Spoke up" not in body and b"index.html" not in body
    for host in (f"127.0.0.1:{port}", f"LOCALHOST:{port}", "localhost", f"[::1]:{port}"):
        status, body = _raw_get(port, "/2026/11/24/", host)
        assert status == 200 and b"Spoke up in the planning meeting" in body, host


def _start_loop(root: Path) -> tuple[object, object, object, threading.Thread]:
    """The build loop of app.py in this process, fed as the watchers feed it."""
    import argparse
    import queue

    from journal_site.config import load_config
    from journal_site.serve.app import Builder
    from journal_site.serve.live import LiveSite

    config = load_config(root)
    live = LiveSite(config.base_path)
    args = argparse.Namespace(drafts=True, today=dt.date.fromisoformat(TODAY))
    builder, changes, built = Builder(config, args, live), queue.SimpleQueue(), threading.Event()
    # No watcher: only content files change here, which never asks it to follow folders.
    loop = threading.Thread(target=builder.run, args=(changes, None, built))
    loop.start()
    assert built.wait(WAIT_S)
    return live, changes, builder, loop


def test_a_save_during_a_build_abandons_it(site, capsys) -> None:
    """A batch that comes while a build runs stops that build at its next page; the next
    build has both saves, makes the saved entries' pages first and publishes once."""
    from watchfiles import Change

    root = site(SITE)
    live, changes, _, loop = _start_loop(root)
    first_page, second_page = "2026/11/20/index.html", "2026/11/22/index.html"
    served_at = live.lookup(first_page)[1]
    first, second = root / "content" / "2026-11-20.md", root / "content" / "2026-11-22.md"
    made: list[str] = []
    put = live.put

    def put_and_save_again(path: str, data: bytes) -> None:
        made.append(path)
        if len(made) == 1:  # the second save comes as the first build makes its first page
            save_by_rename(second, SITE["content/2026-11-22.md"].replace("3 km", "5 km"))
            changes.put({(Change.modified, str(second))})
        put(path, data)

    live.put = put_and_save_again  # type: ignore[method-assign]
    try:
        save_by_rename(first, SITE["content/2026-11-20.md"].replace("to work", "home"))
        changes.put({(Change.modified, str(first))})
        deadline, out = time.monotonic() + WAIT_S, ""
        while b"Ran 5 km" not in (live.lookup(second_page)[0] or b"") or " changed: " not in out:
            assert time.monotonic() < deadline, "the second build was never published"
            time.sleep(0.01)
            out += capsys.readouterr().out
    finally:
        changes.put(None)
        loop.join(WAIT_S)
    assert not loop.is_alive()
    assert made[0] == first_page, "the saved entry's page is made before any other"
    assert set(made[1:3]) == {first_page, second_page}, "then both saved entries' pages"
    lines = [line for line in out.splitlines() if line.startswith("[")][1:]  # after the first
    assert len(lines) == 2, out
    assert lines[0].endswith("content/2026-11-20.md: build abandoned for a newer change.")
    assert "content/2026-11-20.md, content/2026-11-22.md changed: updated" in lines[1]
    assert b"Walked home" in live.lookup(first_page)[0]
    assert live.verdict(first_page, served_at, False) == ("reload", "")


def test_garbage_cycles_set_aside_are_collected_once_no_change_comes() -> None:
    """A build's leavings are set aside from the cycle collector (so that it does not walk
    them while the next save is shown); the build thread collects garbage cycles, those
    set aside included, once no change has come for a while, and takes the next change
    as ever."""
    import gc
    import queue
    import weakref

    from watchfiles import Change

    from journal_site.serve.app import _collect_garbage, _take

    class Node:
        pass

    node = Node()
    node.itself = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    gc.freeze()  # as a build leaves it
    del node
    gc.collect()
    try:
        assert gone() is not None, "a cycle set aside outlives a collection"
        changes: queue.SimpleQueue = queue.SimpleQueue()
        batch = {(Change.modified, "content/2026-11-20.md")}
        idle: list[bool] = []

        def on_idle() -> None:
            idle.append(gone() is None)
            _collect_garbage()
            idle.append(gone() is None)

        later = threading.Timer(0.3, changes.put, [batch])
        later.start()
        assert _take(changes, on_idle, idle_s=0.05) == batch
        later.join()
        assert idle == [False, True]
        # A change already waiting is taken at once: no collection.
        changes.put(batch)
        assert _take(changes, on_idle, idle_s=0.05) == batch
        assert len(idle) == 2
    finally:
        gc.unfreeze()


def test_a_page_put_early_reloads_once() -> None:
    """A page served as soon as it is made is not reloaded again by the publication of
    its build; one put by an abandoned build and made otherwise since is."""
    from journal_site.serve.live import LiveSite

    live = LiveSite("/")
    live.publish({"a/index.html": b"a0", "b/index.html": b"b0"}, ["a/index.html", "b/index.html"])
    start = live.lookup("a/index.html")[1]
    live.put("a/index.html", b"a1")
    early = live.lookup("a/index.html")[1]
    assert live.verdict("a/index.html", start, False) == ("reload", "")
    assert live.verdict("b/index.html", start, False) == ("ok", "")
    live.publish({"a/index.html": b"a1", "b/index.html": b"b1"}, ["a/index.html", "b/index.html"])
    assert live.verdict("a/index.html", early, False) == ("ok", ""), "shown twice"
    assert live.verdict("b/index.html", early, False) == ("reload", "")
    later = live.lookup("a/index.html")[1]
    live.put("a/index.html", b"a2")  # then abandoned; the next build makes a1 again
    live.publish({"a/index.html": b"a1", "b/index.html": b"b1"}, [])
    assert live.verdict("a/index.html", later, False) == ("reload", "")
    assert live.verdict("b/index.html", later, False) == ("ok", "")


def _big_journal(count: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"journal.toml": 'title = "Many days"\n'}
    newest = dt.date(2026, 11, 24)
    for number in range(count):
        day = newest - dt.timedelta(days=number)
        text = entry(f"Day {number}", f"Win {number}", body="Some words here. " * 30)
        files[f"content/{day.isoformat()}.md"] = text.replace("[work]", f"[work, t{number % 9}]")
    theme = REPO / "themes" / "default" / "templates" / "entry.html"
    files["templates/entry.html"] = theme.read_text()
    return files


@pytest.mark.browser
def test_a_save_overtakes_a_running_rebuild(site, serve, new_page) -> None:
    """While a template edit rebuilds every page of a few hundred entries, a save of the
    entry on screen abandons that build and shows at once, ahead of the rebuild."""
    from playwright.sync_api import expect

    root = site(_big_journal(500))
    server = serve(root)
    target, template = root / "content" / "2026-11-24.md", root / "templates" / "entry.html"
    original, theme = target.read_text(), template.read_text()
    page = new_page()
    page.goto(server.url + "2026/11/24/")
    save_by_rename(target, original.replace("Win 0", "First save"))
    expect(page.locator(".win")).to_have_text("First save", timeout=WAIT_S * 1000)
    server.wait_rebuilds(1)

    def shown(selector: str, text: str = "") -> None:
        page.wait_for_function(
            "([s, t]) => (document.querySelector(s)?.textContent ?? '').includes(t)",
            arg=[selector, text],
            polling="raf",
            timeout=WAIT_S * 1000,
        )

    # Some work in every page, so that the template's build takes seconds whatever the
    # machine: the save below must come while it runs.
    busy = "{% set ns = namespace(n=0) %}{% for i in range(4000) %}{% set ns.n = ns.n + i %}{% endfor %}"
    mark = '{% block content %}<p class="mark">Template edit</p>' + busy
    save_by_rename(template, theme.replace("{% block content %}", mark))
    shown(".mark")  # the template build's first page: every other page is still to make
    saved_at = time.monotonic()
    save_by_rename(target, original.replace("Win 0", "Second save"))
    shown(".win", "Second save")
    took = time.monotonic() - saved_at
    rebuilds_when_shown = server.rebuilds()
    server.wait_rebuilds(2)
    out = "".join(server.out)
    print(f"second save shown after {took * 1000:.0f} ms\n{out}")
    lines = [line.rstrip() for line in server.out if line.startswith("[")][2:]
    assert lines[0].endswith("templates/entry.html: build abandoned for a newer change."), out
    assert "content/2026-11-24.md, templates/entry.html changed: updated" in lines[-1], out
    assert server.rebuilds() == 2, "the template's build never completed on its own"
    assert rebuilds_when_shown == 1, "the save showed before the rest of the site was built"
    expect(page.locator(".mark")).to_have_text("Template edit")
