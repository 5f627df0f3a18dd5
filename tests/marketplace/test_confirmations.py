"""Irreversible steps (cancel an order, confirm receipt and release escrow, delete a
certificate) ask first, saying what will happen, and work without JavaScript."""

from decimal import Decimal

from catalog.models import Certificate
from core.extensions import db
from marketplace.models import Order
from marketplace.services.orders import apply_move, place_order
from tests import factories
from tests.marketplace.helpers import product


def _html(response):
    return response.get_data(as_text=True)


def _order(moves=()):
    p = product(stock="10")
    buyer = factories.UserFactory(role="buyer")
    order = place_order(buyer, {"lines": [{"product_id": p.id, "quantity": Decimal("2")}]})
    farmer = p.producer.owner
    admin = factories.UserFactory(role="admin")
    for move in moves:
        actor = {"paid": None, "confirmed": farmer, "ready_for_pickup": farmer}.get(move, admin)
        apply_move(order, move, actor)
    db.session.commit()
    return order, buyer


def _status(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id).status


def test_cancelling_asks_first_and_says_what_happens(client):
    order, buyer = _order()
    client.login(buyer)
    asked = client.post_form(f"/orders/{order.id}/cancel", {"reason": "changed plans"})
    page = _html(asked)
    assert asked.status_code == 200 and "This cannot be undone" in page
    assert "The reserved goods go back on sale." in page and "Nothing has been paid" in page
    assert 'name="confirmed" value="1"' in page and 'value="changed plans"' in page
    assert _status(order.id) == "pending_payment"
    done = client.post_form(f"/orders/{order.id}/cancel", {"reason": "changed plans", "confirmed": "1"})
    assert done.status_code == 302 and _status(order.id) == "cancelled"


def test_confirming_receipt_says_the_escrow_is_released(client):
    order, buyer = _order(("paid", "confirmed", "ready_for_pickup", "in_transit", "delivered"))
    client.login(buyer)
    page = _html(client.post_form(f"/orders/{order.id}/receive", {}))
    assert "is released to the producer" in page and "no longer open a dispute" in page
    assert _status(order.id) == "delivered"
    client.post_form(f"/orders/{order.id}/receive", {"confirmed": "1"})
    assert _status(order.id) == "completed"


def test_a_stranger_is_not_told_what_would_happen(client, login_as):
    order, _buyer = _order()
    login_as("buyer")
    response = client.post_form(f"/orders/{order.id}/cancel", {})
    assert response.status_code == 302 and order.number not in _html(client.get("/orders"))


def test_deleting_a_certificate_asks_first(client):
    producer = factories.ProducerFactory()
    certificate = factories.CertificateFactory(producer=producer)
    certificate_id, number = certificate.id, certificate.number
    client.login(producer.owner)
    page = _html(client.post_form(f"/catalog/my/producer/certificates/{certificate_id}/delete", {}))
    assert "This cannot be undone" in page and number in page
    assert db.session.get(Certificate, certificate_id) is not None
    client.post_form(f"/catalog/my/producer/certificates/{certificate_id}/delete", {"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Certificate, certificate_id) is None
