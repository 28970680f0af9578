"""config: journal.toml -> Config, with every unknown key and wrong type named at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from journal_site.config import Config, MarkdownOptions, load_config, parse_config
from journal_site.errors import JournalError


def problems(text: str) -> list[str]:
    with pytest.raises(JournalError) as caught:
        parse_config(Path("/site"), text)
    return [str(p) for p in caught.value.problems]


def test_no_journal_toml_means_every_default(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config(root=tmp_path.resolve())
    assert (config.title, config.output, config.streak, config.per_page) == (
        "My journal",
        "public",
        "entry",
        30,
    )
    assert config.output_dir == tmp_path.resolve() / "public"


def test_every_setting_is_read(tmp_path: Path) -> None:
    (tmp_path / "journal.toml").write_text(
        """
title = "Sam's progress journal"
author = "Sam"
timezone = "Europe/London"
base_url = "https://example.org/journal"
output = "site"
streak = "win"
streak_grace = 1
per_page = 10
password_env = "MY_SECRET"
language = "en-GB"

[markdown]
allow_html = true
typographer = true
""",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.title == "Sam's progress journal"
    assert config.tzinfo() is not None and config.tzinfo().key == "Europe/London"  # type: ignore[union-attr]
    assert config.base_path == "/journal/"
    assert config.output_dir == tmp_path.resolve() / "site"
    assert (config.streak, config.streak_grace, config.per_page) == ("win", 1, 10)
    assert config.markdown == MarkdownOptions(allow_html=True, typographer=True)
    assert (config.password_env, config.language) == ("MY_SECRET", "en-GB")


def test_unknown_keys_are_named_with_their_line() -> None:
    found = problems('title = "x"\n\ntheem = "dark"\n[markdown]\nhtml = true\n')
    assert found[0].startswith("journal.toml:3: unknown key 'theem'; known keys: author, base_url")
    assert found[1].startswith(
        "journal.toml:5: unknown key 'markdown.html'; known keys: allow_html"
    )


def test_wrong_types_are_named_with_their_line() -> None:
    assert problems('title = "x"\nper_page = "ten"\nstreak_grace = true\n') == [
        "journal.toml:2: 'per_page' must be a whole number, got 'ten'",
        "journal.toml:3: 'streak_grace' must be a whole number, got True",
    ]
    assert problems("[markdown]\nallow_html = 1\n") == [
        "journal.toml:2: 'markdown.allow_html' must be true or false, got 1"
    ]
    assert problems('markdown = "yes"\n') == [
        "journal.toml:1: 'markdown' must be a table ([markdown])"
    ]


def test_values_outside_their_range_are_problems() -> None:
    assert problems('streak = "days"\nper_page = 0\ntimezone = "Mars/Olympus"\n') == [
        "journal.toml:1: 'streak' must be \"entry\" or \"win\", got 'days'",
        "journal.toml:2: 'per_page' must be 1 or more",
        "journal.toml:3: unknown time zone 'Mars/Olympus'; expected an IANA name such as "
        '"Europe/London"',
    ]


def test_invalid_toml_gives_its_line() -> None:
    [found] = problems('title = "x"\nauthor = \n')
    assert found.startswith("journal.toml:2: invalid TOML: ")


def test_a_journal_toml_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "journal.toml").write_bytes('title = "Café"\n'.encode("latin-1"))
    with pytest.raises(JournalError, match=r"journal\.toml: is not UTF-8 text"):
        load_config(tmp_path)
