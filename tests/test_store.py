"""The engine's store (engine/store.py) and the JSON form of parses (engine/codec.py).

A store is data: entries go in and out as JSON, pages as compressed bytes, and a file
that is not this tool's, of another schema or code version, or damaged is set aside and
a new store started, never trusted: it only ever costs a slower build.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tokenize
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, run_journal, tree
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_site.engine import codec, store
from journal_site.engine.deflate import packed, unpacked
from journal_site.engine.late import SLOT_SUFFIX as LATE_SLOT
from journal_site.engine.store import CACHE_DIR_NAME, Store
from journal_site.model import Entry, Goal, Setback, Step, Win

TODAY = dt.date(2026, 11, 25)
ARGS = ("build", "--today", TODAY.isoformat())

ENTRY = """\
---
title: {title}
tags: [work, health]
mood: 4
wins:
  - Spoke up
  - text: Ran 3 km
    tags: [running]
    goal: run
setbacks:
  - text: Skipped lunch
    reframe: Pack it the night before
weather: {{am: sunny, 3: 4}}
---
Body of {title}, with [a link](2026-11-01.md).
"""


# -- the codec ---------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.dates()
    # YAML gives fixed offsets (never named zones) to the date-times it reads.
    | st.datetimes(
        timezones=st.none()
        | st.builds(
            dt.timezone,
            st.timedeltas(dt.timedelta(hours=-23), dt.timedelta(hours=23)).map(
                lambda d: dt.timedelta(minutes=d // dt.timedelta(minutes=1))
            ),
        )
    )
    | st.times()
)
keys = (
    st.text(max_size=6)
    | st.integers()
    | st.booleans()
    | st.dates()
    | st.none()
    | st.tuples(st.integers(), st.text(max_size=3))
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(keys, inner, max_size=3)
    ),
    max_leaves=12,
)
# Keys that look like the codec's own tags must come back as keys, not as tags.
extras = st.dictionaries(
    st.sampled_from(["$d", "$m", "$u", "weather", "ñ", "1"]) | st.text(), yaml_values, max_size=4
)


def _entry(extra: dict[str, object], *, title: str = "Monday", body: str = "Hello") -> Entry:
    return Entry(
        source="2026/11-02.md",
        day=dt.date(2026, 11, 2),
        time=dt.time(7, 30),
        title=title,
        title_is_default=False,
        tags=("health", "ñandú"),
        mood=3,
        wins=(Win("A walk", ("outside",), "move", 5), Win("Slept")),
        setbacks=(Setback("Late", "Alarm", ("sleep",), 9), Setback("Tired")),
        draft=False,
        body_html=f"<p>{body}</p>",
        text=body,
        slug="monday",
        extra=extra,
    )


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (True is not 1, (1,) is not [1])."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(  # type: ignore[arg-type]
            _same(ka, kb) and _same(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)  # type: ignore[union-attr]
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, dt.datetime | dt.time):
        return a == b and a.utcoffset() == b.utcoffset()  # type: ignore[union-attr]
    return a == b


@settings(max_examples=300)
@given(extra=extras)
def test_an_entry_round_trips_with_any_extra_front_matter(extra: dict[str, object]) -> None:
    entry = _entry(extra)
    head, body = codec.encode_entry(entry)
    json.loads(head), json.loads(body)  # plain JSON text
    again = codec.with_body(codec.decode_summary(head), body)
    assert again == entry
    assert _same(again.extra, entry.extra)
    assert codec.decode_summary(head) == entry.summary()
    # Canonical: the same entry gives the same text, and so the same tokens.
    assert codec.encode_entry(again) == (head, body)
    assert codec.entry_tokens(head, body) == codec.entry_tokens(*codec.encode_entry(again))


def test_the_private_flag_round_trips_and_names_the_summary() -> None:
    public = _entry({})
    private = dataclasses.replace(public, private=True)
    head, body = codec.encode_entry(private)
    assert codec.decode_summary(head).private is True
    assert codec.with_body(codec.decode_summary(head), body) == private
    assert codec.entry_tokens(head, body)[1] != codec.entry_tokens(*codec.encode_entry(public))[1]


def test_tokens_tell_a_body_edit_from_a_head_edit() -> None:
    entry = _entry({"mood_note": "ok"})
    full, summary = codec.entry_tokens(*codec.encode_entry(entry))
    body_edit = codec.entry_tokens(*codec.encode_entry(_entry({"mood_note": "ok"}, body="Bye")))
    head_edit = codec.entry_tokens(*codec.encode_entry(_entry({"mood_note": "ok"}, title="Tue")))
    assert body_edit[0] != full and body_edit[1] == summary
    assert head_edit[0] != full and head_edit[1] != summary
    extra_edit = codec.entry_tokens(*codec.encode_entry(_entry({"mood_note": "ok!"})))
    assert extra_edit[1] != summary


@given(extra=extras)
def test_a_goal_round_trips(extra: dict[str, object]) -> None:
    goal = Goal("run", "goals/run.md", "Run <more>", dt.date(2027, 1, 1),
                (Step("Ran 3 km", True), Step("Ran 10 km", False)), "<p>Why</p>", extra)  # fmt: skip
    text = codec.encode_goal(goal)
    again = codec.decode_goal(text)
    assert again == goal and _same(again.extra, goal.extra)
    assert codec.encode_goal(again) == text


def test_a_value_json_cannot_hold_is_refused_not_stored_as_code() -> None:
    with pytest.raises(ValueError, match="cannot store"):
        codec.encode_entry(_entry({"odd": object()}))
    with pytest.raises(ValueError, match="cannot store"):
        codec.encode_entry(_entry({"odd": {1, 2}}))


GOOD_HEAD = codec.encode_entry(_entry({}))[0]


@pytest.mark.parametrize(
    "head",
    [
        "not json",
        "",
        "null",
        "{}",
        "[]",
        "[1, 2, 3]",
        " " + GOOD_HEAD,  # text the codec never writes, though JSON
        GOOD_HEAD + " ",
        GOOD_HEAD + "[]",  # two values
        GOOD_HEAD[:-1],  # cut short
        GOOD_HEAD.replace('"2026-11-02"', '"yesterday"', 1),
        GOOD_HEAD.replace(",3,", ',"three",', 1),
        GOOD_HEAD.replace('["health","ñandú"]', '["health",7]', 1),
        GOOD_HEAD[:-3] + '{"$zz":1}]',  # an unknown tag in extra
        GOOD_HEAD[:-3] + '{"$d":1,"$t":2}]',  # a tag object with two keys
        GOOD_HEAD[:-3] + '{"__class__":"os.system"}]',
    ],
)
def test_a_head_of_the_wrong_shape_is_refused(head: str) -> None:
    assert head != GOOD_HEAD
    with pytest.raises(ValueError):
        codec.decode_summary(head)


@pytest.mark.parametrize("body", ["not json", "null", "[1]", '{"a": 1}'])
def test_a_body_of_the_wrong_shape_is_refused(body: str) -> None:
    with pytest.raises(ValueError):
        codec.with_body(codec.decode_summary(GOOD_HEAD), body)


@pytest.mark.parametrize("text", ["not json", "[]", '["run"]', '[1,2,3,4,5,6,"x"]'])
def test_a_goal_of_the_wrong_shape_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        codec.decode_goal(text)


# -- nothing stored is ever run ----------------------------------------------------------

FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "marshal",
    "shelve",
    "dill",
    "cloudpickle",
    "jsonpickle",
}


def test_the_package_never_unpickles_or_evaluates() -> None:
    """No module of the package names pickle, marshal or shelve, or calls eval or exec:
    whatever a store holds, reading it cannot run code."""
    found = []
    for path in sorted((REPO / "journal_site").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME and token.string in FORBIDDEN_MODULES:
                found.append(f"{path.relative_to(REPO)}:{token.start[0]}: {token.string}")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"eval", "exec", "__import__"}
            ):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in {"unsafe_load", "FullLoader"}:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.attr}")
    assert found == []


# -- the store file, through `journal build` ---------------------------------------------


def _site(root: Path) -> Path:
    (root / "content" / "goals").mkdir(parents=True)
    (root / "content" / "goals" / "run.md").write_text("---\ntitle: Run more\n---\n")
    for day in range(1, 5):
        (root / "content" / f"2026-11-{day:02d}.md").write_text(ENTRY.format(title=f"Day {day}"))
    return root


def _store_path(root: Path) -> Path:
    return root / CACHE_DIR_NAME / store.STORE_NAME


def _clean(root: Path, into: Path) -> dict[str, bytes]:
    shutil.copytree(root, into, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "public"))
    result = run_journal(*ARGS, cwd=into)
    assert result.returncode == 0, result.stderr
    return tree(into / "public")


def _poison(path: Path) -> None:
    """Every page the store holds replaced by other bytes: what a build shows if it
    trusts the store."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE pages SET data = ?", (zlib.compress(b"POISON"),))
    db.close()


def _sql(statement: str) -> Callable[[Path], None]:
    def tamper(path: Path) -> None:
        db = sqlite3.connect(path)
        db.execute(statement)
        db.commit()
        db.close()

    return tamper


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(b"rubbish, not a database\n" * 300)


def _foreign_database(path: Path) -> None:
    """Some other program's SQLite file, with a table named like ours."""
    path.unlink()
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE pages (key TEXT PRIMARY KEY, data BLOB);")
    db.commit()
    db.close()


TAMPERED = {
    "not a database": _garbage,
    "another program's database": _foreign_database,
    "another application id": _sql("PRAGMA application_id = 1234"),
    "another schema": _sql(f"PRAGMA user_version = {store.SCHEMA + 1}"),
    "another code version": _sql("UPDATE meta SET value = 'other code' WHERE name = 'code'"),
    "truncated": _truncate,
    "empty": lambda path: path.write_bytes(b""),
}


def test_a_sound_store_is_read(tmp_path: Path) -> None:
    """The control of the test below: poisoned pages in a store that is this tool's,
    of this schema and code version, are served (so a build does read the store)."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    _poison(_store_path(root))
    shutil.rmtree(root / "public")
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert b"POISON" in (root / "public" / "wins" / "index.html").read_bytes()


@pytest.mark.parametrize("damage", list(TAMPERED))
def test_a_store_that_is_not_ours_is_set_aside_and_started_anew(
    tmp_path: Path, damage: str
) -> None:
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    path = _store_path(root)
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    _poison(path)
    TAMPERED[damage](path)
    shutil.rmtree(root / "public")

    result = run_journal(*ARGS, cwd=root)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    built = tree(root / "public")
    assert not any(b"POISON" in data for data in built.values())
    assert built == _clean(root, tmp_path / "clean")
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA application_id").fetchone()[0] == store._APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        pages = [zlib.decompress(data) for (data,) in db.execute("SELECT data FROM pages")]
    finally:
        db.close()
    assert pages and b"POISON" not in b"".join(pages)
    # And the new store serves the next build.
    again = run_journal(*ARGS, cwd=root)
    assert again.returncode == 0 and "none changed" in again.stdout


def test_a_parse_that_does_not_read_is_parsed_again(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    _sql("UPDATE parsed SET head = '[\"not an entry\"]'")(_store_path(root))
    _sql("UPDATE bodies SET body = 'null'")(_store_path(root))
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Edited"))
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def test_a_plan_that_does_not_read_is_planned_again(tmp_path: Path) -> None:
    """A held plan whose rows are not a plan (a damaged store) is planned anew, as if
    the store had none; the others are still taken."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Edited"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    _sql("UPDATE plans SET pages = '[[\"not a row\"' WHERE builder LIKE '%home_page'")(
        _store_path(root)
    )
    (root / "content" / "2026-11-02.md").write_text(ENTRY.format(title="Edited") + "More.\n")
    result = run_journal(*ARGS, cwd=root)
    assert result.returncode == 0, result.stderr
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


@pytest.mark.parametrize(
    "block",
    [
        "the cache folder is a file",
        "the store is a folder",
        pytest.param(
            "the cache folder is read-only",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere"),
        ),
    ],
)
def test_a_store_that_cannot_be_opened_only_costs_speed(tmp_path: Path, block: str) -> None:
    root = _site(tmp_path / "site")
    cache = root / CACHE_DIR_NAME
    if block == "the cache folder is a file":
        cache.write_text("not a folder")
    elif block == "the store is a folder":
        (cache / store.STORE_NAME).mkdir(parents=True)
    else:
        cache.mkdir()
        cache.chmod(0o500)
    try:
        for _ in range(2):
            result = run_journal(*ARGS, cwd=root)
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
        assert tree(root / "public") == _clean(root, tmp_path / "clean")
    finally:
        if cache.is_dir():
            cache.chmod(0o700)


def test_the_store_holds_plain_data(tmp_path: Path) -> None:
    """Text, numbers and zlib-compressed output bytes: nothing a reader would run."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    built = set(tree(root / "public").values())
    db = sqlite3.connect(_store_path(root))
    try:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        assert {"meta", "files", "parsed", "pages"} <= set(tables)
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    assert value is None or type(value) in (str, int, float, bytes), (table, row)
                    if isinstance(value, bytes) and table == "fragments":
                        zlib.decompress(value).decode()  # a long partial: text, compressed
                    elif isinstance(value, bytes):
                        assert zlib.decompress(value) in built, table
                    if table == "parsed" and isinstance(value, str) and value[:1] in "[{":
                        json.loads(value)
    finally:
        db.close()


def test_an_entry_round_trips_through_the_store(tmp_path: Path) -> None:
    """Odd front matter read from the store by a second process is the same entry: its
    pages are what a build that parses it again makes."""
    root = _site(tmp_path / "site")
    (root / "content" / "2026-11-05.md").write_text(
        "---\ntitle: Odd\ntags: [work]\nwins: [Ran]\n"
        "when: 2026-11-05T07:30:00+02:00\nat: 07:30\nlist: [1, 2.5, null, true, '$d']\n"
        "nested: {1: [a, {2026-01-01: x}], '$m': y}\n---\nHi.\n"
    )
    card = root / "templates" / "partials" / "win_card.html"
    card.parent.mkdir(parents=True)
    card.write_text("<li>{{ rec.entry.extra }}</li>\n")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    shutil.rmtree(root / "public")
    (root / "templates" / "partials" / "win_card.html").write_text(
        "<li>[{{ rec.entry.extra }}]</li>\n"
    )
    result = run_journal(*ARGS, cwd=root)  # parses from the store, pages made again
    assert result.returncode == 0, result.stderr
    assert b"nested" in (root / "public" / "wins" / "index.html").read_bytes()
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def test_bodies_are_read_many_at_a_time_as_one_at_a_time(tmp_path: Path) -> None:
    """``Store.bodies`` (a search shard's year of bodies, in one query) gives what
    ``Store.body`` gives for each digest, past SQLite's limit on parameters, and leaves
    out the digests the store has not."""
    store = Store(tmp_path / "cache", "v1")
    rows = [
        (f"d{n}", "entry", "[]", f'["<p>{n}</p>","{n}"]', f'["{n}"]', "[]", f"t{n}", f"s{n}")
        for n in range(950)
    ]
    stats = {f"{n}.md": (1, 1, f"d{n}") for n in range(950)}
    store.save_parses(stats, rows)
    asked = [f"d{n}" for n in range(0, 950, 3)] + ["d-none"]
    found = store.bodies(asked)
    assert found == {d: store.body(d) for d in asked if d != "d-none"}
    assert found["d300"] == ('["<p>300</p>","300"]', '["300"]')
    store.close()


def test_fragments_are_read_one_at_a_time_and_an_empty_scope_is_not_asked_again(
    tmp_path: Path,
) -> None:
    """A card or a partial is read when a page asks for it; a scope found empty (a cold
    build) is not asked again until fragments are saved under it."""
    store = Store(tmp_path / "cache", "v1")
    statements: list[str] = []
    db = store.db()
    assert db is not None
    db.set_trace_callback(statements.append)
    assert store.fragment("scope", "c1") is None
    asked = len(statements)
    assert asked >= 1
    assert [store.fragment("scope", key) for key in ("c1", "c2", "p3")] == [None] * 3
    assert len(statements) == asked  # found empty once: not asked again
    store.save_fragments("scope", {"c1": "<li>1</li>", "p3": "<ul>3</ul>"}, {}, set())
    assert store.fragment("scope", "c1") == "<li>1</li>"
    assert store.fragment("scope", "c2") is None
    assert store.fragment("other", "c1") is None
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forked only where fork is")
def test_a_forked_helper_reads_through_a_connection_of_its_own(tmp_path: Path) -> None:
    """A render helper is a fork of the build: it reads cards through its own connection
    (SQLite's do not survive a fork) and leaves the build's alone, which goes on reading
    and writing once the helper has ended."""
    store = Store(tmp_path / "cache", "v1")
    store.save_fragments("scope", {"c1": "<li>1</li>"}, {}, set())
    ours = store.db()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper
        status = 1
        try:
            found = store.fragment("scope", "c1")
            own = store.db()
            ok = found == "<li>1</li>" and own is not None and own is not ours and store.forked
            os.write(writer, b"ok" if ok else repr((found, own is ours)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read()
    assert os.waitpid(pid, 0)[1] == 0
    assert said == b"ok"
    assert store.db() is ours and not store.forked
    store.save_fragments("scope", {"c2": "<li>2</li>"}, {}, set())
    assert store.fragment("scope", "c1") == "<li>1</li>"
    assert store.fragment("scope", "c2") == "<li>2</li>"
    store.close()
    assert Store(tmp_path / "cache", "v1").fragment("scope", "c2") == "<li>2</li>"


def _change_fragments(path: Path, change: Callable[[str], str], where: str = "1") -> int:
    """Every fragment the store keeps (``where``), changed by ``change`` (a long one is
    kept compressed, engine/deflate.py); how many there are."""
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT scope, key, data FROM fragments WHERE {where}").fetchall()
        db.executemany(
            "UPDATE fragments SET data = ? WHERE scope = ? AND key = ?",
            ((packed(change(unpacked(data) or "")), scope, key) for scope, key, data in rows),
        )
    db.close()
    return len(rows)


def _mark_cards(path: Path, mark: str) -> int:
    """Every win card the store keeps, with ``mark`` added; how many there are."""
    return _change_fragments(path, lambda text: text + mark)


def test_win_cards_kept_by_one_build_serve_the_next_until_a_template_changes(
    tmp_path: Path,
) -> None:
    """A new entry changes every page of the wins wall (its totals), not the cards on
    them: the next process takes the cards from the store rather than render them again.
    Marked cards show that it does; once any template changes they are never used, and
    the pages equal a clean build's."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert _mark_cards(_store_path(root), "<!--KEPT-->") >= 8  # two wins a day, four days
    (root / "content" / "2026-11-05.md").write_text(ENTRY.format(title="Day 5"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert b"<!--KEPT-->" in (root / "public" / "wins" / "index.html").read_bytes()

    _mark_cards(_store_path(root), "<!--STALE-->")
    theme = REPO / "themes" / "default" / "templates" / "partials" / "win_card.html"
    override = root / "templates" / "partials" / "win_card.html"
    override.parent.mkdir(parents=True)
    override.write_text(theme.read_text(encoding="utf-8") + "<!-- my card -->\n")
    (root / "content" / "2026-11-06.md").write_text(ENTRY.format(title="Day 6"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    wall = (root / "public" / "wins" / "index.html").read_bytes()
    assert b"STALE" not in wall and b"KEPT" not in wall and b"<!-- my card -->" in wall
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def _cards_by_place(path: Path) -> dict[str, int]:
    """How many win cards the store keeps for each place (fragments.card_key)."""
    with sqlite3.connect(path) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM fragments WHERE key NOT LIKE 'p%'")]
    db.close()
    counts: dict[str, int] = {}
    for key in keys:
        place = key.partition(".")[0]
        counts[place] = counts.get(place, 0) + 1
    return counts


def test_a_win_renumbered_again_and_again_keeps_one_card_per_place(tmp_path: Path) -> None:
    """A win added to the first entry renumbers every later win, so every later card is
    made again: the store keeps the new card in place of the old (not both), however
    many times that happens, and the site stays a clean build's."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    first = _cards_by_place(_store_path(root))
    assert len(first) >= 8 and set(first.values()) == {1}  # two wins a day, four days
    entry = root / "content" / "2026-11-01.md"
    for n in range(3):
        entry.write_text(entry.read_text().replace("wins:\n", f"wins:\n  - Added {n}\n", 1))
        assert run_journal(*ARGS, cwd=root).returncode == 0
        kept = _cards_by_place(_store_path(root))
        assert set(kept.values()) == {1}
        # One more win (and its cards) each time; the cards of old numbers are gone.
        assert len(first) + n + 1 <= len(kept) <= len(first) + 3 * (n + 1)
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def _unshown(path: Path) -> set[str]:
    """The partials a store keeps that no page shows (none should be kept)."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT key FROM fragments WHERE key LIKE 'p%' "
            "AND key NOT IN (SELECT key FROM partial_uses)"
        )
        unshown = {key for (key,) in rows}
    db.close()
    return unshown


def _partials(path: Path, pages: str = "wins/") -> tuple[dict[str, str], dict[str, str]]:
    """The partials a store keeps (key -> text), and the one each page whose path starts
    with ``pages`` last showed."""
    with sqlite3.connect(path) as db:
        kept = dict(db.execute("SELECT key, data FROM fragments WHERE key LIKE 'p%'"))
        # Not the pages' own texts with stand-ins for their numbers (engine/late.py).
        rows = db.execute("SELECT slot, page, key FROM partial_uses").fetchall()
        uses = {page: key for slot, page, key in rows if LATE_SLOT not in slot}
    db.close()
    return kept, {page: key for page, key in uses.items() if page.startswith(pages)}


def test_a_year_of_the_wins_wall_keeps_its_partial_while_its_cards_stay_the_same(
    tmp_path: Path,
) -> None:
    """A new entry changes every year's page of the wins wall (the count of every win),
    not the cards of the years before: those pages take their cards, rendered with
    ``partial(...)``, from the store. A partial that no page shows any more is dropped."""
    root = _site(tmp_path / "site")
    (root / "content" / "2025-06-01.md").write_text(ENTRY.format(title="Last year"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    kept, uses = _partials(_store_path(root))
    assert set(uses) == {"wins/index.html", "wins/2026/index.html", "wins/2025/index.html"}
    assert set(uses.values()) <= set(kept)  # /wins/ shows this year's: the same partial
    assert not _unshown(_store_path(root))
    _change_fragments(_store_path(root), lambda text: text + "<!--KEPT-->", "key LIKE 'p%'")

    (root / "content" / "2026-11-05.md").write_text(ENTRY.format(title="Day 5"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    last_year = (root / "public" / "wins" / "2025" / "index.html").read_bytes()
    assert b"<!--KEPT-->" in last_year  # its cards came from the store
    assert b"<!--KEPT-->" not in (root / "public" / "wins" / "2026" / "index.html").read_bytes()
    kept_after, uses_after = _partials(_store_path(root))
    assert uses_after["wins/2025/index.html"] == uses["wins/2025/index.html"]
    assert uses_after["wins/2026/index.html"] != uses["wins/2026/index.html"]
    # This year's old partial is gone: the store keeps what pages show, and no more.
    assert uses["wins/2026/index.html"] not in kept_after
    assert set(uses_after.values()) <= set(kept_after)
    assert not _unshown(_store_path(root))

    (root / "content" / "2025-06-01.md").unlink()
    assert run_journal(*ARGS, cwd=root).returncode == 0
    kept_last, uses_last = _partials(_store_path(root))
    assert set(uses_last) == {"wins/index.html", "wins/2026/index.html"}
    assert uses["wins/2025/index.html"] not in kept_last
    assert not _unshown(_store_path(root))
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


def test_the_stats_page_draws_again_only_the_heatmap_of_a_year_that_changed(
    tmp_path: Path,
) -> None:
    """Each year's heatmap on /stats/ is a partial kept under what it is drawn from: a
    new entry this year takes last year's from the store, and draws this year's."""
    root = _site(tmp_path / "site")
    (root / "content" / "2025-06-01.md").write_text(ENTRY.format(title="Last year"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    with sqlite3.connect(_store_path(root)) as db:
        slots = db.execute("SELECT count(*) FROM partial_uses WHERE page = 'stats/index.html'")
        assert slots.fetchone()[0] == 2  # a heatmap a year
    db.close()
    _change_fragments(_store_path(root), lambda text: text + "<!--KEPT-->", "key LIKE 'p%'")
    (root / "content" / "2026-11-05.md").write_text(ENTRY.format(title="Day 5"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    stats = (root / "public" / "stats" / "index.html").read_text()
    this_year = stats[stats.index('id="year-2026"') : stats.index('id="year-2025"')]
    last_year = stats[stats.index('id="year-2025"') :]
    assert "<!--KEPT-->" not in this_year and "<!--KEPT-->" in last_year
    _change_fragments(_store_path(root), lambda text: text.replace("<!--KEPT-->", ""))
    (root / "content" / "2026-11-06.md").write_text(ENTRY.format(title="Day 6"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert tree(root / "public") == _clean(root, tmp_path / "clean")


@pytest.mark.parametrize("count", [3, 600])
def test_pages_come_back_as_kept_and_a_damaged_one_is_left_out(tmp_path: Path, count: int) -> None:
    """Many pages saved or read at once are deflated or inflated by two threads
    (engine/deflate.py): each comes back whole, under its own key, and one whose data
    is damaged is left out (the engine makes it again) rather than failing the read."""
    store = Store(tmp_path / "cache", "v1")
    try:
        pages = {f"key-{n}": f"<p>page {n}</p>".encode() * (n % 50 + 1) for n in range(count)}
        store.save_pages(pages, set(pages))
        with store._writing() as db:
            assert db is not None
            db.execute("UPDATE pages SET data = ? WHERE key = 'key-1'", (b"not deflated",))
        got = store.pages([*pages, "key-missing"])
    finally:
        store.close()
    assert got == {key: page for key, page in pages.items() if key != "key-1"}


def _tables(root: Path) -> dict[str, set[tuple]]:
    """What a store holds of the files read, their parses and the output folder (the
    times and inodes of the files written left out: a clean copy writes its own)."""
    db = sqlite3.connect(_store_path(root))
    try:
        return {
            "files": {(s, z, d) for s, z, _, d in db.execute("SELECT * FROM files")},
            "parsed": {row for row in db.execute("SELECT digest, token FROM parsed")},
            "bodies": {row for row in db.execute("SELECT digest, record FROM bodies")},
            "outputs": {row for row in db.execute("SELECT path, digest, size FROM outputs")},
        }
    finally:
        db.close()


def test_a_store_written_row_by_row_holds_what_a_clean_build_writes(tmp_path: Path) -> None:
    """A build writes only the rows of the files and outputs that changed; after edits,
    a new file, a deleted one and an output gone, the store holds what a first build of
    the same journal writes whole."""
    root = _site(tmp_path / "site")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    content = root / "content"
    (content / "2026-11-02.md").write_text(ENTRY.format(title="Edited"))
    (content / "2026-11-04.md").unlink()
    (content / "2026-11-05.md").write_text(ENTRY.format(title="New"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    (content / "2026-11-03.md").write_text(ENTRY.format(title="Edited again"))
    assert run_journal(*ARGS, cwd=root).returncode == 0
    built, ours = tree(root / "public"), _tables(root)
    # A first build of the same journal in the same place (keys name the site's folder).
    shutil.rmtree(root / CACHE_DIR_NAME)
    shutil.rmtree(root / "public")
    assert run_journal(*ARGS, cwd=root).returncode == 0
    assert built == tree(root / "public")
    assert ours == _tables(root)
    assert ("2026-11-04.md", "2026/11/04/index.html") not in {
        (s, p) for s, *_ in ours["files"] for p, *_ in ours["outputs"]
    }
    assert any(path == "2026/11/05/index.html" for path, *_ in ours["outputs"])


def test_the_code_version_names_every_module_and_nothing_else(tmp_path: Path) -> None:
    """A store is kept for the code that made it: an edit to any module of the package, a
    deep one too, gives another version; a file that is not a module does not."""
    import sys

    import journal_site

    copy = tmp_path / "code"
    shutil.copytree(
        Path(journal_site.__file__).parent,
        copy / "journal_site",
        ignore=shutil.ignore_patterns("__pycache__"),
    )

    def version() -> str:
        code = (
            "from journal_site.engine import store; "
            "print(store.__file__); print(store.code_version())"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONPATH": str(copy)},
            cwd=tmp_path,  # not the repository's folder, which ``-c`` puts first
            capture_output=True,
            text=True,
            check=True,
        )
        where, named = done.stdout.split()
        assert Path(where).is_relative_to(copy)  # the copy's code, not the repository's
        return named

    first = version()
    assert first == version()
    (copy / "journal_site" / "notes.txt").write_text("not code\n")
    assert version() == first
    module = copy / "journal_site" / "engine" / "held.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    second = version()
    assert second != first
    (copy / "journal_site" / "aggregate" / "extra.py").write_text("VALUE = 1\n")
    assert version() not in (first, second)
