"""Exchange rates (CBR), the rate each order used, freight tariffs, duty/VAT rates and the
numbered trade documents."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
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

from catalog.data import sql_in
from core.db import TimestampMixin, UTCDateTime
from core.extensions import db
from core.timeutil import utcnow

#: RUB per unit: CBR publishes 4 decimals per nominal and VunitRate with more; JPY, VND and
#: the like need the extra places per single unit.
RATE = Numeric(18, 8)
#: What CBR publishes per ``nominal`` units (4 decimals in the files).
RATE_VALUE = Numeric(16, 6)
PERCENT = Numeric(7, 3)
RATE_SOURCES = ("cbr", "manual")
TRANSPORT_MODES = ("road", "rail", "multimodal")
DOCUMENT_KINDS = ("proforma", "commercial_invoice", "packing_list", "label_sheet")
#: Number prefix per document kind: PI-2026-000001.
DOCUMENT_PREFIX = {"proforma": "PI", "commercial_invoice": "CI", "packing_list": "PL", "label_sheet": "LS"}


class ExchangeRate(TimestampMixin, db.Model):
    """Roubles per ``nominal`` units of a currency on a date (CBR daily file or entered by hand)."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "rate_date", name="uq_exchange_rates_currency_date"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        CheckConstraint("nominal > 0", name="nominal_positive"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("unit_rate > 0", name="unit_rate_positive"),
        CheckConstraint(sql_in("source", RATE_SOURCES), name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 4217 letter code (CBR's CharCode), e.g. CNY.
    currency: Mapped[str] = mapped_column(String(3))
    #: The date the rate is set for (``ValCurs/@Date``).
    rate_date: Mapped[date] = mapped_column(Date)
    #: How many units ``value`` is for: CNY 1 (10 in older files), JPY 100.
    nominal: Mapped[int] = mapped_column(Integer, default=1)
    #: Roubles per ``nominal`` units, as published.
    value: Mapped[Decimal] = mapped_column(RATE_VALUE)
    #: Roubles per one unit (CBR's VunitRate, else value / nominal).
    unit_rate: Mapped[Decimal] = mapped_column(RATE)
    source: Mapped[str] = mapped_column(String(8), default="cbr")
    #: The admin who typed a manual rate.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    entered_by = relationship("User")


class OrderRate(db.Model):
    """The CNY→RUB rate an order's RUB equivalent uses, frozen when the order was placed."""

    __tablename__ = "order_rates"
    __table_args__ = (CheckConstraint("rub_per_unit > 0", name="rate_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    #: The date of the rate used: the order's date, or the latest earlier one on file.
    rate_date: Mapped[date] = mapped_column(Date)
    rub_per_unit: Mapped[Decimal] = mapped_column(RATE)
    source: Mapped[str] = mapped_column(String(8), default="cbr")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FreightTariff(db.Model):
    """An operator's price per kilogram Chelyabinsk → Harbin Daowai by mode and crossing."""

    __tablename__ = "freight_tariffs"
    __table_args__ = (
        UniqueConstraint("mode", "border_crossing_code", name="uq_freight_tariffs_mode_crossing"),
        CheckConstraint(sql_in("mode", TRANSPORT_MODES), name="mode_known"),
        CheckConstraint("cny_per_kg > 0 AND cny_per_kg <= 100", name="rate_plausible"),
        Index("ix_freight_tariffs_border_crossing_code", "border_crossing_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))
    border_crossing_code: Mapped[str] = mapped_column(
        ForeignKey("logistics_border_crossings.code", ondelete="CASCADE")
    )
    #: CNY per kilogram of gross weight, door (Chelyabinsk) to the Harbin Daowai warehouse.
    cny_per_kg: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    #: Not yet confirmed by an operator: shown with a warning.
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The admin's e-mail, as text: reference data outlives accounts (and a foreign key to
    #: users would let TRUNCATE … CASCADE of users empty this seeded table).
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class DutyRate(db.Model):
    """China's MFN import duty and import VAT for an HS prefix; the longest matching prefix wins."""

    __tablename__ = "duty_rates"
    __table_args__ = (
        CheckConstraint("length(hs_prefix) BETWEEN 4 AND 10", name="prefix_length"),
        CheckConstraint("duty_percent >= 0 AND duty_percent <= 100", name="duty_plausible"),
        CheckConstraint("vat_percent >= 0 AND vat_percent <= 30", name="vat_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 4 to 10 digits of the Chinese tariff code, e.g. ``100810``.
    hs_prefix: Mapped[str] = mapped_column(String(10), unique=True)
    duty_percent: Mapped[Decimal] = mapped_column(PERCENT)
    #: 9 for primary farm goods and crude oils, 13 for processed food.
    vat_percent: Mapped[Decimal] = mapped_column(PERCENT)
    #: Not confirmed against the current tariff: estimates say so.
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The admin's e-mail, as text: reference data outlives accounts (and a foreign key to
    #: users would let TRUNCATE … CASCADE of users empty this seeded table).
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class TradeDocument(db.Model):
    """A numbered document. The number is fixed when first issued; the PDF is drawn on request.

    Proformas and commercial invoices belong to an order, packing lists to a shipment, label
    data sheets to a product: one of each kind per subject.
    """

    __tablename__ = "trade_documents"
    __table_args__ = (
        CheckConstraint(sql_in("kind", DOCUMENT_KINDS), name="kind_known"),
        CheckConstraint(
            "(kind IN ('proforma', 'commercial_invoice') AND order_id IS NOT NULL"
            " AND shipment_id IS NULL AND product_id IS NULL)"
            " OR (kind = 'packing_list' AND shipment_id IS NOT NULL"
            " AND order_id IS NULL AND product_id IS NULL)"
            " OR (kind = 'label_sheet' AND product_id IS NOT NULL"
            " AND order_id IS NULL AND shipment_id IS NULL)",
            name="one_subject",
        ),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        UniqueConstraint("order_id", "kind", name="uq_trade_documents_order_kind"),
        UniqueConstraint("shipment_id", "kind", name="uq_trade_documents_shipment_kind"),
        UniqueConstraint("product_id", "kind", name="uq_trade_documents_product_kind"),
        UniqueConstraint("kind", "year", "sequence", name="uq_trade_documents_kind_year_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: e.g. PI-2026-000001: prefix, year, gapless sequence of that kind and year.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    #: The document's date.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
