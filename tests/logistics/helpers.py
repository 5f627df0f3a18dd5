"""Shared set-ups for the logistics tests: paid, ready orders and shipments built on them."""

from datetime import timedelta

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Shipment
from marketplace.models import Order
from marketplace.services.orders import apply_move
from tests import factories
from tests.marketplace.helpers import client_for, place, product

ALL_DOCUMENTS = (
    "phytosanitary",
    "veterinary",
    "sdiz",
    "origin",
    "invoice",
    "packing_list",
    "cmr",
    "rail_waybill",
)


def ready_order(app, buyer=None, goods=None, quantity="5", **product_fields):
    """An order placed through the API by ``buyer`` and moved to paid → confirmed →
    ready_for_pickup, as payment and the farmer would."""
    goods = goods or product(stock="1000", **product_fields)
    buyer = buyer or factories.UserFactory(role="buyer")
    response = place(client_for(app, buyer), [(goods, quantity)])
    assert response.status_code == 201, response.get_json()
    order = db.session.get(Order, response.get_json()["id"])
    farmer = order.producer.owner
    apply_move(order, "paid", None)
    apply_move(order, "confirmed", farmer)
    apply_move(order, "ready_for_pickup", farmer)
    db.session.commit()
    return order


def operator_api(app, user=None):
    return client_for(app, user or factories.UserFactory(role="operator"))


def build(api, orders, **fields):
    body = {
        "order_ids": [o.id for o in orders],
        "mode": "road",
        "border_crossing": "zabaikalsk-manzhouli",
        "vehicle_number": "A123BC174",
        "seal_number": "SEAL-1",
        **fields,
    }
    return api.post("/api/v1/shipments", json=body)


def shipment_with(app, api=None, orders=None, **fields):
    """A shipment of one fresh ready order (or ``orders``); returns (shipment id, orders)."""
    api = api or operator_api(app)
    orders = orders or [ready_order(app)]
    response = build(api, orders, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], orders


def file_all_documents(shipment_id: int) -> None:
    for kind in ALL_DOCUMENTS:
        factories.ShipmentDocumentFactory(shipment_id=shipment_id, kind_code=kind)


def at(hours: float):
    """An aware time ``hours`` from now (negative: in the past), ISO 8601."""
    return (utcnow() + timedelta(hours=hours)).isoformat()


def event(kind, hours, **extra):
    return {"type": kind, "occurred_at": at(hours), **extra}


JOURNEY = (
    "picked_up",
    "departed_origin",
    "in_transit",
    "arrived_border",
    "export_customs_cleared",
    "border_crossed",
    "import_customs_inspection",
    "import_customs_released",
    "arrived_warehouse",
    "out_for_delivery",
    "delivered",
)


def journey(until="delivered", start_hours=-300):
    """Events of the whole route up to ``until``, 10 hours apart, starting ``start_hours`` ago."""
    kinds = JOURNEY[: JOURNEY.index(until) + 1]
    return [event(kind, start_hours + 10 * i) for i, kind in enumerate(kinds)]


def reload(shipment_id) -> Shipment:
    db.session.expire_all()
    return db.session.get(Shipment, shipment_id)
