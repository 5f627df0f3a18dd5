"""Images cannot exhaust a worker, stored images are re-encoded, private ones are not cached,
and certificate scans go only to those allowed."""

import io
import time

import pytest
from PIL import Image, PngImagePlugin

from catalog.uploads import MAX_PIXELS, key
from core.uploads import storage
from tests import factories
from tests.catalog.helpers import image_bytes


def _upload(api, url, data, name="photo.png", method="post"):
    files = {"file": (io.BytesIO(data), name)}
    return getattr(api, method)(url, data=files, content_type="multipart/form-data")


def _bomb(side: int) -> bytes:
    """A few kilobytes of PNG that declare side × side pixels."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture
def owner_api(api):
    product = factories.ProductFactory()
    api.as_user(product.producer.owner)
    api.product = product
    return api


def test_a_tiny_png_of_6300_by_6300_pixels_is_refused_before_decoding(owner_api):
    bomb = _bomb(6300)
    assert len(bomb) < 50_000
    started = time.perf_counter()
    response = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", bomb)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "image_too_large"
    assert elapsed < 0.5, elapsed


def test_the_pixel_cap_is_below_the_reviewed_attack():
    assert MAX_PIXELS < 6300 * 6300 and MAX_PIXELS >= 4000 * 3000  # a 12 MP phone photo fits


def test_a_twelve_megapixel_photo_is_accepted(owner_api):
    photo = image_bytes("JPEG", size=(4000, 3000))
    response = _upload(owner_api, f"/api/v1/products/{owner_api.product.id}/photos", photo, "p.jpg")
    assert response.status_code == 201, response.get_json()


def _png_with_hidden_payload() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-metadata")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue() + b"<script>alert(1)</script>"


def test_a_certificate_image_is_stored_re_encoded(api):
    producer = factories.ProducerFactory()
    certificate = factories.CertificateFactory(producer=producer)
    api.as_user(producer.owner)
    url = f"/api/v1/producers/{producer.id}/certificates/{certificate.id}/file"
    response = _upload(api, url, _png_with_hidden_payload(), "scan.png", method="put")
    assert response.status_code == 200, response.get_json()
    from catalog.models import Certificate
    from core.extensions import db

    name = db.session.get(Certificate, certificate.id).file_name
    with storage().open(key("certificates", name)) as fh:
        stored = fh.read()
    assert b"<script>" not in stored and b"secret-metadata" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_a_certificate_scan_only_for_those_allowed(app, api, client):
    from tests.marketplace.helpers import client_for

    producer = factories.ProducerFactory()
    certificate = factories.CertificateFactory(producer=producer)
    owner = client_for(app, producer.owner)
    url = f"/api/v1/producers/{producer.id}/certificates/{certificate.id}/file"
    file_url = _upload(owner, url, image_bytes(), "scan.png", method="put").get_json()["file_url"]

    own = owner.get(file_url)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    assert client_for(app, factories.UserFactory(role="buyer")).get(file_url).status_code == 200
    assert client_for(app, factories.UserFactory(role="operator")).get(file_url).status_code == 200
    assert client.get(file_url).status_code == 404  # visitors
    assert client_for(app, factories.UserFactory(role="farmer")).get(file_url).status_code == 404


def test_a_drafts_photo_is_private_a_listed_ones_public(owner_api):
    url = f"/api/v1/products/{owner_api.product.id}/photos"
    photo_url = _upload(owner_api, url, image_bytes()).get_json()["url"]
    assert "public" in owner_api.get(photo_url).headers["Cache-Control"]
    owner_api.patch(f"/api/v1/products/{owner_api.product.id}", json={"status": "draft"})
    assert owner_api.get(photo_url).headers["Cache-Control"] == "private, no-store"
