"""Bearer tokens, /me, and the one JSON error shape."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import ApiToken
from core.extensions import db
from core.timeutil import utcnow
from tests import factories


def _error(response):
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


def test_token_and_me(client):
    user = factories.UserFactory(email="w@example.cn", role="buyer", name="Wang", language="zh")
    response = client.post(
        "/api/v1/auth/token", json={"email": "W@example.cn", "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != body["token"] and len(stored.token_hash) == 64
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert {k: me.get_json()[k] for k in ("id", "email", "role", "name", "language")} == {
        "id": user.id,
        "email": "w@example.cn",
        "role": "buyer",
        "name": "Wang",
        "language": "zh",
    }


def test_bad_credentials_give_401(client):
    factories.UserFactory(email="a@example.com")
    response = client.post(
        "/api/v1/auth/token", json={"email": "a@example.com", "password": "nope-nope-nope"}
    )
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic abc", "Bearer "])
def test_api_without_valid_credentials_is_401_json_not_a_redirect(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.is_json and _error(response)["code"] == "unauthorized"


def test_expired_token(api):
    api.as_role("buyer")
    record = db.session.scalar(select(ApiToken))
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401


def test_revoked_token(api):
    api.as_role("farmer")
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    assert api.delete("/api/v1/auth/token").status_code == 401


def test_deactivated_users_token_stops_working(api):
    api.as_role("buyer")
    api.user.active = False
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", ["buyer", "farmer", "operator"])
def test_non_admin_calling_admin_endpoint_gets_403(api, role):
    api.as_role(role)
    response = api.get("/api/v1/users")
    assert response.status_code == 403
    assert _error(response)["code"] == "forbidden"


def test_admin_lists_users(api):
    api.as_role("admin")
    factories.UserFactory(role="farmer")
    body = api.get("/api/v1/users?role=farmer").get_json()
    assert [u["role"] for u in body] == ["farmer"]
    assert api.get("/api/v1/users?role=wizard").status_code == 422


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_missing_fields_are_422_with_fields(client):
    response = client.post("/api/v1/auth/token", json={"email": "x@example.com"})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error" and "password" in error["fields"]


def test_oversized_body_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/api/v1/auth/token", json={"email": "x" * 2048, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


def test_405_keeps_the_allow_header(client):
    response = client.put("/api/v1/me")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert _error(response)["code"] == "method_not_allowed"


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and _error(response)["code"] == "not_found"


def test_token_endpoint_is_rate_limited(client, app, rate_limits):
    factories.UserFactory(email="t@example.com")
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "2 per minute"
    try:
        codes = [
            client.post(
                "/api/v1/auth/token", json={"email": "t@example.com", "password": "bad-bad-bad"}
            ).status_code
            for _ in range(3)
        ]
        last = client.post("/api/v1/auth/token", json={"email": "t@example.com", "password": "bad-bad-bad"})
    finally:
        app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "5 per minute"
    assert codes == [401, 401, 429]
    assert _error(last)["code"] == "rate_limited"


def test_session_api_calls_need_the_csrf_token(client):
    user = factories.UserFactory()
    client.login(user)
    assert client.get("/api/v1/me").status_code == 200  # reading needs no token
    response = client.post("/api/v1/me")
    assert response.status_code == 400 and _error(response)["code"] == "csrf_failed"
    # With the token in the header the request gets past CSRF (and meets the 405).
    assert client.post("/api/v1/me", headers={"X-CSRFToken": client.csrf_token()}).status_code == 405
