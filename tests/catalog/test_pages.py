"""Pages for visitors, buyers, farmers and admins."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Certificate, Lot, Producer, Product
from core.extensions import db
from tests import factories
from tests.catalog.helpers import image_bytes, legal_form


def _product_form(**overrides):
    data = {
        "product-name_zh": "冷榨亚麻籽油",
        "product-name_ru": "Масло льняное",
        "product-name_en": "Linseed oil",
        "product-description_en": "<b>cold</b> pressed",
        "product-category": "oilseeds_oils",
        "product-hs_code": "1515110000",
        "product-unit": "litre",
        "product-net_weight_kg": "0.93",
        "product-status": "active",
        "product-stock_quantity": "500",
        "product-tiers-0-min_quantity": "100",
        "product-tiers-0-unit_price": "35.00",
        "product-tiers-1-min_quantity": "1000",
        "product-tiers-1-unit_price": "31.50",
    }
    data.update(overrides)
    return data


def test_catalog_for_anonymous_visitors(client):
    product = factories.ProductFactory()
    factories.ProductFactory(status="draft", name_en="Secret draft")
    page = client.get("/catalog?q=qiaomai")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Buckwheat groats" in text and "Secret draft" not in text
    assert f"/catalog/products/{product.id}" in text


def test_catalog_ignores_bad_filters(client):
    factories.ProductFactory()
    page = client.get("/catalog?per_page=500&category=nope")
    assert page.status_code == 200 and "Buckwheat groats" in page.get_data(as_text=True)


def test_product_page_your_price(client):
    product = factories.ProductFactory(
        tiers=((Decimal("100"), Decimal("12.50")), (Decimal("1000"), Decimal("11.00")))
    )
    factories.LotFactory(product=product, lot_number="LOT-2026-07")
    factories.CertificateFactory(producer=product.producer, kind="organic_cn", number="GB-19630-77")
    text = client.get(f"/catalog/products/{product.id}?quantity=2000").get_data(as_text=True)
    assert "¥11.00" in text and "¥22,000.00" in text
    assert "LOT-2026-07" in text and "GB-19630-77" in text
    assert product.producer.gacc_registration in text
    below = client.get(f"/catalog/products/{product.id}?quantity=5").get_data(as_text=True)
    assert "Below the minimum order" in below


def test_hidden_product_page_is_404(client):
    product = factories.ProductFactory(producer=factories.ProducerFactory(status="pending"))
    assert client.get(f"/catalog/products/{product.id}").status_code == 404
    assert client.get(f"/catalog/producers/{product.producer_id}").status_code == 404


def test_producer_page(client):
    product = factories.ProductFactory()
    text = client.get(f"/catalog/producers/{product.producer_id}").get_data(as_text=True)
    assert product.producer.name_ru in text and "Buckwheat groats" in text


def test_farmer_creates_profile_then_admin_verifies(client, login_as):
    farmer = login_as("farmer")
    response = client.post_form(
        "/catalog/my/producer",
        {
            "producer-name_ru": "КФХ Пчёлкина",
            "producer-district": "kunashaksky",
            "producer-gacc_registration": "CRUS12202201150009",
            "producer-gacc_expires_at": "2030-05-01",
        },
    )
    assert response.status_code == 302
    producer = db.session.scalar(select(Producer).where(Producer.owner_id == farmer.id))
    assert producer.status == "pending"
    bad = client.post_form(
        "/catalog/my/producer",
        {"producer-name_ru": "X", "producer-district": "kunashaksky", "producer-gacc_registration": "CRUS1"},
    )
    assert bad.status_code == 422 and "CRUS" in bad.get_data(as_text=True)
    client.post_form("/logout", {})
    admin = login_as("admin")
    queue = client.get("/catalog/admin/verification").get_data(as_text=True)
    assert "КФХ Пчёлкина" in queue
    # Without legal data the profile cannot be verified.
    client.post_form(f"/catalog/admin/producers/{producer.id}/verify", {})
    db.session.refresh(producer)
    assert producer.status == "pending"
    client.post_form("/logout", {})
    client.login(farmer)
    base = {
        "producer-name_ru": "КФХ Пчёлкина",
        "producer-district": "kunashaksky",
        "producer-gacc_registration": "CRUS12202201150009",
        "producer-gacc_expires_at": "2030-05-01",
    }
    wrong_key = {**base, **legal_form(), "producer-bank_account": "40702810972000000003"}
    page = client.post_form("/catalog/my/producer", wrong_key)
    assert page.status_code == 422 and "BIK" in page.get_data(as_text=True)
    assert client.post_form("/catalog/my/producer", {**base, **legal_form()}).status_code == 302
    client.post_form("/logout", {})
    client.login(admin)
    assert client.post_form(f"/catalog/admin/producers/{producer.id}/verify", {}).status_code == 302
    db.session.refresh(producer)
    assert producer.status == "verified"


def test_admin_rejects_with_reason(client, login_as):
    producer = factories.ProducerFactory(status="pending")
    login_as("admin")
    client.post_form(f"/catalog/admin/producers/{producer.id}/reject", {"reason": "Scan unreadable"})
    db.session.refresh(producer)
    assert producer.status == "rejected" and producer.rejection_reason == "Scan unreadable"


@pytest.mark.parametrize("role", ["buyer", "farmer"])
def test_verification_queue_is_for_admins(client, login_as, role):
    login_as(role)
    assert client.get("/catalog/admin/verification").status_code == 403


def test_my_pages_need_a_farmer(client, login_as):
    assert client.get("/catalog/my/products").status_code == 302  # log-in redirect
    login_as("buyer")
    assert client.get("/catalog/my/products").status_code == 403


def test_farmer_lists_edits_and_archives(client):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    response = client.post_form("/catalog/my/products/new", _product_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    product = db.session.scalar(select(Product))
    assert product.status == "active" and [t.unit_price for t in product.price_tiers] == [
        Decimal("35.00"),
        Decimal("31.50"),
    ]
    text = client.get("/catalog/my/products").get_data(as_text=True)
    assert "Linseed oil" in text
    page = client.get(f"/catalog/products/{product.id}").get_data(as_text=True)
    assert "&lt;b&gt;cold&lt;/b&gt;" in page
    response = client.post_form(
        f"/catalog/my/products/{product.id}/edit", _product_form(**{"product-tiers-1-unit_price": "36.00"})
    )
    assert response.status_code == 422 and "cannot cost more" in response.get_data(as_text=True)
    client.post_form(
        f"/catalog/my/products/{product.id}/lots",
        {
            "lot-lot_number": "B-1",
            "lot-produced_on": "2026-06-01",
            "lot-best_before": "2026-05-01",
            "lot-quantity": "10",
        },
    )
    assert db.session.scalar(select(func.count(Lot.id))) == 0
    client.post_form(
        f"/catalog/my/products/{product.id}/lots",
        {
            "lot-lot_number": "B-1",
            "lot-produced_on": "2026-06-01",
            "lot-best_before": "2099-05-01",
            "lot-quantity": "10",
        },
    )
    assert db.session.scalar(select(func.count(Lot.id))) == 1
    response = client.post_form(
        f"/catalog/my/products/{product.id}/photos",
        {"photo-file": (io.BytesIO(image_bytes()), "p.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(product)
    assert len(product.photos) == 1
    client.post_form(f"/catalog/my/products/{product.id}/archive", {})
    db.session.refresh(product)
    assert product.status == "archived"


def test_unverified_farmer_cannot_publish_from_the_page(client):
    producer = factories.ProducerFactory(status="pending")
    client.login(producer.owner)
    response = client.post_form("/catalog/my/products/new", _product_form())
    assert response.status_code == 403 and "not verified" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_farmer_cannot_edit_anothers_product(client, login_as):
    product = factories.ProductFactory()
    draft = factories.ProductFactory(status="draft")
    login_as("farmer")
    assert client.get(f"/catalog/my/products/{product.id}/edit").status_code == 403
    assert client.get(f"/catalog/my/products/{draft.id}/edit").status_code == 404
    assert client.post_form(f"/catalog/my/products/{product.id}/archive", {}).status_code == 403


def test_certificate_with_scan_from_the_page(client):
    producer = factories.ProducerFactory()
    client.login(producer.owner)
    response = client.post_form(
        "/catalog/my/producer/certificates",
        {
            "cert-kind": "organic_ru",
            "cert-number": "RU-ORG-1",
            "cert-valid_from": "2025-01-01",
            "cert-valid_until": "2099-01-01",
            "cert-file": (io.BytesIO(b"%PDF-1.7 ..."), "c.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    certificate = db.session.scalar(select(Certificate))
    assert certificate.number == "RU-ORG-1" and certificate.file_type == "application/pdf"
