"""Cart, checkouts, orders with their lines, stock allocations and history; RFQs and quotes."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.incoterms import INCOTERMS, TRANSPORT_MODES
from catalog.models import Package
from core.db import TimestampMixin, UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow

MONEY = Numeric(12, 2)
QUANTITY = Numeric(12, 3)

ORDER_STATUSES = (
    "pending_payment",
    "paid",
    "confirmed",
    "ready_for_pickup",
    "in_transit",
    "delivered",
    "completed",
    "cancelled",
    "disputed",
)
PAYMENT_STATUSES = ("unpaid", "partially_paid", "paid", "partially_refunded", "refunded")
DEFAULT_NAMED_PLACE = "Harbin, Daowai logistics zone"
#: The buyer's standing for a tariff-rate quota line: holds an import quota certificate
#: (``in``), does not (``out``), or has not said (``unknown``: both totals are shown).
QUOTA_STATUSES = ("in", "out", "unknown")
DEFAULT_MODE = "rail"
DEFAULT_CROSSING = "zabaikalsk-manzhouli"


class CartItem(db.Model):
    """A product and quantity in a buyer's cart (one row per product)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("buyer_id", "product_id", name="uq_cart_items_buyer_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product")


class Checkout(db.Model):
    """One cart checked out: the orders (one per producer) that can be paid together."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    orders: Mapped[list["Order"]] = relationship(back_populates="checkout", order_by="Order.id")

    @property
    def total(self) -> Decimal:
        return sum((o.total for o in self.orders), Decimal("0.00"))


class Order(TimestampMixin, db.Model):
    """One buyer, one producer. ``status`` is the lifecycle; payment is its own axis."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(sql_in("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint(sql_in("payment_status", PAYMENT_STATUSES), name="payment_status_known"),
        CheckConstraint(sql_in("incoterm", INCOTERMS), name="incoterm_known"),
        CheckConstraint(sql_in("quota", QUOTA_STATUSES), name="quota_known"),
        CheckConstraint(sql_in("transport_mode", TRANSPORT_MODES), name="transport_mode_known"),
        CheckConstraint("subtotal >= 0", name="subtotal_not_negative"),
        Index("ix_orders_buyer_status", "buyer_id", "status"),
        Index("ix_orders_producer_status", "producer_id", "status"),
        Index("ix_orders_status_expires", "status", "payment_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human order number, e.g. AB-2026-000123 (gapless per year).
    number: Mapped[str] = mapped_column(String(20), unique=True)
    checkout_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkouts.id", ondelete="SET NULL"), index=True
    )
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("catalog_producers.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="pending_payment")
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    #: Sum of the line totals (CNY).
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    #: Room for the landed-cost estimate; None until computed.
    freight: Mapped[Decimal | None] = mapped_column(MONEY)
    duty: Mapped[Decimal | None] = mapped_column(MONEY)
    vat: Mapped[Decimal | None] = mapped_column(MONEY)
    #: Incoterms 2020 and the named place the order's prices are on (the landed cost follows).
    incoterm: Mapped[str] = mapped_column(String(3), default="DAP")
    named_place: Mapped[str] = mapped_column(String(200), default=DEFAULT_NAMED_PLACE)
    quota: Mapped[str] = mapped_column(String(8), default="unknown", server_default="unknown")
    #: The route the goods take: it prices the freight and dates the arrival.
    transport_mode: Mapped[str] = mapped_column(String(12), default=DEFAULT_MODE, server_default=DEFAULT_MODE)
    border_crossing_code: Mapped[str] = mapped_column(
        String(40), default=DEFAULT_CROSSING, server_default=DEFAULT_CROSSING
    )
    delivery_contact: Mapped[str] = mapped_column(String(300), default="")
    buyer_reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: An unpaid order is cancelled after this moment and its stock returned.
    payment_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    #: How the admin settled a dispute: release, partial_refund or full_refund.
    dispute_resolution: Mapped[str] = mapped_column(String(20), default="")
    refund_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    #: The accepted quote this order came from, if any.
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="SET NULL"), index=True)

    buyer = relationship("User", foreign_keys=[buyer_id])
    producer = relationship("Producer")
    checkout: Mapped[Checkout | None] = relationship(back_populates="orders")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    history: Mapped[list["OrderStatusChange"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id"
    )
    dispute_photos: Mapped[list["DisputePhoto"]] = relationship(
        cascade="all, delete-orphan", order_by="DisputePhoto.id"
    )

    @property
    def total(self) -> Decimal:
        extras = [x for x in (self.freight, self.duty, self.vat) if x is not None]
        return self.subtotal + sum(extras, Decimal("0.00"))

    def is_party(self, user) -> bool:
        return user is not None and (user.id == self.buyer_id or user.id == self.producer.owner_id)

    def visible_to(self, user) -> bool:
        return user is not None and (user.role in ("admin", "operator") or self.is_party(user))


class OrderLine(Package, db.Model):
    """A snapshot of what was bought, at the tier price in force for its quantity — with the
    product's package when the order was placed (``Package``): the order's pages, API and
    documents say it even after the product's package changes; no kind: it had none then."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="price_positive"),
        CheckConstraint("(package_size IS NULL) = (package_size_unit IS NULL)", name="package_size_whole"),
        Index("ix_order_lines_order_id", "order_id"),
        Index("ix_order_lines_product_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("catalog_products.id", ondelete="RESTRICT"))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(16))
    net_weight_kg: Mapped[Decimal] = mapped_column(QUANTITY)
    #: China's tariff code and the Russian TN VED EAEU code, as the product had them.
    hs_code: Mapped[str] = mapped_column(String(10))
    tnved_code: Mapped[str | None] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    line_total: Mapped[Decimal] = mapped_column(MONEY)

    order: Mapped[Order] = relationship(back_populates="lines")
    product = relationship("Product")
    allocations: Mapped[list["StockAllocation"]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="StockAllocation.id"
    )

    @property
    def names(self) -> dict:
        return {"zh": self.name_zh or None, "ru": self.name_ru or None, "en": self.name_en or None}


class StockAllocation(db.Model):
    """Stock an order line holds: from a lot, or from the product's own stock (no lot).

    ``state``: reserved (held for the order), consumed (left with the goods), released
    (given back on cancellation or expiry).
    """

    __tablename__ = "stock_allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("state IN ('reserved', 'consumed', 'released')", name="state_known"),
        Index("ix_stock_allocations_line_id", "order_line_id"),
        Index("ix_stock_allocations_lot_id", "lot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="RESTRICT"), index=True
    )
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_lots.id", ondelete="RESTRICT"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    state: Mapped[str] = mapped_column(String(10), default="reserved")

    line: Mapped[OrderLine] = relationship(back_populates="allocations")
    lot = relationship("Lot")


class OrderStatusChange(db.Model):
    """One row per transition: who, when, from, to and why."""

    __tablename__ = "order_status_changes"
    __table_args__ = (Index("ix_order_status_changes_order_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    #: None when the system moved it (expiry, payment, logistics).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="history")
    actor = relationship("User")


class IdempotencyKey(db.Model):
    """A client's ``Idempotency-Key``: the request it came with and the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "scope", "key", name="uq_idempotency_keys_user_scope_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The endpoint, e.g. "POST /api/v1/orders".
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the canonical request body.
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def in_flight(self) -> bool:
        return self.response_status is None


RFQ_STATUSES = ("open", "accepted", "closed", "cancelled")
QUOTE_STATUSES = ("open", "accepted", "declined", "withdrawn")


class Rfq(TimestampMixin, db.Model):
    """A buyer's request for quotation, to one producer or to a whole category."""

    __tablename__ = "rfqs"
    __table_args__ = (
        CheckConstraint(sql_in("status", RFQ_STATUSES), name="status_known"),
        CheckConstraint(sql_in("incoterm", INCOTERMS), name="incoterm_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_price IS NULL OR target_price > 0", name="target_price_positive"),
        CheckConstraint("producer_id IS NOT NULL OR category_code IS NOT NULL", name="has_audience"),
        Index("ix_rfqs_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: To one producer (``producer_id``) or to every verified producer of ``category_code``.
    producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_producers.id", ondelete="CASCADE"), index=True
    )
    category_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_categories.code", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="SET NULL"), index=True
    )
    #: What is needed, in the buyer's words.
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(String(16))
    target_price: Mapped[Decimal | None] = mapped_column(MONEY)
    incoterm: Mapped[str] = mapped_column(String(3), default="DAP")
    named_place: Mapped[str] = mapped_column(String(200), default=DEFAULT_NAMED_PLACE)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")

    buyer = relationship("User")
    producer = relationship("Producer")
    category = relationship("Category")
    product = relationship("Product")
    quotes: Mapped[list["Quote"]] = relationship(back_populates="rfq", order_by="Quote.unit_price")


class Quote(db.Model):
    """A producer's answer to an RFQ: a price for a product of theirs, valid until a date."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(sql_in("status", QUOTE_STATUSES), name="status_known"),
        CheckConstraint("unit_price > 0", name="price_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        UniqueConstraint("rfq_id", "producer_id", name="uq_quotes_rfq_producer"),
        Index("ix_quotes_producer_id", "producer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("catalog_producers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="RESTRICT"), index=True
    )
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    valid_until: Mapped[date] = mapped_column(Date)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rfq: Mapped[Rfq] = relationship(back_populates="quotes")
    producer = relationship("Producer")
    product = relationship("Product")

    def expired(self, on: date | None = None) -> bool:
        return self.valid_until < (on or utcnow().date())


class DisputePhoto(db.Model):
    """Evidence a buyer attaches to a dispute (a content-checked, re-encoded image)."""

    __tablename__ = "dispute_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(100))
    thumb_name: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
