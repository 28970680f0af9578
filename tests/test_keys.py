"""engine/keys.py: a key is the digest of what a template receives, so every difference
a template could show gives another digest, and equal views give equal digests.

The fingerprinter takes short cuts (containers digested once by identity, entries named
by tokens); each is checked here against the difference it must still see.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import functools
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from journal_site.aggregate.wins import WinRecord
from journal_site.engine import codec
from journal_site.engine.keys import Fingerprinter, Unnameable, goal_token
from journal_site.model import Entry, EntrySummary, Goal, Setback, Step, Win
from journal_site.pages import EntryCard


def digest(*values: Any) -> str:
    return Fingerprinter({}).digest(*values)


def _entry(
    source: str = "a.md", *, title: str = "Monday", body: str = "Hello", **more: Any
) -> Entry:
    values: dict[str, Any] = {
        "source": source,
        "day": dt.date(2026, 11, 2),
        "time": None,
        "title": title,
        "title_is_default": False,
        "tags": ("health",),
        "mood": None,
        "wins": (Win("A walk"),),
        "setbacks": (),
        "draft": False,
        "body_html": f"<p>{body}</p>",
        "text": body,
        "slug": "monday",
        "extra": {},
    }
    values.update(more)
    return Entry(**values)


def _loader_tokens(*entries: Entry) -> dict[int, tuple[object, str]]:
    """The tokens the loader hands the engine: an entry's and its summary's."""
    tokens: dict[int, tuple[object, str]] = {}
    for entry in entries:
        head, body = codec.encode_entry(entry)
        full, summary_token = codec.entry_tokens(head, body)
        summary = codec.decode_summary(head)
        tokens[id(entry)] = (entry, full)
        tokens[id(summary)] = (summary, summary_token)
    return tokens


@dataclass(frozen=True, slots=True)
class Cell:
    day: dt.date
    count: int
    label: str
    shown: str = field(default="", compare=False)
    """Derived from the others (a field outside the value's identity)."""


def module_level(x: int) -> int:
    return x


# -- plain values ------------------------------------------------------------------------


def test_plain_values_keep_their_type() -> None:
    assert digest(1) != digest(True) != digest(1.0)
    assert digest(1) != digest("1")
    assert digest("x") != digest(Markup("x"))  # Markup is not escaped: not the same value
    assert digest(b"x") != digest("x")
    assert digest(None) != digest("None")
    assert digest(dt.date(2026, 1, 1)) != digest(dt.datetime(2026, 1, 1))
    assert digest(dt.time(7)) != digest(dt.timedelta(hours=7))
    assert digest(0.0) != digest(-0.0)  # "-0" can be printed
    assert digest(PurePosixPath("a/b")) != digest("a/b")


def test_separators_inside_strings_do_not_collide() -> None:
    assert digest(["a\x1fb"]) != digest(["a", "b"])
    assert digest("a", "b") != digest("a\x1fb")
    assert digest(["a", "b"]) != digest(["ab"])
    assert digest([["a"], "b"]) != digest([["a", "b"]])


def test_a_list_and_a_tuple_are_not_the_same_value() -> None:
    assert digest(["a", 1]) != digest(("a", 1))
    assert digest([["a"]]) != digest([("a",)])
    assert digest([]) != digest(())


def test_containers_keep_their_order_and_types() -> None:
    assert digest({"a": "1"}) != digest({"a": 1})
    assert digest({"a": 1, "b": 2}) != digest({"b": 2, "a": 1})  # templates see the order
    assert digest({1, 2, 3}) == digest({3, 2, 1})  # a set has no order to see
    assert digest({1, 2}) != digest([1, 2])
    assert digest([]) != digest({}) != digest(set())


@pytest.mark.parametrize("size", [3, 8, 40])
def test_big_and_small_containers_see_every_item(size: int) -> None:
    """Containers from 8 items up are digested once per build by identity: a copy must
    still give the same digest, and a change another."""
    base = {f"k{i}": [f"v{i}", i] for i in range(size)}
    fp = Fingerprinter({})
    before = fp.digest(base)
    assert fp.digest(copy.deepcopy(base)) == before == Fingerprinter({}).digest(base)
    for changed in (
        {**base, "k2": ["other", 2]},
        {**base, "k2": ["v2", 2.0]},
        {**base, "new": ["x", 0]},
        dict(list(base.items())[::-1]),
    ):
        assert fp.digest(changed) != before
    rows = [base] * 9
    assert fp.digest(rows) == Fingerprinter({}).digest([copy.deepcopy(base) for _ in range(9)])
    assert fp.digest(rows) != fp.digest([*rows[:-1], {**base, "k1": ["v1", 7]}])


def test_a_dataclass_is_named_by_its_type_and_every_identity_field() -> None:
    base = Cell(dt.date(2026, 1, 1), 3, "x")
    assert digest(base) == digest(Cell(dt.date(2026, 1, 1), 3, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 2), 3, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 1), 4, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 1), 3, "x "))
    # A field outside the identity (compare=False) is derived from the others.
    assert digest(base) == digest(Cell(dt.date(2026, 1, 1), 3, "x", shown="anything"))

    @dataclass(frozen=True)
    class Other:
        day: dt.date
        count: int
        label: str

    assert digest(base) != digest(Other(dt.date(2026, 1, 1), 3, "x"))


# -- entries, summaries and goals --------------------------------------------------------


def test_an_entry_is_named_by_the_token_the_loader_made_for_it() -> None:
    entry = _entry()
    tokens = _loader_tokens(entry)
    # The token the loader computed, or the canonical JSON when there is none: the same.
    assert Fingerprinter(tokens).digest([entry]) == Fingerprinter({}).digest([entry])
    assert Fingerprinter(tokens).digest(entry) == digest(_entry())
    # A token held for another object with the same id is not used.
    stale = {id(entry): (object(), "stale")}
    assert Fingerprinter(stale).digest(entry) == digest(entry)
    # Another token (the file changed): every list that holds the entry changes.
    other = dict(tokens)
    other[id(entry)] = (entry, "another token")
    for value in ([entry], [entry] * 10, (EntryCard(entry, "2026/11/02/"),)):
        assert Fingerprinter(other).digest(value) != Fingerprinter(tokens).digest(value)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Tuesday"},
        {"mood": 4},
        {"tags": ("health", "work")},
        {"wins": (Win("A walk", goal="move"),)},
        {"wins": (Win("A walk", ("outside",)),)},
        {"setbacks": (Setback("Late"),)},
        {"draft": True},
        {"slug": "other"},
        {"time": dt.time(7, 30)},
        {"day": dt.date(2026, 11, 3)},
        {"title_is_default": True},
        {"extra": {"weather": "rain"}},
        {"source": "b.md"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_field_of_a_summary_counts_and_a_body_does_not(change: dict[str, Any]) -> None:
    """A page of summaries (wins, tags, goals...) is keyed by everything a summary has,
    so an override printing any of it follows an edit; a body edit leaves it alone."""
    base = _entry()
    edited = _entry(**{**_fields(base), **change})
    record = WinRecord(1, base.wins[0], base.summary(), ("health",))  # type: ignore[arg-type]
    record_edited = WinRecord(1, edited.wins[0], edited.summary(), ("health",))  # type: ignore[arg-type]
    assert digest(base.summary()) != digest(edited.summary())
    assert digest([record]) != digest([record_edited])
    assert digest([record] * 9) != digest([record_edited] * 9)
    body_edit = _entry(**{**_fields(base), "body_html": "<p>Other</p>", "text": "Other"})
    assert digest(base.summary()) == digest(body_edit.summary())
    assert digest(base) != digest(body_edit)


def _fields(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in Entry.__dataclass_fields__}


def test_an_entry_and_its_summary_are_not_the_same_value() -> None:
    entry = _entry()
    assert digest(entry) != digest(entry.summary())
    assert isinstance(entry.summary(), EntrySummary)


def test_win_records_and_cards_see_their_number_and_url() -> None:
    entries = [_entry(f"{n}.md") for n in range(20)]
    tokens = _loader_tokens(*entries)
    records = [WinRecord(n + 1, e.wins[0], e, ()) for n, e in enumerate(entries)]
    cards = [EntryCard(e, f"{n}/") for n, e in enumerate(entries)]
    before = Fingerprinter(tokens).digest(records, cards)
    renumbered = [*records[:-1], WinRecord(99, records[-1].win, records[-1].entry, ())]
    assert Fingerprinter(tokens).digest(renumbered, cards) != before
    moved = [*cards[:-1], EntryCard(cards[-1].entry, "elsewhere/")]
    assert Fingerprinter(tokens).digest(records, moved) != before
    retagged = [*records[:-1], WinRecord(20, records[-1].win, records[-1].entry, ("x",))]
    assert Fingerprinter(tokens).digest(retagged, cards) != before


def test_a_goal_is_named_by_all_it_holds() -> None:
    goal = Goal(
        "run", "goals/run.md", "Run", dt.date(2027, 1, 1), (Step("Ran", False),), "<p>Why</p>"
    )
    same = Goal(
        "run", "goals/run.md", "Run", dt.date(2027, 1, 1), (Step("Ran", False),), "<p>Why</p>"
    )
    assert goal_token(goal) == goal_token(same) and digest(goal) == digest(same)
    for other in (
        Goal(
            "run", "goals/run.md", "Run", dt.date(2027, 1, 1), (Step("Ran", True),), "<p>Why</p>"
        ),
        Goal("run", "goals/run.md", "Run", None, (Step("Ran", False),), "<p>Why</p>"),
        Goal(
            "run", "goals/run.md", "Run", dt.date(2027, 1, 1), (Step("Ran", False),), "<p>So</p>"
        ),
        Goal(
            "run",
            "goals/run.md",
            "Run",
            dt.date(2027, 1, 1),
            (Step("Ran", False),),
            "<p>Why</p>",
            {"a": 1},
        ),
    ):
        assert goal_token(other) != goal_token(goal)
        assert digest([other]) != digest([goal])


# -- what cannot be named ----------------------------------------------------------------


def test_functions_are_named_by_their_qualified_name() -> None:
    assert digest(module_level) == digest(module_level)
    assert digest(module_level) != digest(digest)
    assert digest(functools.partial(module_level, 1)) != digest(functools.partial(module_level, 2))
    assert digest(len) == digest(len)


class Hidden:
    """An object whose state the fingerprinter cannot see."""

    def __init__(self) -> None:
        self.value = 1


class Colour(enum.Enum):
    RED = 1


Pair = namedtuple("Pair", "a b")


@pytest.mark.parametrize(
    "value",
    [
        lambda: 1,
        Hidden(),
        object(),
        (x for x in range(3)),
        functools.partial(lambda x: x, 1),
        Colour.RED,
        Pair(1, 2),
        {"deep": [Hidden()]},
    ],
    ids=[
        "lambda",
        "object",
        "bare object",
        "generator",
        "partial of a lambda",
        "enum",
        "namedtuple",
        "nested",
    ],
)
def test_what_cannot_be_named_is_refused_not_guessed(value: object) -> None:
    with pytest.raises(Unnameable):
        digest(value)


def test_a_closure_is_refused() -> None:
    seen = []

    def closure() -> list[int]:
        return seen

    with pytest.raises(Unnameable):
        digest(closure)


def test_a_value_nested_too_deeply_is_refused() -> None:
    value: list[Any] = []
    for _ in range(100):
        value = [value]
    with pytest.raises(Unnameable):
        digest(value)


# -- the property ------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-2, 2, allow_nan=False, width=16)
    | st.sampled_from(["", "a", "b", "a\x1fb", "<b>", "1"]).map(str)
    | st.sampled_from(["a", "<b>"]).map(Markup)
    | st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 3))
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=10)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "1"]), inner, max_size=3)
        | st.builds(
            Cell,
            st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 2)),
            st.integers(0, 2),
            st.sampled_from(["x", "y"]),
        )
    ),
    max_leaves=25,
)


def typed(value: Any) -> Any:
    """What a template can tell of a value: its types, items in order and texts."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(v) for v in value])
    if isinstance(value, Cell):
        return ("Cell", typed(value.day), typed(value.count), typed(value.label))
    return (type(value).__name__, repr(value))


@given(data=st.data(), first=values)
def test_equal_digests_mean_the_same_values_to_a_template(data: st.DataObject, first: Any) -> None:
    second = data.draw(st.one_of(st.just(copy.deepcopy(first)), values), label="second")
    fp = Fingerprinter({})
    one, other = fp.digest(first), fp.digest(second)
    assert (one == other) == (typed(first) == typed(second))
    assert Fingerprinter({}).digest(second) == other  # nothing kept leaks between values


def test_a_separator_inside_a_text_cannot_shift_fields() -> None:
    """Two fields whose texts hold the joiner cannot read as two other fields."""
    assert digest(("p\x1fsq", "r")) != digest(("p", "q\x1fsr"))
    assert digest({"a": "b\x1fsc"}) != digest({"a\x1fsb": "c"})


# -- digests carried from one build to the next ------------------------------------------


@given(values=st.lists(values, min_size=1, max_size=4))
def test_a_carried_digest_is_the_one_a_fresh_walk_gives(values: list[Any]) -> None:
    """A build's fingerprinter takes over the last one's digests of frozen records
    (``lasting``, for the records a model's memo hands on): what it gives for every
    value is what a fingerprinter that carries nothing gives."""
    first = Fingerprinter({})
    before = [first.digest(v) for v in values]
    carried = first.lasting()
    assert all(type(held[0]) is Cell for held in carried.values())  # frozen records only
    second = Fingerprinter({}, carried=carried)
    assert [second.digest(v) for v in values] == before == [digest(v) for v in values]


def test_a_carried_record_keeps_its_references() -> None:
    """A record holding references (what a page names by token) is carried with them:
    the next build still finds the entry's body among the page's inputs."""
    from journal_site.pages import Body

    @dataclass(frozen=True)
    class Shown:
        body: Body
        label: str

    record = Shown(Body("a.md"), "x" * 500)  # long: digested, not inlined
    first = Fingerprinter({})
    named, refs = first.inputs([record])
    second = Fingerprinter({}, carried=first.lasting())
    assert second.inputs([record]) == (named, refs) == (named, (("Body", "a.md"),))


def test_what_is_not_frozen_is_not_carried() -> None:
    """A list or a record that may change is walked again in every build."""

    @dataclass
    class Loose:
        items: list[int]

    loose = Loose(list(range(20)))
    first = Fingerprinter({})
    first.digest(loose, list(range(20)))
    assert first.lasting() == {}
    loose.items.append(20)
    assert Fingerprinter({}, carried=first.lasting()).digest(loose) == digest(loose)
