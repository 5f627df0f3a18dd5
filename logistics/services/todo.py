"""Logistics' part of the to-do home (operators): orders ready to consolidate, shipments that
cannot leave for missing documents, and temperature excursions on shipments still moving."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.i18n import plain_decimal
from logistics.models import Shipment, TemperatureExcursion
from logistics.services.console import ready_orders
from logistics.services.shipments import checklist

LIMIT = 100
#: Shipments that have not left the origin yet: their documents decide the departure.
NOT_DEPARTED = ("planned", "picked_up")


def operator_ready_orders(user) -> list[dict]:
    from catalog.data import UNIT_LABELS

    items = []
    for order, left, partly in ready_orders()[:LIMIT]:
        unit = order.lines[0].unit if order.lines else ""
        items.append(
            {
                "title": _l("Order %(number)s", number=order.number),
                "detail": (
                    _l(
                        "%(quantity)s %(unit)s still at the farm",
                        quantity=plain_decimal(left),
                        unit=UNIT_LABELS.get(unit, unit),
                    )
                )
                if partly
                else _l(
                    "%(quantity)s %(unit)s ready for pickup",
                    quantity=plain_decimal(left),
                    unit=UNIT_LABELS.get(unit, unit),
                ),
                "url": "/logistics",
            }
        )
    return items


def operator_missing_documents(user) -> list[dict]:
    shipments = db.session.scalars(
        select(Shipment)
        .where(Shipment.status.in_(NOT_DEPARTED))
        .options(selectinload(Shipment.documents))
        .order_by(Shipment.planned_departure, Shipment.id)
        .limit(LIMIT)
    ).all()
    items = []
    for shipment in shipments:
        missing = [item for item in checklist(shipment)["items"] if not item["satisfied"]]
        if missing:
            items.append(
                {
                    "title": _l("Shipment %(code)s", code=shipment.tracking_code),
                    "detail": _l("%(n)d documents missing", n=len(missing)),
                    "url": f"/logistics/shipments/{shipment.id}#documents",
                    "due": shipment.planned_departure,
                    "urgent": True,
                }
            )
    return items


def operator_excursions(user) -> list[dict]:
    excursions = db.session.scalars(
        select(TemperatureExcursion)
        .join(Shipment, Shipment.id == TemperatureExcursion.shipment_id)
        .where(Shipment.status != "delivered")
        .options(selectinload(TemperatureExcursion.shipment))
        .order_by(TemperatureExcursion.started_at.desc())
        .limit(LIMIT)
    )
    return [
        {
            "title": _l("Shipment %(code)s", code=x.shipment.tracking_code),
            "detail": _l(
                "Sensor %(sensor)s: %(low)s…%(high)s °C for %(minutes)s min",
                sensor=x.sensor_id,
                low=x.min_c,
                high=x.max_c,
                minutes=x.duration_minutes,
            ),
            "url": f"/logistics/shipments/{x.shipment_id}#cold-{x.shipment_id}",
            "due": x.started_at,
            "urgent": True,
        }
        for x in excursions
    ]


def register() -> None:
    from core.todo import add_todo_section as add

    add("operator", "consolidate", _l("Orders ready to consolidate"), operator_ready_orders, order=10)
    add("operator", "documents", _l("Shipments missing documents"), operator_missing_documents, order=20)
    add("operator", "excursions", _l("Temperature excursions"), operator_excursions, order=30)
