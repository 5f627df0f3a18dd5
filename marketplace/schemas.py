"""Marketplace JSON: orders (what a party sees), carts, checkouts, RFQs and quotes."""

import marshmallow as ma

from catalog.schemas import ProductPackageSchema
from core.fields import ID_RANGE, DecimalString, StrictInteger
from core.pagination import PageArgsSchema, page_envelope
from fx import services as fx
from marketplace.models import INCOTERMS, ORDER_STATUSES, QUOTA_STATUSES, TRANSPORT_MODES


def Quantity(**kwargs) -> DecimalString:  # noqa: N802 - reads like a field class
    """A positive quantity as a decimal string, up to 3 places (the unit may allow fewer)."""
    return DecimalString(places=3, minimum=0, exclusive_minimum=True, maximum=100000000, **kwargs)


def Money(**kwargs) -> DecimalString:  # noqa: N802
    """CNY as a decimal string with 2 places."""
    return DecimalString(places=2, **kwargs)


class OrderLineInSchema(ma.Schema):
    product_id = StrictInteger(required=True, validate=ID_RANGE)
    quantity = Quantity(required=True)


class TradeTermsSchema(ma.Schema):
    """Without ``incoterm`` the price basis of the goods applies; without ``quota`` the buyer's default."""

    incoterm = ma.fields.String(validate=ma.validate.OneOf(INCOTERMS))
    named_place = ma.fields.String(validate=ma.validate.Length(max=200))
    quota = ma.fields.String(validate=ma.validate.OneOf(QUOTA_STATUSES))
    mode = ma.fields.String(validate=ma.validate.OneOf(TRANSPORT_MODES))
    border_crossing = ma.fields.String(validate=ma.validate.Length(max=40))


class OrderDetailsSchema(TradeTermsSchema):
    delivery_contact = ma.fields.String(validate=ma.validate.Length(max=300))
    buyer_reference = ma.fields.String(validate=ma.validate.Length(max=100))
    note = ma.fields.String(validate=ma.validate.Length(max=4000))


class OrderCreateSchema(OrderDetailsSchema):
    lines = ma.fields.List(
        ma.fields.Nested(OrderLineInSchema), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class PartySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    company = ma.fields.String()


class OrderProducerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.Function(lambda p: p.names, metadata={"type": "object"})


class OrderLineSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    name = ma.fields.Function(lambda ln: ln.names, metadata={"type": "object"})
    quantity = DecimalString(places=3, required=True)
    unit = ma.fields.String(required=True)
    unit_price = Money(required=True)
    line_total = Money(required=True)
    net_weight_kg = DecimalString(places=3)
    hs_code = ma.fields.String(metadata={"description": "China's tariff code (= hs_code_cn)"})
    hs_code_cn = ma.fields.Function(lambda ln: ln.hs_code, metadata={"type": "string"})
    tnved_code = ma.fields.String(allow_none=True, metadata={"description": "TN VED EAEU export code"})
    package = ma.fields.Nested(
        ProductPackageSchema,
        attribute="package_json",
        allow_none=True,
        metadata={
            "description": "The product's package when the order was placed (as the product's "
            "``package``); null when it had none"
        },
    )


class HistorySchema(ma.Schema):
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(required=True)
    actor_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String()
    created_at = ma.fields.AwareDateTime(required=True)


class MoneySchema(ma.Schema):
    amount = Money(required=True)
    currency = ma.fields.String(required=True)


class OrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True, metadata={"example": "AB-2026-000123"})
    status = ma.fields.String(required=True, metadata={"enum": list(ORDER_STATUSES)})
    payment_status = ma.fields.String(required=True)
    checkout_id = ma.fields.Integer(allow_none=True)
    buyer = ma.fields.Nested(PartySchema, required=True)
    producer = ma.fields.Nested(OrderProducerSchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    currency = ma.fields.String(required=True)
    subtotal = Money(required=True)
    freight = Money(allow_none=True)
    duty = Money(allow_none=True)
    vat = Money(allow_none=True)
    total = ma.fields.Function(
        lambda o: {"amount": str(o.total), "currency": o.currency},
        metadata={
            "type": "object",
            "properties": {"amount": {"type": "string"}, "currency": {"type": "string"}},
        },
    )
    incoterm = ma.fields.String(required=True)
    named_place = ma.fields.String(required=True)
    quota = ma.fields.String(required=True, metadata={"enum": list(QUOTA_STATUSES)})
    mode = ma.fields.String(attribute="transport_mode", required=True)
    border_crossing = ma.fields.String(attribute="border_crossing_code", required=True)
    delivery_contact = ma.fields.String()
    buyer_reference = ma.fields.String()
    note = ma.fields.String()
    cancel_reason = ma.fields.String()
    dispute_reason = ma.fields.String()
    dispute_resolution = ma.fields.String()
    refund_amount = Money(allow_none=True)
    payment_due_at = ma.fields.AwareDateTime(allow_none=True)
    paid_at = ma.fields.AwareDateTime(allow_none=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
    history = ma.fields.List(ma.fields.Nested(HistorySchema), required=True)
    rub_equivalent = ma.fields.Function(
        lambda o: _rub_equivalent(o),
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": "For information (CBR rate of the order's day); orders are settled in CNY",
            "properties": {
                "amount": {"type": "string"},
                "currency": {"type": "string"},
                "rate": {"type": "string"},
                "rate_date": {"type": "string", "format": "date"},
                "frozen": {"type": "boolean"},
            },
        },
    )
    contract = ma.fields.Function(
        lambda o: _contract(o),
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": (
                "The export contract between the order's producer and buyer that the order and "
                "its invoices cite (as in /api/v1/contracts); null until the order is placed"
            ),
            "properties": {
                "id": {"type": "integer"},
                "number": {"type": "string", "example": "EC-2026-00001"},
                "signed_on": {"type": "string", "format": "date"},
            },
            "required": ["id", "number", "signed_on"],
        },
    )
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


def _rub_equivalent(order):
    return fx.order_rub_equivalent(order)


def _contract(order):
    from marketplace.services.orders import contract_of

    return contract_of(order)


OrderPageSchema = page_envelope(OrderSchema)


class OrderQuerySchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(ORDER_STATUSES))
    created_from = ma.fields.Date()
    created_to = ma.fields.Date()


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class ResolveSchema(ma.Schema):
    resolution = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["release", "partial_refund", "full_refund"])
    )
    refund_amount = Money(minimum=0, exclusive_minimum=True)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class CartItemInSchema(OrderLineInSchema):
    replace = ma.fields.Boolean(load_default=False)


class CartLineSchema(ma.Schema):
    item_id = ma.fields.Function(lambda ln: ln.item.id, metadata={"type": "integer"})
    product_id = ma.fields.Function(lambda ln: ln.product.id, metadata={"type": "integer"})
    name = ma.fields.Function(lambda ln: ln.product.names, metadata={"type": "object"})
    quantity = DecimalString(places=3)
    unit = ma.fields.Function(lambda ln: ln.product.unit, metadata={"type": "string"})
    unit_price = Money(allow_none=True)
    line_total = Money(allow_none=True)
    moq = DecimalString(places=3, allow_none=True)
    below_moq = ma.fields.Boolean()
    available = DecimalString(places=3)


class CartGroupSchema(ma.Schema):
    producer = ma.fields.Nested(OrderProducerSchema)
    lines = ma.fields.List(ma.fields.Nested(CartLineSchema))
    subtotal = Money()


class CartSchema(ma.Schema):
    groups = ma.fields.List(ma.fields.Nested(CartGroupSchema), required=True)
    total = Money(required=True)
    currency = ma.fields.String(required=True)


class CheckoutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    orders = ma.fields.List(ma.fields.Nested(OrderSchema), required=True)
    total = ma.fields.Function(
        lambda c: {"amount": str(c.total), "currency": "CNY"}, metadata={"type": "object"}
    )
    created_at = ma.fields.AwareDateTime(required=True)


class QuoteInSchema(ma.Schema):
    product_id = StrictInteger(required=True, validate=ID_RANGE)
    unit_price = Money(required=True, minimum=0, exclusive_minimum=True, maximum=10000000)
    valid_until = ma.fields.Date(required=True)
    lead_time_days = StrictInteger(load_default=0, validate=ma.validate.Range(min=0, max=365))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class QuoteSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    rfq_id = ma.fields.Integer(required=True)
    producer = ma.fields.Nested(OrderProducerSchema)
    product_id = ma.fields.Integer(required=True)
    unit_price = Money(required=True)
    valid_until = ma.fields.Date(required=True)
    lead_time_days = ma.fields.Integer()
    note = ma.fields.String()
    status = ma.fields.String(required=True)
    expired = ma.fields.Function(lambda q: q.expired(), metadata={"type": "boolean"})
    created_at = ma.fields.AwareDateTime()


class RfqInSchema(ma.Schema):
    producer_id = StrictInteger(validate=ID_RANGE)
    category = ma.fields.String(validate=ma.validate.Length(max=32))
    product_id = StrictInteger(validate=ID_RANGE)
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=4000))
    quantity = Quantity(required=True)
    unit = ma.fields.String(validate=ma.validate.Length(min=1, max=16))
    target_price = Money(minimum=0, exclusive_minimum=True, maximum=10000000)
    incoterm = ma.fields.String(load_default="DAP", validate=ma.validate.OneOf(INCOTERMS))
    named_place = ma.fields.String(validate=ma.validate.Length(max=200))
    deadline = ma.fields.Date(required=True)


class RfqSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    buyer_id = ma.fields.Integer(required=True)
    producer_id = ma.fields.Integer(allow_none=True)
    category = ma.fields.String(attribute="category_code", allow_none=True)
    product_id = ma.fields.Integer(allow_none=True)
    description = ma.fields.String(required=True)
    quantity = DecimalString(places=3, required=True)
    unit = ma.fields.String(required=True)
    target_price = Money(allow_none=True)
    incoterm = ma.fields.String()
    named_place = ma.fields.String()
    deadline = ma.fields.Date(required=True)
    status = ma.fields.String(required=True)
    quotes = ma.fields.List(ma.fields.Nested(QuoteSchema))
    created_at = ma.fields.AwareDateTime()


class RfqQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(["open", "accepted", "closed", "cancelled", "all"]))


class AcceptSchema(OrderDetailsSchema):
    pass


class PaymentCreateSchema(ma.Schema):
    method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["card", "alipay", "wechat_pay", "bank_transfer"])
    )


class BankDetailsSchema(ma.Schema):
    beneficiary = ma.fields.String()
    bank = ma.fields.String()
    account = ma.fields.String()
    swift = ma.fields.String()


class PaymentStartSchema(ma.Schema):
    """Stripe: payment_intent_id and client_secret; bank transfer: reference and bank_details."""

    id = ma.fields.Integer(required=True)
    provider = ma.fields.String(required=True, metadata={"enum": ["stripe", "bank_transfer"]})
    method = ma.fields.String(required=True)
    payment_intent_id = ma.fields.String()
    client_secret = ma.fields.String()
    reference = ma.fields.String(required=True)
    amount = Money(required=True)
    amount_received = Money()
    currency = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    bank_details = ma.fields.Nested(BankDetailsSchema)
    order_ids = ma.fields.List(ma.fields.Integer())


class RefundSchema(ma.Schema):
    id = ma.fields.Integer()
    amount = Money()
    status = ma.fields.String()
    reason = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class PaymentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    provider = ma.fields.String(required=True)
    method = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    payment_intent_id = ma.fields.String(attribute="provider_reference", allow_none=True)
    amount = Money(required=True)
    amount_received = Money(required=True)
    currency = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    failure_message = ma.fields.String()
    flagged_reason = ma.fields.String()
    order_ids = ma.fields.Function(lambda p: [po.order_id for po in p.orders], metadata={"type": "array"})
    refunds = ma.fields.List(ma.fields.Nested(RefundSchema))
    created_at = ma.fields.AwareDateTime()
    succeeded_at = ma.fields.AwareDateTime(allow_none=True)


class BankTransferInSchema(ma.Schema):
    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=24))
    amount = Money(required=True, minimum=0, exclusive_minimum=True, maximum=100000000)
    received_at = ma.fields.AwareDateTime()


class PayoutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    producer_id = ma.fields.Integer(required=True)
    order_id = ma.fields.Integer(required=True)
    amount = Money(required=True)
    currency = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["due", "sent"]})
    bank_reference = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    #: The producer's bank details (their legal data) the payout goes to.
    beneficiary = ma.fields.String()
    bank_name = ma.fields.String()
    bik = ma.fields.String()
    bank_account = ma.fields.String()
    correspondent_account = ma.fields.String()
    swift = ma.fields.String()


class PayoutQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(["due", "sent"]))


class PayoutSentSchema(ma.Schema):
    bank_reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))


class UploadSchema(ma.Schema):
    file = ma.fields.Raw(metadata={"type": "string", "format": "binary"})


class DisputePhotoSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    order_id = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime()


class BuyerTermsSchema(ma.Schema):
    holds_quota_certificate = ma.fields.Boolean(
        allow_none=True,
        metadata={"description": "null: not said; orders and estimates then ask (quota unknown)"},
    )
    quota = ma.fields.String(dump_only=True, metadata={"enum": list(QUOTA_STATUSES)})
    min_shelf_life_share = DecimalString(
        places=4,
        allow_none=True,
        minimum=0,
        exclusive_minimum=True,
        maximum=1,
        metadata={"description": "Share of shelf life left on arrival; null: the platform's default"},
    )
    default_shelf_life_share = DecimalString(places=4, dump_only=True)
