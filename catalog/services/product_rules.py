"""The field rules of a product, shared by the forms, the API and the bulk import."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from catalog.customs_fields import customs_values
from catalog.data import PRODUCT_STATUSES, UNITS
from catalog.models import Category, Producer, Product
from catalog.services.common import LANGS, clean, invalid, quantity_ok
from catalog.trade_fields import code_values, price_basis_values
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from core.i18n import note_language


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


@dataclass
class ProductCheck:
    """One run of the rules over ``data``: the column values found and the errors by field."""

    producer: Producer
    data: dict
    product: Product | None
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    tiers: list | None = None

    def error(self, key: str, message) -> None:
        self.errors.setdefault(key, []).append(message)

    def current(self, column: str):
        """The value ``column`` will have: the new one if given, else the product's."""
        return self.values.get(column, getattr(self.product, column) if self.product else None)

    @property
    def unit(self):
        return self.data.get("unit", self.product.unit if self.product else None)


def _names(check: ProductCheck, names) -> None:
    for lang in LANGS:
        check.values[f"name_{lang}"] = clean((names or {}).get(lang))[:200]
    if not any(check.values[f"name_{lang}"] for lang in LANGS):
        check.error("name", _l("Give the product a name in at least one language."))


def _descriptions(check: ProductCheck, descriptions) -> None:
    for lang in LANGS:
        check.values[f"description_{lang}"] = clean((descriptions or {}).get(lang))[:5000]


def _category(check: ProductCheck, code) -> None:
    if (db.session.get(Category, code) if code else None) is None:
        check.error("category", _l("Unknown category."))
    check.values["category_code"] = code


def _tariff_codes(check: ProductCheck, _value) -> None:
    # The Chinese and the TN VED code are read together: they must name the same subheading.
    check.values.update(code_values(check.data, check.product, check.error))


def _price_basis(check: ProductCheck, basis) -> None:
    check.values.update(price_basis_values(basis, check.error))


def _unit(check: ProductCheck, unit) -> None:
    if unit not in UNITS:
        check.error("unit", _l("Unknown unit of sale."))
    check.values["unit"] = unit


def _weight(key: str):
    def rule(check: ProductCheck, value) -> None:
        if value is not None and (not isinstance(value, Decimal) or value <= 0):
            check.error(key, _l("Must be greater than zero."))
        check.values[key] = value

    return rule


def _text(key: str, limit: int):
    def rule(check: ProductCheck, value) -> None:
        check.values[key] = clean(value)[:limit]

    return rule


def _packaging_note(check: ProductCheck, value) -> None:
    """The free note on the packing, with the language it is written in for the ``lang`` tag."""
    note = clean(value)[:300]
    check.values["packaging"] = note
    check.values["packaging_lang"] = note_language(note)


def _organic_claim(check: ProductCheck, value) -> None:
    check.values["organic_claim"] = bool(value)


def _storage_temp(check: ProductCheck, temp) -> None:
    low, high = (temp or {}).get("min"), (temp or {}).get("max")
    if low is not None and high is not None and low > high:
        check.error("storage_temp_c", _l("The lowest storage temperature is above the highest."))
    check.values["storage_temp_min_c"], check.values["storage_temp_max_c"] = low, high


def _shelf_life(check: ProductCheck, days) -> None:
    if days is not None and days <= 0:
        check.error("shelf_life_days", _l("Must be greater than zero."))
    check.values["shelf_life_days"] = days


def _status(check: ProductCheck, status) -> None:
    status = status or "draft"
    if status not in PRODUCT_STATUSES:
        check.error("status", _l("Unknown status."))
    check.values["status"] = status


def _stock(check: ProductCheck, stock) -> None:
    if stock is None:
        return
    product, unit = check.product, check.unit
    if not isinstance(stock, Decimal) or stock < 0:
        check.error("stock_quantity", _l("Stock cannot be negative."))
    elif unit in UNITS and not quantity_ok(stock, unit):
        check.error("stock_quantity", _l("This unit is sold in whole numbers."))
    elif product is not None and product.tracks_lots:
        check.error(
            "stock_quantity", _l("This product keeps its stock in lots: add or change a lot instead.")
        )
    elif product is not None and stock < product.stock_reserved:
        check.error("stock_quantity", _l("Open orders hold more than this."))
    check.values["stock_on_hand"] = stock


@dataclass(frozen=True)
class FieldRule:
    #: The field in the API's shape (the form maps its own names onto these).
    key: str
    #: ``check(product_check, value)``: writes column values, reports errors.
    check: Callable[[ProductCheck, Any], None]
    #: A new product is checked even without the field (its value is then None).
    on_create: bool = False
    #: Checked on every change, given or not (it reads ``data`` itself).
    always: bool = False


#: Each field a product is made of, in the order its errors are reported.
def _customs(check: ProductCheck, _value) -> None:
    """GTIN, package and nutrition (catalog.customs_fields reads whichever are given)."""
    check.values.update(customs_values(check.data, check.product, check.error))


FIELD_RULES = (
    FieldRule("name", _names, on_create=True),
    FieldRule("description", _descriptions),
    FieldRule("category", _category, on_create=True),
    FieldRule("hs_code", _tariff_codes, always=True),
    FieldRule("gtin", _customs, always=True),
    FieldRule("price_basis", _price_basis),
    FieldRule("unit", _unit, on_create=True),
    FieldRule("net_weight_kg", _weight("net_weight_kg"), on_create=True),
    FieldRule("gross_weight_kg", _weight("gross_weight_kg")),
    FieldRule("packaging", _packaging_note),
    FieldRule("origin", _text("origin", 200)),
    FieldRule("ingredients_zh", _text("ingredients_zh", 2000)),
    FieldRule("allergens_zh", _text("allergens_zh", 500)),
    FieldRule("organic_claim", _organic_claim),
    FieldRule("storage_temp_c", _storage_temp),
    FieldRule("shelf_life_days", _shelf_life),
    FieldRule("status", _status, on_create=True),
    FieldRule("stock_quantity", _stock),
)


def _net_weight_given(check: ProductCheck) -> None:
    if (
        check.product is None
        and check.values.get("net_weight_kg") is None
        and "net_weight_kg" not in check.errors
    ):
        check.error("net_weight_kg", _l("Enter the net weight of one unit."))


def _gross_not_below_net(check: ProductCheck) -> None:
    net, gross = check.current("net_weight_kg"), check.current("gross_weight_kg")
    if net and gross and gross < net and not check.errors.get("gross_weight_kg"):
        check.error("gross_weight_kg", _l("The gross weight cannot be below the net weight."))


def _price_tiers(check: ProductCheck) -> None:
    """New tiers are checked in the (new) unit; so are the old ones when only the unit changes."""
    data, product, unit = check.data, check.product, check.unit
    try:
        if "price_tiers" in data or product is None:
            check.tiers = check_tiers(data.get("price_tiers") or [], unit if unit in UNITS else "kg")
        elif "unit" in data:
            old = [
                {"min_quantity": t.min_quantity.normalize(), "unit_price": t.unit_price}
                for t in product.price_tiers
            ]
            check_tiers(old, unit)
    except ValidationFailed as exc:
        check.errors.update(exc.fields)


def _hs_code_fits_category(check: ProductCheck) -> None:
    code, hs_code = check.values.get("category_code"), check.values.get("hs_code")
    if not (code and hs_code) or check.errors:
        return
    category = db.session.get(Category, code)
    if category is not None and not category.hs_code_plausible(hs_code):
        check.error(
            "hs_code",
            _l(
                "This HS heading does not fit the category (expected one of %(prefixes)s).",
                prefixes=category.hs_prefixes.replace(",", ", "),
            ),
        )


#: Rules across fields, run after every field's own (the last only on otherwise valid data).
CROSS_RULES = (_net_weight_given, _gross_not_below_net, _price_tiers, _hs_code_fits_category)


def validate_product(producer: Producer, data: dict, product: Product | None = None) -> dict:
    """Column values and tiers from ``data``; raises ValidationFailed with every field error.

    :raise Forbidden: publishing (status active) while the producer is not verified
    """
    check = ProductCheck(producer, data, product)
    for rule in FIELD_RULES:
        if rule.always or rule.key in data or (rule.on_create and product is None):
            rule.check(check, data.get(rule.key))
    for rule in CROSS_RULES:
        rule(check)
    if check.errors:
        raise ValidationFailed(_l("Some fields are not valid."), fields=check.errors)
    if check.values.get("status") == "active" and (product is None or product.status != "active"):
        _require_verified(producer)
    return {"values": check.values, "tiers": check.tiers}
