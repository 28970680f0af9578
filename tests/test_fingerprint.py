"""The page fingerprint: every difference a template could show gives another digest.

The fingerprinter takes short cuts (one repr for plain containers and flat records, one
loop for lists of entries and win records, tokens instead of entries); each is checked
here against the difference it must still see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from journal_site.aggregate.wins import WinRecord
from journal_site.fingerprint import Fingerprinter
from journal_site.model import Entry, Win
from journal_site.pages import EntryCard


def _entry(source: str, text: str = "A walk") -> Entry:
    return Entry(
        source=source,
        day=dt.date(2026, 11, 2),
        time=None,
        title="Monday",
        title_is_default=False,
        tags=("health",),
        mood=None,
        wins=(Win(text),),
        setbacks=(),
        draft=False,
        body_html="<p>Hello</p>",
        text="Hello",
        slug="monday",
    )


def _tokens(*items: tuple[object, bytes]) -> dict[int, tuple[object, bytes]]:
    return {id(value): (value, token) for value, token in items}


@dataclass(frozen=True, slots=True)
class Cell:
    day: dt.date
    count: int
    label: str


def test_plain_containers_keep_their_kind_order_and_types() -> None:
    digest = Fingerprinter().digest
    assert digest(["a", 1]) != digest(("a", 1))
    assert digest({"a": "1"}) != digest({"a": 1})
    assert digest({"a": 1, "b": 2}) != digest({"b": 2, "a": 1})  # templates see the order
    assert digest(["x"]) != digest([Markup("x")])  # Markup is not escaped: not the same value
    big = {f"k{i}": f"v{i}" for i in range(40)}
    changed = dict(big, k7="other")
    assert digest(big) != digest(changed)
    assert digest(big) == Fingerprinter().digest(dict(big))


def test_flat_records_are_told_apart_by_every_field() -> None:
    digest = Fingerprinter().digest
    base = Cell(dt.date(2026, 1, 1), 3, "x")
    assert digest(base) == digest(Cell(dt.date(2026, 1, 1), 3, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 2), 3, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 1), 4, "x"))
    assert digest(base) != digest(Cell(dt.date(2026, 1, 1), 3, "x "))


def test_lists_of_entries_and_records_are_named_by_tokens() -> None:
    entries = [_entry(f"{n}.md") for n in range(20)]
    tokens = [b"t%d" % n for n in range(20)]
    known = _tokens(*zip(entries, tokens, strict=True))
    records = [
        WinRecord(number=n + 1, win=e.wins[0], entry=e, tags=()) for n, e in enumerate(entries)
    ]
    known.update(_tokens(*((e.wins[0], t + b"/w0") for e, t in zip(entries, tokens, strict=True))))
    cards = [EntryCard(entry=e, url=f"{n}/") for n, e in enumerate(entries)]

    first = Fingerprinter(known)
    before = (first.digest(entries), first.digest(records), first.digest(cards))
    again = Fingerprinter(known)
    assert (
        again.digest(list(entries)),
        again.digest(list(records)),
        again.digest(list(cards)),
    ) == before

    # Another token for one entry (its file changed): every list that holds it changes.
    changed = dict(known)
    changed[id(entries[5])] = (entries[5], b"other")
    changed[id(entries[5].wins[0])] = (entries[5].wins[0], b"other/w0")
    after = Fingerprinter(changed)
    assert after.digest(entries) != before[0]
    assert after.digest(records) != before[1]
    assert after.digest(cards) != before[2]

    # A record's own number and a card's URL are seen beside the token.
    renumbered = [*records[:-1], WinRecord(99, records[-1].win, records[-1].entry, ())]
    assert Fingerprinter(known).digest(renumbered) != before[1]
    moved = [*cards[:-1], EntryCard(cards[-1].entry, "elsewhere/")]
    assert Fingerprinter(known).digest(moved) != before[2]


def test_an_entry_without_a_token_is_walked_in_full() -> None:
    one, other = _entry("a.md"), _entry("a.md", text="A run")
    digest = Fingerprinter().digest
    assert digest([one] * 20) != digest([other] * 20)
    assert digest([one] * 20) == digest([_entry("a.md")] * 20)
