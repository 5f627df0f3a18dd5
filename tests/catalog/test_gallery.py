"""Several photos per product: a 160 px picture made at upload, the farmer's order (buttons
without JavaScript, or the API), a gallery on the product page, alt text from the name."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from catalog.models import Photo
from core.extensions import db
from tests import factories


def _upload(api, product, colour):
    image = Image.new("RGB", (1200, 900), colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = buffer.getvalue()
    response = api.post(
        f"/api/v1/products/{product.id}/photos",
        data={"file": (io.BytesIO(data), "p.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def listed(api):
    product = factories.ProductFactory(name_en="Linden honey", name_zh="椴树蜂蜜", name_ru="Мёд липовый")
    api.as_user(product.producer.owner)
    photos = [_upload(api, product, colour) for colour in ("red", "green", "blue")]
    return product, api, photos


def _order(product_id):
    db.session.expire_all()
    return [
        p.id
        for p in db.session.scalars(
            select(Photo).where(Photo.product_id == product_id).order_by(Photo.position)
        )
    ]


def test_a_160_px_picture_is_made_at_upload(listed, client):
    _product, _api, photos = listed
    mini = client.get(photos[0]["mini_url"])
    assert mini.status_code == 200 and mini.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(mini.data)).size) == 160


def test_the_farmer_moves_photos_up_and_down_without_javascript(listed, client):
    product, _api, photos = listed
    ids = [p["id"] for p in photos]
    client.login(product.producer.owner)
    page = client.get(f"/catalog/my/products/{product.id}/edit").get_data(as_text=True)
    assert "Move up" in page and "Move down" in page
    client.post_form(f"/catalog/my/products/{product.id}/photos/{ids[2]}/up", {})
    assert _order(product.id) == [ids[0], ids[2], ids[1]]
    client.post_form(f"/catalog/my/products/{product.id}/photos/{ids[2]}/up", {})
    client.post_form(f"/catalog/my/products/{product.id}/photos/{ids[2]}/up", {})  # already first
    assert _order(product.id) == [ids[2], ids[0], ids[1]]
    client.post_form(f"/catalog/my/products/{product.id}/photos/{ids[0]}/down", {})
    assert _order(product.id) == [ids[2], ids[1], ids[0]]


def test_another_farmer_cannot_move_them(listed, client, login_as):
    product, _api, photos = listed
    login_as("farmer")
    client.post_form(f"/catalog/my/products/{product.id}/photos/{photos[2]['id']}/up", {})
    assert _order(product.id) == [p["id"] for p in photos]


def test_the_api_sets_the_order_and_refuses_a_partial_list(listed):
    product, api, photos = listed
    ids = [p["id"] for p in photos]
    response = api.put(f"/api/v1/products/{product.id}/photos/order", json={"photo_ids": ids[::-1]})
    assert response.status_code == 200 and [p["id"] for p in response.get_json()] == ids[::-1]
    assert _order(product.id) == ids[::-1]
    for bad in (ids[:2], [*ids, ids[0]], [ids[0], ids[1], 99999]):
        answer = api.put(f"/api/v1/products/{product.id}/photos/order", json={"photo_ids": bad})
        assert answer.status_code == 422
    assert _order(product.id) == ids[::-1]


def test_the_product_page_shows_a_gallery_with_alt_text(listed, client):
    product, _api, photos = listed
    page = client.get(f"/catalog/products/{product.id}").get_data(as_text=True)
    assert 'class="thumbs gallery-thumbs"' in page
    for n, photo in enumerate(photos, start=1):
        assert photo["mini_url"] in page
        assert f"Linden honey, photo {n} of 3" in page
    chosen = client.get(f"/catalog/products/{product.id}?photo={photos[1]['id']}").get_data(as_text=True)
    assert f'src="{photos[1]["url"]}"' in chosen and "Photo 2 of 3" in chosen


def test_deleting_a_photo_closes_the_gap(listed):
    product, api, photos = listed
    assert api.delete(f"/api/v1/products/{product.id}/photos/{photos[0]['id']}").status_code == 204
    db.session.expire_all()
    positions = db.session.scalars(
        select(Photo.position).where(Photo.product_id == product.id).order_by(Photo.position)
    ).all()
    assert positions == [0, 1]
