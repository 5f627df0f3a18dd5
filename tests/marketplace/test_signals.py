"""The marketplace's signals: "order placed" (which freezes the rate) and "order paid" fire
once, for the right order, and only when the thing happened."""

from marketplace.signals import order_paid, order_placed
from tests import factories
from tests.marketplace.helpers import client_for, place, product


def _collect(signal):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender.id)

    return seen, signal.connected_to(receiver)


def test_placing_an_order_sends_order_placed_once(app):
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    goods = product(stock="10")
    seen, connected = _collect(order_placed)
    with connected:
        refused = place(buyer, [(goods, "0")])
        placed = place(buyer, [(goods, "4")])
    assert refused.status_code == 422 and placed.status_code == 201
    assert seen == [placed.get_json()["id"]]


def test_order_paid_waits_for_the_whole_amount(app):
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    admin = client_for(app, factories.UserFactory(role="admin"))
    order = place(buyer, [(product(stock="10"), "4")]).get_json()  # 50.00 CNY
    reference = buyer.post(
        f"/api/v1/orders/{order['id']}/payment", json={"method": "bank_transfer"}
    ).get_json()["reference"]
    seen, connected = _collect(order_paid)
    with connected:
        admin.post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "20.00"})
        assert seen == []
        admin.post("/api/v1/payments/bank-transfers", json={"reference": reference, "amount": "30.00"})
    assert seen == [order["id"]]
