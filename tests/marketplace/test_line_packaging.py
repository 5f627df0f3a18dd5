"""An order line keeps the package its product had when the order was placed: its pages (buyer,
farmer, admin) and its API say that package in the reader's language after the product's
changes; the migration fills existing lines from their products."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from catalog.models import PACKAGE_COLUMNS
from core.extensions import db
from marketplace.models import Order, OrderLine
from tests import factories
from tests.conftest import Client
from tests.marketplace.helpers import client_for, place, product

D = Decimal
#: The package the goods were sold in, as each language reads it.
SOLD_IN = {"zh": "25 千克/袋", "ru": "мешки, 25 кг", "en": "bags of 25 kg"}


def _sold_in_bags(app):
    goods = product(
        stock="1000",
        package_kind="bag",
        units_per_package=D("25"),
        package_tare_kg=D("0.150"),
        packages_per_pallet=40,
        package_size=D("25"),
        package_size_unit="kg",
    )
    response = place(client_for(app, factories.UserFactory(role="buyer")), [(goods, "100")])
    assert response.status_code == 201, response.get_json()
    order = db.session.get(Order, response.get_json()["id"])
    return goods, order


def _repacked(goods):
    """The farmer now sells the goods in one-tonne big bags."""
    goods.package_kind, goods.units_per_package = "big_bag", D("1000")
    goods.package_size, goods.package_size_unit = D("1"), "tonne"
    goods.package_tare_kg, goods.packages_per_pallet = D("2.5"), None
    db.session.commit()


def test_the_line_copies_the_package_when_the_order_is_placed(app):
    goods, order = _sold_in_bags(app)
    (line,) = order.lines
    assert {c: getattr(line, c) for c in PACKAGE_COLUMNS} == {c: getattr(goods, c) for c in PACKAGE_COLUMNS}


def test_api_says_the_package_the_order_was_placed_with(app):
    goods, order = _sold_in_bags(app)
    _repacked(goods)
    api = client_for(app, order.buyer)
    for url in (f"/api/v1/orders/{order.id}", "/api/v1/orders"):
        body = api.get(url).get_json()
        line = (body if "lines" in body else body["items"][0])["lines"][0]
        assert line["package"] == {
            "kind": "bag",
            "units_per_package": "25.000",
            "tare_kg": "0.150",
            "per_pallet": 40,
            "size": {"amount": "25.000", "unit": "kg"},
            "label": SOLD_IN,
        }, url
    # The product's own package is the new one, in the same shape.
    assert api.get(f"/api/v1/products/{goods.id}").get_json()["package"]["kind"] == "big_bag"


def test_a_line_of_goods_without_package_has_none(app):
    goods = product(stock="100")
    response = place(client_for(app, factories.UserFactory(role="buyer")), [(goods, "5")])
    assert response.get_json()["lines"][0]["package"] is None


def _page(app, user, url, language) -> str:
    user.language = language
    db.session.commit()
    client = Client(app.test_client())
    client.login(user)
    client.raw.set_cookie("lang", language)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["zh", "ru", "en"])
def test_order_pages_say_the_package_the_order_was_placed_with(app, language):
    goods, order = _sold_in_bags(app)
    _repacked(goods)
    admin = factories.UserFactory(role="admin")
    for reader in (order.buyer, order.producer.owner, admin):
        page = _page(app, reader, f"/orders/{order.id}", language)
        assert SOLD_IN[language] in page, (reader.role, language)
        assert "吨袋" not in page and "big bags" not in page and "биг-бэг" not in page.lower()


def test_the_migration_fills_existing_lines_from_their_products(app):
    goods, order = _sold_in_bags(app)
    bare = product(stock="100")
    other = place(client_for(app, order.buyer), [(bare, "5")]).get_json()["id"]
    # Lines as they were before the migration: no package of their own.
    db.session.execute(update(OrderLine).values(**dict.fromkeys(PACKAGE_COLUMNS)))
    db.session.commit()
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0023_shop_line_packaging.py"
    spec = importlib.util.spec_from_file_location("line_packaging_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.backfill(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    (line,) = db.session.get(Order, order.id).lines
    assert {c: getattr(line, c) for c in PACKAGE_COLUMNS} == {c: getattr(goods, c) for c in PACKAGE_COLUMNS}
    (bare_line,) = db.session.get(Order, other).lines
    assert all(getattr(bare_line, c) is None for c in PACKAGE_COLUMNS)


def test_the_spec_documents_the_lines_package_as_the_products(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    line = schemas["OrderLine"]["properties"]["package"]
    product = schemas["Product"]["properties"]["package"]
    assert "ProductPackage" in str(line) and str(line).count("ProductPackage") == str(product).count(
        "ProductPackage"
    )
