"""Forms say what is wrong: every page form of every role, sent empty and with bad values,
answers with a visible message (beside the field, summarised on top, or as a notice) and never
a 500. The forms are found by crawling the demo site as each role; every POST page endpoint of
the URL map is either one of them or a button that needs no input (listed below)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from accounts.seed import DEMO_PASSWORD
from core.extensions import db
from tests.crawl import crawl, page_forms

ROLES = {
    "buyer": "buyer@agrobridge.demo",
    "farmer": "farmer@agrobridge.demo",
    "operator": "operator@agrobridge.demo",
    "admin": "admin@agrobridge.demo",
}

#: POST page endpoints that are buttons (a CSRF token and nothing to type), answered by a
#: notice; or forms only a logged-out visitor sees (log-in and registration, tested below).
BUTTONS = {
    "accounts.logout",
    "accounts.admin_toggle_active",
    "core.set_language",
    "catalog.delete_certificate",
    "catalog.archive_lot",
    "catalog.delete_lot",
    "catalog.delete_product_photo",
    "catalog.move_product_photo",
    "catalog.verify_producer",
    "catalog.archive_product",
    "catalog.publish_product",
    "marketplace.cart_remove",
    "marketplace.order_action",
    "marketplace.rfq_accept",
    "marketplace.rfq_close",
    "marketplace.payment_confirm",
    "marketplace.payment_sync",
    "marketplace.payout_send",
    "marketplace.quote_accept",
    "marketplace.payment_test_confirm",
    "marketplace.pay_order",
    "marketplace.pay_checkout",
    "stripe_webhook",
    # The confirm button under a logger file's preview (hidden fields only); an expired or
    # reused upload is tests/logistics/test_logger_csv.py's.
    "logistics.logger_confirm",
}

#: Forms an empty submission is a valid answer to (a notice says it is saved), and why.
EMPTY_IS_VALID = {
    "accounts.company_page": "the company is filled in bit by bit; every field may stay empty",
    "marketplace.checkout": "the delivery details are optional: the cart's orders are placed",
    "marketplace.order_action": "the reason is optional: the button confirms, cancels or disputes",
}

ERROR_SELECTORS = (".form-errors", ".field-error", ".flash-error")

BAD_VALUES = {
    "number": "abc",
    "date": "2026-13-45",
    "datetime-local": "32.13.2026 25:00",
    "email": "not-an-e-mail",
    "tel": "x" * 300,
    "url": "not a url",
    "select": "no-such-choice",
    "textarea": "x" * 50_001,
    "text": "x" * 5_001,
    "password": "x",
    "search": "x" * 5_001,
}


def _login(client, email):
    response = client.post_form("/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def _messages(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [el.get_text(" ", strip=True) for sel in ERROR_SELECTORS for el in soup.select(sel)]


def _send(client, form, values):
    data = dict(form.hidden)
    data.update(values)
    data["csrf_token"] = client.csrf_token()
    response = client.raw.post(form.action, data=data)
    html = response.get_data(as_text=True)
    if response.status_code in (302, 303):
        html = client.raw.get(response.headers["Location"]).get_data(as_text=True)
    return response, html


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.commit()


def _pages_with_forms(app, role, email) -> list[str]:
    """Pages whose forms show only in some states: a ready order (the console), a cart, a bank
    transfer awaited (its slip), an open RFQ to quote, a dispute to resolve."""
    from sqlalchemy import select

    from accounts.services import find_by_email
    from catalog.models import Product
    from marketplace.models import Order
    from marketplace.services import cart
    from marketplace.services import orders as order_service
    from marketplace.services import rfq as rfq_service
    from marketplace.services.payments import intake
    from tests.logistics.helpers import ready_order

    user = find_by_email(email)
    if role == "operator":
        ready_order(app)
        return ["/logistics"]
    if role == "buyer":
        product = db.session.scalars(select(Product).where(Product.status == "active")).first()
        cart.add(user, product.id, str(product.price_tiers[0].min_quantity if product.price_tiers else 1))
        db.session.commit()
        pages = ["/cart"]
        # A bank transfer's page takes the payment slip.
        unpaid = db.session.scalars(
            select(Order).where(Order.buyer_id == user.id, Order.status == "pending_payment")
        ).first()
        if unpaid is not None:
            payment = intake.pay_order(user, unpaid.id, "bank_transfer")
            db.session.commit()
            pages.append(f"/payments/{payment['id']}")
        return pages
    buyer = find_by_email(ROLES["buyer"])
    if role == "farmer":
        producer = (
            db.session.scalars(select(Product).where(Product.producer.has(owner_id=user.id))).first().producer
        )
        rfq = rfq_service.create_rfq(
            buyer,
            {
                "producer_id": producer.id,
                "description": "Buckwheat",
                "quantity": Decimal("20"),
                "unit": "tonne",
                "deadline": date.today() + timedelta(days=20),
                "incoterm": "DAP",
                "named_place": "Harbin",
            },
        )
        return [f"/rfqs/{rfq.id}"]
    if role == "admin":
        order = db.session.scalars(select(Order).where(Order.status.in_(("in_transit", "delivered")))).first()
        order_service.apply_move(order, "disputed", None)
        db.session.commit()
        return [
            f"/orders/{o.id}" for o in db.session.scalars(select(Order).where(Order.status == "disputed"))
        ]
    return []


def test_every_form_of_every_role_says_what_is_wrong(app, client, demo):
    problems, found = [], set()
    for role, email in ROLES.items():
        client.raw.delete_cookie("session")
        _login(client, email)
        pages = crawl(client, per_endpoint=1, limit=150, always=_pages_with_forms(app, role, email))
        seen = set()
        for page in pages:
            for form in page_forms(page):
                found.add(form.endpoint)
                if not form.fields or (form.endpoint, tuple(sorted(form.fields))) in seen:
                    continue
                seen.add((form.endpoint, tuple(sorted(form.fields))))
                empty = {
                    name: "" for name, (kind, _o) in form.fields.items() if kind not in ("file", "checkbox")
                }
                bad = {
                    name: BAD_VALUES.get(kind, "x" * 5_001)
                    for name, (kind, _o) in form.fields.items()
                    if kind not in ("file", "checkbox", "radio")
                }
                # Bad values first: they must change nothing; an empty form may be a valid answer.
                for label, values in (("bad", bad), ("empty", empty)):
                    if label == "empty" and form.endpoint in EMPTY_IS_VALID:
                        continue
                    response, html = _send(client, form, values)
                    where = f"{role} {label} {form.endpoint} ({form.action} on {form.page})"
                    if response.status_code >= 500:
                        problems.append(f"{where}: {response.status_code}")
                    elif not _messages(html):
                        problems.append(f"{where}: {response.status_code} and no visible message")
    post_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not re.match(r"^/(api|webhooks|_)", rule.rule)
    }
    logged_out = {"accounts.login", "accounts.register", "accounts.register_confirm"}
    unreached = post_endpoints - found - BUTTONS - logged_out
    assert not problems, "\n".join(problems)
    assert not unreached, f"POST pages no crawled form reaches: {sorted(unreached)}"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": "", "password": ""}),
        (
            "/register",
            {"role": "buyer", "email": "not-an-e-mail", "name": "", "password": "x", "confirm": "y"},
        ),
    ],
)
def test_logged_out_forms_say_what_is_wrong(client, url, data):
    response = client.post_form(url, data)
    assert response.status_code in (200, 401, 422)
    assert _messages(response.get_data(as_text=True))


def test_rfq_without_a_category_says_so_beside_the_category(client, login_as):
    login_as("buyer")
    response = client.post_form(
        "/rfqs/new",
        {
            "product_id": "",
            "producer_id": "",
            "category": "",
            "description": "Buckwheat, 20 t",
            "quantity": "20",
            "unit": "tonne",
            "incoterm": "DAP",
            "named_place": "Harbin",
            "deadline": "2030-01-01",
        },
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    beside = soup.select_one("#category-error")
    assert beside is not None and "Choose a producer, a product or a category" in beside.get_text()
    summary = soup.select_one(".form-errors")
    assert summary is not None and "Choose a producer, a product or a category" in summary.get_text()
