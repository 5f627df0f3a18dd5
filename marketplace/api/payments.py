"""/api/v1 payments: pay an order or a checkout, bank transfers, payouts."""

from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from marketplace import schemas as s
from marketplace.services.payments import intake, payouts, settlement

blp = Blueprint("payments_api", __name__, url_prefix="/api/v1", description="Payments and payouts")


@blp.post("/orders/<id:order_id>/payment")
@api_auth("buyer")
@blp.arguments(s.PaymentCreateSchema)
@blp.response(201, s.PaymentStartSchema)
@blp.alt_response(409, description="The order is not pending_payment")
@blp.alt_response(422, description="method_not_enabled")
def pay_order(data, order_id):
    """Start paying one order: a Stripe PaymentIntent or bank-transfer instructions. The order's buyer.

    :raise 404: not the caller's order
    :raise 409: the order is not awaiting payment
    :raise 422: the method is not enabled
    """
    return intake.pay_order(api_user(), order_id, data["method"])


@blp.post("/checkouts/<id:checkout_id>/payment")
@api_auth("buyer")
@blp.arguments(s.PaymentCreateSchema)
@blp.response(201, s.PaymentStartSchema)
@blp.alt_response(409, description="An order is not pending_payment")
@blp.alt_response(422, description="method_not_enabled")
def pay_checkout(data, checkout_id):
    """Pay every order of a checkout with one payment. The checkout's buyer."""
    return intake.pay_checkout(api_user(), checkout_id, data["method"])


@blp.get("/orders/<id:order_id>/payments")
@api_auth()
@blp.response(200, s.PaymentSchema(many=True))
def order_payments(order_id):
    """Payments and refunds of an order. Its parties and admins; 404 to others."""
    return intake.payments_of(api_user(), order_id)


@blp.post("/payments/bank-transfers")
@api_auth("admin")
@blp.arguments(s.BankTransferInSchema)
@blp.response(201, s.PaymentSchema)
@blp.alt_response(404, description="unknown_reference")
def bank_transfer(data):
    """Record money received against a payment reference. Admins."""
    return settlement.record_bank_transfer(
        api_user(), data["reference"], data["amount"], data.get("received_at")
    )


@blp.get("/payouts")
@api_auth("admin", "farmer")
@blp.arguments(s.PayoutQuerySchema, location="query")
@blp.response(200, s.PayoutSchema(many=True))
def list_payouts(args):
    """Payouts: all for admins, their own for a farmer."""
    return payouts.payouts_for(api_user(), args.get("status"))


@blp.post("/payouts/<id:payout_id>/sent")
@api_auth("admin")
@blp.arguments(s.PayoutSentSchema)
@blp.response(200, s.PayoutSchema)
@blp.alt_response(409, description="Already sent")
def payout_sent(data, payout_id):
    """Mark a payout as sent by bank transfer, with its bank reference. Admins."""
    return payouts.mark_payout_sent(api_user(), payout_id, data["bank_reference"])
