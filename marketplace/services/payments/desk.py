"""The admin's payments desk: transfers to match, payouts due, flagged events and refunds due."""

from sqlalchemy import select

from core.extensions import db
from marketplace.models import Payment, Payout, Refund, StripeEvent


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
