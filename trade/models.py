"""Freight tariffs, duty/VAT rates and the numbered trade documents."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow

PERCENT = Numeric(7, 3)
TRANSPORT_MODES = ("road", "rail", "multimodal")
DOCUMENT_KINDS = ("proforma", "commercial_invoice", "packing_list", "label_sheet")
#: Number prefix per document kind: PI-2026-000001.
DOCUMENT_PREFIX = {"proforma": "PI", "commercial_invoice": "CI", "packing_list": "PL", "label_sheet": "LS"}


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
