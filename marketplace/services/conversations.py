"""Who talks about an order or an RFQ (registered with messaging, which sits below us)."""

from flask_babel import lazy_gettext as _l

from core.errors import NotFound
from core.extensions import db
from marketplace.models import Order
from marketplace.services import rfq as rfq_service


def order_disputed(order: Order) -> bool:
    """An admin joins an order's conversation once it is (or was) disputed."""
    return order.status == "disputed" or bool(order.dispute_resolution)


def find_order(user, order_id: int) -> Order | None:
    """The buyer and the producer's farmer; an admin while there is a dispute."""
    order = db.session.get(Order, order_id)
    if order is None:
        return None
    if order.is_party(user) or (user.role == "admin" and order_disputed(order)):
        return order
    return None


def order_parties(order: Order) -> list:
    return [order.buyer, order.producer.owner]


def find_rfq(user, rfq_id: int):
    """The buyer and the farmers it is addressed to (admins have no part in an RFQ)."""
    if user.role not in ("buyer", "farmer"):
        return None
    try:
        return rfq_service.rfq_for(user, rfq_id)
    except NotFound:
        return None


def rfq_parties(rfq) -> list:
    return [rfq.buyer, *rfq_service.audience_owners(rfq)]


def register() -> None:
    from messaging.services import register_subject

    register_subject(
        "order",
        find=find_order,
        parties=order_parties,
        path=lambda order: f"/orders/{order.id}",
        title=lambda order: _l("Order %(number)s", number=order.number),
    )
    register_subject(
        "rfq",
        find=find_rfq,
        parties=rfq_parties,
        path=lambda rfq: f"/rfqs/{rfq.id}",
        title=lambda rfq: _l("Request for quotation #%(id)d", id=rfq.id),
    )
