"""Shipments with their orders and packages, milestones, documents, temperature readings,
excursions, and buyers' tracking webhooks with their delivery log."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow
from logistics.rules import (
    DOCUMENT_APPLIES,
    EVENT_TYPES,
    EXCEPTION_REASONS,
    MODES,
    PLACE_KINDS,
    STATUSES,
    VEHICLE_KINDS,
)

QUANTITY = Numeric(12, 3)
CELSIUS = Numeric(5, 2)
COORD = Numeric(9, 6)


class BorderCrossing(db.Model):
    """A Russia–China land crossing with the route's typical leg durations (editable data)."""

    __tablename__ = "logistics_border_crossings"
    __table_args__ = (
        CheckConstraint(
            "hours_to_border > 0 AND hours_clearance >= 0 AND hours_to_destination > 0", name="hours_positive"
        ),
    )

    #: The API's code, e.g. ``zabaikalsk-manzhouli``.
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: Comma-separated transport modes the crossing takes: road, rail.
    modes: Mapped[str] = mapped_column(String(40), default="road,rail")
    #: Typical hours Chelyabinsk → the border, clearance on both sides, border → Harbin Daowai.
    hours_to_border: Mapped[int] = mapped_column(Integer)
    hours_clearance: Mapped[int] = mapped_column(Integer)
    hours_to_destination: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[Decimal | None] = mapped_column(COORD)
    longitude: Mapped[Decimal | None] = mapped_column(COORD)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh, "ru": self.name_ru, "en": self.name_en}

    @property
    def total_hours(self) -> int:
        return self.hours_to_border + self.hours_clearance + self.hours_to_destination


class Place(db.Model):
    """A place along the route (city, station, customs post, crossing, warehouse) with its
    time zone: every time there is shown in that zone. Seeded by the migrations."""

    __tablename__ = "logistics_places"
    __table_args__ = (
        CheckConstraint(sql_in("kind", PLACE_KINDS), name="kind_known"),
        CheckConstraint("gln IS NULL OR length(gln) = 13", name="gln_length"),
    )

    #: The API's code, e.g. ``zabaikalsk``.
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: ISO 3166 alpha-2: RU or CN.
    country: Mapped[str] = mapped_column(String(2))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[Decimal] = mapped_column(COORD)
    longitude: Mapped[Decimal] = mapped_column(COORD)
    #: IANA zone, e.g. Asia/Chita (+09:00).
    time_zone: Mapped[str] = mapped_column(String(40))
    #: GS1 Global Location Number, where one is assigned.
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh, "ru": self.name_ru, "en": self.name_en}


class DocumentKind(db.Model):
    """An export document and which goods or modes need it (seeded by the migration)."""

    __tablename__ = "logistics_document_kinds"
    __table_args__ = (CheckConstraint(sql_in("applies_to", DOCUMENT_APPLIES), name="applies_known"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: plant, animal, all, road (CMR) or rail (rail waybill).
    applies_to: Mapped[str] = mapped_column(String(10))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh, "ru": self.name_ru, "en": self.name_en}


class Shipment(TimestampMixin, db.Model):
    """A road, rail or multimodal consignment Chelyabinsk → border crossing → Harbin Daowai.

    ``status`` is derived from the milestones and only ever moves forward.
    """

    __tablename__ = "logistics_shipments"
    __table_args__ = (
        CheckConstraint(sql_in("mode", MODES), name="mode_known"),
        CheckConstraint(sql_in("status", STATUSES), name="status_known"),
        CheckConstraint(
            "temp_min_c IS NULL OR temp_max_c IS NULL OR temp_min_c <= temp_max_c OR band_empty",
            name="band_ordered",
        ),
        Index("ix_logistics_shipments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public, unambiguous code: AB + 8 characters without 0/O/1/I.
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    mode: Mapped[str] = mapped_column(String(12))
    #: Free text: the detail of the origin (a yard, a gate), or the whole origin of shipments
    #: made before places (then stored in English when it was the default).
    origin: Mapped[str] = mapped_column(String(120))
    #: The gazetteer place the goods leave from: its name is shown in the reader's language and
    #: its zone dates the planned departure.
    origin_place_code: Mapped[str | None] = mapped_column(
        ForeignKey("logistics_places.code", ondelete="RESTRICT"), index=True
    )
    border_crossing_code: Mapped[str] = mapped_column(
        ForeignKey("logistics_border_crossings.code", ondelete="RESTRICT"), index=True
    )
    #: Free text: the detail of the destination, as ``origin``.
    destination: Mapped[str] = mapped_column(String(200))
    #: The gazetteer place the goods go to.
    destination_place_code: Mapped[str | None] = mapped_column(
        ForeignKey("logistics_places.code", ondelete="RESTRICT"), index=True
    )
    vehicle_number: Mapped[str] = mapped_column(String(40), default="")
    container_number: Mapped[str] = mapped_column(String(40), default="")
    seal_number: Mapped[str] = mapped_column(String(40), default="")
    carrier: Mapped[str] = mapped_column(String(200), default="")
    planned_departure: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: planned, or the highest-ranked milestone reached.
    status: Mapped[str] = mapped_column(String(32), default="planned")
    #: The latest estimate of delivery and what it rests on (see logistics.services.eta).
    eta_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Allowed temperature band: the intersection of the storage ranges of the goods on board.
    temp_min_c: Mapped[Decimal | None] = mapped_column(CELSIUS)
    temp_max_c: Mapped[Decimal | None] = mapped_column(CELSIUS)
    #: The storage ranges do not overlap: no temperature suits every product on board.
    band_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    border_crossing: Mapped[BorderCrossing] = relationship(lazy="joined", innerjoin=True)
    origin_place: Mapped[Place | None] = relationship(foreign_keys=[origin_place_code], lazy="joined")
    destination_place: Mapped[Place | None] = relationship(
        foreign_keys=[destination_place_code], lazy="joined"
    )
    created_by = relationship("User")
    orders: Mapped[list["ShipmentOrder"]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentOrder.order_id"
    )
    packages: Mapped[list["ShipmentPackage"]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentPackage.id"
    )
    events: Mapped[list["TrackingEvent"]] = relationship(
        back_populates="shipment",
        cascade="all, delete-orphan",
        order_by="(TrackingEvent.occurred_at, TrackingEvent.id)",
    )
    documents: Mapped[list["ShipmentDocument"]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentDocument.id"
    )
    excursions: Mapped[list["TemperatureExcursion"]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="TemperatureExcursion.started_at"
    )
    vehicles: Mapped[list["ShipmentVehicle"]] = relationship(
        back_populates="shipment",
        cascade="all, delete-orphan",
        order_by="(ShipmentVehicle.leg, ShipmentVehicle.id)",
    )

    @property
    def current_vehicles(self) -> list["ShipmentVehicle"]:
        """The vehicles of the latest leg (after the last transloading)."""
        if not self.vehicles:
            return []
        leg = max(v.leg for v in self.vehicles)
        return [v for v in self.vehicles if v.leg == leg]

    @property
    def order_ids(self) -> list[int]:
        return [link.order_id for link in self.orders]

    @property
    def band(self) -> dict | None:
        if self.temp_min_c is None and self.temp_max_c is None:
            return None
        return {"min": self.temp_min_c, "max": self.temp_max_c, "empty": self.band_empty}


class ShipmentVehicle(db.Model):
    """A truck, trailer, wagon or container carrying the shipment on one leg, with its seals.

    Leg 1 leaves the origin; each ``transloaded`` milestone starts the next leg.
    """

    __tablename__ = "logistics_vehicles"
    __table_args__ = (
        CheckConstraint(sql_in("kind", VEHICLE_KINDS), name="kind_known"),
        CheckConstraint("leg > 0", name="leg_positive"),
        Index("ix_logistics_vehicles_shipment_leg", "shipment_id", "leg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    leg: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(12))
    #: Plate, wagon or container number (ISO 6346 for containers).
    number: Mapped[str] = mapped_column(String(40))
    #: Seal numbers, in the order applied.
    seals: Mapped[list] = mapped_column(JSON, default=list)
    #: The transloading that put it in service (None on the first leg).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("logistics_events.id", ondelete="SET NULL"), index=True
    )

    shipment: Mapped[Shipment] = relationship(back_populates="vehicles")
    event = relationship("TrackingEvent")


class ShipmentOrder(db.Model):
    """An order (or part of one) on board a shipment."""

    __tablename__ = "logistics_shipment_orders"
    __table_args__ = (
        UniqueConstraint("shipment_id", "order_id", name="uq_logistics_shipment_orders_shipment_order"),
        Index("ix_logistics_shipment_orders_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))

    shipment: Mapped[Shipment] = relationship(back_populates="orders")
    order = relationship("Order")


class ShipmentPackage(db.Model):
    """How much of an order line travels in the shipment, in how many places, at what gross weight."""

    __tablename__ = "logistics_packages"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("places > 0", name="places_positive"),
        CheckConstraint("gross_weight_kg > 0", name="gross_weight_positive"),
        UniqueConstraint("shipment_id", "order_line_id", name="uq_logistics_packages_shipment_line"),
        Index("ix_logistics_packages_order_line_id", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="RESTRICT"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    places: Mapped[int] = mapped_column(Integer)
    gross_weight_kg: Mapped[Decimal] = mapped_column(QUANTITY)

    shipment: Mapped[Shipment] = relationship(back_populates="packages")
    line = relationship("OrderLine")


class TrackingEvent(db.Model):
    """An append-only milestone or exception. Never updated or deleted by the application."""

    __tablename__ = "logistics_events"
    __table_args__ = (
        CheckConstraint(sql_in("type", EVENT_TYPES), name="type_known"),
        CheckConstraint(
            "(type = 'exception' AND reason IS NOT NULL) OR (type <> 'exception' AND reason IS NULL)",
            name="reason_for_exceptions",
        ),
        CheckConstraint("reason IS NULL OR " + sql_in("reason", EXCEPTION_REASONS), name="reason_known"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
        UniqueConstraint("shipment_id", "client_event_id", name="uq_logistics_events_shipment_client_event"),
        Index("ix_logistics_events_shipment_occurred", "shipment_id", "occurred_at"),
        Index("ix_logistics_events_type_occurred", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    #: Exceptions only: delay, damage, customs_hold, temperature_excursion, documents_missing, other.
    reason: Mapped[str | None] = mapped_column(String(32))
    #: A gazetteer place, when given: its zone dates the event; free text stays in location_name.
    place_code: Mapped[str | None] = mapped_column(
        ForeignKey("logistics_places.code", ondelete="RESTRICT"), index=True
    )
    location_name: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[Decimal | None] = mapped_column(COORD)
    longitude: Mapped[Decimal | None] = mapped_column(COORD)
    #: When it happened (the client's clock, timezone-aware); orders the history.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When we learnt of it.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    #: The client's id for the event (or its Idempotency-Key): a retry finds the first one.
    client_event_id: Mapped[str | None] = mapped_column(String(100))
    #: Extra facts: delay_hours; min/max/duration of a temperature excursion.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(50))

    shipment: Mapped[Shipment] = relationship(back_populates="events")
    recorded_by = relationship("User")
    place: Mapped[Place | None] = relationship(lazy="joined")


class ShipmentDocument(db.Model):
    """An uploaded export document; with ``order_id`` it belongs to one order's parties only."""

    __tablename__ = "logistics_documents"
    __table_args__ = (
        Index("ix_logistics_documents_shipment_kind", "shipment_id", "kind_code"),
        Index("ix_logistics_documents_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    kind_code: Mapped[str] = mapped_column(
        ForeignKey("logistics_document_kinds.code", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(100), default="")
    #: Random stored name under UPLOAD_DIR/logistics; never the uploader's.
    file_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(50))
    original_name: Mapped[str] = mapped_column(String(200), default="")
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="documents")
    kind: Mapped[DocumentKind] = relationship(lazy="joined", innerjoin=True)


class TemperatureReading(db.Model):
    """One sensor reading; (shipment, sensor, time) is the key, so a resent reading is ignored."""

    __tablename__ = "logistics_temperature_readings"
    __table_args__ = (
        CheckConstraint("celsius BETWEEN -80 AND 80", name="celsius_plausible"),
        Index("ix_logistics_temperature_readings_shipment_time", "shipment_id", "recorded_at"),
    )

    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("logistics_shipments.id", ondelete="CASCADE"), primary_key=True
    )
    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    celsius: Mapped[Decimal] = mapped_column(CELSIUS)


class TemperatureExcursion(db.Model):
    """A run of out-of-band readings of one sensor that lasted longer than the grace period."""

    __tablename__ = "logistics_excursions"
    __table_args__ = (
        CheckConstraint("ended_at >= started_at", name="times_ordered"),
        UniqueConstraint(
            "shipment_id", "sensor_id", "started_at", name="uq_logistics_excursions_sensor_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    sensor_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The first in-band reading after the run, or the run's last reading while it lasts.
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    min_c: Mapped[Decimal] = mapped_column(CELSIUS)
    max_c: Mapped[Decimal] = mapped_column(CELSIUS)
    #: The exception event that reported it.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("logistics_events.id", ondelete="SET NULL"), index=True
    )

    shipment: Mapped[Shipment] = relationship(back_populates="excursions")

    @property
    def duration_minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class BuyerWebhook(TimestampMixin, db.Model):
    """Where a buyer wants milestone events POSTed, and the secret that signs them."""

    __tablename__ = "logistics_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    #: HMAC-SHA256 key shared with the buyer (shown to them on their settings page).
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    buyer = relationship("User")


WEBHOOK_STATES = ("pending", "delivered", "failed")


class WebhookDelivery(db.Model):
    """One event to one buyer's endpoint: attempts, last answer, when to try again."""

    __tablename__ = "logistics_webhook_deliveries"
    __table_args__ = (
        CheckConstraint(sql_in("state", WEBHOOK_STATES), name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        UniqueConstraint("webhook_id", "event_id", name="uq_logistics_webhook_deliveries_webhook_event"),
        Index("ix_logistics_webhook_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_logistics_webhook_deliveries_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("logistics_webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("logistics_events.id", ondelete="CASCADE"))
    #: The exact JSON body sent (signed as is).
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[BuyerWebhook] = relationship()
    event: Mapped[TrackingEvent] = relationship()
