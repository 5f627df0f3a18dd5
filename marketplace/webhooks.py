"""POST /webhooks/stripe: signed events from Stripe, each processed once."""

from flask import Blueprint, jsonify, request

from core.errors import json_error
from core.extensions import limiter
from marketplace.services import stripe_gateway
from marketplace.services.payments import provider_events

bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/stripe")
@limiter.exempt
def stripe_webhook():
    """Stripe only (verified by Stripe-Signature on the raw body).

    :raise 400: missing or bad signature (nothing changes)
    """
    payload = request.get_data()
    try:
        event = stripe_gateway.verify_event(payload, request.headers.get("Stripe-Signature"))
    except ValueError:
        return json_error(400, "bad_signature", "The Stripe-Signature header is missing or wrong.")
    outcome = provider_events.handle_stripe_event(event)
    return jsonify({"received": True, "outcome": outcome})
