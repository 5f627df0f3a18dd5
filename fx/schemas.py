"""JSON of exchange rates."""

import marshmallow as ma

from core.fields import DecimalString, StrictInteger


class RateQuerySchema(ma.Schema):
    currency = ma.fields.String(load_default="CNY", validate=ma.validate.Regexp(r"^[A-Za-z]{3}$"))
    date = ma.fields.Date(
        metadata={"description": "Default: today. The latest rate on or before it is used."}
    )


class ExchangeRateSchema(ma.Schema):
    currency = ma.fields.String(required=True)
    requested_date = ma.fields.Date(required=True)
    rate_date = ma.fields.Date(required=True, metadata={"description": "The date of the rate used"})
    stale = ma.fields.Boolean(required=True, metadata={"description": "true: no rate for the day asked"})
    nominal = ma.fields.Integer(required=True)
    value = DecimalString(places=6, required=True, metadata={"description": "RUB per nominal units"})
    unit_rate = DecimalString(places=8, required=True, metadata={"description": "RUB per one unit"})
    source = ma.fields.String(required=True, metadata={"enum": ["cbr", "manual"]})


class ExchangeRateInSchema(ma.Schema):
    currency = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[A-Z]{3}$"))
    rate_date = ma.fields.Date(required=True)
    nominal = StrictInteger(load_default=1, validate=ma.validate.Range(min=1, max=1000000))
    value = DecimalString(places=6, required=True, metadata={"description": "RUB per nominal units"})
    replace = ma.fields.Boolean(load_default=False)
