"""The one place that talks to Stripe (its official library). Minor units only here."""

import stripe
from flask import current_app

from core.money import from_minor_units, to_minor_units


def enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def client() -> stripe.StripeClient:
    cfg = current_app.config
    base = cfg.get("STRIPE_API_BASE")
    kwargs = {"base_addresses": {"api": base}} if base else {}
    return stripe.StripeClient(cfg["STRIPE_SECRET_KEY"], max_network_retries=2, **kwargs)


def create_intent(*, amount, currency: str, method: str, reference: str, metadata: dict):
    return client().v1.payment_intents.create(
        params={
            "amount": to_minor_units(amount),
            "currency": currency.lower(),
            "payment_method_types": [method],
            "metadata": {"reference": reference, **{k: str(v) for k, v in metadata.items()}},
        },
        options={"idempotency_key": f"payment-intent-{reference}"},
    )


def retrieve_intent(intent_id: str):
    return client().v1.payment_intents.retrieve(intent_id)


def confirm_with_test_card(intent_id: str, card_number: str = "4242424242424242"):
    """Confirm as the browser would with a test card (demo and tests against localstripe)."""
    api = client().v1
    method = api.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    api.payment_intents.update(intent_id, params={"payment_method": method.id})
    return api.payment_intents.confirm(intent_id)


def cancel_intent(intent_id: str):
    return client().v1.payment_intents.cancel(intent_id)


def refund(intent_id: str, amount, idempotency_key: str):
    return client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": to_minor_units(amount)},
        options={"idempotency_key": idempotency_key},
    )


def verify_event(payload: bytes, signature: str | None):
    """The event, if ``Stripe-Signature`` is valid for the raw body; raises ValueError otherwise."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise ValueError("missing signature or secret")
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def amount_of(obj) -> tuple:
    """(Decimal amount, upper-case currency) of a PaymentIntent or Charge payload."""
    return from_minor_units(int(obj["amount"])), str(obj["currency"]).upper()
