"""A win's number printed into its card after the card is made.

Every win has a number (``WinRecord.number``, counting from the first win ever
written), and the default card prints it. A win added in the middle of the journal
moves the number of every later win on by one, so every later card would be made
again, though nothing else in it changed: about half the cards of the wins wall, the
tag pages and the goal pages.

A card whose template only *prints* the number is made once for all its numbers: it
is rendered with a stand-in (``Hole``) in place of the number, which prints as a
marker naming the format asked for, and the marker is replaced by the number each
time the card is shown (``fill``). The card is then kept under the digest of what it
receives with the stand-in in place of the number.

That is right only when nothing in the template can depend on the number except the
text printed for it. ``prints_number_only`` proves it from the template's syntax tree
before a stand-in is used: ``rec`` is only read, each use reads one of the record's
fields (never the whole record, a method or a dunder), and ``rec.number`` appears
only as the whole of an output (``{{ rec.number }}``) or as an argument of
``"...".format(...)`` that is the whole of an output (a format that converts no
value: no ``!s``), outside any block whose output
is captured or filtered (macros, ``call``, ``filter``, ``set`` blocks, named blocks),
in a template that includes, imports and extends nothing. At run time, the stand-in
refuses every use but being printed (raising ``HoleTouched``), refuses a format whose
text HTML escaping would change, and the card must hold exactly one marker per time
it was printed (a win's own text holding the marker's characters does not); if any of
this fails, the card is made with the number, as any other template's card is.

Whole pages take their numbers late too (engine/late.py). A builder marks the
numbers in a page's arguments as ``WinNumber`` (a tag page's first number of each
entry it shows); the page is then rendered from arguments with a ``PageHole`` in
place of each, which the view's maker can only add whole numbers to (a win's number
is its entry's first plus its place), and which a template can only print: the
environment's ``finalize`` turns a stand-in that is the whole of an output into a
marker naming its place in the arguments and what was added, and every other use
raises ``HoleTouched``. ``streams_only`` proves from a template's syntax that what
it prints cannot be read back (no macro, ``call``, ``filter`` or ``set`` block, no
``self``, ``super`` or recursive loop, ``win_card`` and ``partial`` called only as the
whole of an output) and that no test tells a stand-in from a number. Nothing a page
made so receives holds a real number; a theme that went looking for one through the
objects handed to every template (by a dunder name built at run time, which the check
cannot see) could find the renderer's, and is not guarded against: that is no theme's
business.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import NoReturn, TypeVar

import jinja2
from jinja2 import nodes

OPEN, CLOSE, SEP = "\ue000", "\ue001", "\ue002"
"""Characters of Unicode's private use area around a marker's format (and, in a page's
marker, between the format and the number's place)."""
MARKER = re.compile(f"{OPEN}([^{OPEN}{CLOSE}{SEP}]*){CLOSE}")
PAGE_MARKER = re.compile(f"{OPEN}([^{OPEN}{CLOSE}{SEP}]*){SEP}([0-9]+)([+-][0-9]+){CLOSE}")
"""A page's marker: the format, the place of the number in the page's arguments, and
what was added to it."""
ESCAPED = set("<>&\"'" + OPEN + CLOSE + SEP)
"""Characters a format may not hold: HTML escaping changes them, or they end a marker."""
STAND_IN = "a win's number, put in when the card is shown"
"""Digested with a card made with a ``Hole`` (its record's number set to 0, which no
win has): no card made with the number has it among its values."""
FIELDS = frozenset({"win", "entry", "tags", "index", "number"})
"""The fields of a ``WinRecord`` a card may read."""
READ_BACK = (
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.AssignBlock,
    nodes.Import,
    nodes.FromImport,
    nodes.ContextReference,
    nodes.DerivedContextReference,
)
"""Nodes that make printed text a value a template can read (or bring in such a one):
a page with any of them is never made late (``streams_only``)."""
CAPTURING = (*READ_BACK, nodes.Block, nodes.Include, nodes.Extends)
"""Nodes whose presence makes a template's output something a template can inspect
(or hands the record to another template): a card with any of them is made with its
number (``prints_number_only``)."""


class HoleTouched(Exception):
    """The template used the stand-in for something other than printing it."""


class Hole:
    """Stands in for a win's number while its card is rendered: printed, it leaves a
    marker holding the format asked for; any other use raises ``HoleTouched``."""

    __slots__ = ("printed",)

    def __init__(self) -> None:
        self.printed = 0

    def __str__(self) -> str:
        return self.__format__("")

    def __format__(self, spec: str) -> str:
        if ESCAPED.intersection(spec):
            raise HoleTouched(spec)
        format(1, spec)  # a format no number takes fails as it would with the number
        self.printed += 1
        return f"{OPEN}{spec}{CLOSE}"

    def _touched(self, *args: object) -> NoReturn:
        raise HoleTouched()

    __repr__ = __bool__ = __int__ = __float__ = __index__ = __hash__ = __len__ = _touched  # type: ignore[assignment]
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _touched  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _touched
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _touched
    __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = _touched
    __iter__ = __contains__ = __getitem__ = __call__ = __round__ = _touched


def fill(text: str, number: int | PageHole) -> str:
    """``text`` (a card made with a ``Hole``) with ``number`` in each marker (for a
    page's stand-in, a page's marker)."""
    if OPEN not in text:
        return text
    if type(number) is PageHole:
        return MARKER.sub(lambda found: number.marker(found[1]), text)
    return MARKER.sub(lambda found: format(number, found[1]), text)


def complete(text: str, hole: Hole) -> bool:
    """Whether ``text``, rendered with ``hole``, holds exactly one marker for each time
    the hole was printed, and no other marker character."""
    opened = text.count(OPEN)
    return opened == hole.printed == text.count(CLOSE) == len(MARKER.findall(text))


class WinNumber(int):
    """A win's number in a page's arguments (a builder's mark): the page may be made
    once for all the numbers there, and the numbers put in as it is written."""

    __slots__ = ()


F = TypeVar("F", bound=Callable[..., object])


def takes_win_numbers(make: F) -> F:
    """Marks a view's maker whose arguments may hold ``WinNumber`` values: only such a
    page's arguments are looked through for them (engine/late.py), not every entry's."""
    make.win_numbers = True  # type: ignore[attr-defined]
    return make


class Sheet:
    """The numbers of one page rendered with stand-ins, by place, and how many markers
    its stand-ins printed."""

    __slots__ = ("numbers", "printed")

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self.printed = 0

    def holds(self, text: str, printed: int) -> bool:
        """Whether ``text``, in which the stand-ins printed ``printed`` markers, holds
        exactly those, and no other marker character."""
        return (
            text.count(OPEN) == printed
            and text.count(CLOSE) == printed
            and text.count(SEP) == printed
            and len(PAGE_MARKER.findall(text)) == printed
        )


class PageHole:
    """Stands in for the number at ``slot`` of a page's arguments, plus ``offset``: a
    whole number can be added to it or taken from it, and the environment's
    ``finalize`` prints it as a marker; any other use raises ``HoleTouched``."""

    __slots__ = ("offset", "sheet", "slot")

    def __init__(self, sheet: Sheet, slot: int, offset: int = 0) -> None:
        self.sheet, self.slot, self.offset = sheet, slot, offset

    def __add__(self, other: object) -> PageHole:
        if type(other) is not int:
            raise HoleTouched()
        return PageHole(self.sheet, self.slot, self.offset + other)

    __radd__ = __add__

    def __sub__(self, other: object) -> PageHole:
        if type(other) is not int:
            raise HoleTouched()
        return PageHole(self.sheet, self.slot, self.offset - other)

    def marker(self, spec: str = "") -> str:
        """The marker for this number formatted with ``spec``, counted as printed."""
        if ESCAPED.intersection(spec):
            raise HoleTouched(spec)
        format(1, spec)  # a format no number takes fails as it would with the number
        self.sheet.printed += 1
        return f"{OPEN}{spec}{SEP}{self.slot}{self.offset:+d}{CLOSE}"

    @property
    def name(self) -> str:
        """What names it in a key (engine/keys.py): its place and what was added."""
        return f"hole:{self.slot}{self.offset:+d}"

    def __getattr__(self, name: str) -> NoReturn:
        raise HoleTouched(name)

    def _touched(self, *args: object) -> NoReturn:
        raise HoleTouched()

    __str__ = __format__ = __repr__ = __bool__ = __int__ = __float__ = __index__ = _touched  # type: ignore[assignment]
    __hash__ = __len__ = __iter__ = __contains__ = __getitem__ = __round__ = _touched  # type: ignore[assignment]
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _touched  # type: ignore[assignment]
    __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _touched
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = _touched
    __neg__ = __pos__ = __abs__ = __and__ = __or__ = __xor__ = __invert__ = _touched


def finalize(value: object) -> object:
    """What a template's output prints for ``value`` (the environment's ``finalize``): a
    page's stand-in as its marker, anything else as it is."""
    if type(value) is PageHole:
        return value.marker()
    return value


def fill_page(text: str, numbers: list[int]) -> str:
    """``text`` (a page made with stand-ins) with each marker's number put in."""
    if OPEN not in text:
        return text
    return PAGE_MARKER.sub(
        lambda found: format(numbers[int(found[2])] + int(found[3]), found[1]), text
    )


HIDDEN_NAMES = frozenset({"self", "super", "caller", "varargs", "kwargs"})
TESTS_OF_TYPE = frozenset({"integer", "number", "sameas", "float", "boolean"})
"""Tests that could tell a stand-in from a number (its type, its identity)."""
RENDERING = frozenset({"win_card", "partial"})
"""Functions handed to templates that return rendered text (render.py)."""


def streams_only(env: jinja2.Environment, source: str) -> bool:
    """Whether what the template ``source`` prints goes straight to the page, never to
    a value it can read again, and no test in it tells a stand-in from a number (see
    the module's docstring)."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return False
    return _streams(tree, None)


def _streams(node: nodes.Node, parent: nodes.Node | None) -> bool:
    if isinstance(node, READ_BACK):
        return False
    if isinstance(node, nodes.For) and node.recursive:
        return False
    if isinstance(node, nodes.Name):
        if node.name in HIDDEN_NAMES:
            return False
        if node.name in RENDERING and not (isinstance(parent, nodes.Call) and parent.node is node):
            return False
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Name)
        and node.node.name in RENDERING
        and not isinstance(parent, nodes.Output)
    ):
        return False
    if isinstance(node, nodes.Test) and node.name in TESTS_OF_TYPE:
        return False
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return False
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
        and node.arg.value.startswith("_")
    ):
        return False
    if isinstance(node, nodes.Filter) and node.name == "attr":
        return False
    return all(_streams(child, node) for child in node.iter_child_nodes())


def prints_number_only(env: jinja2.Environment, source: str, name: str = "rec") -> bool:
    """Whether the template ``source`` can use ``name``'s ``number`` for nothing but
    printing it (see the module's docstring)."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return False
    return _check(tree, (), name)


def _check(node: nodes.Node, parents: tuple[nodes.Node, ...], name: str) -> bool:
    if isinstance(node, CAPTURING):
        return False
    if isinstance(node, nodes.Name) and node.name in (name, "self"):
        if node.ctx != "load" or node.name == "self":
            return False
        parent = parents[-1] if parents else None
        if not isinstance(parent, nodes.Getattr) or parent.attr not in FIELDS:
            return False
        if parent.attr == "number" and not _printed(parents[:-1], parent):
            return False
    chain = (*parents, node)
    return all(_check(child, chain, name) for child in node.iter_child_nodes())


def _printed(parents: tuple[nodes.Node, ...], value: nodes.Node) -> bool:
    """Whether ``value`` (whose ancestors are ``parents``) is printed whole: an item
    of an output, or the argument of a string constant's ``format`` that is one."""
    if not parents:
        return False
    parent = parents[-1]
    if isinstance(parent, nodes.Call):
        method = parent.node
        if (
            not any(arg is value for arg in parent.args)
            or parent.kwargs
            or parent.dyn_args is not None
            or parent.dyn_kwargs is not None
            or not isinstance(method, nodes.Getattr)
            or method.attr != "format"
            or not isinstance(method.node, nodes.Const)
            or not isinstance(method.node.value, str)
            or not _plain_fields(method.node.value)
        ):
            return False
        return _printed(parents[:-1], parent)
    return isinstance(parent, nodes.Output) and any(item is value for item in parent.nodes)


def _plain_fields(pattern: str) -> bool:
    """Whether the format string ``pattern`` converts none of its values (``!s`` would
    turn the stand-in into text that the format's spec then pads as text)."""
    try:
        return all(conversion is None for _, _, _, conversion in string.Formatter().parse(pattern))
    except ValueError:
        return False
