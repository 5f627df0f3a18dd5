"""Stripe's word on a payment: verified webhook events, each processed once, and the same
handling when we ask Stripe ourselves (the return page, test confirmation)."""

import json
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.errors import Conflict, Forbidden
from core.extensions import db
from core.logs import audit
from marketplace.models import Payment, StripeEvent
from marketplace.services import stripe_gateway
from marketplace.services.lifecycle import TRANSITIONS
from marketplace.services.orders import apply_move
from marketplace.services.payments.intake import PaymentProviderError, payment_for
from marketplace.services.payments.refunds import refund_order
from marketplace.services.payments.settlement import locked_orders, settle


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
    audit("payment.status", payment_id=payment.id, reference=payment.reference, to_status="failed")
    return "failed"


def _on_intent_canceled(intent: dict) -> str:
    payment = _payment_for_intent(intent.get("id"))
    if payment is None or payment.status not in ("pending", "failed"):
        return "ignored"
    payment.status = "canceled"
    audit("payment.status", payment_id=payment.id, reference=payment.reference, to_status="canceled")
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
    moved = 0
    for order in locked_orders(payment):
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
