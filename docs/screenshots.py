"""Retake the README's screenshots (docs/screenshot-*.png) from the example journal.

Run from anywhere, with the project's test extra installed (Playwright) and a
Chromium on the machine:

    python docs/screenshots.py                      # rewrite docs/screenshot-*.png
    python docs/screenshots.py --out /tmp/shots --variants   # plus phone and dark shots

It builds the example journal in content/ with ``python -m journal_site build`` into a
temporary folder, serves that folder on 127.0.0.1 (a free port) and photographs pages
with headless Chromium at 1280 px wide in the light scheme. "Today" is pinned so the
streak, the week's wins and the heatmap look the same whenever the shots are retaken;
move ``TODAY`` forward only together with the example entries. Requests to any other
host are refused, so a shot can never show something fetched from the internet.

``--variants`` also writes a 390 px phone shot and a dark-scheme shot of every page
(``*-phone.png``, ``*-dark.png``): the README does not use them, they are for checking
layouts by eye. If ``optipng`` is on the PATH the PNGs are recompressed losslessly.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-26"
DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 390, "height": 844}


PAPER = {"width": 794, "height": 1123}
"""An A4 sheet at 96 pixels to the inch, for the print shot."""


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file name, the page's path on the site, whether to take the
    whole page (else only the first screenful), the window's size and the CSS media
    ("print" shows the page as its print style lays it out)."""

    name: str
    path: str
    full_page: bool
    viewport: dict[str, int] = field(default_factory=lambda: DESKTOP)
    media: str = "screen"


SHOTS = (
    Shot("screenshot-home.png", "", full_page=True),
    Shot("screenshot-entry.png", "2026/11/21/", full_page=True),
    Shot("screenshot-stats.png", "stats/", full_page=True),
    # The wall is long; the first screenful shows the filters and the card grid.
    Shot("screenshot-wins.png", "wins/", full_page=False),
    # A whole week, on a desktop, on a phone, and as it prints.
    Shot("screenshot-review-week.png", "reviews/2026-W47/", full_page=True),
    Shot("screenshot-review-week-phone.png", "reviews/2026-W47/", True, viewport=PHONE),
    Shot("screenshot-review-week-print.png", "reviews/2026-W47/", False, PAPER, "print"),
)


def build(out: Path) -> None:
    """Build the example journal into ``out`` with this checkout's code."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "journal_site", "build", "--today", TODAY, "--out", str(out)]
    subprocess.run(command, cwd=REPO, env=env, check=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def take(base: str, out: Path, chromium: str, variants: bool) -> list[Path]:
    """Photograph every page in SHOTS; returns the files written."""
    from playwright.sync_api import sync_playwright

    looks = [("", DESKTOP, "light")]
    if variants:
        looks += [("-phone", PHONE, "light"), ("-dark", DESKTOP, "dark")]
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for suffix, viewport, scheme in looks:
                for shot in SHOTS:
                    if suffix and shot.viewport is not DESKTOP:
                        continue  # a shot of its own size has no variants
                    context = browser.new_context(
                        viewport=viewport if suffix else shot.viewport,
                        color_scheme=scheme,
                        device_scale_factor=1,
                    )
                    # Only the local server: a shot must not depend on (or reveal) the network.
                    context.route(
                        "**/*",
                        lambda route: (
                            route.continue_()
                            if route.request.url.startswith(base)
                            else route.abort()
                        ),
                    )
                    page = context.new_page()
                    page.emulate_media(media=shot.media)
                    page.goto(base + shot.path, wait_until="networkidle")
                    page.evaluate("document.fonts.ready")
                    target = out / shot.name.replace(".png", f"{suffix}.png")
                    page.screenshot(path=str(target), full_page=shot.full_page)
                    written.append(target)
                    context.close()
        finally:
            browser.close()
    return written


def squeeze(files: list[Path]) -> None:
    """Recompress losslessly when optipng is installed (the PNGs are committed)."""
    optipng = shutil.which("optipng")
    if optipng:
        subprocess.run([optipng, "-quiet", "-o2", *map(str, files)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNGs")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium to drive")
    parser.add_argument("--variants", action="store_true", help="also phone and dark shots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "public"
        build(site)
        with serve(site) as base:
            written = take(base, args.out, args.chromium, args.variants)
    squeeze(written)
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
