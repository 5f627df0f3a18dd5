"""Dashboard figures for farmers, buyers and admins: one query per widget, whatever the data."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from catalog.models import Certificate, Producer, Product
from catalog.services.lots import expiring_lots
from core.db import month_of
from core.extensions import db
from core.timeutil import utcnow
from marketplace.models import LedgerEntry, Order, OrderLine, Payment, StripeEvent

#: Orders that count as sales (money committed).
SOLD = ("paid", "confirmed", "ready_for_pickup", "in_transit", "delivered", "completed", "disputed")
MONTHS = 12


def _since():
    return utcnow() - timedelta(days=31 * MONTHS)


def _pairs(rows) -> list[dict]:
    return [{"label": label, "value": str(value if value is not None else 0)} for label, value in rows]


def _status_counts(*where) -> dict:
    rows = db.session.execute(select(Order.status, func.count(Order.id)).where(*where).group_by(Order.status))
    return {status: count for status, count in rows}


def farmer(user) -> dict | None:
    producer = db.session.scalar(select(Producer).where(Producer.owner_id == user.id))
    if producer is None:
        return None
    mine = Order.producer_id == producer.id
    soon = utcnow().date() + timedelta(days=60)
    by_product = db.session.execute(
        select(
            func.coalesce(func.max(OrderLine.name_zh), ""),
            func.max(OrderLine.name_ru),
            func.max(OrderLine.name_en),
            func.sum(OrderLine.line_total),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(mine, Order.status.in_(SOLD))
        .group_by(OrderLine.product_id)
        .order_by(func.sum(OrderLine.line_total).desc())
        .limit(10)
    ).all()
    balances = dict(
        db.session.execute(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount))
            .where(
                LedgerEntry.producer_id == producer.id,
                LedgerEntry.account.in_(("escrow", "producer_payable", "payout")),
            )
            .group_by(LedgerEntry.account)
        ).all()
    )
    return {
        "producer": producer,
        "sales_by_product": [
            {"names": {"zh": zh, "ru": ru, "en": en}, "value": str(total)} for zh, ru, en, total in by_product
        ],
        "sales_by_month": _pairs(
            db.session.execute(
                select(month_of(Order.created_at), func.sum(Order.subtotal))
                .where(mine, Order.status.in_(SOLD), Order.created_at >= _since())
                .group_by(month_of(Order.created_at))
                .order_by(month_of(Order.created_at))
            ).all()
        ),
        "orders_by_status": _status_counts(mine),
        "expiring_lots": expiring_lots(producer.id, days=60, limit=20),
        "low_stock": db.session.scalars(
            select(Product).where(
                Product.producer_id == producer.id,
                Product.status == "active",
                Product.tracks_lots.is_(False),
                Product.stock_on_hand - Product.stock_reserved <= 0,
            )
        ).all(),
        "expiring_certificates": db.session.scalars(
            select(Certificate)
            .where(Certificate.producer_id == producer.id, Certificate.valid_until <= soon)
            .order_by(Certificate.valid_until)
        ).all(),
        "payouts": {
            "held": balances.get("escrow", Decimal(0)),
            "due": balances.get("producer_payable", Decimal(0)),
            "paid": balances.get("payout", Decimal(0)),
        },
    }


def buyer(user) -> dict:
    mine = Order.buyer_id == user.id
    by_producer = db.session.execute(
        select(
            func.max(Producer.name_zh),
            func.max(Producer.name_ru),
            func.max(Producer.name_en),
            func.sum(Order.subtotal),
        )
        .join(Producer, Producer.id == Order.producer_id)
        .where(mine, Order.status.in_(SOLD))
        .group_by(Order.producer_id)
        .order_by(func.sum(Order.subtotal).desc())
        .limit(10)
    ).all()
    return {
        "spend_by_month": _pairs(
            db.session.execute(
                select(month_of(Order.created_at), func.sum(Order.subtotal))
                .where(mine, Order.status.in_(SOLD), Order.created_at >= _since())
                .group_by(month_of(Order.created_at))
                .order_by(month_of(Order.created_at))
            ).all()
        ),
        "spend_by_producer": [
            {"names": {"zh": zh, "ru": ru, "en": en}, "value": str(total)}
            for zh, ru, en, total in by_producer
        ],
        "orders_by_status": _status_counts(mine),
    }


def admin() -> dict:
    month = month_of(LedgerEntry.created_at)
    rows = db.session.execute(
        select(
            month,
            func.sum(
                case(
                    (
                        LedgerEntry.account == "escrow",
                        case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0),
                    ),
                    else_=0,
                )
            ),
            func.sum(case((LedgerEntry.account == "commission", LedgerEntry.amount), else_=0)),
        )
        .where(LedgerEntry.created_at >= _since())
        .group_by(month)
        .order_by(month)
    ).all()
    return {
        "gmv_by_month": [{"label": m, "gmv": str(g or 0), "commission": str(c or 0)} for m, g, c in rows],
        "verification_queue": db.session.scalars(
            select(Producer).where(Producer.status == "pending").order_by(Producer.created_at)
        ).all(),
        "flagged_payments": db.session.scalars(
            select(Payment).where(Payment.flagged_reason != "").order_by(Payment.id.desc()).limit(20)
        ).all(),
        "flagged_events": db.session.scalars(
            select(StripeEvent)
            .where(StripeEvent.flagged.is_(True))
            .order_by(StripeEvent.received_at.desc())
            .limit(20)
        ).all(),
        "disputes": db.session.scalars(
            select(Order).where(Order.status == "disputed").order_by(Order.updated_at)
        ).all(),
        "orders_by_status": _status_counts(),
    }


#: role → {name: function(user) → data}: widgets other modules contribute (no import cycle).
EXTRA_WIDGETS: dict[str, dict] = {}
#: The endpoint operators land on, set by the logistics module.
OPERATOR_HOME: list[str] = []


def add_widget(role: str, name: str, provider) -> None:
    EXTRA_WIDGETS.setdefault(role, {})[name] = provider
