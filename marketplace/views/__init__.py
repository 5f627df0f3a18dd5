"""Marketplace pages: orders, cart and RFQs (orders.py); payments, balances (payments.py)."""

from marketplace.views import dashboards, orders, payments  # noqa: F401
