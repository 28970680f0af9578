"""Work over all cores (journal_site/parallel.py): what forked helpers make is what this
process would make, and what a helper fails to make is made here, with its error."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

from journal_site import parallel
from journal_site.errors import JournalError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forked")


def _page(number: int) -> bytes:
    return f"<p>page {number}</p>".encode() * (number % 7 + 1)


def test_render_many_gives_every_output_in_order_and_each_helpers_extras(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "worker_count", lambda: 3)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 2)
    parent = os.getpid()
    made_by: list[int] = []

    def make(number: int) -> bytes:
        made_by.append(number)
        return _page(number)

    def collect() -> dict[str, int]:
        return {"pid": os.getpid(), "made": len(made_by)}

    count = 500
    data, extras = parallel.render_many(make, count, collect)
    assert data == [_page(n) for n in range(count)]
    assert len(extras) <= 2 and all(extra["pid"] != parent for extra in extras)
    # Every output was made once: here, or in one of the helpers.
    assert len(made_by) + sum(extra["made"] for extra in extras) == count


def test_what_a_helper_fails_to_make_is_made_here(monkeypatch) -> None:
    """A helper that fails (here: every output it takes) sends nothing back; this
    process makes its outputs, so the result is whole, and an error is its own."""
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 2)
    parent = os.getpid()

    def make(number: int) -> bytes:
        if os.getpid() != parent:
            raise JournalError.single(f"page {number}", None, "not in a helper")
        time.sleep(0.005)  # slow enough here that the helper takes outputs too
        return _page(number)

    data, extras = parallel.render_many(make, 64, lambda: {})
    assert data == [_page(n) for n in range(64)] and extras == []

    def broken(number: int) -> bytes:
        if number == 40:
            raise JournalError.single("templates/tag.html", 3, "cannot be rendered")
        return _page(number)

    with pytest.raises(JournalError) as caught:
        parallel.render_many(broken, 64, None)
    assert "templates/tag.html" in str(caught.value)


def test_a_forked_helper_sends_back_what_it_returns_or_nothing() -> None:
    helper = parallel.Forked(lambda: b"x" * 200_000)
    assert helper.result() == b"x" * 200_000

    def fails() -> bytes:
        raise RuntimeError("gone")

    assert parallel.Forked(fails).result() is None


def test_a_helper_sends_its_parts_as_it_makes_them() -> None:
    """A helper's parts arrive joined; a helper that yields its parts sends each as it
    is made, read here on a thread meanwhile, and one that fails part of the way keeps
    what it sent, marked as not whole."""
    parts = [b"a" * 70_000, b"", b"b" * 90_000]
    assert parallel.Forked(lambda: parts).result() == b"".join(parts)

    sent = [b"x" * 100_000 * (n % 3) for n in range(40)]  # more than a pipe holds
    taken = parallel.Forked(lambda: iter(sent)).take_in()
    assert taken() == (sent, True)

    def fails_after_two() -> Iterator[bytes]:
        yield b"one"
        yield b"two"
        raise RuntimeError("gone")

    assert parallel.Forked(fails_after_two).take_in()() == ([b"one", b"two"], False)


def test_what_a_helper_sent_before_it_failed_is_kept(monkeypatch) -> None:
    """A render helper that fails after some outputs: those it sent are used, the rest
    of its share is made here, and its by-products (sent last) are not taken."""
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 2)
    parent = os.getpid()
    sent_there: list[int] = []

    def make(number: int) -> bytes:
        if os.getpid() != parent:
            if len(sent_there) == 3:
                raise RuntimeError("the helper stops here")
            sent_there.append(number)
        else:
            time.sleep(0.002)
        return _page(number)

    data, extras = parallel.render_many(make, 200, lambda: {"made": len(sent_there)})
    assert data == [_page(n) for n in range(200)] and extras == []


def test_each_claim_is_taken_by_one_process_alone() -> None:
    """Two processes take jobs from ``Claims`` from either end: each job is done by
    exactly one of them."""
    count = 200
    claims = parallel.Claims(count)

    def from_the_end() -> bytes:
        taken = [job for job in reversed(range(count)) if claims.take(job)]
        return json.dumps(taken).encode()

    helper = parallel.Forked(from_the_end)
    mine = [job for job in range(count) if claims.take(job)]
    theirs = json.loads(helper.result() or b"[]")
    claims.close()
    assert sorted(mine + theirs) == list(range(count))
    assert not claims.take(0)  # closed: nothing is left to take


def test_outputs_made_from_both_ends_come_back_once_each_in_order() -> None:
    made_here: list[int] = []

    def page(number: int) -> bytes:
        made_here.append(number)  # in this process only: the helper's list is its own
        time.sleep(0.005)  # long enough for the helper to start and take its share
        return _page(number)

    data, extra = parallel.made_from_both_ends(page, 40, lambda: {"cards": 2})
    assert data == [_page(n) for n in range(40)]
    # The helper took some from the end; it sends what it collected.
    assert made_here == list(range(len(made_here))) and len(made_here) < 40
    assert extra == {"cards": 2}


def test_outputs_a_helper_could_not_make_are_made_here_with_their_error() -> None:
    def broken(number: int) -> bytes:
        if number == 39:  # the helper's first
            raise JournalError.single("templates/stats.html", 9, "cannot be rendered")
        return _page(number)

    with pytest.raises(JournalError, match="cannot be rendered"):
        parallel.made_from_both_ends(broken, 40)
