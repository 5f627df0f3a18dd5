"""The product page, the cart, the order page and the proforma show the landed cost the API gives."""

from decimal import Decimal

from babel.numbers import format_currency

from marketplace.services import cart as cart_service
from tests.marketplace.helpers import place, product
from tests.trade.helpers import RAIL, pdf_text, route
from trade.pdf import money

TERMS = "incoterm=DAP&named_place=manzhouli&quota=out"


def _flour():
    return product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("3.20")),),
        name_en="Wheat flour",
        category_code="flour_pasta",
        hs_code="1101000000",
        tnved_code="1101001500",
        net_weight_kg=Decimal("1.000"),
        gross_weight_kg=Decimal("1.004"),
    )


def _shown(amount: str) -> str:
    return format_currency(Decimal(amount), "CNY", locale="en")


def test_pages_and_the_proforma_show_the_apis_figures(client, login_as, api):
    flour = _flour()
    buyer = login_as("buyer")
    api.as_user(buyer)
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        estimate = api.get(f"/api/v1/landed-cost?product_id={flour.id}&quantity=20000&{TERMS}").get_json()
        # Out of quota, DAP Manzhouli: 121 128.00 (see test_customs_value.py for the arithmetic).
        assert estimate["total"] == "121128.00"
        page = client.get(f"/catalog/products/{flour.id}?quantity=20000&{TERMS}").get_data(as_text=True)
        for key in ("customs_value", "duty", "vat", "freight_in_china", "total"):
            assert _shown(estimate[key]) in page, key

        cart_service.add(buyer, flour.id, "20000")
        in_cart = api.get(f"/api/v1/cart/landed-cost?{TERMS}").get_json()
        assert in_cart["total"] == estimate["total"]
        cart_page = client.get(f"/cart?{TERMS}").get_data(as_text=True)
        assert _shown(in_cart["total"]) in cart_page

        order = place(
            api, [(flour, "20000")], incoterm="DAP", named_place="Manzhouli", quota="out"
        ).get_json()
        of_order = api.get(f"/api/v1/orders/{order['id']}/landed-cost").get_json()
        assert of_order["total"] == estimate["total"]
        order_page = client.get(f"/orders/{order['id']}").get_data(as_text=True)
        for key in ("customs_value", "duty", "vat", "total"):
            assert _shown(of_order[key]) in order_page, key
        proforma = pdf_text(client.get(f"/orders/{order['id']}/documents/proforma.pdf").data)
    for key in ("customs_value", "duty", "vat", "freight_in_china", "total"):
        assert money(Decimal(of_order[key])) in proforma, key
    assert "DAP Manzhouli" in proforma
    # Each tariff code under its own name.
    assert "CN:\n1101000000" in proforma and "ТН ВЭД:\n1101001500" in proforma


def test_quota_unknown_shows_both_totals_on_the_page(client, login_as):
    flour = _flour()
    login_as("buyer")
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        page = client.get(
            f"/catalog/products/{flour.id}?quantity=20000&incoterm=DAP&named_place=manzhouli&quota=unknown"
        ).get_data(as_text=True)
    assert _shown("79969.60") in page and _shown("121128.00") in page
