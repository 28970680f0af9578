"""Templates compiled ahead: a forked process compiles the theme's templates while this
one makes the model and plans, so that the render stage finds them ready.

Compiling a template takes 1-25 ms; the default theme's 26 take about 220 ms, which a
build that renders a few pages would otherwise spend on its one busy core, and again in
every render helper it forks. Four fifths of that is Jinja's parser and code generator,
which turn a template into Python source; the rest is Python compiling that source. The
process started here has the other core to itself meanwhile: it turns every template
into Python source, the everyday ones first (``FIRST``), and sends each one down a pipe
as soon as it is made. This process compiles that source when the template is first
loaded, through Jinja's own hook for compiled code, a ``BytecodeCache``
(``CompiledAhead.load_bytecode``).

What comes down the pipe is used only for the very template it was made from: each one
travels with the checksum of its template's text, and Jinja's loader reads the file
again here and asks by the checksum of what it read. A template changed in between, or
one the other process could not read (an error there is dropped), is compiled here as
it always was, with its error raised here. Nothing of this is written to disk, and
nothing is unmarshalled: the source is text made by a copy of this very process, read
from a pipe only the two share, never from a file another program could plant.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

import jinja2

from journal_site.parallel import stop_process, worker_count
from journal_site.render import template_environment

FIRST = (
    "base.html",
    "partials/head.html",
    "entry.html",
    "timeline.html",
    "partials/entry_card.html",
)
"""Compiled before the others: the templates of the pages that an edited entry makes
again (its own page and its timeline page), the build people wait for most often."""

PIPE_SIZE = 1 << 20
"""Room asked for in the pipe (Linux; the default is 64 KiB): the default theme's
templates make about 220 KB of Python source, and the other process should not wait for
this one to read."""


class CompiledAhead(jinja2.BytecodeCache):
    """The templates another process makes into Python source (see the module's
    docstring): a ``BytecodeCache`` for the renderer's environment. ``taken`` counts the
    templates whose code came from there."""

    def __init__(self, template_dirs: Iterable[Path]) -> None:
        self.taken = 0
        self._dirs = list(template_dirs)
        self._held: dict[str, tuple[str, str, str]] = {}
        """Jinja's cache key (name and file) -> (checksum of the template's text, its
        file name, its Python source)."""
        self._names: list[str] = []
        self._pending = b""
        self._pipe: int | None = None
        self._pid: int | None = None
        self._reader = os.getpid()
        """The process that reads the pipe: a render helper forked from it inherits what
        had come, and compiles from that alone."""

    def start(self) -> bool:
        """Fork the process that compiles the templates (False: none could be started,
        and templates are compiled here as they are needed)."""
        if self._pid is not None or not self._dirs or not hasattr(os, "fork"):
            return False
        try:
            reader, writer = os.pipe()
        except OSError:
            return False
        with contextlib.suppress(OSError, AttributeError, ValueError):
            import fcntl

            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return False
        if pid == 0:  # the other process: compile, send, and end without cleaning up
            try:
                os.close(reader)
                _compile_all(self._dirs, writer)
            finally:
                os._exit(0)
        os.close(writer)
        os.set_blocking(reader, False)
        self._pid, self._pipe = pid, reader
        return True

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._receive()
        held = self._held.pop(bucket.key, None)
        if held is not None and held[0] == bucket.checksum:
            # As Jinja compiles the source its code generator makes (Environment.compile).
            bucket.code = compile(held[2], held[1], "exec")
            self.taken += 1

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Code compiled here is kept by the environment itself: nothing to do."""

    def ready(self) -> list[str]:
        """The names of the templates received so far (taking in what has come)."""
        self._receive()
        return list(self._names)

    def close(self) -> None:
        """Stop the other process (what it has not sent yet is compiled here if needed)."""
        stop_process(self._pid, self._pipe)
        self._pid = self._pipe = None

    def _receive(self) -> None:
        """Take in every whole template the pipe holds now, without waiting."""
        while self._pipe is not None and os.getpid() == self._reader:
            try:
                data = os.read(self._pipe, PIPE_SIZE)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:  # the other process is done
                self.close()
                break
            self._pending += data
        pending = self._pending
        at = 0
        while len(pending) - at >= 8:
            head, size = (int.from_bytes(pending[at + i : at + i + 4], "little") for i in (0, 4))
            end = at + 8 + head + size
            if end > len(pending):
                break
            name, key, checksum, filename = pending[at + 8 : at + 8 + head].decode().split("\0")
            self._held[key] = (checksum, filename, pending[at + 8 + head : end].decode())
            self._names.append(name)
            at = end
        self._pending = pending[at:]


def _compile_all(dirs: list[Path], writer: int) -> None:
    """The other process's side: each template as Python source, down the pipe, with
    what names it as Jinja's ``BytecodeCache`` does (a key for its name and file, the
    checksum of its text)."""
    env = template_environment(dirs)
    names = env.list_templates(extensions=["html"])
    keys = jinja2.BytecodeCache()
    for name in [*(n for n in FIRST if n in names), *(n for n in names if n not in FIRST)]:
        try:
            text, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            source = env.compile(text, name, filename, raw=True)
        except Exception:  # compiled again, and reported, by the build
            continue
        filename = filename or "<template>"
        named = (
            name,
            keys.get_cache_key(name, filename),
            keys.get_source_checksum(text),
            filename,
        )
        head, data = "\0".join(named).encode(), source.encode()
        frame = len(head).to_bytes(4, "little") + len(data).to_bytes(4, "little") + head + data
        view = memoryview(frame)
        while view:
            view = view[os.write(writer, view) :]


def prepared(template_dirs: Iterable[Path]) -> CompiledAhead | None:
    """Templates to compile in another process once ``start`` is called, if this machine
    has a core for it (None: compile them here, as they are needed)."""
    return CompiledAhead(template_dirs) if worker_count() >= 2 else None
