"""Refunds (Stripe's sent after commit, bank transfers' due by hand), and what a cancelled or
completed order does to the money held for it."""

from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.jobs import enqueue_after_commit
from core.logs import audit
from core.money import round_money
from marketplace.models import Order, Payment, PaymentOrder, Refund
from marketplace.services import ledger, stripe_gateway
from marketplace.signals import order_status_changed


def refund_order(order: Order, amount: Decimal, reason, payment: Payment | None = None) -> Refund | None:
    """Give ``amount`` of what escrow holds for ``order`` back to the buyer. Does not commit.

    Stripe refunds are sent after commit; bank-transfer refunds are due by hand.
    """
    amount = round_money(min(amount, ledger.held_for(order)))
    if amount <= 0:
        return None
    payment = payment or db.session.scalar(
        select(Payment)
        .join(PaymentOrder)
        .where(PaymentOrder.order_id == order.id, Payment.status == "succeeded")
        .order_by(Payment.id.desc())
    )
    if payment is None:
        return None
    refund = Refund(
        payment=payment,
        order_id=order.id,
        amount=amount,
        reason=str(reason)[:500],
        status="pending" if payment.provider == "stripe" else "manual_due",
    )
    db.session.add(refund)
    db.session.flush()
    links = {
        "order_id": order.id,
        "producer_id": order.producer_id,
        "payment_id": payment.id,
        "refund_id": refund.id,
    }
    audit("refund.created", amount=amount, status=refund.status, reason=refund.reason, **links)
    ledger.record("escrow", -amount, "refund", **links)
    ledger.record("refund", amount, str(reason)[:200], **links)
    order.payment_status = "refunded" if amount >= order.total else "partially_refunded"
    if payment.provider == "stripe":
        enqueue_after_commit(send_stripe_refund, refund.id)
    return refund


def cancel_stripe_intent(payment_id: int) -> None:
    """Job: cancel at Stripe the PaymentIntent of a payment whose orders were all cancelled."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not payment.provider_reference:
        return
    try:
        stripe_gateway.cancel_intent(payment.provider_reference)
    except stripe_gateway.stripe.StripeError:  # paid or cancelled already: its webhook tells us
        current_app.logger.info("PaymentIntent %s not cancelled at Stripe", payment.provider_reference)


def send_stripe_refund(refund_id: int) -> None:
    """Job: ask Stripe to refund (idempotent by our refund id)."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != "pending":
        return
    try:
        result = stripe_gateway.refund(
            refund.payment.provider_reference, refund.amount, f"refund-{refund.id}"
        )
    except Exception:
        refund.status = "failed"
        audit("refund.sent", refund_id=refund.id, payment_id=refund.payment_id, status="failed")
        db.session.commit()
        raise
    refund.provider_reference = result.id
    refund.status = "succeeded" if result.status in ("succeeded", "pending") else "failed"
    audit(
        "refund.sent",
        refund_id=refund.id,
        payment_id=refund.payment_id,
        order_id=refund.order_id,
        amount=refund.amount,
        status=refund.status,
        provider_reference=refund.provider_reference,
    )
    db.session.commit()


# ---- money follows the order ----------------------------------------------------------------------


def _on_status_changed(order, change, actor) -> None:
    if change.to_status == "cancelled":
        if change.from_status == "pending_payment":
            _return_partial_transfers(order)
        else:
            refund_order(order, ledger.held_for(order), change.reason or "order cancelled")
    elif change.to_status == "completed":
        if order.refund_amount:
            refund_order(order, order.refund_amount, "dispute settled in the buyer's favour")
        ledger.release(order)


def _return_partial_transfers(order: Order) -> None:
    """An unpaid order is cancelled while part of a bank transfer has arrived: return it."""
    payments = db.session.scalars(
        select(Payment)
        .join(PaymentOrder)
        .where(PaymentOrder.order_id == order.id, Payment.status.in_(("pending", "partially_received")))
    ).all()
    for payment in payments:
        others_open = any(
            po.order.status == "pending_payment" for po in payment.orders if po.order_id != order.id
        )
        if others_open:
            continue
        if payment.provider == "stripe":
            # Nothing is left to pay for: close the PaymentIntent so the buyer cannot pay it
            # (a payment that slips through is refunded when it arrives).
            enqueue_after_commit(cancel_stripe_intent, payment.id)
        if payment.amount_received > 0:
            ledger.record(
                "overpayment", payment.amount_received, f"returned {payment.reference}", payment_id=payment.id
            )
            refund = Refund(
                payment=payment,
                amount=payment.amount_received,
                status="manual_due",
                reason="order cancelled before full payment",
            )
            db.session.add(refund)
            db.session.flush()
            audit(
                "refund.created",
                order_id=order.id,
                payment_id=payment.id,
                refund_id=refund.id,
                amount=refund.amount,
                reason=refund.reason,
            )
        payment.status = "canceled"
        audit("payment.status", payment_id=payment.id, reference=payment.reference, to_status="canceled")


def connect_signals() -> None:
    order_status_changed.connect(_on_status_changed)
