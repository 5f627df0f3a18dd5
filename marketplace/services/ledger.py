"""The ledger: every movement of money is an entry; balances are sums."""

from decimal import Decimal

from flask import current_app
from sqlalchemy import case, func, select

from core.extensions import db
from core.logs import audit
from core.money import round_money
from marketplace.models import LedgerEntry, Order, Payout


def record(account: str, amount: Decimal, memo: str = "", **links) -> LedgerEntry:
    entry = LedgerEntry(account=account, amount=round_money(amount), memo=memo[:200], **links)
    db.session.add(entry)
    audit("ledger.entry", account=account, amount=entry.amount, memo=entry.memo, **links)
    return entry


def balance(account: str, **filters) -> Decimal:
    stmt = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.account == account)
    for name, value in filters.items():
        stmt = stmt.where(getattr(LedgerEntry, name) == value)
    return round_money(Decimal(db.session.scalar(stmt)))


def held_for(order: Order) -> Decimal:
    """What the platform holds in escrow for the order now."""
    return balance("escrow", order_id=order.id)


def commission_rate() -> Decimal:
    return Decimal(str(current_app.config["PLATFORM_COMMISSION_PERCENT"])) / 100


def release(order: Order) -> Payout | None:
    """The order completed: what escrow still holds goes to the producer, less commission."""
    held = held_for(order)
    if held <= 0:
        return None
    commission = round_money(held * commission_rate())
    net = held - commission
    links = {"order_id": order.id, "producer_id": order.producer_id}
    record("escrow", -held, "released on completion", **links)
    record("commission", commission, "platform commission", **links)
    record("producer_payable", net, "due to the producer", **links)
    payout = Payout(producer_id=order.producer_id, order_id=order.id, amount=net)
    payout.take_bank_details(order.producer)
    db.session.add(payout)
    db.session.flush()  # its id, for the log
    audit("payout.due", payout_id=payout.id, amount=net, commission=commission, **links)
    return payout


def producer_balances(producer_id: int) -> dict:
    """Held (escrow for open orders), due (earned, not yet sent) and paid out."""
    return {
        "held": balance("escrow", producer_id=producer_id),
        "due": balance("producer_payable", producer_id=producer_id),
        "paid": balance("payout", producer_id=producer_id),
    }


def order_statements(order_ids) -> dict[int, dict]:
    """Per order, what the producer's money is made of: ``gross`` (paid by the buyer into
    escrow), ``refunds`` (returned to the buyer), ``commission`` (the platform's) and ``net``
    (due or paid to the producer: gross − refunds − commission). One query for all orders."""
    ids = list(order_ids)
    if not ids:
        return {}
    positive = func.sum(case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0))
    total = func.sum(LedgerEntry.amount)
    rows = db.session.execute(
        select(LedgerEntry.order_id, LedgerEntry.account, positive, total)
        .where(LedgerEntry.order_id.in_(ids), LedgerEntry.account.in_(("escrow", "refund", "commission")))
        .group_by(LedgerEntry.order_id, LedgerEntry.account)
    ).all()
    zero = Decimal("0.00")
    statements = {i: {"gross": zero, "refunds": zero, "commission": zero} for i in ids}
    for order_id, account, credited, summed in rows:
        if account == "escrow":
            statements[order_id]["gross"] = round_money(Decimal(credited or 0))
        elif account == "refund":
            statements[order_id]["refunds"] = round_money(Decimal(summed or 0))
        else:
            statements[order_id]["commission"] = round_money(Decimal(summed or 0))
    for line in statements.values():
        line["net"] = line["gross"] - line["refunds"] - line["commission"]
    return statements
