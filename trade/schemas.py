"""JSON of landed-cost breakdowns, duty rates and freight tariffs."""

import marshmallow as ma

from catalog.incoterms import INCOTERMS
from core.fields import DecimalString, StrictInteger
from marketplace.models import QUOTA_STATUSES
from trade.models import FREIGHT_LEGS, TRANSPORT_MODES

MONEY_OR_NULL = {"type": "string", "format": "decimal", "nullable": True, "example": "12.50"}
DECIMAL = {"type": "string", "format": "decimal"}


class RouteQuerySchema(ma.Schema):
    """Without them: rail via Zabaikalsk–Manzhouli (an order: its own route); a border place fixes
    the crossing."""

    mode = ma.fields.String(load_default=None, validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(load_default=None, validate=ma.validate.Length(max=40))


class TermsQuerySchema(RouteQuerySchema):
    """Without ``incoterm`` the product's price basis applies; without ``quota`` the buyer's default."""

    incoterm = ma.fields.String(validate=ma.validate.OneOf(INCOTERMS))
    named_place = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    quota = ma.fields.String(validate=ma.validate.OneOf(QUOTA_STATUSES))


class LandedCostQuerySchema(TermsQuerySchema):
    product_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2147483647))
    quantity = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))


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
    incoterm = ma.fields.String(allow_none=True, metadata={"enum": list(INCOTERMS)})
    named_place = ma.fields.String(allow_none=True)
    price_basis = ma.fields.Dict(
        allow_none=True, metadata={"description": "{incoterm, named_place, place_code}"}
    )
    freight_to_border = ma.fields.String(
        metadata={**DECIMAL, "description": "Freight to the border the buyer pays: in the customs value"}
    )
    freight_in_china = ma.fields.String(
        metadata={**DECIMAL, "description": "The Chinese leg (border → Harbin) the buyer pays: not dutiable"}
    )
    deductions = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "Stated amounts taken off the customs value:"
            " {code, amount, estimated, description}"
        },
    )
    tariff = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "{code, duty_percent, vat_percent, quota, source, effective_from, confirmed}"
            " of the tariff book row used; with quota=unknown on a quota line also alternatives"
        },
    )
    quota = ma.fields.String(metadata={"enum": list(QUOTA_STATUSES)})
    alternatives = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "quota=unknown on a quota line: in and out of quota totals"},
    )
    freight_legs = ma.fields.List(ma.fields.Dict(), metadata={"description": "Each leg's charge and tariff"})


class DutyRateSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    hs_prefix = ma.fields.String(required=True)
    duty_percent = DecimalString(places=3, required=True)
    vat_percent = DecimalString(places=3, required=True)
    unconfirmed = ma.fields.Boolean(required=True)
    note = ma.fields.String()
    effective_from = ma.fields.Date()
    effective_to = ma.fields.Date(allow_none=True)
    source = ma.fields.String()


class TariffRowSchema(ma.Schema):
    """A row of the tariff book."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(attribute="hs_prefix", required=True, metadata={"example": "1101"})
    description = ma.fields.String(attribute="note")
    mfn_percent = DecimalString(attribute="duty_percent", places=3, required=True)
    provisional_percent = DecimalString(places=3, allow_none=True)
    provisional_from = ma.fields.Date(allow_none=True)
    provisional_to = ma.fields.Date(allow_none=True)
    quota_in_percent = DecimalString(places=3, allow_none=True)
    quota_out_percent = DecimalString(places=3, allow_none=True)
    vat_percent = DecimalString(places=3, required=True)
    effective_from = ma.fields.Date(required=True)
    effective_to = ma.fields.Date(allow_none=True)
    source = ma.fields.String(required=True)
    confirmed = ma.fields.Boolean(required=True)


class TariffRowInSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[0-9]{4,10}$"))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    mfn_percent = DecimalString(places=3, required=True, minimum=0, maximum=100)
    provisional_percent = DecimalString(places=3, allow_none=True, minimum=0, maximum=100)
    provisional_from = ma.fields.Date(allow_none=True)
    provisional_to = ma.fields.Date(allow_none=True)
    quota_in_percent = DecimalString(places=3, allow_none=True, minimum=0, maximum=100)
    quota_out_percent = DecimalString(places=3, allow_none=True, minimum=0, maximum=100)
    vat_percent = DecimalString(places=3, required=True, minimum=0, maximum=30)
    effective_from = ma.fields.Date(required=True)
    effective_to = ma.fields.Date(allow_none=True)
    source = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    confirmed = ma.fields.Boolean(load_default=False)


class TariffQuerySchema(ma.Schema):
    code = ma.fields.String(validate=ma.validate.Regexp(r"^[\d.]{1,13}$"))
    on = ma.fields.Date(metadata={"description": "The day the applicable row is picked for (default today)"})


class TariffLookupSchema(ma.Schema):
    code = ma.fields.String(allow_none=True)
    on = ma.fields.Date(required=True)
    applies = ma.fields.Nested(
        TariffRowSchema, allow_none=True, metadata={"description": "The most specific row in force that day"}
    )
    items = ma.fields.List(ma.fields.Nested(TariffRowSchema), required=True)


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
    leg = ma.fields.String(metadata={"enum": list(FREIGHT_LEGS)})
    cny_per_kg = DecimalString(places=4, required=True)
    min_charge_cny = DecimalString(places=2)
    unit_capacity_kg = DecimalString(places=1)
    reefer_surcharge_percent = DecimalString(places=3)
    transit_days = ma.fields.Integer()
    unconfirmed = ma.fields.Boolean(required=True)
    confirmed = ma.fields.Boolean()
    note = ma.fields.String()


class TariffInSchema(ma.Schema):
    """Without ``leg``, ``cny_per_kg`` is the through rate Chelyabinsk → Harbin and both legs keep
    their shares of it."""

    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    leg = ma.fields.String(validate=ma.validate.OneOf(FREIGHT_LEGS))
    cny_per_kg = DecimalString(places=4, required=True, minimum=0, exclusive_minimum=True, maximum=100)
    min_charge_cny = DecimalString(places=2, minimum=0, maximum=10000000)
    unit_capacity_kg = DecimalString(places=1, minimum=0, exclusive_minimum=True, maximum=200000)
    reefer_surcharge_percent = DecimalString(places=3, minimum=0, maximum=100)
    transit_days = StrictInteger(validate=ma.validate.Range(min=1, max=90))
    unconfirmed = ma.fields.Boolean(load_default=False)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class IssuedDocumentSchema(ma.Schema):
    """An issued document: every download of ``url`` returns the bytes whose SHA-256 this is."""

    kind = ma.fields.String(
        required=True, metadata={"enum": ["proforma", "commercial_invoice", "packing_list", "label_sheet"]}
    )
    number = ma.fields.String(required=True, metadata={"example": "CI-2026-000017"})
    revision = ma.fields.Integer(required=True)
    replaces = ma.fields.String(
        allow_none=True, metadata={"description": "The number this revision replaces"}
    )
    issued_at = ma.fields.AwareDateTime(required=True)
    sha256 = ma.fields.String(required=True)
    url = ma.fields.String(required=True)


class RevisionInSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class ContractSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    signed_on = ma.fields.Date(required=True)
    producer_id = ma.fields.Integer(required=True)
    buyer_id = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    payment_terms = ma.fields.String(required=True)
    incoterm = ma.fields.String(required=True)
    named_place = ma.fields.String(required=True)


class ContractInSchema(ma.Schema):
    number = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    signed_on = ma.fields.Date()
    payment_terms = ma.fields.String(validate=ma.validate.Length(max=300))
    incoterm = ma.fields.String(validate=ma.validate.Length(max=3))
    named_place = ma.fields.String(validate=ma.validate.Length(max=200))
