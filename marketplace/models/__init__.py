"""Marketplace models: orders (cart, checkout, lines, allocations, RFQs) and payments."""

from marketplace.models.orders import (  # noqa: F401
    DEFAULT_CROSSING,
    DEFAULT_MODE,
    DEFAULT_NAMED_PLACE,
    INCOTERMS,
    MONEY,
    ORDER_STATUSES,
    PAYMENT_STATUSES,
    QUANTITY,
    QUOTA_STATUSES,
    QUOTE_STATUSES,
    RFQ_STATUSES,
    TRANSPORT_MODES,
    CartItem,
    Checkout,
    DisputePhoto,
    IdempotencyKey,
    Order,
    OrderLine,
    OrderStatusChange,
    Quote,
    Rfq,
    StockAllocation,
)
from marketplace.models.payments import (  # noqa: F401
    BankTransferReceipt,
    LedgerEntry,
    Payment,
    PaymentOrder,
    PaymentSlip,
    Payout,
    Refund,
    StripeEvent,
)
from marketplace.models.terms import BuyerTerms  # noqa: F401
