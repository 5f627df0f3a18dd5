"""Who sees which shipment: operators and admins all; a buyer or farmer only those carrying
their orders (404 otherwise)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from catalog.models import Producer
from core.errors import Forbidden, NotFound
from core.extensions import db
from logistics.models import Shipment, ShipmentOrder, ShipmentPackage
from marketplace.models import Order, OrderLine

STAFF = ("operator", "admin")


def is_staff(user) -> bool:
    return user is not None and user.role in STAFF


def party_orders_clause(user):
    """SQL: the orders ``user`` is a party to (as buyer or as the producer's farmer)."""
    if user.role == "buyer":
        return Order.buyer_id == user.id
    if user.role == "farmer":
        return Order.producer_id.in_(select(Producer.id).where(Producer.owner_id == user.id))
    return False


def visible_orders(user, shipment: Shipment) -> list[Order]:
    """The orders on board that ``user`` may see."""
    orders = [link.order for link in shipment.orders]
    if is_staff(user):
        return orders
    return [o for o in orders if o.is_party(user)]


def can_see(user, shipment: Shipment) -> bool:
    return user is not None and (is_staff(user) or bool(visible_orders(user, shipment)))


def shipments_query(user, status=None):
    """Shipments ``user`` may see, newest first."""
    stmt = select(Shipment).options(
        selectinload(Shipment.orders).selectinload(ShipmentOrder.order).selectinload(Order.lines),
        selectinload(Shipment.events),
        selectinload(Shipment.excursions),
    )
    if not is_staff(user):
        if user.role not in ("buyer", "farmer"):
            raise Forbidden()
        stmt = stmt.where(
            exists(
                select(ShipmentOrder.id)
                .join(Order, Order.id == ShipmentOrder.order_id)
                .where(ShipmentOrder.shipment_id == Shipment.id, party_orders_clause(user))
            )
        )
    if status:
        stmt = stmt.where(Shipment.status.in_(status if isinstance(status, list | tuple) else [status]))
    return stmt.order_by(Shipment.created_at.desc(), Shipment.id.desc())


def shipment_for(user, shipment_id, lock: bool = False) -> Shipment:
    """The shipment if ``user`` may see it; 404 otherwise (also for ids that do not exist).

    ``lock``: hold the row (``FOR NO KEY UPDATE``) until commit, so milestones and readings of
    one shipment are checked one request at a time.
    """
    if not isinstance(shipment_id, int):
        raise NotFound(_l("Shipment not found."))
    stmt = (
        select(Shipment)
        .where(Shipment.id == shipment_id)
        .options(
            selectinload(Shipment.orders).selectinload(ShipmentOrder.order).selectinload(Order.lines),
            selectinload(Shipment.packages)
            .selectinload(ShipmentPackage.line)
            .selectinload(OrderLine.allocations),
        )
    )
    if lock:
        stmt = stmt.with_for_update(key_share=True, of=Shipment).execution_options(populate_existing=True)
    shipment = db.session.scalar(stmt)
    if shipment is None or not can_see(user, shipment):
        raise NotFound(_l("Shipment not found."))
    return shipment


def require_staff(user) -> None:
    """:raise 403: a buyer or farmer tried an operator's action on a shipment they can see."""
    if not is_staff(user):
        raise Forbidden(_l("Only logistics operators can do this."))


def shipment_by_code(code: str) -> Shipment:
    """For the public tracking page: by tracking code only."""
    shipment = db.session.scalar(select(Shipment).where(Shipment.tracking_code == (code or "").upper()))
    if shipment is None:
        raise NotFound(_l("No shipment has this tracking code."))
    return shipment
