"""Which passwords may encrypt a published journal (journal_site/passphrase.py)."""

from __future__ import annotations

import pytest

from journal_site.passphrase import weakness

STRONG = [
    "ferry quilt oxide lantern, 海",
    "pylon marsh cobalt tundra wicker",
    "Fjord-Pluto-Stove-Magnet",
]
WEAK = [
    "hunter2",
    "password123456",
    "Tr0ub4dor&3",
    "correct horse battery staple",
    "Correct-Horse-Battery-Staple!",
    "the cat sat mat",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "qwertyuiop1234",
    "Sam1990!",
]


@pytest.mark.parametrize("password", STRONG)
def test_random_words_are_accepted(password: str) -> None:
    assert weakness(password) is None


@pytest.mark.parametrize("password", WEAK)
def test_guessable_passwords_are_refused_with_advice(password: str) -> None:
    why = weakness(password)
    assert why is not None and "four or more words picked at random" in why
    assert password not in why


def test_the_journal_s_own_names_count_against_a_password() -> None:
    password = "harbourlight samira okonkwo"
    assert weakness(password) is None
    assert weakness(password, hints=("Harbour light", "Samira Okonkwo")) is not None
