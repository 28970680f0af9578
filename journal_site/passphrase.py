"""Is a password strong enough to encrypt a published journal?

Whoever downloads an encrypted build can try passwords on their own machines for as
long as they like; PBKDF2's 600,000 rounds hold one graphics card to roughly ten
thousand guesses a second, so a hundred rented cards make a million. A password is
refused when zxcvbn (Dropbox's estimator: dictionaries, names, keyboard patterns,
l33t, dates, repeats) reckons those hundred cards would find it within about three
years (10**14 guesses). Four words picked at random from a long list clear that by
far; a famous phrase, a name with a year, or ``Tr0ub4dor&3`` does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_GUESSES_LOG10 = 14
"""log10 of the fewest guesses an accepted password must need, as zxcvbn estimates them."""
GUESSES_PER_SECOND = 1_000_000
"""An offline attacker with a hundred graphics cards against PBKDF2-SHA256 at 600,000 rounds."""
ZXCVBN_MAX = 72
"""zxcvbn refuses longer input; a password is at least as strong as its first 72 characters."""

ADVICE = (
    "use four or more words picked at random (with dice and a word list, for instance), "
    "not a phrase, a quote or a name"
)

# Phrases that every cracking list holds although zxcvbn scores them well.
_FAMOUS = ("correct horse battery staple",)
_SEPARATORS = re.compile(r"[\s\-_.,;:/+]+")


def _duration(seconds: float) -> str:
    for unit, size in (("year", 31_557_600), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"about {count:,} {unit}{'s' if count != 1 else ''}"
    return "seconds"


def weakness(password: str, hints: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too easy to guess, or None when it is strong enough.

    ``hints`` are words an attacker would try first (the site's title, its author's
    name); a password made of them counts as weak. The message never repeats the password.
    """
    from zxcvbn import zxcvbn  # only an encrypted build needs it

    normal = unicodedata.normalize("NFC", password)
    words = re.sub(r"[^\w]+", " ", normal.casefold()).split()
    if any("".join(words) == famous.replace(" ", "") for famous in _FAMOUS):
        return f"it is a famous example that every password list holds; {ADVICE}"
    inputs = [word for hint in hints for word in re.split(r"[^\w]+", hint.casefold()) if word]
    result = zxcvbn(normal[:ZXCVBN_MAX], user_inputs=inputs)
    guesses = result["guesses_log10"]
    # zxcvbn prices each space between words as a random character, which makes
    # "the cat sat mat" look strong; an attacker tries a handful of separators, so the
    # words run together, with one more digit for the choice of separator, count too.
    joined = _SEPARATORS.sub("", normal)
    if joined != normal and joined:
        run_together = zxcvbn(joined[:ZXCVBN_MAX], user_inputs=inputs)
        if run_together["guesses_log10"] + 1 < guesses:
            result, guesses = run_together, run_together["guesses_log10"] + 1
    if guesses >= MIN_GUESSES_LOG10:
        return None
    seconds = 10**guesses / GUESSES_PER_SECOND
    why = result["feedback"].get("warning") or ""
    why = f" ({why.rstrip('.')})" if why else ""
    return (
        f"it is too easy to guess: someone with a copy of the site could find it in "
        f"{_duration(seconds)} with a hundred graphics cards{why}; {ADVICE}"
    )
