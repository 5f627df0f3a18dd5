"""Query building blocks the services, the search and other modules share."""

from decimal import Decimal

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from catalog.data import ORGANIC_KINDS
from catalog.models import Category, Certificate, District, Lot, Producer, Product, today
from core.extensions import db


def categories() -> list[Category]:
    """The category tree, in display order."""
    return db.session.scalars(select(Category).order_by(Category.position, Category.code)).all()


def districts() -> list[District]:
    return db.session.scalars(select(District).order_by(District.name_en)).all()


def visible_products_query(user):
    """Products ``user`` may see: buyers and visitors only active ones of verified producers;
    a farmer also every one of their own; an admin all."""
    stmt = select(Product).join(Product.producer)
    return stmt.where(visibility_clause(user))


def visibility_clause(user):
    public = and_(Product.status == "active", Producer.status == "verified")
    if user is None:
        return public
    if user.role == "admin":
        return true()
    if user.role == "farmer":
        return or_(public, Producer.owner_id == user.id)
    return public


def listing_options():
    """Eager loading for lists and pages: a fixed number of queries whatever the page size."""
    return (
        joinedload(Product.producer).joinedload(Producer.district),
        joinedload(Product.category),
        selectinload(Product.price_tiers),
        selectinload(Product.lots),
        selectinload(Product.photos),
        selectinload(Product.producer, Producer.certificates),
    )


def available_stock(product: Product) -> Decimal:
    """Sellable now: unexpired lots less reservations, or stock on hand less reservations."""
    if product.tracks_lots:
        return sum((lot.available for lot in product.lots), Decimal("0"))
    return max(product.stock_on_hand - product.stock_reserved, Decimal("0"))


def in_stock_clause():
    on = today()
    lot_available = exists().where(
        Lot.product_id == Product.id,
        Lot.best_before >= on,
        Lot.quantity > Lot.quantity_reserved,
        Lot.archived_at.is_(None),
    )
    return or_(
        and_(Product.tracks_lots == false(), Product.stock_on_hand > Product.stock_reserved),
        and_(Product.tracks_lots == true(), lot_available),
    )


def organic_clause(claim: str):
    """Products whose ``claim`` ("cn" or "ru") is backed by a valid certificate today."""
    on = today()
    backed = exists().where(
        Certificate.producer_id == Product.producer_id,
        Certificate.kind == ORGANIC_KINDS[claim],
        Certificate.valid_from <= on,
        Certificate.valid_until >= on,
    )
    return and_(Product.organic_claim == true(), backed)
