"""Issue 13, "done when": a customs broker's checklist over the demo's own orders. Every field
the broker needs is in the text extracted from each issued PDF — proforma, commercial invoice,
packing list and the order's label sheet — as `flask seed-demo` leaves them (the checks are
in tests/trade/broker.py, shared with the seed's invariants)."""

import pytest
from sqlalchemy import select

from core.extensions import db
from marketplace.models import Order
from tests.trade.broker import SHIPPED, broker_problems


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Order).order_by(Order.id)).all()


def test_the_demo_orders_documents_carry_what_a_broker_checks(demo):
    assert any(order.status in SHIPPED for order in demo), "the demo should include shipped orders"
    assert broker_problems(demo) == {}
