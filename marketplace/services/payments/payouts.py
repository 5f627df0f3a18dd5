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
    if not payout.bank_account:  # none when it became due: the producer may have added them since
        payout.take_bank_details(payout.producer)
    if not payout.bank_account:
        raise Conflict(
            _l("The producer has no bank account in their legal data yet: ask them to add it first."),
            code="no_bank_details",
        )
    payout.status, payout.bank_reference = "sent", bank_reference[:100]
    payout.sent_at, payout.sent_by_id = utcnow(), admin.id
    links = {"producer_id": payout.producer_id, "order_id": payout.order_id, "payout_id": payout.id}
    audit("payout.sent", admin, amount=payout.amount, bank_reference=payout.bank_reference, **links)
    ledger.record("producer_payable", -payout.amount, f"paid out {bank_reference}", **links)
    ledger.record("payout", payout.amount, f"paid out {bank_reference}", **links)
    db.session.commit()
    return payout


def history(user) -> list[dict]:
    """The user's payouts (a farmer's own, all for admins), newest first, each with its order's
    itemised statement (gross, commission, refunds, net)."""
    rows = payouts_for(user)
    statements = ledger.order_statements(p.order_id for p in rows)
    return [{"payout": p, "statement": statements[p.order_id]} for p in rows]


CSV_COLUMNS = (
    "payout_id",
    "order",
    "due_on",
    "currency",
    "gross",
    "commission",
    "refunds",
    "net",
    "status",
    "sent_on",
    "bank_reference",
    "beneficiary",
    "bank",
    "bik",
    "account",
    "correspondent_account",
    "swift",
)


def history_csv(user) -> str:
    """The payout history as CSV for the producer's accountant: one row per payout, amounts
    with a dot and two decimals, dates ISO 8601 (UTC); text cells that a spreadsheet would run
    as a formula are quoted with a leading apostrophe."""
    import csv
    import io

    def cell(value) -> str:
        text = "" if value is None else str(value)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in history(user):
        p, s = row["payout"], row["statement"]
        writer.writerow(
            [
                p.id,
                cell(p.order.number),
                p.created_at.date().isoformat(),
                p.currency,
                f"{s['gross']:.2f}",
                f"{s['commission']:.2f}",
                f"{s['refunds']:.2f}",
                f"{s['net']:.2f}",
                p.status,
                p.sent_at.date().isoformat() if p.sent_at else "",
                cell(p.bank_reference),
                cell(p.beneficiary),
                cell(p.bank_name),
                p.bik,
                p.bank_account,
                p.correspondent_account,
                p.swift,
            ]
        )
    return buffer.getvalue()
