"""Marshmallow fields the API shares.

Money and quantities travel as decimal strings ("12.50"): a JSON number is refused, since
binary floats cannot hold cents exactly.
"""

import re
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from flask_babel import lazy_gettext as _l

#: The largest value of PostgreSQL's INTEGER, the type of our primary keys.
ID_MAX = 2147483647
#: An id in a request body or query: past the column's range it is a 422, not a database error.
ID_RANGE = ma.validate.Range(min=1, max=ID_MAX)

# [0-9], not \d: Python's \d takes any script's digits, JSON Schema's only these.
DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,12})?$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)


def decimal_pattern(places: int) -> str:
    if places <= 0:
        return r"^-?[0-9]{1,12}$"
    return rf"^-?[0-9]{{1,12}}(\.[0-9]{{1,{places}}})?$"


class DecimalString(ma.fields.Field):
    """A Decimal in Python, a string such as ``"12.50"`` in JSON.

    ``places``: most decimals allowed; ``minimum``/``maximum`` and ``exclusive_minimum``
    check the range. Documented in OpenAPI as ``{"type": "string", "format": "decimal"}``.
    """

    default_error_messages = {
        "invalid": _l('Enter a number as a string, e.g. "12.50".'),
        "places": _l("At most %(places)d decimal places."),
        "min": _l("Must be at least %(min)s."),
        "min_exclusive": _l("Must be greater than %(min)s."),
        "max": _l("Must be at most %(max)s."),
    }

    def __init__(self, *, places=2, minimum=None, maximum=None, exclusive_minimum=False, **kwargs):
        self.places = places
        self.minimum = Decimal(str(minimum)) if minimum is not None else None
        self.maximum = Decimal(str(maximum)) if maximum is not None else None
        self.exclusive_minimum = exclusive_minimum
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("type", "string")
        metadata.setdefault("format", "decimal")
        # The pattern allows exactly the places this field keeps (what it dumps must match it).
        self.pattern = decimal_pattern(places)
        metadata.setdefault("pattern", self.pattern)
        metadata.setdefault("example", "12.50")
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return str(Decimal(value).quantize(Decimal(1).scaleb(-self.places)))

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _DECIMAL_RE.match(value.strip()):
            raise self.make_error("invalid")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if -number.as_tuple().exponent > self.places:
            raise ma.ValidationError(str(self.error_messages["places"]) % {"places": self.places})
        if self.minimum is not None:
            if self.exclusive_minimum and number <= self.minimum:
                raise ma.ValidationError(str(self.error_messages["min_exclusive"]) % {"min": self.minimum})
            if not self.exclusive_minimum and number < self.minimum:
                raise ma.ValidationError(str(self.error_messages["min"]) % {"min": self.minimum})
        if self.maximum is not None and number > self.maximum:
            raise ma.ValidationError(str(self.error_messages["max"]) % {"max": self.maximum})
        return number


class StrictInteger(ma.fields.Integer):
    """An integer that refuses 2.5, "3" and 2.5e-42 (marshmallow's Integer lets some through)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class Translated(ma.fields.Dict):
    """``{"zh": ..., "ru": ..., "en": ...}``: text in our three languages."""

    def __init__(self, max_length=2000, **kwargs):
        metadata = kwargs.pop("metadata", {})
        super().__init__(
            keys=ma.fields.String(validate=ma.validate.OneOf(["zh", "ru", "en"])),
            values=ma.fields.String(validate=ma.validate.Length(max=max_length), allow_none=True),
            metadata=metadata,
            **kwargs,
        )
