"""Lots: dated batches of a product; from the first lot on, they hold the product's stock."""

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import column, select, table

from catalog.models import Lot, Product
from catalog.services.common import clean, quantity_ok
from catalog.signals import lot_changed
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.logs import audit
from core.timeutil import utcnow

#: What a farmer gives of a lot.
LOT_COLUMNS = ("lot_number", "produced_on", "best_before", "quantity")


def _check_lot(product: Product, data: dict, lot: Lot | None = None) -> dict:
    errors: dict = {}
    values: dict = {}
    if "lot_number" in data or lot is None:
        number = clean(data.get("lot_number"))[:64]
        if not number:
            errors["lot_number"] = [_l("Enter the lot number.")]
        else:
            clash = db.session.scalar(
                select(Lot.id).where(Lot.product_id == product.id, Lot.lot_number == number)
            )
            if clash and (lot is None or clash != lot.id):
                errors["lot_number"] = [_l("This product already has a lot with this number.")]
        values["lot_number"] = number
    for key in ("produced_on", "best_before"):
        if key in data or lot is None:
            if not isinstance(data.get(key), date):
                errors[key] = [_l("Enter a date.")]
            values[key] = data.get(key)
    produced = values.get("produced_on", lot.produced_on if lot else None)
    best_before = values.get("best_before", lot.best_before if lot else None)
    if isinstance(produced, date) and isinstance(best_before, date) and best_before < produced:
        errors["best_before"] = [_l("The best-before date cannot precede the production date.")]
    if "quantity" in data or lot is None:
        quantity = data.get("quantity")
        if not isinstance(quantity, Decimal) or quantity <= 0:
            errors["quantity"] = [_l("Must be greater than zero.")]
        elif not quantity_ok(quantity, product.unit):
            errors["quantity"] = [_l("This unit is sold in whole numbers.")]
        elif lot is not None and quantity < lot.quantity_reserved:
            errors["quantity"] = [_l("Open orders hold more than this.")]
        values["quantity"] = quantity
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    return values


def add_lot(user, product: Product, data: dict) -> Lot:
    """From its first lot on, a product's stock is the sum of its unexpired lots."""
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    lot = Lot(product=product, quantity_reserved=Decimal("0"), **_check_lot(product, data))
    if not product.tracks_lots:
        if product.stock_reserved > 0:
            raise Conflict(_l("Open orders hold stock of this product: lots can be added once they ship."))
        product.tracks_lots = True
        product.stock_on_hand = Decimal("0")
    db.session.add(lot)
    db.session.flush()
    audit("stock.lot_added", user, product_id=product.id, lot_id=lot.id, quantity=lot.quantity)
    lot_changed.send(lot, product=product, action="added", changed=LOT_COLUMNS)
    db.session.commit()
    return lot


def update_lot(user, lot: Lot, data: dict) -> Lot:
    if not lot.product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    before = lot.quantity
    values = _check_lot(lot.product, data, lot)
    changed = [key for key, value in values.items() if getattr(lot, key) != value]
    for key, value in values.items():
        setattr(lot, key, value)
    if lot.quantity != before:
        audit(
            "stock.adjusted",
            user,
            product_id=lot.product_id,
            lot_id=lot.id,
            from_quantity=before,
            to_quantity=lot.quantity,
        )
    if changed:
        db.session.flush()
        lot_changed.send(lot, product=lot.product, action="corrected", changed=changed)
    db.session.commit()
    return lot


def delete_lot(user, lot: Lot) -> None:
    """Delete a lot no order ever took stock from.

    :raise 409: open orders hold stock from it, or orders took stock from it (archive it)
    """
    if not lot.product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    if lot.quantity_reserved > 0:
        raise Conflict(_l("Open orders hold stock from this lot."), code="lot_reserved")
    if lot_was_allocated(lot):
        raise Conflict(
            _l("Orders took stock from this lot, so it stays on record. Archive it to take it off sale."),
            code="lot_has_orders",
        )
    audit("stock.lot_removed", user, product_id=lot.product_id, lot_id=lot.id, quantity=lot.quantity)
    product = lot.product
    db.session.delete(lot)
    db.session.flush()
    lot_changed.send(lot, product=product, action="deleted", changed=LOT_COLUMNS)
    db.session.commit()


def archive_lot(user, lot: Lot) -> Lot:
    """Take a lot off sale for good; it stays on record for the orders that used it.

    :raise 409: open orders still hold stock from it
    """
    if not lot.product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    if lot.quantity_reserved > 0:
        raise Conflict(_l("Open orders hold stock from this lot."), code="lot_reserved")
    if lot.archived_at is None:
        lot.archived_at = utcnow()
        audit("stock.lot_archived", user, product_id=lot.product_id, lot_id=lot.id, quantity=lot.quantity)
        db.session.commit()
    return lot


def lot_was_allocated(lot: Lot) -> bool:
    """Did any order ever take stock from this lot? (Their allocations point to it.)"""
    # The allocations table belongs to the marketplace, above us: ask the database, not its model.
    allocations = table("stock_allocations", column("lot_id"))
    first = select(allocations.c.lot_id).where(allocations.c.lot_id == lot.id).limit(1)
    return db.session.execute(first).first() is not None


def get_lot(product: Product, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.product_id != product.id:
        raise NotFound(_l("No such lot."))
    return lot


def expiring_lots(producer_id: int, days: int, limit: int) -> list[Lot]:
    """The producer's lots still in stock whose best-before date comes within ``days`` (or has
    passed), soonest first: the dashboard's list and the to-do home's."""
    soon = utcnow().date() + timedelta(days=days)
    return db.session.scalars(
        select(Lot)
        .join(Product)
        .where(
            Product.producer_id == producer_id,
            Lot.best_before <= soon,
            Lot.quantity > 0,
            Lot.archived_at.is_(None),
        )
        .order_by(Lot.best_before)
        .limit(limit)
    ).all()
