"""Paying orders: Stripe PaymentIntents or bank transfer, escrow, refunds and payouts."""

import json
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.jobs import enqueue_after_commit
from core.money import round_money
from core.sequences import next_value
from core.timeutil import utcnow
from marketplace.models import (
    BankTransferReceipt,
    Checkout,
    Order,
    Payment,
    PaymentOrder,
    Payout,
    Refund,
    StripeEvent,
)
from marketplace.services import ledger, stripe_gateway
from marketplace.services.orders import apply_move

STRIPE_METHODS = ("card", "alipay", "wechat_pay")


class PaymentProviderError(AppError):
    status, code = 502, "payment_provider_error"


def available_methods() -> list[str]:
    methods = []
    if stripe_gateway.enabled():
        methods += [m for m in current_app.config["STRIPE_PAYMENT_METHOD_TYPES"] if m in STRIPE_METHODS]
    return methods + ["bank_transfer"]


def bank_details() -> dict:
    cfg = current_app.config
    return {
        "beneficiary": cfg["PLATFORM_BANK_BENEFICIARY"],
        "bank": cfg["PLATFORM_BANK_NAME"],
        "account": cfg["PLATFORM_BANK_ACCOUNT"],
        "swift": cfg["PLATFORM_BANK_SWIFT"],
    }


# ---- starting a payment -------------------------------------------------------------------------


def pay_order(buyer, order_id: int, method: str) -> dict:
    order = db.session.get(Order, order_id)
    if order is None or order.buyer_id != buyer.id:
        raise NotFound(_l("Order not found."))
    return start_payment(buyer, [order], method)


def pay_checkout(buyer, checkout_id: int, method: str) -> dict:
    checkout = db.session.get(Checkout, checkout_id)
    if checkout is None or checkout.buyer_id != buyer.id:
        raise NotFound(_l("Checkout not found."))
    payable = [o for o in checkout.orders if o.status == "pending_payment"]
    return start_payment(buyer, payable or checkout.orders, method, checkout=checkout)


def start_payment(buyer, orders: list[Order], method: str, checkout: Checkout | None = None) -> dict:
    """Open (or reuse) a payment for ``orders``.

    :raise 409: an order is not awaiting payment
    :raise 422: the method is not enabled
    :raise 502: Stripe did not answer
    """
    if buyer.role != "buyer":
        raise Forbidden()
    if method not in available_methods():
        message = _l("This payment method is not available.")
        raise AppError(message, status=422, code="method_not_enabled", fields={"method": [message]})
    not_payable = [o for o in orders if o.status != "pending_payment"]
    if not orders or not_payable:
        raise Conflict(
            _l("Only orders awaiting payment can be paid."),
            code="order_not_payable",
            extra={"orders": [{"id": o.id, "status": o.status} for o in not_payable]},
        )
    existing = _open_payment(orders, method)
    if existing is not None:
        return describe(existing)
    now = utcnow()
    provider = "bank_transfer" if method == "bank_transfer" else "stripe"
    payment = Payment(
        buyer_id=buyer.id,
        checkout_id=checkout.id if checkout else None,
        provider=provider,
        method=method,
        reference=f"ABP-{now.year}-{next_value('payment', now.year):06d}",
        amount=round_money(sum((o.total for o in orders), Decimal("0"))),
    )
    payment.orders = [PaymentOrder(order_id=o.id, amount=o.total) for o in orders]
    db.session.add(payment)
    db.session.flush()
    intent = None
    if provider == "stripe":
        try:
            intent = stripe_gateway.create_intent(
                amount=payment.amount,
                currency=payment.currency,
                method=method,
                reference=payment.reference,
                metadata={"payment_id": payment.id, "order_ids": ",".join(str(o.id) for o in orders)},
            )
        except Exception as exc:
            db.session.rollback()
            raise PaymentProviderError(
                _l("The card payment service did not answer. Please try again.")
            ) from exc
        payment.provider_reference = intent.id
    db.session.commit()
    return describe(payment, intent)


def _open_payment(orders, method) -> Payment | None:
    ids = sorted(o.id for o in orders)
    candidates = db.session.scalars(
        select(Payment)
        .join(PaymentOrder)
        .where(
            PaymentOrder.order_id == ids[0],
            Payment.method == method,
            Payment.status.in_(("pending", "partially_received")),
        )
    ).all()
    for payment in candidates:
        if sorted(po.order_id for po in payment.orders) == ids:
            return payment
    return None


def describe(payment: Payment, intent=None) -> dict:
    body = {
        "id": payment.id,
        "provider": payment.provider,
        "method": payment.method,
        "reference": payment.reference,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "order_ids": [po.order_id for po in payment.orders],
    }
    if payment.provider == "bank_transfer":
        body["bank_details"] = bank_details()
        body["amount_received"] = payment.amount_received
    else:
        intent = intent or stripe_gateway.retrieve_intent(payment.provider_reference)
        body["payment_intent_id"] = intent.id
        body["client_secret"] = intent.client_secret
    return body


def payments_of(user, order_id: int) -> list[Payment]:
    order = db.session.get(Order, order_id)
    if order is None or not order.visible_to(user):
        raise NotFound(_l("Order not found."))
    return db.session.scalars(
        select(Payment).join(PaymentOrder).where(PaymentOrder.order_id == order_id).order_by(Payment.id)
    ).all()


# ---- money arriving ----------------------------------------------------------------------------


def _locked_orders(payment: Payment) -> list[Order]:
    ids = [po.order_id for po in payment.orders]
    return db.session.scalars(
        select(Order)
        .where(Order.id.in_(ids))
        .order_by(Order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def settle(payment: Payment, reason: str) -> None:
    """The payment is complete: orders become paid; money for cancelled orders goes back."""
    payment.status = "succeeded"
    payment.succeeded_at = payment.succeeded_at or utcnow()
    share = {po.order_id: po.amount for po in payment.orders}
    for order in _locked_orders(payment):
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
    with the overpayment recorded for refund.

    :raise 404: unknown reference; :raise 422: bad amount or date
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
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.reference == (reference or "").strip().upper(), Payment.provider == "bank_transfer")
        .with_for_update()
    )
    if payment is None:
        raise NotFound(_l("No bank-transfer payment has this reference."), code="unknown_reference")
    if payment.status in ("failed", "canceled"):
        raise Conflict(_l("This payment was cancelled."))
    db.session.add(
        BankTransferReceipt(
            payment=payment, amount=round_money(amount), received_at=received_at, recorded_by_id=admin.id
        )
    )
    before = payment.amount_received
    payment.amount_received = round_money(before + amount)
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
        db.session.add(Refund(payment=payment, amount=extra, status="manual_due", reason="overpayment"))
    db.session.commit()
    return payment


# ---- refunds -----------------------------------------------------------------------------------


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
        db.session.commit()
        raise
    refund.provider_reference = result.id
    refund.status = "succeeded" if result.status in ("succeeded", "pending") else "failed"
    db.session.commit()


# ---- payouts ----------------------------------------------------------------------------------


def payouts_for(user, status: str | None = None):
    from catalog.models import Producer

    stmt = select(Payout).order_by(Payout.created_at.desc(), Payout.id.desc())
    if user.role == "farmer":
        stmt = stmt.join(Producer, Producer.id == Payout.producer_id).where(Producer.owner_id == user.id)
    elif user.role != "admin":
        raise Forbidden()
    if status:
        stmt = stmt.where(Payout.status == status)
    return db.session.scalars(stmt).all()


def mark_payout_sent(admin, payout_id: int, bank_reference: str) -> Payout:
    if admin.role != "admin":
        raise Forbidden()
    payout = db.session.scalar(select(Payout).where(Payout.id == payout_id).with_for_update())
    if payout is None:
        raise NotFound(_l("Payout not found."))
    if payout.status == "sent":
        raise Conflict(_l("This payout is already marked as sent."), code="payout_already_sent")
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        message = _l("Enter the bank reference of the transfer.")
        raise ValidationFailed(message, fields={"bank_reference": [message]})
    payout.status, payout.bank_reference = "sent", bank_reference[:100]
    payout.sent_at, payout.sent_by_id = utcnow(), admin.id
    links = {"producer_id": payout.producer_id, "order_id": payout.order_id, "payout_id": payout.id}
    ledger.record("producer_payable", -payout.amount, f"paid out {bank_reference}", **links)
    ledger.record("payout", payout.amount, f"paid out {bank_reference}", **links)
    db.session.commit()
    return payout


# ---- Stripe webhooks ----------------------------------------------------------------------------


def handle_stripe_event(event) -> str:
    """Process a verified event once. Returns what happened (stored with the raw event)."""
    data = event.to_dict() if hasattr(event, "to_dict") else dict(event)
    record = StripeEvent(id=data["id"], type=data["type"], payload=json.dumps(data, ensure_ascii=False))
    db.session.add(record)
    try:
        db.session.flush()  # a replay (or a twin delivered at the same moment) stops here
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    handler = EVENT_HANDLERS.get(data["type"])
    obj = data["data"]["object"]
    outcome = handler(obj) if handler else "ignored: unhandled type"
    record.outcome = outcome
    record.flagged = outcome.startswith("flagged")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    return outcome


def _payment_for_intent(intent_id: str | None) -> Payment | None:
    if not intent_id:
        return None
    return db.session.scalar(select(Payment).where(Payment.provider_reference == intent_id).with_for_update())


def _on_intent_succeeded(intent: dict) -> str:
    payment = _payment_for_intent(intent.get("id"))
    if payment is None:
        return "flagged: unknown PaymentIntent"
    amount, currency = stripe_gateway.amount_of(intent)
    if amount != payment.amount or currency != payment.currency:
        payment.flagged_reason = (
            f"Stripe reported {amount} {currency}, expected {payment.amount} {payment.currency}"
        )
        return f"flagged: amount mismatch ({payment.flagged_reason})"
    if payment.status == "succeeded":
        return "ignored: already paid"
    payment.amount_received = amount
    settle(payment, f"{payment.method} payment received")
    return "paid"


def _on_intent_failed(intent: dict) -> str:
    payment = _payment_for_intent(intent.get("id"))
    if payment is None:
        return "ignored: unknown PaymentIntent"
    if payment.status != "pending":
        return f"ignored: payment already {payment.status}"  # never backwards
    error = intent.get("last_payment_error") or {}
    payment.failure_message = (error.get("message") or "")[:500]
    payment.status = "failed"
    return "failed"


def _on_intent_canceled(intent: dict) -> str:
    payment = _payment_for_intent(intent.get("id"))
    if payment is None or payment.status not in ("pending", "failed"):
        return "ignored"
    payment.status = "canceled"
    return "canceled"


def _on_charge_refunded(charge: dict) -> str:
    payment = _payment_for_intent(charge.get("payment_intent"))
    if payment is None:
        return "ignored: unknown charge"
    refunds = (charge.get("refunds") or {}).get("data") or []
    known = {r.provider_reference for r in payment.refunds if r.provider_reference}
    unknown = [r for r in refunds if r.get("id") not in known]
    for item in unknown:  # made in Stripe's dashboard: book it against the first order
        order = payment.orders[0].order
        refund = refund_order(order, Decimal(item["amount"]) / 100, "refunded in Stripe", payment=payment)
        if refund is not None:
            refund.provider_reference, refund.status = item["id"], "succeeded"
    for refund in payment.refunds:
        if refund.provider_reference and refund.status == "pending":
            refund.status = "succeeded"
    return f"refunds recorded: {len(unknown)}"


def _on_dispute_created(dispute: dict) -> str:
    payment = _payment_for_intent(dispute.get("payment_intent"))
    if payment is None:
        return "flagged: dispute on an unknown payment"
    from marketplace.services.lifecycle import TRANSITIONS

    moved = 0
    for order in _locked_orders(payment):
        if "disputed" in TRANSITIONS.get(order.status, {}):
            apply_move(order, "disputed", None, f"card dispute: {dispute.get('reason', '')}")
            moved += 1
    return f"flagged: chargeback, {moved} order(s) disputed"


EVENT_HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "payment_intent.canceled": _on_intent_canceled,
    "charge.refunded": _on_charge_refunded,
    "charge.dispute.created": _on_dispute_created,
}


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
            db.session.add(
                Refund(
                    payment=payment,
                    amount=payment.amount_received,
                    status="manual_due",
                    reason="order cancelled before full payment",
                )
            )
        payment.status = "canceled"


def connect_signals() -> None:
    from marketplace.signals import order_status_changed

    order_status_changed.connect(_on_status_changed)


def payment_for(user, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or (user.role != "admin" and payment.buyer_id != user.id):
        raise NotFound(_l("Payment not found."))
    return payment


def sync_intent(payment: Payment) -> str:
    """Ask Stripe for the PaymentIntent's state and act on it as its webhook would."""
    if payment.provider != "stripe" or payment.status != "pending":
        return payment.status
    intent = stripe_gateway.retrieve_intent(payment.provider_reference).to_dict()
    handler = {"succeeded": _on_intent_succeeded, "canceled": _on_intent_canceled}.get(intent.get("status"))
    outcome = handler(intent) if handler else intent.get("status", "")
    db.session.commit()
    return outcome


def test_confirm(buyer, payment_id: int) -> str:
    """Demo and browser tests: confirm a card PaymentIntent server-side with Stripe's test card
    (only when STRIPE_TEST_CONFIRM is on and the key is a test key)."""
    cfg = current_app.config
    if not cfg.get("STRIPE_TEST_CONFIRM") or not str(cfg.get("STRIPE_SECRET_KEY", "")).startswith("sk_test"):
        raise Forbidden(_l("Test payments are switched off."))
    payment = payment_for(buyer, payment_id)
    if payment.method != "card" or payment.status != "pending":
        raise Conflict(_l("This payment cannot be confirmed now."))
    try:
        stripe_gateway.confirm_with_test_card(payment.provider_reference)
    except Exception as exc:
        raise PaymentProviderError(_l("The card was declined.")) from exc
    return sync_intent(payment)


def admin_overview() -> dict:
    """What the admin's payments desk shows."""
    return {
        "to_match": db.session.scalars(
            select(Payment)
            .where(Payment.provider == "bank_transfer", Payment.status.in_(("pending", "partially_received")))
            .order_by(Payment.id)
        ).all(),
        "payouts": db.session.scalars(select(Payout).where(Payout.status == "due").order_by(Payout.id)).all(),
        "flagged_events": db.session.scalars(
            select(StripeEvent).where(StripeEvent.flagged.is_(True)).order_by(StripeEvent.received_at.desc())
        ).all(),
        "flagged_payments": db.session.scalars(
            select(Payment).where(Payment.flagged_reason != "").order_by(Payment.id.desc())
        ).all(),
        "refunds_due": db.session.scalars(select(Refund).where(Refund.status == "manual_due")).all(),
    }
