"""Quantities typed on pages are read in the page's language and nothing else; the cart
refuses, with the reason and the unit, what the MOQ or the stock does not allow."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db
from core.numbers import LocalNumberError, parse_local_decimal
from marketplace.models import CartItem
from tests.marketplace.helpers import product


@pytest.mark.parametrize(
    ("locale", "text", "value"),
    [
        ("ru", "1,5", Decimal("1.5")),
        ("ru", "7 800,00", Decimal("7800")),
        ("ru", "7\u00a0800,00", Decimal("7800")),
        ("en", "1.5", Decimal("1.5")),
        ("zh", "1.5", Decimal("1.5")),
        ("en", "7,800.00", Decimal("7800")),
        ("zh", "12", Decimal("12")),
    ],
)
def test_the_locale_format_is_read(locale, text, value):
    assert parse_local_decimal(text, locale) == value


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "1e3"),
        ("ru", "1e3"),
        ("en", "\u0661"),  # Arabic-Indic one
        ("zh", "\uff15"),  # full-width five
        ("ru", "1.5"),  # the other language's decimal sign
        ("en", "1,5"),
        ("zh", "1,5"),
        ("en", "-3"),
        ("en", "Infinity"),
        ("en", "NaN"),
        ("en", "1 000"),
        ("ru", "1,000,000"),
        ("en", ""),
    ],
)
def test_anything_else_is_refused(locale, text):
    with pytest.raises(LocalNumberError):
        parse_local_decimal(text, locale)


def _in_cart(product_id):
    item = db.session.scalar(select(CartItem).where(CartItem.product_id == product_id))
    return item.quantity if item else None


def _flash(client):
    return client.get("/cart").get_data(as_text=True)


def test_a_russian_page_takes_a_decimal_comma(client, login_as):
    p = product(stock="100")
    login_as("buyer", language="ru")
    assert client.post_form("/cart/add", {"product_id": p.id, "quantity": "1,5"}).status_code == 302
    assert _in_cart(p.id) == Decimal("1.5")
    page = _flash(client)
    assert 'value="1,5"' in page  # shown back as it is read
    item = db.session.scalar(select(CartItem))
    client.post_form(f"/cart/items/{item.id}", {"quantity": "2,25"})
    assert _in_cart(p.id) == Decimal("2.25")
    client.post_form(f"/cart/items/{item.id}", {"quantity": "3.5"})
    assert _in_cart(p.id) == Decimal("2.25")
    assert "1250,5" in _flash(client)


@pytest.mark.parametrize("text", ["1e3", "1,5", "\uff15", "\u0661", "0x10", "1_000"])
def test_an_english_page_refuses_other_formats(client, login_as, text):
    p = product(stock="10000")
    login_as("buyer")
    response = client.post_form("/cart/add", {"product_id": p.id, "quantity": text})
    assert response.status_code in (302, 422)
    assert _in_cart(p.id) is None


def test_below_the_moq_names_the_moq_and_the_unit(client, login_as):
    p = product(stock="100", tiers=((Decimal("10"), Decimal("12.50")),), unit="tonne")
    login_as("buyer")
    client.post_form("/cart/add", {"product_id": p.id, "quantity": "4"})
    assert "The minimum order is 10 tonne; the cart would hold 4 tonne." in _flash(client)
    assert _in_cart(p.id) is None


def test_more_than_the_stock_is_refused_at_add(client, login_as):
    p = product(stock="30")
    login_as("buyer")
    client.post_form("/cart/add", {"product_id": p.id, "quantity": "20"})
    client.post_form("/cart/add", {"product_id": p.id, "quantity": "20"})
    assert "Only 30 kg in stock; the cart would hold 40 kg." in _flash(client)
    assert _in_cart(p.id) == Decimal("20")


def test_the_api_answers_409_past_the_stock(api):
    p = product(stock="5")
    api.as_role("buyer")
    response = api.post("/api/v1/cart/items", json={"product_id": p.id, "quantity": "6"})
    assert response.status_code == 409
    body = response.get_json()
    assert (
        body["error"]["code"] == "insufficient_stock"
        and Decimal(body["error"]["shortfalls"][0]["available"]) == 5
    )
