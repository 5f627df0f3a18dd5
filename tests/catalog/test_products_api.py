"""Products over the API: who may do what, and every bad input answered with nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Lot, Photo, Product, ProductPriceTier
from catalog.queries import available_stock
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, product_payload, statements_during


def _count(model=Product):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def farmer_api(api):
    producer = factories.ProducerFactory()
    factories.CertificateFactory(producer=producer, kind="organic_cn")
    api.as_user(producer.owner)
    api.producer = producer
    return api


def test_farmer_lists_a_product(farmer_api):
    response = farmer_api.post("/api/v1/products", json=product_payload())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"]["zh"] == "有机荞麦米" and body["category"] == "grains"
    assert body["price_tiers"] == [
        {"min_quantity": "500.000", "unit_price": "12.50"},
        {"min_quantity": "5000.000", "unit_price": "11.80"},
        {"min_quantity": "20000.000", "unit_price": "10.90"},
    ]
    assert body["currency"] == "CNY" and body["moq"] == "500.000"
    assert body["stock_quantity"] == "30000.000"
    assert body["organic"] == {"cn": True, "ru": False}  # backed by GB/T 19630 only
    assert body["storage_temp_c"] == {"min": 0, "max": 25} and body["shelf_life_days"] == 365
    assert body["producer"]["id"] == farmer_api.producer.id and body["producer"]["verified"] is True
    assert body["producer"]["gacc_registration"] == farmer_api.producer.gacc_registration
    assert body["status"] == "active" and body["created_at"]
    assert isinstance(body["net_weight_kg"], str)


def test_unit_price_for_and_moq():
    product = factories.ProductFactory(
        tiers=((Decimal("100"), Decimal("12.50")), (Decimal("1000"), Decimal("11.00")))
    )
    assert product.moq == Decimal("100")
    assert product.unit_price_for(Decimal("99.999")) is None
    assert product.unit_price_for(Decimal("100")) == Decimal("12.50")
    assert product.unit_price_for(Decimal("999")) == Decimal("12.50")
    assert product.unit_price_for(Decimal("1000")) == Decimal("11.00")
    assert product.quantity_decimals == 3


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"price_tiers": [{"min_quantity": "100", "unit_price": "0"}]}, "price_tiers"),
        ({"price_tiers": [{"min_quantity": "100", "unit_price": "-5.00"}]}, "price_tiers"),
        ({"price_tiers": [{"min_quantity": "0", "unit_price": "5.00"}]}, "price_tiers"),
        ({"price_tiers": [{"min_quantity": "-1", "unit_price": "5.00"}]}, "price_tiers"),
        ({"price_tiers": [{"min_quantity": "100", "unit_price": 5.5}]}, "price_tiers"),  # a JSON number
        (
            {
                "price_tiers": [
                    {"min_quantity": "100", "unit_price": "5.00"},
                    {"min_quantity": "100", "unit_price": "4"},
                ]
            },
            "price_tiers",
        ),
        (
            {
                "price_tiers": [
                    {"min_quantity": "500", "unit_price": "5.00"},
                    {"min_quantity": "100", "unit_price": "4"},
                ]
            },
            "price_tiers",
        ),
        (
            {
                "price_tiers": [
                    {"min_quantity": "100", "unit_price": "5.00"},
                    {"min_quantity": "200", "unit_price": "6"},
                ]
            },
            "price_tiers",
        ),
        ({"price_tiers": []}, "price_tiers"),
        ({"unit": "piece", "price_tiers": [{"min_quantity": "10.5", "unit_price": "5.00"}]}, "price_tiers"),
        ({"category": "spaceships"}, "category"),
        ({"hs_code": "10081"}, "hs_code"),
        ({"hs_code": "10081000001"}, "hs_code"),
        ({"hs_code": "1008.10"}, "hs_code"),
        ({"hs_code": "040900"}, "hs_code"),  # honey heading in the grains category
        ({"unit": "bushel"}, "unit"),
        ({"net_weight_kg": "0"}, "net_weight_kg"),
        ({"net_weight_kg": "2", "gross_weight_kg": "1"}, "gross_weight_kg"),
        ({"stock_quantity": "-1"}, "stock_quantity"),
        ({"storage_temp_c": {"min": 10, "max": 2}}, "storage_temp_c"),
        ({"shelf_life_days": 0}, "shelf_life_days"),
        ({"shelf_life_days": 2.5}, "shelf_life_days"),
        ({"name": {"zh": "", "ru": "  ", "en": None}}, "name"),
        ({"name": {"de": "Buchweizen"}}, "name"),
        ({"status": "published"}, "status"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_product_input_writes_nothing(farmer_api, overrides, field):
    response = farmer_api.post("/api/v1/products", json=product_payload(**overrides))
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response), response.get_json()
    assert _count() == 0 and _count(ProductPriceTier) == 0


def test_missing_required_fields(farmer_api):
    response = farmer_api.post("/api/v1/products", json={})
    fields = error_fields(response)
    assert response.status_code == 422
    assert {"name", "category", "hs_code", "unit", "net_weight_kg", "price_tiers"} <= set(fields)


def test_script_tags_are_stored_as_text(farmer_api, client):
    payload = product_payload(description={"en": "<script>alert(1)</script> best groats"})
    body = farmer_api.post("/api/v1/products", json=payload).get_json()
    assert body["description"]["en"] == "<script>alert(1)</script> best groats"
    page = client.get(f"/catalog/products/{body['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_who_may_create(api):
    api.as_role("buyer")
    assert api.post("/api/v1/products", json=product_payload()).status_code == 403
    api.as_role("farmer")  # no producer profile yet
    response = api.post("/api/v1/products", json=product_payload())
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "producer_required"
    api.raw.post  # noqa: B018
    assert _count() == 0


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_unverified_producer_cannot_publish(api, status):
    producer = factories.ProducerFactory(status=status)
    api.as_user(producer.owner)
    response = api.post("/api/v1/products", json=product_payload(status="active"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "producer_not_verified"
    assert _count() == 0


def test_unverified_producer_can_prepare_drafts(api):
    producer = factories.ProducerFactory(status="pending")
    api.as_user(producer.owner)
    response = api.post("/api/v1/products", json=product_payload(status="draft"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "draft"
    publish = api.patch(f"/api/v1/products/{response.get_json()['id']}", json={"status": "active"})
    assert publish.status_code == 403 and publish.get_json()["error"]["code"] == "producer_not_verified"


def test_anonymous_cannot_create(api):
    assert api.post("/api/v1/products", json=product_payload()).status_code == 401


def test_other_farmers_get_403_or_404(api):
    active = factories.ProductFactory()
    draft = factories.ProductFactory(status="draft", producer=active.producer)
    api.as_role("farmer")
    assert api.patch(f"/api/v1/products/{active.id}", json={"hs_code": "100810"}).status_code == 403
    assert api.delete(f"/api/v1/products/{active.id}").status_code == 403
    assert api.patch(f"/api/v1/products/{draft.id}", json={"hs_code": "100810"}).status_code == 404
    assert api.get(f"/api/v1/products/{draft.id}").status_code == 404
    lot = {"lot_number": "X", "produced_on": "2026-01-01", "best_before": "2027-01-01", "quantity": "1"}
    assert api.post(f"/api/v1/products/{active.id}/lots", json=lot).status_code == 403
    db.session.refresh(active)
    assert active.hs_code == "1008100000" and active.status == "active"


def test_admin_may_see_and_archive_but_not_edit(api):
    product = factories.ProductFactory(status="draft")
    api.as_role("admin")
    assert api.get(f"/api/v1/products/{product.id}").status_code == 200
    assert api.patch(f"/api/v1/products/{product.id}", json={"hs_code": "100810"}).status_code == 403
    assert api.delete(f"/api/v1/products/{product.id}").get_json()["status"] == "archived"


def test_owner_patches_and_archives(farmer_api):
    product_id = farmer_api.post("/api/v1/products", json=product_payload()).get_json()["id"]
    response = farmer_api.patch(
        f"/api/v1/products/{product_id}",
        json={"price_tiers": [{"min_quantity": "500", "unit_price": "13.00"}], "stock_quantity": "10"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["price_tiers"] == [{"min_quantity": "500.000", "unit_price": "13.00"}]
    assert body["stock_quantity"] == "10.000"
    # Read-only fields sent back are refused, each named, and nothing changes.
    echoed = farmer_api.patch(f"/api/v1/products/{product_id}", json={**body, "status": "draft"})
    assert echoed.status_code == 422
    assert {"id", "created_at", "producer", "photos"} <= set(echoed.get_json()["error"]["fields"])
    assert farmer_api.get(f"/api/v1/products/{product_id}").get_json()["status"] == "active"
    response = farmer_api.delete(f"/api/v1/products/{product_id}")
    assert response.status_code == 200 and response.get_json()["status"] == "archived"
    assert farmer_api.raw.get(f"/api/v1/products/{product_id}").status_code == 404  # buyers no longer see it


def test_unverified_products_are_hidden(api):
    hidden = factories.ProductFactory(producer=factories.ProducerFactory(status="pending"))
    draft = factories.ProductFactory(status="draft")
    shown = factories.ProductFactory()
    for user in (None, factories.UserFactory(role="buyer")):
        if user:
            api.as_user(user)
        assert api.get(f"/api/v1/products/{hidden.id}").status_code == 404
        assert api.get(f"/api/v1/products/{draft.id}").status_code == 404
        ids = [p["id"] for p in api.get("/api/v1/products").get_json()["items"]]
        assert ids == [shown.id]
    api.as_user(hidden.producer.owner)
    assert api.get(f"/api/v1/products/{hidden.id}").status_code == 200


def test_lots_make_stock(farmer_api):
    product_id = farmer_api.post("/api/v1/products", json=product_payload()).get_json()["id"]
    url = f"/api/v1/products/{product_id}/lots"
    today = dt.date.today()
    fresh = {
        "lot_number": "2026-07",
        "produced_on": str(today - dt.timedelta(days=10)),
        "best_before": str(today + dt.timedelta(days=300)),
        "quantity": "12000",
    }
    old = {
        "lot_number": "2024-01",
        "produced_on": str(today - dt.timedelta(days=700)),
        "best_before": str(today - dt.timedelta(days=1)),
        "quantity": "800",
    }
    assert farmer_api.post(url, json=fresh).status_code == 201
    assert farmer_api.post(url, json=old).status_code == 201
    body = farmer_api.get(f"/api/v1/products/{product_id}").get_json()
    assert body["tracks_lots"] is True
    assert body["stock_quantity"] == "12000.000"  # the expired lot does not count
    assert [lot["expired"] for lot in body["lots"]] == [True, False]
    # Stock of a lot-kept product is changed through its lots.
    response = farmer_api.patch(f"/api/v1/products/{product_id}", json={"stock_quantity": "5"})
    assert response.status_code == 422 and "stock_quantity" in error_fields(response)
    lot_id = body["lots"][1]["id"]
    assert farmer_api.patch(f"{url}/{lot_id}", json={"quantity": "100"}).get_json()["quantity"] == "100.000"
    assert farmer_api.delete(f"{url}/{lot_id}").status_code == 204
    assert _count(Lot) == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"best_before": "2025-01-01", "produced_on": "2025-06-01"}, "best_before"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-3"}, "quantity"),
        ({"quantity": 5}, "quantity"),
        ({"lot_number": ""}, "lot_number"),
        ({"produced_on": "yesterday"}, "produced_on"),
    ],
)
def test_bad_lots(farmer_api, overrides, field):
    product = factories.ProductFactory(producer=farmer_api.producer)
    lot = {"lot_number": "A1", "produced_on": "2026-01-01", "best_before": "2027-01-01", "quantity": "10"}
    lot.update(overrides)
    response = farmer_api.post(f"/api/v1/products/{product.id}/lots", json=lot)
    assert response.status_code == 422 and field in error_fields(response)
    assert _count(Lot) == 0


def test_duplicate_lot_number(farmer_api):
    lot = factories.LotFactory(product__producer=farmer_api.producer, lot_number="A1")
    payload = {"lot_number": "A1", "produced_on": "2026-01-01", "best_before": "2027-01-01", "quantity": "10"}
    response = farmer_api.post(f"/api/v1/products/{lot.product_id}/lots", json=payload)
    assert response.status_code == 422 and "lot_number" in error_fields(response)


def test_available_stock_counts_reservations_and_expiry():
    product = factories.ProductFactory(stock_on_hand=Decimal("100"), stock_reserved=Decimal("30"))
    assert available_stock(product) == Decimal("70")
    lot = factories.LotFactory(quantity=Decimal("50"), quantity_reserved=Decimal("20"))
    factories.LotFactory(product=lot.product, best_before=dt.date.today() - dt.timedelta(days=1))
    assert available_stock(lot.product) == Decimal("30")


def test_organic_claim_needs_the_matching_valid_certificate(api):
    producer = factories.ProducerFactory()
    factories.CertificateFactory(producer=producer, kind="organic_ru")
    factories.CertificateFactory(
        producer=producer, kind="organic_cn", valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    claimed = factories.ProductFactory(producer=producer, organic_claim=True)
    unclaimed = factories.ProductFactory(producer=producer, organic_claim=False)
    assert api.get(f"/api/v1/products/{claimed.id}").get_json()["organic"] == {"cn": False, "ru": True}
    assert api.get(f"/api/v1/products/{unclaimed.id}").get_json()["organic"] == {"cn": False, "ru": False}


def test_categories(api):
    body = api.get("/api/v1/categories").get_json()
    codes = [c["code"] for c in body]
    assert codes[:3] == ["grains", "oilseeds_oils", "flour_pasta"] and len(codes) == 11
    honey = next(c for c in body if c["code"] == "honey")
    assert honey["animal_origin"] is True and honey["name"]["zh"] == "蜂蜜和蜂产品"


def test_big_ids_are_404_not_500(api):
    assert api.get("/api/v1/products/99999999999999999999").status_code == 404
    assert api.get("/api/v1/products/2147483647").status_code == 404


def _product_with_everything():
    """A product with tiers, lots (one archived, one expired), photos and certificates."""
    producer = factories.ProducerFactory()
    factories.CertificateFactory(producer=producer, kind="organic_cn")
    factories.CertificateFactory(
        producer=producer, kind="organic_ru", valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    product = factories.ProductFactory(
        producer=producer, organic_claim=True, tracks_lots=True, stock_on_hand=Decimal("0")
    )
    factories.LotFactory(product=product, quantity=Decimal("12.5"), quantity_reserved=Decimal("2.25"))
    factories.LotFactory(product=product, best_before=dt.date.today() - dt.timedelta(days=3))
    factories.LotFactory(product=product, archived_at=dt.datetime.now(dt.UTC))
    for position in (1, 0):
        db.session.add(
            Photo(
                product=product,
                file_name=f"p{position}.jpg",
                thumb_name=f"t{position}.jpg",
                mini_name=None if position else "m.jpg",
                content_type="image/jpeg",
                width=800,
                height=600,
                size_bytes=1234,
                position=position,
            )
        )
    db.session.commit()
    return product.id


def test_product_read_takes_few_statements_and_matches_the_orm_read(api, monkeypatch):
    """``GET /products/<id>`` reads the product, its producer, tiers, lots, photos and
    certificates in one statement on PostgreSQL (SQLite, the demo's engine, keeps the usual
    loading: the product and one statement per collection), with the same JSON as the product
    loaded the usual way."""
    from catalog.services import products

    product_id = _product_with_everything()
    db.session.expire_all()
    statements, response = statements_during(api, f"/api/v1/products/{product_id}")
    assert response.status_code == 200
    assert len(statements) == (1 if db.engine.dialect.name == "postgresql" else 5), statements
    body = response.get_json()
    assert [p["position"] for p in body["photos"]] == [0, 1]
    assert len(body["lots"]) == 3 and len(body["certificates"]) == 1
    assert body["stock_quantity"] == "10.250"
    assert body["organic"] == {"cn": True, "ru": False}

    monkeypatch.setattr(products, "read_product", products.get_product)
    db.session.expire_all()
    _statements_orm, usual = statements_during(api, f"/api/v1/products/{product_id}")
    assert response.data == usual.data


def test_product_read_of_a_hidden_product_is_404(api):
    product = factories.ProductFactory(status="draft")
    db.session.commit()
    assert api.get(f"/api/v1/products/{product.id}").status_code == 404
    assert api.get("/api/v1/products/987654").status_code == 404


def test_search_page_loads_products_like_the_orm(api, monkeypatch):
    """A search page's products come from the same one-statement read: the same JSON as
    loading them with the usual eager loads."""
    from catalog import readmodel
    from catalog.queries import listing_options

    _product_with_everything()
    _product_with_everything()
    factories.ProductFactory()
    db.session.commit()
    fast = api.get("/api/v1/products?per_page=100")
    assert fast.status_code == 200 and fast.get_json()["total"] == 3

    def usual(ids):
        query = select(Product).where(Product.id.in_(ids)).options(*listing_options())
        by_id = {product.id: product for product in db.session.scalars(query).unique()}
        return [by_id[i] for i in ids]

    monkeypatch.setattr(readmodel, "load_products", usual)
    db.session.expire_all()
    assert api.get("/api/v1/products?per_page=100").data == fast.data
