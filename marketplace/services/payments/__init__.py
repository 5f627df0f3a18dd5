"""Paying orders, one module per use case: intake (opening a Stripe PaymentIntent or a bank
transfer), settlement (money arriving, escrow), refunds (and what a cancelled or completed order
does to its money), payouts to producers, provider_events (Stripe's webhooks), desk (the admin's
overview).
"""

# Jobs are queued by their import path; these names keep jobs queued under the path the
# functions had before this package was split resolvable by the worker.
from marketplace.services.payments.refunds import cancel_stripe_intent, send_stripe_refund  # noqa: F401
