"""Money arriving: a payment settles its orders into escrow; bank transfers are matched by reference."""

from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.money import round_money
from core.timeutil import utcnow
from marketplace.models import BankTransferReceipt, Order, Payment, Refund
from marketplace.services import ledger
from marketplace.services.orders import apply_move
from marketplace.services.payments import intake
from marketplace.services.payments.refunds import refund_order


def locked_orders(payment: Payment) -> list[Order]:
    ids = [po.order_id for po in payment.orders]
    return db.session.scalars(
        select(Order)
        .where(Order.id.in_(ids))
        .order_by(Order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _payment_for(reference: str) -> Payment:
    reference = (reference or "").strip().upper()
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.reference == reference, Payment.provider == "bank_transfer")
        .with_for_update()
    )
    if payment is not None:
        return payment
    order = db.session.scalar(select(Order).where(Order.number == reference).with_for_update())
    if order is None:
        raise NotFound(_l("No bank-transfer payment or order has this reference."), code="unknown_reference")
    return _payment_for_order(order)


def _payment_for_order(order: Order) -> Payment:
    """The bank-transfer payment a transfer quoting the order's number belongs to: the order's own
    (opened now if the buyer never chose a method — the proforma names the order number)."""
    payments = intake.bank_payments_of(order.id, lock=True)
    for payment in payments:
        if [po.order_id for po in payment.orders] == [order.id]:
            return payment
    if payments:
        message = _l(
            "This order is paid together with other orders: record the transfer against %(reference)s.",
            reference=payments[0].reference,
        )
        raise Conflict(message, code="paid_with_other_orders", extra={"reference": payments[0].reference})
    if order.status != "pending_payment":
        raise Conflict(_l("Only orders awaiting payment can be paid."), code="order_not_payable")
    return intake.new_payment(order.buyer_id, [order], "bank_transfer")


def settle(payment: Payment, reason: str) -> None:
    """The payment is complete: orders become paid; money for cancelled orders goes back."""
    payment.status = "succeeded"
    payment.succeeded_at = payment.succeeded_at or utcnow()
    audit(
        "payment.status",
        payment_id=payment.id,
        reference=payment.reference,
        to_status="succeeded",
        amount=payment.amount,
        amount_received=payment.amount_received,
        order_ids=sorted(po.order_id for po in payment.orders),
    )
    share = {po.order_id: po.amount for po in payment.orders}
    for order in locked_orders(payment):
        links = {"order_id": order.id, "producer_id": order.producer_id, "payment_id": payment.id}
        ledger.record("escrow", share[order.id], f"{payment.method} {payment.reference}", **links)
        if order.status == "pending_payment":
            apply_move(order, "paid", None, reason)
            order.payment_status = "paid"
        else:
            # Cancelled (or paid otherwise) meanwhile: the money goes straight back.
            refund_order(
                order,
                share[order.id],
                _l("the order was cancelled before the payment arrived"),
                payment=payment,
            )


def record_bank_transfer(admin, reference: str, amount: Decimal, received_at=None) -> Payment:
    """Money received against a reference: exact → paid; less → partially paid; more → paid
    with the overpayment recorded for refund. The reference is a payment's (``ABP-…``) or an
    order's number (``AB-…``), which the proforma names when no payment was opened yet.

    :raise 404: unknown reference; :raise 409: the order is not awaiting payment, or it is paid
        as part of a payment of several orders (the message names that payment's reference);
    :raise 422: bad amount or date
    """
    if admin.role != "admin":
        raise Forbidden()
    now = utcnow()
    received_at = received_at or now
    if received_at > now + timedelta(minutes=5):
        message = _l("The date of receipt is in the future.")
        raise ValidationFailed(message, fields={"received_at": [message]})
    if amount is None or amount <= 0:
        message = _l("The amount must be greater than zero.")
        raise ValidationFailed(message, fields={"amount": [message]})
    payment = _payment_for(reference)
    if payment.status in ("failed", "canceled"):
        raise Conflict(_l("This payment was cancelled."))
    db.session.add(
        BankTransferReceipt(
            payment=payment, amount=round_money(amount), received_at=received_at, recorded_by_id=admin.id
        )
    )
    before = payment.amount_received
    payment.amount_received = round_money(before + amount)
    audit(
        "payment.received",
        admin,
        payment_id=payment.id,
        reference=payment.reference,
        amount=round_money(amount),
        amount_received=payment.amount_received,
        amount_due=payment.amount,
    )
    was_settled = payment.status == "succeeded"
    if not was_settled and payment.amount_received < payment.amount:
        payment.status = "partially_received"
        for po in payment.orders:
            po.order.payment_status = "partially_paid"
    elif not was_settled:
        settle(payment, "bank transfer received")
    extra = payment.amount_received - max(before, payment.amount)
    if extra > 0:
        ledger.record("overpayment", extra, f"overpaid {payment.reference}", payment_id=payment.id)
        refund = Refund(payment=payment, amount=extra, status="manual_due", reason="overpayment")
        db.session.add(refund)
        db.session.flush()
        audit(
            "refund.created",
            admin,
            payment_id=payment.id,
            refund_id=refund.id,
            amount=extra,
            reason="overpayment",
        )
    db.session.commit()
    return payment
