"""Marketplace models: orders (cart, checkout, lines, allocations, RFQs) and payments."""

from marketplace.models.orders import (  # noqa: F401
    DEFAULT_NAMED_PLACE,
    INCOTERMS,
    MONEY,
    ORDER_STATUSES,
    PAYMENT_STATUSES,
    QUANTITY,
    QUOTE_STATUSES,
    RFQ_STATUSES,
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
    Payout,
    Refund,
    StripeEvent,
)
