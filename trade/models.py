"""Freight tariffs, duty/VAT rates, the numbered trade documents and export contracts."""

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

from accounts.models import User
from catalog.incoterms import TRANSPORT_MODES
from catalog.models import Producer
from core.db import TimestampMixin, UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow

PERCENT = Numeric(7, 3)
FREIGHT_LEGS = ("russia", "china")
DOCUMENT_KINDS = ("proforma", "commercial_invoice", "packing_list", "label_sheet")
#: Number prefix per document kind: PI-2026-000001.
DOCUMENT_PREFIX = {"proforma": "PI", "commercial_invoice": "CI", "packing_list": "PL", "label_sheet": "LS"}


class FreightTariff(db.Model):
    """An operator's price for one leg of a route by mode and crossing: the Russian leg
    (origin → border) or the Chinese leg (border → Harbin Daowai warehouse)."""

    __tablename__ = "freight_tariffs"
    __table_args__ = (
        UniqueConstraint("mode", "border_crossing_code", "leg", name="uq_freight_tariffs_mode_crossing_leg"),
        CheckConstraint(sql_in("mode", TRANSPORT_MODES), name="mode_known"),
        CheckConstraint(sql_in("leg", FREIGHT_LEGS), name="leg_known"),
        CheckConstraint("cny_per_kg > 0 AND cny_per_kg <= 100", name="rate_plausible"),
        CheckConstraint("min_charge_cny >= 0", name="minimum_not_negative"),
        CheckConstraint("unit_capacity_kg > 0", name="capacity_positive"),
        CheckConstraint(
            "reefer_surcharge_percent >= 0 AND reefer_surcharge_percent <= 100", name="reefer_plausible"
        ),
        CheckConstraint("transit_days > 0", name="days_positive"),
        Index("ix_freight_tariffs_border_crossing_code", "border_crossing_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))
    border_crossing_code: Mapped[str] = mapped_column(
        ForeignKey("logistics_border_crossings.code", ondelete="CASCADE")
    )
    #: ``russia``: origin → border crossing; ``china``: border → Harbin Daowai.
    leg: Mapped[str] = mapped_column(String(8), default="russia", server_default="russia")
    #: CNY per kilogram of gross weight on this leg.
    cny_per_kg: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    #: The least a unit of transport (truck, wagon, container) costs on this leg, however light.
    min_charge_cny: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"), server_default="0")
    #: What one unit carries: truck ~20 t, rail wagon ~60 t, 40' container ~26 t.
    unit_capacity_kg: Mapped[Decimal] = mapped_column(Numeric(10, 1), server_default="20000")
    #: Added for refrigerated goods (kept at 8 °C or colder), in percent of the charge.
    reefer_surcharge_percent: Mapped[Decimal] = mapped_column(
        PERCENT, default=Decimal("0"), server_default="0"
    )
    #: Days on this leg, border clearance included (the shelf life on arrival counts them).
    transit_days: Mapped[int] = mapped_column(Integer, server_default="10")
    #: Not yet confirmed by an operator: shown with a warning.
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The admin's e-mail, as text: reference data outlives accounts (and a foreign key to
    #: users would let TRUNCATE … CASCADE of users empty this seeded table).
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed


class TariffRate(db.Model):
    """A row of the tariff book: China's import duty and VAT for a tariff code or prefix over a
    period, with its source. The most specific row in force on a day applies (trade.tariff_book)."""

    __tablename__ = "duty_rates"
    __table_args__ = (
        UniqueConstraint("hs_prefix", "effective_from", name="uq_duty_rates_prefix_from"),
        CheckConstraint("length(hs_prefix) BETWEEN 4 AND 10", name="prefix_length"),
        CheckConstraint("duty_percent >= 0 AND duty_percent <= 100", name="duty_plausible"),
        CheckConstraint("vat_percent >= 0 AND vat_percent <= 30", name="vat_plausible"),
        CheckConstraint(
            "provisional_percent IS NULL OR (provisional_percent >= 0 AND provisional_percent <= 100)",
            name="provisional_plausible",
        ),
        CheckConstraint(
            "(provisional_percent IS NULL) = (provisional_from IS NULL)"
            " AND (provisional_from IS NULL) = (provisional_to IS NULL)",
            name="provisional_whole",
        ),
        CheckConstraint(
            "provisional_to IS NULL OR provisional_to >= provisional_from", name="provisional_ordered"
        ),
        CheckConstraint("(quota_in_percent IS NULL) = (quota_out_percent IS NULL)", name="quota_whole"),
        CheckConstraint(
            "quota_in_percent IS NULL OR (quota_in_percent >= 0 AND quota_in_percent <= 100"
            " AND quota_out_percent >= 0 AND quota_out_percent <= 100)",
            name="quota_plausible",
        ),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period_ordered"),
        Index("ix_duty_rates_hs_prefix", "hs_prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 4 to 10 digits of the Chinese tariff code, e.g. ``100810`` (``code`` in the API and CSV).
    hs_prefix: Mapped[str] = mapped_column(String(10))
    #: The MFN rate (``mfn_percent`` in the API and CSV).
    duty_percent: Mapped[Decimal] = mapped_column(PERCENT)
    #: A lower provisional rate for a period (the lower one applies inside it).
    provisional_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    provisional_from: Mapped[date | None] = mapped_column(Date)
    provisional_to: Mapped[date | None] = mapped_column(Date)
    #: Tariff-rate quota: in quota (with an import quota certificate) and out of quota.
    quota_in_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    quota_out_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    #: 9 for primary farm goods and edible vegetable oils, 13 for processed food.
    vat_percent: Mapped[Decimal] = mapped_column(PERCENT)
    effective_from: Mapped[date] = mapped_column(Date, server_default="2024-01-01")
    effective_to: Mapped[date | None] = mapped_column(Date)
    #: The document the rates come from and its date.
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: Not confirmed against the current tariff: estimates say so.
    unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What the code covers (``description`` in the API and CSV).
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The admin's e-mail, as text: reference data outlives accounts (and a foreign key to
    #: users would let TRUNCATE … CASCADE of users empty this seeded table).
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed

    @property
    def quota_applies(self) -> bool:
        return self.quota_in_percent is not None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def provisional_in_force(self, on: date) -> bool:
        return (
            self.provisional_percent is not None
            and self.provisional_from is not None
            and self.provisional_from <= on <= self.provisional_to
        )

    def as_row(self) -> dict:
        """The row in the tariff book's import shape (trade.tariff_book.clean)."""
        return {
            "code": self.hs_prefix,
            "description": self.note,
            "mfn_percent": self.duty_percent,
            "provisional_percent": self.provisional_percent,
            "provisional_from": self.provisional_from,
            "provisional_to": self.provisional_to,
            "quota_in_percent": self.quota_in_percent,
            "quota_out_percent": self.quota_out_percent,
            "vat_percent": self.vat_percent,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "source": self.source,
            "confirmed": self.confirmed,
        }


class TradeDocument(db.Model):
    """A numbered document, issued once at its event and kept as an immutable file.

    Proformas and commercial invoices belong to an order, packing lists to a shipment (one for
    each order on board, and the whole shipment's for staff), label data sheets to a product
    (the product's own, with no importer, and one for each order, naming its buyer's company).
    A change after issue is a new revision with its own number, naming the one it replaces.
    """

    __tablename__ = "trade_documents"
    __table_args__ = (
        CheckConstraint(sql_in("kind", DOCUMENT_KINDS), name="kind_known"),
        CheckConstraint(
            "(kind IN ('proforma', 'commercial_invoice') AND order_id IS NOT NULL"
            " AND shipment_id IS NULL AND product_id IS NULL)"
            " OR (kind = 'packing_list' AND shipment_id IS NOT NULL AND product_id IS NULL)"
            " OR (kind = 'label_sheet' AND product_id IS NOT NULL AND shipment_id IS NULL)",
            name="one_subject",
        ),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("revision > 0", name="revision_positive"),
        CheckConstraint("(revision = 1) = (replaces_id IS NULL)", name="revision_names_predecessor"),
        UniqueConstraint("kind", "subject", "revision", name="uq_trade_documents_kind_subject_revision"),
        UniqueConstraint("kind", "year", "sequence", name="uq_trade_documents_kind_year_sequence"),
        Index("ix_trade_documents_order_id", "order_id"),
        Index("ix_trade_documents_shipment_id", "shipment_id"),
        Index("ix_trade_documents_product_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: e.g. PI-2026-000001: prefix, year, gapless sequence of that kind and year.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    #: What the document is of, as one key (``order:12``, ``shipment:5``, ``shipment:5/order:12``,
    #: ``product:7``, ``order:12/product:7``): one revision chain per kind and subject.
    subject: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("logistics_shipments.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_products.id", ondelete="CASCADE"))
    #: 1 when first issued; each revision replaces the one before.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("trade_documents.id", ondelete="CASCADE"), index=True
    )
    #: Why a revision was issued.
    reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: The issued PDF (core.uploads storage, key "documents/<file_name>"), its SHA-256 and size:
    #: never rewritten.
    file_name: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    #: The document's date: when it was issued.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    replaces: Mapped["TradeDocument | None"] = relationship(remote_side=[id])

    @property
    def issued_at(self) -> datetime:
        return self.created_at


class ExportContract(TimestampMixin, db.Model):
    """The export contract between a producer and a buyer: made on the pair's first order (or
    numbered as they agreed); their orders and invoices refer to it."""

    __tablename__ = "trade_contracts"
    __table_args__ = (
        UniqueConstraint("producer_id", "buyer_id", name="uq_trade_contracts_producer_buyer"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        Index("ix_trade_contracts_buyer_id", "buyer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    signed_on: Mapped[date] = mapped_column(Date)
    producer_id: Mapped[int] = mapped_column(ForeignKey("catalog_producers.id", ondelete="RESTRICT"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms: Mapped[str] = mapped_column(String(300), default="")
    #: Incoterms 2020 default of the pair's orders, and its named place.
    incoterm: Mapped[str] = mapped_column(String(3), default="DAP")
    named_place: Mapped[str] = mapped_column(String(200), default="")

    producer: Mapped[Producer] = relationship()
    buyer: Mapped[User] = relationship()
