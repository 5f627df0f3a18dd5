"""Consolidating paid, ready orders into a shipment; the export document checklist; the
temperature band; how much of each order line has shipped and arrived."""

import re
import secrets
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from catalog.models import Product
from core.errors import AppError, Conflict, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.timeutil import utcnow
from logistics.models import (
    BorderCrossing,
    DocumentKind,
    Place,
    Shipment,
    ShipmentOrder,
    ShipmentPackage,
    ShipmentVehicle,
)
from logistics.rules import (
    DEFAULT_DESTINATION,
    DEFAULT_ORIGIN,
    DESTINATION_PLACE,
    GACC,
    MODES,
    ORIGIN_PLACE,
    VEHICLE_KINDS,
    controls,
)
from logistics.services.access import require_staff, shipment_for
from logistics.services.places import place_by_code, place_named
from marketplace.models import Order, OrderLine

#: Unambiguous: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_ORDERS = 100
#: Orders that can (still) go on a shipment: ready, or already moving with some lines left behind.
CONSOLIDATABLE = ("ready_for_pickup", "in_transit")


class OrdersNotReady(Conflict):
    code = "orders_not_ready"


def new_tracking_code() -> str:
    for _attempt in range(20):
        code = "AB" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if db.session.scalar(select(Shipment.id).where(Shipment.tracking_code == code)) is None:
            return code
    raise RuntimeError("no free tracking code")  # 31^8 codes: practically unreachable


def active_crossings() -> list[BorderCrossing]:
    """The border crossings in use, in the order people pick them."""
    return db.session.scalars(
        select(BorderCrossing).where(BorderCrossing.active.is_(True)).order_by(BorderCrossing.position)
    ).all()


def shipments_carrying(order_id: int) -> list[Shipment]:
    """The shipments that carry (some of) an order, first created first."""
    return db.session.scalars(
        select(Shipment)
        .join(ShipmentOrder, ShipmentOrder.shipment_id == Shipment.id)
        .where(ShipmentOrder.order_id == order_id)
        .order_by(Shipment.created_at, Shipment.id)
    ).all()


def shipped_quantities(line_ids) -> dict[int, Decimal]:
    """Quantity of each order line already on some shipment."""
    if not line_ids:
        return {}
    rows = db.session.execute(
        select(ShipmentPackage.order_line_id, func.sum(ShipmentPackage.quantity))
        .where(ShipmentPackage.order_line_id.in_(list(line_ids)))
        .group_by(ShipmentPackage.order_line_id)
    ).all()
    return {line_id: Decimal(total) for line_id, total in rows}


def delivered_quantities(line_ids) -> dict[int, Decimal]:
    """Quantity of each order line on shipments that have been delivered."""
    if not line_ids:
        return {}
    rows = db.session.execute(
        select(ShipmentPackage.order_line_id, func.sum(ShipmentPackage.quantity))
        .join(Shipment, Shipment.id == ShipmentPackage.shipment_id)
        .where(ShipmentPackage.order_line_id.in_(list(line_ids)), Shipment.status == "delivered")
        .group_by(ShipmentPackage.order_line_id)
    ).all()
    return {line_id: Decimal(total) for line_id, total in rows}


def fulfilment(order: Order) -> dict:
    """Where an order's goods are, line by line: unshipped, partially_shipped, shipped,
    partially_delivered or delivered (the order's own status is the marketplace's)."""
    ids = [line.id for line in order.lines]
    shipped = shipped_quantities(ids)
    delivered = delivered_quantities(ids)
    lines = []
    for line in order.lines:
        lines.append(
            {
                "order_line_id": line.id,
                "quantity": line.quantity,
                "shipped": shipped.get(line.id, Decimal("0")),
                "delivered": delivered.get(line.id, Decimal("0")),
            }
        )
    total = sum((ln["quantity"] for ln in lines), Decimal("0"))
    total_shipped = sum((ln["shipped"] for ln in lines), Decimal("0"))
    total_delivered = sum((ln["delivered"] for ln in lines), Decimal("0"))
    if total_delivered >= total:
        state = "delivered"
    elif total_delivered > 0:
        state = "partially_delivered"
    elif total_shipped >= total:
        state = "shipped"
    elif total_shipped > 0:
        state = "partially_shipped"
    else:
        state = "unshipped"
    return {"state": state, "lines": lines}


def fully_delivered(order: Order) -> bool:
    delivered = delivered_quantities([line.id for line in order.lines])
    return all(delivered.get(line.id, Decimal("0")) >= line.quantity for line in order.lines)


def temperature_band(products) -> tuple[Decimal | None, Decimal | None, bool]:
    """The intersection of the products' storage ranges → (min, max, empty)."""
    mins = [Decimal(p.storage_temp_min_c) for p in products if p.storage_temp_min_c is not None]
    maxs = [Decimal(p.storage_temp_max_c) for p in products if p.storage_temp_max_c is not None]
    low = max(mins) if mins else None
    high = min(maxs) if maxs else None
    empty = low is not None and high is not None and low > high
    return low, high, empty


#: (end, its free text's length, default text, default place)
_ENDS = (
    ("origin", 120, DEFAULT_ORIGIN, ORIGIN_PLACE),
    ("destination", 200, DEFAULT_DESTINATION, DESTINATION_PLACE),
)


def route_places(data: dict) -> dict:
    """Origin and destination: the gazetteer place (``origin_place``, ``destination_place``:
    codes) and the free text as its detail. Without a code, a text that names a place gets that
    place; without either, the default route (Chelyabinsk → Harbin Daowai). Without text, a
    place's English name is stored as the text (clients reading ``origin`` still see it).

    :raise 422: an unknown place code (the field is named)
    """
    coded = _places_by_code({f"{end}_place": data.get(f"{end}_place") for end, *_ in _ENDS})
    values = {}
    for end, length, default_text, default_place in _ENDS:
        text = (data.get(end) or "").strip()[:length]
        place = coded.get(f"{end}_place")
        if place is None and text:
            place = place_named(text)
        elif place is None:
            text, place = default_text, db.session.get(Place, default_place)
        values[end] = text or place.name_en[:length]
        values[f"{end}_place"] = place
    return values


def _places_by_code(codes: dict) -> dict:
    """``{field: Place}`` for the fields given a code (empty ones are skipped).

    :raise 422: ``unknown_place``, naming every field whose code is unknown
    """
    places, errors = {}, {}
    for field, code in codes.items():
        if not code:
            continue
        try:
            places[field] = place_by_code(code, field)
        except ValidationFailed as error:
            errors.update(error.fields)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], code="unknown_place", fields=errors)
    return places


def update_route(user, shipment_id: int, data: dict) -> Shipment:
    """Change a shipment's origin or destination: ``origin_place``/``destination_place`` (a
    code; null drops the place) and ``origin``/``destination`` (the free detail). Only the
    keys given change; a new place without text stores its English name as the text (the old
    place's detail goes).

    :raise 403: not an operator or admin
    :raise 404: no such shipment
    :raise 422: an unknown place code (the field is named); nothing is stored
    """
    require_staff(user)
    try:
        shipment = shipment_for(user, shipment_id, lock=True)
        coded = _places_by_code({f"{end}_place": data.get(f"{end}_place") for end, *_ in _ENDS})
        changed = {}
        for end, length, _default_text, _default_place in _ENDS:
            key = f"{end}_place"
            place = coded.get(key) if key in data else getattr(shipment, key)
            text = getattr(shipment, end)
            if end in data:
                text = (data[end] or "").strip()[:length]
            elif place is not getattr(shipment, key):
                text = ""  # the old detail belonged to the old place
            if not text:
                text = place.name_en[:length] if place is not None else getattr(shipment, end)
            if place is not getattr(shipment, key) or text != getattr(shipment, end):
                changed[end] = text
                changed[key] = place
        for name, value in changed.items():
            setattr(shipment, name, value)
        if changed:
            audit(
                "shipment.route",
                user,
                shipment_id=shipment.id,
                origin_place=shipment.origin_place.code if shipment.origin_place else None,
                destination_place=shipment.destination_place.code if shipment.destination_place else None,
            )
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return shipment


def _crossing(code: str, mode: str) -> BorderCrossing:
    crossing = db.session.get(BorderCrossing, code) if isinstance(code, str) else None
    if crossing is None or not crossing.active:
        message = _l("Unknown border crossing.")
        raise ValidationFailed(message, fields={"border_crossing": [message]})
    if mode != "multimodal" and mode not in crossing.modes.split(","):
        message = _l("This crossing does not take this mode of transport.")
        raise ValidationFailed(message, fields={"border_crossing": [message]})
    return crossing


def _lock_orders(order_ids: list[int]) -> dict[int, Order]:
    rows = db.session.scalars(
        select(Order)
        .where(Order.id.in_(order_ids))
        .order_by(Order.id)
        .options(selectinload(Order.lines).selectinload(OrderLine.product).selectinload(Product.category))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    ).all()
    return {o.id: o for o in rows}


def _problem(order: Order, remaining: Decimal) -> str | None:
    if order.status not in CONSOLIDATABLE or order.paid_at is None:
        return "not_ready"
    if remaining <= 0:
        return "already_shipped"
    return None


def create_shipment(user, data: dict) -> tuple[Shipment, list[dict]]:
    """Consolidate orders into a new shipment. Returns it and warnings (e.g. no common
    temperature band). All or nothing.

    ``data``: order_ids, mode, border_crossing, vehicle_number, container_number, seal_number,
    carrier, origin, destination (free text), origin_place, destination_place (place codes),
    planned_departure, and optionally packages
    ``[{"order_line_id", "quantity", "places", "gross_weight_kg"}]`` for a partial shipment
    (without them every line still to ship travels whole, one place per line).

    :raise 403: not an operator or admin
    :raise 409: an order is not paid and ready for pickup, or has nothing left to ship
    :raise 422: unknown orders, crossing, lines or places; quantities beyond what is left
    """
    require_staff(user)
    try:
        shipment, warnings = _build(user, data)
        db.session.commit()
    except AppError:
        db.session.rollback()
        raise
    return shipment, warnings


def _build(user, data: dict) -> tuple[Shipment, list[dict]]:
    order_ids = list(dict.fromkeys(data["order_ids"]))
    if not order_ids or len(order_ids) > MAX_ORDERS:
        message = _l("Choose between 1 and %(n)d orders.", n=MAX_ORDERS)
        raise ValidationFailed(message, fields={"order_ids": [message]})
    mode = data["mode"]
    if mode not in MODES:
        raise ValidationFailed(_l("Unknown mode."), fields={"mode": [_l("Unknown mode.")]})
    crossing = _crossing(data["border_crossing"], mode)
    route = route_places(data)
    orders = _lock_orders(order_ids)
    unknown = [i for i in order_ids if i not in orders]
    if unknown:
        message = _l("Unknown orders: %(ids)s.", ids=", ".join(map(str, unknown)))
        raise ValidationFailed(message, fields={"order_ids": [message]}, extra={"unknown_order_ids": unknown})
    lines = {line.id: line for o in orders.values() for line in o.lines}
    shipped = shipped_quantities(lines)
    remaining = {
        line_id: line.quantity - shipped.get(line_id, Decimal("0")) for line_id, line in lines.items()
    }
    problems = []
    for order_id in order_ids:
        order = orders[order_id]
        left = sum((remaining[ln.id] for ln in order.lines), Decimal("0"))
        problem = _problem(order, left)
        if problem:
            problems.append(
                {"id": order.id, "number": order.number, "status": order.status, "problem": problem}
            )
    if problems:
        raise OrdersNotReady(
            _l("Only paid orders that are ready for pickup can be consolidated."), extra={"orders": problems}
        )
    packages = _packages(data.get("packages"), lines, remaining, orders)
    shipment = Shipment(
        tracking_code=new_tracking_code(),
        mode=mode,
        border_crossing=crossing,
        **route,
        vehicle_number=(data.get("vehicle_number") or "").strip()[:40],
        container_number=(data.get("container_number") or "").strip()[:40],
        seal_number=(data.get("seal_number") or "").strip()[:40],
        carrier=(data.get("carrier") or "").strip()[:200],
        planned_departure=data.get("planned_departure"),
        status="planned",
        created_by_id=user.id,
    )
    shipment.vehicles = vehicles_from(data, mode)
    first = {v.kind: v for v in reversed(shipment.vehicles)}
    if not shipment.vehicle_number and (first.get("truck") or first.get("wagon")):
        shipment.vehicle_number = (first.get("truck") or first.get("wagon")).number
    if not shipment.container_number and first.get("container"):
        shipment.container_number = first["container"].number
    if not shipment.seal_number and shipment.vehicles and shipment.vehicles[0].seals:
        shipment.seal_number = shipment.vehicles[0].seals[0][:40]
    carried = {lines[p.order_line_id].order_id for p in packages}
    shipment.orders = [ShipmentOrder(order_id=oid) for oid in order_ids if oid in carried]
    shipment.packages = packages
    products = {lines[p.order_line_id].product for p in packages}
    shipment.temp_min_c, shipment.temp_max_c, shipment.band_empty = temperature_band(products)
    warnings = []
    if shipment.band_empty:
        warnings.append(
            {
                "code": "no_common_temperature_band",
                "message": str(
                    _l(
                        "The goods on board have no storage temperature in common "
                        "(%(low)s °C above %(high)s °C): split them or accept the risk.",
                        low=shipment.temp_min_c,
                        high=shipment.temp_max_c,
                    )
                ),
            }
        )
    db.session.add(shipment)
    db.session.flush()
    audit(
        "shipment.status",
        user,
        shipment_id=shipment.id,
        tracking_code=shipment.tracking_code,
        from_status=None,
        to_status="planned",
        order_ids=sorted(o.order_id for o in shipment.orders),
    )
    from logistics.services.eta import refresh_eta

    refresh_eta(shipment, [])
    return shipment, warnings


def _vehicle_rows(raw: list[dict], field: str, leg: int, event_id=None) -> list[ShipmentVehicle]:
    rows, errors, seen = [], {}, set()
    for index, item in enumerate(raw):
        number = (item.get("number") or "").strip().upper()
        kind = item.get("kind")
        seals = [str(seal).strip() for seal in (item.get("seals") or []) if str(seal).strip()]
        if kind not in VEHICLE_KINDS:
            errors[f"{field}.{index}.kind"] = [_l("Unknown vehicle kind.")]
        if not number:
            errors[f"{field}.{index}.number"] = [_l("Give the vehicle, wagon or container number.")]
        elif (kind, number) in seen:
            errors[f"{field}.{index}.number"] = [_l("This vehicle is listed twice.")]
        if len(set(seals)) != len(seals):
            errors[f"{field}.{index}.seals"] = [_l("A seal number is listed twice.")]
        seen.add((kind, number))
        rows.append(ShipmentVehicle(leg=leg, kind=kind, number=number[:40], seals=seals, event_id=event_id))
    if errors:
        raise ValidationFailed(_l("Some vehicles are not valid."), fields=errors)
    return rows


#: An ISO 6346 container number: owner code, category letter (U, J or Z), six digits and a check digit.
_CONTAINER_NUMBER = re.compile(r"^[A-Z]{3}[UJZ][0-9]{7}$")


def vehicle_lines(text: str, mode: str) -> list[dict]:
    """Vehicles typed on a page, one a line: the number, then its seals (spaces or commas
    between). A container number (ISO 6346) is a container; any other number a wagon by
    rail, else a truck. Checked later by the service that records them."""
    rows = []
    for line in (text or "").splitlines():
        words = line.replace(",", " ").split()
        if not words:
            continue
        number = words[0].upper()
        if _CONTAINER_NUMBER.match(number):
            kind = "container"
        else:
            kind = "wagon" if mode == "rail" else "truck"
        rows.append({"kind": kind, "number": words[0], "seals": words[1:]})
    return rows


def vehicles_from(data: dict, mode: str) -> list[ShipmentVehicle]:
    """The first leg's vehicles: as listed, or the single vehicle/container/seal given."""
    if data.get("vehicles"):
        return _vehicle_rows(data["vehicles"], "vehicles", 1)
    seal = (data.get("seal_number") or "").strip()
    rows = []
    if (data.get("container_number") or "").strip():
        rows.append(
            {"kind": "container", "number": data["container_number"], "seals": [seal] if seal else []}
        )
        seal = ""
    if (data.get("vehicle_number") or "").strip():
        kind = "wagon" if mode == "rail" else "truck"
        rows.append({"kind": kind, "number": data["vehicle_number"], "seals": [seal] if seal else []})
    return _vehicle_rows(rows, "vehicles", 1)


def transload(shipment: Shipment, event, raw: list[dict]) -> list[ShipmentVehicle]:
    """At the gauge break the goods move to new wagons or vehicles under new seals: the next
    leg. The shipment's single-vehicle fields follow the new leg. No commit."""
    leg = max((v.leg for v in shipment.vehicles), default=0) + 1
    rows = _vehicle_rows(raw, "vehicles", leg)
    for row in rows:
        row.event = event
        shipment.vehicles.append(row)
    carrier = next((r for r in rows if r.kind in ("wagon", "truck")), None)
    container = next((r for r in rows if r.kind == "container"), None)
    shipment.vehicle_number = carrier.number if carrier else ""
    shipment.container_number = container.number if container else ""
    seals = [seal for r in rows for seal in r.seals]
    shipment.seal_number = seals[0][:40] if seals else ""
    return rows


def _packages(
    raw, lines: dict[int, OrderLine], remaining: dict[int, Decimal], orders
) -> list[ShipmentPackage]:
    if not raw:
        return [
            ShipmentPackage(
                order_line_id=line_id,
                quantity=left,
                places=1,
                gross_weight_kg=_gross_weight(lines[line_id], left),
            )
            for line_id, left in remaining.items()
            if left > 0
        ]
    result, errors, seen = [], {}, set()
    for index, item in enumerate(raw):
        line = lines.get(item["order_line_id"])
        field = f"packages.{index}"
        if line is None:
            errors[f"{field}.order_line_id"] = [_l("This line is not on one of the chosen orders.")]
            continue
        if line.id in seen:
            errors[f"{field}.order_line_id"] = [_l("This line is listed twice.")]
            continue
        seen.add(line.id)
        quantity = item.get("quantity") or remaining[line.id]
        if quantity <= 0 or quantity > remaining[line.id]:
            errors[f"{field}.quantity"] = [
                _l(
                    "At most %(left)s %(unit)s of this line is left to ship.",
                    left=remaining[line.id],
                    unit=line.unit,
                )
            ]
            continue
        result.append(
            ShipmentPackage(
                order_line_id=line.id,
                quantity=quantity,
                places=item.get("places") or 1,
                gross_weight_kg=item.get("gross_weight_kg") or _gross_weight(line, quantity),
            )
        )
    if errors:
        raise ValidationFailed(_l("Some packages are not valid."), fields=errors)
    return result


def _gross_weight(line: OrderLine, quantity: Decimal) -> Decimal:
    per_unit = line.product.gross_weight_kg or line.net_weight_kg
    return max((per_unit * quantity).quantize(Decimal("0.001")), Decimal("0.001"))


# ---- the export document checklist ----------------------------------------------------------------


def checklist(shipment: Shipment) -> dict:
    """What the goods and the mode need, and whether it is on file. ``departed_origin`` waits
    for ``complete``.

    Items: ``{"code", "names", "satisfied", "documents": [ids]}``; GACC items also carry
    ``producer_id`` and ``registration``.
    """
    products = [p.line.product for p in shipment.packages]
    needed = {"all"}
    for product in products:
        needed |= controls(product)
    if shipment.mode in ("road", "multimodal"):
        needed.add("road")
    if shipment.mode in ("rail", "multimodal"):
        needed.add("rail")
    on_file = defaultdict(list)
    for document in shipment.documents:
        on_file[document.kind_code].append(document.id)
    items = []
    kinds = db.session.scalars(select(DocumentKind).order_by(DocumentKind.position)).all()
    for kind in kinds:
        if kind.applies_to in needed:
            items.append(
                {
                    "code": kind.code,
                    "names": kind.names,
                    "satisfied": bool(on_file.get(kind.code)),
                    "documents": on_file.get(kind.code, []),
                }
            )
    producers = {p.producer.id: p.producer for p in products}
    categories = defaultdict(dict)
    for product in products:
        categories[product.producer_id][product.category.code] = product.category
    today = utcnow().date()
    for producer in sorted(producers.values(), key=lambda p: p.id):
        uncovered = sorted(c for c, cat in categories[producer.id].items() if not producer.gacc_covers(cat))
        items.append(
            {
                "code": GACC,
                "names": {
                    "zh": f"GACC 注册号 — {producer.name_zh or producer.name_ru}",
                    "ru": f"Регистрация GACC — {producer.name_ru}",
                    "en": f"GACC registration — {producer.name_en or producer.name_ru}",
                },
                "producer_id": producer.id,
                "registration": producer.gacc_registration,
                # Valid, and registered for every category of that producer's goods on board.
                "satisfied": producer.gacc_valid(today) and not uncovered,
                "categories_not_covered": uncovered,
                "documents": [],
            }
        )
    missing = [item for item in items if not item["satisfied"]]
    return {"complete": not missing, "items": items, "missing": [_missing_label(i) for i in missing]}


def _missing_label(item: dict) -> str:
    if item["code"] == GACC:
        return f"{GACC}:{item['producer_id']}"
    return item["code"]


def planned_departure_valid(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed(
            _l("Give a time zone."), fields={"planned_departure": [_l("Give a time zone.")]}
        )
    return value
