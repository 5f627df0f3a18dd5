"""Packaging as kind + size in the reader's language, the free note tagged with its language;
bad kinds and sizes refused on the form (visible message) and the API (422); free-text notes
read by the migration."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from catalog.data import packaging_text, temperature_text
from catalog.models import Product
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, product_payload
from tests.catalog.test_pages import _product_form

D = Decimal


@pytest.mark.parametrize(
    ("language", "kind", "size", "unit", "expected"),
    [
        ("en", "bag", "25", "kg", "bags of 25 kg"),
        ("ru", "bag", "25", "kg", "мешки, 25 кг"),
        ("zh", "bag", "25", "kg", "25 千克/袋"),
        ("zh", "big_bag", "1", "tonne", "1 吨/吨袋"),
        ("ru", "bottle", "0.5", "litre", "бутылки, 0,5 литра"),
        ("zh", "vacuum_pack", "0.5", "kg", "0.5 千克/真空包装"),
        ("ru", "bulk", None, None, "насыпью/наливом"),
        ("zh", "canister", None, None, "塑料桶"),
    ],
)
def test_a_package_reads_in_the_readers_language(app, language, kind, size, unit, expected):
    with app.test_request_context(), force_locale(language):
        assert packaging_text(kind, D(size) if size else None, unit) == expected


def test_storage_range_reads_by_locale(app):
    with app.test_request_context(), force_locale("ru"):
        assert temperature_text(-18, -12) == "от -18 до -12 °C"
        assert temperature_text(None, 6) == "не выше 6 °C"
    with app.test_request_context(), force_locale("zh"):
        assert temperature_text(2, 6) == "2 … 6 °C"


def _farmer(api):
    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    return producer


def test_api_adds_size_label_and_note_language(api):
    _farmer(api)
    package = {"kind": "big_bag", "size": {"amount": "1", "unit": "tonne"}, "tare_kg": "2.5"}
    payload = product_payload(package=package, packaging="мешки МКР, на поддонах")
    response = api.post("/api/v1/products", json=payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # Sold by the kg: a 1 t big bag holds 1000 units of sale, derived from the size.
    assert body["package"]["units_per_package"] == "1000.000"
    assert body["package"]["size"] == {"amount": "1.000", "unit": "tonne"}
    assert body["package"]["label"] == {
        "zh": "1 吨/吨袋",
        "ru": "биг-бэги, 1 т",
        "en": "big bags of 1 tonne",
    }
    assert body["packaging"] == "мешки МКР, на поддонах" and body["packaging_lang"] == "ru"
    # A package read back from GET (label included) is accepted as it is.
    again = api.patch(f"/api/v1/products/{body['id']}", json={"package": body["package"]})
    assert again.status_code == 200, again.get_json()
    bulk = api.patch(f"/api/v1/products/{body['id']}", json={"package": {"kind": "bulk"}})
    assert bulk.status_code == 200, bulk.get_json()
    assert bulk.get_json()["package"]["size"] is None
    assert bulk.get_json()["package"]["units_per_package"] is None


@pytest.mark.parametrize(
    ("package", "field"),
    [
        ({"kind": "sack", "units_per_package": "25"}, "package.kind"),
        ({"kind": "bag", "size": {"amount": "-5", "unit": "kg"}}, "package.size"),
        ({"kind": "bag", "size": {"amount": "0", "unit": "kg"}}, "package.size"),
        ({"kind": "bag", "size": {"amount": "25", "unit": "bushel"}}, "package.size"),
        ({"kind": "jar", "size": {"amount": "0.5", "unit": "litre"}}, "package.units_per_package"),
    ],
)
def test_api_refuses_bad_packages(api, package, field):
    _farmer(api)
    response = api.post("/api/v1/products", json=product_payload(package=package))
    assert response.status_code == 422, response.get_json()
    fields = error_fields(response)
    assert any(key == field or key.startswith(field) or key == field.split(".")[0] for key in fields), fields
    assert db.session.scalar(select(Product.id)) is None


def _page(client, url, language):
    client.raw.set_cookie("lang", language)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_product_page_says_package_and_tags_the_note(client):
    goods = factories.ProductFactory(
        package_kind="bag",
        units_per_package=D("25"),
        package_size=D("25"),
        package_size_unit="kg",
        packaging="бумажные мешки на поддонах",
        packaging_lang="ru",
        storage_temp_min_c=-18,
        storage_temp_max_c=-12,
    )
    zh = _page(client, f"/catalog/products/{goods.id}", "zh")
    assert "25 千克/袋" in zh
    assert '<span lang="ru">бумажные мешки на поддонах</span>' in zh
    assert "-18 … -12 °C" in zh
    ru = _page(client, f"/catalog/products/{goods.id}", "ru")
    assert "мешки, 25 кг" in ru and "бумажные мешки на поддонах" in ru
    assert '<span lang="ru">бумажные' not in ru  # in the reader's own language: no tag
    assert "от -18 до -12 °C" in ru


def test_form_saves_a_sized_package(client):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    form = _product_form(
        **{
            "product-package_kind": "bottle",
            "product-package_size": "0.5",
            "product-package_size_unit": "litre",
            "product-packaging": "PET, 20 in a shrink pack",
        }
    )
    response = client.post_form("/catalog/my/products/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    product = db.session.scalar(select(Product))
    assert (product.package_kind, product.package_size, product.package_size_unit) == (
        "bottle",
        D("0.5"),
        "litre",
    )
    assert product.units_per_package == D("0.5")  # sold by the litre
    assert product.packaging_lang == "en"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"product-package_kind": "sack", "product-units_per_package": "25"},
            "package_kind",
            "Unknown kind of package.",
        ),
        (
            {"product-package_kind": "bag", "product-package_size": "-5", "product-package_size_unit": "kg"},
            "package_size",
            "Enter a number like 1250.5.",
        ),
        (
            {"product-package_kind": "bag", "product-package_size": "0", "product-package_size_unit": "kg"},
            "package_size",
            "A package&#39;s size is above zero and at most 100,000.",
        ),
        (
            {
                "product-package_kind": "bag",
                "product-package_size": "25",
                "product-package_size_unit": "bushel",
            },
            "package_size_unit",
            "A package&#39;s size is given in kg, tonnes or litres.",
        ),
        (
            {"product-package_size": "25", "product-package_size_unit": "kg"},
            "package_kind",
            "Choose the kind of package.",
        ),
    ],
)
def test_form_shows_what_is_wrong_with_a_package(client, change, field, message):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    response = client.post_form("/catalog/my/products/new", _product_form(**change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page, page[page.find("product-" + field) - 300 : page.find("product-" + field) + 600]
    assert db.session.scalar(select(Product.id)) is None


def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0022_words_packaging.py"
    spec = importlib.util.spec_from_file_location("packaging_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("unit", "note", "kind", "units", "expected"),
    [
        # The demo's notes, already with a package kind: the size is read, the note cleared.
        (
            "kg",
            "25 kg bags",
            "bag",
            D("25"),
            {"package_size": D("25"), "package_size_unit": "kg", "packaging": ""},
        ),
        (
            "tonne",
            "big bags, 1 t",
            "big_bag",
            D("1"),
            {"package_size": D("1"), "package_size_unit": "tonne", "packaging": ""},
        ),
        # Without a kind: kind and units follow from the note.
        (
            "kg",
            "мешки по 50 кг",
            None,
            None,
            {
                "package_kind": "bag",
                "units_per_package": D("50"),
                "package_size": D("50"),
                "package_size_unit": "kg",
                "packaging": "",
            },
        ),
        (
            "piece",
            "jars of 250 g",
            None,
            None,
            {
                "package_kind": "jar",
                "units_per_package": D("1"),
                "package_size": D("0.25"),
                "package_size_unit": "kg",
                "packaging": "",
            },
        ),
        (
            "kg",
            "25公斤/袋",
            None,
            None,
            {
                "package_kind": "bag",
                "units_per_package": D("25"),
                "package_size": D("25"),
                "package_size_unit": "kg",
                "packaging": "",
            },
        ),
        ("tonne", "насыпью", None, None, {"package_kind": "bulk", "packaging": ""}),
        # Two packages named, or words beyond kind and size: the note stays, its language kept.
        ("litre", "PET bottles in cartons", "carton", D("12"), {"packaging_lang": "en"}),
        ("bag", "paper bags on pallets", "bag", D("1"), {"packaging_lang": "en"}),
        ("kg", "", None, None, {}),
    ],
)
def test_migration_reads_free_text_packaging(unit, note, kind, units, expected):
    values = _migration().convert(unit, note, kind, units)
    if "packaging_lang" not in expected:
        values.pop("packaging_lang", None)
    assert values == expected


def test_cart_line_says_the_package(client):
    goods = factories.ProductFactory(package_kind="bag", units_per_package=D("25"))
    buyer = factories.UserFactory(role="buyer")
    client.login(buyer)
    client.post_form("/cart/add", {"product_id": str(goods.id), "quantity": "100"})
    # No size given: 25 units of a product sold by the kg are 25 kg.
    for language, label in (("zh", "25 千克/袋"), ("ru", "мешки, 25 кг"), ("en", "bags of 25 kg")):
        buyer.language = language
        db.session.commit()
        assert label in _page(client, "/cart", language)
