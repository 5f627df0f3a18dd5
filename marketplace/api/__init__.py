"""The marketplace's JSON API: orders, cart, RFQs (orders.py) and payments (payments.py)."""
