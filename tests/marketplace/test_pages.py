"""The marketplace pages, as buyers, farmers and admins use them."""

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import select

from catalog.models import Product
from core.extensions import db
from marketplace.models import CartItem, Order, Payment
from marketplace.services.orders import apply_move
from tests import factories
from tests.marketplace.helpers import product


def _html(response):
    return response.get_data(as_text=True)


def test_cart_checkout_and_bank_transfer_through_pages(client, login_as):
    a = product(stock="100", tiers=((Decimal("10"), Decimal("12.50")), (Decimal("50"), Decimal("11.00"))))
    b = product(stock="100")
    buyer = login_as("buyer")
    below = client.post_form(
        "/cart/add", {"product_id": a.id, "quantity": "5", "next": f"/catalog/products/{a.id}"}
    )
    assert below.status_code == 302 and below.headers["Location"] == f"/catalog/products/{a.id}"
    assert "The minimum order is 10 kg; the cart would hold 5 kg." in _html(client.get("/cart"))  # flashed
    assert db.session.scalar(select(CartItem)) is None
    client.post_form("/cart/add", {"product_id": a.id, "quantity": "20"})
    client.post_form("/cart/add", {"product_id": b.id, "quantity": "3"})
    cart = _html(client.get("/cart"))
    assert "250.00" in cart and "37.50" in cart  # 20 × 12.50 and 3 × 12.50
    assert "11.00" in cart  # the next tier is hinted
    response = client.post_form(
        "/checkout",
        {"incoterm": "DAP", "named_place": "Harbin, Daowai logistics zone", "buyer_reference": "PO-9"},
    )
    assert response.status_code == 302
    orders = db.session.scalars(select(Order).where(Order.buyer_id == buyer.id)).all()
    assert len(orders) == 2 and {o.buyer_reference for o in orders} == {"PO-9"}
    done = _html(client.get(response.headers["Location"]))
    assert all(o.number in done for o in orders) and 'value="bank_transfer"' in done
    checkout_id = orders[0].checkout_id
    pay = client.post_form(f"/checkouts/{checkout_id}/pay", {"method": "bank_transfer"})
    assert pay.status_code == 302
    page = _html(client.get(pay.headers["Location"]))
    payment = db.session.scalar(select(Payment))
    assert payment.reference in page and "287.50" in page and "BKCHCNBJ860" in page
    assert db.session.scalar(select(CartItem)) is None


def test_checkout_short_of_stock_keeps_the_cart(client, login_as):
    p = product(stock="5")
    login_as("buyer")
    client.post_form("/cart/add", {"product_id": p.id, "quantity": "4"})
    p.stock_on_hand = Decimal("3")
    db.session.commit()
    response = client.post_form("/checkout", {"incoterm": "DAP", "named_place": "Harbin"})
    assert response.status_code == 302 and response.headers["Location"] == "/cart"
    assert "Not enough stock" in _html(client.get("/cart"))
    assert db.session.scalar(select(Order)) is None and db.session.scalar(select(CartItem)) is not None


def test_farmer_confirms_and_marks_ready_from_the_order_page(client, app, login_as):
    p = product(stock="10")
    farmer = p.producer.owner
    buyer = factories.UserFactory(role="buyer")
    from marketplace.services.orders import place_order

    order = place_order(buyer, {"lines": [{"product_id": p.id, "quantity": Decimal("2")}]})
    apply_move(order, "paid", None)
    db.session.commit()
    client.login(farmer)
    page = _html(client.get(f"/orders/{order.id}"))
    assert "Confirm the order" in page and order.number in page
    assert client.post_form(f"/orders/{order.id}/confirm", {}).status_code == 302
    assert client.post_form(f"/orders/{order.id}/ready", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "ready_for_pickup"
    history = _html(client.get(f"/orders/{order.id}"))
    assert history.count("<li><time") == 4  # placed, paid, confirmed, ready
    assert "incoming" in _html(client.get("/orders")).lower() or order.number in _html(client.get("/orders"))


def test_a_stranger_gets_404_on_an_order_page(client, login_as):
    p = product(stock="10")
    from marketplace.services.orders import place_order

    order = place_order(
        factories.UserFactory(role="buyer"), {"lines": [{"product_id": p.id, "quantity": Decimal("1")}]}
    )
    login_as("buyer")
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.post_form(f"/orders/{order.id}/cancel", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending_payment"


def test_rfq_pages(client, app, login_as):
    p = product(stock="5000")
    buyer = login_as("buyer")
    deadline = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = client.post_form(
        "/rfqs/new",
        {
            "product_id": str(p.id),
            "description": "Need 2 tonnes of buckwheat",
            "quantity": "2000",
            "unit": "kg",
            "incoterm": "DAP",
            "named_place": "Harbin",
            "deadline": deadline,
        },
    )
    assert response.status_code == 302, _html(response)
    rfq_url = response.headers["Location"]
    assert "Need 2 tonnes" in _html(client.get("/rfqs"))
    farmer_browser = type(client)(app.test_client())
    farmer_browser.login(p.producer.owner)
    assert "Need 2 tonnes" in _html(farmer_browser.get(rfq_url))
    quote = farmer_browser.post_form(
        f"{rfq_url}/quote",
        {"product_id": str(p.id), "unit_price": "10.80", "valid_until": deadline, "lead_time_days": "3"},
    )
    assert quote.status_code == 302
    page = _html(client.get(rfq_url))
    assert "10.80" in page and "Accept and order" in page
    quote_id = re.search(r"/quotes/(\d+)/accept", page).group(1)
    accepted = client.post_form(f"/quotes/{quote_id}/accept", {})
    assert accepted.status_code == 302
    order = db.session.scalar(select(Order).where(Order.buyer_id == buyer.id))
    assert order.lines[0].unit_price == Decimal("10.80")
    assert db.session.get(Product, p.id).stock_reserved == Decimal("2000")


def test_balance_and_payments_desk(client, app, login_as):
    p = product(stock="10")
    farmer_browser = type(client)(app.test_client())
    farmer_browser.login(p.producer.owner)
    assert "Held in escrow" in _html(farmer_browser.get("/balance"))
    login_as("admin")
    desk = client.get("/admin/payments")
    assert desk.status_code == 200 and "Record a bank transfer" in _html(desk)
    bad = client.post_form("/admin/payments/bank-transfers", {"reference": "ABP-NOPE", "amount": "abc"})
    assert bad.status_code == 302 and "Enter the amount" in _html(client.get("/admin/payments"))


def test_pages_are_closed_to_other_roles(client, login_as):
    login_as("farmer")
    assert client.get("/cart").status_code == 403
    assert client.get("/admin/payments").status_code == 403
    client.post_form("/logout", {})
    login_as("buyer")
    assert client.get("/balance").status_code == 403
    anonymous = type(client)(client.raw.application.test_client())
    assert anonymous.get("/orders").status_code == 302


def test_product_page_offers_the_cart_to_buyers_only(client, login_as):
    p = product(stock="100", tiers=((Decimal("10"), Decimal("12.50")),))
    anonymous = client.get(f"/catalog/products/{p.id}").get_data(as_text=True)
    assert "Log in to order" in anonymous and 'id="add-to-cart"' not in anonymous
    login_as("buyer")
    page = client.get(f"/catalog/products/{p.id}").get_data(as_text=True)
    assert 'id="add-to-cart"' in page and 'value="10"' in page
    response = client.post_form(
        "/cart/add", {"product_id": p.id, "quantity": "12", "next": f"/catalog/products/{p.id}"}
    )
    assert response.headers["Location"] == "/cart"
    assert db.session.scalar(select(CartItem)).quantity == Decimal("12")
