"""Signals the catalog sends, for the modules above it (trade). Sent inside the transaction
that made the change; act on anything outside the database after the commit (core.jobs)."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Product, flushed, that has just become active (published to buyers).
product_published = _signals.signal("product-published")
