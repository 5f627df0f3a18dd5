"""The buyer's cart: products of any producers, checked out as one order per producer."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from catalog.data import UNIT_LABELS
from catalog.queries import available_stock, listing_options
from core.errors import AppError, NotFound
from core.extensions import db
from core.i18n import plain_decimal
from core.money import round_money
from marketplace.models import CartItem, Checkout
from marketplace.services import orders as order_service
from marketplace.services import stock


@dataclass
class CartLine:
    item: CartItem
    product: object
    quantity: Decimal
    unit_price: Decimal | None
    line_total: Decimal | None
    moq: Decimal | None
    below_moq: bool
    available: Decimal
    #: The next tier: (threshold, price) or None.
    next_tier: tuple[Decimal, Decimal] | None


@dataclass
class CartGroup:
    producer: object
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return round_money(sum((ln.line_total or Decimal("0") for ln in self.lines), Decimal("0")))

    @property
    def ready(self) -> bool:
        return all(not ln.below_moq and ln.quantity <= ln.available for ln in self.lines)


def _items(buyer):
    return (
        db.session.scalars(
            select(CartItem)
            .where(CartItem.buyer_id == buyer.id)
            .options(joinedload(CartItem.product).options(*listing_options()))
            .order_by(CartItem.added_at, CartItem.id)
        )
        .unique()
        .all()
    )


def view(buyer) -> list[CartGroup]:
    groups: dict[int, CartGroup] = {}
    for item in _items(buyer):
        product = item.product
        price = product.unit_price_for(item.quantity)
        upcoming = [
            (t.min_quantity, t.unit_price) for t in product.price_tiers if t.min_quantity > item.quantity
        ]
        group = groups.setdefault(product.producer_id, CartGroup(product.producer))
        group.lines.append(
            CartLine(
                item=item,
                product=product,
                quantity=item.quantity,
                unit_price=price,
                line_total=round_money(item.quantity * price) if price is not None else None,
                moq=product.moq,
                below_moq=price is None,
                available=available_stock(product),
                next_tier=upcoming[0] if upcoming else None,
            )
        )
    return list(groups.values())


def total(groups: list[CartGroup]) -> Decimal:
    return round_money(sum((g.subtotal for g in groups), Decimal("0")))


def count(buyer) -> int:
    return len(db.session.scalars(select(CartItem.id).where(CartItem.buyer_id == buyer.id)).all())


def add(buyer, product_id: int, quantity_text, replace: bool = False, *, localized: bool = False) -> CartItem:
    """Put a product in the cart (or change its quantity). The MOQ and the stock apply here
    already, each refusal naming the quantity and the unit.

    ``localized``: the quantity was typed on a page, in the page's language ("1,5" in Russian).

    :raise 404: not orderable; :raise 422: bad quantity or below the MOQ;
    :raise 409: more than is available
    """
    order_service._require_buyer(buyer)
    product = order_service.orderable_product(product_id, buyer)
    quantity = order_service.parse_quantity(quantity_text, product, localized=localized)
    item = db.session.scalar(
        select(CartItem).where(CartItem.buyer_id == buyer.id, CartItem.product_id == product.id)
    )
    new_quantity = quantity if (replace or item is None) else item.quantity + quantity
    unit = UNIT_LABELS.get(product.unit, product.unit)
    if product.moq and new_quantity < product.moq:
        message = _l(
            "The minimum order is %(moq)s %(unit)s; the cart would hold %(quantity)s %(unit)s.",
            moq=plain_decimal(product.moq),
            quantity=plain_decimal(new_quantity),
            unit=unit,
        )
        raise order_service.BelowMoq(
            message,
            fields={"quantity": [message]},
            extra={
                "below_moq": [
                    {"product_id": product.id, "quantity": str(new_quantity), "moq": str(product.moq)}
                ]
            },
        )
    available = available_stock(product)
    if new_quantity > available:
        message = _l(
            "Only %(available)s %(unit)s in stock; the cart would hold %(quantity)s %(unit)s.",
            available=plain_decimal(available),
            quantity=plain_decimal(new_quantity),
            unit=unit,
        )
        raise AppError(
            message,
            status=409,
            code="insufficient_stock",
            fields={"quantity": [message]},
            extra={
                "shortfalls": [
                    {"product_id": product.id, "requested": str(new_quantity), "available": str(available)}
                ]
            },
        )
    order_service.price_lines([{"product_id": product.id, "quantity": new_quantity}], buyer)
    if item is None:
        item = CartItem(buyer_id=buyer.id, product_id=product.id, quantity=new_quantity)
        db.session.add(item)
    else:
        item.quantity = new_quantity
    db.session.commit()
    return item


def set_quantity(buyer, item_id: int, quantity_text, *, localized: bool = False) -> CartItem:
    """Change the quantity of one of the buyer's cart lines (MOQ and stock apply).

    :raise 404: not a line of this buyer's cart; :raise 422: bad quantity or below the MOQ
    """
    item = db.session.get(CartItem, item_id)
    if item is None or item.buyer_id != buyer.id:
        raise NotFound(_l("This line is no longer in your cart."))
    return add(buyer, item.product_id, quantity_text, replace=True, localized=localized)


def remove(buyer, item_id: int) -> None:
    item = db.session.get(CartItem, item_id)
    if item is None or item.buyer_id != buyer.id:
        raise NotFound()
    db.session.delete(item)
    db.session.commit()


def checkout(buyer, details: dict) -> Checkout:
    """One order per producer, all in one transaction; the cart empties on success.

    :raise 422: the cart is empty or a line is below its MOQ
    :raise 409: not enough stock (every short line of every producer named)
    """
    order_service._require_buyer(buyer)
    items = _items(buyer)
    if not items:
        raise AppError(_l("Your cart is empty."), status=422, code="cart_empty")
    by_producer: dict[int, list[dict]] = {}
    for item in items:
        by_producer.setdefault(item.product.producer_id, []).append(
            {"product_id": item.product_id, "quantity": item.quantity}
        )
    created = Checkout(buyer_id=buyer.id)
    db.session.add(created)
    shortfalls = []
    try:
        for lines in by_producer.values():
            try:
                order_service.place_order(buyer, {**details, "lines": lines}, checkout=created, commit=False)
            except stock.InsufficientStock as exc:
                shortfalls += exc.shortfalls
        if shortfalls:
            raise stock.InsufficientStock(shortfalls)
        db.session.execute(delete(CartItem).where(CartItem.buyer_id == buyer.id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return created
