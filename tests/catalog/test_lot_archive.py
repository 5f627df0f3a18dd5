"""A lot that orders took stock from is never deleted (409, archive it): archiving takes it
off sale and keeps it on record."""

from decimal import Decimal

from catalog.models import Lot
from catalog.queries import available_stock
from core.extensions import db
from marketplace.models import Order
from marketplace.services import stock
from tests import factories
from tests.marketplace.helpers import client_for, place


def _sold_lot(app):
    lot = factories.LotFactory(quantity=Decimal("50"), product__tiers=((Decimal("1"), Decimal("12.50")),))
    product = lot.product
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    order = db.session.get(Order, place(buyer, [(product, "5")]).get_json()["id"])
    stock.consume(order)  # the goods left with the carrier, as shipping does
    db.session.commit()
    return product, lot


def test_deleting_a_lot_orders_took_stock_from_is_a_409_that_says_archive(app):
    product, lot = _sold_lot(app)
    farmer = client_for(app, product.producer.owner)
    response = farmer.delete(f"/api/v1/products/{product.id}/lots/{lot.id}")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "lot_has_orders" and "Archive" in error["message"]
    assert db.session.get(Lot, lot.id) is not None


def test_archiving_takes_the_lot_off_sale_and_keeps_it(app):
    product, lot = _sold_lot(app)
    farmer = client_for(app, product.producer.owner)
    response = farmer.post(f"/api/v1/products/{product.id}/lots/{lot.id}/archive")
    assert response.status_code == 200 and response.get_json()["archived_at"]
    db.session.expire_all()
    assert available_stock(db.session.get(type(product), product.id)) == Decimal("0")
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    assert place(buyer, [(product, "1")]).status_code == 409
    detail = client_for(app, product.producer.owner).get(f"/api/v1/products/{product.id}").get_json()
    assert detail["lots"][0]["archived_at"]


def test_a_lot_held_by_an_open_order_can_be_neither_deleted_nor_archived(app):
    lot = factories.LotFactory(quantity=Decimal("50"), product__tiers=((Decimal("1"), Decimal("12.50")),))
    buyer = client_for(app, factories.UserFactory(role="buyer"))
    assert place(buyer, [(lot.product, "5")]).status_code == 201
    farmer = client_for(app, lot.product.producer.owner)
    url = f"/api/v1/products/{lot.product.id}/lots/{lot.id}"
    assert farmer.delete(url).get_json()["error"]["code"] == "lot_reserved"
    assert farmer.post(f"{url}/archive").status_code == 409


def test_an_unused_lot_is_still_deleted(app):
    lot = factories.LotFactory()
    farmer = client_for(app, lot.product.producer.owner)
    assert farmer.delete(f"/api/v1/products/{lot.product.id}/lots/{lot.id}").status_code == 204


def test_the_page_explains_and_offers_archive(app, client):
    product, lot = _sold_lot(app)
    client.login(product.producer.owner)
    url = f"/catalog/my/products/{product.id}/lots/{lot.id}"
    page = client.post_form(f"{url}/delete", {}, follow_redirects=True).get_data(as_text=True)
    assert "Archive it to take it off sale" in page
    page = client.post_form(f"{url}/archive", {}, follow_redirects=True).get_data(as_text=True)
    assert "no longer on sale" in page and "archived" in page
