"""/api/v1/shipments: consolidation, milestones, documents, cold chain, EPCIS; buyers' tracking
webhooks. Thin: parse → authorise (in the services) → call a service → serialise."""

from pathlib import PurePath

import marshmallow as ma
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from core.errors import ValidationFailed
from core.pagination import PageArgsSchema, paginate
from core.security import no_store
from core.uploads import storage
from logistics import schemas as s
from logistics.presenters import event_view, shipment_view
from logistics.services import epcis, readings, webhooks
from logistics.services import events as event_service
from logistics.services import shipments as shipment_service
from logistics.services.access import shipment_for, shipments_query
from logistics.services.documents import attachment_file, document_file, upload_document

blp = Blueprint(
    "shipments_api", __name__, url_prefix="/api/v1", description="Shipments, milestones, cold chain, EPCIS"
)
SHIPMENT = "/shipments/<id:shipment_id>"
EVENT_REF = {"$ref": "#/components/schemas/TrackingEventIn"}
READINGS_REF = {"$ref": "#/components/schemas/TemperatureReadingsIn"}


def register_schemas(api) -> None:
    """Bodies parsed by hand (one event or a list; readings by plain loops) still get documented."""
    api.spec.components.schema("TrackingEventIn", schema=s.EventInSchema)
    api.spec.components.schema("TemperatureReadingsIn", schema=s.ReadingsInSchema)


def _json_body():
    body = request.get_json(silent=True)
    if body is None:
        raise ValidationFailed(_l("The request body is not valid JSON."), code="bad_json")
    return body


def _flatten(messages, prefix="") -> dict:
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _shipment_response(user, shipment, status=200, warnings=None):
    response = jsonify(s.ShipmentSchema().dump(shipment_view(user, shipment, warnings)))
    response.status_code = status
    return response


# ---- shipments ----------------------------------------------------------------------------------------


@blp.post("/shipments")
@api_auth("operator", "admin")
@blp.arguments(s.ShipmentCreateSchema)
@blp.response(201, s.ShipmentSchema)
@blp.alt_response(409, description="orders_not_ready: an order is not paid and ready for pickup (listed)")
@blp.alt_response(
    422,
    description="Unknown orders, crossing, lines or places (unknown_place); quantities beyond what is left",
)
def create_shipment(data):
    """Consolidate paid orders that are ready for pickup into a shipment. Operators and admins.

    Without ``packages`` every line still to ship travels whole; with them, a partial shipment.
    ``warnings`` reports e.g. goods without a common storage temperature.

    :raise 403: not an operator or admin
    :raise 409: an order is in the wrong state or has nothing left to ship
    :raise 422: bad input
    """
    user = api_user()
    shipment, warnings = shipment_service.create_shipment(user, data)
    return _shipment_response(user, shipment, 201, warnings)


@blp.get("/shipments")
@api_auth("operator", "admin", "buyer", "farmer")
@blp.arguments(s.ShipmentQuerySchema, location="query")
@blp.response(200, s.ShipmentPageSchema)
def list_shipments(args):
    """Shipments: all for operators and admins; a buyer's or farmer's: those carrying their orders."""
    user = api_user()
    page = paginate(shipments_query(user, args.get("status")), args["page"], args["per_page"])
    page["items"] = [shipment_view(user, shipment) for shipment in page["items"]]
    return page


@blp.get(SHIPMENT)
@api_auth()
@blp.response(200, s.ShipmentSchema)
@blp.alt_response(404, description="Unknown, or not carrying the caller's orders")
def get_shipment(shipment_id):
    """One shipment with its events in order, ETA and its basis, checklist, documents and a
    temperature summary. Staff: all; a buyer or farmer: only shipments with their orders."""
    user = api_user()
    return shipment_view(user, shipment_for(user, shipment_id))


@blp.patch(SHIPMENT)
@api_auth("operator", "admin")
@blp.arguments(s.ShipmentRouteInSchema)
@blp.response(200, s.ShipmentSchema)
@blp.alt_response(404, description="Unknown shipment")
@blp.alt_response(
    422, description="unknown_place: a place code not in GET /api/v1/places (the field is named)"
)
def update_shipment(data, shipment_id):
    """Change a shipment's origin or destination: the place (a code) and its free detail. Only
    the fields given change. Operators and admins.

    :raise 403: not an operator or admin
    :raise 404: no such shipment
    :raise 422: an unknown place code; nothing is stored
    """
    user = api_user()
    shipment = shipment_service.update_route(user, shipment_id, data)
    return shipment_view(user, shipment)


@blp.get("/border-crossings")
@blp.response(200, s.CrossingSchema(many=True))
def list_crossings():
    """The border crossings (codes for ``border_crossing``) with typical leg durations. Anyone."""
    return [
        {
            "code": c.code,
            "names": c.names,
            "hours_to_border": c.hours_to_border,
            "hours_clearance": c.hours_clearance,
            "hours_to_destination": c.hours_to_destination,
        }
        for c in shipment_service.active_crossings()
    ]


@blp.get("/places")
@blp.arguments(s.PlaceQuerySchema, location="query")
@blp.response(200, s.PlaceSchema(many=True))
def list_places(args):
    """The gazetteer: cities, stations, customs posts, crossings and warehouses along the route,
    with names in zh/ru/en, coordinates, IANA time zone (and its offset now) and GLN where one is
    assigned. Milestones take these codes as ``place``. Anyone."""
    from core.timeutil import utcnow
    from logistics.services.places import list_places as places
    from logistics.services.places import utc_offset

    now = utcnow()
    return [
        {
            "code": p.code,
            "kind": p.kind,
            "country": p.country,
            "names": p.names,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "time_zone": p.time_zone,
            "utc_offset": utc_offset(now, p.time_zone),
            "gln": p.gln,
        }
        for p in places(args.get("kind"), args.get("country"))
    ]


# ---- events -------------------------------------------------------------------------------------------


def _event_items():
    """A JSON object (one event), a JSON array (bulk) or ``{"events": [...]}``; or a multipart
    form with one event and its ``attachment``."""
    attachment = None
    if request.mimetype == "multipart/form-data":
        form = request.form
        raw = {
            k: v
            for k, v in form.items()
            if k in ("type", "reason", "occurred_at", "note", "event_id", "place") and v
        }
        location = {
            k: form[f] for k, f in (("name", "location_name"), ("lat", "lat"), ("lon", "lon")) if form.get(f)
        }
        if location:
            raw["location"] = location
        if form.get("delay_hours"):
            try:
                raw["delay_hours"] = int(form["delay_hours"])
            except ValueError:
                raw["delay_hours"] = form["delay_hours"]
        items, attachment = [raw], request.files.get("attachment")
    else:
        body = _json_body()
        if isinstance(body, dict) and isinstance(body.get("events"), list):
            items = body["events"]
        elif isinstance(body, list):
            items = body
        else:
            items = [body]
    if not all(isinstance(item, dict) for item in items):
        raise ValidationFailed(
            _l("Each event is a JSON object."), fields={"events": [_l("Each event is a JSON object.")]}
        )
    try:
        loaded = s.EventInSchema(many=True).load(items)
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"events": exc.messages}
        raise ValidationFailed(
            fields=_flatten(messages), extra={"invalid_indexes": sorted(messages)}
        ) from None
    return loaded, attachment


@blp.post(f"{SHIPMENT}/events")
@api_auth()
@blp.response(201, s.EventsResultSchema)
@blp.alt_response(200, schema=s.EventsResultSchema, description="Every event was a retry: nothing new")
@blp.alt_response(403, description="A buyer or farmer on the shipment")
@blp.alt_response(404, description="Unknown shipment, or one the caller cannot see")
@blp.alt_response(409, description="impossible_sequence, checklist_incomplete, milestone_already_recorded")
@blp.alt_response(422, description="Bad input: unknown type, occurred_at unparseable or in the future")
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [EVENT_REF, {"type": "array", "items": EVENT_REF, "maxItems": 500}]}
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "occurred_at": {"type": "string", "format": "date-time"},
                        "reason": {"type": "string"},
                        "place": {"type": "string"},
                        "location_name": {"type": "string"},
                        "lat": {"type": "string"},
                        "lon": {"type": "string"},
                        "note": {"type": "string"},
                        "event_id": {"type": "string"},
                        "attachment": {"type": "string", "format": "binary"},
                    },
                    "required": ["type", "occurred_at"],
                }
            },
        },
    },
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 90},
            "description": "Client event id of an event without event_id (<key>:<index> in a list)",
        }
    ],
)
def post_events(shipment_id):
    """Record one milestone or a list (all or nothing: the first bad item fails the request,
    its index in ``error.index``, nothing written). Operators and admins.

    Status follows the events ordered by ``occurred_at`` and never moves back; ``picked_up``
    and ``delivered`` move the orders on board.

    :raise 403: a buyer or farmer
    :raise 404: a shipment the caller cannot see
    :raise 409: an impossible sequence (what is missing named), the checklist incomplete
    :raise 422: bad events
    """
    user = api_user()
    items, attachment = _event_items()
    key = (request.headers.get("Idempotency-Key") or "").strip()[:90] or None
    results = event_service.record_events(user, shipment_id, items, key, attachment)
    shipment = shipment_for(user, shipment_id)
    body = {
        "shipment_status": shipment.status,
        "events": [event_view(user, shipment, e) | {"created": created} for e, created in results],
    }
    response = jsonify(s.EventsResultSchema().dump(body))
    response.status_code = 201 if any(created for _e, created in results) else 200
    return response


@blp.get(f"{SHIPMENT}/events/<id:event_id>/attachment")
@api_auth()
@blp.response(200, description="The photo or PDF")
def event_attachment(shipment_id, event_id):
    """An event's attachment. Whoever may see the shipment."""
    key, event = attachment_file(api_user(), shipment_id, event_id)
    return no_store(storage().response(key, mimetype=event.attachment_type))


# ---- documents ----------------------------------------------------------------------------------------


@blp.post(f"{SHIPMENT}/documents")
@api_auth()
@blp.response(201, s.DocumentSchema)
@blp.alt_response(413, description="File too large")
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "example": "phytosanitary"},
                        "number": {"type": "string", "maxLength": 100},
                        "order_id": {"type": "integer"},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["kind", "file"],
                }
            }
        },
    },
)
def post_document(shipment_id):
    """Upload an export document (PDF or image) for the checklist; ``order_id`` limits it to one
    order's parties. Operators and admins.

    :raise 403: a buyer or farmer
    :raise 404: a shipment the caller cannot see
    :raise 422: unknown kind, not a PDF or image
    """
    from flask import url_for

    try:
        data = s.DocumentInSchema().load(request.form.to_dict())
    except ma.ValidationError as exc:
        raise ValidationFailed(fields=_flatten(exc.messages)) from None
    document = upload_document(
        api_user(), shipment_id, data["kind"], request.files.get("file"), data["number"], data.get("order_id")
    )
    return {
        "id": document.id,
        "kind": document.kind_code,
        "order_id": document.order_id,
        "number": document.number,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "uploaded_at": document.uploaded_at,
        "url": url_for("shipments_api.download_document", shipment_id=shipment_id, document_id=document.id),
    }


@blp.get(f"{SHIPMENT}/documents/<id:document_id>")
@api_auth()
@blp.response(200, description="The document file")
@blp.alt_response(404, description="Unknown, or not one of the caller's orders")
def download_document(shipment_id, document_id):
    """Download a document: staff any; buyers and farmers the shipment-wide ones and their orders'."""
    key, document = document_file(api_user(), shipment_id, document_id)
    name = f"{document.kind_code}-{document.number or document.id}.{PurePath(key).suffix.lstrip('.')}"
    return no_store(
        storage().response(key, mimetype=document.content_type, as_attachment=True, download_name=name)
    )


# ---- cold chain ---------------------------------------------------------------------------------------


@blp.post(f"{SHIPMENT}/temperature-readings")
@api_auth()
@blp.response(200, s.ReadingsResultSchema)
@blp.alt_response(
    422, description="Bad readings (every bad index in error.invalid_indexes) or more than 10,000"
)
@blp.doc(
    requestBody={"required": True, "content": {"application/json": {"schema": READINGS_REF}}},
)
def post_readings(shipment_id):
    """Up to 10,000 readings; duplicates (same sensor and time) ignored; order does not matter.
    All or nothing. An excursion longer than the grace period becomes an ``exception`` event.
    Operators, admins (and their telematics, with an operator's token).

    :raise 403: a buyer or farmer
    :raise 404: a shipment the caller cannot see
    :raise 422: a bad reading, too many
    """
    return readings.ingest(api_user(), shipment_id, _json_body())


@blp.get(f"{SHIPMENT}/temperature-readings")
@api_auth()
@blp.response(200, s.SeriesSchema)
def get_readings(shipment_id):
    """Chart data: the band, each sensor's readings ``[epoch_ms, celsius]`` (thinned, spikes
    kept) and excursions. Whoever may see the shipment."""
    return readings.series(shipment_for(api_user(), shipment_id))


@blp.get(f"{SHIPMENT}/epcis")
@api_auth()
@blp.response(200, description="An EPCIS 2.0 JSON-LD EPCISDocument", content_type="application/ld+json")
def get_epcis(shipment_id):
    """The shipment's traceability as a GS1 EPCIS 2.0 document (validates against the official
    JSON schema). A buyer or farmer sees the lots of their own orders."""
    user = api_user()
    document = epcis.build(user, shipment_for(user, shipment_id))
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    return response


# ---- buyers' webhooks ---------------------------------------------------------------------------------


def _webhook_json(hook):
    return {"url": hook.url, "active": hook.active, "secret": hook.secret, "created_at": hook.created_at}


@blp.get("/tracking-webhook")
@api_auth("buyer")
@blp.response(200, s.WebhookSchema)
def get_webhook():
    """The buyer's webhook and its signing secret. Buyers. :raise 404: none registered"""
    from core.errors import NotFound

    hook = webhooks.webhook_of(api_user())
    if hook is None:
        raise NotFound(_l("No webhook is registered."))
    return _webhook_json(hook)


@blp.put("/tracking-webhook")
@api_auth("buyer")
@blp.arguments(s.WebhookInSchema)
@blp.response(200, s.WebhookSchema)
def put_webhook(data):
    """Register or change where milestone events are POSTed (http or https). Buyers.

    Each POST carries ``AgroBridge-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
    """
    return _webhook_json(webhooks.save_webhook(api_user(), data["url"], data["active"]))


@blp.delete("/tracking-webhook")
@api_auth("buyer")
@blp.response(204)
def delete_webhook():
    """Stop deliveries and forget the endpoint. Buyers."""
    webhooks.delete_webhook(api_user())


@blp.post("/tracking-webhook/rotate-secret")
@api_auth("buyer")
@blp.response(200, s.WebhookSchema)
def rotate_webhook_secret():
    """A new signing secret (the old one stops working at once). Buyers."""
    return _webhook_json(webhooks.rotate_secret(api_user()))


@blp.get("/tracking-webhook/deliveries")
@api_auth("buyer")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, s.DeliveryPageSchema)
def list_deliveries(args):
    """The delivery log: each event, attempts, last answer, next try. Buyers (their own)."""
    return paginate(webhooks.deliveries_query(api_user()), args["page"], args["per_page"])


@blp.post("/tracking-webhook/deliveries/<id:delivery_id>/redeliver")
@api_auth("buyer")
@blp.response(200, s.DeliverySchema)
def redeliver(delivery_id):
    """Send a delivery again now (a replay). Buyers (their own)."""
    return webhooks.redeliver(api_user(), delivery_id)
