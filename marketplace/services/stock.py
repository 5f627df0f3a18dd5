"""Stock reservation that never oversells (Saleor's allocation, Odoo's FEFO).

Inside the order's transaction: product rows are locked in id order (``FOR UPDATE`` on
PostgreSQL), unexpired lots are taken first-expired-first-out, and every reservation is a
conditional ``UPDATE … WHERE available >= qty`` — on SQLite, which ignores row locks, that
and the check constraints are what stop a second writer.

Shelf life on arrival: Chinese importers ask that a lot arrive with a share of its shelf life
left (often 2/3). A lot that would reach Harbin with less is not stock for that order: it is
skipped, and a line that fitting lots cannot fill is short like any other (409).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from flask import current_app
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
    #: Set when lots exist that would arrive with too little shelf life left.
    arrives_on: date | None = None

    def as_json(self) -> dict:
        body = {
            "product_id": self.product_id,
            "requested": str(self.requested),
            "available": str(self.available),
        }
        if self.arrives_on is not None:
            body["reason"] = "shelf_life_on_arrival"
            body["arrives_on"] = self.arrives_on.isoformat()
        return body


@dataclass(frozen=True)
class ShelfLifeRule:
    """Lots must arrive on ``arrives_on`` with at least ``share`` of their shelf life left."""

    arrives_on: date
    share: Fraction

    def fits(self, lot: Lot) -> bool:
        total = (lot.best_before - lot.produced_on).days
        left = (lot.best_before - self.arrives_on).days
        # Fractions compare exactly: 2/3 of 90 days is 60, not 59.99…
        return left >= 0 and left >= self.share * total


#: Functions ``(mode, border_crossing) -> days | None`` telling how long the route takes,
#: registered by the module that keeps the freight tariffs (a layer above this one).
_ROUTE_DAYS = []


def register_route_days(func):
    """Idempotent: every app built in one process registers the same function."""
    if func not in _ROUTE_DAYS:
        _ROUTE_DAYS.append(func)
    return func


def route_days(mode: str, crossing: str) -> int:
    """Days from dispatch to Harbin Daowai: the tariffs' leg durations, else ROUTE_DAYS_DEFAULT."""
    for func in _ROUTE_DAYS:
        days = func(mode, crossing)
        if days is not None:
            return days
    return int(current_app.config.get("ROUTE_DAYS_DEFAULT", 14))


def parse_share(value) -> Fraction:
    """``"2/3"`` or ``"0.75"`` → a Fraction in (0, 1]; ValueError otherwise."""
    share = Fraction(str(value).strip())
    if not (0 < share <= 1):
        raise ValueError("a shelf-life share is more than 0 and at most 1")
    return share


def shelf_life_rule(buyer_id: int | None, mode: str, crossing: str, on: date | None = None) -> ShelfLifeRule:
    """The rule for a buyer's order: the buyer's share if they set one, else the platform's."""
    from marketplace.models import BuyerTerms

    terms = db.session.get(BuyerTerms, buyer_id) if buyer_id is not None else None
    if terms is not None and terms.min_shelf_life_share is not None:
        share = Fraction(terms.min_shelf_life_share)
    else:
        share = parse_share(current_app.config.get("SHELF_LIFE_SHARE_ON_ARRIVAL", "2/3"))
    return ShelfLifeRule((on or today()) + timedelta(days=route_days(mode, crossing)), share)


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, shortfalls: list[Shortfall]):
        super().__init__(
            _l("Not enough stock for %(n)d line(s).", n=len(shortfalls)),
            extra={"short_lines": [s.as_json() for s in shortfalls]},
        )
        self.shortfalls = shortfalls


def lock_products(product_ids) -> dict[int, Product]:
    """Lock the products' rows in a fixed order (no deadlocks between two checkouts).

    ``FOR NO KEY UPDATE``: an order's lines, written before, hold a key-share lock on their
    products (their foreign key); a plain ``FOR UPDATE`` would wait for every other order's
    lines, and two orders each waiting for the other's would deadlock.
    """
    ids = sorted(set(product_ids))
    # populate_existing: the rows read under the lock replace what the session had cached.
    rows = db.session.scalars(
        select(Product)
        .where(Product.id.in_(ids))
        .order_by(Product.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    return {p.id: p for p in rows}


def _usable_lots(product_id: int) -> list[Lot]:
    return db.session.scalars(
        select(Lot)
        .where(
            Lot.product_id == product_id,
            Lot.best_before >= today(),
            Lot.quantity > Lot.quantity_reserved,
            Lot.archived_at.is_(None),
        )
        .order_by(Lot.best_before, Lot.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()


def _available(product: Product, lots: list[Lot]) -> Decimal:
    if product.tracks_lots:
        return sum((lot.quantity - lot.quantity_reserved for lot in lots), Decimal("0"))
    return product.stock_on_hand - product.stock_reserved


def reserve(lines, rule: ShelfLifeRule | None = None) -> None:
    """Reserve stock for ``lines`` (OrderLine objects with product_id and quantity, flushed).

    With a ``rule``, lots that would arrive with too little shelf life are not taken.
    All or nothing: raises InsufficientStock naming every short line.
    """
    products = lock_products(line.product_id for line in lines)
    wanted: dict[int, Decimal] = {}
    for line in lines:
        wanted[line.product_id] = wanted.get(line.product_id, Decimal("0")) + line.quantity
    lots = {pid: _usable_lots(pid) for pid, p in products.items() if p.tracks_lots}
    too_short_lived = set()
    if rule is not None:
        for pid, product_lots in lots.items():
            fitting = [lot for lot in product_lots if rule.fits(lot)]
            if len(fitting) < len(product_lots):
                too_short_lived.add(pid)
            lots[pid] = fitting
    short = [
        Shortfall(
            pid,
            qty,
            max(_available(products[pid], lots.get(pid, [])), Decimal("0")),
            rule.arrives_on if pid in too_short_lived else None,
        )
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
