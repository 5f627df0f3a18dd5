"""The shared cache of anonymous catalog reads (core.cache): ETag/304, a write visible on the
next request, nothing shared across roles, and checkout reading the database whatever the
cache holds. Against the machine's real Redis (TEST_REDIS_URL)."""

import re
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from core.cache import public_version
from core.extensions import db
from tests import factories
from tests.marketplace.helpers import place


def _price(response) -> str:
    return response.get_json()["price_tiers"][0]["unit_price"]


@pytest.fixture
def public_cache(app, redis_url):
    keys = ("REDIS_URL", "PUBLIC_CACHE", "PUBLIC_CACHE_PREFIX")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(REDIS_URL=redis_url, PUBLIC_CACHE=True, PUBLIC_CACHE_PREFIX=f"test:{uuid.uuid4().hex}")
    yield
    app.config.update(saved)


def _product(**fields):
    fields.setdefault("tiers", ((Decimal("100"), Decimal("12.50")),))
    return factories.ProductFactory(**fields)


# ---------------------------------------------------------------- HTTP caching


@pytest.mark.parametrize(
    "path", ["/api/v1/products/{id}", "/catalog/products/{id}", "/catalog?q=buckwheat", "/"]
)
def test_etag_answers_304_to_a_client_that_has_the_page(client, path):
    path = path.format(id=_product().id)
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    if not path.startswith("/api/"):
        # A page in another language is another representation (the API's JSON is one for all).
        other = client.get(path, headers={"If-None-Match": etag, "Accept-Language": "ru"})
        assert other.status_code == 200


def test_api_reads_are_public_pages_private(client):
    product = _product()
    assert client.get(f"/api/v1/products/{product.id}").headers["Cache-Control"] == "public, no-cache"
    # A page carries the visitor's CSRF token: only their browser may keep it.
    assert client.get(f"/catalog/products/{product.id}").headers["Cache-Control"] == "private, no-cache"


def test_a_cached_page_carries_each_visitors_own_csrf_token_and_nonce(app, public_cache):
    product = _product()
    path = f"/catalog/products/{product.id}"
    pages = []
    for _ in range(2):
        visitor = app.test_client()
        response = visitor.get(path)
        html = response.get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        nonce = re.search(r'nonce="([^"]+)"', html).group(1)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        # The token works: the language switcher accepts it and sets the cookie.
        switched = visitor.post("/language", data={"csrf_token": token, "language": "ru", "next": "/"})
        assert "lang=ru" in switched.headers.get("Set-Cookie", "")
        pages.append((response.headers.get("X-Cache"), token, response.headers["ETag"]))
    assert [p[0] for p in pages] == ["miss", "hit"]
    assert pages[0][1] != pages[1][1]  # each visitor their own token
    assert pages[0][2] == pages[1][2]  # one representation, one ETag


# ---------------------------------------------------------------- invalidation


def test_a_catalog_write_is_visible_on_the_next_request(client, api, public_cache):
    farmer = factories.UserFactory(role="farmer")
    product = _product(producer=factories.ProducerFactory(owner=farmer))
    path = f"/api/v1/products/{product.id}"
    assert client.get(path).headers["X-Cache"] == "miss"
    cached = client.get(path)
    assert cached.headers["X-Cache"] == "hit" and _price(cached) == "12.50"
    page = client.get("/catalog?q=buckwheat")
    assert "12.50" in page.get_data(as_text=True) or "12.5" in page.get_data(as_text=True)

    api.as_user(farmer)
    changed = api.raw.patch(
        path,
        json={"price_tiers": [{"min_quantity": "100", "unit_price": "9.90"}]},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert changed.status_code == 200, changed.get_json()

    fresh = client.get(path)
    assert fresh.headers["X-Cache"] == "miss" and _price(fresh) == "9.90"
    assert "9.90" in client.get("/catalog?q=buckwheat").get_data(as_text=True)


def test_a_producer_losing_verification_disappears_at_once(client, public_cache):
    product = _product()
    path = f"/api/v1/products/{product.id}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "hit"
    product.producer.status = "pending"  # any session commit, not only a service
    db.session.commit()
    assert client.get(path).status_code == 404


def test_a_rolled_back_write_keeps_the_cache(client, public_cache):
    product = _product()
    path = f"/api/v1/products/{product.id}"
    client.get(path)
    product.name_en = "Not saved"
    db.session.flush()
    db.session.rollback()
    assert client.get(path).headers["X-Cache"] == "hit"


def test_a_savepoint_inside_a_write_waits_for_its_commit(app, public_cache):
    """SQLAlchemy announces a savepoint's release as a commit: the version must not move
    then, or a page cached before the real commit would keep the old name for good."""
    product = _product()
    before = public_version()
    product.name_en = "Renamed"
    db.session.flush()
    with db.session.begin_nested():
        db.session.execute(text("SELECT 1"))
    assert public_version() == before
    db.session.commit()
    assert public_version() > before


# ---------------------------------------------------------------- roles


def test_no_role_sees_another_roles_page(app, client, public_cache):
    product = _product()
    path = f"/catalog/products/{product.id}"
    visitor = app.test_client()
    assert 'id="add-to-cart"' not in visitor.get(path).get_data(as_text=True)
    assert visitor.get(path).headers["X-Cache"] == "hit"

    buyer = factories.UserFactory(role="buyer")
    client.login(buyer)  # built for the buyer, never from the cache…
    mine = client.get(path)
    assert 'id="add-to-cart"' in mine.get_data(as_text=True)
    assert "X-Cache" not in mine.headers and mine.headers["Cache-Control"] == "private, no-cache"
    # …and not served to the next visitor either.
    theirs = app.test_client().get(path).get_data(as_text=True)
    assert 'id="add-to-cart"' not in theirs and "Log in to order" in theirs


def test_an_owners_draft_stays_theirs(app, client, public_cache):
    farmer = factories.UserFactory(role="farmer")
    draft = _product(producer=factories.ProducerFactory(owner=farmer), status="draft")
    client.login(farmer)
    for path in (f"/catalog/products/{draft.id}", f"/api/v1/products/{draft.id}"):
        assert client.get(path).status_code == 200
        assert app.test_client().get(path).status_code == 404


def test_token_callers_are_never_served_from_the_cache(api, public_cache):
    product = _product()
    path = f"/api/v1/products/{product.id}"
    api.raw.get(path)
    assert api.raw.get(path).headers["X-Cache"] == "hit"
    api.as_role("buyer")
    response = api.get(path)
    assert response.status_code == 200 and "X-Cache" not in response.headers
    assert "Authorization" in response.headers["Vary"]


# ---------------------------------------------------------------- money


def test_checkout_reads_the_database_not_the_cache(api, public_cache, postgres_only):
    product = _product(stock_on_hand=Decimal("1000"))
    path = f"/api/v1/products/{product.id}"
    api.raw.get(path)
    assert _price(api.raw.get(path)) == "12.50"
    # A price changed behind the app's back (no version bump): the cache is now stale on purpose.
    db.session.execute(
        text("UPDATE catalog_price_tiers SET unit_price = 14.00 WHERE product_id = :id"), {"id": product.id}
    )
    db.session.execute(
        text("UPDATE catalog_products SET price_min_cny = 14.00 WHERE id = :id"), {"id": product.id}
    )
    db.session.commit()
    stale = api.raw.get(path)
    assert stale.headers["X-Cache"] == "hit" and _price(stale) == "12.50"

    api.as_role("buyer")
    assert _price(api.get(path)) == "14.00"
    response = place(api, [(product, "200")])
    assert response.status_code == 201, response.get_json()
    (line,) = response.get_json()["lines"]
    assert line["unit_price"] == "14.00" and line["line_total"] == "2800.00"
