"""Payouts to producers: who sees which, and the admin marking one as sent."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.models import Producer
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.timeutil import utcnow
from marketplace.models import Payout
from marketplace.services import ledger


def payouts_for(user, status: str | None = None):
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
    if len(bank_reference) > 100:
        message = _l("A bank reference has at most 100 characters.")
        raise ValidationFailed(message, fields={"bank_reference": [message]})
    payout.status, payout.bank_reference = "sent", bank_reference[:100]
    payout.sent_at, payout.sent_by_id = utcnow(), admin.id
    links = {"producer_id": payout.producer_id, "order_id": payout.order_id, "payout_id": payout.id}
    audit("payout.sent", admin, amount=payout.amount, bank_reference=payout.bank_reference, **links)
    ledger.record("producer_payable", -payout.amount, f"paid out {bank_reference}", **links)
    ledger.record("payout", payout.amount, f"paid out {bank_reference}", **links)
    db.session.commit()
    return payout
