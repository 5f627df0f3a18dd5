"""A product's customs data: GTIN check digit, package for the packing list, GB 28050 nutrition
with % NRV; bad values refused naming the field, nothing stored."""

import pytest

from catalog.models import Product
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, product_payload

NUTRITION = {
    "basis": "100g",
    "energy_kj": "1450",
    "protein_g": "12.60",
    "fat_g": "3.30",
    "carbohydrate_g": "62.00",
    "sodium_mg": "3",
}
PACKAGE = {"kind": "bag", "units_per_package": "25", "tare_kg": "0.150", "per_pallet": 40}


def _farmer(api):
    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    return producer


def test_customs_data_round_trips_with_nrv(api):
    _farmer(api)
    body = product_payload(gtin="4601234567893", package=PACKAGE, nutrition=NUTRITION)
    response = api.post("/api/v1/products", json=body)
    assert response.status_code == 201, response.get_json()
    product = response.get_json()
    assert product["gtin"] == "4601234567893"
    assert product["package"] == {
        "kind": "bag",
        "units_per_package": "25.000",
        "tare_kg": "0.150",
        "per_pallet": 40,
        # Added beside the fields above: a product sold by the kg in 25-unit bags holds 25 kg.
        "size": {"amount": "25.000", "unit": "kg"},
        "label": {"zh": "25 千克/袋", "ru": "мешки, 25 кг", "en": "bags of 25 kg"},
    }
    nutrition = product["nutrition"]
    # GB 28050 NRVs: energy 8,400 kJ, protein 60 g, fat 60 g, carbohydrate 300 g, sodium 2,000 mg.
    assert nutrition["energy_kj_nrv_percent"] == 17 and nutrition["protein_g_nrv_percent"] == 21
    assert nutrition["fat_g_nrv_percent"] == 6 and nutrition["carbohydrate_g_nrv_percent"] == 21
    assert nutrition["sodium_mg_nrv_percent"] == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"gtin": "4601234567890"}, "gtin"),  # check digit
        ({"gtin": "46012345678"}, "gtin"),
        ({"package": {**PACKAGE, "kind": "sack"}}, "package.kind"),
        ({"package": {**PACKAGE, "units_per_package": "0"}}, "package.units_per_package"),
        ({"package": {**PACKAGE, "tare_kg": "-1"}}, "package.tare_kg"),
        ({"nutrition": {**NUTRITION, "basis": "portion"}}, "nutrition.basis"),
        ({"nutrition": {k: v for k, v in NUTRITION.items() if k != "sodium_mg"}}, "nutrition.sodium_mg"),
        ({"nutrition": {**NUTRITION, "energy_kj": "9000"}}, "nutrition.energy_kj"),
        ({"nutrition": {**NUTRITION, "fat_g": "60", "carbohydrate_g": "60"}}, "nutrition"),
    ],
)
def test_bad_customs_data_is_refused(api, change, field):
    _farmer(api)
    response = api.post("/api/v1/products", json=product_payload(**change))
    assert response.status_code == 422
    fields = error_fields(response)
    # Schema errors nest ({"package": {"kind": [...]}}); rule errors are dotted ("package.kind").
    assert field in fields or field.split(".")[0] in fields, fields
    assert db.session.query(Product).count() == 0


def test_a_gtin_belongs_to_one_product(api):
    factories.ProductFactory(gtin="4601234567893")
    _farmer(api)
    response = api.post("/api/v1/products", json=product_payload(gtin="4601234567893"))
    assert response.status_code == 422 and "gtin" in error_fields(response)
    assert db.session.query(Product).count() == 1
