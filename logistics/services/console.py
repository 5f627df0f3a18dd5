"""What the operator console shows: orders to consolidate, the shipments board, exceptions."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from logistics.models import Shipment, TrackingEvent
from logistics.rules import STATUSES
from logistics.services.access import shipments_query
from logistics.services.shipments import CONSOLIDATABLE, shipped_quantities
from marketplace.models import Order

#: The board shows every shipment on its way, and only the latest of those delivered.
BOARD_OPEN_LIMIT, BOARD_DELIVERED_LIMIT, EXCEPTIONS_LIMIT = 300, 20, 50


def ready_orders() -> list[tuple[Order, Decimal, bool]]:
    """``[(order, quantity left at the farm, partly shipped)]``: paid orders ready for pickup,
    and moving ones with lines still at the farm."""
    orders = db.session.scalars(
        select(Order)
        .where(Order.status.in_(CONSOLIDATABLE), Order.paid_at.is_not(None))
        .options(selectinload(Order.lines), selectinload(Order.producer))
        .order_by(Order.created_at)
    ).all()
    shipped = shipped_quantities([line.id for o in orders for line in o.lines])
    ready = []
    for order in orders:
        left = sum(line.quantity - shipped.get(line.id, 0) for line in order.lines)
        if left > 0:
            ready.append((order, left, any(shipped.get(line.id) for line in order.lines)))
    return ready


def board(user) -> dict[str, list[Shipment]]:
    """The shipments ``user`` may see, by status."""
    shipments = db.session.scalars(
        shipments_query(user).where(Shipment.status != "delivered").limit(BOARD_OPEN_LIMIT)
    ).all()
    delivered = db.session.scalars(shipments_query(user, "delivered").limit(BOARD_DELIVERED_LIMIT)).all()
    columns = {status: [] for status in STATUSES}
    for shipment in [*shipments, *delivered]:
        columns[shipment.status].append(shipment)
    return columns


def recent_exceptions() -> list[TrackingEvent]:
    return db.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.type == "exception")
        .options(selectinload(TrackingEvent.shipment))
        .order_by(TrackingEvent.occurred_at.desc())
        .limit(EXCEPTIONS_LIMIT)
    ).all()
