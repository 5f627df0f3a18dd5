"""Money is Decimal with a currency; minor units only at a provider's boundary."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
CURRENCY = "CNY"


def to_decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {value!r}") from exc


def round_money(value: Decimal) -> Decimal:
    """Round to 0.01, half up (the rule stated in our invoices)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal) -> int:
    return int((round_money(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)
