"""Small checks every catalog use case shares."""

from decimal import Decimal

from catalog.data import quantity_decimals
from core.errors import ValidationFailed

LANGS = ("zh", "ru", "en")


def invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def clean(value) -> str:
    return (value or "").strip()


def quantity_ok(value: Decimal, unit: str) -> bool:
    return -value.normalize().as_tuple().exponent <= quantity_decimals(unit)  # by value: "100.000" is whole
