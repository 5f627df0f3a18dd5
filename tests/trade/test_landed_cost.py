"""Landed cost: configuration, unknown and unconfirmed rates, the tariff book's choice of row,
orders, admin edits and bad input (the hand-computed cases are in test_customs_value.py)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete

from core.extensions import db
from tests.marketplace.helpers import product
from tests.trade.helpers import RAIL, order_in, route
from trade.models import TariffRate


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


def test_insurance_percent_is_configurable(app, client):
    goods = buckwheat()
    saved = app.config.get("LANDED_COST_INSURANCE_PERCENT")
    app.config["LANDED_COST_INSURANCE_PERCENT"] = "0.5"
    try:
        with route("rail", "zabaikalsk-manzhouli", RAIL):
            body = client.get(
                f"/api/v1/landed-cost?product_id={goods.id}&quantity=20000&incoterm=FCA&named_place=Chelyabinsk"
            ).get_json()
    finally:
        app.config.pop("LANDED_COST_INSURANCE_PERCENT")
        if saved is not None:
            app.config["LANDED_COST_INSURANCE_PERCENT"] = saved
    # 0.5 % of (136 000.00 + 16 080.00) = 760.40; customs value 152 840.40
    assert body["insurance"] == "760.40" and body["customs_value"] == "152840.40"


def test_an_unknown_hs_code_is_never_a_silent_zero(client):
    goods = product(stock="100", hs_code="0801110000")
    body = client.get(f"/api/v1/landed-cost?product_id={goods.id}&quantity=10").get_json()
    assert body["duty"] is None and body["vat"] is None and body["total"] is None
    assert body["customs_value"] is not None
    assert "duty_rate_unknown" in [w["code"] for w in body["warnings"]]
    assert body["rates"]["duty_percent"] is None


def test_an_unconfirmed_rate_is_estimated_with_a_warning(client):
    # Linseed 1204: the seeded row is a plausible value nobody has checked yet.
    linseed = product(stock="100", hs_code="1204009000", category_code="oilseeds_oils")
    body = client.get(f"/api/v1/landed-cost?product_id={linseed.id}&quantity=10").get_json()
    assert body["total"] is not None
    assert {"duty_rate_unconfirmed", "freight_tariff_unconfirmed"} <= {w["code"] for w in body["warnings"]}


def test_the_longest_prefix_wins(client):
    db.session.add(
        TariffRate(
            hs_prefix="1008",
            duty_percent=Decimal("3"),
            vat_percent=Decimal("9"),
            effective_from=date(2024, 1, 1),
            source="test",
        )
    )
    db.session.commit()
    try:
        body = client.get(f"/api/v1/landed-cost?product_id={buckwheat().id}&quantity=1000").get_json()
        assert body["rates"]["hs_prefix"] == "100810" and body["rates"]["duty_percent"] == "2"
        assert body["tariff"]["code"] == "100810"
    finally:
        db.session.execute(delete(TariffRate).where(TariffRate.hs_prefix == "1008"))
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
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        body = api.as_user(order.buyer).get(f"/api/v1/orders/{order.id}/landed-cost").get_json()
    # The order took the product's basis, FCA Chelyabinsk: the hand-computed 175 619.79.
    assert body["total"] == "175619.79" and len(body["lines"]) == 1
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
        db.session.execute(delete(TariffRate).where(TariffRate.hs_prefix == "0801"))
        db.session.commit()
    absurd = api.put(
        "/api/v1/freight-tariffs",
        json={"mode": "rail", "border_crossing": "zabaikalsk-manzhouli", "cny_per_kg": "500"},
    )
    assert absurd.status_code == 422
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        # A through rate (no leg): the legs keep their shares, 0.80 : 0.30.
        ok = api.put(
            "/api/v1/freight-tariffs",
            json={"mode": "rail", "border_crossing": "zabaikalsk-manzhouli", "cny_per_kg": "1.65"},
        )
        assert ok.status_code == 200 and ok.get_json()["cny_per_kg"] == "1.2000"
        leg = api.put(
            "/api/v1/freight-tariffs",
            json={
                "mode": "rail",
                "border_crossing": "zabaikalsk-manzhouli",
                "leg": "china",
                "cny_per_kg": "0.35",
                "min_charge_cny": "5000",
                "transit_days": 4,
            },
        )
        assert leg.status_code == 200, leg.get_json()
        assert (leg.get_json()["min_charge_cny"], leg.get_json()["transit_days"]) == ("5000.00", 4)
        no_mode = api.put(
            "/api/v1/freight-tariffs", json={"border_crossing": "zabaikalsk-manzhouli", "cny_per_kg": "1"}
        )
        assert no_mode.status_code == 422 and "mode" in no_mode.get_json()["error"]["fields"]
