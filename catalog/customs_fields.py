"""A product's customs data, read from the API's or a form's data: its GTIN (check digit
validated), its package (kind, units of sale per package, tare, packages per pallet) for the
packing list, and its GB 28050 nutrition per 100 g or 100 ml for the Chinese label."""

from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.data import (
    NRV,
    NUTRITION_BASES,
    PACKAGE_KINDS,
    PACKAGE_SIZE_MAX,
    PACKAGE_SIZE_UNITS,
    UNPACKED_KINDS,
)
from core import identifiers
from core.extensions import db

#: Highest plausible value per 100 g/ml (energy of pure fat ≈ 3,700 kJ; salt is 39 % sodium).
NUTRIENT_MAX = {
    "energy_kj": Decimal("3800"),
    "protein_g": Decimal("100"),
    "fat_g": Decimal("100"),
    "carbohydrate_g": Decimal("100"),
    "sodium_mg": Decimal("40000"),
}


def customs_values(data: dict, product, error) -> dict:
    """Column values for ``gtin``, ``package`` and ``nutrition``; ``error(field, message)``."""
    values = {}
    if "gtin" in data:
        gtin = "".join(str(data["gtin"] or "").split()) or None
        if gtin is not None and not identifiers.gtin_valid(gtin):
            error("gtin", _l("A GTIN has 8, 12, 13 or 14 digits and a valid check digit."))
        elif gtin is not None:
            from catalog.models import Product

            clash = db.session.scalar(select(Product.id).where(Product.gtin == gtin))
            if clash is not None and (product is None or clash != product.id):
                error("gtin", _l("Another product has this GTIN."))
        values["gtin"] = gtin
    if "package" in data:
        unit = data.get("unit") or (product.unit if product is not None else None)
        values.update(_package(data["package"], unit, error))
    if "nutrition" in data:
        values.update(_nutrition(data["nutrition"], error))
    return values


def _package(package, unit: str | None, error) -> dict:
    if not package:
        return {
            "package_kind": None,
            "units_per_package": None,
            "package_tare_kg": None,
            "packages_per_pallet": None,
            "package_size": None,
            "package_size_unit": None,
        }
    kind, units = package.get("kind"), package.get("units_per_package")
    tare, per_pallet = package.get("tare_kg"), package.get("per_pallet")
    amount, size_unit = _size(package.get("size"), error)
    if not kind:
        error("package.kind", _l("Choose the kind of package."))
    elif kind not in PACKAGE_KINDS:
        error("package.kind", _l("Unknown kind of package."))
    if kind in UNPACKED_KINDS:
        # Goods loose in the vehicle: nothing to count, weigh as tare or stack on pallets.
        units = tare = per_pallet = amount = size_unit = None
    elif units is None and amount is not None:
        units = _units_in(amount, size_unit, unit)
    if kind not in UNPACKED_KINDS and (not isinstance(units, Decimal) or units <= 0):
        error("package.units_per_package", _l("How many units of sale one package holds (above zero)."))
    if tare is not None and (not isinstance(tare, Decimal) or tare < 0):
        error("package.tare_kg", _l("The tare cannot be negative."))
    if per_pallet is not None and (not isinstance(per_pallet, int) or per_pallet <= 0):
        error("package.per_pallet", _l("Must be greater than zero."))
    return {
        "package_kind": kind,
        "units_per_package": units,
        "package_tare_kg": tare,
        "packages_per_pallet": per_pallet,
        "package_size": amount,
        "package_size_unit": size_unit,
    }


def _size(size, error) -> tuple[Decimal | None, str | None]:
    """A package's ``{"amount", "unit"}`` → (amount, unit), or (None, None) when not given."""
    if not size or (size.get("amount") is None and not size.get("unit")):
        return None, None
    amount, unit = size.get("amount"), size.get("unit")
    if unit not in PACKAGE_SIZE_UNITS:
        error("package.size.unit", _l("A package's size is given in kg, tonnes or litres."))
    if not isinstance(amount, Decimal) or amount <= 0 or amount > PACKAGE_SIZE_MAX:
        error("package.size.amount", _l("A package's size is above zero and at most 100,000."))
    elif -amount.normalize().as_tuple().exponent > 3:
        error("package.size.amount", _l("At most %(places)d decimal places.", places=3))
    return amount, unit


#: Kilograms in one unit of each weight measure.
_KG = {"kg": Decimal(1), "tonne": Decimal(1000)}


def _units_in(amount: Decimal, size_unit: str | None, unit: str | None) -> Decimal | None:
    """Units of sale in a package of ``amount`` ``size_unit`` when the two measure alike
    (a 1 t big bag holds 1000 units of a product sold by the kg); None otherwise."""
    if size_unit == unit:
        return amount
    if size_unit in _KG and unit in _KG:
        return Decimal(format((amount * _KG[size_unit] / _KG[unit]).normalize(), "f"))
    return None


def _nutrition(nutrition, error) -> dict:
    if not nutrition:
        return {"nutrition_basis": None, **{key: None for key in NRV}}
    values = {"nutrition_basis": nutrition.get("basis")}
    if values["nutrition_basis"] not in NUTRITION_BASES:
        error("nutrition.basis", _l("Nutrition is given per 100g or per 100ml."))
    for key in NRV:
        value = nutrition.get(key)
        if value is None:
            error(f"nutrition.{key}", _l("GB 28050 needs energy, protein, fat, carbohydrate and sodium."))
        elif not isinstance(value, Decimal) or value < 0 or value > NUTRIENT_MAX[key]:
            error(f"nutrition.{key}", _l("Not a plausible value per 100 g or 100 ml."))
        values[key] = value
    grams = sum(
        (values[k] or Decimal(0))
        for k in ("protein_g", "fat_g", "carbohydrate_g")
        if isinstance(values[k], Decimal)
    )
    if grams > 100:
        error("nutrition", _l("Protein, fat and carbohydrate cannot weigh more than 100 g per 100 g."))
    return values


def package_json(product) -> dict | None:
    if not product.package_kind:
        return None
    size = product.package_size_or_units
    labels = {}
    for lang in ("zh", "ru", "en"):
        with force_locale(lang):
            labels[lang] = product.packaging_label
    return {
        "kind": product.package_kind,
        "units_per_package": product.units_per_package,
        "tare_kg": product.package_tare_kg,
        "per_pallet": product.packages_per_pallet,
        "size": {"amount": size[0], "unit": size[1]} if size else None,
        "label": labels,
    }


def packing(product, quantity: Decimal, package=None) -> dict:
    """How ``quantity`` units of sale travel: packages of the product's kind (the last one
    partly filled), net, tare and gross weight, pallets. Without package data: one lot of
    goods at the product's gross weight per unit. ``package``: what holds the package columns
    when not the product (an order line's copy of it)."""
    package = product if package is None else package
    net = (quantity * product.net_weight_kg).quantize(Decimal("0.001"))
    if not package.package_kind or not package.units_per_package:
        gross = (quantity * (product.gross_weight_kg or product.net_weight_kg)).quantize(Decimal("0.001"))
        return {"kind": None, "count": None, "net_kg": net, "gross_kg": gross, "pallets": None}
    count = int(-(-quantity // package.units_per_package))
    tare = (package.package_tare_kg or Decimal("0")) * count
    pallets = -(-count // package.packages_per_pallet) if package.packages_per_pallet else None
    return {
        "kind": package.package_kind,
        "count": count,
        "net_kg": net,
        "gross_kg": (net + tare).quantize(Decimal("0.001")),
        "pallets": pallets,
    }


def net_content(product) -> str | None:
    """Net content of one package in legal units (GB 7718: g, kg, ml, L)."""
    if not product.units_per_package:
        return None
    if product.unit == "litre":
        litres = product.units_per_package
        return f"{(litres * 1000).normalize():f} mL" if litres < 1 else f"{litres.normalize():f} L"
    kg = product.units_per_package * product.net_weight_kg
    return f"{(kg * 1000).normalize():f} g" if kg < 1 else f"{kg.normalize():f} kg"
