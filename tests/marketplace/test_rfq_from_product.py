"""An RFQ started from a product page comes with the product, its unit and the quantity typed
there; the farmer sees the buyer's text tagged with the language it is written in."""

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.i18n import text_language
from marketplace.models import Rfq
from tests.marketplace.helpers import product


def _html(response):
    return response.get_data(as_text=True)


def _selected(page, name):
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html)


def test_the_product_page_link_carries_the_quantity(client, login_as):
    p = product(stock="5000", unit="tonne", tiers=((Decimal("2"), Decimal("3000")),))
    login_as("buyer")
    page = _html(client.get(f"/catalog/products/{p.id}?quantity=12.5"))
    assert f"/rfqs/new?product_id={p.id}&amp;quantity=12.5" in page


def test_the_form_is_prefilled_from_the_product(client, login_as):
    p = product(stock="5000", unit="tonne", tiers=((Decimal("2"), Decimal("3000")),), name_en="Organic wheat")
    login_as("buyer", language="ru")
    page = _html(client.get(f"/rfqs/new?product_id={p.id}&quantity=12,5"))
    assert 'value="12,5"' in page and "Organic wheat" in page or p.name_ru in page
    chosen = _selected(page, "unit")
    assert chosen and "tonne" in chosen.groups()
    bare = _html(client.get(f"/rfqs/new?product_id={p.id}"))
    assert 'name="quantity" type="text" value="2"' in bare or 'value="2"' in bare  # the MOQ


def test_the_quantity_is_read_in_the_page_language(client, login_as):
    p = product(stock="5000")
    login_as("buyer")
    deadline = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    form = {
        "product_id": str(p.id),
        "description": "x",
        "unit": "kg",
        "incoterm": "DAP",
        "named_place": "Harbin",
        "deadline": deadline,
    }
    refused = client.post_form("/rfqs/new", {**form, "quantity": "1e3"})
    assert refused.status_code == 422 and "Enter a number like 1250.5" in _html(refused)
    assert db.session.scalar(select(Rfq)) is None
    assert client.post_form("/rfqs/new", {**form, "quantity": "1,000.5"}).status_code == 302
    assert db.session.scalar(select(Rfq)).quantity == Decimal("1000.5")


def test_the_farmer_sees_the_language_of_the_buyers_text(client, app, login_as):
    p = product(stock="5000")
    login_as("buyer", language="zh")
    deadline = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = client.post_form(
        "/rfqs/new",
        {
            "product_id": str(p.id),
            "description": "需要两吨有机荞麦，哈尔滨交货",
            "quantity": "2000",
            "unit": "kg",
            "incoterm": "DAP",
            "named_place": "Harbin",
            "deadline": deadline,
        },
    )
    assert response.status_code == 302
    farmer = type(client)(app.test_client())
    farmer.login(p.producer.owner)  # a Russian-speaking farmer by default? the factory says en
    page = _html(farmer.get(response.headers["Location"]))
    assert 'lang="zh-Hans">需要两吨有机荞麦' in page and "Written in 中文" in page


def test_text_language():
    assert text_language("Нужно 20 тонн гречки") == "ru"
    assert text_language("需要二十吨荞麦 buckwheat") == "zh"
    assert text_language("Need 20 t") == "en"
    assert text_language("2000", "ru") == "ru"
