"""Photos and certificate scans: content-checked, size-limited, served only to who may see them."""

import io

import pytest
from sqlalchemy import func, select

from catalog.models import Photo
from core.extensions import db
from tests import factories
from tests.catalog.helpers import image_bytes


def _photos():
    return db.session.scalar(select(func.count(Photo.id)))


@pytest.fixture
def owner_api(api):
    product = factories.ProductFactory()
    api.as_user(product.producer.owner)
    api.product = product
    return api


def _upload(api, url, data, name="photo.png"):
    return api.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_photo_upload_makes_a_thumbnail(owner_api, client, fmt):
    url = f"/api/v1/products/{owner_api.product.id}/photos"
    response = _upload(owner_api, url, image_bytes(fmt, size=(1200, 900)), f"p.{fmt.lower()}")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    thumb = client.get(body["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert client.get(body["url"]).status_code == 200
    listed = owner_api.get(f"/api/v1/products/{owner_api.product.id}").get_json()["photos"]
    assert [p["id"] for p in listed] == [body["id"]]


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<html><script>alert(1)</script></html>", "evil.png"),
        (b"%PDF-1.4 not an image", "doc.jpg"),
        (image_bytes("PNG")[:60], "truncated.png"),
        (b"GIF89a" + b"\x00" * 20, "fake.gif"),
    ],
)
def test_non_images_are_refused(owner_api, data, name):
    response = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", data, name)
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]
    assert _photos() == 0


def test_oversized_photo_is_413(owner_api, app):
    app.config["CATALOG_PHOTO_MAX_BYTES"] = 50_000
    try:
        big = image_bytes("BMP", size=(400, 400))  # ~480 KB
        response = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", big, "big.bmp")
    finally:
        del app.config["CATALOG_PHOTO_MAX_BYTES"]
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert _photos() == 0


def test_request_over_the_global_limit_is_413_json(owner_api, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    try:
        response = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", b"x" * 20_000)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"


def test_missing_file(owner_api):
    response = owner_api.post(
        f"/api/v1/products/{owner_api.product.id}/photos", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422


def test_other_farmer_cannot_upload(api):
    product = factories.ProductFactory()
    api.as_role("farmer")
    response = _upload(api, f"/api/v1/products/{product.id}/photos", image_bytes())
    assert response.status_code == 403 and _photos() == 0


def test_photos_of_hidden_products_are_hidden(owner_api, client):
    body = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", image_bytes()).get_json()
    owner_api.patch(f"/api/v1/products/{owner_api.product.id}", json={"status": "draft"})
    assert client.get(body["url"]).status_code == 404
    assert owner_api.get(body["url"]).status_code == 200  # the owner still sees it (bearer token)


def test_certificate_scan_pdf_or_image(api, client):
    producer = factories.ProducerFactory()
    certificate = factories.CertificateFactory(producer=producer)
    api.as_user(producer.owner)
    url = f"/api/v1/producers/{producer.id}/certificates/{certificate.id}/file"
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"
    response = api.raw.put(
        url,
        data={"file": (io.BytesIO(pdf), "c.pdf")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200, response.get_json()
    download = api.get(response.get_json()["file_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert client.get(response.get_json()["file_url"]).status_code == 404  # not for visitors
    response = api.raw.put(
        url,
        data={"file": (io.BytesIO(b"MZ\x90\x00 exe"), "c.pdf")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 422
