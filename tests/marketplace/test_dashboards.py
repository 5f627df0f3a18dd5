"""Dashboards: each role's figures, and one query per widget whatever the data."""

from decimal import Decimal

import pytest
from sqlalchemy import event

from core.extensions import db
from marketplace.services import dashboards
from marketplace.services.orders import apply_move, place_order
from tests import factories
from tests.marketplace.helpers import product


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def _orders(n, producer, buyer):
    for _ in range(n):
        p = product(stock="100", producer=producer)
        order = place_order(buyer, {"lines": [{"product_id": p.id, "quantity": Decimal("2")}]})
        apply_move(order, "paid", None)
        db.session.commit()


@pytest.mark.parametrize("role", ["farmer", "buyer", "admin"])
def test_dashboard_queries_do_not_grow_with_the_data(role):
    producer = factories.ProducerFactory()
    buyer = factories.UserFactory(role="buyer")
    user = {"farmer": producer.owner, "buyer": buyer, "admin": factories.UserFactory(role="admin")}[role]
    compute = {"farmer": dashboards.farmer, "buyer": dashboards.buyer, "admin": lambda u: dashboards.admin()}[
        role
    ]
    _orders(1, producer, buyer)
    db.session.expire_all()
    with QueryCounter() as few:
        compute(user)
    _orders(6, producer, buyer)
    db.session.expire_all()
    with QueryCounter() as many:
        compute(user)
    assert few.count == many.count


def test_farmer_and_buyer_figures(client):
    producer = factories.ProducerFactory()
    buyer = factories.UserFactory(role="buyer")
    _orders(3, producer, buyer)  # 3 × 2 × 12.50
    farmer = dashboards.farmer(producer.owner)
    assert farmer["orders_by_status"] == {"paid": 3}
    assert sum(Decimal(m["value"]) for m in farmer["sales_by_month"]) == Decimal("75.00")
    spend = dashboards.buyer(buyer)
    assert [row["value"] for row in spend["spend_by_producer"]] == ["75.00"]
    client.login(buyer)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-chart="bar"' in page and "chart.umd.min.js" in page
    client.login(producer.owner)
    assert "75.00" in client.get("/dashboard").get_data(as_text=True)


def test_admin_dashboard_page(client, login_as):
    login_as("admin")
    response = client.get("/dashboard")
    assert response.status_code == 200 and "Verification queue" in response.get_data(as_text=True)
