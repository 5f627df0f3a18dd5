"""The field rules of a product, shared by the forms, the API and the bulk import."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from catalog.data import PRODUCT_STATUSES, UNITS
from catalog.models import Category, Producer, Product
from catalog.services.common import LANGS, clean, invalid, quantity_ok
from catalog.trade_fields import code_values, price_basis_values
from core.errors import Forbidden, ValidationFailed
from core.extensions import db


def _require_verified(producer: Producer) -> None:
    if not producer.verified:
        raise Forbidden(
            _l("Your producer profile is not verified yet: products can be published after the review."),
            code="producer_not_verified",
        )


def check_tiers(tiers: list, unit: str) -> list[tuple[Decimal, Decimal]]:
    """Tiers as (min_quantity, unit_price), thresholds increasing, prices positive and not rising."""
    if not tiers:
        raise invalid("price_tiers", _l("Give at least one price tier; its quantity is the minimum order."))
    pairs = []
    for tier in tiers:
        quantity, price = tier.get("min_quantity"), tier.get("unit_price")
        if not isinstance(quantity, Decimal) or quantity <= 0:
            raise invalid("price_tiers", _l("Every tier needs a quantity above zero."))
        if not isinstance(price, Decimal) or price <= 0:
            raise invalid("price_tiers", _l("Every tier needs a price above zero."))
        if not quantity_ok(quantity, unit):
            raise invalid("price_tiers", _l("This unit is sold in whole numbers."))
        if -price.as_tuple().exponent > 2:
            raise invalid("price_tiers", _l("Prices have at most 2 decimal places."))
        pairs.append((quantity, price))
    for (q1, p1), (q2, p2) in zip(pairs, pairs[1:], strict=False):
        if q2 <= q1:
            raise invalid("price_tiers", _l("Tier quantities must strictly increase."))
        if p2 > p1:
            raise invalid("price_tiers", _l("A larger quantity cannot cost more per unit."))
    return pairs


def validate_product(producer: Producer, data: dict, product: Product | None = None) -> dict:
    """Column values and tiers from ``data``; raises ValidationFailed with every field error."""
    values: dict = {}
    errors: dict = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if "name" in data or product is None:
        names = data.get("name") or {}
        for lang in LANGS:
            values[f"name_{lang}"] = clean(names.get(lang))[:200]
        if not any(values[f"name_{lang}"] for lang in LANGS):
            error("name", _l("Give the product a name in at least one language."))
    if "description" in data:
        descriptions = data.get("description") or {}
        for lang in LANGS:
            values[f"description_{lang}"] = clean(descriptions.get(lang))[:5000]
    if "category" in data or product is None:
        code = data.get("category")
        category = db.session.get(Category, code) if code else None
        if category is None:
            error("category", _l("Unknown category."))
        values["category_code"] = code
    values.update(code_values(data, product, error))
    if "price_basis" in data:
        values.update(price_basis_values(data["price_basis"], error))
    unit = data.get("unit", product.unit if product else None)
    if "unit" in data or product is None:
        if unit not in UNITS:
            error("unit", _l("Unknown unit of sale."))
        values["unit"] = unit
    for key in ("net_weight_kg", "gross_weight_kg"):
        if key in data or (product is None and key == "net_weight_kg"):
            value = data.get(key)
            if value is not None and (not isinstance(value, Decimal) or value <= 0):
                error(key, _l("Must be greater than zero."))
            values[key] = value
    if product is None and values.get("net_weight_kg") is None and "net_weight_kg" not in errors:
        error("net_weight_kg", _l("Enter the net weight of one unit."))
    net = values.get("net_weight_kg", product.net_weight_kg if product else None)
    gross = values.get("gross_weight_kg", product.gross_weight_kg if product else None)
    if net and gross and gross < net and not errors.get("gross_weight_kg"):
        error("gross_weight_kg", _l("The gross weight cannot be below the net weight."))
    for key, limit in (("packaging", 300), ("origin", 200), ("ingredients_zh", 2000), ("allergens_zh", 500)):
        if key in data:
            values[key] = clean(data.get(key))[:limit]
    if "organic_claim" in data:
        values["organic_claim"] = bool(data["organic_claim"])
    if "storage_temp_c" in data:
        temp = data.get("storage_temp_c") or {}
        low, high = temp.get("min"), temp.get("max")
        if low is not None and high is not None and low > high:
            error("storage_temp_c", _l("The lowest storage temperature is above the highest."))
        values["storage_temp_min_c"], values["storage_temp_max_c"] = low, high
    if "shelf_life_days" in data:
        days = data.get("shelf_life_days")
        if days is not None and days <= 0:
            error("shelf_life_days", _l("Must be greater than zero."))
        values["shelf_life_days"] = days
    if "status" in data or product is None:
        status = data.get("status") or "draft"
        if status not in PRODUCT_STATUSES:
            error("status", _l("Unknown status."))
        values["status"] = status
    if "stock_quantity" in data and data["stock_quantity"] is not None:
        stock = data["stock_quantity"]
        if not isinstance(stock, Decimal) or stock < 0:
            error("stock_quantity", _l("Stock cannot be negative."))
        elif unit in UNITS and not quantity_ok(stock, unit):
            error("stock_quantity", _l("This unit is sold in whole numbers."))
        elif product is not None and product.tracks_lots:
            error("stock_quantity", _l("This product keeps its stock in lots: add or change a lot instead."))
        elif product is not None and stock < product.stock_reserved:
            error("stock_quantity", _l("Open orders hold more than this."))
        values["stock_on_hand"] = stock
    tiers = None
    if "price_tiers" in data or product is None:
        try:
            tiers = check_tiers(data.get("price_tiers") or [], unit if unit in UNITS else "kg")
        except ValidationFailed as exc:
            errors.update(exc.fields)
    elif "unit" in data and product is not None:
        try:
            check_tiers(
                [
                    {"min_quantity": t.min_quantity.normalize(), "unit_price": t.unit_price}
                    for t in product.price_tiers
                ],
                unit,
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if values.get("category_code") and values.get("hs_code") and not errors:
        category = db.session.get(Category, values["category_code"])
        if category is not None and not category.hs_code_plausible(values["hs_code"]):
            error(
                "hs_code",
                _l(
                    "This HS heading does not fit the category (expected one of %(prefixes)s).",
                    prefixes=category.hs_prefixes.replace(",", ", "),
                ),
            )
    if errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=errors)
    if values.get("status") == "active" and (product is None or product.status != "active"):
        _require_verified(producer)
    return {"values": values, "tiers": tiers}
