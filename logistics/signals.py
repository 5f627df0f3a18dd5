"""Signals logistics sends, for the modules above it (trade). Sent inside the transaction
that recorded the milestone; act on anything outside the database after the commit."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Shipment, whose status has just become delivered; kwargs: actor (User or None).
#: Its orders have been moved along already (delivered when all their goods arrived).
shipment_delivered = _signals.signal("shipment-delivered")
