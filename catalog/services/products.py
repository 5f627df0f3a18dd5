"""Products: reading what a user may see, listing, changing and archiving a product."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from catalog import readmodel, search
from catalog.data import PRODUCT_STATUSES
from catalog.models import Category, Producer, Product, ProductPriceTier
from catalog.queries import listing_options
from catalog.services.producers import producer_of, require_producer
from catalog.services.product_rules import validate_product
from catalog.signals import product_changed, product_published
from core.errors import Forbidden, NotFound
from core.extensions import db
from core.logs import audit


def get_product(user, product_id: int) -> Product:
    """:raise NotFound: no such product, or ``user`` may not see it."""
    product = db.session.scalar(select(Product).where(Product.id == product_id).options(*listing_options()))
    if product is None or not product.visible_to(user):
        raise NotFound(_l("No such product."))
    return product


def read_product(user, product_id: int) -> Product:
    """:func:`get_product` for a read that changes nothing: one statement on PostgreSQL
    (``catalog.readmodel``). :raise NotFound: no such product, or ``user`` may not see it."""
    product = readmodel.load_product(product_id)
    if product is None or not product.visible_to(user):
        raise NotFound(_l("No such product."))
    return product


def get_product_for_edit(user, product_id: int) -> Product:
    """The owner's product. :raise NotFound: invisible to ``user``; :raise Forbidden: not theirs."""
    product = get_product(user, product_id)
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    return product


def apply_product(product: Product, checked: dict) -> Product:
    """Write validated values (no commit): tiers, denormalised prices, search lexemes; a
    product that becomes active is announced (``product_published``)."""
    publishing = checked["values"].get("status") == "active" and product.status != "active"
    before = {"stock_on_hand": product.stock_on_hand, "status": product.status}
    old_tiers = [(t.min_quantity, t.unit_price) for t in product.price_tiers] if product.id else []
    was_active = product.id is not None and product.status == "active"
    changed = [key for key, value in checked["values"].items() if getattr(product, key) != value]
    for key, value in checked["values"].items():
        setattr(product, key, value)
    if checked["tiers"] is not None:
        if product.id is not None and product.price_tiers:
            product.price_tiers.clear()
            db.session.flush()  # old tiers go before new ones take their (product, quantity) keys
        product.price_tiers = [ProductPriceTier(min_quantity=q, unit_price=p) for q, p in checked["tiers"]]
    prices = [t.unit_price for t in product.price_tiers]
    product.price_min_cny = min(prices) if prices else None
    product.price_max_cny = max(prices) if prices else None
    if product.category is None or product.category.code != product.category_code:
        product.category = db.session.get(Category, product.category_code)
    search.index_product(product)
    _log_changes(product, before, old_tiers)
    if publishing:
        db.session.flush()
        product_published.send(product)
    elif was_active and changed:
        db.session.flush()
        product_changed.send(product, changed=changed)
    return product


def _log_changes(product: Product, before: dict, old_tiers: list) -> None:
    """Stock, status and prices are what buyers rely on: each change is logged with its actor."""
    new_tiers = [(t.min_quantity, t.unit_price) for t in product.price_tiers]
    if before["stock_on_hand"] == product.stock_on_hand and before["status"] == product.status:
        if new_tiers == old_tiers:
            return
    db.session.flush()  # a new product's id
    if before["stock_on_hand"] != product.stock_on_hand:
        audit(
            "stock.adjusted",
            product_id=product.id,
            producer_id=product.producer_id,
            from_quantity=before["stock_on_hand"],
            to_quantity=product.stock_on_hand,
        )
    if before["status"] != product.status:
        audit(
            "product.status",
            product_id=product.id,
            producer_id=product.producer_id,
            from_status=before["status"],
            to_status=product.status,
        )
    if new_tiers != old_tiers:
        audit(
            "product.prices",
            product_id=product.id,
            producer_id=product.producer_id,
            tiers=[f"{q}:{p}" for q, p in new_tiers],
        )


def create_product(user, data: dict) -> Product:
    """A farmer lists a product. Before the producer is verified it can only be a draft,
    published (status active) after the review.

    :raise Forbidden: not a farmer, no producer profile, or publishing while unverified
    :raise ValidationFailed: any bad field (nothing is written)
    """
    if user is None or user.role != "farmer":
        raise Forbidden(_l("Only farmers list products."))
    producer = require_producer(user)
    checked = validate_product(producer, data)
    product = Product(producer=producer, stock_on_hand=Decimal("0"), stock_reserved=Decimal("0"))
    db.session.add(product)
    apply_product(product, checked)
    db.session.commit()
    return product


def update_product(user, product: Product, data: dict) -> Product:
    """The owner changes a product; publishing needs a verified producer."""
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    checked = validate_product(product.producer, data, product)
    apply_product(product, checked)
    db.session.commit()
    return product


def archive_product(user, product: Product) -> Product:
    """The owner (or an admin, to take a listing down) archives; buyers no longer see it."""
    if not (product.owned_by(user) or (user is not None and user.role == "admin")):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    audit("product.status", user, product_id=product.id, from_status=product.status, to_status="archived")
    product.status = "archived"
    db.session.commit()
    return product


def my_products(user, status: str | None = None):
    producer = producer_of(user)
    if producer is None:
        return []
    stmt = (
        select(Product)
        .where(Product.producer_id == producer.id)
        .options(*listing_options())
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status in PRODUCT_STATUSES:
        stmt = stmt.where(Product.status == status)
    return db.session.scalars(stmt).unique().all()


def count_products(producer: Producer) -> int:
    return db.session.scalar(select(func.count(Product.id)).where(Product.producer_id == producer.id))
