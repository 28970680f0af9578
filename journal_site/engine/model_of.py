"""A build's model, made only when something asks for it.

The model (pages/__init__.py, ``make_model``) is made of the entries' summaries, the
goals, the other files' names, the warnings the scan found, the settings, today,
whether drafts are shown and the selection: its *inputs*, digested here from each
file's token without decoding any summary. A build whose inputs have the digest the
last successful build's had knows that model's digest, its warnings and its count of
entries (``Facts``, which the store keeps), so it takes every held plan without
making the model, and makes an output of them that shows a changed body from the view
the store keeps of it (views.py). A body edit so never decodes the 4,000 summaries: a
builder that must run, an entry that links to others, or a view that is not kept is
what makes the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from journal_site.config import Config
from journal_site.engine.keys import Fingerprinter, Unnameable
from journal_site.engine.selection import Selection
from journal_site.engine.sources import Sources
from journal_site.errors import Problem, plain_problems, problems_from_plain
from journal_site.loader import Journal
from journal_site.model import Asset
from journal_site.pages import Memo, SiteModel, future_warnings, make_model


@dataclass(frozen=True, slots=True)
class Facts:
    """What a build needs to know of its model besides its pages, named by its inputs."""

    inputs: str
    digest: str
    """The model's digest (keys.py): what the held plans were made for."""
    entries: int
    warnings: tuple[Problem, ...]
    """The journal's warnings and the model's (an entry dated after today)."""

    def text(self) -> str:
        warnings = plain_problems(self.warnings)
        return json.dumps([self.inputs, self.digest, self.entries, warnings])

    @staticmethod
    def read(text: str | None) -> Facts | None:
        """The facts ``text`` holds, or None (none kept, or a text that does not read)."""
        try:
            inputs, digest, entries, warnings = json.loads(text or "")
            return Facts(str(inputs), str(digest), int(entries), problems_from_plain(warnings))
        except (ValueError, TypeError):
            return None


class ModelOf:
    """Makes the model of one build once, when first called."""

    def __init__(
        self,
        config: Config,
        loaded: Sources,
        today: dt.date,
        drafts: bool,
        selection: Selection,
        memo: Memo,
        fingerprinter: Fingerprinter,
        tokens: dict[int, tuple[object, str]],
    ) -> None:
        self._config, self._loaded, self._today = config, loaded, today
        self._drafts, self._selection, self._memo = drafts, selection, memo
        self._fingerprinter, self._tokens = fingerprinter, tokens
        self._model: SiteModel | None = None
        self._journal: Journal | None = None
        named = [f"{s}\0{p.summary_token or p.token}\n" for s, p in loaded.parsed.items()]
        named.sort()
        files = hashlib.blake2b("".join(named).encode("utf-8", "surrogatepass"), digest_size=20)
        self.inputs: str | None = None
        # A setting the fingerprinter cannot name: no facts are kept (the model is made).
        with contextlib.suppress(Unnameable):
            self.inputs = fingerprinter.digest(
                config,
                today,
                drafts,
                selection,
                files.hexdigest(),
                [asset.source for asset in loaded.assets],
                loaded.warnings,
            )

    @property
    def made(self) -> bool:
        return self._model is not None

    def __call__(self) -> SiteModel:
        if self._model is None:
            from journal_site.loader import assemble_journal

            loaded = self._loaded
            entries = loaded.entries(self._config)
            journal = assemble_journal(
                [*entries, *loaded.goals, *loaded.assets], loaded.warnings, self._config.content
            )
            if self._selection.narrow is not None:
                journal = self._selection.narrow(journal)
            for held in loaded.parsed.values():
                self._tokens.update(held.named())
            self._journal = journal
            self._model = make_model(
                self._config,
                journal,
                self._today,
                self._drafts,
                check=False,
                entry_pages=self._selection.entry_pages,
                memo=self._memo,
            )
        return self._model

    def facts(self, held: Facts | None) -> Facts:
        """``held`` if it was kept for these inputs; else this model's (making it)."""
        if held is not None and self.inputs is not None and held.inputs == self.inputs:
            return held
        model = self()
        return Facts(
            self.inputs or "",
            self._fingerprinter.digest(model),
            len(model.entries),
            (*self._journal.warnings, *future_warnings(model)),  # type: ignore[union-attr]
        )

    def assets(self) -> Sequence[Asset]:
        """The files of content/ that are not entries or goals, as the site has them
        (a selection that narrows the journal may leave some out: the model is made)."""
        if self._selection.narrow is None:
            return self._loaded.assets
        self()
        return self._journal.assets  # type: ignore[union-attr]
