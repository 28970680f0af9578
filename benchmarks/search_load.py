"""Search page: index size and the time from opening /search/?q=word to the results.

    python benchmarks/search_load.py [--entries 4000] [--runs 5] [--query garden]

Makes a journal with ``benchmarks/corpus.py``, builds it with the real CLI,
serves ``public/`` with a threaded HTTP server on 127.0.0.1 and opens the search page
in a fresh headless Chromium context per run (Debian's /usr/bin/chromium, nothing
cached), measuring from navigation start until search.js has put the results in the page. Prints the index's files and
sizes (raw and gzip, as a static host would send them) and the median time with spread.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from corpus import add_generator_option, generate

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="garden")
    add_generator_option(parser)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        generate(args.generator, root / "content", args.entries)
        subprocess.run(
            [sys.executable, "-m", "journal_site", "build", "--today", "2026-11-25"],
            cwd=root,
            check=True,
            capture_output=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )
        public = root / "public"
        files = sorted((public / "search").glob("*.json"))
        raw = [f.stat().st_size for f in files]
        packed = [len(gzip.compress(f.read_bytes())) for f in files]
        print(
            f"{args.entries:,} entries: {len(files)} index files, {sum(raw) / 1e6:.2f} MB "
            f"({sum(packed) / 1e6:.2f} MB gzip), largest {max(raw) / 1e3:.0f} kB"
        )

        handler = functools.partial(_Quiet, directory=str(public))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/search/?q={args.query}"
        times: list[float] = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for _ in range(args.runs):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_selector(".search-result")
                    # From the start of navigation to the mark search.js sets once results
                    # are in the page (the browser's clock, not the polling's).
                    times.append(
                        page.evaluate(
                            "performance.getEntriesByName('journal-search-results')[0].startTime"
                        )
                        / 1000
                    )
                    context.close()
                browser.close()
        finally:
            server.shutdown()
        print(
            f"open {url.split('/', 3)[3]} -> first result: median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {args.runs} runs)"
        )


if __name__ == "__main__":
    main()
