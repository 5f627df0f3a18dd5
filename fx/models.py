"""Exchange rates (CBR daily file or entered by hand) and the rate each order froze."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow

#: RUB per unit: CBR publishes 4 decimals per nominal and VunitRate with more; JPY, VND and
#: the like need the extra places per single unit.
RATE = Numeric(18, 8)
#: What CBR publishes per ``nominal`` units (4 decimals in the files).
RATE_VALUE = Numeric(16, 6)
RATE_SOURCES = ("cbr", "manual")


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
