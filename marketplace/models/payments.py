"""Payments (Stripe or bank transfer), refunds, Stripe events, the ledger and payouts.

Money held for an order is a sum of ledger entries, never a stored balance.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime, sql_in
from core.extensions import db
from core.timeutil import utcnow

MONEY = Numeric(12, 2)
PAYMENT_METHODS = ("card", "alipay", "wechat_pay", "bank_transfer")
PAYMENT_STATES = ("pending", "partially_received", "succeeded", "failed", "canceled")
LEDGER_ACCOUNTS = ("escrow", "commission", "producer_payable", "payout", "refund", "overpayment")


class Payment(TimestampMixin, db.Model):
    """One attempt to pay one or more orders (all orders of a checkout can share one)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(sql_in("method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint(sql_in("status", PAYMENT_STATES), name="status_known"),
        CheckConstraint("provider IN ('stripe', 'bank_transfer')", name="provider_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount_received >= 0", name="received_not_negative"),
        Index("ix_payments_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    checkout_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkouts.id", ondelete="SET NULL"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    #: Our payment reference, printed on the proforma and quoted on a bank transfer.
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    #: Stripe's PaymentIntent id.
    provider_reference: Mapped[str | None] = mapped_column(String(100), unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount_received: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    #: Set when something did not add up (amount or currency mismatch): the admin looks.
    flagged_reason: Mapped[str] = mapped_column(Text, default="")
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    buyer = relationship("User")
    orders: Mapped[list["PaymentOrder"]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="PaymentOrder.order_id"
    )
    slips: Mapped[list["PaymentSlip"]] = relationship(
        back_populates="payment", order_by="PaymentSlip.id", passive_deletes=True
    )
    receipts: Mapped[list["BankTransferReceipt"]] = relationship(
        back_populates="payment", order_by="BankTransferReceipt.id"
    )
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")


class PaymentOrder(db.Model):
    """Which orders a payment covers, and how much of it belongs to each."""

    __tablename__ = "payment_orders"

    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)

    payment: Mapped[Payment] = relationship(back_populates="orders")
    order = relationship("Order")


class BankTransferReceipt(db.Model):
    """Money the admin saw arrive on the platform's account against a payment reference."""

    __tablename__ = "bank_transfer_receipts"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="receipts")


class PaymentSlip(db.Model):
    """The buyer's proof of a bank transfer (a PDF, or an image re-encoded), for the admin who
    matches the money to the reference."""

    __tablename__ = "payment_slips"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    #: A random stored name under ``marketplace/slips/``; never the uploader's name.
    file_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="slips")


class Refund(db.Model):
    """Money going back to the buyer: through Stripe, or by bank transfer (manual)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'manual_due')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    #: Stripe's refund id (re_…).
    provider_reference: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class StripeEvent(db.Model):
    """Every Stripe webhook event, once (its id is the key), kept raw for audit."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What we did with it: "paid", "ignored: …", "flagged: …".
    outcome: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(default=False, index=True)


class Payout(db.Model):
    """What the platform owes a producer for a completed order, paid by bank transfer."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('due', 'sent')", name="status_known"),
        Index("ix_payouts_producer_status", "producer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("catalog_producers.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(8), default="due")
    bank_reference: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Where the money goes: the producer's legal data (catalog) as it stood when the payout
    #: became due, refreshed when it is sent if it was empty then. Kept, so the record says
    #: which account was paid even after the producer changes banks.
    beneficiary: Mapped[str] = mapped_column(String(300), default="", server_default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    bik: Mapped[str] = mapped_column(String(9), default="", server_default="")
    bank_account: Mapped[str] = mapped_column(String(20), default="", server_default="")
    correspondent_account: Mapped[str] = mapped_column(String(20), default="", server_default="")
    swift: Mapped[str] = mapped_column(String(11), default="", server_default="")

    producer = relationship("Producer")
    order = relationship("Order")

    BANK_FIELDS = ("beneficiary", "bank_name", "bik", "bank_account", "correspondent_account", "swift")

    def take_bank_details(self, producer) -> None:
        """Copy the producer's bank details from their legal data."""
        self.beneficiary = producer.legal_name_ru or producer.legal_name_en or ""
        for name in self.BANK_FIELDS[1:]:
            setattr(self, name, getattr(producer, name, "") or "")


class LedgerEntry(db.Model):
    """One movement of money on one account; balances are sums of these.

    Accounts: escrow (held for an order), commission (the platform's), producer_payable
    (owed to a producer), payout (paid out), refund (returned to a buyer), overpayment
    (received beyond what was due, to return).
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(sql_in("account", LEDGER_ACCOUNTS), name="account_known"),
        Index("ix_ledger_entries_account_producer", "account", "producer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(20))
    #: Signed: what the entry adds to the account's balance.
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_producers.id", ondelete="RESTRICT"), index=True
    )
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="RESTRICT"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id", ondelete="RESTRICT"), index=True)
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
