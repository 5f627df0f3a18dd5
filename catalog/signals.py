"""Signals the catalog sends, for the modules above it (trade). Sent inside the transaction
that made the change; act on anything outside the database after the commit (core.jobs)."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Product, flushed, that has just become active (published to buyers).
product_published = _signals.signal("product-published")

#: sender: the Producer, flushed; kwargs: changed (the column names whose value changed).
producer_changed = _signals.signal("producer-changed")

#: sender: an active Product, flushed, edited after it was published; kwargs: changed (the
#: column names whose value changed).
product_changed = _signals.signal("product-changed")

#: sender: the Lot, flushed, just added to its product, corrected or deleted; kwargs: product
#: (the Lot's product), action ("added", "corrected", "deleted"), changed (the column names
#: whose value changed; every column for a lot added or deleted).
lot_changed = _signals.signal("lot-changed")
