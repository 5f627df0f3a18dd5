"""Malformed input never reaches a 500: surrogates, deep JSON, header injection, huge uploads."""

import io

import pytest

from tests import factories

LONE_SURROGATE = b'"\\udc80"'


def _raw_json(api, url, body: bytes, method="post"):
    return getattr(api, method)(url, data=body, content_type="application/json")


def test_a_lone_surrogate_is_a_400_even_unauthenticated(api):
    body = b'{"email": ' + LONE_SURROGATE + b', "password": "x"}'
    response = _raw_json(api, "/api/v1/auth/token", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "url, role",
    [("/api/v1/products", "farmer"), ("/api/v1/rfqs", "buyer"), ("/api/v1/producers", "farmer")],
)
def test_a_lone_surrogate_in_any_json_text_is_a_400(api, url, role):
    api.as_role(role)
    body = b'{"name": {"en": ' + LONE_SURROGATE + b'}, "title": ' + LONE_SURROGATE + b"}"
    response = _raw_json(api, url, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    # A surrogate as a key is refused too.
    assert _raw_json(api, url, b"{" + LONE_SURROGATE + b": 1}").status_code == 400


def test_a_surrogate_pair_is_ordinary_text(api):
    factories.UserFactory(email="emoji@example.com")
    body = b'{"email": "emoji@example.com", "password": "\\ud83d\\ude00"}'
    assert _raw_json(api, "/api/v1/auth/token", body).status_code == 401


@pytest.mark.parametrize("depth", [100, 5000, 100_000])
def test_deeply_nested_json_is_a_400(api, depth):
    body = b"[" * depth + b"]" * depth
    response = _raw_json(api, "/api/v1/auth/token", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    assert _raw_json(api, "/api/v1/auth/token", nested).status_code == 400


@pytest.mark.parametrize(
    "next_url", ["/x\r\nSet-Cookie: a=b", "/x\nLocation: //evil.example", "/\\evil.example"]
)
def test_login_with_a_header_injecting_next_goes_home(client, next_url):
    user = factories.UserFactory()
    data = {"email": user.email, "password": factories.PASSWORD, "next": next_url}
    response = client.post_form("/login", data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: a=b" not in str(response.headers)


def test_language_with_a_header_injecting_next_goes_home(client):
    response = client.post_form("/language", {"language": "ru", "next": "/x\r\nSet-Cookie: a=b"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_bad_next_still_logs_in_and_goes_home(client):
    from accounts.models import User
    from core.extensions import db

    user = factories.UserFactory()
    client.post_form("/login", {"email": user.email, "password": factories.PASSWORD, "next": "/\r\n"})
    assert db.session.get(User, user.id).last_login_at is not None
    assert "/profile" in client.get("/").get_data(as_text=True)


THIRTY_MB = 30 * 1024 * 1024

UPLOAD_FORMS = [
    ("/catalog/my/products/import", "farmer", "file"),
    ("/catalog/my/producer/photos", "farmer", "file"),
    ("/catalog/my/producer/certificates", "farmer", "file"),
    ("/catalog/my/products/1/photos", "farmer", "file"),
    ("/orders/1/dispute", "buyer", "photos"),
    ("/logistics/shipments/1/documents", "operator", "file"),
    ("/logistics/shipments/1/events", "operator", "attachment"),
]


@pytest.mark.parametrize(
    "url, role, field, lang, text",
    [(*form, "en", "too large") for form in UPLOAD_FORMS]
    + [(*UPLOAD_FORMS[0], "ru", "слишком велик"), (*UPLOAD_FORMS[4], "zh", "太大")],
)
def test_a_30_mb_upload_is_the_translated_413_page(client, login_as, url, role, field, lang, text):
    login_as(role, language=lang)
    data = {"csrf_token": client.csrf_token(), field: (io.BytesIO(b"x" * THIRTY_MB), "big.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert text in page and "<h1>413</h1>" in page


def test_a_30_mb_api_upload_is_a_json_413(api):
    api.as_role("operator")
    data = {"file": (io.BytesIO(b"x" * THIRTY_MB), "big.pdf"), "kind": "invoice", "number": "1"}
    response = api.post("/api/v1/shipments/1/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("digits", ["٥", "５", "१२", "１２.５０", "-٣"])
def test_numbers_in_other_scripts_digits_are_refused_in_json(api, digits):
    from tests.catalog.helpers import product_payload

    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    response = api.post("/api/v1/products", json=product_payload(stock_quantity=digits))
    assert response.status_code == 422
    assert "stock_quantity" in response.get_json()["error"]["fields"]


def test_numbers_in_other_scripts_digits_are_refused_in_query_strings_and_paths(api):
    response = api.get("/api/v1/products?page=٥")
    assert response.status_code == 422 and "page" in response.get_json()["error"]["fields"]
    product = factories.ProductFactory()
    assert api.get(f"/api/v1/products/{product.id}").status_code == 200
    full_width_id = "".join(chr(ord(c) + 0xFEE0) for c in str(product.id))
    assert api.get(f"/api/v1/products/{full_width_id}").status_code == 404


def test_numbers_in_other_scripts_digits_are_refused_on_pages(client, login_as):
    product = factories.ProductFactory()
    login_as("buyer")
    response = client.post_form("/cart/add", {"product_id": str(product.id), "quantity": "１００"})
    assert response.status_code == 422
    assert "digits 0-9" in response.get_data(as_text=True)


def test_text_that_merely_contains_such_digits_is_text(api):
    from tests.catalog.helpers import product_payload

    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    payload = product_payload(packaging="２５公斤编织袋", status="draft")
    response = api.post("/api/v1/products", json=payload)
    assert response.status_code == 201, response.get_json()


def test_a_form_part_without_a_name_is_no_500(api):
    api.as_role("operator")
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\n{}\r\n--XX--\r\n"
    multipart = "multipart/form-data; boundary=XX"
    response = api.post("/api/v1/shipments/1/events", data=body, content_type=multipart)
    assert response.status_code == 422, response.get_data(as_text=True)
