"""Live reload: time from a saved file to the browser showing the new text.

    python benchmarks/reload.py [--entries 4000] [--saves 12] [--template-saves 10]
                                [--rhythm both|shown|idle]

Makes a journal with ``benchmarks/corpus.py``, starts ``journal serve`` on
it (a real subprocess, as a writer would), opens the newest entry in headless
Chromium (Playwright, Debian's /usr/bin/chromium) and then, again and again:

- entry edit: rewrites the entry's first win (temporary file + rename, as editors
  save) and measures until the page shows the new win;
- template edit: rewrites a line of the site's own ``templates/entry.html`` and
  measures until the page shows it.

"Save" is the moment of the rename; "shown" is when the page shows the new text, on
the same wall clock. The reload script shows most pages' new version in place (it
swaps in the new body); then "shown" is the first moment after the next animation
frame once the text is in the document (a MutationObserver, then requestAnimationFrame
and a message). A page that is reloaded instead counts until the first paint of the
reloaded page (``first-contentful-paint`` from Paint Timing), checked to contain the
new text. The table says which way each page was shown. The server's own rebuild time
for each save is read from its terminal output (builds abandoned for a newer save print
none). Medians, 90th percentiles and the spread are printed as a Markdown table.

Two rhythms of saving (``--rhythm``, both by default):

- *shown*: each save comes right after the previous one showed, while the server is
  still making the rest of the site for it: an editor that autosaves as one types. A
  save must not wait for that work.
- *idle*: each save waits until the server has published the whole build of the save
  before it, as the saves of a person writing seconds apart do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import add_generator_option, generate

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CORPUS_END = dt.date(2026, 11, 24)
WIN_LINE = re.compile(r"^wins:\n  - .*$", re.M)
REBUILD_MS = re.compile(r" changed: updated .* in ([\d.,]+) (ms|s)\.$")

WATCH_FOR = """(marker) => {
  // The page may show the new version in place (the reload script swaps the body) or
  // by reloading. For the first case, note when the marker is on screen: the first
  // moment after the next frame once it is in the document.
  window.__benchWatching = true;
  window.__benchShownAt = undefined;  // not the moment the last save was shown
  const observer = new MutationObserver(() => {
    if (!document.body || !document.body.textContent.includes(marker)) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        window.__benchShownAt = performance.timeOrigin + performance.now();
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}"""

SHOWN_AT = """async () => {
  if (window.__benchWatching) {
    while (window.__benchShownAt === undefined) await new Promise((r) => setTimeout(r, 2));
    return ["in place", window.__benchShownAt];
  }
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const at = paint ? paint.startTime : nav.domContentLoadedEventEnd;
  return ["reloaded", performance.timeOrigin + at];
}"""


def save_by_rename(path: Path, text: str) -> float:
    """Save as editors do; return the wall-clock time (ms) at which the save completed."""
    temp = path.with_name(f".{path.name}.bench-tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
    return time.time() * 1000


class Server:
    def __init__(self, site: Path, today: dt.date) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "journal_site", "serve", "--port", str(port)),
                *("--site", str(site), "--today", today.isoformat()),
            ],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(300):
            raise SystemExit("journal serve did not start:\n" + "".join(self.lines))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if self.url in line:
                self.ready.set()

    def rebuild_times(self) -> list[float]:
        times = []
        for line in self.lines:
            found = REBUILD_MS.search(line.rstrip())
            if found:
                value = float(found.group(1).replace(",", ""))
                times.append(value if found.group(2) == "ms" else value * 1000)
        return times

    def stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(60)


def measure(
    page: object, server: Server, path: Path, texts: list[str], make: object, idle: bool
) -> dict:
    """Save each text in turn; return save-to-screen and rebuild times in ms."""
    from playwright.sync_api import expect

    screen: list[float] = []
    how: list[str] = []
    before = len(server.rebuild_times())
    for number, marker in enumerate(texts):
        if idle:
            # The build of the save before has finished and been published.
            deadline = time.monotonic() + 60
            while len(server.rebuild_times()) < before + number and time.monotonic() < deadline:
                time.sleep(0.02)
        page.evaluate(WATCH_FOR, marker)  # type: ignore[attr-defined]
        saved_at = save_by_rename(path, make(marker))  # type: ignore[operator]
        expect(page.get_by_text(marker).first).to_be_visible(timeout=120_000)  # type: ignore[attr-defined]
        shown, shown_at = page.evaluate(SHOWN_AT)  # type: ignore[attr-defined]
        screen.append(shown_at - saved_at)
        how.append(shown)
        if shown != "in place":
            # Let the reloaded page open its event stream before the next save.
            page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
            time.sleep(0.3)
        elif idle:
            time.sleep(0.3)
    # Wait for the server to finish (the last save's build, once nothing new is printed).
    deadline, seen, quiet = time.monotonic() + 60, -1, 0
    while time.monotonic() < deadline and quiet < 20:
        count = len(server.rebuild_times())
        quiet = quiet + 1 if count == seen and count > before else 0
        seen = count
        time.sleep(0.1)
    return {"screen": screen, "rebuild": server.rebuild_times()[before:], "how": how}


def row(name: str, result: dict) -> str:
    screen, rebuild = result["screen"], result["rebuild"]
    shown = ", ".join(f"{result['how'].count(h)} {h}" for h in sorted(set(result["how"])))
    p90 = statistics.quantiles(screen, n=10, method="inclusive")[-1] if len(screen) > 1 else 0
    rebuilt = f"{statistics.median(rebuild):.0f} ms" if rebuild else "–"
    return (
        f"| {name} | {len(screen)} | {statistics.median(screen):.0f} ms | {p90:.0f} ms "
        f"| {min(screen):.0f}–{max(screen):.0f} ms | {rebuilt} | {shown} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--saves", type=int, default=12)
    parser.add_argument("--template-saves", type=int, default=10)
    parser.add_argument("--rhythm", choices=("both", "shown", "idle"), default="both")
    add_generator_option(parser)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="journal-reload-bench-") as tmp:
        site = Path(tmp) / "site"
        generate(args.generator, site / "content", args.entries, CORPUS_END)
        # Files written in the last two seconds are read again by the next build (their
        # time cannot vouch for them yet): date the journal a day back, as one written
        # over time is, so that the first save is measured as every later one is.
        a_day_ago = time.time() - 86400
        for entry in (site / "content").rglob("*"):
            os.utime(entry, (a_day_ago, a_day_ago))
        theme_entry = (REPO / "themes" / "default" / "templates" / "entry.html").read_text()
        template = site / "templates" / "entry.html"
        template.parent.mkdir()
        template.write_text(theme_entry)
        newest = site / "content" / f"{CORPUS_END.isoformat()}.md"
        original = newest.read_text()

        load = os.getloadavg()
        started = time.perf_counter()
        server = Server(site, CORPUS_END + dt.timedelta(days=1))
        startup = time.perf_counter() - started
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                page = browser.new_page()
                page.goto(server.url + CORPUS_END.strftime("%Y/%m/%d/"))
                page.wait_for_load_state("networkidle")

                def entry_text(marker: str) -> str:
                    return WIN_LINE.sub(f'wins:\n  - "{marker}"', original, count=1)

                def template_text(marker: str) -> str:
                    return theme_entry.replace(
                        "{% block content %}",
                        f'{{% block content %}}<p class="bench">{marker}</p>',
                    )

                rhythms = ("shown", "idle") if args.rhythm == "both" else (args.rhythm,)
                results = []
                for rhythm in rhythms:
                    idle = rhythm == "idle"
                    results.append(
                        (
                            f"entry edit (a win in the newest entry), {rhythm}",
                            measure(
                                page,
                                server,
                                newest,
                                [f"Benchmark win {rhythm} {i}" for i in range(args.saves)],
                                entry_text,
                                idle,
                            ),
                        )
                    )
                    results.append(
                        (
                            f"template edit (entry.html), {rhythm}",
                            measure(
                                page,
                                server,
                                template,
                                [
                                    f"Template mark {rhythm} {i}"
                                    for i in range(args.template_saves)
                                ],
                                template_text,
                                idle,
                            ),
                        )
                    )
                browser.close()
        finally:
            server.stop()

    print(
        f"journal serve, {args.entries:,}-entry corpus; server start-up (first build) "
        f"{startup:.1f} s; load average before: {load[0]:.2f}, after: {os.getloadavg()[0]:.2f}"
    )
    print()
    print(
        "| change, rhythm | saves | save-to-screen median | p90 | range "
        "| server rebuild median | page shown |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, result in results:
        print(row(name, result))


if __name__ == "__main__":
    main()
