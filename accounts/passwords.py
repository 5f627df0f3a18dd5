"""Password strength: a minimum length, a shipped list of common passwords, and zxcvbn.

zxcvbn estimates how many guesses a password takes from English dictionaries, keyboard
patterns, dates and repeats; ``data/common_passwords.txt`` adds what those lists miss for our
users (pinyin and number puns, Russian words and the Russian layout typed in Latin). The
user's own e-mail, name and company count as known words, so a password made of them fails.
"""

import re
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from core.errors import ValidationFailed

COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable: moderate protection from
#: an offline slow-hash scenario" (~10^8 guesses).
MIN_SCORE = 3
#: zxcvbn's run time grows with the length; beyond this many characters length is enough.
_ESTIMATE_CHARS = 64
_TRAILING = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _user_words(user_inputs) -> list[str]:
    words = []
    for value in user_inputs:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        # "ivan.petrov@example.ru" → "ivan.petrov", "ivan", "petrov", "example"
        words += [w for w in re.split(r"[\s@._+-]+", value) if len(w) >= 3]
    return words


def is_common(password: str) -> bool:
    lowered = password.strip().lower()
    return lowered in common_passwords() or _TRAILING.sub("", lowered) in common_passwords()


def check_password_strength(password: str, field: str = "password", user_inputs=()) -> None:
    """:raise ValidationFailed: the password is short, common or easy to guess."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if not password or len(password) < minimum:
        message = _l("The password must have at least %(n)d characters.", n=minimum)
        raise ValidationFailed(message, fields={field: [message]})
    if is_common(password):
        message = _l("This is one of the most common passwords. Choose another.")
        raise ValidationFailed(message, fields={field: [message]})
    words = _user_words(user_inputs)
    if _made_of(password, words):
        message = _l("The password must not be made of your e-mail address, name or company.")
        raise ValidationFailed(message, fields={field: [message]})
    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=words)
    if result["score"] < MIN_SCORE:
        message = _l("This password is too easy to guess. Add a few uncommon words or make it longer.")
        raise ValidationFailed(message, fields={field: [message]})


def _made_of(password: str, words: list[str]) -> bool:
    """The user's own words plus digits and punctuation, and little else ("Petrov-Ivan-1")."""
    lowered = password.lower()
    rest = lowered
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    return rest != lowered and len(re.sub(r"[\d\W_]+", "", rest)) < 4
