"""Logistics JSON: what goes in (shipments, events, readings, webhooks) and what each role
sees of a shipment (see logistics.presenters for the role-specific views)."""

import json

import marshmallow as ma

from core.fields import ID_RANGE, DecimalString, StrictInteger
from core.pagination import PageArgsSchema, page_envelope
from logistics.rules import EVENT_TYPES, EXCEPTION_REASONS, MODES, PLACE_KINDS, STATUSES, VEHICLE_KINDS
from logistics.services.webhooks import ERROR_CLASSES


def Coordinate(limit: int, **kwargs) -> DecimalString:  # noqa: N802 - reads like a field class
    return DecimalString(places=6, minimum=-limit, maximum=limit, **kwargs)


class PackageInSchema(ma.Schema):
    order_line_id = StrictInteger(required=True, validate=ID_RANGE)
    quantity = DecimalString(places=3, minimum=0, exclusive_minimum=True, maximum=100000000)
    places = StrictInteger(validate=ma.validate.Range(min=1, max=100000))
    gross_weight_kg = DecimalString(places=3, minimum=0, exclusive_minimum=True, maximum=100000000)


class VehicleInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(VEHICLE_KINDS))
    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    seals = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=40)), validate=ma.validate.Length(max=20)
    )


class VehicleSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": list(VEHICLE_KINDS)})
    number = ma.fields.String(required=True)
    seals = ma.fields.List(ma.fields.String(), required=True)
    leg = ma.fields.Integer(required=True, metadata={"description": "1 from the origin; +1 per transloading"})
    current = ma.fields.Boolean(required=True)


class PlaceSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "zabaikalsk"})
    kind = ma.fields.String(required=True, metadata={"enum": list(PLACE_KINDS)})
    country = ma.fields.String(required=True)
    names = ma.fields.Dict(required=True, metadata={"description": "{zh, ru, en}"})
    lat = DecimalString(places=6, required=True, attribute="latitude")
    lon = DecimalString(places=6, required=True, attribute="longitude")
    time_zone = ma.fields.String(required=True, metadata={"example": "Asia/Chita"})
    utc_offset = ma.fields.String(required=True, metadata={"example": "+09:00", "description": "now"})
    gln = ma.fields.String(allow_none=True)


class PlaceQuerySchema(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(PLACE_KINDS))
    country = ma.fields.String(validate=ma.validate.OneOf(["RU", "CN", "ru", "cn"]))


_DROPPABLE = "A code from GET /api/v1/places; null drops it"


def _route_detail(end: str, max_length: int):
    """``origin``/``destination``: free text beside the place code."""
    return ma.fields.String(
        validate=ma.validate.Length(max=max_length),
        metadata={"description": f"Free text: the detail of ``{end}_place``"},
    )


def _place_code(example: str, description: str, nullable: bool = False):
    """``origin_place``/``destination_place``: a gazetteer code."""
    return ma.fields.String(
        allow_none=nullable,
        validate=ma.validate.Length(min=1, max=40),
        metadata={"example": example, "description": description},
    )


class ShipmentCreateSchema(ma.Schema):
    order_ids = ma.fields.List(
        StrictInteger(validate=ID_RANGE), required=True, validate=ma.validate.Length(min=1, max=100)
    )
    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(MODES))
    border_crossing = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=40),
        metadata={"example": "zabaikalsk-manzhouli", "description": "Crossing code"},
    )
    origin = _route_detail("origin", 120)
    origin_place = _place_code(
        "chelyabinsk-hub", "A code from GET /api/v1/places. Without it and without ``origin``: chelyabinsk"
    )
    destination = _route_detail("destination", 200)
    destination_place = _place_code(
        "harbin-daowai", "A code from GET /api/v1/places. Without it and ``destination``: harbin-daowai"
    )
    vehicle_number = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))
    container_number = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))
    seal_number = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))
    carrier = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    planned_departure = ma.fields.AwareDateTime(allow_none=True)
    vehicles = ma.fields.List(
        ma.fields.Nested(VehicleInSchema),
        validate=ma.validate.Length(max=50),
        metadata={
            "description": "Trucks, trailers, wagons, containers with their seals (else the single fields)"
        },
    )
    packages = ma.fields.List(
        ma.fields.Nested(PackageInSchema),
        validate=ma.validate.Length(max=2000),
        metadata={"description": "A partial shipment: which lines, how much, places, gross weight"},
    )


class ShipmentRouteInSchema(ma.Schema):
    """A change of origin or destination: only the fields given change."""

    origin = _route_detail("origin", 120)
    origin_place = _place_code("chelyabinsk-hub", _DROPPABLE, nullable=True)
    destination = _route_detail("destination", 200)
    destination_place = _place_code("harbin-daowai", _DROPPABLE, nullable=True)


class LocationInSchema(ma.Schema):
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    lat = Coordinate(90, allow_none=True)
    lon = Coordinate(180, allow_none=True)


class EventInSchema(ma.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(EVENT_TYPES))
    reason = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(EXCEPTION_REASONS))
    occurred_at = ma.fields.DateTime(
        required=True,
        metadata={
            "example": "2026-11-27T08:30:00+05:00",
            "description": "With its offset; without one it is read on the clock of ``place``",
        },
    )
    place = ma.fields.String(
        validate=ma.validate.Length(min=1, max=40),
        metadata={"example": "zabaikalsk", "description": "A code from GET /api/v1/places"},
    )
    location = ma.fields.Nested(LocationInSchema)
    vehicles = ma.fields.List(
        ma.fields.Nested(VehicleInSchema),
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "transloaded only: the new vehicles or wagons and their seals"},
    )
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000))
    event_id = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "The client's id: a retry with the same id is not recorded twice"},
    )
    delay_hours = StrictInteger(validate=ma.validate.Range(min=0, max=2000))

    @ma.post_load
    def flatten(self, data, **kwargs):
        location = data.pop("location", None) or {}
        data["location_name"] = location.get("name", "")
        data["latitude"] = location.get("lat")
        data["longitude"] = location.get("lon")
        return data


class ReadingInSchema(ma.Schema):
    """Documentation only: readings are validated by plain loops for speed."""

    sensor_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    recorded_at = ma.fields.AwareDateTime(required=True)
    celsius = ma.fields.Float(required=True, validate=ma.validate.Range(min=-80, max=80))


class ReadingsInSchema(ma.Schema):
    readings = ma.fields.List(
        ma.fields.Nested(ReadingInSchema), required=True, validate=ma.validate.Length(min=1, max=10000)
    )


class ExcursionSchema(ma.Schema):
    id = ma.fields.Integer()
    sensor_id = ma.fields.String(required=True)
    started_at = ma.fields.AwareDateTime(required=True)
    ended_at = ma.fields.AwareDateTime(required=True)
    duration_minutes = ma.fields.Integer(required=True)
    min = DecimalString(required=True)
    max = DecimalString(required=True)
    event_id = ma.fields.Integer(allow_none=True)


class ReadingsResultSchema(ma.Schema):
    received = ma.fields.Integer(required=True)
    inserted = ma.fields.Integer(required=True)
    duplicates = ma.fields.Integer(required=True)
    excursions = ma.fields.List(ma.fields.Nested(ExcursionSchema), required=True)


class BandSchema(ma.Schema):
    min = DecimalString(allow_none=True)
    max = DecimalString(allow_none=True)
    empty = ma.fields.Boolean()


class TemperatureSummarySchema(ma.Schema):
    min = DecimalString(allow_none=True)
    max = DecimalString(allow_none=True)
    readings = ma.fields.Integer()
    sensors = ma.fields.Integer()
    band = ma.fields.Nested(BandSchema)
    excursions = ma.fields.List(ma.fields.Nested(ExcursionSchema))


class SeriesSchema(ma.Schema):
    band = ma.fields.Dict()
    sensors = ma.fields.List(ma.fields.Dict())
    excursions = ma.fields.List(ma.fields.Dict())


class LocationSchema(ma.Schema):
    name = ma.fields.String()
    lat = DecimalString(places=6, allow_none=True)
    lon = DecimalString(places=6, allow_none=True)


class EventSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    type = ma.fields.String(required=True, metadata={"enum": list(EVENT_TYPES)})
    reason = ma.fields.String(allow_none=True)
    occurred_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})
    time_zone = ma.fields.String(
        required=True, metadata={"example": "Asia/Chita", "description": "The zone of the place it happened"}
    )
    utc_offset = ma.fields.String(required=True, metadata={"example": "+09:00"})
    local_time = ma.fields.String(
        required=True, metadata={"example": "2026-11-27T10:30:00+09:00", "description": "occurred_at there"}
    )
    place = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    location = ma.fields.Nested(LocationSchema)
    note = ma.fields.String()
    event_id = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()
    attachment_url = ma.fields.String(allow_none=True)
    recorded_by = ma.fields.Dict(allow_none=True)


class EventResultSchema(EventSchema):
    created = ma.fields.Boolean(
        required=True, metadata={"description": "False: a retry of an event already recorded"}
    )


class EventsResultSchema(ma.Schema):
    shipment_status = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.Nested(EventResultSchema), required=True)


class ChecklistItemSchema(ma.Schema):
    code = ma.fields.String(required=True)
    names = ma.fields.Dict()
    satisfied = ma.fields.Boolean(required=True)
    documents = ma.fields.List(ma.fields.Integer())
    producer_id = ma.fields.Integer()
    registration = ma.fields.String(allow_none=True)
    categories_not_covered = ma.fields.List(
        ma.fields.String(), metadata={"description": "GACC only: categories on board it does not cover"}
    )


class ChecklistSchema(ma.Schema):
    complete = ma.fields.Boolean(required=True)
    items = ma.fields.List(ma.fields.Nested(ChecklistItemSchema), required=True)
    missing = ma.fields.List(ma.fields.String(), required=True)


class EtaBasisSchema(ma.Schema):
    kind = ma.fields.String()
    milestone = ma.fields.String(allow_none=True)
    at = ma.fields.AwareDateTime(allow_none=True)
    remaining_hours = ma.fields.Float()
    delay_hours = ma.fields.Float()
    route = ma.fields.String()
    legs_hours = ma.fields.List(ma.fields.Integer())


class EtaSchema(ma.Schema):
    eta = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    basis = ma.fields.Nested(EtaBasisSchema)


class DocumentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    order_id = ma.fields.Integer(allow_none=True)
    number = ma.fields.String()
    content_type = ma.fields.String()
    size_bytes = ma.fields.Integer()
    uploaded_at = ma.fields.AwareDateTime()
    url = ma.fields.String()


class PackageSchema(ma.Schema):
    order_id = ma.fields.Integer()
    order_line_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    name = ma.fields.Dict()
    quantity = DecimalString(places=3)
    unit = ma.fields.String()
    places = ma.fields.Integer()
    gross_weight_kg = DecimalString(places=3)


class ShipmentOrderSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    status = ma.fields.String()
    fulfilment = ma.fields.String()


class CrossingSchema(ma.Schema):
    code = ma.fields.String()
    names = ma.fields.Dict()
    hours_to_border = ma.fields.Integer()
    hours_clearance = ma.fields.Integer()
    hours_to_destination = ma.fields.Integer()


class WarningSchema(ma.Schema):
    code = ma.fields.String()
    message = ma.fields.String()


class ShipmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    tracking_code = ma.fields.String(required=True, metadata={"example": "AB7KX3M9QP"})
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    mode = ma.fields.String(required=True)
    origin = ma.fields.String(metadata={"description": "Free text as stored (the detail of the place)"})
    origin_place = ma.fields.String(
        allow_none=True, metadata={"example": "chelyabinsk", "description": "A code from GET /api/v1/places"}
    )
    origin_place_names = ma.fields.Dict(allow_none=True, metadata={"description": "{zh, ru, en}"})
    origin_time_zone = ma.fields.String(
        metadata={
            "example": "Asia/Yekaterinburg",
            "description": "The origin's zone: it dates planned_departure",
        }
    )
    border_crossing = ma.fields.Nested(CrossingSchema)
    destination = ma.fields.String(metadata={"description": "Free text as stored (the detail of the place)"})
    destination_place = ma.fields.String(
        allow_none=True,
        metadata={"example": "harbin-daowai", "description": "A code from GET /api/v1/places"},
    )
    destination_place_names = ma.fields.Dict(allow_none=True, metadata={"description": "{zh, ru, en}"})
    vehicle_number = ma.fields.String()
    container_number = ma.fields.String()
    seal_number = ma.fields.String()
    vehicles = ma.fields.List(ma.fields.Nested(VehicleSchema))
    carrier = ma.fields.String()
    planned_departure = ma.fields.AwareDateTime(allow_none=True)
    planned_departure_local = ma.fields.String(
        allow_none=True,
        metadata={
            "example": "2026-12-05T08:00:00+05:00",
            "description": "planned_departure on the origin's clock",
        },
    )
    created_at = ma.fields.AwareDateTime()
    orders = ma.fields.List(ma.fields.Nested(ShipmentOrderSchema))
    packages = ma.fields.List(ma.fields.Nested(PackageSchema))
    events = ma.fields.List(ma.fields.Nested(EventSchema))
    eta = ma.fields.Nested(EtaSchema)
    checklist = ma.fields.Nested(ChecklistSchema)
    documents = ma.fields.List(ma.fields.Nested(DocumentSchema))
    temperature = ma.fields.Nested(TemperatureSummarySchema)
    warnings = ma.fields.List(ma.fields.Nested(WarningSchema))


ShipmentPageSchema = page_envelope(ShipmentSchema)


class ShipmentQuerySchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))


class DocumentInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.Length(max=32))
    number = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    order_id = ma.fields.Integer(validate=ID_RANGE)


class WebhookInSchema(ma.Schema):
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=500))
    active = ma.fields.Boolean(load_default=True)


class WebhookSchema(ma.Schema):
    url = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    secret = ma.fields.String(required=True, metadata={"description": "HMAC-SHA256 key for the signature"})
    signature_header = ma.fields.Constant("AgroBridge-Signature")
    created_at = ma.fields.AwareDateTime()


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(
        metadata={
            "description": "The class of the last failure (empty after success or before any attempt)",
            "enum": ["", *ERROR_CLASSES],
        }
    )
    next_attempt_at = ma.fields.AwareDateTime(allow_none=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    payload = ma.fields.Function(lambda d: json.loads(d.payload), metadata={"type": "object"})


DeliveryPageSchema = page_envelope(DeliverySchema)
