"""Shared set-ups for the marketplace tests."""

from decimal import Decimal

from tests import factories
from tests.conftest import ApiClient


def client_for(app, user) -> ApiClient:
    return ApiClient(app.test_client()).as_user(user)


def product(stock="10", tiers=((Decimal("1"), Decimal("12.50")),), **fields):
    return factories.ProductFactory(stock_on_hand=Decimal(stock), tiers=tiers, index=False, **fields)


def place(api, lines, **extra):
    body = {"lines": [{"product_id": p.id, "quantity": str(q)} for p, q in lines], **extra}
    return api.post("/api/v1/orders", json=body)
