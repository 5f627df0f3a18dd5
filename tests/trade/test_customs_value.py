"""Landed cost true to Chinese customs, against figures computed by hand.

The route tariffs are set by each test (``route``): rail via Zabaikalsk — Russian leg 0.80 CNY/kg,
at least 12 000 CNY per 60 t wagon, 12 days; Chinese leg 0.30 CNY/kg, at least 4 000 per wagon,
3 days. Road via Zabaikalsk — Russian leg 1.20 CNY/kg, at least 16 000 CNY per 20 t truck,
9 days; Chinese leg 0.40 CNY/kg, at least 4 000 per truck, 2 days. Insurance 0.3 %. Duty and
VAT come from the seeded tariff book (buckwheat 1008.10: 2 % / 9 %; refined sunflower oil
1512.19: 9 % / 9 %; wheat flour 1101: 6 % in quota, 65 % out, 9 % VAT).
"""

from decimal import Decimal

import pytest

from tests.marketplace.helpers import product
from tests.trade.helpers import RAIL, ROAD, route

AMOUNTS = (
    "goods",
    "freight_to_border",
    "freight_in_china",
    "freight",
    "insurance",
    "customs_value",
    "duty",
    "vat",
    "total",
)


def buckwheat():
    return product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("7.20")), (Decimal("10000"), Decimal("6.80"))),
        hs_code="1008100000",
        net_weight_kg=Decimal("1.000"),
        gross_weight_kg=Decimal("1.005"),
        storage_temp_min_c=0,
        storage_temp_max_c=25,
    )


def amounts(body):
    return {k: body[k] for k in AMOUNTS}


def landed(client, goods, quantity, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(f"/api/v1/landed-cost?product_id={goods.id}&quantity={quantity}&{params}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_fca_chelyabinsk_by_rail_via_zabaikalsk(client):
    goods = buckwheat()
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        body = landed(
            client,
            goods,
            20000,
            incoterm="FCA",
            named_place="Chelyabinsk",
            mode="rail",
            border_crossing="zabaikalsk-manzhouli",
        )
    # 20 000 kg × 6.80 = 136 000.00; gross 20 000 × 1.005 = 20 100 kg, one wagon.
    # Russian leg 20 100 × 0.80 = 16 080.00 (above the 12 000 minimum): the buyer pays it to the border,
    # so it is in the customs value; Chinese leg 20 100 × 0.30 = 6 030.00, paid by the buyer, not dutiable.
    # Insurance 0.3 % of (136 000.00 + 16 080.00) = 456.24; customs value 152 536.24;
    # duty 2 % = 3 050.7248 → 3 050.72; VAT 9 % of 155 586.96 = 14 002.8264 → 14 002.83;
    # total 136 000.00 + 16 080.00 + 6 030.00 + 456.24 + 3 050.72 + 14 002.83 = 175 619.79.
    assert amounts(body) == {
        "goods": "136000.00",
        "freight_to_border": "16080.00",
        "freight_in_china": "6030.00",
        "freight": "22110.00",
        "insurance": "456.24",
        "customs_value": "152536.24",
        "duty": "3050.72",
        "vat": "14002.83",
        "total": "175619.79",
    }
    assert (body["incoterm"], body["named_place"], body["deductions"]) == ("FCA", "Chelyabinsk", [])
    assert body["price_basis"]["incoterm"] == "FCA"
    assert body["tariff"]["code"] == "100810" and body["tariff"]["duty_percent"] == "2"
    assert body["tariff"]["vat_percent"] == "9" and body["tariff"]["quota"] is None
    assert body["tariff"]["source"] and body["tariff"]["effective_from"] == "2024-01-01"
    assert body["tariff"]["confirmed"] is True
    assert body["weight_kg"] == "20100.000" and body["rates"]["transit_days"] == 15


def test_the_same_goods_dap_manzhouli(client):
    goods = buckwheat()
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        body = landed(client, goods, 20000, incoterm="DAP", named_place="Manzhouli", mode="rail")
    # The price already reaches the border port: nothing added, the seller bears the risk (no insurance).
    # Customs value 136 000.00; duty 2 % = 2 720.00; VAT 9 % of 138 720.00 = 12 484.80;
    # the buyer still pays the Chinese leg 6 030.00: total 136 000.00 + 6 030.00 + 2 720.00 + 12 484.80
    # = 157 234.80.
    assert amounts(body) == {
        "goods": "136000.00",
        "freight_to_border": "0.00",
        "freight_in_china": "6030.00",
        "freight": "6030.00",
        "insurance": "0.00",
        "customs_value": "136000.00",
        "duty": "2720.00",
        "vat": "12484.80",
        "total": "157234.80",
    }
    assert body["rates"]["border_crossing"] == "zabaikalsk-manzhouli"


def test_dap_harbin_deducts_the_chinese_leg(client):
    goods = buckwheat()
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        body = landed(client, goods, 20000, incoterm="DAP", named_place="Harbin", mode="rail")
    # The price carries the goods to Harbin: the Chinese leg (estimated 6 030.00) comes off the customs
    # value as a stated deduction. Customs value 136 000.00 − 6 030.00 = 129 970.00;
    # duty 2 % = 2 599.40; VAT 9 % of 132 569.40 = 11 931.246 → 11 931.25;
    # total 136 000.00 + 2 599.40 + 11 931.25 = 150 530.65 (nothing else to pay for transport).
    assert amounts(body) == {
        "goods": "136000.00",
        "freight_to_border": "0.00",
        "freight_in_china": "0.00",
        "freight": "0.00",
        "insurance": "0.00",
        "customs_value": "129970.00",
        "duty": "2599.40",
        "vat": "11931.25",
        "total": "150530.65",
    }
    (deduction,) = body["deductions"]
    assert deduction["code"] == "freight_in_china" and deduction["amount"] == "6030.00"
    assert deduction["estimated"] is True


def test_refined_sunflower_oil_is_9_percent_vat(client):
    oil = product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("9.50")),),
        name_en="Refined sunflower oil",
        category_code="oilseeds_oils",
        hs_code="1512190000",
        unit="litre",
        net_weight_kg=Decimal("0.920"),
        gross_weight_kg=Decimal("0.960"),
    )
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        body = landed(client, oil, 20000, incoterm="FCA", named_place="Chelyabinsk")
    # 20 000 l × 9.50 = 190 000.00; 20 000 × 0.960 kg = 19 200 kg: Russian leg 15 360.00, Chinese 5 760.00;
    # insurance 0.3 % of 205 360.00 = 616.08; customs value 205 976.08; duty 9 % = 18 537.8472 → 18 537.85;
    # VAT 9 % (edible vegetable oil, refined or not) of 224 513.93 = 20 206.2537 → 20 206.25
    # (at 13 % it would be 29 186.81: 8 980.56 too much); total 190 000.00 + 21 120.00 + 616.08
    # + 18 537.85 + 20 206.25 = 250 480.18.
    assert (body["customs_value"], body["duty"], body["vat"], body["total"]) == (
        "205976.08",
        "18537.85",
        "20206.25",
        "250480.18",
    )
    assert body["tariff"]["code"] == "151219" and body["tariff"]["vat_percent"] == "9"


def _flour():
    return product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("3.20")),),
        name_en="Wheat flour",
        category_code="flour_pasta",
        hs_code="1101000000",
        net_weight_kg=Decimal("1.000"),
        gross_weight_kg=Decimal("1.004"),
    )


def test_wheat_flour_in_and_out_of_quota(client):
    flour = _flour()
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        inside = landed(client, flour, 20000, incoterm="DAP", named_place="Manzhouli", quota="in")
        outside = landed(client, flour, 20000, incoterm="DAP", named_place="Manzhouli", quota="out")
        unknown = landed(client, flour, 20000, incoterm="DAP", named_place="Manzhouli", quota="unknown")
    # 20 000 kg × 3.20 = 64 000.00 at the border (customs value); Chinese leg 20 080 kg × 0.30 = 6 024.00.
    # In quota: duty 6 % = 3 840.00; VAT 9 % of 67 840.00 = 6 105.60; total 64 000.00 + 6 024.00
    # + 3 840.00 + 6 105.60 = 79 969.60.
    # Out of quota: duty 65 % = 41 600.00; VAT 9 % of 105 600.00 = 9 504.00; total 121 128.00.
    assert (inside["duty"], inside["vat"], inside["total"]) == ("3840.00", "6105.60", "79969.60")
    assert inside["tariff"]["quota"] == "in" and inside["tariff"]["duty_percent"] == "6"
    assert (outside["duty"], outside["vat"], outside["total"]) == ("41600.00", "9504.00", "121128.00")
    assert outside["tariff"]["duty_percent"] == "65"
    # Not said: never assumed — both totals, none chosen.
    assert unknown["duty"] is None and unknown["total"] is None
    assert unknown["customs_value"] == "64000.00"
    assert [(a["quota"], a["duty"], a["total"]) for a in unknown["tariff"]["alternatives"]] == [
        ("in", "3840.00", "79969.60"),
        ("out", "41600.00", "121128.00"),
    ]
    assert "quota_unknown" in {w["code"] for w in unknown["warnings"]}


def test_a_road_shipment_is_priced_as_road_with_a_truck_minimum(client):
    goods = buckwheat()
    with route("road", "zabaikalsk-manzhouli", ROAD), route("rail", "zabaikalsk-manzhouli", RAIL):
        body = landed(client, goods, 5000, incoterm="FCA", named_place="Chelyabinsk", mode="road")
    # 5 000 kg × 7.20 = 36 000.00; 5 025 kg gross fill one truck: Russian leg 5 025 × 1.20 = 6 030.00 is
    # below the truck's 16 000.00 minimum → 16 000.00; Chinese leg 5 025 × 0.40 = 2 010.00 < 4 000.00
    # → 4 000.00. Insurance 0.3 % of 52 000.00 = 156.00; customs value 52 156.00; duty 2 % = 1 043.12;
    # VAT 9 % of 53 199.12 = 4 787.9208 → 4 787.92; total 36 000.00 + 20 000.00 + 156.00 + 1 043.12
    # + 4 787.92 = 61 987.04.
    assert amounts(body) == {
        "goods": "36000.00",
        "freight_to_border": "16000.00",
        "freight_in_china": "4000.00",
        "freight": "20000.00",
        "insurance": "156.00",
        "customs_value": "52156.00",
        "duty": "1043.12",
        "vat": "4787.92",
        "total": "61987.04",
    }
    legs = {leg["leg"]: leg for leg in body["freight_legs"]}
    assert body["rates"]["mode"] == "road" and legs["russia"]["cny_per_kg"] == "1.2"
    assert legs["russia"]["minimum_applied"] is True and legs["russia"]["units"] == 1


def test_refrigerated_goods_pay_the_reefer_surcharge(client):
    ice_cream = product(
        stock="50000",
        tiers=((Decimal("1000"), Decimal("30.00")),),
        hs_code="2105000000",
        category_code="dairy",
        net_weight_kg=Decimal("1.000"),
        gross_weight_kg=Decimal("1.000"),
        storage_temp_min_c=-25,
        storage_temp_max_c=-18,
    )
    with route("road", "zabaikalsk-manzhouli", ROAD, reefer="25"):
        body = landed(client, ice_cream, 20000, incoterm="FCA", named_place="Chelyabinsk", mode="road")
    # 20 000 kg: one truck; Russian leg 20 000 × 1.20 = 24 000.00 × 1.25 = 30 000.00;
    # Chinese leg 20 000 × 0.40 = 8 000.00 × 1.25 = 10 000.00.
    assert (body["freight_to_border"], body["freight_in_china"]) == ("30000.00", "10000.00")


@pytest.mark.parametrize(
    "query, field",
    [
        ("incoterm=FOB&named_place=Chelyabinsk", "incoterm"),
        ("incoterm=FCA&named_place=Harbin", "named_place"),
        ("incoterm=DAP&named_place=Chelyabinsk", "named_place"),
        ("incoterm=DAP&named_place=Heihe&border_crossing=zabaikalsk-manzhouli", "named_place"),
        ("quota=perhaps", "quota"),
    ],
)
def test_a_term_place_or_quota_that_does_not_fit_is_422(client, query, field):
    response = client.get(f"/api/v1/landed-cost?product_id={buckwheat().id}&quantity=20000&{query}")
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_an_order_uses_its_own_term_place_and_quota(app, api):
    from tests.marketplace.helpers import place

    flour = _flour()
    api.as_role("buyer")
    with route("rail", "zabaikalsk-manzhouli", RAIL):
        order = place(
            api, [(flour, "20000")], incoterm="DAP", named_place="Manzhouli", quota="out"
        ).get_json()
        body = api.get(f"/api/v1/orders/{order['id']}/landed-cost").get_json()
    # The same figures as the product estimate out of quota.
    assert (body["incoterm"], body["named_place"], body["total"]) == ("DAP", "Manzhouli", "121128.00")
    assert body["lines"][0]["tariff"]["quota"] == "out"
