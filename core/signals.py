"""Signals core sends; modules above connect to them (core imports none of them)."""

from blinker import Namespace

_signals = Namespace()

#: A signed-in user picked an interface language with the switcher.
#: sender: the user; kwargs: language ("zh", "ru" or "en"). The receiver commits.
language_chosen = _signals.signal("language-chosen")
