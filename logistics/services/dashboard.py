"""Dashboard figures for operators (and a buyer's widget): one query per widget."""

from datetime import datetime

from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import BorderCrossing, Shipment, ShipmentOrder, TemperatureExcursion, TrackingEvent
from marketplace.models import Order

IN_TRANSIT = (
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
)


def _month_start() -> datetime:
    now = utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def operator() -> dict:
    by_status = dict(
        db.session.execute(select(Shipment.status, func.count(Shipment.id)).group_by(Shipment.status)).all()
    )
    # Pickup and delivery times per delivered shipment in one grouped query; averaged here.
    picked = func.min(TrackingEvent.occurred_at).filter(TrackingEvent.type == "picked_up")
    delivered = func.max(TrackingEvent.occurred_at).filter(TrackingEvent.type == "delivered")
    rows = db.session.execute(
        select(
            BorderCrossing.code,
            BorderCrossing.name_zh,
            BorderCrossing.name_ru,
            BorderCrossing.name_en,
            picked,
            delivered,
        )
        .join(Shipment, Shipment.border_crossing_code == BorderCrossing.code)
        .join(TrackingEvent, TrackingEvent.shipment_id == Shipment.id)
        .where(Shipment.status == "delivered")
        .group_by(
            Shipment.id,
            BorderCrossing.code,
            BorderCrossing.name_zh,
            BorderCrossing.name_ru,
            BorderCrossing.name_en,
        )
    ).all()
    transit: dict[str, dict] = {}
    for code, zh, ru, en, start, end in rows:
        if start is None or end is None:
            continue
        entry = transit.setdefault(code, {"names": {"zh": zh, "ru": ru, "en": en}, "hours": []})
        entry["hours"].append((_aware(end) - _aware(start)).total_seconds() / 3600)
    month = _month_start()
    exceptions = dict(
        db.session.execute(
            select(TrackingEvent.reason, func.count(TrackingEvent.id))
            .where(TrackingEvent.type == "exception", TrackingEvent.occurred_at >= month)
            .group_by(TrackingEvent.reason)
        ).all()
    )
    excursions = db.session.scalar(
        select(func.count(TemperatureExcursion.id)).where(TemperatureExcursion.started_at >= month)
    )
    return {
        "by_status": by_status,
        "transit_days": [
            {
                "names": v["names"],
                "value": f"{sum(v['hours']) / len(v['hours']) / 24:.1f}",
                "count": len(v["hours"]),
            }
            for v in transit.values()
        ],
        "exceptions": exceptions,
        "excursions": excursions or 0,
    }


def _aware(value: datetime) -> datetime:
    from core.timeutil import aware

    return aware(value)


def buyer_shipments(user) -> dict:
    """The buyer's shipments on the way, with their ETA (one query)."""
    shipments = db.session.scalars(
        select(Shipment)
        .join(ShipmentOrder, ShipmentOrder.shipment_id == Shipment.id)
        .join(Order, Order.id == ShipmentOrder.order_id)
        .where(Order.buyer_id == user.id, Shipment.status.in_(IN_TRANSIT))
        .distinct()
        .order_by(Shipment.eta_at)
    ).all()
    return {"template": "logistics/_buyer_shipments_widget.html", "shipments": shipments}
