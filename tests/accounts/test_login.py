"""Log-in, log-out, sessions and the log-in rate limits."""

from tests import factories


def test_login_and_logout(client):
    user = factories.UserFactory(email="farmer@example.ru", role="farmer", name="Ivan Petrov")
    response = client.post_form("/login", {"email": "FARMER@example.ru", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert "Ivan Petrov" in client.get("/").get_data(as_text=True)
    assert user.last_login_at is not None
    assert client.post_form("/logout", {}).status_code == 302
    assert "Ivan Petrov" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused(client):
    factories.UserFactory(email="a@example.com")
    response = client.post_form("/login", {"email": "a@example.com", "password": "wrong-password"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_unknown_email_gives_the_same_answer(client):
    response = client.post_form("/login", {"email": "nobody@example.com", "password": "whatever-pass"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client):
    factories.UserFactory(email="gone@example.com", active=False)
    response = client.post_form("/login", {"email": "gone@example.com", "password": factories.PASSWORD})
    assert response.status_code == 401


def test_session_cookie_flags_and_renewal(client):
    user = factories.UserFactory()
    client.get("/")
    before = client.get_cookie("session")
    response = client.login(user)
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("session").value != (before.value if before else None)


def test_next_only_goes_to_our_own_pages(client):
    user = factories.UserFactory()
    data = {"email": user.email, "password": factories.PASSWORD, "next": "https://evil.example/x"}
    response = client.post_form("/login", data)
    assert response.headers["Location"] == "/"
    client.post_form("/logout", {})
    data["next"] = "/profile"
    assert client.post_form("/login", data).headers["Location"] == "/profile"


def test_pages_need_login(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_is_rate_limited_per_account(client, app, rate_limits):
    factories.UserFactory(email="target@example.com")
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    try:
        codes = [
            client.post_form(
                "/login", {"email": "target@example.com", "password": "bad-password-1"}
            ).status_code
            for _ in range(4)
        ]
        # Other accounts from the same address are not blocked by this one.
        other = client.post_form("/login", {"email": "other@example.com", "password": "bad-password-1"})
    finally:
        app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "5 per minute"
    assert codes == [401, 401, 401, 429]
    assert other.status_code == 401


def test_login_is_rate_limited_per_ip(client, app, rate_limits):
    app.config["LOGIN_RATE_LIMIT_IP"] = "3 per minute"
    try:
        codes = [
            client.post_form("/login", {"email": f"u{i}@example.com", "password": "bad-password"}).status_code
            for i in range(4)
        ]
        blocked = client.post_form("/login", {"email": "x@example.com", "password": "y"})
    finally:
        app.config["LOGIN_RATE_LIMIT_IP"] = "20 per minute"
    assert codes == [401, 401, 401, 429]
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
