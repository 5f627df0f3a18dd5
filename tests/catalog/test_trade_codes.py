"""Two tariff codes per product that name the same HS subheading, and the basis prices are on."""

import pytest
from sqlalchemy import func, select

from catalog.models import Product
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, product_payload


@pytest.fixture
def farmer_api(api):
    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    api.producer = producer
    return api


def test_a_product_carries_both_codes_and_its_price_basis(farmer_api):
    # Hulled buckwheat groats are worked grain: 1104.29 on both sides of the border.
    payload = product_payload(
        hs_code=None, hs_code_cn="1104290000", tnved_code="1104291000", price_basis=None, category="grains"
    )
    del payload["hs_code"]
    response = farmer_api.post("/api/v1/products", json=payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["hs_code"], body["hs_code_cn"], body["tnved_code"]) == (
        "1104290000",
        "1104290000",
        "1104291000",
    )
    # No basis of its own: the producer's default.
    assert body["price_basis"] == {
        "incoterm": "FCA",
        "named_place": "Chelyabinsk",
        "place_code": "chelyabinsk",
    }
    response = farmer_api.patch(
        f"/api/v1/products/{body['id']}", json={"price_basis": {"incoterm": "DAP", "named_place": "满洲里"}}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["price_basis"] == {
        "incoterm": "DAP",
        "named_place": "Manzhouli",
        "place_code": "manzhouli",
    }


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"hs_code": "1104290000", "tnved_code": "1008100000"}, "tnved_code"),  # 110429 ≠ 100810
        ({"hs_code": "1008100000", "tnved_code": "10081000"}, "tnved_code"),  # not 10 digits
        ({"hs_code": "1008100000", "hs_code_cn": "1104290000"}, "hs_code"),  # two Chinese codes
        ({"price_basis": {"incoterm": "FCA", "named_place": "Harbin"}}, "price_basis.named_place"),
        ({"price_basis": {"incoterm": "DAP", "named_place": "Chelyabinsk"}}, "price_basis.named_place"),
        ({"price_basis": {"incoterm": "FOB", "named_place": "Chelyabinsk"}}, "price_basis"),
    ],
)
def test_codes_or_a_basis_that_do_not_agree_are_422_and_nothing_is_stored(farmer_api, fields, field):
    response = farmer_api.post("/api/v1/products", json=product_payload(**fields))
    assert response.status_code == 422, response.get_json()
    assert any(name.startswith(field) for name in error_fields(response)), error_fields(response)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_a_producer_sets_its_default_basis(farmer_api):
    producer = farmer_api.producer
    response = farmer_api.patch(
        f"/api/v1/producers/{producer.id}",
        json={"price_basis": {"incoterm": "DAP", "named_place": "Zabaikalsk"}},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["price_basis"]["place_code"] == "zabaikalsk"
    response = farmer_api.patch(
        f"/api/v1/producers/{producer.id}", json={"price_basis": {"incoterm": "EXW", "named_place": "Heihe"}}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(type(producer), producer.id).price_incoterm == "DAP"
