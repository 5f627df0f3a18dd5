"""Signals accounts sends, for the modules above it (trade). Sent inside the transaction that
made the change; act on anything outside the database after the commit (core.jobs)."""

from blinker import Namespace

_signals = Namespace()

#: sender: the buyer's Company, flushed; kwargs: changed (the column names whose value changed).
company_changed = _signals.signal("company-changed")
