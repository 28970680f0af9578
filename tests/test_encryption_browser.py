"""Encrypted and plain builds in a real headless Chromium, served with netlify.toml's headers.

The built site is served by a real ThreadingHTTPServer on 127.0.0.1 that sends the
headers of netlify.toml (the CSP among them), so a page that breaks the policy shows
a violation here exactly as it would on Netlify.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, run_journal, write_files
from pages_support import serve as serve_without_headers
from privacy_support import (
    FIXTURE,
    PASSWORD,
    TODAY,
    Built,
    build_fixture,
    netlify_headers,
    open_file,
    open_page,
    output_files,
    serve,
)

pytestmark = pytest.mark.browser

ENTRY_TITLE = "Spoke up at the lighthouse meeting"
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_fixture(
        tmp_path_factory.mktemp("enc") / "site", {"JOURNAL_PASSWORD": PASSWORD}, "--publish"
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_fixture(tmp_path_factory.mktemp("plain") / "site")


@pytest.fixture(scope="module")
def encrypted_url(encrypted: Built) -> Iterator[str]:
    with serve(encrypted.public) as url:
        yield url


@pytest.fixture(scope="module")
def plain_url(plain: Built) -> Iterator[str]:
    with serve(plain.public) as url:
        yield url


class Watch:
    """What a page did that it must not: CSP violations, errors, requests to other hosts."""

    def __init__(self, page: object, base: str) -> None:
        self.problems: list[str] = []
        page.add_init_script(WATCH_CSP)
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if (m.type == "error" and "Failed to load resource" not in m.text)
                or "Content Security Policy" in m.text
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "response",
            lambda r: (
                self.problems.append(f"{r.status} for {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((base, "blob:", "data:"))
                else self.problems.append(f"request to {r.url}")
            ),
        )
        self.page = page

    def collect(self) -> list[str]:
        violations = self.page.evaluate("window.__csp || []")
        return self.problems + [f"CSP violation: {v}" for v in violations]


def unlock(page: object, password: str) -> None:
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#unlock-password", password)
    page.click("#unlock-form button[type=submit]")


def wait_unlocked(page: object) -> None:
    page.wait_for_selector("html[data-journal-unlocked]", timeout=20_000)
    page.wait_for_load_state("networkidle")


def test_unlock_navigate_search_and_lock(
    browser: object, encrypted: Built, encrypted_url: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, encrypted_url)
    page.goto(encrypted_url)
    assert ENTRY_TITLE not in page.content()

    # A wrong password says so and shows nothing.
    unlock(page, "not the password")
    status = page.locator("#unlock-status")
    status.filter(has_text="does not open").wait_for(timeout=20_000)
    assert ENTRY_TITLE not in page.content()
    assert not page.locator("html[data-journal-unlocked]").count()
    assert page.evaluate("sessionStorage.length") == 0

    # The right one shows the journal, and keeps the derived key (not the password).
    unlock(page, PASSWORD)
    wait_unlocked(page)
    page.get_by_role("link", name=ENTRY_TITLE).first.wait_for()
    stored = page.evaluate("JSON.stringify(sessionStorage)")
    assert PASSWORD not in stored and "key" in stored

    # Another page opens without a second password, with its (encrypted) image shown.
    page.get_by_role("link", name=ENTRY_TITLE).first.click()
    wait_unlocked(page)
    assert page.locator("#entry-title").inner_text() == ENTRY_TITLE
    assert not page.locator("#unlock-form").count()
    image = page.locator("main img").first
    image.wait_for()
    page.wait_for_function("() => document.querySelector('main img').naturalWidth > 0")
    assert image.get_attribute("src").startswith("blob:")
    assert "/f/" not in page.url and "2026" not in page.url

    # Search works after unlocking, from the encrypted index.
    if (encrypted.public / "search" / "index.html").exists():
        page.goto(encrypted_url + "search/")
        wait_unlocked(page)
        box = page.locator("input[type=search]").first
        box.fill("cormorant")
        page.get_by_text(ENTRY_TITLE).first.wait_for(timeout=10_000)

    # The wins wall's filter runs on decrypted content (wins.js loads after decryption).
    page.goto(encrypted_url + "wins/")
    page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
    cards = page.locator(".win-card")
    total = cards.count()
    assert total >= 4
    page.locator('.tag-filter a.chip[data-tag="cold-swimming"]').first.click()
    page.wait_for_function(
        "() => document.querySelectorAll('.win-card:not([hidden])').length === 1", timeout=5_000
    )
    assert page.locator(".win-card:not([hidden])").inner_text().startswith("Swam four lengths")

    # Charts are part of the decrypted page.
    page.goto(encrypted_url + "stats/")
    page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
    assert page.locator("main svg").count() >= 1

    # Lock forgets the key: the page asks again, and so does every other page.
    page.get_by_role("button", name="Lock").click()
    page.wait_for_selector("#unlock-form:not([hidden])")
    assert ENTRY_TITLE not in page.content()
    assert page.evaluate("sessionStorage.length") == 0
    page.goto(encrypted_url + "timeline/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    assert ENTRY_TITLE not in page.content()
    assert watch.collect() == []
    context.close()


def pages_of(public: Path) -> list[str]:
    """Every HTML page of a build, as the URL path a browser asks for."""
    paths = []
    for path in output_files(public):
        if path.name == "index.html":
            paths.append(path.parent.relative_to(public).as_posix().removeprefix(".") + "/")
    return sorted(paths)


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
def test_every_page_meets_the_csp(
    browser: object, kind: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(kind)
    base: str = request.getfixturevalue(f"{kind}_url")
    expected_csp = netlify_headers()["Content-Security-Policy"]
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, base)
    paths = pages_of(built.public)
    assert len(paths) >= 6
    for index, path in enumerate(paths):
        response = page.goto(base + path.lstrip("/"))
        assert response is not None and response.ok, path
        assert response.headers["content-security-policy"] == expected_csp
        if kind == "encrypted":
            if index == 0:
                unlock(page, PASSWORD)
            page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
        if path.startswith("/search/"):
            page.wait_for_load_state("networkidle")  # the index is fetched after load
        assert page.locator("main").count() == 1, path
        assert watch.collect() == [], path
    context.close()


def test_the_watch_sees_a_csp_violation(browser: object, tmp_path: Path) -> None:
    """The CSP checks above must be able to fail: an inline script and style are caught."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>x</title><main><p style='color:red'>x</p></main>"
        "<script>document.title = 'ran'</script>",
        encoding="utf-8",
    )
    with serve(tmp_path) as base:
        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base)
        page.wait_for_load_state("networkidle")
        problems = watch.collect()
        context.close()
    assert any("script-src" in p for p in problems), problems
    assert any("style-src" in p for p in problems), problems


INLINE_SCRIPT_RUNS = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__inline = 1";
  document.head.appendChild(script);
  return window.__inline === 1;
}"""


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
def test_pages_carry_the_policy_on_hosts_that_send_no_headers(
    browser: object, kind: str, request: pytest.FixtureRequest
) -> None:
    """With no header at all, each page's own <meta> policy blocks inline code, and
    unlocking, search and the wins filter still work under it."""
    built: Built = request.getfixturevalue(kind)
    header = netlify_headers()["Content-Security-Policy"]
    expected = "; ".join(
        part for part in header.split("; ") if not part.startswith("frame-ancestors")
    )
    for path in pages_of(built.public):
        page_html = (built.public / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
        meta = re.search(
            r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page_html
        )
        assert meta and html.unescape(meta[1]) == expected, path

    with serve_without_headers(built.public) as base:
        context = browser.new_context()
        page = context.new_page()
        response = page.goto(base + "search/")
        assert response is not None and "content-security-policy" not in response.headers
        assert page.evaluate(INLINE_SCRIPT_RUNS) is False
        context.close()

        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base + "search/")
        if kind == "encrypted":
            unlock(page, PASSWORD)
            wait_unlocked(page)
        page.locator("input[type=search]").first.fill("cormorant")
        page.get_by_text(ENTRY_TITLE).first.wait_for(timeout=10_000)
        page.goto(base + "wins/")
        page.wait_for_load_state("networkidle")
        if kind == "encrypted":
            page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
        page.locator('.tag-filter a.chip[data-tag="cold-swimming"]').first.click()
        page.wait_for_function(
            "() => document.querySelectorAll('.win-card:not([hidden])').length === 1",
            timeout=5_000,
        )
        assert watch.collect() == []
        context.close()


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
def test_a_malformed_fragment_does_not_stop_the_scripts(
    browser: object, kind: str, request: pytest.FixtureRequest
) -> None:
    """#%E0 cannot be decoded: the page ignores it and its scripts run as usual."""
    base: str = request.getfixturevalue(f"{kind}_url")
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, base)
    page.goto(base + "search/#%E0")
    if kind == "encrypted":
        unlock(page, PASSWORD)
        page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
    page.locator("input[type=search]").first.fill("cormorant")
    page.get_by_text(ENTRY_TITLE).first.wait_for(timeout=10_000)

    page.goto(base + "wins/#tag=%E0")
    if kind == "encrypted":
        page.wait_for_selector("html[data-journal-ready]", timeout=20_000)
    page.wait_for_load_state("networkidle")
    total = page.locator(".win-card").count()
    assert page.locator(".win-card:not([hidden])").count() == total  # no tag chosen
    page.locator('.tag-filter a.chip[data-tag="cold-swimming"]').first.click()
    page.wait_for_function(
        "() => document.querySelectorAll('.win-card:not([hidden])').length === 1", timeout=5_000
    )
    assert watch.collect() == []
    context.close()


def test_a_page_or_file_moved_to_another_address_does_not_open(
    browser: object, encrypted: Built, tmp_path: Path
) -> None:
    """Ciphertexts are bound to their address: an entry's sealed page copied over
    /wins/ shows the password form's error, and a file copied over another's name
    is refused, never shown as the other."""
    public = tmp_path / "public"
    shutil.copytree(encrypted.public, public)
    entry = next(p for p in public.glob("p/*/index.html") if ENTRY_TITLE in open_page(p))
    shutil.copyfile(entry, public / "wins" / "index.html")
    files = sorted(public.glob("f/*.bin"))
    image = next(f for f in files if open_file(f, entry)[0] == "image/png")
    other = next(f for f in files if f != image)
    shutil.copyfile(image, other)
    fetch = "url => window.journalSealed.fetchBytes(url).then(f => f.type, e => 'refused')"

    with serve(public) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "wins/")
        unlock(page, PASSWORD)
        page.locator("#unlock-status").filter(has_text="does not open").wait_for(timeout=20_000)
        assert ENTRY_TITLE not in page.content()
        assert not page.locator("html[data-journal-unlocked]").count()

        # With the key already in the tab, the moved page still does not open.
        page.goto(base)
        unlock(page, PASSWORD)
        wait_unlocked(page)
        assert page.evaluate(fetch, f"/f/{image.name}") == "image/png"
        assert page.evaluate(fetch, f"/f/{other.name}") == "refused"
        page.goto(base + "wins/")
        page.wait_for_selector("#unlock-form:not([hidden])", timeout=20_000)
        assert ENTRY_TITLE not in page.content()
        assert not page.locator("html[data-journal-unlocked]").count()
        context.close()


def test_the_journal_s_own_static_files_are_encrypted(browser: object, tmp_path: Path) -> None:
    """A photo in the journal's own static/ (shown by a template of the journal's) is
    published neither readable nor under its name, and shows once unlocked; the
    journal's copy of the favicon, which the unlock page shows, stays readable."""
    photo = (FIXTURE / "content" / "2026" / "img" / "harbour-lights.png").read_bytes()
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    base_html = (REPO / "themes" / "default" / "templates" / "base.html").read_text("utf-8")
    footer = '<footer class="site-footer">'
    assert footer in base_html
    write_files(
        root,
        {
            "static/holiday-photo.png": photo,
            "static/favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
            "templates/base.html": base_html.replace(
                footer, footer + '\n<img src="{{ static(\'holiday-photo.png\') }}" alt="Holiday">'
            ),
        },
    )
    env = {"JOURNAL_PASSWORD": PASSWORD, "JOURNAL_BASIC_AUTH": ""}
    result = run_journal("build", "--today", TODAY, cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    public = root / "public"
    names = [p.relative_to(public).as_posix() for p in output_files(public)]
    assert not [name for name in names if "holiday" in name]
    assert not [name for name in names if photo in (public / name).read_bytes()]
    assert [name for name in names if name.startswith("static/favicon.")]

    with serve(public) as base:
        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, base)
        page.goto(base)
        unlock(page, PASSWORD)
        wait_unlocked(page)
        page.wait_for_function(
            "() => document.querySelector('img[alt=Holiday]').naturalWidth > 0", timeout=10_000
        )
        assert page.locator("img[alt=Holiday]").get_attribute("src").startswith("blob:")
        assert watch.collect() == []
        context.close()
