"""JSON of landed-cost breakdowns, duty rates and freight tariffs."""

import marshmallow as ma

from core.fields import DecimalString
from trade.models import TRANSPORT_MODES

MONEY_OR_NULL = {"type": "string", "format": "decimal", "nullable": True, "example": "12.50"}
DECIMAL = {"type": "string", "format": "decimal"}


class LandedCostQuerySchema(ma.Schema):
    product_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2147483647))
    quantity = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    mode = ma.fields.String(load_default="rail", validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(
        load_default="zabaikalsk-manzhouli", validate=ma.validate.Length(max=40)
    )


class RouteQuerySchema(ma.Schema):
    mode = ma.fields.String(load_default="rail", validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(
        load_default="zabaikalsk-manzhouli", validate=ma.validate.Length(max=40)
    )


class LandedCostWarningSchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    hs_code = ma.fields.String()
    product_id = ma.fields.Integer()


class LandedCostSchema(ma.Schema):
    """All amounts CNY as decimal strings; ``duty``, ``vat`` and ``total`` are null when the HS
    code has no known rate. Each component is rounded to 0.01 half up; ``customs_value`` and
    ``total`` are sums of the rounded components."""

    currency = ma.fields.String(required=True)
    goods = ma.fields.String(required=True, metadata=DECIMAL)
    freight = ma.fields.String(required=True, metadata=DECIMAL)
    insurance = ma.fields.String(required=True, metadata=DECIMAL)
    customs_value = ma.fields.String(required=True, metadata=DECIMAL)
    duty = ma.fields.String(required=True, allow_none=True, metadata=MONEY_OR_NULL)
    vat = ma.fields.String(required=True, allow_none=True, metadata=MONEY_OR_NULL)
    total = ma.fields.String(required=True, allow_none=True, metadata=MONEY_OR_NULL)
    weight_kg = ma.fields.String(required=True, metadata=DECIMAL)
    rates = ma.fields.Dict(
        required=True, metadata={"description": "The tariff, insurance, duty and VAT rates used"}
    )
    warnings = ma.fields.List(ma.fields.Nested(LandedCostWarningSchema), required=True)
    lines = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Orders and carts: each line's breakdown"}
    )


class DutyRateSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    hs_prefix = ma.fields.String(required=True)
    duty_percent = DecimalString(places=3, required=True)
    vat_percent = DecimalString(places=3, required=True)
    unconfirmed = ma.fields.Boolean(required=True)
    note = ma.fields.String()


class DutyRateInSchema(ma.Schema):
    hs_prefix = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[0-9]{4,10}$"))
    duty_percent = DecimalString(places=3, required=True, minimum=0, maximum=100)
    vat_percent = DecimalString(places=3, required=True, minimum=0, maximum=30)
    unconfirmed = ma.fields.Boolean(load_default=False)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class TariffSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    mode = ma.fields.String(required=True)
    border_crossing = ma.fields.String(attribute="border_crossing_code", required=True)
    cny_per_kg = DecimalString(places=4, required=True)
    unconfirmed = ma.fields.Boolean(required=True)
    note = ma.fields.String()


class TariffInSchema(ma.Schema):
    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    cny_per_kg = DecimalString(places=4, required=True, minimum=0, exclusive_minimum=True, maximum=100)
    unconfirmed = ma.fields.Boolean(load_default=False)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
