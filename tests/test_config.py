"""config: journal.toml -> Config, with every unknown key and wrong type named at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from journal_site.config import (
    SHAREABLE_SECTIONS,
    Config,
    MarkdownOptions,
    ShareOptions,
    load_config,
    parse_config,
)
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


def test_share_has_defaults_and_every_key_is_read() -> None:
    default = parse_config(Path("/site"), "")
    assert default.share == ShareOptions()
    assert default.share.sections == ("reviews", "wins", "lessons", "goals")
    assert default.share.private_tags == ("private",)
    assert default.share.password_env == "JOURNAL_SHARE_PASSWORD"
    assert default.share_output_dir == Path("/site/share").resolve()
    config = parse_config(
        Path("/site"),
        'output = "site"\n[share]\nsections = ["stats", "wins", "wins"]\n'
        'private_tags = ["therapy", "health"]\npassword_env = "GROUP_PASSWORD"\n'
        'output = "for-the-group"\n',
    )
    assert config.share == ShareOptions(
        sections=("stats", "wins"),
        private_tags=("therapy", "health"),
        password_env="GROUP_PASSWORD",
        output="for-the-group",
    )
    assert config.share_output_dir == Path("/site/for-the-group").resolve()


def test_every_shareable_section_is_accepted_reviews_included() -> None:
    listed = ", ".join(f'"{name}"' for name in SHAREABLE_SECTIONS)
    config = parse_config(Path("/site"), f"[share]\nsections = [{listed}]\n")
    assert config.share.sections == SHAREABLE_SECTIONS
    assert "reviews" in SHAREABLE_SECTIONS


def test_an_unknown_share_section_names_the_file_the_key_and_what_was_expected() -> None:
    [found] = problems(
        'title = "x"\n\n[share]\nprivate_tags = []\nsections = ["wins", "timeline"]\n'
    )
    assert found == (
        "journal.toml:5: 'share.sections': unknown section 'timeline'; expected some of "
        '"reviews", "wins", "lessons", "goals", "tags", "stats" (entry pages, the timeline, '
        "home and search hold entries' text, and are never shared)"
    )


def test_share_keys_of_the_wrong_kind_are_named_with_their_line() -> None:
    assert problems(
        '[share]\nsections = "wins"\nprivate_tags = ["x", 3]\npasword_env = "X"\n'
        'password_env = ""\noutput = ""\n'
    ) == [
        "journal.toml:2: 'share.sections' must be a list of strings, got 'wins'",
        "journal.toml:3: 'share.private_tags' must be a list of strings, got ['x', 3]",
        "journal.toml:4: unknown key 'share.pasword_env'; known keys: output, password_env, "
        "private_tags, sections",
        "journal.toml:5: 'share.password_env' must name an environment variable",
        "journal.toml:6: 'share.output' must name a folder",
    ]
    assert problems("[share]\nsections = []\n") == [
        'journal.toml:2: \'share.sections\' is empty; list some of "reviews", "wins", '
        '"lessons", "goals", "tags", "stats"'
    ]
    assert problems('share = "everything"\n') == [
        "journal.toml:1: 'share' must be a table ([share])"
    ]


def test_the_share_site_needs_its_own_password_variable_and_its_own_folder() -> None:
    found = problems(
        'password_env = "ONE"\noutput = "out"\n[share]\npassword_env = "ONE"\noutput = "out"\n'
    )
    assert found[0].startswith(
        "journal.toml:4: 'share.password_env' must name another variable than 'password_env'"
    )
    assert found[1].startswith("journal.toml:5: 'share.output' must be another folder than")
    # The defaults count too: a top-level setting may collide with them.
    [found_default] = problems('output = "share"\n')
    assert found_default.startswith("journal.toml:1: 'share.output' must be another folder")
