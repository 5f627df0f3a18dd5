"""Demo shipments at several stages, with documents, milestones and temperature data, for
`flask seed-demo` (after the catalog's and the marketplace's demo data)."""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from catalog.models import Product
from core.extensions import db
from core.seed import seeder
from core.timeutil import utcnow
from core.uploads import storage
from logistics.models import Shipment, ShipmentDocument
from logistics.services import documents, readings
from logistics.services import events as event_service
from logistics.services import shipments as shipment_service
from marketplace.models import Order
from marketplace.services import orders as order_service

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
ROUTE = (
    # (milestone, hours after pickup, place, lat, lon)
    ("picked_up", 0, "Uvelsky district", "54.4420", "61.3590"),
    ("departed_origin", 4, "Chelyabinsk", "55.1644", "61.4368"),
    ("in_transit", 40, "Omsk", "54.9885", "73.3242"),
    ("in_transit", 90, "Krasnoyarsk", "56.0153", "92.8932"),
    ("in_transit", 140, "Chita", "52.0340", "113.4990"),
    ("arrived_border", 170, "Zabaikalsk", "49.6514", "117.3269"),
    ("export_customs_cleared", 186, "Zabaikalsk", "49.6514", "117.3269"),
    ("border_crossed", 190, "Manzhouli", "49.5978", "117.3790"),
    ("import_customs_inspection", 196, "Manzhouli", "49.5978", "117.3790"),
    ("import_customs_released", 206, "Manzhouli", "49.5978", "117.3790"),
    ("arrived_warehouse", 228, "Harbin, Daowai", "45.7890", "126.6530"),
    ("out_for_delivery", 236, "Harbin, Daowai", "45.7890", "126.6530"),
    ("delivered", 240, "Harbin, Daowai", "45.7890", "126.6530"),
)
#: (milestones to reach, hours since pickup, carrier, vehicle, with an excursion)
PLAN = [
    (None, 0, "UralSibTrans", "A174MP74", False),
    ("border_crossed", 192, "UralSibTrans", "K902OE174", True),
    ("delivered", 260, "Transsib Reefer", "RZD 5912 0417", False),
]


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _ready_orders(buyers, count) -> list[Order]:
    """Ready orders: those the marketplace demo left ready, then new ones placed for the demo."""
    orders = db.session.scalars(
        select(Order).where(Order.status == "ready_for_pickup", Order.paid_at.is_not(None)).order_by(Order.id)
    ).all()
    orders = list(orders)
    products = [
        p
        for p in db.session.scalars(
            select(Product).where(Product.status == "active").order_by(Product.id)
        ).all()
        if p.producer.verified and p.price_tiers
    ]
    products.sort(key=lambda p: (p.storage_temp_min_c is None, p.id))  # cold-chain goods first
    index = 0
    while len(orders) < count and index < len(products) * 2:
        product = products[index % len(products)]
        buyer = buyers[index % len(buyers)]
        index += 1
        try:
            order = order_service.place_order(
                buyer, {"lines": [{"product_id": product.id, "quantity": str(product.moq)}]}
            )
            order_service.apply_move(order, "paid", None)
            order_service.apply_move(order, "confirmed", product.producer.owner)
            order_service.apply_move(order, "ready_for_pickup", product.producer.owner)
            db.session.commit()
        except Exception:  # noqa: BLE001 - out of stock etc.: try the next product
            db.session.rollback()
            continue
        orders.append(order)
    return orders[:count]


def _documents(shipment: Shipment, operator) -> None:
    for item in shipment_service.checklist(shipment)["items"]:
        if item["code"] == "gacc" or item["satisfied"]:
            continue
        name = f"demo-{shipment.tracking_code}-{item['code']}.pdf"
        storage().save(DEMO_PDF, documents.key("documents", name))
        db.session.add(
            ShipmentDocument(
                shipment_id=shipment.id,
                kind_code=item["code"],
                number=f"{item['code'][:3].upper()}-{shipment.id:04d}",
                file_name=name,
                content_type="application/pdf",
                original_name=f"{item['code']}.pdf",
                size_bytes=len(DEMO_PDF),
                uploaded_by_id=operator.id,
            )
        )
    db.session.commit()


def _readings(shipment: Shipment, operator, start, hours: int, excursion: bool) -> None:
    rng = random.Random(shipment.id)
    low = float(shipment.temp_min_c) if shipment.temp_min_c is not None else 2.0
    high = float(shipment.temp_max_c) if shipment.temp_max_c is not None else 8.0
    middle = (low + high) / 2
    spike_at = hours * 4 * 0.55
    batch = []
    for sensor in ("reefer-front", "reefer-rear"):
        for step in range(hours * 4):  # every 15 minutes
            value = middle + rng.uniform(-0.25, 0.25) * (high - low) / 2
            if excursion and sensor == "reefer-rear" and spike_at <= step < spike_at + 5:
                value = high + 2.5 + rng.uniform(0, 1)
            batch.append(
                {
                    "sensor_id": sensor,
                    "recorded_at": (start + timedelta(minutes=15 * step)).isoformat(),
                    "celsius": round(max(min(value, 79), -79), 2),
                }
            )
    for offset in range(0, len(batch), readings.MAX_READINGS):
        readings.ingest(operator, shipment.id, {"readings": batch[offset : offset + readings.MAX_READINGS]})


@seeder(order=40)
def seed_shipments(echo):
    if db.session.scalar(select(Shipment.id).limit(1)) is not None:
        echo("Demo shipments exist already.")
        return
    operator = _user("operator@agrobridge.demo")
    buyers = [u for u in (_user("buyer@agrobridge.demo"), _user("buyer2@agrobridge.demo")) if u]
    if operator is None or not buyers:
        echo("No demo operator or buyers: demo shipments skipped.")
        return
    orders = _ready_orders(buyers, len(PLAN))
    if len(orders) < len(PLAN):
        echo("Not enough orderable demo products: demo shipments skipped.")
        return
    now = utcnow()
    made = []
    for order, (until, hours, carrier, vehicle, excursion) in zip(orders, PLAN, strict=True):
        pickup = now - timedelta(hours=hours + 1)
        shipment, _warnings = shipment_service.create_shipment(
            operator,
            {
                "order_ids": [order.id],
                "mode": "road",
                "border_crossing": "zabaikalsk-manzhouli",
                "carrier": carrier,
                "vehicle_number": vehicle,
                "seal_number": f"SL{order.id:06d}",
                "planned_departure": pickup if until else now + timedelta(days=2),
            },
        )
        made.append(shipment.tracking_code)
        if until is None:
            continue
        _documents(shipment, operator)
        steps = ROUTE[: [r[0] for r in ROUTE].index(until) + 1]
        events = [
            {
                "type": kind,
                "occurred_at": pickup + timedelta(hours=offset),
                "location_name": place,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "note": "",
                "event_id": f"demo-{shipment.id}-{i}",
            }
            for i, (kind, offset, place, lat, lon) in enumerate(steps)
        ]
        event_service.record_events(operator, shipment.id, events)
        last = steps[-1][1]
        _readings(shipment, operator, pickup, min(last, hours) or 1, excursion)
    echo(f"Demo shipments: {', '.join(made)} (public page: /track/<code>).")
