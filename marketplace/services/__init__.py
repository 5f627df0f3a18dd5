"""Marketplace rules: cart, orders and their lifecycle, stock, idempotency, RFQs."""
