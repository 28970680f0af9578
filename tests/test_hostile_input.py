"""Malformed and hostile input never crashes the loader or the settings reader.

Property-based tests (hypothesis) feed arbitrary bytes, YAML-shaped front matter
(broken indentation, tabs, odd scalars, tags, anchors) and TOML-shaped settings:
the answer is a value, or a JournalError whose every problem names the file and a
line inside it. Never another exception, never more than a bounded time per file.
Then the named attacks one by one: code-running tags, alias bombs, deep nesting,
a 50 MB entry, a 100,000-item wins list, each within generous time and memory bounds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal_site.config import CONFIG_NAME, Config, parse_config
from journal_site.errors import JournalError
from journal_site.frontmatter_yaml import MAX_DEPTH
from journal_site.loader import decode, load_journal
from journal_site.parse import MAX_FILE_BYTES, parse_entry, parse_goal

# Generous per-file bound: a real entry parses in about a millisecond.
PER_FILE = dt.timedelta(seconds=3)
FUZZ = settings(
    deadline=PER_FILE,
    max_examples=250,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def lines_in(text: str) -> int:
    """How many lines an editor shows, counting the empty line after a final newline."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.count("\n") + 1


def assert_entry_or_located_errors(parse, source: str, text: str) -> None:
    try:
        parse(source, text)
    except JournalError as exc:
        assert exc.problems, "a JournalError must carry at least one problem"
        last = lines_in(text)
        for problem in exc.problems:
            assert problem.path == f"content/{source}", problem
            assert problem.line is not None and 1 <= problem.line <= last, (problem, last)
            assert problem.message.strip()


# --- strategies -------------------------------------------------------------------

KEYS = ["date", "title", "tags", "mood", "wins", "setbacks", "draft", "slug", "text",
        "reframe", "goal", "steps", "target", "done", "extra", "é", "🙂", "? x", "<<", "1", ""]  # fmt: skip
SCALARS = [
    "", "~", "null", "yes", "no", "true", "On", "0", "-1", "3", "5", "6", "1.5", "1e999",
    ".nan", "-.inf", "0x1F", "0o17", "0b101", "1_000", "9" * 5000, "0x" + "f" * 5000,
    "2024-02-29", "2023-02-29", "2026-13-01", "2026-11-24 07:30", "2026-11-24T25:61:00",
    "2026-03-29 02:30:00 +99:00", "0000-01-01", "9999-12-31", "1969-07-20", "2101-01-01",
    '"unterminated', "'single", '"esc \\x00 \\uD800"', "|", ">-", "|+\n  kept", "&anchor x",
    "*alias", "&a [*a]", "!!python/object/apply:os.system ['true']", "!!python/name:os.system",
    "!!binary aGk=", "!!binary ???", "!!set {a, b}", "!!omap [a: 1]", "!!str 3", "!!int x",
    "!custom thing", "%TAG ! tag:x,2000:", "{", "}", "[", "]", "[a, b", "{a: 1, b}", "- -",
    ": :", "? ", "# comment", "<script>alert(1)</script>", "\t", "a\tb", "🎉 win", "שלום",
    "\u2028", "\x85", "\ufeff", "\x00", "\x1b[31m", "---", "...", "@at", "`tick",
]  # fmt: skip
INDENTS = ["", " ", "  ", "   ", "    ", "\t", " \t", "\t  "]
NEWLINES = ["\n", "\r\n", "\r"]

scalar = st.one_of(st.sampled_from(SCALARS), st.text(max_size=12))
yaml_line = st.one_of(
    st.builds(lambda i, k, v: f"{i}{k}: {v}", st.sampled_from(INDENTS), st.sampled_from(KEYS), scalar),
    st.builds(lambda i, v: f"{i}- {v}", st.sampled_from(INDENTS), scalar),
    st.builds(lambda i, k: f"{i}- {k}: ", st.sampled_from(INDENTS), st.sampled_from(KEYS)),
    st.builds(lambda i, v: f"{i}[{v}, {v}]", st.sampled_from(INDENTS), scalar),
    st.builds(lambda i, k, v: f"{i}{k}: {{{k}: {v}}}", st.sampled_from(INDENTS), st.sampled_from(KEYS), scalar),
    st.sampled_from(SCALARS),
)  # fmt: skip


@st.composite
def entry_texts(draw: st.DrawFn) -> str:
    """A file that mostly looks like an entry: optional BOM, front matter, body."""
    newline = draw(st.sampled_from(NEWLINES))
    lines = draw(st.lists(yaml_line, max_size=14))
    body = draw(st.text(max_size=200))
    opener = draw(st.sampled_from(["---", "---", "--- ", "----", "+++"]))
    closer = draw(st.sampled_from(["---", "---", "...", "", "--- # end"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + newline.join([opener, *lines, closer, body])


SOURCES = ["2026-11-24.md", "2024/02/29-leap.md", "notes/plain.md", "2026-11-24-ünïcode.md"]


# --- property tests ----------------------------------------------------------------


@FUZZ
@given(source=st.sampled_from(SOURCES), text=entry_texts())
def test_entry_front_matter_of_any_shape_gives_an_entry_or_located_errors(
    source: str, text: str
) -> None:
    assert_entry_or_located_errors(parse_entry, source, text)


@FUZZ
@given(text=entry_texts())
def test_goal_front_matter_of_any_shape_gives_a_goal_or_located_errors(text: str) -> None:
    assert_entry_or_located_errors(parse_goal, "goals/run-5k.md", text)


@FUZZ
@given(source=st.sampled_from(SOURCES), text=st.text(max_size=600))
def test_any_text_gives_an_entry_or_located_errors(source: str, text: str) -> None:
    assert_entry_or_located_errors(parse_entry, source, text)


@FUZZ
@given(source=st.sampled_from(SOURCES), raw=st.binary(max_size=600))
def test_any_bytes_give_an_entry_or_located_errors(source: str, raw: bytes) -> None:
    path = f"content/{source}"
    try:
        text = decode(raw, path)
    except JournalError as exc:
        (problem,) = exc.problems
        assert problem.path == path
        assert 1 <= problem.line <= raw.count(b"\n") + 1
        assert "UTF-8" in problem.message
        return
    assert_entry_or_located_errors(parse_entry, source, text)


@settings(deadline=None, max_examples=25)
@given(
    files=st.lists(
        st.tuples(st.sampled_from(SOURCES), st.one_of(st.binary(max_size=200), entry_texts())),
        min_size=1,
        max_size=4,
    )
)
def test_whole_folder_of_arbitrary_files_loads_or_lists_located_problems(
    files: list[tuple[str, bytes | str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("fuzz-site")
    written: dict[str, bytes] = {}
    for source, data in files:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        written[source] = raw
        target = root / "content" / source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
    started = time.process_time()
    try:
        journal = load_journal(Config(root=root))
    except JournalError as exc:
        for problem in exc.problems:
            source = problem.path.removeprefix("content/")
            assert source in written, problem
            assert problem.line is not None
            assert 1 <= problem.line <= lines_in(written[source].decode("utf-8", "replace"))
    else:
        assert len(journal.entries) + len(journal.goals) == len(written)
    assert time.process_time() - started < PER_FILE.total_seconds() * len(written)


TOML_KEYS = ["title", "author", "timezone", "base_url", "theme", "output", "content", "streak",
             "streak_grace", "per_page", "password_env", "language", "allow_html", "typographer",
             "markdown", "unknown", '"title"', "markdown.allow_html", "a.b.c", "é"]  # fmt: skip
TOML_VALUES = ['"x"', "'y'", '"""multi\nline"""', "1", "-3", "0", "1e3", "true", "false",
               "[1, 2]", "[", "{ allow_html = 1 }", "{ typographer = true }", '"Europe/London"',
               '"Not/AZone"', '"../../etc/passwd"', '"/"', '""', '"\\u0000"', "9" * 5000,
               "1979-05-27", "nan", '"entry"', '"win"', '"unterminated', "= =", "[[[[[["]  # fmt: skip
toml_line = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(TOML_KEYS), st.sampled_from(TOML_VALUES)),
    st.sampled_from(["[markdown]", "[other]", "[[markdown]]", "# comment", "", "[markdown", "\t"]),
    st.text(max_size=20),
)  # fmt: skip


@FUZZ
@given(text=st.one_of(st.lists(toml_line, max_size=10).map("\n".join), st.text(max_size=300)))
def test_any_journal_toml_gives_a_config_or_located_errors(text: str) -> None:
    try:
        config = parse_config(Path("/nonexistent/site"), text)
    except JournalError as exc:
        last = text.count("\n") + 1
        for problem in exc.problems:
            assert problem.path == CONFIG_NAME
            assert problem.line is not None and 1 <= problem.line <= last, (problem, last)
    else:
        assert isinstance(config, Config)


# --- named attacks -------------------------------------------------------------------


def measured(call):
    """(result or JournalError, CPU seconds, peak MB allocated in Python).

    CPU time, not wall time, so that a busy machine does not fail the bound."""
    tracemalloc.start()
    started = time.process_time()
    try:
        result = call()
    except JournalError as exc:
        result = exc
    finally:
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result, seconds, peak


def single_problem(result: object) -> tuple[int | None, str]:
    assert isinstance(result, JournalError), result
    (problem,) = result.problems
    return problem.line, problem.message


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/object:os.system {{}}",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/tuple [1, 2]",
        "!include /etc/passwd",
    ],
)
def test_code_running_tags_are_refused_and_never_run(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"---\ntitle: fine\nwins:\n  - {tag.format(marker=marker)}\n---\nbody\n"
    line, message = single_problem(measured(lambda: parse_entry("2026-11-24.md", text))[0])
    assert line == 4
    assert "unsupported YAML tag" in message
    assert not marker.exists()


BILLION_LAUGHS = "\n".join(
    ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"l{i}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(9)]
    + ["wins: *j"]
)


@pytest.mark.parametrize(
    ("front_matter", "line"),
    [
        (BILLION_LAUGHS, 2),
        # aliases to one huge shared list, used as wins many times over
        (
            "big: &w ["
            + ", ".join(["win"] * 5000)
            + "]\nwins: ["
            + ", ".join(["*w"] * 5000)
            + "]",
            2,
        ),
        ("wins: &w [a, *w]", 2),  # a list that contains itself
        ("base: &b {text: hi}\nwins:\n  - <<: *b\n    goal: x", 2),  # merge keys are aliases too
        ("title: fine\ntags: [a, *undefined]", 3),
    ],
    ids=["billion-laughs", "shared-list-as-wins", "self-containing", "merge-key", "unknown-alias"],
)
def test_anchors_and_aliases_are_refused_in_bounded_time_and_memory(
    front_matter: str, line: int
) -> None:
    text = f"---\n{front_matter}\n---\n"
    result, seconds, peak_mb = measured(lambda: parse_entry("2026-11-24.md", text))
    got_line, message = single_problem(result)
    assert got_line == line
    assert "alias" in message or "anchor" in message
    assert seconds < 2 and peak_mb < 50, (seconds, peak_mb)


@pytest.mark.parametrize(
    "front_matter",
    [
        "x: " + "[" * 100_000 + "]" * 100_000,
        "x: " + "{a: " * 50_000 + "1" + "}" * 50_000,
        "".join(" " * depth + "a:\n" for depth in range(1000)),
        "".join("  " * depth + "- \n" for depth in range(800)),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_deep_nesting_is_a_clear_error_not_a_crash(front_matter: str) -> None:
    # Without the pre-check, libyaml's C composer recursed until the process crashed.
    text = f"---\n{front_matter}\n---\n"
    result, seconds, peak_mb = measured(lambda: parse_entry("2026-11-24.md", text))
    line, message = single_problem(result)
    assert f"nested too deeply (more than {MAX_DEPTH} levels)" in message
    assert 2 <= line <= lines_in(text)
    assert seconds < 5 and peak_mb < 200, (seconds, peak_mb)


@pytest.mark.parametrize(
    "front_matter",
    [
        "title: fine\nx: " + "[" * 40 + "]" * 40,
        "title: fine\nx:\n" + "".join("  " * depth + "- \n" for depth in range(40)),
        "title: fine\n" + "".join(" " * depth + "a:\n" for depth in range(40)),
    ],
    ids=["flow-lists", "block-lists", "block-mappings"],
)
def test_nesting_found_by_the_walk_is_reported_as_the_pre_check_reports_it(
    front_matter: str,
) -> None:
    # Front matter this short skips the pre-check (see frontmatter_yaml.SCREEN_LIMIT) and
    # the walk over the composed tree finds the depth; a "&" in a comment forces the
    # pre-check, which must agree on the message and the line.
    walked = single_problem(
        measured(lambda: parse_entry("2026-11-24.md", f"---\n{front_matter}\n---\n"))[0]
    )
    forced = f"---\n# & forces the pre-check\n{front_matter}\n---\n"
    prechecked = single_problem(measured(lambda: parse_entry("2026-11-24.md", forced))[0])
    assert f"nested too deeply (more than {MAX_DEPTH} levels)" in walked[1]
    assert prechecked == (walked[0] + 1, walked[1])


def test_nesting_a_journal_needs_is_fine() -> None:
    text = "---\nwins:\n  - text: ran\n    tags: [health, [not, a, tag]]\n---\n"
    line, message = single_problem(measured(lambda: parse_entry("2026-11-24.md", text))[0])
    assert line == 4 and "expected a tag (text), got a list" in message


def test_a_number_too_long_to_convert_is_a_located_error() -> None:
    text = "---\ntitle: ok\nmood: " + "9" * 5000 + "\n---\n"
    line, message = single_problem(measured(lambda: parse_entry("2026-11-24.md", text))[0])
    assert line == 3 and "too long" in message


def test_hundred_thousand_wins_load_within_bounds() -> None:
    # In a fresh interpreter, so that its peak memory is this parse's alone.
    script = textwrap.dedent(
        """
        import json, resource, time
        from journal_site.parse import parse_entry
        wins = "".join(f"  - win {i}\\n" for i in range(100_000))
        text = "---\\nwins:\\n" + wins + "---\\n"
        started = time.process_time()
        entry = parse_entry("2026-11-24.md", text)
        print(json.dumps({
            "seconds": time.process_time() - started,
            "wins": len(entry.wins),
            "last_line": entry.wins[-1].line,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=True,
    )
    figures = json.loads(done.stdout)
    assert figures["wins"] == 100_000
    assert figures["last_line"] == 100_002  # each win keeps its own line
    assert figures["seconds"] < 20 and figures["peak_mb"] < 600, figures


def test_hundred_thousand_wins_build_through_the_cli(journal, site) -> None:
    wins = "".join(f"  - <b>w</b>{i}\n" for i in range(100_000))
    root = site({"content/2026-11-24.md": f"---\nwins:\n{wins}---\nA big day.\n"})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = journal("build", "--today", "2026-11-24", cwd=root, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)  # CPU
    assert result.returncode == 0, result.stderr
    page = (root / "public/2026/11/24/index.html").read_text(encoding="utf-8")
    assert page.count('class="win"') == 100_000
    assert "<b>w</b>" not in page and "&lt;b&gt;w&lt;/b&gt;99999" in page
    assert seconds < 120, seconds


def test_a_50_mb_entry_is_refused_without_being_read(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    paragraph = b"Today I walked to the park and it was *good*. " * 20 + b"\n\n"
    (root / "content" / "2026-11-24.md").write_bytes(
        (b"---\ntitle: huge\n---\n" + paragraph * (50 * 1024 * 1024 // len(paragraph) + 1))[
            : 50 * 1024 * 1024
        ]
    )
    (root / "content" / "2026-11-25.md").write_text("---\ntitle: small\n---\nfine\n")
    result, seconds, peak_mb = measured(lambda: load_journal(Config(root=root)))
    line, message = single_problem(result)
    assert line == 1
    assert "is 52,428,800 bytes; an entry may be at most 2,000,000 bytes" in message
    assert seconds < 2 and peak_mb < 20, (seconds, peak_mb)


def test_largest_allowed_entry_renders_in_bounded_time() -> None:
    paragraph = "Today I *walked* to the [park](https://example.org) and felt **good**. " * 10
    body = (paragraph + "\n\n") * (MAX_FILE_BYTES // (len(paragraph) + 2) - 1)
    text = "---\ntitle: long\n---\n" + body
    assert len(text.encode()) <= MAX_FILE_BYTES
    started = time.process_time()  # CPU time; not under tracemalloc, which slows Python tenfold
    entry = parse_entry("2026-11-24.md", text)
    seconds = time.process_time() - started
    assert entry.body_html.count("<p>") > 2000
    assert seconds < 30, seconds
