"""Stock reservation that never oversells (Saleor's allocation, Odoo's FEFO).

Inside the order's transaction: product rows are locked in id order (``FOR UPDATE`` on
PostgreSQL), unexpired lots are taken first-expired-first-out, and every reservation is a
conditional ``UPDATE … WHERE available >= qty`` — on SQLite, which ignores row locks, that
and the check constraints are what stop a second writer.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from catalog.models import Lot, Product, today
from core.errors import Conflict
from core.extensions import db
from core.logs import audit
from marketplace.models import StockAllocation


@dataclass
class Shortfall:
    product_id: int
    requested: Decimal
    available: Decimal

    def as_json(self) -> dict:
        return {
            "product_id": self.product_id,
            "requested": str(self.requested),
            "available": str(self.available),
        }


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, shortfalls: list[Shortfall]):
        super().__init__(
            _l("Not enough stock for %(n)d line(s).", n=len(shortfalls)),
            extra={"short_lines": [s.as_json() for s in shortfalls]},
        )
        self.shortfalls = shortfalls


def lock_products(product_ids) -> dict[int, Product]:
    """Lock the products' rows in a fixed order (no deadlocks between two checkouts)."""
    ids = sorted(set(product_ids))
    # populate_existing: the rows read under the lock replace what the session had cached.
    rows = db.session.scalars(
        select(Product)
        .where(Product.id.in_(ids))
        .order_by(Product.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {p.id: p for p in rows}


def _usable_lots(product_id: int) -> list[Lot]:
    return db.session.scalars(
        select(Lot)
        .where(Lot.product_id == product_id, Lot.best_before >= today(), Lot.quantity > Lot.quantity_reserved)
        .order_by(Lot.best_before, Lot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _available(product: Product, lots: list[Lot]) -> Decimal:
    if product.tracks_lots:
        return sum((lot.quantity - lot.quantity_reserved for lot in lots), Decimal("0"))
    return product.stock_on_hand - product.stock_reserved


def reserve(lines) -> None:
    """Reserve stock for ``lines`` (OrderLine objects with product_id and quantity, flushed).

    All or nothing: raises InsufficientStock naming every short line.
    """
    products = lock_products(line.product_id for line in lines)
    wanted: dict[int, Decimal] = {}
    for line in lines:
        wanted[line.product_id] = wanted.get(line.product_id, Decimal("0")) + line.quantity
    lots = {pid: _usable_lots(pid) for pid, p in products.items() if p.tracks_lots}
    short = [
        Shortfall(pid, qty, max(_available(products[pid], lots.get(pid, [])), Decimal("0")))
        for pid, qty in sorted(wanted.items())
        if _available(products[pid], lots.get(pid, [])) < qty
    ]
    if short:
        raise InsufficientStock(short)
    for line in lines:
        product = products[line.product_id]
        if product.tracks_lots:
            _reserve_from_lots(line, lots[product.id])
        else:
            _reserve_on_product(line, product)


def _reserve_on_product(line, product: Product) -> None:
    result = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.stock_on_hand - Product.stock_reserved >= line.quantity)
        .values(stock_reserved=Product.stock_reserved + line.quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InsufficientStock([Shortfall(product.id, line.quantity, Decimal("0"))])
    line.allocations.append(StockAllocation(product_id=product.id, quantity=line.quantity))
    _log("stock.reserved", line, product.id, None, line.quantity)


def _reserve_from_lots(line, lots: list[Lot]) -> None:
    remaining = line.quantity
    for lot in lots:  # first expired, first out
        free = lot.quantity - lot.quantity_reserved  # read fresh under the lock
        if remaining <= 0 or free <= 0:
            continue
        take = min(free, remaining)
        result = db.session.execute(
            update(Lot)
            .where(Lot.id == lot.id, Lot.quantity - Lot.quantity_reserved >= take, Lot.best_before >= today())
            .values(quantity_reserved=Lot.quantity_reserved + take)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise InsufficientStock([Shortfall(line.product_id, line.quantity, line.quantity - remaining)])
        # The row changed in SQL only: never write the cached object back over it.
        db.session.expire(lot, ["quantity_reserved"])
        line.allocations.append(StockAllocation(product_id=line.product_id, lot_id=lot.id, quantity=take))
        _log("stock.reserved", line, line.product_id, lot.id, take)
        remaining -= take
    if remaining > 0:
        raise InsufficientStock([Shortfall(line.product_id, line.quantity, line.quantity - remaining)])


def release(order) -> None:
    """Give back exactly what the order still holds (cancellation, expiry)."""
    for allocation in _allocations(order, "reserved"):
        if allocation.lot_id:
            db.session.execute(
                update(Lot)
                .where(Lot.id == allocation.lot_id)
                .values(quantity_reserved=Lot.quantity_reserved - allocation.quantity)
                .execution_options(synchronize_session=False)
            )
        else:
            db.session.execute(
                update(Product)
                .where(Product.id == allocation.product_id)
                .values(stock_reserved=Product.stock_reserved - allocation.quantity)
                .execution_options(synchronize_session=False)
            )
        allocation.state = "released"
        _log("stock.released", allocation.line, allocation.product_id, allocation.lot_id, allocation.quantity)


def consume(order) -> None:
    """The goods left with the carrier: reserved stock leaves the books."""
    for allocation in _allocations(order, "reserved"):
        if allocation.lot_id:
            db.session.execute(
                update(Lot)
                .where(Lot.id == allocation.lot_id)
                .values(
                    quantity=Lot.quantity - allocation.quantity,
                    quantity_reserved=Lot.quantity_reserved - allocation.quantity,
                )
                .execution_options(synchronize_session=False)
            )
        else:
            db.session.execute(
                update(Product)
                .where(Product.id == allocation.product_id)
                .values(
                    stock_on_hand=Product.stock_on_hand - allocation.quantity,
                    stock_reserved=Product.stock_reserved - allocation.quantity,
                )
                .execution_options(synchronize_session=False)
            )
        allocation.state = "consumed"
        _log("stock.consumed", allocation.line, allocation.product_id, allocation.lot_id, allocation.quantity)


def _log(event: str, line, product_id: int, lot_id: int | None, quantity: Decimal) -> None:
    audit(
        event,
        order_id=line.order_id,
        order_line_id=line.id,
        product_id=product_id,
        lot_id=lot_id,
        quantity=quantity,
    )


def _allocations(order, state: str):
    # Lock in a fixed order as reserve() does, so release and reserve cannot deadlock.
    lock_products(line.product_id for line in order.lines)
    return [a for line in order.lines for a in line.allocations if a.state == state]
