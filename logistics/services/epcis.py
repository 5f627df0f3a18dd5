"""A shipment's traceability as a GS1 EPCIS 2.0 JSON-LD document.

- an ``AggregationEvent`` (bizStep ``packing``): the lots put into the vehicle or container;
- an ``ObjectEvent`` per milestone with the CBV bizStep/disposition from logistics.rules,
  readPoint (``geo:`` when coordinates were given) and bizLocation (origin, crossing, Daowai);
- an ``ObjectEvent`` (``sensor_reporting``) per day with hourly temperature summaries per
  sensor in ``sensorElementList``; excursions carry an ``ALARM_CONDITION`` report.

Goods are class-level identifiers (product + lot) in ``quantityList``. We have no GS1 company
prefix, so identifiers are HTTP URIs under PUBLIC_BASE_URL. A buyer or farmer sees only the
lots of their own orders.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from flask import current_app
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import utcnow
from logistics.models import Shipment, TemperatureExcursion, TemperatureReading, TrackingEvent
from logistics.rules import EXCEPTION, EXCEPTION_CBV, MILESTONES
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


def _locations(shipment: Shipment) -> dict[str, str]:
    base = _base()
    return {
        "origin": f"{base}/location/origin/{quote(shipment.origin.lower().replace(' ', '-'), safe='')}",
        "border": f"{base}/location/crossing/{shipment.border_crossing_code}",
        "destination": f"{base}/location/harbin-daowai",
    }


def _offset(shipment: Shipment, event, history) -> str:
    """The UTC offset at the event's place (its own, else the one its stage implies)."""
    place = event_place(event, shipment, history)
    return utc_offset(event.occurred_at, zone_name(place))


def _quantities(shipment: Shipment, order_ids: set[int]) -> list[dict]:
    """Lots on board as class-level quantities; a package takes its line's lots in FEFO order
    after what earlier packages of the line took."""
    base = _base()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    uoms: dict[str, str | None] = {}
    for package in shipment.packages:
        line = package.line
        if line.order_id not in order_ids:
            continue
        earlier = sum((p.quantity for p in _packages_of_line(line.id) if p.id < package.id), Decimal("0"))
        need, skip = package.quantity, earlier
        product_uri = f"{base}/class/product/{line.product_id}"
        pieces = [
            (a.lot.lot_number if a.lot else None, a.quantity)
            for a in line.allocations
            if a.state != "released"
        ]
        if not pieces:
            pieces = [(None, line.quantity)]
        for lot_number, quantity in pieces:
            take_from = min(skip, quantity)
            skip -= take_from
            available = quantity - take_from
            if available <= 0 or need <= 0:
                continue
            taken = min(available, need)
            need -= taken
            uri = f"{product_uri}/lot/{quote(lot_number, safe='')}" if lot_number else product_uri
            totals[uri] += taken
            uoms[uri] = UOM.get(line.unit)
        if need > 0:  # more shipped than allocated (no allocation rows): the product itself
            totals[product_uri] += need
            uoms[product_uri] = UOM.get(line.unit)
    result = []
    for uri, quantity in totals.items():
        element = {"epcClass": uri, "quantity": float(quantity)}
        if uoms[uri]:
            element["uom"] = uoms[uri]
        result.append(element)
    return result


def _packages_of_line(line_id: int):
    from logistics.models import ShipmentPackage

    return db.session.scalars(select(ShipmentPackage).where(ShipmentPackage.order_line_id == line_id)).all()


def build(user, shipment: Shipment) -> dict:
    base = _base()
    orders = visible_orders(user, shipment)
    order_ids = {o.id for o in orders}
    quantities = _quantities(shipment, order_ids)
    locations = _locations(shipment)
    transactions = [{"type": "po", "bizTransaction": f"{base}/order/{o.number}"} for o in orders]
    parent = f"{base}/shipment/{shipment.tracking_code}"
    events = []
    if quantities:
        packing = {
            "type": "AggregationEvent",
            "eventID": _event_id(f"packing/{shipment.id}"),
            "eventTime": _time(shipment.created_at),
            "eventTimeZoneOffset": ORIGIN_OFFSET,
            "parentID": parent,
            "childQuantityList": quantities,
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "readPoint": {"id": locations["origin"]},
            "bizLocation": {"id": locations["origin"]},
        }
        if transactions:
            packing["bizTransactionList"] = transactions
        events.append(packing)
    history = db.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    ).all()
    excursions = {
        x.event_id: x
        for x in db.session.scalars(
            select(TemperatureExcursion).where(TemperatureExcursion.shipment_id == shipment.id)
        ).all()
    }
    for event in history:
        events.append(
            _milestone(
                shipment, event, quantities, locations, transactions, excursions.get(event.id), history
            )
        )
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
    if event.latitude is not None and event.longitude is not None:
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
