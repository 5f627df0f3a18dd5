"""Log-out ends the session on the server; one log-in counter for page and API; the account
lock slows a guesser without locking the owner out of a device they have used before."""

import pytest

from tests import factories


def _copy_session_cookie(source, target):
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def test_a_session_cookie_copied_before_log_out_stops_working(app, client):
    user = factories.UserFactory(role="buyer", name="Copied Cookie")
    client.login(user)
    thief = app.test_client()
    _copy_session_cookie(client, thief)
    assert "Copied Cookie" in thief.get("/profile").get_data(as_text=True)
    assert thief.get("/api/v1/me").status_code == 200

    assert client.post_form("/logout", {}).status_code == 302

    page = thief.get("/profile")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get("/api/v1/me").status_code == 401


def test_logging_out_one_browser_keeps_the_others(app, client):
    from tests.conftest import Client

    user = factories.UserFactory()
    client.login(user)
    other = Client(app.test_client())
    other.login(user)
    client.post_form("/logout", {})
    assert other.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


@pytest.fixture
def limits(app, rate_limits):
    saved = {k: app.config[k] for k in ("LOGIN_RATE_LIMIT_ACCOUNT", "LOGIN_RATE_LIMIT_IP")}
    app.config.update(LOGIN_RATE_LIMIT_ACCOUNT="3 per minute", LOGIN_RATE_LIMIT_IP="100 per minute")
    yield app.config
    app.config.update(saved)


def _page_login(client, email, password):
    return client.post_form("/login", {"email": email, "password": password}).status_code


def _api_login(flask_client, email, password):
    return flask_client.post("/api/v1/auth/token", json={"email": email, "password": password}).status_code


def test_page_and_api_share_one_counter_per_account(client, limits):
    user = factories.UserFactory(email="shared@example.com")
    codes = [
        _page_login(client, user.email, "wrong-guess-1"),
        _api_login(client.raw, user.email, "wrong-guess-2"),
        _page_login(client, user.email, "wrong-guess-3"),
    ]
    assert codes == [401, 401, 401]
    assert _api_login(client.raw, user.email, "wrong-guess-4") == 429
    assert _page_login(client, user.email, "wrong-guess-5") == 429


def test_page_and_api_share_one_counter_per_ip(client, limits):
    limits["LOGIN_RATE_LIMIT_IP"] = "3 per minute"
    assert _page_login(client, "a@example.com", "x-wrong-1") == 401
    assert _api_login(client.raw, "b@example.com", "x-wrong-2") == 401
    assert _page_login(client, "c@example.com", "x-wrong-3") == 401
    assert _api_login(client.raw, "d@example.com", "x-wrong-4") == 429


def test_a_locked_account_refuses_even_the_right_password_from_an_unknown_device(app, client, limits):
    user = factories.UserFactory(email="target@example.com")
    for _ in range(3):
        _page_login(client, user.email, "attacker-guess")
    response = client.post_form("/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "device you have used before" in response.get_data(as_text=True)
    api_response = client.raw.post(
        "/api/v1/auth/token", json={"email": user.email, "password": factories.PASSWORD}
    )
    assert api_response.status_code == 429
    assert api_response.get_json()["error"]["code"] == "rate_limited"


def test_the_owner_logs_in_from_a_known_device_during_an_attack(app, client, limits):
    from tests.conftest import Client

    user = factories.UserFactory(email="owner@example.com", name="Owner Olga")
    client.login(user)  # the owner's browser becomes a known device
    client.post_form("/logout", {})

    attacker = Client(app.test_client())
    codes = [_page_login(attacker, user.email, f"guess-{i}") for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]

    assert _page_login(client, user.email, factories.PASSWORD) == 302
    assert "Owner Olga" in client.get("/").get_data(as_text=True)


def test_an_api_client_that_keeps_cookies_is_a_known_device(app, limits):
    user = factories.UserFactory(email="script@example.com")
    script = app.test_client()
    assert _api_login(script, user.email, factories.PASSWORD) == 200
    attacker = app.test_client()
    for _ in range(4):
        _api_login(attacker, user.email, "guess-guess")
    assert _api_login(attacker, user.email, factories.PASSWORD) == 429
    assert _api_login(script, user.email, factories.PASSWORD) == 200


def test_a_forged_device_cookie_is_an_unknown_device(app, client, limits):
    user = factories.UserFactory(email="forged@example.com")
    for _ in range(3):
        _page_login(client, user.email, "attacker-guess")
    client.raw.set_cookie("device", "made-up-value")
    assert _page_login(client, user.email, factories.PASSWORD) == 429


def test_a_known_device_has_its_own_limit(app, client, limits):
    user = factories.UserFactory(email="careless@example.com")
    client.login(user)
    client.post_form("/logout", {})
    codes = [_page_login(client, user.email, f"typo-{i}") for i in range(4)]
    assert codes == [401, 401, 401, 429]
