"""Signals the marketplace sends, for itself and the modules above it (logistics, trade).

All are sent inside the transaction that made the change: a receiver may add rows to it, and
anything leaving the process (e-mail, webhooks, jobs) waits for the commit (core.jobs).
"""

from blinker import Namespace

_signals = Namespace()

#: sender: the Order, flushed, its lines and stock reserved. The fx module's rate freeze
#: (fx.services.record_order_rate) is connected by marketplace.register.
order_placed = _signals.signal("order-placed")

#: sender: the Order that has just become paid (its payment settled).
order_paid = _signals.signal("order-paid")

#: sender: the Order; kwargs: change (OrderStatusChange), actor (User or None)
order_status_changed = _signals.signal("order-status-changed")
