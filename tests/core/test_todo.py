"""The to-do home: each role's sections hold what it has to do, with counts on the tabs."""

from datetime import timedelta

from core.extensions import db
from core.timeutil import utcnow
from core.todo import todo_for
from marketplace.models import Order
from marketplace.services.orders import apply_move
from tests import factories
from tests.logistics.helpers import ready_order, shipment_with
from tests.marketplace.helpers import client_for, place, product


def _counts(user) -> dict:
    return {s["key"]: s["count"] for s in todo_for(user)}


def _order(app, buyer=None):
    goods = product(stock="100")
    buyer = buyer or factories.UserFactory(role="buyer")
    response = place(client_for(app, buyer), [(goods, "2")])
    assert response.status_code == 201, response.get_json()
    return db.session.get(Order, response.get_json()["id"])


def test_farmer_sees_orders_to_confirm_credentials_and_lots(app):
    order = _order(app)
    farmer = order.producer.owner
    assert _counts(farmer)["confirm"] == 0  # not paid yet: nothing to confirm
    apply_move(order, "paid", None)
    db.session.commit()
    producer = order.producer
    producer.gacc_expires_at = utcnow().date() + timedelta(days=10)
    factories.CertificateFactory(producer=producer, valid_until=utcnow().date() + timedelta(days=5))
    factories.CertificateFactory(producer=producer, valid_until=utcnow().date() + timedelta(days=400))
    db.session.commit()
    counts = _counts(farmer)
    assert counts["confirm"] == 1
    confirm = next(s for s in todo_for(farmer) if s["key"] == "confirm")["items"][0]
    assert confirm["url"] == f"/orders/{order.id}" and confirm["due"] > utcnow()
    credentials = next(s for s in todo_for(farmer) if s["key"] == "credentials")["items"]
    assert len(credentials) == 2 and all(item["urgent"] for item in credentials)  # GACC + 1 certificate
    apply_move(db.session.get(Order, order.id), "confirmed", farmer)
    db.session.commit()
    assert _counts(farmer)["confirm"] == 0


def test_buyer_sees_orders_to_pay_and_goods_on_the_way(app):
    buyer = factories.UserFactory(role="buyer")
    unpaid = _order(app, buyer)
    moving = ready_order(app, buyer=buyer)
    counts = _counts(buyer)
    assert counts == {"pay": 1, "on_the_way": 1, "quotes": 0}
    pay = next(s for s in todo_for(buyer) if s["key"] == "pay")["items"][0]
    assert pay["url"] == f"/orders/{unpaid.id}"
    way = next(s for s in todo_for(buyer) if s["key"] == "on_the_way")["items"][0]
    assert way["url"] == f"/orders/{moving.id}/tracking"
    assert _counts(factories.UserFactory(role="buyer")) == {"pay": 0, "on_the_way": 0, "quotes": 0}


def test_operator_sees_ready_orders_and_shipments_missing_documents(app):
    operator = factories.UserFactory(role="operator")
    ready_order(app)
    assert _counts(operator)["consolidate"] == 1
    shipment_with(app)
    counts = _counts(operator)
    assert counts["documents"] == 1  # the new shipment has no documents on file
    assert counts["consolidate"] == 1  # the first order still waits
    assert counts["excursions"] == 0


def test_admin_sees_producers_to_verify_and_disputes(app):
    admin = factories.UserFactory(role="admin")
    factories.ProducerFactory(status="pending")
    order = _order(app)
    apply_move(order, "paid", None)
    apply_move(order, "disputed", None)
    db.session.commit()
    counts = _counts(admin)
    assert counts["verify"] == 1 and counts["disputes"] == 1


def test_the_page_shows_each_roles_tabs_with_counts(app, client):
    order = _order(app)
    client.login(order.buyer)
    page = client.get("/home").get_data(as_text=True)
    assert 'href="#todo-pay" data-count="1"' in page
    assert 'role="search"' in page  # the buyer's search box
    client.login(factories.UserFactory(role="operator"))
    page = client.get("/home").get_data(as_text=True)
    assert 'href="#todo-consolidate"' in page and "todo-pay" not in page
    from tests.conftest import Client

    assert Client(app.test_client()).get("/home").status_code == 302  # log in first
