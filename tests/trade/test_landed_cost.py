"""Landed cost in Harbin against hand-computed cases, rounding, and bad input."""

from decimal import Decimal

import pytest
from sqlalchemy import delete

from core.extensions import db
from tests.marketplace.helpers import product
from tests.trade.helpers import order_in, tariff
from trade.models import DutyRate


def buckwheat():
    return product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("7.20")), (Decimal("10000"), Decimal("6.80"))),
        hs_code="1008100000",
        net_weight_kg=Decimal("1.000"),
        gross_weight_kg=Decimal("1.005"),
    )


def linseed_oil():
    return product(
        stock="5000",
        tiers=((Decimal("500"), Decimal("38.40")),),
        name_zh="精炼亚麻籽油",
        name_ru="Льняное масло рафинированное",
        name_en="Refined linseed oil",
        category_code="oilseeds_oils",
        hs_code="1515190000",
        unit="litre",
        net_weight_kg=Decimal("0.930"),
        gross_weight_kg=None,
    )


def test_buckwheat_20_tonnes_by_rail_via_zabaikalsk(client):
    goods = buckwheat()
    with tariff("rail", "zabaikalsk-manzhouli", "0.85"):
        body = client.get(
            f"/api/v1/landed-cost?product_id={goods.id}&quantity=20000&mode=rail&border_crossing=zabaikalsk-manzhouli"
        ).get_json()
    # 20 000 kg × 6.80 = 136 000.00; 20 000 × 1.005 kg gross = 20 100 kg × 0.85 = 17 085.00;
    # insurance 0.3 % of 153 085.00 = 459.255 → 459.26 (half up);
    # customs value 136 000.00 + 17 085.00 + 459.26 = 153 544.26;
    # duty 2 % = 3 070.8852 → 3 070.89; VAT 9 % of 156 615.15 = 14 095.3635 → 14 095.36;
    # total 153 544.26 + 3 070.89 + 14 095.36 = 170 710.51
    assert {
        k: body[k] for k in ("goods", "freight", "insurance", "customs_value", "duty", "vat", "total")
    } == {
        "goods": "136000.00",
        "freight": "17085.00",
        "insurance": "459.26",
        "customs_value": "153544.26",
        "duty": "3070.89",
        "vat": "14095.36",
        "total": "170710.51",
    }
    assert body["weight_kg"] == "20100.000"
    assert body["rates"]["duty_percent"] == "2" and body["rates"]["vat_percent"] == "9"
    assert body["rates"]["hs_prefix"] == "100810" and body["rates"]["freight_cny_per_kg"] == "0.85"
    assert body["rates"]["insurance_percent"] == "0.3" and body["rates"]["unit_price"] == "6.80"
    assert body["warnings"] == []


def test_refined_linseed_oil_by_road_via_heihe(client):
    goods = linseed_oil()
    with tariff("road", "blagoveshchensk-heihe", "1.75"):
        body = client.get(
            f"/api/v1/landed-cost?product_id={goods.id}&quantity=1500&mode=road&border_crossing=blagoveshchensk-heihe"
        ).get_json()
    # 1 500 l × 38.40 = 57 600.00; no gross weight: 1 500 × 0.930 kg net = 1 395 kg × 1.75 = 2 441.25;
    # insurance 0.3 % of 60 041.25 = 180.12375 → 180.12; customs value 60 221.37;
    # duty 15 % = 9 033.2055 → 9 033.21; VAT 13 % of 69 254.58 = 9 003.0954 → 9 003.10;
    # total 60 221.37 + 9 033.21 + 9 003.10 = 78 257.68
    assert [body[k] for k in ("goods", "freight", "insurance", "customs_value", "duty", "vat", "total")] == [
        "57600.00",
        "2441.25",
        "180.12",
        "60221.37",
        "9033.21",
        "9003.10",
        "78257.68",
    ]
    assert body["rates"]["vat_percent"] == "13" and body["rates"]["hs_prefix"] == "151519"


def test_insurance_percent_is_configurable(app, client):
    goods = buckwheat()
    saved = app.config.get("LANDED_COST_INSURANCE_PERCENT")
    app.config["LANDED_COST_INSURANCE_PERCENT"] = "0.5"
    try:
        with tariff("rail", "zabaikalsk-manzhouli", "0.85"):
            body = client.get(f"/api/v1/landed-cost?product_id={goods.id}&quantity=20000").get_json()
    finally:
        app.config.pop("LANDED_COST_INSURANCE_PERCENT")
        if saved is not None:
            app.config["LANDED_COST_INSURANCE_PERCENT"] = saved
    # 0.5 % of 153 085.00 = 765.425 → 765.43
    assert body["insurance"] == "765.43" and body["customs_value"] == "153850.43"


def test_an_unknown_hs_code_is_never_a_silent_zero(client):
    goods = product(stock="100", hs_code="0801110000")
    body = client.get(f"/api/v1/landed-cost?product_id={goods.id}&quantity=10").get_json()
    assert body["duty"] is None and body["vat"] is None and body["total"] is None
    assert body["customs_value"] is not None
    assert "duty_rate_unknown" in [w["code"] for w in body["warnings"]]
    assert body["rates"]["duty_percent"] is None


def test_an_unconfirmed_rate_is_estimated_with_a_warning(client):
    honey = product(stock="100", hs_code="0409000000", category_code="honey")
    body = client.get(f"/api/v1/landed-cost?product_id={honey.id}&quantity=10").get_json()
    assert body["total"] is not None
    assert {"duty_rate_unconfirmed", "freight_tariff_unconfirmed"} <= {w["code"] for w in body["warnings"]}


def test_the_longest_prefix_wins(client):
    db.session.add(DutyRate(hs_prefix="1008", duty_percent=Decimal("3"), vat_percent=Decimal("9")))
    db.session.commit()
    try:
        body = client.get(f"/api/v1/landed-cost?product_id={buckwheat().id}&quantity=1000").get_json()
        assert body["rates"]["hs_prefix"] == "100810" and body["rates"]["duty_percent"] == "2"
    finally:
        db.session.execute(delete(DutyRate).where(DutyRate.hs_prefix == "1008"))
        db.session.commit()


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("quantity=999", 422, "below_moq"),
        ("quantity=-5", 422, "validation_error"),
        ("quantity=abc", 422, "validation_error"),
        ("quantity=1000&mode=air", 422, "validation_error"),
        ("quantity=1000&mode=rail&border_crossing=blagoveshchensk-heihe", 422, "no_freight_tariff"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, query, status, code):
    goods = buckwheat()
    response = client.get(f"/api/v1/landed-cost?product_id={goods.id}&{query}")
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_an_invisible_product_is_404(client):
    draft = product(stock="10", status="draft")
    assert client.get(f"/api/v1/landed-cost?product_id={draft.id}&quantity=1").status_code == 404


def test_an_order_is_the_sum_of_its_lines(app, api):
    order = order_in(app, goods=buckwheat(), quantity="20000")
    with tariff("rail", "zabaikalsk-manzhouli", "0.85"):
        body = api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/landed-cost").get_json()
    assert body["total"] == "170710.51" and len(body["lines"]) == 1
    other = api.as_role("buyer").get(f"/api/v1/orders/{order.id}/landed-cost")
    assert other.status_code == 404


def test_admin_edits_duty_rates_and_tariffs_with_checks(api):
    assert (
        api.as_role("buyer")
        .put("/api/v1/duty-rates", json={"hs_prefix": "0801", "duty_percent": "12", "vat_percent": "9"})
        .status_code
        == 403
    )
    api.as_role("admin")
    try:
        saved = api.put(
            "/api/v1/duty-rates", json={"hs_prefix": "0801", "duty_percent": "12", "vat_percent": "9"}
        )
        assert saved.status_code == 200 and saved.get_json()["duty_percent"] == "12.000"
        bad = api.put(
            "/api/v1/duty-rates", json={"hs_prefix": "0801", "duty_percent": "-1", "vat_percent": "9"}
        )
        assert bad.status_code == 422
    finally:
        db.session.execute(delete(DutyRate).where(DutyRate.hs_prefix == "0801"))
        db.session.commit()
    absurd = api.put(
        "/api/v1/freight-tariffs",
        json={"mode": "rail", "border_crossing": "zabaikalsk-manzhouli", "cny_per_kg": "500"},
    )
    assert absurd.status_code == 422
    with tariff("rail", "zabaikalsk-manzhouli", "1.10"):
        ok = api.put(
            "/api/v1/freight-tariffs",
            json={"mode": "rail", "border_crossing": "zabaikalsk-manzhouli", "cny_per_kg": "0.95"},
        )
        assert ok.status_code == 200 and ok.get_json()["cny_per_kg"] == "0.9500"
