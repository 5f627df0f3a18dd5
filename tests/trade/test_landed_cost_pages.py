"""The landed-cost panel in the reader's language: quantity with its unit in the locale's plural,
money and percentages by Babel, on the calculator page, an order's page and the cart (an
order's and a cart's estimate carry no unit price: reading one there was a 500)."""

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_currency

from catalog.data import quantity_text
from tests.marketplace.helpers import product
from tests.trade.helpers import RAIL, order_in, route

ROUTE = "mode=rail&border_crossing=zabaikalsk-manzhouli"


def _wheat():
    return product(
        stock="500",
        tiers=((Decimal("1"), Decimal("7800.00")),),
        hs_code="1001990000",
        unit="tonne",
        net_weight_kg=Decimal("1000"),
        gross_weight_kg=Decimal("1002"),
    )


def _goods_line(page: str) -> str:
    match = re.search(r'<th scope="row">[^<]+</th><td>(.*?)</td>', page, re.S)
    assert match, page
    return " ".join(match.group(1).split("-#}")[-1].split())


@pytest.mark.parametrize("language", ["zh", "ru", "en"])
def test_calculator_goods_line_by_locale(app, client, language):
    goods = _wheat()
    client.raw.set_cookie("lang", language)
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        response = client.get(f"/landed-cost?product_id={goods.id}&quantity=20&{ROUTE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale(language):
        quantity = quantity_text(Decimal("20"), "tonne")
        price = format_currency(Decimal("7800.00"), "CNY")
    assert f"{quantity} × {price}" in page
    assert "7800.00 CNY" not in page and "20.000" not in page
    assert {"zh": "20 吨", "ru": "20 т", "en": "20 tonnes"}[language] == quantity
    assert {"zh": "¥7,800.00", "ru": "7\xa0800,00\xa0CN¥", "en": "CN¥7,800.00"}[language] == price
    if language == "ru":
        assert "0,3 % от стоимости на границе" in page or "0,3 %" in page


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_order_and_cart_panels_render_without_a_unit_price(app, client, language):
    order = order_in(app, goods=_wheat(), quantity="20")
    client.login(order.buyer)
    client.raw.set_cookie("lang", language)
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        page = client.get(f"/orders/{order.id}?{ROUTE}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert 'id="landed-cost"' in text and "None" not in text
        client.post_form("/cart/add", {"product_id": str(order.lines[0].product_id), "quantity": "20"})
        cart = client.get(f"/cart?{ROUTE}")
        assert cart.status_code == 200
        assert "CN¥" in cart.get_data(as_text=True) or "¥" in cart.get_data(as_text=True)
