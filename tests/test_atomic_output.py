"""A build killed at any moment, or files changing under it, never damages the site.

A real ``journal build`` on a few-hundred-entry corpus is SIGKILLed after a spread of
delays (from the start of loading to the final swap); each time public/ must be
exactly the previous site or exactly the new one, never a mix and never missing, and
the next build removes whatever the killed one left. Files that are deleted, created
or rewritten while a build reads them give a consistent result or a clear problem,
never a traceback. ``journal serve`` under a burst of hundreds of file events keeps
answering and ends byte for byte equal to a full build.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, make_corpus, run_journal

from journal_site.config import Config
from journal_site.errors import JournalError
from journal_site.loader import load_journal
from journal_site.write_changes import recover

TODAY = "2026-11-25"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(site: Path) -> list[str]:
    """Staging, retired and transaction folders beside public/."""
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".public."))


def start_build(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "journal_site", "build", "--today", TODAY],
        cwd=site,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_sigkill_at_any_point_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    """Builds alternate between two states of the journal (A: as generated; B: one more
    entry and another photo), so that both ways of writing are killed: a whole new folder
    swapped in, and a small change renamed into place file by file (write_changes.write_changed)."""
    site = make_corpus(tmp_path / "site" / "content", 300).parent
    photos = {"A": os.urandom(200_000), "B": os.urandom(200_000)}
    extra = site / "content" / "2026-11-25.md"

    def set_state(state: str) -> None:
        (site / "content" / "photo.jpg").write_bytes(photos[state])
        if state == "B":
            extra.write_text("---\ntitle: A new day\n---\nNew.\n")
        else:
            extra.unlink(missing_ok=True)

    sites: dict[str, dict[str, str]] = {}
    for state in ("B", "A"):  # A last: public/ starts as A
        set_state(state)
        reference = run_journal(
            "build", "--today", TODAY, "--out", str(tmp_path / state), cwd=site
        )
        assert reference.returncode == 0, reference.stderr
        sites[state] = digests(tmp_path / state)
    assert sites["A"] != sites["B"]
    started = time.perf_counter()
    first = run_journal("build", "--today", TODAY, cwd=site)
    full_seconds = time.perf_counter() - started
    assert first.returncode == 0, first.stderr
    assert digests(site / "public") == sites["A"]

    current = "A"
    outcomes: list[str] = []
    for fraction in (0.05, 0.2, 0.4, 0.55, 0.7, 0.8, 0.87, 0.93, 0.97, 1.0, 1.05, 1.2, 1.5, 2.0):
        target = "B" if current == "A" else "A"
        set_state(target)
        process = start_build(site)
        time.sleep(full_seconds * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = digests(site / "public")
        if now == sites[current]:
            outcomes.append("previous")
        elif now == sites[target]:
            outcomes.append("new")
            current = target
        else:
            # Killed while a small change was being renamed into place: every file is
            # whole, and the pending transaction rolls back to exactly the previous site,
            # which is the first thing the next build does.
            assert (site / ".public.txn" / "plan.json").is_file(), (
                f"public/ is a mix after a kill at {fraction:.0%}, with nothing to roll back"
            )
            recover(site / "public")
            assert digests(site / "public") == sites[current], f"roll back at {fraction:.0%}"
            outcomes.append("rolled back")
    assert "previous" in outcomes  # at least one kill came before the output was touched

    after = run_journal("build", "--today", TODAY, cwd=site)
    assert after.returncode == 0, after.stderr
    assert digests(site / "public") == sites[target]
    assert leftovers(site) == []  # staging folders of the killed builds are gone
    print(f"first build {full_seconds:.2f} s; outcomes by delay: {outcomes}")


def test_a_failed_build_leaves_public_untouched(site, journal) -> None:
    root = site({"content/2026-11-20.md": "---\ntitle: fine\n---\nGood.\n"})
    assert journal("build", "--today", TODAY, cwd=root).returncode == 0
    before = digests(root / "public")
    (root / "content/2026-11-21.md").write_text("---\ntitle: [broken\n---\n")
    result = journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1 and "content/2026-11-21.md:3:" in result.stderr
    assert digests(root / "public") == before
    assert leftovers(root) == []


def test_leftovers_of_a_live_build_are_not_touched(site, journal) -> None:
    root = site({"content/2026-11-20.md": "---\ntitle: fine\n---\n"})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (root / f".public.new-{dead.pid}-abc").mkdir()  # a killed build's staging folder
    (root / f".public.new-{os.getpid()}-xyz").mkdir()  # pretend a live build is writing
    result = journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert leftovers(root) == [f".public.new-{os.getpid()}-xyz"]


def test_killed_between_the_two_renames_the_previous_site_comes_back(site, journal) -> None:
    # Where the system cannot swap two folders atomically, the writer renames twice; a
    # kill between them leaves public/ missing and the old site as .public.old-PID.
    root = site({"content/2026-11-20.md": "---\ntitle: fine\n---\n"})
    assert journal("build", "--today", TODAY, cwd=root).returncode == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    before = digests(root / "public")
    (root / "public").rename(root / f".public.old-{dead.pid}")
    from journal_site.writer import remove_leftovers

    remove_leftovers(root / "public")
    assert digests(root / "public") == before
    assert leftovers(root) == []


def churn(content: Path, stop: threading.Event, seed: int) -> int:
    """Delete, create, rewrite (half-written, then whole) and rename files until stopped.
    Between two actions every file is valid, so a read that fails saw one mid-change."""
    rng = random.Random(seed)
    count = 0
    while not stop.is_set():
        day = f"2026-10-{rng.randint(1, 28):02d}"
        path = content / f"{day}-churn.md"
        text = f"---\ntitle: Churn {count}\nwins:\n  - win {count}\n---\nBody {count}.\n"
        action = rng.choice(["write", "half", "delete", "rename", "asset", "unasset"])
        try:
            if action == "write":
                path.write_text(text)
            elif action == "half":  # an editor that truncates, then writes twice
                path.write_text(text[: rng.randint(1, len(text))])
                path.write_text(text)
            elif action == "delete":
                path.unlink(missing_ok=True)
            elif action == "rename" and path.exists():
                os.replace(path, content / f"{day}-moved.md")
            elif action == "asset":
                (content / f"img-{count % 5}.bin").write_bytes(os.urandom(50_000))
            elif action == "unasset":
                (content / f"img-{count % 5}.bin").unlink(missing_ok=True)
        except OSError:
            pass
        count += 1
    return count


def test_files_changing_while_they_are_read_give_a_result_or_clear_problems(
    tmp_path: Path,
) -> None:
    site = make_corpus(tmp_path / "site" / "content", 120).parent
    stop = threading.Event()
    changes: list[int] = []
    worker = threading.Thread(target=lambda: changes.append(churn(site / "content", stop, 1)))
    worker.start()
    results = {"journal": 0, "problems": 0}
    try:
        # At least 25 reads, and on until one fell between two writes (a slow, busy
        # machine can make many reads in a row meet a half-written file).
        for attempt in range(200):
            if attempt >= 25 and results["journal"]:
                break
            try:
                journal = load_journal(Config(root=site))
            except JournalError as exc:
                results["problems"] += 1
                for problem in exc.problems:
                    assert problem.path.startswith("content/2026-10-"), problem
            else:
                results["journal"] += 1
                assert len(journal.entries) >= 120
    finally:
        stop.set()
        worker.join()
    assert changes[0] > 20 and results["journal"] > 0, (changes, results)


@pytest.mark.slow
def test_builds_while_files_change_never_show_a_traceback(tmp_path: Path) -> None:
    site = make_corpus(tmp_path / "site" / "content", 150).parent
    stop = threading.Event()
    worker = threading.Thread(target=churn, args=(site / "content", stop, 2))
    worker.start()
    codes: list[int] = []
    try:
        for _ in range(6):
            result = run_journal("build", "--today", TODAY, cwd=site)
            assert "Traceback" not in result.stderr, result.stderr
            assert result.returncode in (0, 1), result.stderr
            if result.returncode == 1:
                assert result.stderr.strip().splitlines()[-1].startswith("journal:")
            codes.append(result.returncode)
            assert (site / "public" / "index.html").is_file() or codes.count(0) == 0
    finally:
        stop.set()
        worker.join()
    stop.clear()
    final = run_journal("build", "--today", TODAY, cwd=site)
    assert final.returncode in (0, 1)
    assert leftovers(site) == []


@pytest.mark.slow
def test_serve_under_a_burst_of_file_events_keeps_serving_and_matches_a_build(
    tmp_path: Path,
) -> None:
    from test_serve import Server, _built_site, _served_site

    site = make_corpus(tmp_path / "site" / "content", 80).parent
    server = Server(site)
    try:
        statuses: list[int] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                for path in ("", "timeline/", "wins/"):
                    statuses.append(server.get(path)[0])

        asker = threading.Thread(target=keep_asking)
        asker.start()
        content = site / "content"
        rng = random.Random(5)
        events = 0
        for number in range(400):
            path = content / f"2026-09-{number % 28 + 1:02d}-burst.md"
            choice = rng.random()
            if choice < 0.1:
                path.write_text("---\ntitle: [broken\n---\n")  # a problem, fixed later
            elif choice < 0.2:
                path.unlink(missing_ok=True)
            else:
                path.write_text(f"---\ntitle: Burst {number}\nwins:\n  - w{number}\n---\nB.\n")
            events += 1
            if number % 25 == 24:  # pauses, so that rebuilds start in the middle of the burst
                time.sleep(rng.uniform(0.05, 0.5))
        for number in range(28):  # end in a state without problems
            path = content / f"2026-09-{number + 1:02d}-burst.md"
            path.write_text(f"---\ntitle: Final {number}\n---\nDone.\n")
            events += 1
        # Wait until the server has built the final state: its rebuild count stays put.
        deadline = time.monotonic() + 120
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = server.rebuilds() + len(server.err)
            if count != last:
                last, quiet_since = count, time.monotonic()
            elif time.monotonic() - quiet_since > 3 and count > 0:
                break
            time.sleep(0.2)
        stop.set()
        asker.join()
        assert server.proc.poll() is None, "the server stopped"
        assert statuses and set(statuses) == {200}, set(statuses)

        built = run_journal(
            "build", "--drafts", "--today", TODAY, "--out", str(tmp_path / "full"), cwd=site
        )
        assert built.returncode == 0, built.stderr
        served, full = _served_site(server), _built_site(tmp_path / "full")
        assert sorted(served) == sorted(full)
        assert [p for p in full if served[p] != full[p]] == []
        failed = sum("keeps the last good pages" in line for line in server.err)
        assert server.rebuilds() + failed > 1  # rebuilds ran during the burst, not once after
        print(
            f"{events} file writes; {server.rebuilds()} good and {failed} failed rebuilds; "
            f"{len(statuses)} requests, all 200"
        )
    finally:
        server.close()
