"""Signals other modules listen to (sent inside the transaction; act after commit)."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Order; kwargs: change (OrderStatusChange), actor (User or None)
order_status_changed = _signals.signal("order-status-changed")
