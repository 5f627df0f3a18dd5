"""Freight as it is sold: two legs, each priced per kilogram with a minimum per unit of transport.

    units   = ⌈weight / capacity of one unit⌉        (truck ~20 t, rail wagon, 40' container)
    charge  = max(weight × CNY/kg, units × minimum charge)
    reefer  = charge × (1 + surcharge %)            (goods kept at 8 °C or colder)

The Russian leg runs from the origin to the border crossing, the Chinese leg from the border
to the Harbin Daowai warehouse. A consignment (one order, or one producer's lines in a cart)
travels together: its legs are priced on its total weight and shared among its lines by
weight, to the fen, the remainder going to the heaviest lines (largest remainder).
"""

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.incoterms import TRANSPORT_MODES
from core.errors import ValidationFailed
from core.extensions import db
from core.money import round_money
from trade.models import FREIGHT_LEGS, FreightTariff

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
#: Goods to be kept at this temperature or colder travel refrigerated (the surcharge applies).
REEFER_AT_OR_BELOW_C = 8


class NoTariff(ValidationFailed):
    code = "no_freight_tariff"


def needs_reefer(storage_temp_max_c) -> bool:
    return storage_temp_max_c is not None and storage_temp_max_c <= REEFER_AT_OR_BELOW_C


def legs_for(mode: str, crossing: str) -> dict[str, FreightTariff]:
    """``{"russia": tariff, "china": tariff}`` for a route.

    :raise 422: unknown mode, or a leg without a tariff
    """
    if mode not in TRANSPORT_MODES:
        message = _l("Unknown mode of transport.")
        raise ValidationFailed(message, fields={"mode": [message]})
    rows = db.session.scalars(
        select(FreightTariff).where(
            FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
        )
    ).all()
    legs = {row.leg: row for row in rows}
    if set(legs) != set(FREIGHT_LEGS):
        message = _l("No freight tariff for this mode and border crossing.")
        raise NoTariff(message, fields={"border_crossing": [message]})
    return legs


@dataclass
class LegCharge:
    leg: str
    amount: Decimal
    units: int
    minimum_applied: bool
    reefer: bool
    tariff: FreightTariff

    def as_json(self) -> dict:
        t = self.tariff
        return {
            "leg": self.leg,
            "amount": str(self.amount),
            "cny_per_kg": _plain(t.cny_per_kg),
            "units": self.units,
            "unit_capacity_kg": _plain(t.unit_capacity_kg),
            "minimum_charge_per_unit": str(t.min_charge_cny),
            "minimum_applied": self.minimum_applied,
            "reefer": self.reefer,
            "reefer_surcharge_percent": _plain(t.reefer_surcharge_percent) if self.reefer else None,
            "transit_days": t.transit_days,
            "confirmed": not t.unconfirmed,
        }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def leg_charge(tariff: FreightTariff, weight_kg: Decimal, reefer: bool) -> LegCharge:
    units = max(1, math.ceil(weight_kg / tariff.unit_capacity_kg)) if weight_kg > 0 else 0
    by_weight = weight_kg * tariff.cny_per_kg
    minimum = units * tariff.min_charge_cny
    amount = max(by_weight, minimum)
    if reefer:
        amount = amount * (HUNDRED + tariff.reefer_surcharge_percent) / HUNDRED
    return LegCharge(tariff.leg, round_money(amount), units, minimum > by_weight, reefer, tariff)


def share_by_weight(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in proportion to ``weights``, in fen, summing exactly to ``amount``."""
    total = sum(weights, Decimal("0"))
    if not weights:
        return []
    if total <= 0:
        return [amount] + [Decimal("0.00")] * (len(weights) - 1)
    exact = [amount * w / total for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int(((amount - sum(shares, Decimal("0"))) / CENT).to_integral_value(rounding=ROUND_HALF_UP))
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), -weights[i], i))
    for i in order[:left]:
        shares[i] += CENT
    return shares


def route_days(mode: str, crossing: str) -> int | None:
    """Both legs' transit days (clearance included), or None when the route has no tariffs."""
    rows = db.session.scalars(
        select(FreightTariff).where(
            FreightTariff.mode == mode, FreightTariff.border_crossing_code == crossing
        )
    ).all()
    if {row.leg for row in rows} != set(FREIGHT_LEGS):
        return None
    return sum(row.transit_days for row in rows)
