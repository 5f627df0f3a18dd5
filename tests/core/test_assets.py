"""Static assets for slow phones: fingerprinted URLs kept a year, gzip for text."""

import gzip
import io
import re

from tests import factories
from tests.catalog.helpers import image_bytes


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_carry_the_files_hash_and_are_kept_a_year(client):
    urls = _static_urls(client.get("/").get_data(as_text=True))
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls)
    response = client.get(urls[0])
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


def test_a_stale_or_missing_hash_is_not_kept(client):
    url = _static_urls(client.get("/").get_data(as_text=True))[0]
    path = url.split("?")[0]
    for stale in (path, path + "?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_text_is_gzipped_for_clients_that_accept_it(client):
    factories.ProductFactory()
    for path in ("/catalog", "/static/css/app.css"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.get_data()) < len(plain.get_data())
        unpacked = gzip.decompress(packed.get_data())
        if path.startswith("/static/"):
            assert unpacked == plain.get_data()
        else:  # pages differ only by their CSRF token and nonce
            assert len(unpacked) == len(plain.get_data())


def test_api_json_is_sent_as_it_is(client):
    factories.ProductFactory()
    response = client.get("/api/v1/products", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers and response.get_json()["items"]


def test_lists_show_thumbnails_and_the_product_page_fetches_its_photo_first(api, client):
    product = factories.ProductFactory()
    api.as_user(product.producer.owner)
    upload = api.post(
        f"/api/v1/products/{product.id}/photos",
        data={"file": (io.BytesIO(image_bytes("PNG", size=(1200, 900))), "p.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    page = client.get(f"/catalog/products/{product.id}").get_data(as_text=True)
    (large,) = re.findall(r'<img class="product-photo-large[^>]+>', page)
    assert 'fetchpriority="high"' in large and "lazy" not in large
    listed = client.get("/catalog").get_data(as_text=True)
    cards = re.findall(r'<img class="product-photo"[^>]+>', listed)
    assert cards and all("/thumb" in c and 'loading="lazy"' in c for c in cards)
