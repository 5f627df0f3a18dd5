"""Opening a payment: the methods on offer, a Stripe PaymentIntent or a bank-transfer reference."""

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.errors import AppError, Conflict, Forbidden, NotFound
from core.extensions import db
from core.money import round_money
from core.sequences import next_value
from core.timeutil import utcnow
from marketplace.models import Checkout, Order, Payment, PaymentOrder
from marketplace.services import stripe_gateway

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
    payment = new_payment(buyer.id, orders, method, checkout)
    intent = None
    if payment.provider == "stripe":
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


def new_payment(buyer_id: int, orders: list[Order], method: str, checkout: Checkout | None = None) -> Payment:
    """A pending payment of ``orders`` with its own ``ABP-`` reference, flushed, not committed."""
    now = utcnow()
    payment = Payment(
        buyer_id=buyer_id,
        checkout_id=checkout.id if checkout else None,
        provider="bank_transfer" if method == "bank_transfer" else "stripe",
        method=method,
        reference=f"ABP-{now.year}-{next_value('payment', now.year):06d}",
        amount=round_money(sum((o.total for o in orders), Decimal("0"))),
    )
    payment.orders = [PaymentOrder(order_id=o.id, amount=o.total) for o in orders]
    db.session.add(payment)
    db.session.flush()
    return payment


def bank_payments_of(order_id: int, *, lock: bool = False) -> list[Payment]:
    """The order's bank-transfer payments that await money, were partly paid or are paid,
    newest first: the one its proforma names and a transfer quoting its number belongs to.
    ``lock``: the payments' rows locked for update (the caller records money on one)."""
    stmt = (
        select(Payment)
        .join(PaymentOrder, PaymentOrder.payment_id == Payment.id)
        .where(
            PaymentOrder.order_id == order_id,
            Payment.method == "bank_transfer",
            Payment.status.in_(("pending", "partially_received", "succeeded")),
        )
        .order_by(Payment.id.desc())
    )
    if lock:
        stmt = stmt.with_for_update(of=Payment)
    return list(db.session.scalars(stmt))


def open_bank_payment(orders: list[Order]) -> Payment | None:
    """The open bank-transfer payment of exactly ``orders``, if there is one."""
    return _open_payment(orders, "bank_transfer")


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


def payment_deadline(payment: Payment):
    """When the money must have arrived: the earliest payment deadline of its orders (their
    stock is released after it), or None."""
    deadlines = [po.order.payment_due_at for po in payment.orders if po.order.payment_due_at]
    return min(deadlines) if deadlines else None


def payment_for(user, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or (user.role != "admin" and payment.buyer_id != user.id):
        raise NotFound(_l("Payment not found."))
    return payment
