"""Who talks about a shipment (registered with messaging, which sits below us)."""

from flask_babel import lazy_gettext as _l

from core.errors import NotFound
from logistics.models import Shipment
from logistics.services.access import shipment_for


def find_shipment(user, shipment_id: int) -> Shipment | None:
    """Operators; the buyers and farmers of the orders on board; an admin while one of those
    orders is disputed."""
    try:
        shipment = shipment_for(user, shipment_id)
    except NotFound:
        return None
    if user.role == "admin":
        from marketplace.services.conversations import order_disputed

        if not any(order_disputed(link.order) for link in shipment.orders):
            return None
    return shipment


def shipment_parties(shipment: Shipment) -> list:
    """The operator who made it, and the buyer and farmer of every order on board."""
    from accounts.models import User
    from core.extensions import db

    people = [db.session.get(User, shipment.created_by_id)] if shipment.created_by_id else []
    for link in shipment.orders:
        people += [link.order.buyer, link.order.producer.owner]
    return people


def register() -> None:
    from messaging.services import register_subject

    register_subject(
        "shipment",
        find=find_shipment,
        parties=shipment_parties,
        path=lambda shipment: f"/logistics/shipments/{shipment.id}",
        title=lambda shipment: _l("Shipment %(code)s", code=shipment.tracking_code),
    )
