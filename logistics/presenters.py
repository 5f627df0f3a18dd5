"""What each role sees of a shipment: staff everything; a buyer or farmer only their own
orders, packages and documents; the public (tracking page) status, milestones and ETA only."""

from datetime import UTC

from flask import url_for

from logistics.rules import MILESTONES
from logistics.services import readings
from logistics.services.access import is_staff, visible_orders
from logistics.services.documents import documents_for
from logistics.services.eta import estimate
from logistics.services.places import (
    destination_zone,
    event_place,
    list_places,
    local,
    origin_zone,
    route_detail,
    utc_offset,
    zone_name,
)
from logistics.services.shipments import checklist, fulfilment


def event_time(shipment, event, history=None) -> dict:
    """When an event happened: UTC, and on the clock of its place with the zone named."""
    place = event_place(event, shipment, history if history is not None else shipment.events)
    zone = zone_name(place)
    at = event.occurred_at.astimezone(UTC)
    return {
        "occurred_at": at,
        "time_zone": zone,
        "utc_offset": utc_offset(at, zone),
        "local_time": local(at, zone).isoformat(),
    }


def place_names(event) -> dict | None:
    """The event's place in every language: its gazetteer place, or the place whose name (in
    any language) its free-text location is; None for other text (shown as written)."""
    if event.place_code and event.place is not None:
        return event.place.names
    text = (event.location_name or "").strip().casefold()
    if not text:
        return None
    for place in list_places():
        if text in {name.casefold() for name in place.names.values()}:
            return place.names
    return None


def route_view(shipment) -> dict:
    """Origin and destination: place codes, their names in every language, the free text
    beyond the place's name (``*_detail``) and the zones of both ends."""
    values = {}
    for end in ("origin", "destination"):
        place = getattr(shipment, f"{end}_place")
        values[f"{end}_place"] = place.code if place is not None else None
        values[f"{end}_place_names"] = place.names if place is not None else None
        values[f"{end}_detail"] = route_detail(getattr(shipment, end), place)
    values["origin_time_zone"] = origin_zone(shipment)
    values["destination_time_zone"] = destination_zone(shipment)
    return values


def event_view(user, shipment, event, history=None) -> dict:
    staff = is_staff(user)
    return {
        "id": event.id,
        "type": event.type,
        "reason": event.reason,
        **event_time(shipment, event, history),
        "place": event.place_code,
        "recorded_at": event.recorded_at,
        "location": {"name": event.location_name, "lat": event.latitude, "lon": event.longitude},
        "place_names": place_names(event),
        "note": event.note,
        "event_id": event.client_event_id,
        "details": event.details or {},
        "attachment_url": url_for(
            "shipments_api.event_attachment", shipment_id=shipment.id, event_id=event.id
        )
        if event.attachment_name
        else None,
        "recorded_by": {"id": event.recorded_by.id, "name": event.recorded_by.name}
        if staff and event.recorded_by is not None
        else None,
    }


def shipment_view(user, shipment, warnings=None) -> dict:
    orders = visible_orders(user, shipment)
    order_ids = {o.id for o in orders}
    events = sorted(shipment.events, key=lambda e: (e.occurred_at, e.id))
    crossing = shipment.border_crossing
    current = shipment.current_vehicles
    return {
        "id": shipment.id,
        "tracking_code": shipment.tracking_code,
        "status": shipment.status,
        "mode": shipment.mode,
        "origin": shipment.origin,
        **route_view(shipment),
        "border_crossing": {
            "code": crossing.code,
            "names": crossing.names,
            "hours_to_border": crossing.hours_to_border,
            "hours_clearance": crossing.hours_clearance,
            "hours_to_destination": crossing.hours_to_destination,
        },
        "destination": shipment.destination,
        "vehicle_number": shipment.vehicle_number,
        "container_number": shipment.container_number,
        "seal_number": shipment.seal_number,
        "vehicles": [
            {
                "kind": v.kind,
                "number": v.number,
                "seals": list(v.seals or []),
                "leg": v.leg,
                "current": v in current,
            }
            for v in shipment.vehicles
        ],
        "carrier": shipment.carrier,
        "planned_departure": shipment.planned_departure,
        "planned_departure_local": local(shipment.planned_departure, origin_zone(shipment)).isoformat()
        if shipment.planned_departure
        else None,
        "created_at": shipment.created_at,
        "orders": [
            {"id": o.id, "number": o.number, "status": o.status, "fulfilment": fulfilment(o)["state"]}
            for o in orders
        ],
        "packages": [
            {
                "order_id": p.line.order_id,
                "order_line_id": p.order_line_id,
                "product_id": p.line.product_id,
                "name": p.line.names,
                "quantity": p.quantity,
                "unit": p.line.unit,
                "places": p.places,
                "gross_weight_kg": p.gross_weight_kg,
            }
            for p in shipment.packages
            if p.line.order_id in order_ids
        ],
        "events": [event_view(user, shipment, e, events) for e in events],
        "eta": estimate(shipment, events),
        "checklist": checklist(shipment),
        "documents": [
            {
                "id": d.id,
                "kind": d.kind_code,
                "order_id": d.order_id,
                "number": d.number,
                "content_type": d.content_type,
                "size_bytes": d.size_bytes,
                "uploaded_at": d.uploaded_at,
                "url": url_for("shipments_api.download_document", shipment_id=shipment.id, document_id=d.id),
            }
            for d in documents_for(user, shipment)
        ],
        "temperature": readings.summary(shipment),
        "warnings": warnings or [],
    }


def public_view(shipment) -> dict:
    """For /track/<code>: no prices, no parties, no notes, no vehicle or seal numbers."""
    events = sorted(shipment.events, key=lambda e: (e.occurred_at, e.id))
    return {
        "tracking_code": shipment.tracking_code,
        "status": shipment.status,
        "mode": shipment.mode,
        "border_crossing": shipment.border_crossing,
        # The places only: the free detail (a yard, a gate) is for the parties.
        "origin_place_names": shipment.origin_place.names if shipment.origin_place else None,
        "destination_place_names": shipment.destination_place.names if shipment.destination_place else None,
        "destination_time_zone": destination_zone(shipment),
        "events": [
            {
                "type": e.type,
                "reason": e.reason,
                "location_name": e.location_name,
                "place_names": place_names(e),
                **event_time(shipment, e, events),
            }
            for e in events
            if e.type in MILESTONES or e.reason in ("delay", "customs_hold")
        ],
        "eta": estimate(shipment, events),
    }


def headline(view: dict) -> dict:
    """The status headline over a tracking timeline (AfterShip-style): the status, how it
    stands (``tone``: ok, bad, warn, info), the expected or actual delivery and the newest
    milestone. ``view``: a ``shipment_view`` or ``public_view``."""
    events = view.get("events") or []
    latest = events[-1] if events else None
    eta = view.get("eta") or {}
    delivered = view["status"] == "delivered"
    if delivered:
        tone = "ok"
    elif latest is not None and latest["type"] == "exception":
        tone = "bad"
    elif eta.get("overdue"):
        tone = "warn"
    else:
        tone = "info"
    return {
        "status": view["status"],
        "tone": tone,
        "delivered": delivered,
        "eta": eta.get("eta"),
        "overdue": bool(eta.get("overdue")),
        "latest": latest,
    }
