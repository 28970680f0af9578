"""Parsing for the engine (engine/parsing.py): a few files parsed by a forked process
come back as this process parses them, problems and their lines included."""

from __future__ import annotations

import os

import pytest

from journal_site.engine import parsing

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the parse beside is forked")


def test_a_few_files_parsed_beside_are_parsed_as_here(tmp_path, monkeypatch) -> None:
    """``parse_started`` on a few files forks one process; its parses, problems (with
    their lines) included, are those this process makes."""
    from journal_site.config import load_config

    monkeypatch.setattr(parsing, "worker_count", lambda: 2)
    content = tmp_path / "content"
    content.mkdir()
    (content / "2026-11-01.md").write_text("---\ntitle: One\nwins: [Ran]\n---\nA *day*.\n")
    (content / "2026-11-02.md").write_text("---\ntitle: Two\nmood: 9\n---\nBody.\n")
    (content / "2026-11-03.md").write_text("Only a body, with a [link](2026-11-01.md).\n")
    config = load_config(tmp_path)
    files = [(p.name, str(p)) for p in sorted(content.iterdir())]
    forks: list[int] = []
    os.register_at_fork(after_in_parent=lambda: forks.append(1))
    wait = parsing.parse_started(config, files)
    assert len(forks) == 1
    beside = wait()
    here = parsing.parse_files(config, files)
    assert beside == here
    assert [source for source, *_ in beside] == [name for name, _ in files]
    (problem,) = beside[1][3]
    assert problem.line == 3 and "mood" in problem.message
    assert beside[0][2] is not None and "Ran" in beside[0][2][1]
    # Not beside: no fork, the same parses.
    assert parsing.parse_started(config, files, beside=False)() == here
    assert len(forks) == 1


def _journal(tmp_path):
    from journal_site.config import load_config

    content = tmp_path / "content"
    content.mkdir()
    (content / "2026-11-01.md").write_text("---\ntitle: One\nwins: [Ran]\n---\nA *day*.\n")
    (content / "2026-11-02.md").write_text("---\ntitle: Two\nmood: 9\n---\nBody.\n")
    return load_config(tmp_path), [(p.name, str(p)) for p in sorted(content.iterdir())]


def test_a_parser_started_ahead_parses_what_it_is_sent_as_here(tmp_path, monkeypatch) -> None:
    """The process started before the files to parse are known (``ParserAhead``) parses
    them as this process does, problems included, with no other process forked; and it
    is not held up by a process forked after it, which holds its pipe open as well."""
    monkeypatch.setattr(parsing, "worker_count", lambda: 2)
    config, files = _journal(tmp_path)
    ahead = parsing.parser_ahead(config)
    assert ahead is not None
    # A process forked later inherits the end of the pipe the request is written to.
    later = os.fork()
    if later == 0:
        import time

        time.sleep(600)
        os._exit(0)
    try:
        forks: list[int] = []
        os.register_at_fork(after_in_parent=lambda: forks.append(1))
        wait = parsing.parse_started(config, files, ahead=ahead)
        assert forks == []
        # Waited for in a thread: a request read to the end of the pipe would never end.
        import threading

        got: list[object] = []
        waiting = threading.Thread(target=lambda: got.append(wait()), daemon=True)
        waiting.start()
        waiting.join(120)
        assert got == [parsing.parse_files(config, files)]
    finally:
        os.kill(later, 9)
        os.waitpid(later, 0)


def test_a_parser_started_ahead_and_not_wanted_is_stopped(tmp_path, monkeypatch) -> None:
    """Nothing to parse, or so much that a pool parses it: the process started ahead is
    stopped unused, and the parses are those made here."""
    monkeypatch.setattr(parsing, "worker_count", lambda: 2)
    config, files = _journal(tmp_path)
    for asked, many in (([], False), (files, True)):
        ahead = parsing.parser_ahead(config)
        assert ahead is not None
        if many:
            monkeypatch.setattr(parsing, "MIN_PARALLEL_FILES", 1)
        wait = parsing.parse_started(config, asked, ahead=ahead)
        assert ahead._helper is None  # stopped
        assert wait() == parsing.parse_files(config, asked)
