"""A shipment's traceability as a GS1 EPCIS 2.0 JSON-LD document, with GS1 identities.

- an ``ObjectEvent`` ADD (bizStep ``commissioning``) per lot on board, dated at production,
  whose ILMD carries the lot number, production and best-before dates;
- an ``AggregationEvent`` (bizStep ``packing``) per logistic unit (pallet, big bag), at packing
  time (the pickup), its SSCC as parent; one more puts the units into a container, if any;
- an ``ObjectEvent`` per milestone with the CBV bizStep/disposition from logistics.rules, the
  place (SGLN where it has a GLN) or ``geo:`` coordinates, and the offset of the place's zone;
- an ``ObjectEvent`` (``sensor_reporting``) per day with hourly temperature summaries per
  sensor in ``sensorElementList``; excursions carry an ``ALARM_CONDITION`` report.

Products are GTINs (LGTIN with their lot, SGTIN patterns without, or GS1 Digital Links when
the producer's prefix does not split the GTIN); goods without a GTIN keep an HTTP URI under
PUBLIC_BASE_URL. ``bizTransactionList`` names the orders and the invoice, packing list and
waybill on file. A buyer or farmer sees only the lots and documents of their own orders.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from flask import current_app
from sqlalchemy import func, select

from core import identifiers
from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Place, Shipment, TemperatureExcursion, TemperatureReading, TrackingEvent
from logistics.rules import (
    CROSSING_PLACES,
    DESTINATION_PLACE,
    EXCEPTION,
    EXCEPTION_CBV,
    MILESTONES,
    ORIGIN_PLACE,
)
from logistics.services.access import visible_orders
from logistics.services.places import event_place, utc_offset, zone_name

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
UOM = {"kg": "KGM", "tonne": "TNE", "litre": "LTR"}
#: Chelyabinsk's offset, for the packing at the origin (Asia/Yekaterinburg has no DST).
ORIGIN_OFFSET = "+05:00"


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/epcis"


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _event_id(key: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{_base()}/event/{key}"))


def _prefix() -> str:
    return current_app.config.get("PLATFORM_GS1_PREFIX", "")


def place_uri(place: Place | None) -> str | None:
    """SGLN where the place has a GLN under the platform's prefix, else its gazetteer URL."""
    if place is None:
        return None
    if place.gln:
        sgln = identifiers.sgln_uri(_prefix(), place.gln)
        if sgln:
            return sgln
    return f"{_base()}/location/{place.code}"


def _locations(shipment: Shipment) -> dict[str, str]:
    russian, _chinese = CROSSING_PLACES.get(shipment.border_crossing_code, (None, None))
    return {
        "origin": place_uri(shipment.origin_place or db.session.get(Place, ORIGIN_PLACE)),
        "border": place_uri(db.session.get(Place, russian))
        if russian
        else f"{_base()}/location/crossing/" + shipment.border_crossing_code,
        "destination": place_uri(shipment.destination_place or db.session.get(Place, DESTINATION_PLACE)),
    }


def class_uri(product, lot_number: str | None = None) -> str:
    """A product, or one lot of it, as an EPC class (see the module's docstring)."""
    if product.gtin:
        return identifiers.epc_class(product.producer.gs1_company_prefix or "", product.gtin, lot_number)
    uri = f"{_base()}/class/product/{product.id}"
    return f"{uri}/lot/{quote(lot_number, safe='')}" if lot_number else uri


def _offset(shipment: Shipment, event, history) -> str:
    """The UTC offset at the event's place (its own, else the one its stage implies)."""
    place = event_place(event, shipment, history)
    return utc_offset(event.occurred_at, zone_name(place))


def _pieces(shipment: Shipment, order_ids: set[int]) -> list[tuple]:
    """``(package, product, lot or None, quantity)``: what each package on board holds, lots in
    FEFO order after what earlier packages of the line took."""
    result = []
    for package in shipment.packages:
        line = package.line
        if line.order_id not in order_ids:
            continue
        earlier = sum((p.quantity for p in _packages_of_line(line.id) if p.id < package.id), Decimal("0"))
        need, skip = package.quantity, earlier
        pieces = [(a.lot, a.quantity) for a in line.allocations if a.state != "released"]
        if not pieces:
            pieces = [(None, line.quantity)]
        for lot, quantity in pieces:
            take_from = min(skip, quantity)
            skip -= take_from
            available = quantity - take_from
            if available <= 0 or need <= 0:
                continue
            taken = min(available, need)
            need -= taken
            result.append((package, line.product, lot, taken))
        if need > 0:  # more shipped than allocated (no allocation rows): the product itself
            result.append((package, line.product, None, need))
    return result


def _quantity_list(pieces) -> list[dict]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    uoms: dict[str, str | None] = {}
    for package, product, lot, quantity in pieces:
        uri = class_uri(product, lot.lot_number if lot else None)
        totals[uri] += quantity
        uoms[uri] = UOM.get(package.line.unit)
    result = []
    for uri, quantity in totals.items():
        element = {"epcClass": uri, "quantity": float(quantity)}
        if uoms[uri]:
            element["uom"] = uoms[uri]
        result.append(element)
    return result


def _quantities(shipment: Shipment, order_ids: set[int]) -> list[dict]:
    return _quantity_list(_pieces(shipment, order_ids))


#: Logistic units per package are capped: SSCC serials are the package id times this plus the unit.
MAX_UNITS = 1000


def logistic_units(package) -> int:
    """Big bags are logistic units themselves; packs go on pallets; otherwise the places given."""
    product = package.line.product
    if product.package_kind and product.units_per_package:
        packs = -(-package.quantity // product.units_per_package)
        if product.package_kind == "big_bag" or not product.packages_per_pallet:
            units = packs if product.package_kind == "big_bag" else package.places
        else:
            units = -(-packs // product.packages_per_pallet)
    else:
        units = package.places
    return max(1, min(int(units), MAX_UNITS - 1))


def unit_ssccs(package) -> list[str]:
    """The SSCC of each logistic unit of a package, stable for the package (built from its id)."""
    prefix = _prefix()
    return [
        identifiers.sscc(prefix, package.id * MAX_UNITS + n) for n in range(1, logistic_units(package) + 1)
    ]


def container_sscc(vehicle) -> str:
    return identifiers.sscc(_prefix(), vehicle.id, extension=1)


def _packages_of_line(line_id: int):
    from logistics.models import ShipmentPackage

    return db.session.scalars(select(ShipmentPackage).where(ShipmentPackage.order_line_id == line_id)).all()


BIZ_TRANSACTION_TYPES = {"invoice": "inv", "packing_list": "desadv", "cmr": "bol", "rail_waybill": "bol"}


def _transactions(user, shipment: Shipment, orders) -> list[dict]:
    """The orders (``po``) and the invoice, packing list and waybill on file for the caller."""
    from logistics.services.documents import documents_for

    base = _base()
    result = [{"type": "po", "bizTransaction": f"{base}/order/{o.number}"} for o in orders]
    hub = db.session.get(Place, ORIGIN_PLACE + "-hub")
    issuer = hub.gln if hub is not None and hub.gln else None
    for document in documents_for(user, shipment):
        kind = BIZ_TRANSACTION_TYPES.get(document.kind_code)
        if kind is None or not document.number:
            continue
        number = quote(document.number, safe="")
        uri = f"urn:epcglobal:cbv:bt:{issuer}:{number}" if issuer else f"{base}/document/{number}"
        result.append({"type": kind, "bizTransaction": uri})
    return result


def _commissioning(pieces, origin: str) -> list[dict]:
    """One ADD per lot, at its production date, with the lot's master data in ILMD."""
    events, seen = [], set()
    for _package, product, lot, _quantity in pieces:
        if lot is None or lot.id in seen:
            continue
        seen.add(lot.id)
        produced = datetime.combine(lot.produced_on, datetime.min.time(), tzinfo=UTC)
        events.append(
            {
                "type": "ObjectEvent",
                "eventID": _event_id(f"commissioning/{lot.id}"),
                "eventTime": _time(produced),
                "eventTimeZoneOffset": ORIGIN_OFFSET,
                "action": "ADD",
                "bizStep": "commissioning",
                "disposition": "active",
                "quantityList": [{"epcClass": class_uri(product, lot.lot_number)}],
                "readPoint": {"id": origin},
                "ilmd": {
                    "cbvmda:lotNumber": lot.lot_number,
                    "cbvmda:bestBeforeDate": lot.best_before.isoformat(),
                    "ab:productionDate": lot.produced_on.isoformat(),
                },
            }
        )
    return events


def _unit_share(quantity: Decimal, count: int, n: int) -> Decimal:
    """The ``n``-th of ``count`` units' share of a quantity; the last takes the rounding's rest."""
    share = (quantity / count).quantize(Decimal("0.001"))
    return quantity - share * (count - 1) if n == count - 1 else share


def _packing(shipment, pieces, history, locations, transactions) -> list[dict]:
    """Each logistic unit packed at pickup (or when the shipment was made, before it)."""
    picked = next((e for e in history if e.type == "picked_up"), None)
    packed_at = picked.occurred_at if picked is not None else shipment.created_at
    by_package = defaultdict(list)
    for piece in pieces:
        by_package[piece[0].id].append(piece)
    events, units = [], []
    for package in shipment.packages:
        if package.id not in by_package:
            continue
        ssccs = unit_ssccs(package)
        units += ssccs
        count = len(ssccs)
        for n, code in enumerate(ssccs):
            parts = [
                (pkg, prod, lot, _unit_share(q, count, n)) for pkg, prod, lot, q in by_package[package.id]
            ]
            event = {
                "type": "AggregationEvent",
                "eventID": _event_id(f"packing/{package.id}/{n}"),
                "eventTime": _time(packed_at),
                "eventTimeZoneOffset": ORIGIN_OFFSET,
                "parentID": identifiers.sscc_uri(_prefix(), code),
                "childQuantityList": _quantity_list(parts),
                "action": "ADD",
                "bizStep": "packing",
                "disposition": "in_progress",
                "readPoint": {"id": locations["origin"]},
                "bizLocation": {"id": locations["origin"]},
            }
            if transactions:
                event["bizTransactionList"] = transactions
            events.append(event)
    containers = [v for v in shipment.vehicles if v.kind == "container" and v.leg == 1]
    if units and containers:
        events.append(
            {
                "type": "AggregationEvent",
                "eventID": _event_id(f"stuffing/{shipment.id}"),
                "eventTime": _time(packed_at),
                "eventTimeZoneOffset": ORIGIN_OFFSET,
                "parentID": identifiers.sscc_uri(_prefix(), container_sscc(containers[0])),
                "childEPCs": [identifiers.sscc_uri(_prefix(), code) for code in units],
                "action": "ADD",
                "bizStep": "stuffing",
                "disposition": "in_progress",
                "readPoint": {"id": locations["origin"]},
            }
        )
    return events


def build(user, shipment: Shipment) -> dict:
    base = _base()
    orders = visible_orders(user, shipment)
    order_ids = {o.id for o in orders}
    pieces = _pieces(shipment, order_ids)
    quantities = _quantity_list(pieces)
    locations = _locations(shipment)
    transactions = _transactions(user, shipment, orders)
    history = db.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    ).all()
    events = _packing(shipment, pieces, history, locations, transactions)
    events[:0] = _commissioning(pieces, locations["origin"])
    excursions = {
        x.event_id: x
        for x in db.session.scalars(
            select(TemperatureExcursion).where(TemperatureExcursion.shipment_id == shipment.id)
        ).all()
    }
    for event in history:
        excursion = excursions.get(event.id)
        events.append(_milestone(shipment, event, quantities, locations, transactions, excursion, history))
    events.extend(_sensor_events(shipment, quantities, locations))
    return {
        "@context": [EPCIS_CONTEXT, {"ab": f"{base}/voc/"}],
        "id": f"{base}/document/{shipment.tracking_code}/{uuid.uuid4()}",
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(utcnow()),
        "epcisBody": {"eventList": events},
    }


def _milestone(
    shipment, event: TrackingEvent, quantities, locations, transactions, excursion, history
) -> dict:
    if event.type == EXCEPTION:
        biz_step, disposition = EXCEPTION_CBV.get(event.reason, ("holding", "in_transit"))
        stage = None
    else:
        rule = MILESTONES[event.type]
        biz_step, disposition, stage = rule.biz_step, rule.disposition, rule.stage
    if event.place_code:
        read_point = place_uri(event.place or db.session.get(Place, event.place_code))
    elif event.latitude is not None and event.longitude is not None:
        read_point = f"geo:{event.latitude},{event.longitude}"
    elif stage in locations:
        read_point = locations[stage]
    else:
        read_point = f"{_base()}/location/route/{shipment.border_crossing_code}"
    body = {
        "type": "ObjectEvent",
        "eventID": _event_id(f"milestone/{event.id}"),
        "eventTime": _time(event.occurred_at),
        "recordTime": _time(event.recorded_at),
        "eventTimeZoneOffset": _offset(shipment, event, history),
        "action": "OBSERVE",
        "bizStep": biz_step,
        "disposition": disposition,
        "readPoint": {"id": read_point},
    }
    if quantities:
        body["quantityList"] = quantities
    else:
        body["epcList"] = [f"{_base()}/shipment/{shipment.tracking_code}"]
    if stage in locations:
        body["bizLocation"] = {"id": locations[stage]}
    if transactions:
        body["bizTransactionList"] = transactions
    if event.type == "departed_origin":
        body["sourceList"] = [{"type": "location", "source": locations["origin"]}]
        body["destinationList"] = [{"type": "location", "destination": locations["destination"]}]
    if excursion is not None:
        body["sensorElementList"] = [
            {
                "sensorMetadata": {
                    "startTime": _time(excursion.started_at),
                    "endTime": _time(excursion.ended_at),
                    "deviceID": _sensor_uri(excursion.sensor_id),
                },
                "sensorReport": [
                    {
                        "type": "Temperature",
                        "exception": "ALARM_CONDITION",
                        "minValue": float(excursion.min_c),
                        "maxValue": float(excursion.max_c),
                        "uom": "CEL",
                    }
                ],
            }
        ]
    body["ab:milestone"] = event.type
    if event.reason:
        body["ab:reason"] = event.reason
    return body


def _sensor_uri(sensor_id: str) -> str:
    return f"{_base()}/sensor/{quote(sensor_id, safe='')}"


def _hour(column):
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%dT%H:00:00", column)


def _sensor_events(shipment: Shipment, quantities, locations) -> list[dict]:
    hour = _hour(TemperatureReading.recorded_at).label("hour")
    rows = db.session.execute(
        select(
            TemperatureReading.sensor_id,
            hour,
            func.min(TemperatureReading.celsius),
            func.max(TemperatureReading.celsius),
            func.avg(TemperatureReading.celsius),
        )
        .where(TemperatureReading.shipment_id == shipment.id)
        .group_by(TemperatureReading.sensor_id, hour)
        .order_by(hour, TemperatureReading.sensor_id)
    ).all()
    days: dict = defaultdict(list)
    for sensor, start, low, high, mean in rows:
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        days[start.date()].append((sensor, start, low, high, mean))
    events = []
    for day, items in sorted(days.items()):
        last = max(start for _s, start, *_ in items) + timedelta(hours=1)
        event = {
            "type": "ObjectEvent",
            "eventID": _event_id(f"sensors/{shipment.id}/{day.isoformat()}"),
            "eventTime": _time(last),
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "bizStep": "sensor_reporting",
            "readPoint": {"id": f"{_base()}/location/route/{shipment.border_crossing_code}"},
            "sensorElementList": [
                {
                    "sensorMetadata": {
                        "startTime": _time(start),
                        "endTime": _time(start + timedelta(hours=1)),
                        "deviceID": _sensor_uri(sensor),
                    },
                    "sensorReport": [
                        {
                            "type": "Temperature",
                            "minValue": float(low),
                            "maxValue": float(high),
                            "meanValue": round(float(mean), 2),
                            "uom": "CEL",
                        }
                    ],
                }
                for sensor, start, low, high, mean in items
            ],
        }
        if quantities:
            event["quantityList"] = quantities
        events.append(event)
    return events
