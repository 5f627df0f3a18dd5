"""What goods cost delivered to the Harbin Daowai warehouse: an estimate in CNY.

    goods          = quantity × tier unit price
    freight        = gross weight (net when no gross is known) × tariff CNY/kg (mode, crossing)
    insurance      = (goods + freight) × insurance %            (China customs' default 0.3 %)
    customs_value  = goods + freight + insurance
    duty           = customs_value × duty %                     (longest matching HS prefix)
    vat            = (customs_value + duty) × VAT %
    total          = customs_value + duty + vat

Rounding: each component is computed exactly from the rounded amounts it rests on and then
rounded to 0.01 CNY half up; ``customs_value`` and ``total`` are sums of rounded components,
so the breakdown always adds up. An order (or cart) is the sum of its lines' breakdowns.

An HS code without a duty rate gives ``duty``, ``vat`` and ``total`` null with a warning —
never a silent 0 %.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.models import Product
from catalog.queries import listing_options
from core.errors import AppError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.money import round_money
from logistics.models import BorderCrossing
from marketplace.services import cart as cart_service
from marketplace.services.orders import order_for, parse_quantity
from trade.models import TRANSPORT_MODES, DutyRate, FreightTariff

DEFAULT_MODE = "rail"
DEFAULT_CROSSING = "zabaikalsk-manzhouli"
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


class BelowMoq(ValidationFailed):
    code = "below_moq"


class NoTariff(ValidationFailed):
    code = "no_freight_tariff"


def insurance_percent() -> Decimal:
    value = Decimal(str(current_app.config.get("LANDED_COST_INSURANCE_PERCENT", "0.3")))
    if not (0 <= value <= 10):
        raise ValueError("LANDED_COST_INSURANCE_PERCENT must be between 0 and 10")
    return value


def duty_rate_for(hs_code: str) -> DutyRate | None:
    """The rate of the longest prefix of ``hs_code`` on file (4 to 10 digits)."""
    digits = "".join(ch for ch in (hs_code or "") if ch.isdigit())
    prefixes = [digits[:n] for n in range(min(len(digits), 10), 3, -1)]
    if not prefixes:
        return None
    rows = db.session.scalars(select(DutyRate).where(DutyRate.hs_prefix.in_(prefixes))).all()
    return max(rows, key=lambda r: len(r.hs_prefix), default=None)


def tariff_for(mode: str, crossing: str) -> FreightTariff:
    """:raise 422: unknown mode, or no tariff for the route."""
    if mode not in TRANSPORT_MODES:
        message = _l("Unknown mode of transport.")
        raise ValidationFailed(message, fields={"mode": [message]})
    tariff = db.session.scalar(
        select(FreightTariff).where(
            FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
        )
    )
    if tariff is None:
        message = _l("No freight tariff for this mode and border crossing.")
        raise NoTariff(message, fields={"border_crossing": [message]})
    return tariff


@dataclass
class Breakdown:
    goods: Decimal = ZERO
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    duty: Decimal | None = ZERO
    vat: Decimal | None = ZERO
    weight_kg: Decimal = Decimal("0")
    rates: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    lines: list = field(default_factory=list)

    @property
    def customs_value(self) -> Decimal:
        return self.goods + self.freight + self.insurance

    @property
    def total(self) -> Decimal | None:
        if self.duty is None or self.vat is None:
            return None
        return self.customs_value + self.duty + self.vat

    def add(self, other: "Breakdown") -> None:
        self.goods += other.goods
        self.freight += other.freight
        self.insurance += other.insurance
        self.weight_kg += other.weight_kg
        self.duty = None if self.duty is None or other.duty is None else self.duty + other.duty
        self.vat = None if self.vat is None or other.vat is None else self.vat + other.vat
        for warning in other.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else str(value)

        body = {
            "currency": "CNY",
            "goods": money(self.goods),
            "freight": money(self.freight),
            "insurance": money(self.insurance),
            "customs_value": money(self.customs_value),
            "duty": money(self.duty),
            "vat": money(self.vat),
            "total": money(self.total),
            "weight_kg": str(self.weight_kg.quantize(Decimal("0.001"))),
            "rates": self.rates,
            "warnings": self.warnings,
        }
        if self.lines:
            body["lines"] = [line.as_json() for line in self.lines]
        return body


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def estimate(
    *,
    hs_code: str,
    quantity: Decimal,
    unit_price: Decimal,
    weight_per_unit: Decimal,
    mode: str,
    crossing: str,
    goods: Decimal | None = None,
) -> Breakdown:
    """One line's breakdown. ``goods``: the already rounded line total, if there is one."""
    tariff = tariff_for(mode, crossing)
    ins = insurance_percent()
    result = Breakdown()
    result.goods = round_money(goods if goods is not None else quantity * unit_price)
    result.weight_kg = quantity * weight_per_unit
    result.freight = round_money(result.weight_kg * tariff.cny_per_kg)
    result.insurance = round_money((result.goods + result.freight) * ins / HUNDRED)
    rate = duty_rate_for(hs_code)
    result.rates = {
        "mode": mode,
        "border_crossing": crossing,
        "freight_cny_per_kg": _percent(tariff.cny_per_kg),
        "freight_unconfirmed": tariff.unconfirmed,
        "insurance_percent": _percent(ins),
        "hs_code": hs_code,
        "hs_prefix": rate.hs_prefix if rate else None,
        "duty_percent": _percent(rate.duty_percent) if rate else None,
        "vat_percent": _percent(rate.vat_percent) if rate else None,
        "duty_unconfirmed": rate.unconfirmed if rate else None,
    }
    if tariff.unconfirmed:
        result.warnings.append(
            {
                "code": "freight_tariff_unconfirmed",
                "message": str(_l("The freight tariff for this route is not confirmed by an operator.")),
            }
        )
    if rate is None:
        result.duty = result.vat = None
        result.warnings.append(
            {
                "code": "duty_rate_unknown",
                "hs_code": hs_code,
                "message": str(
                    _l(
                        "No duty rate is known for HS code %(hs)s: duty and VAT are not estimated.",
                        hs=hs_code,
                    )
                ),
            }
        )
        return result
    if rate.unconfirmed:
        result.warnings.append(
            {
                "code": "duty_rate_unconfirmed",
                "hs_code": hs_code,
                "message": str(
                    _l("The duty and VAT rates for HS %(prefix)s are not confirmed.", prefix=rate.hs_prefix)
                ),
            }
        )
    result.duty = round_money(result.customs_value * rate.duty_percent / HUNDRED)
    result.vat = round_money((result.customs_value + result.duty) * rate.vat_percent / HUNDRED)
    return result


def _weight_per_unit(product) -> Decimal:
    return product.gross_weight_kg or product.net_weight_kg


def for_product(user, product_id, quantity_text, mode=None, crossing=None) -> Breakdown:
    """The estimate for ``quantity`` of a product at its tier price.

    :raise 404: unknown or not visible to ``user``
    :raise 422: bad quantity, below the MOQ, unknown mode or no tariff for the route
    """
    product = (
        db.session.get(Product, product_id, options=listing_options())
        if isinstance(product_id, int)
        else None
    )
    if product is None or not product.visible_to(user):
        raise NotFound(_l("Product not found."))
    quantity = parse_quantity(quantity_text, product)
    price = product.unit_price_for(quantity)
    if price is None:
        message = _l("The minimum order quantity is %(moq)s.", moq=product.moq)
        raise BelowMoq(
            message,
            fields={"quantity": [message]},
            extra={"moq": str(product.moq) if product.moq is not None else None},
        )
    result = estimate(
        hs_code=product.hs_code,
        quantity=quantity,
        unit_price=price,
        weight_per_unit=_weight_per_unit(product),
        mode=mode or DEFAULT_MODE,
        crossing=crossing or DEFAULT_CROSSING,
    )
    result.rates.update({"quantity": str(quantity), "unit": product.unit, "unit_price": str(price)})
    return result


def _sum(parts: list[tuple[dict, Breakdown]], mode: str, crossing: str) -> Breakdown:
    total = Breakdown()
    total.rates = {
        "mode": mode,
        "border_crossing": crossing,
        "insurance_percent": _percent(insurance_percent()),
    }
    for meta, part in parts:
        part.rates.update(meta)
        total.add(part)
        total.lines.append(part)
    return total


def for_order(user, order_id, mode=None, crossing=None) -> Breakdown:
    """The estimate for a whole order: the sum of its lines.

    :raise 404: not a party to the order
    """
    order = order_for(user, order_id)
    return for_order_object(order, mode, crossing)


def for_order_object(order, mode=None, crossing=None) -> Breakdown:
    mode, crossing = mode or DEFAULT_MODE, crossing or DEFAULT_CROSSING
    parts = []
    for line in order.lines:
        weight = line.product.gross_weight_kg or line.net_weight_kg
        part = estimate(
            hs_code=line.hs_code,
            quantity=line.quantity,
            unit_price=line.unit_price,
            weight_per_unit=weight,
            mode=mode,
            crossing=crossing,
            goods=line.line_total,
        )
        parts.append(
            ({"order_line_id": line.id, "product_id": line.product_id, "quantity": str(line.quantity)}, part)
        )
    return _sum(parts, mode, crossing)


def for_cart(buyer, mode=None, crossing=None) -> Breakdown:
    """The estimate for the buyer's cart; lines below their MOQ are left out with a warning."""
    if buyer is None or buyer.role != "buyer":
        raise Forbidden()
    mode, crossing = mode or DEFAULT_MODE, crossing or DEFAULT_CROSSING
    parts = []
    skipped = []
    for group in cart_service.view(buyer):
        for line in group.lines:
            if line.unit_price is None:
                skipped.append(line.product.id)
                continue
            part = estimate(
                hs_code=line.product.hs_code,
                quantity=line.quantity,
                unit_price=line.unit_price,
                weight_per_unit=_weight_per_unit(line.product),
                mode=mode,
                crossing=crossing,
                goods=line.line_total,
            )
            parts.append(
                (
                    {"item_id": line.item.id, "product_id": line.product.id, "quantity": str(line.quantity)},
                    part,
                )
            )
    total = _sum(parts, mode, crossing)
    for product_id in skipped:
        total.warnings.append(
            {
                "code": "below_moq",
                "product_id": product_id,
                "message": str(_l("A line below its minimum order quantity is left out.")),
            }
        )
    return total


def safe(func, *args, **kwargs) -> tuple[Breakdown | None, str | None]:
    """For pages: the breakdown, or None and the reason it could not be estimated."""
    try:
        return func(*args, **kwargs), None
    except AppError as exc:
        if isinstance(exc, NotFound):
            raise
        return None, str(exc.message)


# ---- admin edits ------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if user is None or user.role != "admin":
        raise Forbidden()


def _percent_value(value, name: str, high: Decimal) -> Decimal:
    if value is None or not Decimal(value).is_finite() or not (0 <= Decimal(value) <= high):
        message = _l("Enter a percentage between 0 and %(high)s.", high=high)
        raise ValidationFailed(message, code="rate_implausible", fields={name: [message]})
    return Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def save_duty_rate(admin, hs_prefix: str, duty_percent, vat_percent, unconfirmed=False, note="") -> DutyRate:
    """Create or change the rates of an HS prefix (4–10 digits). Admins.

    :raise 403: not an admin
    :raise 422: a bad prefix, a negative or absurd percentage
    """
    _require_admin(admin)
    prefix = (hs_prefix or "").strip().replace(".", "")
    if not (prefix.isdigit() and 4 <= len(prefix) <= 10):
        message = _l("An HS prefix is 4 to 10 digits.")
        raise ValidationFailed(message, fields={"hs_prefix": [message]})
    duty = _percent_value(duty_percent, "duty_percent", HUNDRED)
    vat = _percent_value(vat_percent, "vat_percent", Decimal("30"))
    row = db.session.scalar(select(DutyRate).where(DutyRate.hs_prefix == prefix)) or DutyRate(
        hs_prefix=prefix
    )
    row.duty_percent, row.vat_percent = duty, vat
    row.unconfirmed, row.note = bool(unconfirmed), (note or "").strip()[:2000]
    row.updated_by = admin.email
    db.session.add(row)
    db.session.commit()
    return row


def delete_duty_rate(admin, rate_id: int) -> None:
    _require_admin(admin)
    row = db.session.get(DutyRate, rate_id)
    if row is None:
        raise NotFound()
    db.session.delete(row)
    db.session.commit()


def save_tariff(admin, mode: str, crossing: str, cny_per_kg, unconfirmed=False, note="") -> FreightTariff:
    """Create or change a freight tariff. Admins.

    :raise 403: not an admin
    :raise 422: unknown mode or crossing, a rate ≤ 0 or above 100 CNY/kg
    """
    _require_admin(admin)
    if mode not in TRANSPORT_MODES:
        message = _l("Unknown mode of transport.")
        raise ValidationFailed(message, fields={"mode": [message]})
    if db.session.get(BorderCrossing, crossing) is None:
        message = _l("Unknown border crossing.")
        raise ValidationFailed(message, fields={"border_crossing": [message]})
    if cny_per_kg is None or not (Decimal("0") < Decimal(cny_per_kg) <= HUNDRED):
        message = _l("A tariff is more than 0 and at most 100 CNY per kg.")
        raise ValidationFailed(message, code="rate_implausible", fields={"cny_per_kg": [message]})
    row = db.session.scalar(
        select(FreightTariff).where(
            FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
        )
    ) or FreightTariff(mode=mode, border_crossing_code=crossing)
    row.cny_per_kg = Decimal(cny_per_kg).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    row.unconfirmed, row.note = bool(unconfirmed), (note or "").strip()[:300]
    row.updated_by = admin.email
    db.session.add(row)
    db.session.commit()
    return row


def duty_rates() -> list[DutyRate]:
    return db.session.scalars(select(DutyRate).order_by(DutyRate.hs_prefix)).all()


def tariffs() -> list[FreightTariff]:
    return db.session.scalars(
        select(FreightTariff).order_by(FreightTariff.border_crossing_code, FreightTariff.mode)
    ).all()
