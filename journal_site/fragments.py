"""Parts of pages rendered once and kept: win cards and cached partials.

A fragment is kept under the digest of exactly what its template received (engine/
keys.py), so it is the same text whenever that key is asked for again, on any page and
in any later build with the same templates and settings.

- A *win card* (``win_card(rec)``, ``partials/win_card.html``) is small and shows on
  several pages (its year of the wins wall, its tags, its goal): the last card made
  for each place (``card_key``) is kept.
- A *partial* (``partial(name, ...)``) can be large (a whole year of the wins wall)
  and a new one is made whenever anything in it changes. It is kept while a page
  made with it may be made again the same way: each page's uses of partials (its
  *slots*, the page's path and the partial's name and place) name the partial last
  rendered there, and a partial that no slot names is dropped, from memory after each
  build and from the store when it saves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping

from markupsafe import Markup

PARTIAL_PREFIX = "p"
"""A partial's key starts with this (a card's with a hex digit)."""
LATE_PREFIX = PARTIAL_PREFIX + "l"
"""A text made once for all its win numbers (engine/late.py) is kept as a partial is,
under a key that starts with this (a partial's goes on with a hex digit): the store
keeps it compressed."""
PLACE_END = "."
"""Ends a card's *place* at the start of its key (see ``card_key``)."""


def card_key(place: object, digest: str) -> str:
    """A win card's key: its place, then ``digest``, of everything its template
    receives. The place names the win (its entry's source and its index there) and
    the links around it on the pages that show it, not the win itself, so that a card
    made again for the same place (the win renumbered, retitled) replaces the old one
    in the store (store.py) instead of joining it: a win added in the middle of the
    journal renumbers every later win, and the cards of old numbers are never shown
    again."""
    named = hashlib.blake2b(repr(place).encode("utf-8", "surrogatepass"), digest_size=8)
    return f"{named.hexdigest()}{PLACE_END}{digest}"


Uses = dict[str, tuple[str, str]]
"""Slot (page path, NUL, partial name, ``#`` and its place in the page) -> (page
path, the key of the partial rendered there)."""


class Fragments:
    """Fragments by key: those kept from earlier builds (``read`` reads one, when a page
    first asks for it) and those made since (``take_new``, for the store to keep)."""

    def __init__(self, read: Callable[[str], str | None] | None = None) -> None:
        self._read = read
        self._made: dict[str, Markup] = {}
        self._new: dict[str, str] = {}
        self._places: dict[str, str] = {}
        """A card's place -> the key of the card held for it (see ``card_key``)."""
        self.uses: Uses = {}
        """Where each partial was last rendered in this process."""
        self._new_uses: Uses = {}

    def get(self, key: str) -> Markup | None:
        made = self._made.get(key)
        if made is not None:
            return made
        text = self._read(key) if self._read is not None else None
        if text is None:
            return None
        made = self._made[key] = Markup(text)
        self._hold_place(key)
        return made

    def add(self, key: str, made: Markup) -> None:
        self._made[key] = made
        self._new[key] = made  # a str already: kept once, not copied
        self._hold_place(key)

    def _hold_place(self, key: str) -> None:
        """A card held for its place forgets the one held there before (a long
        ``journal serve`` would otherwise keep every number a win ever had)."""
        place, end, _ = key.partition(PLACE_END)
        if end:
            before = self._places.get(place)
            if before is not None and before != key:
                self._made.pop(before, None)
                self._new.pop(before, None)
            self._places[place] = key

    def use(self, page: str, slot: str, key: str) -> None:
        """The partial ``key`` was rendered as ``slot`` of ``page`` (its path)."""
        named = f"{page}\0{slot}"
        self.uses[named] = self._new_uses[named] = (page, key)

    def take_new(self) -> tuple[dict[str, str], Uses]:
        """The fragments made, and the partials' uses, since the last call."""
        new, self._new = self._new, {}
        uses, self._new_uses = self._new_uses, {}
        return new, uses

    def update(self, made: tuple[Mapping[str, str], Mapping[str, object]] | None) -> None:
        """What another process made (a forked helper's ``take_new``, sent as JSON): new
        to this process too."""
        if made is None:
            return
        fragments, uses = made
        for key, text in fragments.items():
            if key not in self._made:
                self.add(key, Markup(text))
        for slot, (page, key) in uses.items():  # type: ignore[misc]
            self.uses[slot] = self._new_uses[slot] = (page, key)

    def retain(self, pages: Collection[str]) -> None:
        """After a build whose site has the pages ``pages``: forget the slots of pages
        it no longer has, and the partials that no slot names."""
        self.uses = {slot: use for slot, use in self.uses.items() if use[0] in pages}
        named = {key for _, key in self.uses.values()}
        self._made = {
            key: made
            for key, made in self._made.items()
            if not key.startswith(PARTIAL_PREFIX) or key in named
        }
