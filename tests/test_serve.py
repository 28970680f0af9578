"""``journal serve``: a real server in a subprocess, real editor-style saves, real Chromium.

Every wait is for an event (a line in the server's output, a page showing a text),
never a fixed sleep.
"""

from __future__ import annotations

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
INJECTED = re.compile(rb'<script src="/__journal__/reload\.js"[^>]*></script>')


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


def save_twice(path: Path, text: str) -> None:
    """Truncate-and-write, then write again: two modifications of the same file in a row."""
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    path.write_text(text, encoding="utf-8")


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
    page.wait_for_function("window.scrollY === 600")

    target = root / "content" / "2026-11-24.md"
    save_by_rename(target, SITE["content/2026-11-24.md"].replace("Spoke up in", "Led"))
    expect(page.locator(".win")).to_have_text("Led the planning meeting", timeout=WAIT_S * 1000)
    expect(timeline.get_by_text("Led the planning meeting")).to_be_visible()
    assert page.evaluate("window.scrollY") == 600, "the reload keeps the scroll position"

    # One rebuild per save, however the editor saves. Each page names the build it
    # was served from (the epoch counts good builds), and a straggler of one save
    # would be built before the next save: so epochs advance by one per save.
    def epoch() -> int:
        return int(page.locator("script[data-epoch]").get_attribute("data-epoch").split(".")[1])

    saves = [save_twice, save_like_vim, save_by_rename]
    first = epoch()
    for number, save in enumerate(saves, start=1):
        text = f"Win number {number}"
        save(
            target, SITE["content/2026-11-24.md"].replace("Spoke up in the planning meeting", text)
        )
        expect(page.locator(".win")).to_have_text(text, timeout=WAIT_S * 1000)
    assert epoch() - first == len(saves), "".join(server.out)
    server.wait_rebuilds(1 + len(saves))
    lines = [line for line in server.out if " changed: " in line]
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
    idle = []
    for _ in range(8):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            b"GET /__journal__/events?page=index.html&epoch=x.1&missing=0 HTTP/1.0\r\n\r\n"
        )
        idle.append(sock)
    with socket.create_connection(("127.0.0.1", server.port)) as gone:
        gone.sendall(b"GET /__journal__/events?page=index.html HTTP/1.0\r\n\r\n")

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
            work = re.search(r"read (\d+) files?, rendered (\d+) of ([\d,]+) pages", line)
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


def test_ctrl_c_stops_cleanly(site, serve) -> None:
    root = site(SITE)
    server = serve(root)
    listener = socket.create_connection(("127.0.0.1", server.port))
    listener.sendall(b"GET /__journal__/events?page=index.html&epoch=x.1 HTTP/1.0\r\n\r\n")
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
