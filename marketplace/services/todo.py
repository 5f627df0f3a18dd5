"""The marketplace's part of the to-do home: orders to confirm, RFQs to quote and payouts due
(farmers); orders to pay, goods on the way and quotes received (buyers); bank transfers to
record and disputes (admins)."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.models import Producer
from core.extensions import db
from core.i18n import pick_translation
from core.timeutil import aware, utcnow
from marketplace.models import Order, Payment, Payout, Quote, Rfq
from marketplace.services import rfq as rfq_service

LIMIT = 100
#: Orders on their way to the buyer (paid, moving, not yet received).
ON_THE_WAY = ("confirmed", "ready_for_pickup", "in_transit", "delivered")


def _producer(user) -> Producer | None:
    return db.session.scalar(select(Producer).where(Producer.owner_id == user.id))


def confirm_by(order: Order):
    """When a paid order should be confirmed: ``ORDER_CONFIRM_HOURS`` after payment (the
    platform's service level shown to farmers; nothing is cancelled automatically)."""
    paid = aware(order.paid_at) or aware(order.created_at)
    return paid + timedelta(hours=current_app.config.get("ORDER_CONFIRM_HOURS", 48))


def _orders(*where, order_by) -> list[Order]:
    return db.session.scalars(select(Order).where(*where).order_by(*order_by).limit(LIMIT)).all()


def farmer_orders_to_confirm(user) -> list[dict]:
    producer = _producer(user)
    if producer is None:
        return []
    orders = _orders(
        Order.producer_id == producer.id, Order.status == "paid", order_by=(Order.paid_at, Order.id)
    )
    now = utcnow()
    return [
        {
            "title": _l("Order %(number)s", number=o.number),
            "detail": _l("%(amount)s CNY · confirm by", amount=o.subtotal),
            "url": f"/orders/{o.id}",
            "due": confirm_by(o),
            "urgent": confirm_by(o) <= now + timedelta(hours=12),
        }
        for o in orders
    ]


def farmer_rfqs_to_quote(user) -> list[dict]:
    """Open requests addressed to the farmer that they have not quoted yet."""
    producer = _producer(user)
    if producer is None:
        return []
    rfqs = [r for r in rfq_service.rfqs_for(user, status="open") if not _has_quote(r, producer.id)][:LIMIT]
    today = utcnow().date()
    return [
        {
            "title": _l("Request for quotation #%(id)d", id=r.id),
            "detail": r.description[:120],
            "url": f"/rfqs/{r.id}",
            "due": r.deadline,
            "urgent": r.deadline <= today + timedelta(days=2),
        }
        for r in rfqs
    ]


def _has_quote(rfq: Rfq, producer_id: int) -> bool:
    return any(q.producer_id == producer_id for q in rfq.quotes)


def farmer_payouts(user) -> list[dict]:
    producer = _producer(user)
    if producer is None:
        return []
    payouts = db.session.scalars(
        select(Payout).where(Payout.producer_id == producer.id, Payout.status == "due").order_by(Payout.id)
    )
    return [
        {
            "title": _l("Payout of %(amount)s %(currency)s", amount=p.amount, currency=p.currency),
            "detail": _l("For order %(id)d, due since", id=p.order_id),
            "url": "/balance",
            "due": p.created_at,
        }
        for p in payouts
    ][:LIMIT]


def buyer_orders_to_pay(user) -> list[dict]:
    orders = _orders(
        Order.buyer_id == user.id,
        Order.status == "pending_payment",
        order_by=(Order.payment_due_at, Order.id),
    )
    now = utcnow()
    return [
        {
            "title": _l("Order %(number)s", number=o.number),
            "detail": _l("%(amount)s CNY · pay by", amount=o.total),
            "url": f"/orders/{o.id}",
            "due": o.payment_due_at,
            "urgent": o.payment_due_at is not None and aware(o.payment_due_at) <= now + timedelta(hours=12),
        }
        for o in orders
    ]


def buyer_goods_on_the_way(user) -> list[dict]:
    orders = _orders(
        Order.buyer_id == user.id, Order.status.in_(ON_THE_WAY), order_by=(Order.paid_at, Order.id)
    )
    from marketplace.services.lifecycle import STATUS_LABELS

    return [
        {
            "title": _l("Order %(number)s", number=o.number),
            "detail": STATUS_LABELS.get(o.status, o.status),
            "url": f"/orders/{o.id}/tracking",
        }
        for o in orders
    ]


def buyer_quotes(user) -> list[dict]:
    """Open quotes on the buyer's open requests."""
    quotes = db.session.scalars(
        select(Quote)
        .join(Rfq, Rfq.id == Quote.rfq_id)
        .where(Rfq.buyer_id == user.id, Rfq.status == "open", Quote.status == "open")
        .options(selectinload(Quote.producer))
        .order_by(Quote.valid_until, Quote.id)
        .limit(LIMIT)
    ).all()
    today = utcnow().date()
    return [
        {
            "title": _l(
                "%(producer)s: %(price)s CNY per unit",
                producer=pick_translation(q.producer.names)[0],
                price=q.unit_price,
            ),
            "detail": _l("For request #%(id)d · valid until", id=q.rfq_id),
            "url": f"/rfqs/{q.rfq_id}",
            "due": q.valid_until,
            "urgent": q.valid_until <= today + timedelta(days=2),
        }
        for q in quotes
    ]


def admin_transfers(user) -> list[dict]:
    payments = db.session.scalars(
        select(Payment)
        .where(Payment.provider == "bank_transfer", Payment.status.in_(("pending", "partially_received")))
        .order_by(Payment.id)
        .limit(LIMIT)
    )
    return [
        {
            "title": _l("Transfer %(reference)s", reference=p.reference),
            "detail": _l("%(amount)s %(currency)s expected", amount=p.amount, currency=p.currency),
            "url": "/admin/payments",
        }
        for p in payments
    ]


def admin_disputes(user) -> list[dict]:
    orders = _orders(Order.status == "disputed", order_by=(Order.updated_at,))
    return [
        {
            "title": _l("Order %(number)s", number=o.number),
            "detail": o.dispute_reason[:120],
            "url": f"/orders/{o.id}",
            "due": o.updated_at,
        }
        for o in orders
    ]


def register() -> None:
    from core.todo import add_todo_section as add

    add("farmer", "confirm", _l("Orders to confirm"), farmer_orders_to_confirm, order=10)
    add("farmer", "quote", _l("Requests to quote"), farmer_rfqs_to_quote, order=20)
    add("farmer", "payouts", _l("Payouts due"), farmer_payouts, order=50)
    add("buyer", "pay", _l("Orders awaiting payment"), buyer_orders_to_pay, order=10)
    add("buyer", "on_the_way", _l("Goods on the way"), buyer_goods_on_the_way, order=20)
    add("buyer", "quotes", _l("Quotes received"), buyer_quotes, order=30)
    add("admin", "transfers", _l("Transfers to record"), admin_transfers, order=20)
    add("admin", "disputes", _l("Disputes"), admin_disputes, order=30)
