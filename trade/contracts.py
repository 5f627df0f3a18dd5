"""Export contracts between a producer and a buyer: one per pair, made on their first order
with the order's terms, or numbered and dated as the parties agreed; documents cite it."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.incoterms import INCOTERMS
from catalog.models import Producer
from core.db import session_memo
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.sequences import next_value
from core.timeutil import utcnow
from trade.models import ExportContract

#: What the platform's escrow means for the seller's money (DOMAIN.md: Trade Assurance).
DEFAULT_PAYMENT_TERMS = (
    "100% prepayment in CNY to the AgroBridge escrow account, released to the seller after "
    "the buyer confirms receipt / 100% 预付款至 AgroBridge 托管账户，买方确认收货后支付给卖方"
)


def contract_between(producer_id: int, buyer_id: int) -> ExportContract | None:
    return db.session.scalar(
        select(ExportContract).where(
            ExportContract.producer_id == producer_id, ExportContract.buyer_id == buyer_id
        )
    )


def contract_reference(order) -> dict | None:
    """The order's contract as the order's JSON names it (marketplace's contract lookup)."""
    # A pair's contract, once made, is theirs for good: the order's answer reuses what placing
    # it found (plain data: the commit between expires the row).
    known = session_memo("contract_references")
    key = (order.producer_id, order.buyer_id)
    if key not in known:
        known[key] = _reference(contract_between(*key))
    return known[key]


def _reference(contract: ExportContract | None) -> dict | None:
    if contract is None:
        return None
    return {"id": contract.id, "number": contract.number, "signed_on": contract.signed_on.isoformat()}


def contract_for_order(order) -> ExportContract:
    """The pair's contract; made now, with this order's terms, if it is their first order."""
    contract = contract_between(order.producer_id, order.buyer_id)
    if contract is None:
        today = utcnow().date()
        try:
            # The pair's first two orders may be placed at once: the second's contract meets
            # the first's on the unique pair and gives its number back with the savepoint.
            with db.session.begin_nested():
                contract = ExportContract(
                    number=f"EC-{today.year}-{next_value('contract', today.year):05d}",
                    signed_on=today,
                    producer_id=order.producer_id,
                    buyer_id=order.buyer_id,
                    currency="CNY",
                    payment_terms=DEFAULT_PAYMENT_TERMS,
                    incoterm=order.incoterm,
                    named_place=order.named_place,
                )
                db.session.add(contract)
        except IntegrityError:
            contract = contract_between(order.producer_id, order.buyer_id)
    session_memo("contract_references")[(order.producer_id, order.buyer_id)] = _reference(contract)
    return contract


def _party(user, contract: ExportContract) -> bool:
    if user is None:
        return False
    if user.role == "admin" or user.id == contract.buyer_id:
        return True
    producer = db.session.get(Producer, contract.producer_id)
    return producer is not None and producer.owner_id == user.id


def contract_for(user, contract_id) -> ExportContract:
    """One contract, for its parties and admins. :raise 404: anyone else"""
    contract = db.session.get(ExportContract, contract_id) if isinstance(contract_id, int) else None
    if contract is None or not _party(user, contract):
        raise NotFound(_l("Contract not found."))
    return contract


def may_edit(user, contract: ExportContract) -> bool:
    """The parties enter their contract; an admin only reads it."""
    return user is not None and user.role in ("farmer", "buyer") and _party(user, contract)


def contracts_for(user) -> list[ExportContract]:
    stmt = select(ExportContract).order_by(ExportContract.signed_on.desc(), ExportContract.id.desc())
    if user.role == "buyer":
        stmt = stmt.where(ExportContract.buyer_id == user.id)
    elif user.role == "farmer":
        stmt = stmt.join(Producer, Producer.id == ExportContract.producer_id).where(
            Producer.owner_id == user.id
        )
    elif user.role != "admin":
        return []
    return list(db.session.scalars(stmt))


def update_contract(user, contract_id: int, data: dict) -> ExportContract:
    """The parties enter the contract as they signed it: number, date, terms.

    :raise 404: not a party; :raise 403: an admin (the parties own their contract)
    :raise 422: a number another contract has, a date in the future, an unknown Incoterm
    """
    contract = contract_for(user, contract_id)
    if user.role == "admin":
        raise Forbidden(_l("The parties enter their own contract."))
    errors = {}
    if "number" in data:
        number = (data["number"] or "").strip()[:40]
        clash = db.session.scalar(select(ExportContract.id).where(ExportContract.number == number))
        if not number or (clash is not None and clash != contract.id):
            errors["number"] = [_l("Give a contract number no other contract has.")]
        contract.number = number
    if "signed_on" in data:
        if not isinstance(data["signed_on"], date) or data["signed_on"] > utcnow().date():
            errors["signed_on"] = [_l("The contract date cannot be in the future.")]
        contract.signed_on = data["signed_on"]
    if "incoterm" in data:
        if data["incoterm"] not in INCOTERMS:
            errors["incoterm"] = [_l("Unknown Incoterm.")]
        contract.incoterm = data["incoterm"]
    for key, limit in (("payment_terms", 300), ("named_place", 200)):
        if key in data:
            setattr(contract, key, (data[key] or "").strip()[:limit])
    if errors:
        db.session.rollback()
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    if db.session.is_modified(contract):
        from trade.events import contract_changed

        contract_changed(contract)
    db.session.commit()
    return contract
